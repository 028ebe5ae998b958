// Unit tests of the instruction-level simulator: the window unit and the
// store's elementwise add (checks, no-ops, the kept sum, statistics). Their
// arithmetic is checked against the golden model through the compiler's
// lowerings (tb/tests/compiler_test.cc).

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "sw/gen/npu_regs.h"
#include "sw/isa/params.h"
#include "sw/iss/iss_test_util.h"
#include "sw/numerics/numerics.h"

namespace npu::iss::testing {
namespace {

using isa::WindowInstr;
using isa::WindowMode;
using runtime::DeviceMemory;

constexpr uint32_t kIllegal = regs::kErrCauseIllegalInstrMask;
constexpr uint32_t kAddr = regs::kErrCauseAddrRangeMask;
constexpr uint32_t kResp = regs::kErrCauseAxiRespMask;

// A window over one 4x4-config plane: tile ih x iw at A row 0, outputs at
// accumulator row 0.
WindowInstr Window(WindowMode mode, uint32_t k, uint32_t s, uint32_t ih, uint32_t iw) {
  WindowInstr w;
  w.mode = mode;
  w.kh = w.kw = k;
  w.sy = w.sx = s;
  w.nc = 1;
  w.ih = ih;
  w.iw = iw;
  w.oh = (ih - k) / s + 1;
  w.ow = (iw - k) / s + 1;
  w.a_c_stride = ih * iw;
  w.acc_c_stride = w.oh * w.ow;
  w.b_c_stride = k * k;
  w.y_hi = ih;
  w.x_hi = iw;
  return w;
}

TEST(IssWindow, ModesComputeTheirWindowsLaneByLane) {
  Iss iss(Cfg4());
  std::mt19937 rng(7);
  RandomSpad(iss, Spad::kA, 64, rng);
  RandomSpad(iss, Spad::kB, 64, rng);
  DeviceMemory mem(kBase, kMemSize);
  const uint32_t ih = 6, iw = 5, k = 3, s = 2;
  for (WindowMode mode : {WindowMode::kDw, WindowMode::kMax, WindowMode::kAvg}) {
    WindowInstr w = Window(mode, k, s, ih, iw);
    w.y_lo = 1;  // avg: row 0 and column 4 are padding
    w.x_hi = 4;
    ASSERT_TRUE(RunProgram(iss, mem, {w.Encode()}).status.ok);
    for (uint32_t oy = 0; oy < w.oh; ++oy) {
      for (uint32_t ox = 0; ox < w.ow; ++ox) {
        for (int l = 0; l < 4; ++l) {
          int32_t v = mode == WindowMode::kMax ? -128 : 0;
          int count = 0;
          for (uint32_t ky = 0; ky < k; ++ky) {
            for (uint32_t kx = 0; kx < k; ++kx) {
              const uint32_t y = oy * s + ky, x = ox * s + kx;
              const int a = iss.SpadRow(Spad::kA, y * iw + x)[l];
              const int b = iss.SpadRow(Spad::kB, ky * k + kx)[l];
              if (mode == WindowMode::kDw) v += a * b;
              if (mode == WindowMode::kMax) v = std::max(v, a);
              if (mode == WindowMode::kAvg) v += a;
              count += (y >= 1 && x < 4) ? 1 : 0;
            }
          }
          if (mode == WindowMode::kAvg) v = RoundedAverage(v, count);
          EXPECT_EQ(iss.AccRow(oy * w.ow + ox)[l], v) << int(mode) << " " << oy << "," << ox;
        }
      }
    }
  }
}

TEST(IssWindow, AverageOfAWindowWithNothingInBoundsIsZero) {
  Iss iss(Cfg4());
  std::mt19937 rng(1);
  RandomSpad(iss, Spad::kA, 16, rng);
  DeviceMemory mem(kBase, kMemSize);
  WindowInstr w = Window(WindowMode::kAvg, 2, 1, 3, 3);
  w.y_lo = 3;  // empty: every window is outside
  iss.AccRow(0)[0] = 99;
  ASSERT_TRUE(RunProgram(iss, mem, {w.Encode()}).status.ok);
  for (uint32_t r = 0; r < 4; ++r) {
    for (int l = 0; l < 4; ++l) EXPECT_EQ(iss.AccRow(r)[l], 0);
  }
}

TEST(IssWindow, SumCarriesAcrossInstructionsUntilSoftReset) {
  Iss iss(Cfg4());
  std::mt19937 rng(3);
  RandomSpad(iss, Spad::kA, 64, rng);
  DeviceMemory mem(kBase, kMemSize);
  // One sum over 40 rows, and the same rows as 25 + 15 carried.
  WindowInstr whole = Window(WindowMode::kSum, 1, 1, 8, 5);
  whole.acc_row = 10;
  WindowInstr first = Window(WindowMode::kSum, 1, 1, 5, 5);
  first.carry_out = 1;
  first.acc_row = 20;  // not written
  WindowInstr second = Window(WindowMode::kSum, 1, 1, 3, 5);
  second.a_row = 25;
  second.carry_in = 1;
  second.acc_row = 11;
  iss.AccRow(20)[0] = 77;
  ASSERT_TRUE(RunProgram(iss, mem, {whole.Encode(), first.Encode(), second.Encode()}).status.ok);
  for (int l = 0; l < 4; ++l) {
    EXPECT_EQ(iss.AccRow(11)[l], iss.AccRow(10)[l]);
  }
  EXPECT_EQ(iss.AccRow(20)[0], 77) << "a kept sum is not written";
  // The soft reset forgets the kept sum: carry_in then starts from zero.
  ASSERT_TRUE(RunProgram(iss, mem, {first.Encode()}).status.ok);
  iss.Reset();
  ASSERT_TRUE(RunProgram(iss, mem, {second.Encode()}).status.ok);
  int32_t tail = 0;
  for (uint32_t r = 25; r < 40; ++r) tail += iss.SpadRow(Spad::kA, r)[2];
  EXPECT_EQ(iss.AccRow(11)[2], tail);
}

TEST(IssWindow, KernelsAndStridesAboveWindowKAreIllegal) {
  const HwConfig& hw = *FindHwConfig("4x4-k3");
  ASSERT_EQ(hw.window_k, 3u);
  const auto run = [&](WindowInstr w) {
    Iss iss(hw);
    DeviceMemory mem(kBase, kMemSize);
    return RunProgram(iss, mem, {w.Encode()}).status;
  };
  for (WindowMode mode : {WindowMode::kDw, WindowMode::kMax, WindowMode::kAvg}) {
    EXPECT_TRUE(run(Window(mode, 3, 3, 9, 9)).ok) << "at the limit";
    EXPECT_EQ(run(Window(mode, 4, 1, 8, 8)).err_cause, kIllegal) << "kernel 4";
    WindowInstr w = Window(mode, 2, 1, 8, 8);
    w.sy = 4;
    w.oh = 2;
    EXPECT_EQ(run(w).err_cause, kIllegal) << "stride 4";
    w = Window(mode, 3, 1, 8, 8);
    w.kw = 7;
    w.oh = 0;  // even a no-op, as with a zero kernel
    EXPECT_EQ(run(w).err_cause, kIllegal) << "kernel 3x7 in a no-op";
  }
  // Sum has no window: its kernel fields are not looked at.
  WindowInstr sum = Window(WindowMode::kSum, 7, 7, 8, 8);
  sum.oh = sum.ow = 1;
  EXPECT_TRUE(run(sum).ok);
}

TEST(IssWindow, ChecksInTheHardwaresOrder) {
  const HwConfig& hw = Cfg4();
  const auto run = [&](WindowInstr w) {
    Iss iss(hw);
    DeviceMemory mem(kBase, kMemSize);
    return RunProgram(iss, mem, {w.Encode()}).status;
  };
  // A zero kernel or stride is illegal even in a no-op; sum ignores them.
  WindowInstr w = Window(WindowMode::kMax, 3, 1, 4, 4);
  w.nc = 0;
  w.sx = 0;
  EXPECT_EQ(run(w).err_cause, kIllegal);
  w.mode = WindowMode::kSum;
  EXPECT_TRUE(run(w).ok);
  // A no-op then passes whatever else it holds.
  w = Window(WindowMode::kMax, 3, 1, 4, 4);
  w.oh = 0;
  w.a_row = hw.spad_a;
  EXPECT_TRUE(run(w).ok);
  // Geometry and ranges.
  w = Window(WindowMode::kMax, 1, 1, 1, hw.window_cols + 1);
  EXPECT_EQ(run(w).err_cause, kIllegal) << "wider than the line buffers";
  w.mode = WindowMode::kSum;
  EXPECT_TRUE(run(w).ok) << "sum has no line buffers";
  w = Window(WindowMode::kMax, 3, 2, 7, 7);
  ++w.oh;
  EXPECT_EQ(run(w).err_cause, kIllegal) << "windows below the tile";
  w = Window(WindowMode::kMax, 3, 2, 7, 7);
  w.a_row = hw.spad_a - 48;
  EXPECT_EQ(run(w).err_cause, kIllegal) << "tile beyond A";
  w.a_row = hw.spad_a - 49;
  EXPECT_TRUE(run(w).ok);
  w.acc_row = hw.acc - 8;
  EXPECT_EQ(run(w).err_cause, kIllegal) << "outputs beyond the accumulators";
  w = Window(WindowMode::kMax, 3, 2, 7, 7);
  w.b_row = hw.spad_b;
  EXPECT_TRUE(run(w).ok) << "only dw reads B";
  w.mode = WindowMode::kDw;
  EXPECT_EQ(run(w).err_cause, kIllegal);
}

TEST(IssWindow, NoOpMovesTokensAndDwCountsMacs) {
  Iss iss(Cfg4());
  DeviceMemory mem(kBase, kMemSize);
  WindowInstr noop = Window(WindowMode::kDw, 3, 1, 5, 5);
  noop.nc = 0;
  noop.deps.signal = WindowInstr::kSignalStore;
  isa::StoreInstr st;
  st.act_min = -128;
  st.act_max = 127;
  st.deps.wait = isa::StoreInstr::kWaitWindow;  // an empty store takes the token
  const WindowInstr dw = Window(WindowMode::kDw, 3, 2, 7, 9);
  const runtime::RunResult r = RunProgram(iss, mem, {noop.Encode(), st.Encode(), dw.Encode()});
  ASSERT_TRUE(r.status.ok) << r.status.Describe();
  EXPECT_EQ(r.stats.instructions, 3u);
  EXPECT_EQ(r.stats.macs, uint64_t{3} * 4 * 9 * 4);  // 3 x 4 outputs, 9 taps, 4 lanes
}

// The store's add: one requantized row plus one residual row, and its checks.
struct AddFixture {
  Iss iss{Cfg4()};
  DeviceMemory mem{kBase, kMemSize};
  std::vector<uint8_t> params;
  static constexpr uint32_t kParams = kData;
  static constexpr uint32_t kRes = kData + 0x1000;
  static constexpr uint32_t kOut = kData + 0x2000;

  AddFixture() {
    namespace param = isa::param;
    params.assign(size_t(param::kRequantRows + param::kAddRows) * 4, 0);
    std::span<uint8_t> rq(params.data(), size_t(param::kRequantRows) * 4);
    std::span<uint8_t> ad(params.data() + rq.size(), size_t(param::kAddRows) * 4);
    const AddParams p = QuantizeAddParams(0.05f, 3, 0.02f, -7, 0.04f, 1, Activation{});
    for (int l = 0; l < 4; ++l) {
      param::Set(rq, 4, param::kRequantMult, l, 1 << 30);
      param::Set(rq, 4, param::kRequantShift, l, 1);
      param::Set(ad, 4, param::kAddIn1Mult, l, p.input1.multiplier);
      param::Set(ad, 4, param::kAddIn1Shift, l, p.input1.shift);
      param::Set(ad, 4, param::kAddIn2Mult, l, p.input2.multiplier);
      param::Set(ad, 4, param::kAddIn2Shift, l, p.input2.shift);
      param::Set(ad, 4, param::kAddOutMult, l, p.output.multiplier);
      param::Set(ad, 4, param::kAddOutShift, l, p.output.shift);
      param::Set(ad, 4, param::kAddIn1Zp, l, -p.input1_offset);
      param::Set(ad, 4, param::kAddIn2Zp, l, -p.input2_offset);
      param::Set(ad, 4, param::kAddOutZp, l, p.output_offset);
      param::Set(ad, 4, param::kAddActMin, l, -128);
      param::Set(ad, 4, param::kAddActMax, l, 127);
    }
    std::mt19937 rng(5);
    RandomFill(mem, kRes, 256, rng);
    for (uint32_t r = 0; r < 16; ++r) {
      for (int l = 0; l < 4; ++l) iss.AccRow(r)[l] = int32_t(rng() % 256) - 128;
    }
  }

  runtime::RunResult Run(isa::StoreInstr st) {
    mem.Write(kParams, params);
    const isa::LoadInstr lp = RowsLoad(Spad::kP, kParams, 0, uint32_t(params.size() / 4));
    return RunProgram(iss, mem, {lp.Encode(), st.Encode()});
  }

  static isa::StoreInstr Store() {
    isa::StoreInstr st = RowsStore(kOut, 64, 0, 0, 2, 5);
    st.add = 1;
    st.add_p_row = isa::param::kRequantRows;
    st.res_addr = kRes;
    st.res_row_stride = 128;
    return st;
  }
};

TEST(IssStoreAdd, AddsTheResidualAsTfliteAdd) {
  AddFixture f;
  const runtime::RunResult r = f.Run(AddFixture::Store());
  ASSERT_TRUE(r.status.ok) << r.status.Describe();
  const AddParams p = QuantizeAddParams(0.05f, 3, 0.02f, -7, 0.04f, 1, Activation{});
  for (uint32_t y = 0; y < 2; ++y) {
    for (uint32_t i = 0; i < 20; ++i) {
      const int32_t x1 = f.iss.AccRow(y * 5 + i / 4)[i % 4];  // identity requantization
      const auto x2 = static_cast<int8_t>(f.mem.Data()[AddFixture::kRes - kBase + y * 128 + i]);
      const auto got = static_cast<int8_t>(f.mem.Data()[AddFixture::kOut - kBase + y * 64 + i]);
      EXPECT_EQ(got, Add(x1, x2, p)) << y << " " << i;
    }
  }
  // Reads: 2 instructions, the parameter rows, 10 residual beats.
  EXPECT_EQ(r.stats.bytes_read, 2 * 32 + f.params.size() + 10 * 4);
  EXPECT_EQ(r.stats.bytes_written, 10u * 4);
}

TEST(IssStoreAdd, ChecksTheAddBlockAndTheResidual) {
  namespace param = isa::param;
  {
    AddFixture f;
    std::span<uint8_t> ad(f.params.data() + param::kRequantRows * 4, param::kAddRows * 4);
    param::Set(ad, 4, param::kAddActMin, 3, 5);
    param::Set(ad, 4, param::kAddActMax, 3, 4);
    EXPECT_EQ(f.Run(AddFixture::Store()).status.err_cause, kIllegal) << "empty clamp in a lane";
  }
  {
    AddFixture f;
    std::span<uint8_t> ad(f.params.data() + param::kRequantRows * 4, param::kAddRows * 4);
    param::Set(ad, 4, param::kAddIn2Shift, 1, 1);
    EXPECT_EQ(f.Run(AddFixture::Store()).status.err_cause, kIllegal) << "left input shift";
    isa::StoreInstr st = AddFixture::Store();
    st.add = 0;
    EXPECT_FALSE(AddFixture().Run(st).status.err_cause) << "the add block is read only with add";
  }
  {
    AddFixture f;
    isa::StoreInstr st = AddFixture::Store();
    st.res_row_stride = 130;
    const runtime::RunStatus s = f.Run(st).status;
    EXPECT_EQ(s.err_cause, kAddr);
    EXPECT_EQ(s.err_addr, 130u);
  }
  {
    AddFixture f;
    f.iss.AddBusError(AddFixture::kRes + 128 + 8, AddFixture::kRes + 128 + 9);
    const runtime::RunStatus s = f.Run(AddFixture::Store()).status;
    EXPECT_EQ(s.err_cause, kResp);
    EXPECT_EQ(s.err_addr, AddFixture::kRes + 128 + 8) << "the failing residual beat";
    EXPECT_EQ(s.err_pc, 1u);
  }
}

}  // namespace
}  // namespace npu::iss::testing
