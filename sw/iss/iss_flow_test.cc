// Decoupled execution (tokens, queues, fetch) and every error cause with its
// pc and address.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "sw/gen/npu_regs.h"
#include "sw/iss/iss.h"
#include "sw/iss/iss_test_util.h"
#include "sw/numerics/numerics.h"

namespace npu::iss {
namespace {

using isa::Word;
using testing::Cfg4;
using testing::kBase;
using testing::kData;
using testing::kMemSize;
using testing::RunProgram;

constexpr uint32_t kIllegal = regs::kErrCauseIllegalInstrMask;
constexpr uint32_t kAddrRange = regs::kErrCauseAddrRangeMask;
constexpr uint32_t kAxiResp = regs::kErrCauseAxiRespMask;
constexpr uint32_t kWatchdog = regs::kErrCauseWatchdogMask;

runtime::RunStatus Error(uint32_t cause, uint32_t pc, uint32_t addr = 0) {
  return runtime::RunStatus{false, cause, pc, addr};
}

/// Instruction words with the given dependency flags.
Word LoadW(bool wait_compute, bool signal_compute, uint32_t dst = 0) {
  isa::LoadInstr l = testing::RowsLoad(Spad::kA, kData, dst, 1);
  if (wait_compute) l.deps.wait |= isa::LoadInstr::kWaitCompute;
  if (signal_compute) l.deps.signal |= isa::LoadInstr::kSignalCompute;
  return l.Encode();
}
Word ComputeW(isa::Deps deps) {
  isa::ComputeInstr c = testing::Compute(0, 0, 0, 1, 1, 0, false);
  c.deps = deps;
  return c.Encode();
}
Word StoreW(bool wait_compute, bool signal_compute) {
  isa::StoreInstr s = testing::RowsStore(kData + 0x800, 0, 0, 0, 1, 1);
  if (wait_compute) s.deps.wait |= isa::StoreInstr::kWaitCompute;
  if (signal_compute) s.deps.signal |= isa::StoreInstr::kSignalCompute;
  return s.Encode();
}
/// Compute dependency flags: wait for load / store, signal load / store.
isa::Deps CDeps(bool wait_load, bool wait_store, bool signal_load, bool signal_store) {
  using isa::ComputeInstr;
  return {(wait_load ? ComputeInstr::kWaitLoad : 0u) | (wait_store ? ComputeInstr::kWaitStore : 0u),
          (signal_load ? ComputeInstr::kSignalLoad : 0u) |
              (signal_store ? ComputeInstr::kSignalStore : 0u)};
}
const isa::Deps kWaitPrev = CDeps(true, false, false, false);
constexpr isa::Deps kNoDeps{};

// ------------------------------------------------------------ token flow

TEST(FlowTest, ComputeWaitsForLoadQueuedBehindIt) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  const int8_t row[4] = {1, 2, 3, 4};
  mem.Write(kData, std::span(reinterpret_cast<const uint8_t*>(row), 4));
  Iss iss(Cfg4());
  for (int r = 0; r < 4; ++r) iss.SpadRow(Spad::kB, r)[r] = 1;  // identity weights
  // pc 0 waits for a token that only pc 1 gives.
  const auto result = RunProgram(iss, mem, {ComputeW(kWaitPrev), LoadW(false, true)});
  ASSERT_TRUE(result.status.ok) << result.status.Describe();
  EXPECT_EQ(result.stats.instructions, 2u);
  EXPECT_EQ(iss.AccRow(0)[2], 3);  // the compute saw the loaded row
  EXPECT_EQ(iss.GetTokens(), Tokens{});
}

TEST(FlowTest, LowestPcRunsFirstWithoutDependencies) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  mem.Fill(kData, 4, 9);
  Iss iss(Cfg4());
  for (int r = 0; r < 4; ++r) iss.SpadRow(Spad::kB, r)[r] = 1;
  // No tokens: the compute (pc 0) runs before the load (pc 1) changes A.
  ASSERT_TRUE(RunProgram(iss, mem, {ComputeW(kNoDeps), LoadW(false, false)}).status.ok);
  EXPECT_EQ(iss.AccRow(0)[0], 0);
  EXPECT_EQ(iss.SpadRow(Spad::kA, 0)[0], 9);
}

TEST(FlowTest, EveryTokenQueue) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  Iss iss(Cfg4());
  // Each wait is placed before the instruction giving its token.
  const std::vector<Word> prog = {
      StoreW(true, true),                          // 0: waits c2s (from 2), gives s2c
      LoadW(true, false),                          // 1: waits c2l (from 2)
      ComputeW(CDeps(false, false, true, true)),   // 2: gives c2l and c2s
      ComputeW(CDeps(false, true, false, false)),  // 3: waits s2c (from 0)
      LoadW(false, true),                          // 4: gives l2c
      ComputeW(kWaitPrev),                         // 5: waits l2c (from 4)
  };
  const auto result = RunProgram(iss, mem, prog);
  ASSERT_TRUE(result.status.ok) << result.status.Describe();
  EXPECT_EQ(result.stats.instructions, 6u);
  EXPECT_EQ(iss.GetTokens(), Tokens{});
}

TEST(FlowTest, UnsatisfiableWaitIsWatchdog) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  Iss iss(Cfg4());
  const auto result = RunProgram(iss, mem, {LoadW(false, false), ComputeW(kWaitPrev)});
  EXPECT_EQ(result.status, Error(kWatchdog, 1));
  EXPECT_EQ(result.stats.instructions, 1u);
}

TEST(FlowTest, WatchdogReportsLowestBlockedPc) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  Iss iss(Cfg4());
  const auto result = RunProgram(
      iss, mem,
      {LoadW(false, false), StoreW(true, false), ComputeW(kWaitPrev), LoadW(true, false)});
  EXPECT_EQ(result.status, Error(kWatchdog, 1));
}

TEST(FlowTest, TokensPersistAcrossRunsUntilReset) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  Iss iss(Cfg4());
  ASSERT_TRUE(RunProgram(iss, mem, {LoadW(false, true), LoadW(false, true)}).status.ok);
  EXPECT_EQ(iss.GetTokens()[isa::kQueueLoadToCompute], 2u);
  ASSERT_TRUE(RunProgram(iss, mem, {ComputeW(kWaitPrev)}).status.ok);
  EXPECT_EQ(iss.GetTokens()[isa::kQueueLoadToCompute], 1u);
  iss.Reset();
  EXPECT_EQ(iss.GetTokens(), Tokens{});
  EXPECT_EQ(RunProgram(iss, mem, {ComputeW(kWaitPrev)}).status, Error(kWatchdog, 0));
}

TEST(FlowTest, HaltedUntilReset) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  Iss iss(Cfg4());
  EXPECT_EQ(RunProgram(iss, mem, {Word{}}).status, Error(kIllegal, 0));
  EXPECT_TRUE(iss.Halted());
  // Nothing runs while halted; the sticky error comes back.
  const auto again = RunProgram(iss, mem, {LoadW(false, true)});
  EXPECT_EQ(again.status, Error(kIllegal, 0));
  EXPECT_EQ(again.stats.instructions, 0u);
  EXPECT_EQ(iss.GetTokens()[isa::kQueueLoadToCompute], 0u);
  iss.Reset();
  EXPECT_FALSE(iss.Halted());
  EXPECT_TRUE(RunProgram(iss, mem, {LoadW(false, true)}).status.ok);
}

TEST(FlowTest, EmptyStreamDoesNothing) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  Iss iss(Cfg4());
  const auto result = iss.Run(mem, kBase, 0);
  EXPECT_TRUE(result.status.ok);
  EXPECT_EQ(result.stats.bytes_read, 0u);
}

TEST(FlowTest, EmptyStreamAddressIsStillChecked) {
  // npu_fetch checks the address when it takes the stream, even an empty one.
  runtime::DeviceMemory mem(kBase, kMemSize);
  Iss iss(Cfg4());
  const auto result = iss.Run(mem, kBase + 3, 0);
  EXPECT_FALSE(result.status.ok);
  EXPECT_EQ(result.status.err_cause, kAddrRange);
  EXPECT_EQ(result.status.err_addr, kBase + 3);
}

// ------------------------------------------------------- queues and fetch

HwConfig SmallQueue() {
  HwConfig cfg = Cfg4();
  cfg.queue = 2;
  return cfg;
}

TEST(FetchTest, FullQueueStallsFetchInOrder) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  // Two blocked computes fill the compute queue; the load that would unblock
  // them sits behind a third compute that fetch cannot dispatch: a hang.
  Iss small(SmallQueue());
  const std::vector<Word> prog = {ComputeW(kWaitPrev), ComputeW(kNoDeps), ComputeW(kNoDeps),
                                  LoadW(false, true)};
  EXPECT_EQ(RunProgram(small, mem, prog).status, Error(kWatchdog, 0));
  // With room for three computes the load is fetched and all complete.
  HwConfig three = SmallQueue();
  three.queue = 3;
  Iss roomy(three);
  const auto ok = RunProgram(roomy, mem, prog);
  EXPECT_TRUE(ok.status.ok) << ok.status.Describe();
  EXPECT_EQ(ok.stats.instructions, 4u);
}

TEST(FetchTest, OtherQueuesKeepFilling) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  Iss small(SmallQueue());
  const auto result =
      RunProgram(small, mem, {ComputeW(kWaitPrev), ComputeW(kNoDeps), LoadW(false, true)});
  EXPECT_TRUE(result.status.ok) << result.status.Describe();
}

TEST(FetchTest, LongStreamsRefill) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  Iss iss(Cfg4());
  std::vector<Word> prog;
  for (int i = 0; i < 50; ++i) {
    prog.push_back(LoadW(i != 0, true));
    prog.push_back(ComputeW(CDeps(true, i != 0, true, true)));
    prog.push_back(StoreW(true, true));
  }
  const auto result = RunProgram(iss, mem, prog);
  ASSERT_TRUE(result.status.ok) << result.status.Describe();
  EXPECT_EQ(result.stats.instructions, 150u);
  Tokens want{};
  want[isa::kQueueComputeToLoad] = want[isa::kQueueStoreToCompute] = 1;
  EXPECT_EQ(iss.GetTokens(), want);
  EXPECT_EQ(result.stats.bytes_read, 150u * 32 + 50u * 4);
  EXPECT_EQ(result.stats.bytes_written, 50u * 4);
  EXPECT_EQ(result.stats.macs, 50u * 16);
}

// -------------------------------------------------------- illegal_instr

TEST(IllegalTest, UnknownOpcodeAtFetch) {
  for (uint32_t op : {0u, 7u, 15u}) {
    runtime::DeviceMemory mem(kBase, kMemSize);
    Iss iss(Cfg4());
    Word bad{};
    bad[0] = op;
    // Detected at fetch although pc 1 is blocked (not a watchdog), and the
    // store at pc 3 never runs.
    const auto result =
        RunProgram(iss, mem, {LoadW(false, false), ComputeW(kWaitPrev), bad, StoreW(false, false)});
    EXPECT_EQ(result.status, Error(kIllegal, 2)) << "opcode " << op;
    EXPECT_EQ(mem.Data()[0x1800], 0);
  }
}

TEST(IllegalTest, DependencyTowardsMissingNeighbour) {
  // Every dependency bit that names no queue of its unit (spec/isa.toml).
  std::vector<Word> bad;
  for (const isa::InstrInfo& info : isa::kInstrs) {
    for (int i = 0; i < isa::kDepBits; ++i) {
      Word w{};
      isa::SetField(w, isa::field::kOpcodeLsb, isa::field::kOpcodeWidth,
                    static_cast<uint32_t>(info.opcode), "opcode");
      if (!(isa::LegalWaitMask(info.unit) >> i & 1)) {
        isa::SetField(w, isa::field::kWaitMaskLsb + i, 1, 1, "wait");
        bad.push_back(w);
      }
      if (!(isa::LegalSignalMask(info.unit) >> i & 1)) {
        isa::SetField(w, isa::field::kSignalMaskLsb + i, 1, 1, "signal");
        bad.push_back(w);
      }
    }
  }
  for (size_t i = 0; i < bad.size(); ++i) {
    runtime::DeviceMemory mem(kBase, kMemSize);
    Iss iss(Cfg4());
    EXPECT_EQ(RunProgram(iss, mem, {ComputeW(kNoDeps), bad[i]}).status, Error(kIllegal, 1))
        << "case " << i;
  }
}

/// Runs {compute, @p w} and expects illegal_instr at pc 1.
void ExpectIllegalAtPc1(const Word& w, const char* what) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  Iss iss(Cfg4());
  EXPECT_EQ(RunProgram(iss, mem, {ComputeW(kNoDeps), w}).status, Error(kIllegal, 1)) << what;
}
void ExpectOk(const Word& w, const char* what) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  Iss iss(Cfg4());
  const auto result = RunProgram(iss, mem, {w});
  EXPECT_TRUE(result.status.ok) << what << ": " << result.status.Describe();
}

TEST(IllegalTest, LoadFields) {
  isa::LoadInstr l = testing::RowsLoad(Spad::kA, kData, 0, 1);
  l.spad = static_cast<Spad>(3);
  ExpectIllegalAtPc1(l.Encode(), "spad 3");
  l.spad = Spad::kA, l.sy = 0;
  ExpectIllegalAtPc1(l.Encode(), "sy 0");
  l.sy = 1, l.sx = 0;
  ExpectIllegalAtPc1(l.Encode(), "sx 0");
  l.sx = 1, l.nx = 0, l.spad = static_cast<Spad>(3);
  ExpectIllegalAtPc1(l.Encode(), "spad 3 on a no-op");
}

TEST(IllegalTest, LoadRowsOutOfRange) {
  const HwConfig& cfg = Cfg4();
  const uint32_t depth[3] = {cfg.spad_a, cfg.spad_b, cfg.spad_p};
  for (uint32_t spad = 0; spad < 3; ++spad) {
    // Last row written = dst_row + (nc-1)*dst_c_stride + ny*nx - 1.
    isa::LoadInstr l = testing::RowsLoad(static_cast<Spad>(spad), kData, 0, 1);
    l.nc = 2, l.h = 2, l.ny = 2, l.nx = 3, l.w = 3, l.dst_c_stride = 10;
    l.src_c_stride = 0x40, l.src_row_stride = 0x10;
    l.dst_row = depth[spad] - 16;
    ExpectOk(l.Encode(), "last row = depth - 1");
    l.dst_row = depth[spad] - 15;
    ExpectIllegalAtPc1(l.Encode(), "last row = depth");
  }
}

TEST(IllegalTest, ComputeRowsOutOfRange) {
  const HwConfig& cfg = Cfg4();
  // A: a_row + (nk-1)*a_k_stride + m - 1; B: b_row + nk*dim - 1; acc: acc_row + m - 1.
  ExpectOk(testing::Compute(cfg.spad_a - 12, 0, 0, 2, 3, 5, false).Encode(), "A last");
  ExpectIllegalAtPc1(testing::Compute(cfg.spad_a - 11, 0, 0, 2, 3, 5, false).Encode(), "A");
  ExpectOk(testing::Compute(0, cfg.spad_b - 12, 0, 2, 3, 5, false).Encode(), "B last");
  ExpectIllegalAtPc1(testing::Compute(0, cfg.spad_b - 11, 0, 2, 3, 5, false).Encode(), "B");
  ExpectOk(testing::Compute(0, 0, cfg.acc - 2, 2, 3, 5, false).Encode(), "acc last");
  ExpectIllegalAtPc1(testing::Compute(0, 0, cfg.acc - 1, 2, 3, 5, false).Encode(), "acc");
}

TEST(IllegalTest, StoreRowsAndFields) {
  const HwConfig& cfg = Cfg4();
  ExpectOk(testing::RowsStore(kData, 0x40, cfg.acc - 6, 0, 2, 3).Encode(), "acc last");
  ExpectIllegalAtPc1(testing::RowsStore(kData, 0x40, cfg.acc - 5, 0, 2, 3).Encode(), "acc");
  ExpectOk(testing::RowsStore(kData, 0, 0, cfg.spad_p - 9, 1, 1).Encode(), "p_row + 8 last");
  ExpectIllegalAtPc1(testing::RowsStore(kData, 0, 0, cfg.spad_p - 8, 1, 1).Encode(), "p_row");
  isa::StoreInstr s = testing::RowsStore(kData, 0, 0, 0, 1, 1);
  s.act_min = 5, s.act_max = 4;
  ExpectIllegalAtPc1(s.Encode(), "act_min > act_max");
  s.act_min = s.act_max = 4;
  ExpectOk(s.Encode(), "act_min == act_max");
}

TEST(IllegalTest, StoreShiftOutOfRange) {
  for (int shift : {kMaxShift + 1, kMinShift - 1, 127, -128}) {
    runtime::DeviceMemory mem(kBase, kMemSize);
    Iss iss(Cfg4());
    iss.SpadRow(Spad::kP, 8)[3] = static_cast<int8_t>(shift);
    EXPECT_EQ(RunProgram(iss, mem, {ComputeW(kNoDeps), StoreW(false, false)}).status,
              Error(kIllegal, 1))
        << "shift " << shift;
    EXPECT_EQ(mem.Data()[0x1800], 0) << "nothing written";
  }
}

// ------------------------------------------------------------ addr_range

TEST(AddrRangeTest, StreamMisaligned) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  Iss iss(Cfg4());
  EXPECT_EQ(iss.Run(mem, kBase + 16, 1).status, Error(kAddrRange, 0, kBase + 16));
}

TEST(AddrRangeTest, StreamOutsideMemory) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  Iss iss(Cfg4());
  EXPECT_EQ(iss.Run(mem, kBase - 0x1000, 1).status, Error(kAddrRange, 0, kBase - 0x1000));
}

TEST(AddrRangeTest, StreamRunsOffTheEndAtBurstStart) {
  // Fetch bursts hold up to 8 instructions and end at 256-byte boundaries:
  // with 20 instructions and room for 18, the burst of pc 16..19 is refused.
  runtime::DeviceMemory mem(kBase, 0x1000 + 18 * 32);
  Iss iss(Cfg4());
  const uint32_t stream = kBase + 0x1000;
  mem.Write(stream, isa::Serialize(std::vector<Word>(18, LoadW(false, false))));
  const auto result = iss.Run(mem, stream, 20);
  EXPECT_EQ(result.status, Error(kAddrRange, 16, stream + 16 * 32));
  // Fetch reads up to 16 instructions ahead of dispatch: pc 0..7 fill the
  // load queue, pc 8..15 wait in the fetch buffer, and the burst of pc 16
  // is requested (and refused) before any instruction has run.
  EXPECT_EQ(result.stats.instructions, 0u);
}

TEST(AddrRangeTest, FetchBurstsEndAt256ByteBoundaries) {
  // The stream starts two instructions before a 256-byte boundary where
  // memory ends: the first burst holds only those two, the second starts at
  // the boundary.
  runtime::DeviceMemory mem(kBase, 0x100);
  Iss iss(Cfg4());
  const uint32_t stream = kBase + 0x100 - 64;
  mem.Write(stream, isa::Serialize(std::vector<Word>(2, LoadW(false, false))));
  EXPECT_EQ(iss.Run(mem, stream, 5).status, Error(kAddrRange, 2, kBase + 0x100));
}

TEST(AddrRangeTest, FetchReadsAheadOfABlockedQueue) {
  // pc 0 blocks forever, but the fetch burst outside memory is found first
  // (the hardware's watchdog would take far longer).
  runtime::DeviceMemory mem(kBase, 0x100);
  Iss iss(Cfg4());
  mem.Write(kBase, isa::Serialize(std::vector<Word>(8, ComputeW(kWaitPrev))));
  EXPECT_EQ(iss.Run(mem, kBase, 9).status, Error(kAddrRange, 8, kBase + 0x100));
}

TEST(AddrRangeTest, LoadMisaligned) {
  isa::LoadInstr l = testing::RowsLoad(Spad::kA, kData + 2, 0, 1);
  runtime::DeviceMemory mem(kBase, kMemSize);
  {
    Iss iss(Cfg4());
    EXPECT_EQ(RunProgram(iss, mem, {ComputeW(kNoDeps), l.Encode()}).status,
              Error(kAddrRange, 1, kData + 2));
  }
  // The address reported is the value of the first misaligned field.
  l.src_addr = kData, l.src_c_stride = 6, l.src_row_stride = 0x11;
  {
    Iss iss(Cfg4());
    EXPECT_EQ(RunProgram(iss, mem, {l.Encode()}).status, Error(kAddrRange, 0, 6));
  }
  l.src_c_stride = 0;
  {
    Iss iss(Cfg4());
    EXPECT_EQ(RunProgram(iss, mem, {l.Encode()}).status, Error(kAddrRange, 0, 0x11));
  }
}

TEST(AddrRangeTest, StoreMisaligned) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  {
    Iss iss(Cfg4());
    EXPECT_EQ(RunProgram(iss, mem, {testing::RowsStore(kData + 1, 0, 0, 0, 1, 1).Encode()}).status,
              Error(kAddrRange, 0, kData + 1));
  }
  {
    Iss iss(Cfg4());
    EXPECT_EQ(RunProgram(iss, mem, {testing::RowsStore(kData, 0x22, 0, 0, 2, 1).Encode()}).status,
              Error(kAddrRange, 0, 0x22));
  }
}

/// Memory [kBase, kBase + 0x3000): ends on a 4 KiB boundary.
constexpr uint32_t kEnd = kBase + 0x3000;

TEST(AddrRangeTest, LoadBurstSplitAt4KiB) {
  // 4 beats from kEnd - 8: bursts [kEnd - 8, 2 beats] and [kEnd, 2 beats];
  // the second is refused, reported at its start.
  runtime::DeviceMemory mem(kBase, 0x3000);
  Iss iss(Cfg4());
  const auto result = RunProgram(iss, mem, {testing::RowsLoad(Spad::kA, kEnd - 8, 0, 4).Encode()});
  EXPECT_EQ(result.status, Error(kAddrRange, 0, kEnd));
  EXPECT_EQ(result.stats.bytes_read, 32u + 8u);  // the first burst was read
}

TEST(AddrRangeTest, LoadBurstSplitAt256Beats) {
  // 300 beats of 4 bytes from a 4 KiB-aligned address: bursts of 256 and 44
  // beats; memory ends 4 bytes into the second.
  runtime::DeviceMemory mem(kBase, 0x2000 + 1024 + 4);
  Iss iss(Cfg4());
  const uint32_t src = kBase + 0x2000;
  EXPECT_EQ(RunProgram(iss, mem, {testing::RowsLoad(Spad::kA, src, 0, 300).Encode()}).status,
            Error(kAddrRange, 0, src + 1024));
}

TEST(AddrRangeTest, AddressesDoNotWrapAt4GiB) {
  // Row iy = 1 starts at 2^32: outside the window (reported as its low 32
  // bits), although address 0 is inside the memory.
  runtime::DeviceMemory mem(0, kMemSize);
  Iss iss(Cfg4());
  isa::LoadInstr l = testing::RowsLoad(Spad::kA, 0xfffff000, 0, 1);
  l.src_row_stride = 0x1000, l.h = 2, l.y0 = 1;
  EXPECT_EQ(RunProgram(iss, mem, {l.Encode()}, 0).status, Error(kAddrRange, 0, 0));
  isa::StoreInstr s = testing::RowsStore(0xfffffff0, 0x10, 0, 0, 2, 1);
  iss.Reset();
  EXPECT_EQ(RunProgram(iss, mem, {s.Encode()}, 0).status, Error(kAddrRange, 0, 0xfffffff0));
}

TEST(AddrRangeTest, LoadStridedBeatsAreSingleBursts) {
  // sx = 3: beats at src, src + 12, src + 24, ...; memory ends after the third.
  runtime::DeviceMemory mem(kBase, 0x3000);
  Iss iss(Cfg4());
  isa::LoadInstr l = testing::RowsLoad(Spad::kA, kEnd - 28, 0, 5);
  l.sx = 3, l.w = 13;
  EXPECT_EQ(RunProgram(iss, mem, {l.Encode()}).status, Error(kAddrRange, 0, kEnd + 8));
}

TEST(AddrRangeTest, LoadRunStartsAtFirstInBoundsColumn) {
  // Plane 1's row 1 runs past the end; its run starts at ix = 0 (x0 = -2).
  runtime::DeviceMemory mem(kBase, 0x3000);
  Iss iss(Cfg4());
  isa::LoadInstr l;
  l.spad = Spad::kA, l.sy = 1, l.sx = 1, l.nc = 2, l.h = 2, l.w = 3, l.ny = 2, l.nx = 5;
  l.x0 = -2, l.y0 = 0, l.dst_c_stride = 10;
  l.src_row_stride = 0x100, l.src_c_stride = 0x200;
  l.src_addr = kEnd - 0x300;  // plane 1 row 1 starts at kEnd - 0x300 + 0x300 = kEnd
  EXPECT_EQ(RunProgram(iss, mem, {l.Encode()}).status, Error(kAddrRange, 0, kEnd));
}

TEST(AddrRangeTest, StoreBurstSplitAt4KiB) {
  runtime::DeviceMemory mem(kBase, 0x3000);
  Iss iss(Cfg4());
  iss.SpadRow(Spad::kP, 4)[3] = 0x40;  // lane 0 multiplier 2^30
  iss.AccRow(0)[0] = 10;
  // Row 0: 3 beats at kEnd - 0x40 (fine); row 1: 3 beats from kEnd - 8,
  // split into 2 beats (written) and 1 beat at kEnd (refused).
  const auto result =
      RunProgram(iss, mem, {testing::RowsStore(kEnd - 0x40, 0x38, 0, 0, 2, 3).Encode()});
  EXPECT_EQ(result.status, Error(kAddrRange, 0, kEnd));
  EXPECT_EQ(mem.Data()[0x3000 - 0x40], 5);  // row 0 written
  EXPECT_EQ(result.stats.bytes_written, 3u * 4 + 2u * 4);
}

// -------------------------------------------------------------- axi_resp

TEST(AxiRespTest, LoadBurstTouchingErrorRange) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  Iss iss(Cfg4());
  // 300 beats from kData: bursts at kData (256 beats) and kData + 1024. The
  // error byte is in the second burst's second beat, which is reported (read
  // responses come per beat).
  iss.AddBusError(kData + 1030, kData + 1031);
  EXPECT_EQ(RunProgram(iss, mem, {testing::RowsLoad(Spad::kA, kData, 0, 300).Encode()}).status,
            Error(kAxiResp, 0, kData + 1028));
  iss.Reset();
  iss.ClearBusErrors();
  EXPECT_TRUE(
      RunProgram(iss, mem, {testing::RowsLoad(Spad::kA, kData, 0, 300).Encode()}).status.ok);
}

TEST(AxiRespTest, HalfOpenRange) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  Iss iss(Cfg4());
  iss.AddBusError(kData + 4, kData + 8);  // touches only the second beat
  EXPECT_TRUE(
      RunProgram(iss, mem, {testing::RowsLoad(Spad::kA, kData + 8, 0, 1).Encode()}).status.ok);
  EXPECT_TRUE(RunProgram(iss, mem, {testing::RowsLoad(Spad::kA, kData, 0, 1).Encode()}).status.ok);
  EXPECT_EQ(RunProgram(iss, mem, {testing::RowsLoad(Spad::kA, kData, 0, 2).Encode()}).status,
            Error(kAxiResp, 0, kData + 4));
}

TEST(AxiRespTest, StoreBurstWritesNothing) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  mem.Fill(kData, 0x100, 0xee);
  Iss iss(Cfg4());
  // Row 0 at kData (2 beats), row 1 at kData + 0x40 (2 beats, one burst):
  // an error on the second beat of row 1 drops the whole burst.
  iss.AddBusError(kData + 0x44, kData + 0x45);
  const auto result = RunProgram(
      iss, mem, {ComputeW(kNoDeps), testing::RowsStore(kData, 0x40, 0, 0, 2, 2).Encode()});
  EXPECT_EQ(result.status, Error(kAxiResp, 1, kData + 0x40));
  EXPECT_EQ(mem.Data()[0x1000], 0);     // row 0 written (zero output)
  EXPECT_EQ(mem.Data()[0x1040], 0xee);  // the failing burst wrote nothing
  EXPECT_EQ(mem.Data()[0x1047], 0xee);
}

TEST(AxiRespTest, FetchBurst) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  Iss iss(Cfg4());
  // Reported at the instruction whose beat fails (pc 17), not the burst.
  iss.AddBusError(kBase + 17 * 32 + 8, kBase + 17 * 32 + 9);
  const auto result = RunProgram(iss, mem, std::vector<Word>(20, LoadW(false, false)));
  EXPECT_EQ(result.status, Error(kAxiResp, 17, kBase + 17 * 32));
}

TEST(ErrorTest, FirstErrorStopsExecution) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  Iss iss(Cfg4());
  const auto result =
      RunProgram(iss, mem,
                 {LoadW(false, true), testing::RowsLoad(Spad::kA, kData + 1, 0, 1).Encode(),
                  StoreW(false, false)});
  EXPECT_EQ(result.status, Error(kAddrRange, 1, kData + 1));
  EXPECT_EQ(result.stats.instructions, 1u);
  EXPECT_EQ(iss.GetTokens()[isa::kQueueLoadToCompute],
            1u);  // tokens of completed instructions stay
  EXPECT_EQ(mem.Data()[0x1800], 0);
}

}  // namespace
}  // namespace npu::iss
