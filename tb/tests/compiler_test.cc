// Unit tests of the layer compiler: validation, constant packing against
// direct loops, token balance and hazards, and tile capacities on every
// named configuration; the window, MEAN, add and residual lowerings run on
// the instruction-level simulator against the golden model on every
// configuration.
//
// Randomized tests print their seed; NPU_SEED=<seed> replays a run (case i
// of a test and configuration uses seed base + i).
#include "sw/compiler/compiler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <iostream>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "sw/compiler/packing.h"
#include "sw/compiler/program_check.h"
#include "sw/compiler/tiling.h"
#include "sw/gen/npu_configs.h"
#include "sw/gen/npu_isa.h"
#include "sw/isa/disasm.h"
#include "sw/isa/params.h"
#include "sw/iss/iss.h"
#include "sw/runtime/runner.h"
#include "tb/common/test_seed.h"
#include "tb/golden/golden.h"
#include "tb/tests/random_layers.h"

namespace npu::compiler {
namespace {

/// A valid layer with deterministic pseudo-random contents.
ConvLayer MakeConv(int h, int w, int cin, int cout, int k, int stride, int pad, uint64_t seed = 1) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> w8(-127, 127);
  ConvLayer l;
  l.h = h;
  l.w = w;
  l.cin = cin;
  l.cout = cout;
  l.kh = l.kw = k;
  l.stride_h = l.stride_w = stride;
  l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = pad;
  l.in_zp = -7;
  l.weights.resize(static_cast<size_t>(cout) * k * k * cin);
  for (auto& v : l.weights) v = static_cast<int8_t>(w8(rng));
  l.bias.resize(cout);
  for (auto& v : l.bias) v = static_cast<int32_t>(rng() % 20001) - 10000;
  l.multiplier.assign(cout, 1 << 30);
  l.shift.assign(cout, -8);
  return l;
}

/// Expects Validate to throw std::invalid_argument mentioning @p needle.
void ExpectInvalid(const ConvLayer& l, const std::string& needle) {
  try {
    l.Validate();
    ADD_FAILURE() << "no exception, expected one mentioning '" << needle << "'";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(ConvLayerTest, ValidLayerPassesAndSizesAreRight) {
  ConvLayer l = MakeConv(9, 11, 5, 6, 3, 2, 1);
  EXPECT_NO_THROW(l.Validate());
  EXPECT_EQ(l.OutH(), 5);
  EXPECT_EQ(l.OutW(), 6);
  l.pad_bottom = 0;
  l.pad_right = 2;
  EXPECT_EQ(l.OutH(), 4);  // (9 + 1 - 3) / 2 + 1
  EXPECT_EQ(l.OutW(), 6);  // (11 + 1 + 2 - 3) / 2 + 1
}

TEST(ConvLayerTest, ValidateNamesWhatIsWrong) {
  const ConvLayer ok = MakeConv(6, 6, 3, 4, 3, 1, 1);
  ConvLayer l = ok;
  l.cin = 0;
  ExpectInvalid(l, "cin");
  l = ok;
  l.cout = -1;
  ExpectInvalid(l, "cout");
  l = ok;
  l.h = 0;
  ExpectInvalid(l, "input size");
  l = ok;
  l.kh = 0;
  ExpectInvalid(l, "kernel");
  l = ok;
  l.stride_w = 8;
  ExpectInvalid(l, "stride_w");
  l = ok;
  l.stride_h = 0;
  ExpectInvalid(l, "stride_h");
  l = ok;
  l.pad_left = -1;
  ExpectInvalid(l, "padding");
  l = ok;
  l.kh = l.kw = 9;
  l.weights.resize(4 * 9 * 9 * 3);
  ExpectInvalid(l, "smaller than the kernel");
  l = ok;
  l.in_zp = 128;
  ExpectInvalid(l, "in_zp");
  l = ok;
  l.out_zp = -129;
  ExpectInvalid(l, "out_zp");
  l = ok;
  l.act_min = 10;
  l.act_max = 5;
  ExpectInvalid(l, "activation range");
  l = ok;
  l.weights.pop_back();
  ExpectInvalid(l, "weights");
  l = ok;
  l.bias.resize(3);
  ExpectInvalid(l, "bias");
  l = ok;
  l.multiplier.resize(2);
  ExpectInvalid(l, "multiplier");
  l = ok;
  l.shift.resize(1);
  ExpectInvalid(l, "shift");
  l = ok;
  l.shift[2] = 31;
  ExpectInvalid(l, "shift[2]");
  l = ok;
  l.bias.clear();  // no bias is fine
  EXPECT_NO_THROW(l.Validate());
  l.multiplier = {1 << 30};
  l.shift = {0};  // per tensor is fine
  EXPECT_NO_THROW(l.Validate());
}

TEST(GemmLayerTest, ToConvTransposesWeights) {
  GemmLayer g;
  g.m = 3;
  g.n = 2;
  g.k = 4;
  g.a_zp = 5;
  for (int i = 0; i < 8; ++i) g.weights.push_back(static_cast<int8_t>(i));
  g.bias = {1, 2};
  g.multiplier = {1 << 30};
  g.shift = {-1};
  const ConvLayer c = g.ToConv();
  EXPECT_EQ(c.h, 1);
  EXPECT_EQ(c.w, 3);
  EXPECT_EQ(c.cin, 4);
  EXPECT_EQ(c.cout, 2);
  EXPECT_EQ(c.in_zp, 5);
  for (int k = 0; k < 4; ++k) {
    for (int n = 0; n < 2; ++n) EXPECT_EQ(c.weights[n * 4 + k], g.weights[k * 2 + n]);
  }
  g.weights.pop_back();
  EXPECT_THROW(g.ToConv(), std::invalid_argument);
}

TEST(PackingTest, WeightsMatchDirectLoops) {
  for (int dim : {4, 16}) {
    const ConvLayer l = MakeConv(5, 5, 7, 9, 3, 1, 1, 42);
    const std::vector<uint8_t> packed = PackWeights(l, dim);
    const int ng = (l.cout + dim - 1) / dim, cc = (l.cin + dim - 1) / dim;
    const int kc = l.kh * l.kw * cc;
    ASSERT_EQ(packed.size(), static_cast<size_t>(ng) * kc * dim * dim);
    // Walk the packed layout and decode each position independently.
    size_t idx = 0;
    for (int g = 0; g < ng; ++g) {
      for (int j = 0; j < kc; ++j) {
        const int pos = j / cc, chunk = j % cc, ky = pos / l.kw, kx = pos % l.kw;
        for (int r = 0; r < dim; ++r) {
          for (int col = 0; col < dim; ++col, ++idx) {
            const int o = g * dim + col, ci = chunk * dim + r;
            int8_t expect = 0;
            if (o < l.cout && ci < l.cin) {
              expect = l.weights[((o * l.kh + ky) * l.kw + kx) * l.cin + ci];
            }
            ASSERT_EQ(static_cast<int8_t>(packed[idx]), expect)
                << "dim " << dim << " g " << g << " j " << j << " r " << r << " col " << col;
          }
        }
      }
    }
  }
}

TEST(PackingTest, ParamsMatchDirectLoops) {
  for (int dim : {4, 16}) {
    for (bool per_tensor : {false, true}) {
      ConvLayer l = MakeConv(3, 3, 5, 6, 3, 1, 1, 7);
      l.in_zp = 13;
      for (int o = 0; o < l.cout; ++o) {
        l.multiplier[o] = 1'500'000'000 + o;
        l.shift[o] = -o;
      }
      if (per_tensor) {
        l.multiplier.resize(1);
        l.shift.resize(1);
      }
      const std::vector<uint8_t> p = PackParams(l, dim);
      const int ng = (l.cout + dim - 1) / dim;
      ASSERT_EQ(p.size(), static_cast<size_t>(ng) * 9 * dim);
      for (int o = 0; o < ng * dim; ++o) {
        const uint8_t* grp = p.data() + (o / dim) * 9 * dim;
        const int lane = o % dim;
        auto le32 = [](const uint8_t* b) {
          return static_cast<int32_t>(b[0] | b[1] << 8 | b[2] << 16 |
                                      static_cast<uint32_t>(b[3]) << 24);
        };
        int64_t bias = 0, mult = 0, shift = 0;
        if (o < l.cout) {
          int64_t wsum = 0;
          for (int i = 0; i < 9 * l.cin; ++i) wsum += l.weights[o * 9 * l.cin + i];
          bias = l.bias[o] - int64_t{13} * wsum;  // small: no wrap here
          mult = l.multiplier[per_tensor ? 0 : o];
          shift = l.shift[per_tensor ? 0 : o];
        }
        EXPECT_EQ(le32(grp + 4 * lane), bias) << o;
        EXPECT_EQ(le32(grp + 4 * dim + 4 * lane), mult) << o;
        EXPECT_EQ(static_cast<int8_t>(grp[8 * dim + lane]), shift) << o;
      }
    }
  }
}

TEST(PackingTest, FoldedBiasWrapsModulo2To32) {
  ConvLayer l = MakeConv(1, 1, 1, 1, 1, 1, 0);
  l.weights = {-128};
  l.in_zp = -128;
  l.bias = {INT32_MAX};
  // INT32_MAX - (-128 * -128) without wrapping, then a wrapping case.
  EXPECT_EQ(FoldedBias(l)[0], INT32_MAX - 16384);
  l.bias = {INT32_MIN};
  l.weights = {127};
  l.in_zp = 127;
  EXPECT_EQ(FoldedBias(l)[0], static_cast<int32_t>(static_cast<uint32_t>(INT32_MIN) - 16129u));
}

TEST(ProgramCheckTest, RejectsUnbalancedAndMisorderedTokens) {
  isa::LoadInstr load;
  load.deps.signal = isa::LoadInstr::kSignalCompute;
  isa::ComputeInstr compute;
  compute.deps.wait = isa::ComputeInstr::kWaitLoad;
  std::vector<isa::Word> p = {load.Encode(), compute.Encode()};
  EXPECT_NO_THROW(CheckTokens(p));
  // A wait before its token is given.
  std::vector<isa::Word> q = {compute.Encode(), load.Encode()};
  EXPECT_THROW(CheckTokens(q), std::logic_error);
  // A token given and never taken.
  EXPECT_THROW(CheckTokens(std::vector<isa::Word>{load.Encode()}), std::logic_error);
  // A bit towards a queue the unit does not have (where the graph leaves one).
  for (const isa::InstrInfo& info : isa::kInstrs) {
    const uint32_t missing = ((1u << isa::kDepBits) - 1) & ~isa::LegalWaitMask(info.unit);
    if (missing == 0) continue;
    isa::Word bad{};
    isa::SetField(bad, isa::field::kOpcodeLsb, isa::field::kOpcodeWidth,
                  static_cast<uint32_t>(info.opcode), "opcode");
    isa::SetField(bad, isa::field::kWaitMaskLsb, isa::kDepBits, missing, "wait");
    EXPECT_THROW(CheckTokens(std::vector<isa::Word>{bad}), std::logic_error) << info.name;
  }
}

TEST(ProgramCheckTest, WindowRulesAreTheHardwares) {
  const HwConfig& hw = *FindHwConfig("4x4-k3");
  isa::WindowInstr w;
  w.mode = isa::WindowMode::kMax;
  w.kh = w.kw = w.sy = w.sx = 2;
  w.nc = 1;
  w.ih = w.iw = 4;
  w.oh = w.ow = 2;
  EXPECT_NO_THROW(CheckHazards(std::vector<isa::Word>{w.Encode()}, hw));
  // Outputs over an empty tile: the hardware's illegal_instr (before, the
  // checker took it for a no-op).
  isa::WindowInstr empty = w;
  empty.ih = 0;
  EXPECT_THROW(CheckHazards(std::vector<isa::Word>{empty.Encode()}, hw), std::logic_error);
  isa::WindowInstr big = w;
  big.kh = 4;
  big.ih = 5;
  EXPECT_THROW(CheckHazards(std::vector<isa::Word>{big.Encode()}, hw), std::logic_error);
  isa::WindowInstr zero = w;
  zero.sx = 0;
  zero.nc = 0;  // even with nothing to do
  EXPECT_THROW(CheckHazards(std::vector<isa::Word>{zero.Encode()}, hw), std::logic_error);
}

TEST(ProgramCheckTest, DetectsRaceWhenATokenPairIsDropped) {
  const HwConfig& hw = *FindHwConfig("4x4");
  // Several K tiles, group tiles and pixel tiles: every buffer is reused.
  const CompiledLayer cl = Compile(MakeConv(20, 20, 64, 48, 3, 1, 1), hw, 0);
  ASSERT_GT(cl.tiles.kt * cl.tiles.gt * cl.tiles.th * cl.tiles.tw, 4);
  EXPECT_NO_THROW(CheckHazards(cl.program, hw));
  // Drop the first compute->load token pair: still balanced, but a load may
  // then overwrite a half that a compute is still reading.
  std::vector<isa::Word> prog = cl.program;
  size_t giver = prog.size(), taker = prog.size();
  for (size_t i = 0; i < prog.size(); ++i) {
    const isa::Deps d = isa::DepsOf(prog[i]);
    const auto op = static_cast<isa::Opcode>(isa::OpcodeOf(prog[i]));
    if (giver == prog.size() && op == isa::Opcode::kCompute &&
        (d.signal & isa::ComputeInstr::kSignalLoad)) {
      giver = i;
    }
    if (taker == prog.size() && op == isa::Opcode::kLoad &&
        (d.wait & isa::LoadInstr::kWaitCompute)) {
      taker = i;
    }
  }
  ASSERT_LT(giver, prog.size());
  ASSERT_LT(taker, prog.size());
  auto c = isa::ComputeInstr::Decode(prog[giver]);
  c.deps.signal &= ~isa::ComputeInstr::kSignalLoad;
  prog[giver] = c.Encode();
  auto l = isa::LoadInstr::Decode(prog[taker]);
  l.deps.wait &= ~isa::LoadInstr::kWaitCompute;
  prog[taker] = l.Encode();
  EXPECT_NO_THROW(CheckTokens(prog));
  EXPECT_THROW(CheckHazards(prog, hw), std::logic_error);
}

/// Layers that stress every tiling axis.
std::vector<ConvLayer> TilingLayers() {
  return {MakeConv(1, 512, 512, 512, 1, 1, 0), MakeConv(56, 56, 64, 64, 3, 1, 1),
          MakeConv(28, 28, 130, 70, 5, 2, 2),  MakeConv(7, 7, 512, 200, 3, 1, 1),
          MakeConv(1, 3, 2000, 9, 1, 1, 0),    MakeConv(13, 200, 3, 33, 7, 2, 3),
          MakeConv(1, 1, 1, 1, 1, 1, 0),       MakeConv(300, 2, 5, 5, 1, 1, 0)};
}

TEST(CompilerTest, TilesRespectCapacitiesOnEveryConfig) {
  for (const HwConfig& hw : kHwConfigs) {
    for (const ConvLayer& l : TilingLayers()) {
      SCOPED_TRACE(std::string(hw.name) + " " + std::to_string(l.h) + "x" + std::to_string(l.w) +
                   "x" + std::to_string(l.cin) + "->" + std::to_string(l.cout) + " k" +
                   std::to_string(l.kh));
      const CompiledLayer cl = Compile(l, hw, 0x1000);
      const Tiling& t = cl.tiles;
      const uint64_t mt = static_cast<uint64_t>(t.Mt());
      EXPECT_LE(mt * t.kct, hw.spad_a / 2);
      EXPECT_LE(static_cast<uint64_t>(t.kct) * hw.dim * t.ngt, hw.spad_b / 2);
      EXPECT_LE(mt * t.ngt, hw.acc / 2);
      EXPECT_LE(mt, 65535u);
      // Every access stays inside one half of its buffer.
      for (const isa::Word& w : cl.program) {
        switch (isa::OpcodeOf(w)) {
          case 1: {
            const auto li = isa::LoadInstr::Decode(w);
            const uint32_t depth = li.spad == isa::Spad::kA   ? hw.spad_a
                                   : li.spad == isa::Spad::kB ? hw.spad_b
                                                              : hw.spad_p;
            const uint64_t end =
                li.dst_row + static_cast<uint64_t>(li.nc - 1) * li.dst_c_stride + li.ny * li.nx;
            if (li.spad == isa::Spad::kP) {
              EXPECT_LE(end, depth);
            } else {
              EXPECT_EQ(li.dst_row / (depth / 2), (end - 1) / (depth / 2));
            }
            EXPECT_LE(li.sy, 7u);
            EXPECT_GE(li.sy, 1u);
            break;
          }
          case 2: {
            const auto ci = isa::ComputeInstr::Decode(w);
            const uint64_t a_end =
                ci.a_row + static_cast<uint64_t>(ci.nk - 1) * ci.a_k_stride + ci.m;
            EXPECT_EQ(ci.a_row / (hw.spad_a / 2), (a_end - 1) / (hw.spad_a / 2));
            const uint64_t b_end = ci.b_row + static_cast<uint64_t>(ci.nk) * hw.dim;
            EXPECT_EQ(ci.b_row / (hw.spad_b / 2), (b_end - 1) / (hw.spad_b / 2));
            EXPECT_EQ(ci.acc_row / (hw.acc / 2), (ci.acc_row + ci.m - 1) / (hw.acc / 2));
            break;
          }
          case 3: {
            const auto si = isa::StoreInstr::Decode(w);
            EXPECT_LE(si.p_row + 9, hw.spad_p);
            break;
          }
          default:
            ADD_FAILURE() << "bad opcode";
        }
      }
      EXPECT_NO_THROW(CheckHazards(cl.program, hw));
      // Memory map: aligned regions in order, inside the image.
      EXPECT_EQ(cl.program_addr, 0x1000u);
      for (uint32_t a : {cl.const_addr, cl.params_addr, cl.inputs[0].addr, cl.outputs[0].addr}) {
        EXPECT_EQ(a % kRegionAlign, 0u);
      }
      EXPECT_GE(cl.const_addr, cl.program_addr + cl.program.size() * isa::kInstrBytes);
      EXPECT_EQ(cl.const_addr + cl.constants[0].bytes.size(),
                cl.params_addr + 9ull * ((l.cout + hw.dim - 1) / hw.dim) * hw.dim);
      EXPECT_LE(cl.outputs[0].addr + static_cast<uint64_t>((l.cout + hw.dim - 1) / hw.dim) *
                                         cl.outputs[0].h * cl.outputs[0].w * hw.dim,
                cl.base + static_cast<uint64_t>(cl.size));
      EXPECT_EQ(cl.macs, static_cast<uint64_t>(cl.outputs[0].h) * cl.outputs[0].w * l.cout * l.kh *
                             l.kw * l.cin);
    }
  }
}

TEST(CompilerTest, Gemm512IsComputeBoundOn16x16) {
  GemmLayer g;
  g.m = g.n = g.k = 512;
  g.weights.assign(512 * 512, 1);
  g.multiplier = {1 << 30};
  g.shift = {-10};
  const CompiledLayer cl = Compile(g.ToConv(), *FindHwConfig("16x16"), 0);
  const Tiling& t = cl.tiles;
  std::cout << Describe(cl);
  const uint64_t steps = static_cast<uint64_t>(t.th) * t.tw * t.gt * t.kt;
  // Per step: the array streams ngt * kct * Mt rows; the loads move
  // (A + B) rows at one beat per cycle.
  const double compute_per_step = static_cast<double>(t.ngt) * t.kct * t.Mt();
  const double load_per_step = static_cast<double>(t.a_rows + t.b_rows) / steps;
  EXPECT_GE(compute_per_step, 2.0 * load_per_step) << cl.tiling;
  // Steady state: every step's own loads are also at most half its compute.
  EXPECT_GE(compute_per_step,
            2.0 * (static_cast<double>(t.Mt()) * t.kct + static_cast<double>(t.kct) * 16 * t.ngt));
  EXPECT_GE(t.worst_step_ratio, 2.0) << cl.tiling;
  EXPECT_EQ(cl.load_bytes, (t.a_rows + t.b_rows + 9ull * 32) * 16);
}

TEST(CompilerTest, TooManyOutputChannelsThrows) {
  const HwConfig& hw = *FindHwConfig("32x32");  // 576 P rows: 64 groups of 32
  ConvLayer l = MakeConv(1, 2, 4, 64 * 32 + 1, 1, 1, 0);
  try {
    Compile(l, hw, 0);
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("too many output channels for this configuration"),
              std::string::npos)
        << e.what();
  }
  l = MakeConv(1, 2, 4, 64 * 32, 1, 1, 0);
  EXPECT_NO_THROW(Compile(l, hw, 0));
}

TEST(CompilerTest, RejectsUnalignedBaseAndInvalidLayers) {
  const HwConfig& hw = *FindHwConfig("4x4");
  EXPECT_THROW(Compile(MakeConv(2, 2, 2, 2, 1, 1, 0), hw, 0x80), std::invalid_argument);
  ConvLayer l = MakeConv(2, 2, 2, 2, 1, 1, 0);
  l.stride_h = 9;
  EXPECT_THROW(Compile(l, hw, 0), std::invalid_argument);
  EXPECT_THROW(Compile(MakeConv(64, 64, 64, 64, 1, 1, 0), hw, 0xFFFF'FF00u), std::invalid_argument);
}

TEST(CompilerTest, DescribeMentionsTilesAndCounts) {
  const CompiledLayer cl = Compile(MakeConv(8, 8, 8, 8, 3, 1, 1), *FindHwConfig("4x4"), 0);
  const std::string d = Describe(cl);
  EXPECT_NE(d.find("pixel tile"), std::string::npos) << d;
  EXPECT_NE(d.find("instructions: " + std::to_string(cl.program.size())), std::string::npos) << d;
  EXPECT_NE(d.find("MACs per loaded byte"), std::string::npos) << d;
}

// ---------------------------------------------------------------------------
// Window, MEAN, add and residual lowerings.
// ---------------------------------------------------------------------------

/// Device address of the images run on the simulator.
constexpr uint32_t kBase = 0x8000'0000u;

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

/// Compiles @p layer for @p hw, runs it on a fresh simulator and returns its
/// output (empty after a failure, which is reported).
template <typename Layer>
std::vector<int8_t> RunOnIss(const Layer& layer, const HwConfig& hw,
                             const std::vector<std::vector<int8_t>>& inputs,
                             CompiledLayer* compiled = nullptr) {
  const CompiledLayer cl = Compile(layer, hw, kBase);
  if (compiled != nullptr) *compiled = cl;
  iss::Iss sim(hw);
  const runtime::RunOutput run = runtime::Run(sim, cl, inputs);
  EXPECT_TRUE(run.result.status.ok) << run.result.status.Describe() << "\n" << Describe(cl);
  EXPECT_GE(run.result.stats.macs, cl.macs);
  if (!run.result.status.ok) return {};
  return run.outputs.at(0);
}

/// A plain copy of @p rows rows into @p spad at @p dst_row.
isa::LoadInstr RowCopyForTest(isa::Spad spad, uint32_t rows, uint32_t dst_row) {
  isa::LoadInstr li;
  li.spad = spad;
  li.sy = li.sx = 1;
  li.nc = 1;
  li.src_row_stride = rows * 16;
  li.dst_row = dst_row;
  li.dst_c_stride = rows;
  li.h = 1;
  li.w = rows;
  li.ny = 1;
  li.nx = rows;
  return li;
}

/// A coarse timing model of @p program on @p hw, not cycle-accurate: fetch
/// dispatches one instruction per cycle in program order into per-unit
/// queues of hw.queue entries (an instruction leaves its queue when it
/// starts); a unit starts its head once its previous instruction has ended
/// and every token it waits for has been given (at the end of the giving
/// instruction). Durations: load one cycle per row plus 16 (latency),
/// compute nk * max(m, DIM) + DIM, window per plane max(tile rows, outputs
/// * ceil(kh/3) * ceil(kw/3)) plus the drain and tap reads of a dw plane
/// (taps + 8) or 2, store one cycle per row (two with a residual, whose
/// reads share the bus with the loads) plus 8. The units' shared memory
/// bandwidth is otherwise ignored.
uint64_t ModelCycles(std::span<const isa::Word> program, const HwConfig& hw) {
  std::array<std::deque<uint64_t>, isa::kNumQueues> tokens;
  std::array<uint64_t, isa::kNumUnits> unit_end{};
  std::array<std::vector<uint64_t>, isa::kNumUnits> starts;
  uint64_t dispatch = 0, end = 0;
  for (const isa::Word& w : program) {
    const int u = static_cast<int>(isa::UnitOf(isa::OpcodeOf(w)));
    const isa::Deps d = isa::DepsOf(w);
    ++dispatch;
    if (starts[u].size() >= hw.queue) {
      dispatch = std::max(dispatch, starts[u][starts[u].size() - hw.queue]);
    }
    uint64_t start = std::max(dispatch, unit_end[u]);
    for (int i = 0; i < isa::kDepBits; ++i) {
      if (d.wait >> i & 1) {
        auto& q = tokens[isa::kInQueue[u][i]];
        start = std::max(start, q.front());
        q.pop_front();
      }
    }
    uint64_t dur = 0;
    switch (static_cast<isa::Unit>(u)) {
      case isa::Unit::kLoad: {
        const auto li = isa::LoadInstr::Decode(w);
        dur = uint64_t{li.nc} * li.ny * li.nx + 16;
        break;
      }
      case isa::Unit::kCompute: {
        const auto ci = isa::ComputeInstr::Decode(w);
        dur = uint64_t{ci.nk} * std::max(ci.m, hw.dim) + hw.dim;
        break;
      }
      case isa::Unit::kWindow: {
        const auto wi = isa::WindowInstr::Decode(w);
        const uint64_t rows = uint64_t{wi.ih} * wi.iw;
        const uint64_t blocks = uint64_t{(wi.kh + 2) / 3} * ((wi.kw + 2) / 3);
        const uint64_t per_plane = wi.mode == isa::WindowMode::kSum
                                       ? rows
                                       : std::max(rows, uint64_t{wi.oh} * wi.ow * blocks);
        const uint64_t overhead = wi.mode == isa::WindowMode::kDw ? wi.kh * wi.kw + 8 : 2;
        dur = wi.nc * (per_plane + overhead);
        break;
      }
      case isa::Unit::kStore: {
        const auto si = isa::StoreInstr::Decode(w);
        dur = uint64_t{si.ny} * si.nx * (si.add ? 2 : 1) + 8;
        break;
      }
    }
    const uint64_t finish = start + dur;
    unit_end[u] = finish;
    starts[u].push_back(start);
    for (int i = 0; i < isa::kDepBits; ++i) {
      if (d.signal >> i & 1) tokens[isa::kOutQueue[u][i]].push_back(finish);
    }
    end = std::max(end, finish);
  }
  return end;
}

/// Random cases per configuration of the random tests.
constexpr int kRandomCases = 40;

/// Runs @p body(rng, hw, tag) for kRandomCases seeds (base + i, base from
/// testing::Seed()) on every configuration; @p tag ("[4x4] seed 12") names
/// the case, which the body prints with its layer.
void ForRandomCases(
    const std::function<void(std::mt19937_64&, const HwConfig&, const std::string&)>& body) {
  const uint64_t base = testing::Seed();
  for (const HwConfig& hw : kHwConfigs) {
    for (int i = 0; i < kRandomCases; ++i) {
      const uint64_t seed = base + i;
      std::mt19937_64 rng(seed);
      const std::string tag = "[" + std::string(hw.name) + "] seed " + std::to_string(seed);
      SCOPED_TRACE(tag);
      body(rng, hw, tag);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(WindowLoweringTest, RandomDepthwiseMatchesGolden) {
  ForRandomCases([&](std::mt19937_64& rng, const HwConfig& hw, const std::string& tag) {
    const testing::DepthwiseLimits limits{
        .max_hw = 40, .max_channels = 100, .max_k = static_cast<int>(hw.window_k)};
    DepthwiseLayer l = testing::RandomDepthwise(rng, limits);
    if (std::uniform_int_distribution<int>(0, 9)(rng) == 0) l.bias.clear();
    const std::vector<int8_t> x = testing::RandomInput(rng, l);
    std::cout << tag << ": " << testing::Describe(l) << "\n";
    CompiledLayer cl;
    const std::vector<int8_t> got = RunOnIss(l, hw, {x}, &cl);
    ASSERT_TRUE(SameBytes(got, testing::GoldenDepthwise(l, x))) << Describe(cl);
  });
}

TEST(WindowLoweringTest, RandomPoolsMatchGolden) {
  ForRandomCases([&](std::mt19937_64& rng, const HwConfig& hw, const std::string& tag) {
    const testing::PoolLimits limits{
        .max_hw = 40, .max_channels = 100, .max_k = static_cast<int>(hw.window_k)};
    const PoolLayer l = testing::RandomPool(rng, limits);
    const std::vector<int8_t> x = testing::RandomInput(rng, l);
    std::cout << tag << ": " << testing::Describe(l) << "\n";
    CompiledLayer cl;
    const std::vector<int8_t> got = RunOnIss(l, hw, {x}, &cl);
    ASSERT_TRUE(SameBytes(got, testing::GoldenPool(l, x))) << Describe(cl);
  });
}

TEST(WindowLoweringTest, RandomMeansMatchGolden) {
  const testing::MeanLimits limits{.max_hw = 48, .max_channels = 100};
  ForRandomCases([&](std::mt19937_64& rng, const HwConfig& hw, const std::string& tag) {
    const MeanLayer l = testing::RandomMean(rng, limits);
    const std::vector<int8_t> x = testing::RandomInput(rng, l);
    std::cout << tag << ": " << testing::Describe(l) << "\n";
    CompiledLayer cl;
    const std::vector<int8_t> got = RunOnIss(l, hw, {x}, &cl);
    ASSERT_TRUE(SameBytes(got, testing::GoldenMean(l, x))) << Describe(cl);
  });
}

TEST(WindowLoweringTest, RandomAddsMatchGolden) {
  const testing::AddLimits limits{.max_hw = 48, .max_channels = 100};
  ForRandomCases([&](std::mt19937_64& rng, const HwConfig& hw, const std::string& tag) {
    const AddLayer l = testing::RandomAdd(rng, limits);
    const std::vector<std::vector<int8_t>> x = testing::RandomInputs(rng, l);
    std::cout << tag << ": " << testing::Describe(l) << "\n";
    CompiledLayer cl;
    const std::vector<int8_t> got = RunOnIss(l, hw, x, &cl);
    ASSERT_EQ(cl.inputs.size(), 2u);
    ASSERT_TRUE(SameBytes(got, testing::GoldenAdd(l, x[0], x[1]))) << Describe(cl);
  });
}

TEST(WindowLoweringTest, RandomResidualConvsMatchGolden) {
  const testing::ConvLimits limits{.max_hw = 24, .max_channels = 48, .max_macs = 1 << 20};
  ForRandomCases([&](std::mt19937_64& rng, const HwConfig& hw, const std::string& tag) {
    const ConvLayer l = testing::RandomResidualConv(rng, limits);
    const std::vector<int8_t> x = testing::RandomInput(rng, l);
    const std::vector<int8_t> res = testing::RandomResidual(rng, l);
    std::cout << tag << ": " << testing::Describe(l) << "\n";
    CompiledLayer cl;
    const std::vector<int8_t> got = RunOnIss(l, hw, {x, res}, &cl);
    ASSERT_TRUE(SameBytes(got, testing::GoldenConv(l, x, res))) << Describe(cl);
    // The residual costs no extra pass: every output byte is read once more,
    // by the stores, and nothing else changes.
    ConvLayer plain = l;
    plain.residual.reset();
    const CompiledLayer pl = Compile(plain, hw, kBase);
    EXPECT_EQ(cl.residual_bytes, cl.store_bytes);
    EXPECT_EQ(cl.load_bytes, pl.load_bytes + isa::param::kAddRows * hw.dim);
    EXPECT_EQ(cl.program.size(), pl.program.size());
  });
}

TEST(WindowLoweringTest, ResidualGemmMatchesGolden) {
  const uint64_t seed = testing::Seed();
  for (const HwConfig& hw : kHwConfigs) {
    std::mt19937_64 rng(seed);
    GemmLayer g = testing::RandomGemmShape(rng, 37, 3 * static_cast<int>(hw.dim) + 5, 70);
    g.residual = testing::RandomAddParams(rng);
    const ConvLayer c = g.ToConv();
    ASSERT_TRUE(c.residual.has_value());
    const std::vector<int8_t> a = testing::RandomInput(rng, c);
    const std::vector<int8_t> res = testing::RandomResidual(rng, c);
    CompiledLayer cl;
    const std::vector<int8_t> got = RunOnIss(g, hw, {a, res}, &cl);
    ConvLayer plain = c;
    plain.residual.reset();
    golden::Tensor4 y(1, 1, g.m, g.n), r(1, 1, g.m, g.n);
    y.data = testing::GoldenConv(plain, a);
    r.data = res;
    ASSERT_TRUE(SameBytes(got, golden::Add(y, r, *g.residual).data)) << hw.name << "\n"
                                                                     << Describe(cl);
  }
}

/// A depthwise layer of the given geometry with random contents.
DepthwiseLayer Dw(std::mt19937_64& rng, int h, int w, int c, int kh, int kw, int sy, int sx, int pt,
                  int pl, int pb, int pr) {
  DepthwiseLayer d;
  d.h = h;
  d.w = w;
  d.c = c;
  d.kh = kh;
  d.kw = kw;
  d.stride_h = sy;
  d.stride_w = sx;
  d.pad_top = pt;
  d.pad_left = pl;
  d.pad_bottom = pb;
  d.pad_right = pr;
  return testing::RandomDepthwiseShape(rng, d);
}

/// A pooling of the given geometry with random quantization.
PoolLayer Pool(std::mt19937_64& rng, PoolKind kind, int h, int w, int c, int kh, int kw, int sy,
               int sx, int pt, int pl, int pb, int pr) {
  PoolLayer p;
  p.kind = kind;
  p.h = h;
  p.w = w;
  p.c = c;
  p.kh = kh;
  p.kw = kw;
  p.stride_h = sy;
  p.stride_w = sx;
  p.pad_top = pt;
  p.pad_left = pl;
  p.pad_bottom = pb;
  p.pad_right = pr;
  return testing::RandomPoolShape(rng, p);
}

/// Whether the window unit of @p hw takes @p l's kernel and strides (at most
/// its window_k).
template <typename Layer>
bool WindowUnitTakes(const Layer& l, const HwConfig& hw) {
  return std::max({l.kh, l.kw, l.stride_h, l.stride_w}) <= static_cast<int>(hw.window_k);
}

/// Expects Compile to reject @p l on @p hw with an error naming the limit.
template <typename Layer>
void ExpectWindowRejected(const Layer& l, const HwConfig& hw) {
  const std::string needle = "the window unit of " + std::string(hw.name) +
                             " takes kernels and strides up to " + std::to_string(hw.window_k);
  try {
    Compile(l, hw, kBase);
    ADD_FAILURE() << "compiled " << testing::Describe(l) << " for " << hw.name;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

/// Input data of a corner case: random, all zero, all -128, all 127 or
/// alternating extremes.
std::vector<int8_t> CornerData(std::mt19937_64& rng, size_t n, int kind) {
  std::vector<int8_t> v(n);
  std::uniform_int_distribution<int> d(-128, 127);
  for (size_t i = 0; i < n; ++i) {
    switch (kind) {
      case 0:
        v[i] = static_cast<int8_t>(d(rng));
        break;
      case 1:
        v[i] = 0;
        break;
      case 2:
        v[i] = -128;
        break;
      case 3:
        v[i] = 127;
        break;
      default:
        v[i] = (i * 7 + i / 3) % 2 ? 127 : -128;
    }
  }
  return v;
}

TEST(WindowLoweringTest, DepthwiseCornersMatchGolden) {
  const uint64_t seed = testing::Seed();
  for (const HwConfig& hw : kHwConfigs) {
    std::mt19937_64 rng(seed);
    const int d = static_cast<int>(hw.dim);
    std::vector<DepthwiseLayer> layers = {
        Dw(rng, 1, 1, 3, 1, 1, 1, 1, 0, 0, 0, 0),            // 1x1 input and kernel
        Dw(rng, 1, 1, d + 1, 3, 3, 1, 1, 2, 2, 2, 2),        // padding >= kernel
        Dw(rng, 9, 8, 3 * d + 1, 2, 2, 1, 1, 0, 1, 1, 0),    // even kernel
        Dw(rng, 13, 11, 5, 4, 6, 2, 3, 1, 2, 3, 5),          // even, asymmetric
        Dw(rng, 20, 23, 7, 3, 3, 3, 3, 1, 1, 1, 1),          // stride 3
        Dw(rng, 30, 17, 9, 2, 5, 7, 5, 0, 4, 1, 0),          // strides 7, 5
        Dw(rng, 64, 64, 2 * d - 1, 3, 3, 1, 1, 1, 1, 1, 1),  // 64 x 64
        Dw(rng, 10, 64, 5, 7, 7, 1, 1, 3, 3, 3, 3),          // 70 tile columns: split on 4x4
        Dw(rng, 6, 200, 3, 5, 5, 2, 1, 2, 2, 2, 2),          // columns split everywhere
        Dw(rng, 3, 3, 5, 7, 7, 1, 1, 6, 6, 6, 6),            // all taps mostly padding
    };
    layers[2].bias.clear();          // bias-less
    layers[3].multiplier.resize(1);  // per tensor
    layers[3].shift.resize(1);
    for (size_t i = 0; i < layers.size(); ++i) {
      if (!WindowUnitTakes(layers[i], hw)) {
        ExpectWindowRejected(layers[i], hw);
        continue;
      }
      for (int kind = 0; kind < 5; ++kind) {
        DepthwiseLayer l = layers[i];
        if (kind >= 2) {
          // Extreme weights and zero points with extreme data.
          for (auto& v : l.weights) v = kind == 4 ? -128 : 127;
          l.in_zp = kind == 2 ? 127 : -128;
        }
        const std::vector<int8_t> x = CornerData(rng, static_cast<size_t>(l.h) * l.w * l.c, kind);
        SCOPED_TRACE(std::string(hw.name) + " case " + std::to_string(i) + " data " +
                     std::to_string(kind) + ": " + testing::Describe(l));
        CompiledLayer cl;
        const std::vector<int8_t> got = RunOnIss(l, hw, {x}, &cl);
        ASSERT_TRUE(SameBytes(got, testing::GoldenDepthwise(l, x))) << Describe(cl);
      }
    }
  }
}

TEST(WindowLoweringTest, PoolCornersMatchGolden) {
  const uint64_t seed = testing::Seed();
  for (const HwConfig& hw : kHwConfigs) {
    std::mt19937_64 rng(seed);
    const int d = static_cast<int>(hw.dim);
    for (PoolKind kind : {PoolKind::kMax, PoolKind::kAvg}) {
      std::vector<PoolLayer> layers = {
          Pool(rng, kind, 1, 1, 3, 1, 1, 1, 1, 0, 0, 0, 0),
          Pool(rng, kind, 1, 1, d + 2, 3, 3, 2, 2, 1, 1, 1, 1),        // one element per window
          Pool(rng, kind, 2, 2, 5, 7, 7, 1, 1, 6, 6, 6, 6),            // windows mostly padding
          Pool(rng, kind, 16, 15, 3 * d + 1, 2, 2, 2, 2, 0, 0, 1, 1),  // even window
          Pool(rng, kind, 33, 31, 4, 3, 3, 3, 3, 2, 2, 2, 2),          // stride 3
          Pool(rng, kind, 25, 26, 5, 4, 6, 5, 7, 3, 5, 2, 4),          // strides 5, 7
          Pool(rng, kind, 64, 64, d + 3, 3, 3, 2, 2, 1, 1, 1, 1),      // 64 x 64
          Pool(rng, kind, 12, 150, 2, 7, 5, 1, 1, 3, 2, 3, 2),         // columns split
          Pool(rng, kind, 7, 7, 9, 7, 7, 1, 1, 0, 0, 0, 0),            // one global window
      };
      for (size_t i = 0; i < layers.size(); ++i) {
        if (!WindowUnitTakes(layers[i], hw)) {
          ExpectWindowRejected(layers[i], hw);
          continue;
        }
        for (bool include_pad : {false, true}) {
          if (include_pad && kind == PoolKind::kMax) continue;
          for (int data = 0; data < 5; ++data) {
            PoolLayer l = layers[i];
            l.count_include_pad = include_pad;
            const std::vector<int8_t> x =
                CornerData(rng, static_cast<size_t>(l.h) * l.w * l.c, data);
            SCOPED_TRACE(std::string(hw.name) + " case " + std::to_string(i) + " data " +
                         std::to_string(data) + ": " + testing::Describe(l));
            CompiledLayer cl;
            const std::vector<int8_t> got = RunOnIss(l, hw, {x}, &cl);
            ASSERT_TRUE(SameBytes(got, testing::GoldenPool(l, x))) << Describe(cl);
          }
        }
      }
    }
  }
}

TEST(WindowLoweringTest, MeanCornersMatchGolden) {
  const uint64_t seed = testing::Seed();
  for (const HwConfig& hw : kHwConfigs) {
    std::mt19937_64 rng(seed);
    const int d = static_cast<int>(hw.dim);
    std::vector<MeanLayer> shapes(5);
    const int sizes[][3] = {{1, 1, 3},
                            {7, 7, 3 * d + 1},
                            {72, 72, d + 1},  // planes larger than half of A: carry
                            {1, 9000, 2},     // one long row, many pieces
                            {3, 67, 2 * d}};
    for (size_t i = 0; i < shapes.size(); ++i) {
      shapes[i].h = sizes[i][0];
      shapes[i].w = sizes[i][1];
      shapes[i].c = sizes[i][2];
      shapes[i] = testing::RandomMeanShape(rng, shapes[i]);
    }
    for (size_t i = 0; i < shapes.size(); ++i) {
      for (int data = 0; data < 5; ++data) {
        MeanLayer l = shapes[i];
        if (data >= 2) l.in_zp = data == 2 ? 127 : -128;
        const std::vector<int8_t> x = CornerData(rng, static_cast<size_t>(l.h) * l.w * l.c, data);
        SCOPED_TRACE(std::string(hw.name) + " case " + std::to_string(i) + " data " +
                     std::to_string(data) + ": " + testing::Describe(l));
        CompiledLayer cl;
        const std::vector<int8_t> got = RunOnIss(l, hw, {x}, &cl);
        ASSERT_TRUE(SameBytes(got, testing::GoldenMean(l, x))) << Describe(cl);
        if (static_cast<uint64_t>(l.h) * l.w > hw.spad_a / 2) {
          EXPECT_GT(cl.flat_tiles.pieces, 1) << Describe(cl);
        }
      }
    }
  }
}

TEST(WindowLoweringTest, AddCornersMatchGolden) {
  const uint64_t seed = testing::Seed();
  for (const HwConfig& hw : kHwConfigs) {
    std::mt19937_64 rng(seed);
    const int d = static_cast<int>(hw.dim);
    const int sizes[][3] = {{1, 1, 1}, {1, 1, 3 * d + 1}, {64, 64, d + 1}, {1, 3000, 2}, {5, 7, 9}};
    for (const auto& sz : sizes) {
      for (int data = 0; data < 5; ++data) {
        AddLayer l;
        l.h = sz[0];
        l.w = sz[1];
        l.c = sz[2];
        l.params = testing::RandomAddParams(rng);
        const size_t n = static_cast<size_t>(l.h) * l.w * l.c;
        const std::vector<std::vector<int8_t>> x = {CornerData(rng, n, data),
                                                    CornerData(rng, n, data == 4 ? 0 : data)};
        SCOPED_TRACE(std::string(hw.name) + " data " + std::to_string(data) + ": " +
                     testing::Describe(l));
        CompiledLayer cl;
        const std::vector<int8_t> got = RunOnIss(l, hw, x, &cl);
        ASSERT_TRUE(SameBytes(got, testing::GoldenAdd(l, x[0], x[1]))) << Describe(cl);
      }
    }
  }
}

TEST(WindowLoweringTest, MoreThan255ChannelBlocksSplitOn4x4) {
  const HwConfig& hw = *FindHwConfig("4x4");
  std::mt19937_64 rng(testing::Seed());
  const int c = 4 * 300 - 1;  // 300 channel blocks
  auto max_nc = [](const CompiledLayer& cl) {
    uint32_t m = 0;
    for (const isa::Word& w : cl.program) {
      if (isa::OpcodeOf(w) == static_cast<uint32_t>(isa::Opcode::kWindow)) {
        m = std::max(m, isa::WindowInstr::Decode(w).nc);
      }
    }
    return m;
  };
  {
    const DepthwiseLayer l = Dw(rng, 2, 2, c, 3, 3, 1, 1, 1, 1, 1, 1);
    const std::vector<int8_t> x = testing::RandomInput(rng, l);
    CompiledLayer cl;
    EXPECT_TRUE(SameBytes(RunOnIss(l, hw, {x}, &cl), testing::GoldenDepthwise(l, x)))
        << Describe(cl);
    EXPECT_FALSE(cl.window_tiles.b_resident) << Describe(cl);  // 2700 rows > 2048
    EXPECT_GE(cl.window_tiles.ct, 2);
  }
  for (PoolKind kind : {PoolKind::kMax, PoolKind::kAvg}) {
    const PoolLayer l = Pool(rng, kind, 1, 1, c, 1, 1, 1, 1, 0, 0, 0, 0);
    const std::vector<int8_t> x = testing::RandomInput(rng, l);
    CompiledLayer cl;
    EXPECT_TRUE(SameBytes(RunOnIss(l, hw, {x}, &cl), testing::GoldenPool(l, x))) << Describe(cl);
    EXPECT_LE(max_nc(cl), 255u) << Describe(cl);
    EXPECT_GE(cl.window_tiles.ct, 2) << Describe(cl);
  }
  {
    MeanLayer l;
    l.h = l.w = 1;
    l.c = c;
    l = testing::RandomMeanShape(rng, l);
    const std::vector<int8_t> x = testing::RandomInput(rng, l);
    CompiledLayer cl;
    EXPECT_TRUE(SameBytes(RunOnIss(l, hw, {x}, &cl), testing::GoldenMean(l, x))) << Describe(cl);
    EXPECT_LE(max_nc(cl), 255u);
    EXPECT_GE(cl.flat_tiles.ct, 2);
  }
  {
    AddLayer l;
    l.h = l.w = 1;
    l.c = c;
    l.params = testing::RandomAddParams(rng);
    const auto x = testing::RandomInputs(rng, l);
    CompiledLayer cl;
    EXPECT_TRUE(SameBytes(RunOnIss(l, hw, x, &cl), testing::GoldenAdd(l, x[0], x[1])))
        << Describe(cl);
  }
}

/// Every window, load and store of @p cl stays inside one half of its
/// buffer (except the constants loaded once), and the window tiles fit the
/// line buffers.
void ExpectHalves(const CompiledLayer& cl, const HwConfig& hw) {
  const auto same_half = [](uint64_t first, uint64_t end, uint64_t depth) {
    return first / (depth / 2) == (end - 1) / (depth / 2);
  };
  for (const isa::Word& w : cl.program) {
    switch (static_cast<isa::Opcode>(isa::OpcodeOf(w))) {
      case isa::Opcode::kLoad: {
        const auto li = isa::LoadInstr::Decode(w);
        if (li.spad == isa::Spad::kA) {
          const uint64_t end =
              li.dst_row + static_cast<uint64_t>(li.nc - 1) * li.dst_c_stride + li.ny * li.nx;
          EXPECT_TRUE(same_half(li.dst_row, end, hw.spad_a)) << isa::Disassemble(w);
        }
        break;
      }
      case isa::Opcode::kWindow: {
        const auto wi = isa::WindowInstr::Decode(w);
        EXPECT_LE(wi.iw, hw.window_cols);
        EXPECT_LE(wi.nc, 255u);
        const uint64_t a_end =
            wi.a_row + static_cast<uint64_t>(wi.nc - 1) * wi.a_c_stride + wi.ih * wi.iw;
        EXPECT_TRUE(same_half(wi.a_row, a_end, hw.spad_a)) << isa::Disassemble(w);
        const uint64_t outs = wi.mode == isa::WindowMode::kSum ? 1 : wi.oh * wi.ow;
        const uint64_t acc_end =
            wi.acc_row + static_cast<uint64_t>(wi.nc - 1) * wi.acc_c_stride + outs;
        EXPECT_TRUE(same_half(wi.acc_row, acc_end, hw.acc)) << isa::Disassemble(w);
        break;
      }
      case isa::Opcode::kStore: {
        const auto si = isa::StoreInstr::Decode(w);
        EXPECT_TRUE(same_half(si.acc_row, si.acc_row + si.ny * si.nx, hw.acc))
            << isa::Disassemble(w);
        break;
      }
      default:
        break;
    }
  }
}

TEST(WindowLoweringTest, DepthwiseThroughputOn16x16) {
  // Target: at least 48 MACs per cycle end to end for 3x3 stride 1. The
  // window unit does 16 lanes x 9 taps per output and about one output per
  // cycle (144 MACs/cycle); the tiles must keep it busy, with the loads of
  // the next tile and the stores of the previous one overlapping it.
  const HwConfig& hw = *FindHwConfig("16x16");
  std::mt19937_64 rng(1);
  for (const auto& [h, c] : {std::pair{56, 144}, std::pair{28, 192}, std::pair{112, 32},
                             std::pair{14, 576}, std::pair{7, 960}}) {
    const DepthwiseLayer l = Dw(rng, h, h, c, 3, 3, 1, 1, 1, 1, 1, 1);
    const CompiledLayer cl = Compile(l, hw, 0);
    const uint64_t cycles = ModelCycles(cl.program, hw);
    const double rate = static_cast<double>(cl.macs) / static_cast<double>(cycles);
    std::cout << Describe(cl) << "model: " << cycles << " cycles, " << rate << " MACs/cycle\n";
    if (h >= 28) {
      // A margin for what the model leaves out (memory latency, port
      // conflicts, the fetch of the stream).
      EXPECT_GE(rate, 1.5 * 48) << testing::Describe(l);
    }
    EXPECT_GE(static_cast<double>(cl.macs) / static_cast<double>(cl.est_cycles), 48.0);
  }
}

TEST(WindowLoweringTest, DescribeNamesKindTilesAndInputs) {
  const HwConfig& hw = *FindHwConfig("16x16");
  std::mt19937_64 rng(2);
  MeanLayer m;
  m.h = m.w = 7;
  m.c = 1280;
  AddLayer a;
  a.h = a.w = 28;
  a.c = 96;
  ConvLayer r = MakeConv(14, 14, 32, 48, 3, 1, 1);
  r.residual = AddParams{};
  const std::vector<std::pair<CompiledLayer, std::string>> cases = {
      {Compile(Dw(rng, 56, 56, 144, 3, 3, 2, 2, 0, 0, 1, 1), hw, 0),
       "depthwise 56x56x144 -> 28x28x144"},
      {Compile(Pool(rng, PoolKind::kMax, 112, 112, 64, 3, 3, 2, 2, 1, 1, 1, 1), hw, 0),
       "max pool 112x112x64 -> 56x56x64"},
      {Compile(Pool(rng, PoolKind::kAvg, 7, 7, 1024, 7, 7, 1, 1, 0, 0, 0, 0), hw, 0),
       "avg pool 7x7x1024 -> 1x1x1024"},
      {Compile(m, hw, 0), "mean 7x7x1280 -> 1x1x1280"},
      {Compile(a, hw, 0), "add 28x28x96 + 28x28x96 -> 28x28x96"},
      {Compile(r, hw, 0), "conv 14x14x32 + 14x14x48 -> 14x14x48"},
  };
  for (const auto& [cl, head] : cases) {
    const std::string d = Describe(cl);
    std::cout << d << "model: " << ModelCycles(cl.program, hw) << " cycles\n";
    EXPECT_EQ(d.rfind(head, 0), 0u) << d;
    EXPECT_NE(d.find("instructions: " + std::to_string(cl.program.size())), std::string::npos) << d;
    EXPECT_NE(d.find("estimate: "), std::string::npos) << d;
  }
  EXPECT_NE(Describe(cases.back().first).find("input2 0x"), std::string::npos);
  EXPECT_NE(Describe(cases.back().first).find("residual read"), std::string::npos);
}

TEST(WindowLoweringTest, TilesRespectCapacitiesOnEveryConfig) {
  std::mt19937_64 rng(7);
  for (const HwConfig& hw : kHwConfigs) {
    SCOPED_TRACE(hw.name);
    for (const DepthwiseLayer& l :
         {Dw(rng, 112, 112, 32, 3, 3, 1, 1, 1, 1, 1, 1),
          Dw(rng, 56, 56, 144, 3, 3, 1, 1, 1, 1, 1, 1), Dw(rng, 7, 7, 960, 5, 5, 1, 1, 2, 2, 2, 2),
          Dw(rng, 300, 300, 3, 7, 7, 2, 2, 3, 3, 3, 3)}) {
      if (!WindowUnitTakes(l, hw)) {
        ExpectWindowRejected(l, hw);
        continue;
      }
      const CompiledLayer cl = Compile(l, hw, 0x1000);
      ExpectHalves(cl, hw);
      const WindowTiling& t = cl.window_tiles;
      EXPECT_LE(static_cast<uint64_t>(t.toh) * t.tow * t.nct, hw.acc / 2) << cl.tiling;
    }
    for (const PoolLayer& l : {Pool(rng, PoolKind::kMax, 112, 112, 64, 3, 3, 2, 2, 1, 1, 1, 1),
                               Pool(rng, PoolKind::kAvg, 300, 250, 5, 7, 7, 1, 1, 3, 3, 3, 3)}) {
      if (!WindowUnitTakes(l, hw)) {
        ExpectWindowRejected(l, hw);
        continue;
      }
      ExpectHalves(Compile(l, hw, 0x1000), hw);
    }
    MeanLayer m;
    m.h = m.w = 100;
    m.c = 70;
    ExpectHalves(Compile(m, hw, 0x1000), hw);
    AddLayer a;
    a.h = a.w = 100;
    a.c = 70;
    ExpectHalves(Compile(a, hw, 0x1000), hw);
  }
}

TEST(WindowLoweringTest, CompilesExtremeShapesOnEveryConfig) {
  // Compile only (Compile checks every program's tokens and hazards).
  std::mt19937_64 rng(9);
  for (const HwConfig& hw : kHwConfigs) {
    SCOPED_TRACE(hw.name);
    const int max_c = static_cast<int>(hw.spad_p / 9 * hw.dim);  // P holds every block
    for (const DepthwiseLayer& l :
         {Dw(rng, 3, 3000, 5, 7, 7, 1, 1, 3, 3, 3, 3), Dw(rng, 3000, 3, 5, 7, 7, 7, 7, 0, 0, 6, 6),
          Dw(rng, 2, 2, max_c, 7, 7, 1, 1, 9, 9, 9, 9), Dw(rng, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0),
          Dw(rng, 1, 200, 3, 1, 7, 1, 7, 0, 100, 0, 100)}) {
      if (!WindowUnitTakes(l, hw)) {
        ExpectWindowRejected(l, hw);
        continue;
      }
      EXPECT_NO_THROW(Compile(l, hw, 0)) << testing::Describe(l);
    }
    for (const PoolLayer& l : {Pool(rng, PoolKind::kMax, 2, 4000, 3, 2, 7, 1, 1, 1, 6, 1, 6),
                               Pool(rng, PoolKind::kAvg, 1, 1, 5000, 7, 7, 1, 1, 6, 6, 0, 0)}) {
      if (!WindowUnitTakes(l, hw)) {
        ExpectWindowRejected(l, hw);
        continue;
      }
      EXPECT_NO_THROW(Compile(l, hw, 0)) << testing::Describe(l);
    }
    MeanLayer m;
    m.h = 1000;
    m.w = 1000;
    m.c = 1;
    EXPECT_NO_THROW(Compile(m, hw, 0));
    m.h = m.w = 1;
    m.c = 20000;
    EXPECT_NO_THROW(Compile(m, hw, 0));
    AddLayer a;
    a.h = 1;
    a.w = 200000;
    a.c = 3;
    EXPECT_NO_THROW(Compile(a, hw, 0));
    a.h = a.w = 1;
    a.c = 20000;
    EXPECT_NO_THROW(Compile(a, hw, 0));
  }
}

TEST(WindowLoweringTest, ValidationNamesWhatIsWrong) {
  const HwConfig& hw = *FindHwConfig("16x16");
  std::mt19937_64 rng(3);
  const auto expect_invalid = [&](const auto& layer, const std::string& needle) {
    try {
      Compile(layer, hw, 0);
      ADD_FAILURE() << "no exception, expected one mentioning '" << needle << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  const DepthwiseLayer dw = Dw(rng, 8, 8, 5, 3, 3, 1, 1, 1, 1, 1, 1);
  DepthwiseLayer d = dw;
  d.kh = 8;
  d.weights.resize(8 * 3 * 5);
  expect_invalid(d, "kernel 8x3 outside [1, 7]");
  d = dw;
  d.stride_w = 8;
  expect_invalid(d, "stride_w");
  d = dw;
  d.weights.pop_back();
  expect_invalid(d, "weights");
  d = dw;
  d.bias.resize(2);
  expect_invalid(d, "bias");
  d = dw;
  d.shift[1] = 31;
  expect_invalid(d, "shift[1]");
  d = dw;
  d.in_zp = 200;
  expect_invalid(d, "in_zp");
  d = dw;
  d.h = 0;
  expect_invalid(d, "input size");
  d = dw;
  d.pad_top = 40;  // any padding is fine for depthwise
  EXPECT_NO_THROW(Compile(d, hw, 0));
  // Too many parameter blocks for P: 64 blocks of 32 fit 32x32, 65 do not.
  d = Dw(rng, 2, 2, 64 * 32 + 1, 3, 3, 1, 1, 1, 1, 1, 1);
  try {
    Compile(d, *FindHwConfig("32x32"), 0);
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("too many channels"), std::string::npos) << e.what();
  }
  d.c = 64 * 32;
  d = testing::RandomDepthwiseShape(rng, d);
  EXPECT_NO_THROW(Compile(d, *FindHwConfig("32x32"), 0));

  const PoolLayer pool = Pool(rng, PoolKind::kAvg, 8, 8, 5, 3, 3, 1, 1, 1, 1, 1, 1);
  PoolLayer p = pool;
  p.kw = 9;
  expect_invalid(p, "kernel");
  p = pool;
  p.pad_right = 3;
  expect_invalid(p, "smaller than the window");
  p = pool;
  p.stride_h = 0;
  expect_invalid(p, "stride_h");
  p = pool;
  p.rescale.shift = 31;
  expect_invalid(p, "rescale shift");
  p = pool;
  p.out_zp = -129;
  expect_invalid(p, "out_zp");
  p.kind = PoolKind::kMax;  // the average's fields do not matter for max
  EXPECT_NO_THROW(Compile(p, hw, 0));
  p = pool;
  p.act_min = 5;
  p.act_max = 4;
  expect_invalid(p, "activation range");

  MeanLayer m;
  m.h = m.w = 3;
  m.c = 4;
  EXPECT_NO_THROW(Compile(m, hw, 0));
  m.multiplier.shift = -32;
  expect_invalid(m, "multiplier shift");
  m.multiplier.shift = 0;
  m.in_zp = 128;
  expect_invalid(m, "in_zp");
  m.in_zp = 0;
  m.c = 0;
  expect_invalid(m, "c = 0");

  AddLayer a;
  a.h = a.w = 3;
  a.c = 4;
  EXPECT_NO_THROW(Compile(a, hw, 0));
  a.params.input2.shift = 1;
  expect_invalid(a, "input2 shift");
  a.params.input2.shift = 0;
  a.params.input1_offset = -128;
  expect_invalid(a, "input1_offset");
  a.params.input1_offset = 0;
  a.params.act_min = 100;
  a.params.act_max = 99;
  expect_invalid(a, "activation range");

  ConvLayer c = MakeConv(4, 4, 3, 5, 3, 1, 1);
  c.residual = AddParams{};
  EXPECT_NO_THROW(Compile(c, hw, 0));
  c.residual->output.shift = 2;
  expect_invalid(c, "residual");
  // The residual's add block takes P rows too.
  ConvLayer full = MakeConv(1, 2, 4, 64 * 32, 1, 1, 0);
  EXPECT_NO_THROW(Compile(full, *FindHwConfig("32x32"), 0));
  full.residual = AddParams{};
  EXPECT_THROW(Compile(full, *FindHwConfig("32x32"), 0), std::invalid_argument);
  // Misaligned base and images beyond 32-bit addresses.
  EXPECT_THROW(Compile(m, hw, 0x80), std::invalid_argument);
  a = AddLayer{};
  a.h = a.w = 512;
  a.c = 64;
  EXPECT_THROW(Compile(a, hw, 0xFFFF'0000u), std::invalid_argument);
}

TEST(WindowPackingTest, DepthwiseConstantsMatchDirectLoops) {
  std::mt19937_64 rng(11);
  for (int dim : {4, 16}) {
    for (bool per_tensor : {false, true}) {
      DepthwiseLayer l = Dw(rng, 5, 5, 2 * dim + 3, 3, 2, 1, 1, 1, 1, 1, 1);
      l.in_zp = -77;
      if (per_tensor) {
        l.multiplier.resize(1);
        l.shift.resize(1);
      }
      const int ncb = (l.c + dim - 1) / dim, taps = 6;
      const std::vector<uint8_t> w = PackDepthwiseWeights(l, dim);
      ASSERT_EQ(w.size(), static_cast<size_t>(ncb) * taps * dim);
      const std::vector<uint8_t> p = PackParams(l, dim);
      ASSERT_EQ(p.size(), static_cast<size_t>(ncb) * isa::param::kRequantRows * dim);
      for (int ch = 0; ch < ncb * dim; ++ch) {
        const int cb = ch / dim, lane = ch % dim;
        int64_t wsum = 0;
        for (int t = 0; t < taps; ++t) {
          const int8_t want = ch < l.c ? l.weights[t * l.c + ch] : 0;
          EXPECT_EQ(static_cast<int8_t>(w[(cb * taps + t) * dim + lane]), want);
          wsum += want;
        }
        const std::span<const uint8_t> block(p.data() + cb * isa::param::kRequantRows * dim,
                                             isa::param::kRequantRows * dim);
        // The accumulators are int32: the folded bias wraps like them.
        const int64_t bias = ch < l.c ? l.bias[ch] + 77 * wsum : 0;
        EXPECT_EQ(isa::param::Get(block, dim, isa::param::kRequantBias, lane),
                  static_cast<int32_t>(static_cast<uint32_t>(bias)))
            << ch;
        EXPECT_EQ(isa::param::Get(block, dim, isa::param::kRequantMult, lane),
                  ch < l.c ? l.multiplier[l.multiplier.size() == 1 ? 0 : ch] : 0);
        EXPECT_EQ(isa::param::Get(block, dim, isa::param::kRequantShift, lane),
                  ch < l.c ? l.shift[l.shift.size() == 1 ? 0 : ch] : 0);
      }
    }
  }
}

TEST(WindowPackingTest, AddBlockAndMeanBias) {
  const AddParams p = QuantizeAddParams(0.02f, -5, 0.03f, 7, 0.05f, -128, {-100, 90});
  const std::vector<uint8_t> b = PackAddBlock(p, 8);
  ASSERT_EQ(b.size(), static_cast<size_t>(isa::param::kAddRows) * 8);
  const std::span<const uint8_t> s(b);
  for (int lane = 0; lane < 8; ++lane) {
    namespace param = isa::param;
    EXPECT_EQ(param::Get(s, 8, param::kAddIn1Mult, lane), p.input1.multiplier);
    EXPECT_EQ(param::Get(s, 8, param::kAddIn2Mult, lane), p.input2.multiplier);
    EXPECT_EQ(param::Get(s, 8, param::kAddOutMult, lane), p.output.multiplier);
    EXPECT_EQ(param::Get(s, 8, param::kAddIn1Shift, lane), p.input1.shift);
    EXPECT_EQ(param::Get(s, 8, param::kAddIn2Shift, lane), p.input2.shift);
    EXPECT_EQ(param::Get(s, 8, param::kAddOutShift, lane), p.output.shift);
    EXPECT_EQ(param::Get(s, 8, param::kAddIn1Zp, lane), -5);
    EXPECT_EQ(param::Get(s, 8, param::kAddIn2Zp, lane), 7);
    EXPECT_EQ(param::Get(s, 8, param::kAddOutZp, lane), -128);
    EXPECT_EQ(param::Get(s, 8, param::kAddActMin, lane), -100);
    EXPECT_EQ(param::Get(s, 8, param::kAddActMax, lane), 90);
  }
  MeanLayer m;
  m.h = 7;
  m.w = 7;
  m.in_zp = -3;
  EXPECT_EQ(MeanBias(m), 147);
  m.h = 65536;
  m.w = 32768;  // 2^31 elements: -(2^31 * 127) wraps to 2^31
  m.in_zp = 127;
  EXPECT_EQ(MeanBias(m), INT32_MIN);
}

TEST(WindowProgramCheckTest, DetectsRaceWhenAWindowTokenPairIsDropped) {
  const HwConfig& hw = *FindHwConfig("4x4");
  std::mt19937_64 rng(5);
  const CompiledLayer cl = Compile(Dw(rng, 40, 40, 20, 3, 3, 1, 1, 1, 1, 1, 1), hw, 0);
  ASSERT_GT(cl.window_tiles.Tiles(), 4u);
  EXPECT_NO_THROW(CheckHazards(cl.program, hw));
  // Drop the first token pair of a queue: still balanced, but a racing pair
  // of accesses appears.
  const auto drop = [&](isa::Opcode giver_op, uint32_t signal, isa::Opcode taker_op,
                        uint32_t wait) {
    std::vector<isa::Word> prog = cl.program;
    size_t giver = prog.size(), taker = prog.size();
    for (size_t i = 0; i < prog.size(); ++i) {
      const isa::Deps d = isa::DepsOf(prog[i]);
      const auto op = static_cast<isa::Opcode>(isa::OpcodeOf(prog[i]));
      if (giver == prog.size() && op == giver_op && (d.signal & signal)) giver = i;
      if (taker == prog.size() && op == taker_op && (d.wait & wait)) taker = i;
    }
    EXPECT_LT(giver, prog.size());
    EXPECT_LT(taker, prog.size());
    if (giver == prog.size() || taker == prog.size()) return prog;
    isa::Word& g = prog[giver];
    isa::SetField(g, isa::field::kSignalMaskLsb, isa::kDepBits, isa::DepsOf(g).signal & ~signal,
                  "signal");
    isa::Word& t = prog[taker];
    isa::SetField(t, isa::field::kWaitMaskLsb, isa::kDepBits, isa::DepsOf(t).wait & ~wait, "wait");
    return prog;
  };
  using isa::Opcode;
  for (const auto& prog : {drop(Opcode::kWindow, isa::WindowInstr::kSignalLoad, Opcode::kLoad,
                                isa::LoadInstr::kWaitWindow),
                           drop(Opcode::kLoad, isa::LoadInstr::kSignalWindow, Opcode::kWindow,
                                isa::WindowInstr::kWaitLoad),
                           drop(Opcode::kStore, isa::StoreInstr::kSignalWindow, Opcode::kWindow,
                                isa::WindowInstr::kWaitStore),
                           drop(Opcode::kWindow, isa::WindowInstr::kSignalStore, Opcode::kStore,
                                isa::StoreInstr::kWaitWindow)}) {
    EXPECT_NO_THROW(CheckTokens(prog));
    EXPECT_THROW(CheckHazards(prog, hw), std::logic_error);
  }
}

TEST(WindowProgramCheckTest, ModelsWindowAccesses) {
  const HwConfig& hw = *FindHwConfig("4x4");
  // A sum with carry_out on its last plane writes no accumulator row, so a
  // store may read that row without waiting for the window.
  isa::LoadInstr load = RowCopyForTest(isa::Spad::kA, 4, 0);
  load.deps.signal = isa::LoadInstr::kSignalWindow;
  isa::WindowInstr win;
  win.mode = isa::WindowMode::kSum;
  win.nc = 2;
  win.a_c_stride = 2;
  win.ih = 2;
  win.iw = 1;
  win.acc_row = 10;
  win.acc_c_stride = 1;
  win.carry_out = 1;
  win.deps.wait = isa::WindowInstr::kWaitLoad;
  isa::StoreInstr store;
  store.acc_row = 11;  // the carried plane's row: not written
  store.ny = store.nx = 1;
  store.act_min = -128;
  store.act_max = 127;
  EXPECT_NO_THROW(
      CheckHazards(std::vector<isa::Word>{load.Encode(), win.Encode(), store.Encode()}, hw));
  store.acc_row = 10;  // written by the window, not ordered
  EXPECT_THROW(
      CheckHazards(std::vector<isa::Word>{load.Encode(), win.Encode(), store.Encode()}, hw),
      std::logic_error);
  // A window reading rows no load has ordered before it.
  win.deps.wait = 0;
  load.deps.signal = 0;
  store.acc_row = 11;
  EXPECT_THROW(
      CheckHazards(std::vector<isa::Word>{load.Encode(), win.Encode(), store.Encode()}, hw),
      std::logic_error);
  // A tile wider than the line buffers.
  isa::WindowInstr wide;
  wide.mode = isa::WindowMode::kMax;
  wide.kh = wide.kw = wide.sy = wide.sx = 1;
  wide.nc = 1;
  wide.ih = 1;
  wide.iw = hw.window_cols + 1;
  wide.oh = 1;
  wide.ow = 1;
  EXPECT_THROW(CheckHazards(std::vector<isa::Word>{wide.Encode()}, hw), std::logic_error);
  // The add block of a store is a P read: a P load must be ordered before it.
  isa::LoadInstr p = RowCopyForTest(isa::Spad::kP, 40, 0);
  isa::StoreInstr add;
  add.ny = add.nx = 1;
  add.act_min = -128;
  add.act_max = 127;
  add.p_row = 100;  // not loaded
  add.add = 1;
  add.add_p_row = 20;  // loaded, unordered
  EXPECT_THROW(CheckHazards(std::vector<isa::Word>{p.Encode(), add.Encode()}, hw),
               std::logic_error);
  add.add = 0;
  EXPECT_NO_THROW(CheckHazards(std::vector<isa::Word>{p.Encode(), add.Encode()}, hw));
}

}  // namespace
}  // namespace npu::compiler
