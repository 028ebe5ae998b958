// End-to-end layer tests: random GEMMs and convolutions compiled for the 4x4
// and 16x16 configurations, run on the instruction-level simulator through
// the runtime's Run, and compared bit for bit with the golden model.
//
// Every case prints its seed; NPU_SEED=<seed> replays the run starting with
// that case (case i of a run uses seed base + i).
#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "sw/compiler/compiler.h"
#include "sw/gen/npu_configs.h"
#include "sw/iss/iss.h"
#include "sw/runtime/layout.h"
#include "sw/runtime/runner.h"
#include "tb/common/test_seed.h"
#include "tb/tests/random_layers.h"

namespace npu {
namespace {

using compiler::CompiledLayer;
using compiler::ConvLayer;
using compiler::GemmLayer;

/// Random cases per test and configuration.
constexpr int kCases = 150;
/// Device address of every compiled image.
constexpr uint32_t kBase = 0x8000'0000u;

/// Shapes of the random cases: M, N, K log-uniform in [1, 512]; convolutions
/// up to 40x40 pixels and 96 channels, at most 2^24 MACs.
constexpr testing::GemmLimits kGemmLimits{.max_dim = 512, .max_macs = uint64_t{512} * 512 * 512};
constexpr testing::ConvLimits kConvLimits{
    .max_hw = 40, .max_channels = 96, .max_macs = uint64_t{1} << 24};

/// Drops the bias of one layer in ten: the compiler must handle a layer
/// without one.
template <typename Layer>
void MaybeDropBias(std::mt19937_64& rng, Layer& layer) {
  if (std::uniform_int_distribution<int>(0, 9)(rng) == 0) layer.bias.clear();
}

/// Compares two int8 tensors and reports the first difference.
::testing::AssertionResult SameBytes(std::span<const int8_t> got, std::span<const int8_t> want) {
  if (got.size() != want.size()) {
    return ::testing::AssertionFailure() << "size " << got.size() << " vs golden " << want.size();
  }
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != want[i] && bad++ == 0) first = i;
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << bad << " of " << got.size() << " values differ; first at " << first << ": "
         << int{got[first]} << " vs golden " << int{want[first]};
}

class IssLayersTest : public ::testing::TestWithParam<const char*> {
 protected:
  const HwConfig& Hw() const { return *FindHwConfig(GetParam()); }

  /// Compiles and runs @p layer on a fresh simulator.
  runtime::RunOutput Run(const ConvLayer& layer, const std::vector<int8_t>& input,
                         CompiledLayer* out = nullptr) {
    const CompiledLayer cl = compiler::Compile(layer, Hw(), kBase);
    iss::Iss sim(Hw());
    runtime::RunOutput run = runtime::Run(sim, cl, input);
    EXPECT_TRUE(run.result.status.ok) << run.result.status.Describe() << "\n"
                                      << compiler::Describe(cl);
    EXPECT_GE(run.result.stats.macs, cl.macs);
    if (out != nullptr) *out = cl;
    return run;
  }
};

TEST_P(IssLayersTest, RandomGemmsMatchGolden) {
  const uint64_t base = testing::Seed();
  for (int i = 0; i < kCases; ++i) {
    const uint64_t seed = base + i;
    std::mt19937_64 rng(seed);
    GemmLayer g = testing::RandomGemm(rng, kGemmLimits);
    MaybeDropBias(rng, g);
    const std::vector<int8_t> a = testing::RandomInput(rng, g.ToConv());
    std::cout << "[" << GetParam() << "] gemm seed " << seed << ": " << testing::Describe(g)
              << "\n";
    SCOPED_TRACE("gemm seed " + std::to_string(seed));

    CompiledLayer cl;
    const runtime::RunOutput run = Run(g.ToConv(), a, &cl);
    ASSERT_TRUE(SameBytes(run.outputs[0], testing::GoldenGemm(g, a)))
        << testing::Describe(g) << "\n"
        << compiler::Describe(cl);
  }
}

TEST_P(IssLayersTest, RandomConvsMatchGolden) {
  const uint64_t base = testing::Seed();
  for (int i = 0; i < kCases; ++i) {
    const uint64_t seed = base + i;
    std::mt19937_64 rng(seed);
    ConvLayer l = testing::RandomConv(rng, kConvLimits);
    MaybeDropBias(rng, l);
    const std::vector<int8_t> x = testing::RandomInput(rng, l);
    std::cout << "[" << GetParam() << "] conv seed " << seed << ": " << testing::Describe(l)
              << "\n";
    SCOPED_TRACE("conv seed " + std::to_string(seed));

    CompiledLayer cl;
    const runtime::RunOutput run = Run(l, x, &cl);
    ASSERT_EQ(l.OutH(), cl.outputs[0].h);
    ASSERT_EQ(l.OutW(), cl.outputs[0].w);
    ASSERT_TRUE(SameBytes(run.outputs[0], testing::GoldenConv(l, x))) << compiler::Describe(cl);
  }
}

TEST_P(IssLayersTest, LargeLayersMatchGolden) {
  // Sizes that need many pixel, group and K tiles on both configurations.
  std::mt19937_64 rng(2024);
  const GemmLayer g = testing::RandomGemmShape(rng, 512, 512, 512);
  const std::vector<int8_t> a = testing::RandomInput(rng, g.ToConv());
  const runtime::RunOutput run = Run(g.ToConv(), a);
  EXPECT_TRUE(SameBytes(run.outputs[0], testing::GoldenGemm(g, a)));

  ConvLayer shape;
  shape.h = shape.w = 30;
  shape.cin = 70;
  shape.cout = 130;
  shape.kh = shape.kw = 3;
  shape.pad_top = shape.pad_left = 1;
  shape.pad_bottom = 0;
  shape.pad_right = 2;
  const ConvLayer l = testing::RandomConvShape(rng, shape);
  const std::vector<int8_t> x = testing::RandomInput(rng, l);
  CompiledLayer cl;
  const runtime::RunOutput crun = Run(l, x, &cl);
  EXPECT_TRUE(SameBytes(crun.outputs[0], testing::GoldenConv(l, x))) << compiler::Describe(cl);
  std::cout << compiler::Describe(cl);
}

TEST_P(IssLayersTest, ZeroPointPaddingAndWrappingBiasAreExact) {
  // Extreme zero points and weights: padding must contribute exactly zero
  // and the folded bias must wrap like the golden model's int32 arithmetic.
  ConvLayer l;
  l.h = l.w = 5;
  l.cin = 7;
  l.cout = 5;
  l.kh = l.kw = 3;
  l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = 2;
  l.in_zp = -128;
  l.weights.assign(static_cast<size_t>(l.cout) * 9 * l.cin, -127);
  l.bias.assign(l.cout, INT32_MAX - 5);
  l.multiplier = {1 << 30};
  l.shift = {-20};
  const std::vector<int8_t> x(static_cast<size_t>(l.h) * l.w * l.cin, 127);
  const runtime::RunOutput run = Run(l, x);
  EXPECT_TRUE(SameBytes(run.outputs[0], testing::GoldenConv(l, x)));
}

TEST_P(IssLayersTest, RunRejectsWrongInputSize) {
  ConvLayer l;
  l.h = 2;
  l.w = 3;
  l.cin = 5;
  l.cout = 2;
  l.weights.assign(10, 1);
  l.multiplier = {1 << 30};
  l.shift = {0};
  const CompiledLayer cl = compiler::Compile(l, Hw(), kBase);
  iss::Iss sim(Hw());
  const std::vector<int8_t> input(2 * 3 * 5 - 1);
  EXPECT_THROW(runtime::Run(sim, cl, input), std::invalid_argument);
}

// 4x4 and 16x16 are the required targets; 8x8 and 32x32 are cheap to add.
INSTANTIATE_TEST_SUITE_P(Configs, IssLayersTest, ::testing::Values("4x4", "16x16", "8x8", "32x32"),
                         [](const auto& info) {
                           return "Dim" + std::to_string(FindHwConfig(info.param)->dim);
                         });

TEST(LayoutTest, PackUnpackRoundTripsAndPadsWithZero) {
  std::mt19937_64 rng(3);
  for (int dim : {4, 16}) {
    const int h = 3, w = 5, c = 6;
    ConvLayer shape;
    shape.h = h;
    shape.w = w;
    shape.cin = c;
    const std::vector<int8_t> t = testing::RandomInput(rng, shape);
    const std::vector<uint8_t> p = runtime::PackActivations(t, h, w, c, dim);
    ASSERT_EQ(p.size(), runtime::BlockedBytes(h, w, c, dim));
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        for (int ch = 0; ch < (c + dim - 1) / dim * dim; ++ch) {
          const size_t at = ((static_cast<size_t>(ch / dim) * h + y) * w + x) * dim + ch % dim;
          const int8_t want = ch < c ? t[(y * w + x) * c + ch] : 0;
          ASSERT_EQ(static_cast<int8_t>(p[at]), want) << dim << " " << y << " " << x << " " << ch;
        }
      }
    }
    EXPECT_EQ(runtime::UnpackActivations(p, h, w, c, dim), t);
  }
  EXPECT_THROW(runtime::PackActivations(std::vector<int8_t>(5), 1, 2, 3, 4), std::invalid_argument);
  EXPECT_THROW(runtime::UnpackActivations(std::vector<uint8_t>(5), 1, 2, 3, 4),
               std::invalid_argument);
}

}  // namespace
}  // namespace npu
