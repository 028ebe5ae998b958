// End-to-end layer tests: random GEMMs and convolutions compiled for the 4x4
// and 16x16 configurations, run on the instruction-level simulator through
// the runtime's RunLayer, and compared bit for bit with the golden model.
//
// Every case prints its seed; NPU_SEED=<seed> replays the run starting with
// that case (case i of a run uses seed base + i).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "sw/compiler/compiler.h"
#include "sw/gen/npu_configs.h"
#include "sw/iss/iss.h"
#include "sw/numerics/numerics.h"
#include "sw/runtime/layout.h"
#include "sw/runtime/runner.h"
#include "tb/golden/golden.h"

namespace npu {
namespace {

using compiler::CompiledLayer;
using compiler::ConvLayer;
using compiler::GemmLayer;

/// Random cases per test and configuration.
constexpr int kCases = 150;
/// Device address of every compiled image.
constexpr uint32_t kBase = 0x8000'0000u;

/// The base seed: NPU_SEED if set, else a fresh random one.
uint64_t BaseSeed() {
  if (const char* env = std::getenv("NPU_SEED")) return std::strtoull(env, nullptr, 0);
  return (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
}

/// Log-uniform integer in [lo, hi].
int LogUniform(std::mt19937_64& rng, int lo, int hi) {
  std::uniform_real_distribution<double> u(std::log(lo), std::log(hi + 1.0));
  return std::min(hi, static_cast<int>(std::exp(u(rng))));
}

int Uniform(std::mt19937_64& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

/// Random requantization: per-channel (or per-tensor) multipliers from
/// QuantizeMultiplier of log-uniform scales that map the typical accumulator
/// magnitude to output magnitudes from about 0.3 (rounding matters) to about
/// 300 (saturation and clamping matter); random output zero point and clamp.
void RandomRequant(std::mt19937_64& rng, int channels, int reduction, bool per_tensor,
                   std::vector<int32_t>& multiplier, std::vector<int>& shift, int32_t& out_zp,
                   int32_t& act_min, int32_t& act_max) {
  const double typical = 127.0 * 128.0 * std::sqrt(static_cast<double>(reduction));
  std::uniform_real_distribution<double> log_scale(std::log(1.0 / typical),
                                                   std::log(1000.0 / typical));
  const int n = per_tensor ? 1 : channels;
  multiplier.resize(n);
  shift.resize(n);
  for (int i = 0; i < n; ++i) {
    const QuantizedMultiplier q = QuantizeMultiplier(std::exp(log_scale(rng)));
    multiplier[i] = q.multiplier;
    shift[i] = q.shift;
  }
  out_zp = Uniform(rng, -128, 127);
  switch (Uniform(rng, 0, 3)) {
    case 0:
      act_min = -128, act_max = 127;
      break;  // none
    case 1:
      act_min = out_zp, act_max = 127;
      break;  // ReLU
    default:
      act_min = Uniform(rng, -128, 127);
      act_max = Uniform(rng, act_min, 127);
  }
}

std::vector<int8_t> RandomBytes(std::mt19937_64& rng, size_t n, int lo, int hi) {
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(Uniform(rng, lo, hi));
  return v;
}

std::vector<int32_t> RandomBias(std::mt19937_64& rng, int n) {
  if (Uniform(rng, 0, 9) == 0) return {};  // sometimes no bias
  std::vector<int32_t> v(n);
  for (auto& x : v) x = Uniform(rng, -200000, 200000);
  return v;
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
  runtime::LayerRun Run(const ConvLayer& layer, std::span<const int8_t> input,
                        CompiledLayer* out = nullptr) {
    const CompiledLayer cl = compiler::Compile(layer, Hw(), kBase);
    iss::Iss sim(Hw());
    runtime::LayerRun run = runtime::RunLayer(sim, cl, input);
    EXPECT_TRUE(run.result.status.ok) << run.result.status.Describe() << "\n"
                                      << compiler::Describe(cl);
    EXPECT_GE(run.result.stats.macs, cl.macs);
    if (out != nullptr) *out = cl;
    return run;
  }
};

TEST_P(IssLayersTest, RandomGemmsMatchGolden) {
  const uint64_t base = BaseSeed();
  for (int i = 0; i < kCases; ++i) {
    const uint64_t seed = base + i;
    std::mt19937_64 rng(seed);
    GemmLayer g;
    g.m = LogUniform(rng, 1, 512);
    g.n = LogUniform(rng, 1, 512);
    g.k = LogUniform(rng, 1, 512);
    g.a_zp = Uniform(rng, -128, 127);
    g.weights = RandomBytes(rng, static_cast<size_t>(g.k) * g.n, -127, 127);
    g.bias = RandomBias(rng, g.n);
    RandomRequant(rng, g.n, g.k, Uniform(rng, 0, 4) == 0, g.multiplier, g.shift, g.out_zp,
                  g.act_min, g.act_max);
    const std::vector<int8_t> a = RandomBytes(rng, static_cast<size_t>(g.m) * g.k, -128, 127);
    std::cout << "[" << GetParam() << "] gemm seed " << seed << ": M " << g.m << " N " << g.n
              << " K " << g.k << "\n";
    SCOPED_TRACE("gemm seed " + std::to_string(seed));

    CompiledLayer cl;
    const runtime::LayerRun run = Run(g.ToConv(), a, &cl);
    golden::MatrixI8 ga = Eigen::Map<const golden::MatrixI8>(a.data(), g.m, g.k);
    golden::MatrixI8 gb = Eigen::Map<const golden::MatrixI8>(g.weights.data(), g.k, g.n);
    const golden::MatrixI8 want =
        golden::Gemm(ga, g.a_zp, gb, g.bias,
                     golden::RequantParams{g.multiplier, g.shift, g.out_zp, g.act_min, g.act_max});
    ASSERT_TRUE(SameBytes(run.output, std::span<const int8_t>(want.data(), want.size())))
        << "M " << g.m << " N " << g.n << " K " << g.k << "\n"
        << compiler::Describe(cl);
  }
}

TEST_P(IssLayersTest, RandomConvsMatchGolden) {
  const uint64_t base = BaseSeed();
  const int kernels[] = {1, 3, 5, 7};
  for (int i = 0; i < kCases; ++i) {
    const uint64_t seed = base + i;
    std::mt19937_64 rng(seed);
    ConvLayer l;
    l.kh = kernels[Uniform(rng, 0, 3)];
    l.kw = Uniform(rng, 0, 3) == 0 ? kernels[Uniform(rng, 0, 3)] : l.kh;
    l.stride_h = Uniform(rng, 1, 2);
    l.stride_w = Uniform(rng, 0, 3) == 0 ? 3 - l.stride_h : l.stride_h;
    l.pad_top = Uniform(rng, 0, l.kh - 1);
    l.pad_bottom = Uniform(rng, 0, l.kh - 1);
    l.pad_left = Uniform(rng, 0, l.kw - 1);
    l.pad_right = Uniform(rng, 0, l.kw - 1);
    l.h = std::max(LogUniform(rng, 1, 40), l.kh - l.pad_top - l.pad_bottom);
    l.w = std::max(LogUniform(rng, 1, 40), l.kw - l.pad_left - l.pad_right);
    l.cin = LogUniform(rng, 1, 96);
    l.cout = LogUniform(rng, 1, 96);
    l.in_zp = Uniform(rng, -128, 127);
    l.weights = RandomBytes(rng, static_cast<size_t>(l.cout) * l.kh * l.kw * l.cin, -127, 127);
    l.bias = RandomBias(rng, l.cout);
    RandomRequant(rng, l.cout, l.kh * l.kw * l.cin, Uniform(rng, 0, 4) == 0, l.multiplier, l.shift,
                  l.out_zp, l.act_min, l.act_max);
    golden::Tensor4 x(1, l.h, l.w, l.cin);
    x.data = RandomBytes(rng, x.Size(), -128, 127);
    std::cout << "[" << GetParam() << "] conv seed " << seed << ": " << l.h << "x" << l.w << "x"
              << l.cin << " -> " << l.cout << ", kernel " << l.kh << "x" << l.kw << ", stride "
              << l.stride_h << "x" << l.stride_w << ", pad " << l.pad_top << "," << l.pad_left
              << "," << l.pad_bottom << "," << l.pad_right << "\n";
    SCOPED_TRACE("conv seed " + std::to_string(seed));

    CompiledLayer cl;
    const runtime::LayerRun run = Run(l, x.data, &cl);
    golden::Tensor4 wt(l.cout, l.kh, l.kw, l.cin);
    wt.data = l.weights;
    const golden::Tensor4 want = golden::Conv2d(
        x, l.in_zp, wt, l.bias,
        golden::Conv2dGeometry{l.stride_h, l.stride_w, l.pad_top, l.pad_left, l.pad_bottom,
                               l.pad_right},
        golden::RequantParams{l.multiplier, l.shift, l.out_zp, l.act_min, l.act_max});
    ASSERT_EQ(want.h, cl.out_h);
    ASSERT_EQ(want.w, cl.out_w);
    ASSERT_TRUE(SameBytes(run.output, want.data)) << compiler::Describe(cl);
  }
}

TEST_P(IssLayersTest, LargeLayersMatchGolden) {
  // Sizes that need many pixel, group and K tiles on both configurations.
  std::mt19937_64 rng(2024);
  GemmLayer g;
  g.m = g.n = g.k = 512;
  g.a_zp = 3;
  g.weights = RandomBytes(rng, 512 * 512, -127, 127);
  g.bias = RandomBias(rng, 512);
  RandomRequant(rng, 512, 512, false, g.multiplier, g.shift, g.out_zp, g.act_min, g.act_max);
  const std::vector<int8_t> a = RandomBytes(rng, 512 * 512, -128, 127);
  const runtime::LayerRun run = Run(g.ToConv(), a);
  const golden::MatrixI8 want =
      golden::Gemm(Eigen::Map<const golden::MatrixI8>(a.data(), 512, 512), g.a_zp,
                   Eigen::Map<const golden::MatrixI8>(g.weights.data(), 512, 512), g.bias,
                   golden::RequantParams{g.multiplier, g.shift, g.out_zp, g.act_min, g.act_max});
  EXPECT_TRUE(SameBytes(run.output, std::span<const int8_t>(want.data(), want.size())));

  ConvLayer l;
  l.h = l.w = 30;
  l.cin = 70;
  l.cout = 130;
  l.kh = l.kw = 3;
  l.pad_top = l.pad_left = 1;
  l.pad_bottom = 0;
  l.pad_right = 2;
  l.in_zp = -5;
  l.weights = RandomBytes(rng, static_cast<size_t>(l.cout) * 9 * l.cin, -127, 127);
  l.bias = RandomBias(rng, l.cout);
  RandomRequant(rng, l.cout, 9 * l.cin, false, l.multiplier, l.shift, l.out_zp, l.act_min,
                l.act_max);
  golden::Tensor4 x(1, l.h, l.w, l.cin);
  x.data = RandomBytes(rng, x.Size(), -128, 127);
  CompiledLayer cl;
  const runtime::LayerRun crun = Run(l, x.data, &cl);
  golden::Tensor4 wt(l.cout, 3, 3, l.cin);
  wt.data = l.weights;
  const golden::Tensor4 cwant =
      golden::Conv2d(x, l.in_zp, wt, l.bias, golden::Conv2dGeometry{1, 1, 1, 1, 0, 2},
                     golden::RequantParams{l.multiplier, l.shift, l.out_zp, l.act_min, l.act_max});
  EXPECT_TRUE(SameBytes(crun.output, cwant.data)) << compiler::Describe(cl);
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
  golden::Tensor4 x(1, l.h, l.w, l.cin, 127);
  const runtime::LayerRun run = Run(l, x.data);
  golden::Tensor4 wt(l.cout, 3, 3, l.cin, -127);
  const golden::Tensor4 want =
      golden::Conv2d(x, l.in_zp, wt, l.bias, golden::Conv2dGeometry{1, 1, 2, 2, 2, 2},
                     golden::RequantParams{l.multiplier, l.shift, 0, -128, 127});
  EXPECT_TRUE(SameBytes(run.output, want.data));
}

TEST_P(IssLayersTest, RunLayerRejectsWrongInputSize) {
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
  EXPECT_THROW(runtime::RunLayer(sim, cl, input), std::invalid_argument);
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
    const std::vector<int8_t> t = RandomBytes(rng, h * w * c, -128, 127);
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
