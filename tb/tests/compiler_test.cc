// Unit tests of the layer compiler: validation, constant packing against
// direct loops, token balance and hazards, and tile capacities on every
// named configuration.
#include "sw/compiler/compiler.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "sw/compiler/packing.h"
#include "sw/compiler/program_check.h"
#include "sw/compiler/tiling.h"
#include "sw/gen/npu_configs.h"
#include "sw/gen/npu_isa.h"

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
      EXPECT_LE(cl.outputs[0].addr + static_cast<uint64_t>((l.cout + hw.dim - 1) / hw.dim) * cl.outputs[0].h *
                                     cl.outputs[0].w * hw.dim,
                cl.base + static_cast<uint64_t>(cl.size));
      EXPECT_EQ(cl.macs, static_cast<uint64_t>(cl.outputs[0].h) * cl.outputs[0].w * l.cout * l.kh * l.kw * l.cin);
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

}  // namespace
}  // namespace npu::compiler
