// Block test of npu_store, told as stories on the coroutine harness: random
// `store` instructions (encoded with the generated ISA header), a third of
// them with `add` (TFLite int8 ADD of a residual tensor the unit reads on its
// AR/R channel), fed through the unit driver (tb/block/common) against the
// AXI memory model of tb/bus (random latency and backpressure, error
// injection, protocol checks), C++ models of the P scratchpad and
// accumulator read ports (random grant gaps, garbage when nothing is read),
// and a reference of the ISA's `store` written here on the numerics contract
// (sw/numerics, each requantized value also checked against the independent
// formulation of requant_ref.h; npu::Add for the residual add). Every byte
// of the window is checked: the reference where an instruction writes, the
// initial contents elsewhere (the residual region, which no store writes,
// included). A monitor compares every AW with the reference burst split,
// every residual AR with the reference read split (at most kResBurst beats,
// no 4 KiB crossing, row by row), every accumulator read with the reference
// order, keeps the write bursts in flight within StoreWrites and the residual
// reads within ResBursts, W behind AW, full or empty strobes, and nothing new
// after an error or abort (but a residual AR loaded in the cycle of an error
// found elsewhere in the unit, see Monitor). The signal tokens come after the
// instruction's last accumulator read and before any read of a later
// instruction. Error stories check the report (cause, pc, address and the
// priority of the checks, those of `add` included), that announced bursts
// complete with WSTRB = 0, that the unit halts, and that clear_i restarts it.
//
// The memory port is built from the channels the unit has
// (block::BindAxiWrite and block::BindAxiRead).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include NPU_MODEL_H
#include "sw/gen/npu_configs.h"
#include "sw/gen/npu_isa.h"
#include "sw/gen/npu_regs.h"
#include "sw/isa/params.h"
#include "sw/numerics/numerics.h"
#include "tb/block/common/ram_port.h"
#include "tb/block/common/requant_ref.h"
#include "tb/block/common/unit_axi.h"
#include "tb/block/common/unit_driver.h"
#include "tb/bus/axi_memory.h"
#include "tb/cov/coverage_sink.h"
#include "tb/sim/power_up.h"
#include "tb/sim/sim.h"
#include "tb/sim/tracer.h"

namespace {

namespace isa = npu::isa;
namespace bus = npu::bus;
namespace block = npu::block;
namespace regs = npu::regs;
using isa::StoreInstr;
using npu::sim::ReadOnly;
using npu::sim::RisingEdge;
using npu::sim::Task;
using npu::sim::TestContext;

using Model = NPU_MODEL;
/// Parameters of the verilated model (tb/block/store/CMakeLists.txt).
constexpr int kDim = NPU_DIM;
constexpr uint32_t kPRows = NPU_SPAD_P;
constexpr uint32_t kAccRows = NPU_ACC;
constexpr uint32_t kAxiId = NPU_AXI_ID;
/// The permitted window; the memory holds random bytes there at the start.
constexpr uint32_t kWinBase = 0x0020'0000, kWinSize = 0x0040'0000;
/// The residual region: the first 256 KiB of the window, read by stores with
/// add and written by none (destinations start above it).
constexpr uint32_t kResBase = kWinBase, kResSize = 256 * 1024;
constexpr uint32_t kDstBase = kResBase + kResSize;
/// The `add` parameter block of every store with add: the last rows of P.
/// Where P has room (not with 64 rows), a second one just below it, kept for
/// the add parameter errors (legal until a story spoils it); without it
/// that story's other stores have no add and spoil the one block.
constexpr uint32_t kAddRows = isa::param::kAddRows;
constexpr uint32_t kAddBlockRow = kPRows - kAddRows;
constexpr bool kSpareAddBlock = kPRows >= 2 * kAddRows + 16 * isa::param::kRequantRows;
constexpr uint32_t kBadAddRow = kSpareAddBlock ? kAddBlockRow - kAddRows : kAddBlockRow;
/// Rows of a `requant` parameter block; the blocks fill P below the add
/// block(s), the last of them kept for the shift error (random instructions
/// use the others).
constexpr uint32_t kBlockRows = isa::param::kRequantRows;
constexpr uint32_t kGoodBlocks = kBadAddRow / kBlockRows - 1;
constexpr uint32_t kBadBlockRow = kGoodBlocks * kBlockRows;
static_assert(kGoodBlocks >= 3, "P holds too few parameter blocks");
constexpr uint32_t kIllegal = regs::kErrCauseIllegalInstrMask;
constexpr uint32_t kAddrRange = regs::kErrCauseAddrRangeMask;
constexpr uint32_t kAxiResp = regs::kErrCauseAxiRespMask;
/// Every story must finish within this many cycles.
constexpr uint64_t kTimeoutCycles = 4'000'000;

/// One write or residual read burst.
struct Burst {
  uint32_t addr = 0;
  uint32_t beats = 0;
};

/// Reference of one instruction: its accumulator reads, its write bursts
/// and residual read bursts, or the error found (before the access that
/// caused it). The residual reader and the AW engine walk independently
/// (docs/architecture.md, "Errors"): when the AW engine finds the error, the
/// reader may have read further residual bursts of the walk (res_ahead, all
/// in the window) than the reference's row-by-row order reached.
struct Expect {
  uint64_t reads = 0;  // accumulator rows read (if it gets that far)
  std::vector<Burst> bursts;
  std::vector<Burst> res_bursts;
  std::vector<Burst> res_ahead;
  bool err = false;
  uint32_t cause = 0, err_addr = 0;
};

/// A memory with short random latency and backpressure (the timing of the
/// bench this one replaces).
bus::AxiMemoryConfig QuickMemory(uint64_t seed) {
  bus::AxiMemoryConfig c = bus::AxiMemoryConfig::Default(seed);
  c.min_latency = 1;
  c.max_latency = 10;
  c.aw_ready_prob = 0.67;
  c.w_ready_prob = 0.75;
  c.b_valid_prob = 0.67;
  return c;
}

/// Timing of one story: the memory, the grants of the accumulator port, and
/// the queue and token supply.
struct Timing {
  const char* name;
  bus::AxiMemoryConfig (*memory)(uint64_t seed);
  double grant_prob;
  block::UnitDriverConfig driver;
};

const Timing kTimings[] = {
    {"quick memory, random tokens, heads withdrawn",
     QuickMemory,
     0.8,
     {.gap_prob = 0.25,
      .withdraw_prob = 0.25,
      .tokens = block::TokenSupply::kRandom,
      .token_prob = 0.2}},
    {"default memory, tokens on demand",
     bus::AxiMemoryConfig::Default,
     0.8,
     {.gap_prob = 0.2, .tokens = block::TokenSupply::kOnDemand}},
    {"stress memory, scarce tokens",
     bus::AxiMemoryConfig::Stress,
     0.5,
     {.gap_prob = 0.5, .tokens = block::TokenSupply::kRandom, .token_prob = 0.02, .max_tokens = 1}},
    {"ideal memory, back-to-back instructions",
     bus::AxiMemoryConfig::Ideal,
     1.0,
     {.gap_prob = 0, .tokens = block::TokenSupply::kRandom, .token_prob = 1.0}},
};

/// The DUT, the kernel, the unit driver, the AXI memory, the P and
/// accumulator read ports, and a monitor of the AXI write side.
class StoreBench {
 public:
  StoreBench(const TestContext& ctx, const Timing& timing)
      : rng_(ctx.MakeRng()),
        dut_(npu::sim::NewModel<Model>(ctx)),
        tracer_(*dut_, ctx.trace_path),
        kernel_([this] { dut_->eval(); }),
        clk_(kernel_.AddClock("clk_i", &dut_->clk_i, 10 * npu::sim::kNs)),
        mem_(MemoryPort(), timing.memory(ctx.seed ^ 0x5703'0000'0000'0004ull)),
        driver_(NPU_UNIT_PORT(*dut_, stall_mem_o), clk_, WithUnit(timing.driver, ctx.seed)),
        p_("p",
           {NPU_SIGNAL(*dut_, p_re_o),
            NPU_SIGNAL(*dut_, p_raddr_o),
            NPU_SIGNAL(*dut_, p_rdata_i),
            {}},
           kPRows, kDim, {.seed = ctx.seed ^ 0x9000'0000'0000'0005ull}),
        acc_("acc",
             {NPU_SIGNAL(*dut_, acc_re_o), NPU_SIGNAL(*dut_, acc_raddr_o),
              NPU_SIGNAL(*dut_, acc_rdata_i), NPU_SIGNAL(*dut_, acc_gnt_i)},
             kAccRows, 4 * kDim,
             {.seed = ctx.seed ^ 0xacc0'0000'0000'0006ull, .grant_prob = timing.grant_prob}),
        initial_(kWinSize) {
    kernel_.SetTraceHook(tracer_.Hook());
    for (auto& b : initial_) b = static_cast<uint8_t>(rng_());
    mem_.Write(kWinBase, initial_);
    // Parameter blocks: biases, multipliers and shifts in range (the last
    // block too, until a story spoils it), then the add block(s).
    for (uint32_t g = 0; g + kBlockRows <= kBadAddRow; g += kBlockRows) {
      for (uint32_t row = 0; row < 8; ++row) {
        for (int l = 0; l < kDim / 4; ++l) {
          const int32_t v = row < 4 ? RandomBias() : RandomMult();
          std::memcpy(&p_.row(g + row)[4 * l], &v, 4);
        }
      }
      for (int l = 0; l < kDim; ++l) p_.row(g + 8)[l] = static_cast<uint8_t>(RandomShift());
    }
    FillAddBlock(kAddBlockRow);
    if (kSpareAddBlock) FillAddBlock(kBadAddRow);
    for (uint32_t r = 0; r < kAccRows; ++r) {
      for (int l = 0; l < kDim; ++l) {
        const int32_t v = RandomAcc();
        std::memcpy(&acc_.row(r)[4 * l], &v, 4);
      }
    }
    acc_.set_on_read([this](const block::RamReadPort::Read& r) { OnAccRead(r); });
  }
  ~StoreBench() {
    dut_->final();
    npu::cov::CollectDefaultCoverage();  // make cov
  }

  Model& dut() { return *dut_; }
  npu::sim::Clock& clk() { return clk_; }
  std::mt19937_64& rng() { return rng_; }
  block::UnitDriver& driver() { return driver_; }
  bus::AxiMemory& mem() { return mem_; }
  block::RamReadPort& p_ram() { return p_; }
  /// Whether RandomInstr may give a store add (by default it does, a third
  /// of them).
  void set_add(bool add) { add_ = add; }

  /// Resets the DUT, starts the driver, the memory, the RAM ports and the
  /// monitor, then runs `story` with a timeout.
  void Run(const std::function<Task<>()>& story) {
    kernel_.Run([&]() -> Task<> {
      driver_.ZeroInputs();
      dut_->rst_ni = 0;
      dut_->win_base_i = kWinBase;
      dut_->win_size_i = kWinSize;
      co_await npu::sim::ClockCycles(clk_, 2);
      dut_->rst_ni = 1;
      kernel_.StartSoon(driver_.Run(), "unit_driver");
      kernel_.StartSoon(mem_.Run(clk_), "axi_memory");
      kernel_.StartSoon(p_.Run(clk_), "p_ram");
      kernel_.StartSoon(acc_.Run(clk_), "acc_ram");
      kernel_.StartSoon(Monitor(), "monitor");
      co_await RisingEdge(clk_);
      co_await npu::sim::WithTimeout(story(), clk_, kTimeoutCycles);
    });
  }

  // ---- the program ----------------------------------------------------------

  /// Queues `s` (with opcode `opcode`); returns its reference.
  const Expect& Push(const StoreInstr& s, uint32_t opcode = 3) {
    isa::Word word = s.Encode();
    word[0] = (word[0] & ~0xfu) | opcode;
    instrs_.push_back(s);
    expects_.push_back(Walk(s, opcode));
    writes_.push_back(!expects_.back().bursts.empty());
    first_read_.push_back(std::numeric_limits<uint64_t>::max());
    last_read_.push_back(0);
    const Expect& e = expects_.back();
    if (s.add && !e.err && e.reads > 0) ++add_stores_;
    driver_.Push(block::UnitInstr{word, static_cast<uint32_t>(instrs_.size() - 1),
                                  e.err ? 0 : s.deps.signal});
    return e;
  }

  /// Index the next instruction pushed will have (its pc).
  size_t next_index() const { return instrs_.size(); }

  /// The ISA's `store` (docs/gen/isa.md) and its checks in the order of
  /// docs/architecture.md ("Errors") and of the simulator (sw/iss/iss.cc,
  /// ExecStore), with the burst split (INCR, at most 256 beats, no 4 KiB
  /// crossing) and the window check per burst; with add, row by row, the
  /// residual row's read bursts (at most kResBurst beats, no 4 KiB
  /// crossing, each checked against the window) before the row's writes.
  Expect Walk(const StoreInstr& s, uint32_t opcode) const {
    Expect e;
    const auto fail = [&e](uint32_t cause, uint32_t addr) {
      e.err = true;
      e.cause = cause;
      e.err_addr = addr;
      return e;
    };
    if (opcode != static_cast<uint32_t>(isa::Opcode::kStore) || s.act_min > s.act_max) {
      return fail(kIllegal, 0);
    }
    const uint64_t total = uint64_t{s.ny} * s.nx;
    if (total == 0) return e;
    if (s.p_row + kBlockRows > kPRows || (s.add && uint64_t{s.add_p_row} + kAddRows > kPRows) ||
        s.acc_row + total > kAccRows) {
      return fail(kIllegal, 0);
    }
    if (s.dst_addr % kDim) return fail(kAddrRange, s.dst_addr);
    if (s.dst_row_stride % kDim) return fail(kAddrRange, s.dst_row_stride);
    if (s.add && s.res_addr % kDim) return fail(kAddrRange, s.res_addr);
    if (s.add && s.res_row_stride % kDim) return fail(kAddrRange, s.res_row_stride);
    for (int l = 0; l < kDim; ++l) {
      const int shift = static_cast<int8_t>(p_.row(s.p_row + 8)[l]);
      if (shift < -31 || shift > 30) return fail(kIllegal, 0);
    }
    if (s.add) {
      // Every lane of the checked fields (the shifts), then the clamp ranges.
      const std::vector<uint8_t> block = PBlock(s.add_p_row, kAddRows);
      for (const isa::param::Field& f : isa::param::kAddFields) {
        for (int l = 0; l < kDim && f.checked; ++l) {
          const int32_t v = isa::param::Get(std::span<const uint8_t>(block), kDim, f, l);
          if (v < f.min || v > f.max) return fail(kIllegal, 0);
        }
      }
      for (int l = 0; l < kDim; ++l) {
        const npu::AddParams p = AddParamsOf(block, l);
        if (p.act_min > p.act_max) return fail(kIllegal, 0);
      }
    }
    e.reads = total;
    const uint64_t boundary = npu::arch::kBoundary, max_beats = npu::arch::kMaxBurst;
    const auto outside = [](uint64_t addr, uint64_t beats) {
      return addr < kWinBase || addr + beats * kDim > uint64_t{kWinBase} + kWinSize;
    };
    // The residual bursts of row y into `out` (up to the first outside the
    // window, whose address is returned).
    const auto residual_row = [&](uint64_t y, std::vector<Burst>& out) -> std::optional<uint64_t> {
      uint64_t addr = s.res_addr + y * s.res_row_stride;
      for (uint64_t left = s.nx; left > 0;) {
        const uint64_t beats =
            std::min<uint64_t>({left, npu::arch::kResBurst, (boundary - addr % boundary) / kDim});
        if (outside(addr, beats)) return addr;
        out.push_back({static_cast<uint32_t>(addr), static_cast<uint32_t>(beats)});
        addr += beats * kDim;
        left -= beats;
      }
      return std::nullopt;
    };
    for (uint64_t y = 0; y < s.ny; ++y) {
      if (s.add) {
        if (const auto bad = residual_row(y, e.res_bursts)) {
          return fail(kAddrRange, static_cast<uint32_t>(*bad));
        }
      }
      uint64_t addr = s.dst_addr + y * s.dst_row_stride;
      uint64_t left = s.nx;
      while (left > 0) {
        const uint64_t beats = std::min({left, max_beats, (boundary - addr % boundary) / kDim});
        if (outside(addr, beats)) {
          // Found by the AW engine: the residual reader may be ahead.
          for (uint64_t z = y + 1; s.add && z < s.ny; ++z) {
            if (residual_row(z, e.res_ahead)) break;
          }
          return fail(kAddrRange, static_cast<uint32_t>(addr));
        }
        e.bursts.push_back({static_cast<uint32_t>(addr), static_cast<uint32_t>(beats)});
        addr += beats * kDim;
        left -= beats;
      }
    }
    return e;
  }

  /// A valid random instruction writing a fresh region of the window (or a
  /// long one, `big`).
  StoreInstr RandomInstr(bool big = false) {
    auto& r = rng_;
    StoreInstr s;
    const uint32_t waits = isa::LegalWaitMask(isa::Unit::kStore);
    const uint32_t signals = isa::LegalSignalMask(isa::Unit::kStore);
    for (int b = 0; b < isa::kDepBits; ++b) {
      if (((waits >> b) & 1) && r() % 3 == 0) s.deps.wait |= 1u << b;
      if (((signals >> b) & 1) && r() % 2 == 0) s.deps.signal |= 1u << b;
    }
    s.out_zp = static_cast<int>(r() % 256) - 128;
    int a = static_cast<int>(r() % 256) - 128, b = static_cast<int>(r() % 256) - 128;
    if (r() % 3 == 0) {
      a = -128;
      b = 127;
    }
    s.act_min = std::min(a, b);
    s.act_max = std::max(a, b);
    if (big || r() % 5 == 0) {
      s.ny = 1 + r() % 2;
      s.nx = 1 + r() % std::min<uint32_t>(kAccRows / s.ny, 600);
    } else {
      s.ny = 1 + r() % 5;
      s.nx = 1 + r() % 12;
    }
    if (r() % 25 == 0) s.ny = 0;  // no-op: only the tokens move
    s.acc_row = r() % (kAccRows - s.ny * s.nx + 1);
    s.p_row = kBlockRows * (r() % kGoodBlocks);
    s.dst_row_stride = (s.nx + r() % 3) * kDim;
    // A fresh destination, at a random offset inside a 4 KiB page.
    cursor_ += kDim * (r() % (4096 / kDim));
    s.dst_addr = cursor_;
    cursor_ += s.ny * s.dst_row_stride + kDim;
    if (cursor_ + 64 * 1024 > kWinBase + kWinSize) cursor_ = kDstBase;
    if (add_ && r() % 3 == 0) AddResidual(s);
    return s;
  }

  /// Sets `s` to add a residual from the residual region with the add block:
  /// rows (nx + 0..2) * DIM apart (rarely 0 apart: every row the same), at
  /// a random place where every row fits, also when a story makes it two
  /// rows of up to 12 beats.
  void AddResidual(StoreInstr& s) {
    auto& r = rng_;
    s.add = 1;
    s.add_p_row = kAddBlockRow;
    s.res_row_stride = r() % 16 == 0 ? 0 : (s.nx + r() % 3) * kDim;
    const uint64_t rows = std::max<uint32_t>(s.ny, 2);
    const uint64_t span = (rows - 1) * std::max<uint64_t>(s.res_row_stride, 14 * kDim) +
                          std::max<uint64_t>(s.nx, 12) * kDim;
    s.res_addr = kResBase + kDim * static_cast<uint32_t>(r() % ((kResSize - span) / kDim + 1));
  }

  /// Waits until the unit is idle (or halted and idle) and the memory has
  /// answered every burst.
  Task<> Finish() {
    co_await driver_.WaitIdle();
    while (!mem_.Idle()) co_await RisingEdge(clk_);
    co_await driver_.WaitIdle();
  }

  /// Clear (soft reset): the instructions not yet taken are dropped (they
  /// write nothing); the checks restart with the next instruction pushed.
  Task<> Clear() {
    co_await driver_.Clear();
    const size_t taken = driver_.taken().empty() ? 0 : driver_.taken().back().index + 1;
    for (size_t i = taken; i < writes_.size(); ++i) writes_[i] = false;
    read_instr_ = aw_instr_ = ar_instr_ = instrs_.size();
    read_index_ = aw_index_ = ar_index_ = 0;
    aw_limit_.reset();
  }

  // ---- checks -----------------------------------------------------------------

  /// Every instruction completed: no error, every burst and read as the
  /// reference says, every byte in the window as the reference says (the
  /// initial contents where nothing is written), every token given after
  /// its instruction's reads.
  void CheckComplete() {
    NPU_CHECK(driver_.errors().empty()) << ErrorText();
    NPU_CHECK_EQ(driver_.taken().size(), driver_.pushed());
    SkipDone();
    NPU_CHECK_EQ(aw_instr_, expects_.size()) << "not every burst was announced";
    NPU_CHECK_EQ(ar_instr_, expects_.size()) << "not every residual burst was read";
    NPU_CHECK_EQ(read_instr_, expects_.size()) << "not every accumulator row was read";
    driver_.CheckSignalsGiven();
    CheckSignalTiming();
    CheckMemory(0);
  }

  /// Every byte of the window holds the reference value of the last
  /// instruction that writes it, or its initial value where none does. The
  /// bytes of instructions before `exact_from` (cut short by an error or an
  /// abort), and those an instruction writes before its own error, may also
  /// still hold their initial value.
  void CheckMemory(size_t exact_from) const {
    std::vector<int16_t> want(kWinSize, -1);
    std::vector<bool> exact(kWinSize, false);
    for (size_t i = 0; i < instrs_.size(); ++i) {
      if (writes_[i]) {
        Reference(instrs_[i], expects_[i], i >= exact_from && !expects_[i].err, want, exact);
      }
    }
    std::vector<uint8_t> got(kWinSize);
    mem_.Read(kWinBase, got);
    size_t bad = 0;
    std::string first;
    for (size_t i = 0; i < kWinSize; ++i) {
      const bool fine = want[i] < 0 ? got[i] == initial_[i]
                                    : got[i] == static_cast<uint8_t>(want[i]) ||
                                          (!exact[i] && got[i] == initial_[i]);
      if (!fine && bad++ == 0) {
        first = fmt::format(
            "byte {:#x}: {:#04x}, want {} (initially {:#04x})", kWinBase + i, got[i],
            want[i] < 0 ? std::string("unwritten") : std::to_string(want[i]), initial_[i]);
      }
    }
    NPU_CHECK_EQ(bad, 0u) << "bytes of the window differ; first: " << first;
  }

  /// Each token is given after every accumulator read of its instruction
  /// (and of those before) and before any read of a later instruction.
  void CheckSignalTiming() const {
    const size_t n = instrs_.size();
    std::vector<uint64_t> done_by(n + 1, 0), next_from(n + 1, std::numeric_limits<uint64_t>::max());
    for (size_t k = 0; k < n; ++k) done_by[k + 1] = std::max(done_by[k], last_read_[k]);
    for (size_t k = n; k-- > 0;) next_from[k] = std::min(next_from[k + 1], first_read_[k]);
    for (const block::GivenToken& g : driver_.given()) {
      NPU_CHECK(done_by[g.index + 1] < g.cycle)
          << "token of instruction " << g.index << " given in cycle " << g.cycle
          << ", accumulator rows (of it or before) read until cycle " << done_by[g.index + 1];
      NPU_CHECK(next_from[g.index + 1] > g.cycle)
          << "token of instruction " << g.index << " given in cycle " << g.cycle
          << ", a later instruction's row read in cycle " << next_from[g.index + 1];
    }
  }

  /// Bursts announced, residual bursts read and accumulator rows read of
  /// instruction `k`.
  size_t BurstsOf(size_t k) const {
    if (k < aw_instr_) return expects_[k].bursts.size();
    return k == aw_instr_ ? aw_index_ : 0;
  }
  size_t ResBurstsOf(size_t k) const {
    if (k < ar_instr_) return expects_[k].res_bursts.size();
    return k == ar_instr_ ? ar_index_ : 0;
  }
  uint64_t ReadsOf(size_t k) const {
    if (k < read_instr_) return expects_[k].reads;
    return k == read_instr_ ? read_index_ : 0;
  }
  /// The reference of instruction `k`.
  const Expect& Expected(size_t k) const { return expects_.at(k); }
  /// W beats, those with WSTRB = 0, and bursts announced so far.
  uint64_t beats() const { return beats_; }
  uint64_t filler_beats() const { return filler_beats_; }
  uint64_t bursts() const { return bursts_; }
  /// Stores with add pushed that run (no error, not a no-op), residual
  /// bursts and beats read, and of the reference's add results how many and
  /// how many at a clamp bound.
  uint64_t add_stores() const { return add_stores_; }
  uint64_t res_bursts() const { return res_bursts_; }
  uint64_t res_beats() const { return res_beats_; }
  /// Residual bursts read ahead of the reference's row-by-row order (by an
  /// instruction whose write burst leaves the window).
  uint64_t res_ahead() const { return res_ahead_; }
  /// Residual ARs first shown in the cycle after the error's (see Monitor).
  uint64_t late_ars() const { return late_ars_; }
  /// The residual reads beyond the reference's order and those late, for
  /// the story's output.
  void PrintResidualNotes() const {
    if (res_ahead_ > 0 || late_ars_ > 0) {
      fmt::print(
          "  residual reads: {} ahead of the reference's row order, {} loaded in the error's "
          "cycle{}{}\n",
          res_ahead_, late_ars_, late_ars_ ? " (first: " : "", late_ars_ ? first_late_ + ")" : "");
    }
  }
  uint64_t add_values() const { return add_values_; }
  uint64_t add_clamped() const { return add_clamped_; }

  /// The error reports, for messages.
  std::string ErrorText() const {
    std::string s;
    for (const block::ErrorReport& r : driver_.errors()) {
      s += fmt::format("error cause {} pc {} addr {:#x} in cycle {}; ", r.cause, r.pc, r.addr,
                       r.cycle);
    }
    return s;
  }

 private:
  static block::UnitDriverConfig WithUnit(block::UnitDriverConfig c, uint64_t seed) {
    c.unit = isa::Unit::kStore;
    c.seed = seed ^ 0x5707'0000'0000'0007ull;
    c.halts = true;
    return c;
  }

  bus::AxiPort MemoryPort() {
    bus::AxiPort port;
    block::BindAxiWrite(port, *dut_);
    block::BindAxiRead(port, *dut_);
    return tie_off_.Complete(port, kDim);
  }

  int32_t RandomAcc() {
    switch (rng_() % 6) {
      case 0:
        return static_cast<int32_t>(rng_());
      case 1:
        return rng_() % 2 ? std::numeric_limits<int32_t>::min()
                          : std::numeric_limits<int32_t>::max();
      default:
        return static_cast<int32_t>(rng_() % 200001) - 100000;
    }
  }
  int32_t RandomBias() { return static_cast<int32_t>(rng_() % 20001) - 10000; }
  int32_t RandomMult() {
    switch (rng_() % 8) {
      case 0:
        return static_cast<int32_t>(rng_());
      case 1:
        return std::numeric_limits<int32_t>::min();
      default:
        return static_cast<int32_t>((1u << 30) + rng_() % (1u << 30));
    }
  }
  int RandomShift() { return static_cast<int>(rng_() % 62) - 31; }

  /// An `add` block of legal random lanes at P row `row`: multipliers mostly
  /// in [2^30, 2^31) (sometimes any int32), input shifts mostly -4..0 and the
  /// output shift mostly -24..-19 (sometimes anything in [-31, 0]), so that
  /// most sums are neither tiny nor saturated; input zero points random
  /// int8, the output's mostly small, the clamp range often the full one,
  /// else a wide or a random one.
  void FillAddBlock(uint32_t row) {
    namespace param = isa::param;
    auto& r = rng_;
    std::vector<uint8_t> block(size_t{kAddRows} * kDim);
    const std::span<uint8_t> b(block);
    const auto shift = [&r](int lo, int hi) {
      return r() % 10 == 0 ? -static_cast<int>(r() % 32)
                           : lo + static_cast<int>(r() % (hi - lo + 1));
    };
    const auto i8 = [&r] { return static_cast<int>(r() % 256) - 128; };
    for (int l = 0; l < kDim; ++l) {
      for (const param::Field* f :
           {&param::kAddIn1Mult, &param::kAddIn2Mult, &param::kAddOutMult}) {
        param::Set(b, kDim, *f, l,
                   r() % 10 == 0 ? static_cast<int32_t>(r())
                                 : static_cast<int32_t>((1u << 30) + r() % (1u << 30)));
      }
      param::Set(b, kDim, param::kAddIn1Shift, l, shift(-4, 0));
      param::Set(b, kDim, param::kAddIn2Shift, l, shift(-4, 0));
      param::Set(b, kDim, param::kAddOutShift, l, shift(-24, -19));
      param::Set(b, kDim, param::kAddIn1Zp, l, i8());
      param::Set(b, kDim, param::kAddIn2Zp, l, i8());
      param::Set(b, kDim, param::kAddOutZp, l, r() % 3 ? static_cast<int>(r() % 64) - 32 : i8());
      int lo = i8(), hi = i8();
      switch (r() % 4) {
        case 0:
        case 1:
          lo = -128;
          hi = 127;
          break;
        case 2:
          lo = -128 + static_cast<int>(r() % 64);
          hi = 127 - static_cast<int>(r() % 64);
          break;
        default:
          break;
      }
      param::Set(b, kDim, param::kAddActMin, l, std::min(lo, hi));
      param::Set(b, kDim, param::kAddActMax, l, std::max(lo, hi));
    }
    for (uint32_t i = 0; i < kAddRows; ++i) {
      std::memcpy(p_.row(row + i).data(), &block[size_t{i} * kDim], kDim);
    }
  }

  /// Rows [row, row + rows) of P, concatenated.
  std::vector<uint8_t> PBlock(uint32_t row, uint32_t rows) const {
    std::vector<uint8_t> block(size_t{rows} * kDim);
    for (uint32_t i = 0; i < rows; ++i) {
      std::memcpy(&block[size_t{i} * kDim], p_.row(row + i).data(), kDim);
    }
    return block;
  }

  /// Lane `l` of the `add` block `block` as the numerics' AddParams (the
  /// mapping of sw/iss/iss.cc: offsets are minus the input zero points).
  static npu::AddParams AddParamsOf(const std::vector<uint8_t>& block, int l) {
    namespace param = isa::param;
    const std::span<const uint8_t> b(block);
    const auto get = [&](const param::Field& f) { return param::Get(b, kDim, f, l); };
    npu::AddParams p;
    p.input1 = {get(param::kAddIn1Mult), get(param::kAddIn1Shift)};
    p.input2 = {get(param::kAddIn2Mult), get(param::kAddIn2Shift)};
    p.output = {get(param::kAddOutMult), get(param::kAddOutShift)};
    p.input1_offset = -get(param::kAddIn1Zp);
    p.input2_offset = -get(param::kAddIn2Zp);
    p.output_offset = get(param::kAddOutZp);
    p.act_min = get(param::kAddActMin);
    p.act_max = get(param::kAddActMax);
    return p;
  }

  /// Lane `l` of the i32 field at rows [row, row + 4) of P.
  int32_t PField32(uint32_t row, int l) const {
    const int byte = 4 * l;
    int32_t v;
    std::memcpy(&v, &p_.row(row + byte / kDim)[byte % kDim], 4);
    return v;
  }

  /// The bytes `s` writes (those of the bursts in `e`), into `want` (indexed
  /// from kWinBase; `exact` set to `must`), computed with sw/numerics and
  /// the requantization checked against the independent formulation; with
  /// add, npu::Add of the residual byte (from the initial contents: no store
  /// writes the residual region).
  void Reference(const StoreInstr& s, const Expect& e, bool must, std::vector<int16_t>& want,
                 std::vector<bool>& exact) const {
    const auto in_bursts = [&e](uint64_t addr) {
      for (const Burst& b : e.bursts) {
        if (addr >= b.addr && addr < b.addr + uint64_t{b.beats} * kDim) return true;
      }
      return false;
    };
    std::vector<npu::AddParams> add;
    if (s.add) {
      const std::vector<uint8_t> block = PBlock(s.add_p_row, kAddRows);
      for (int l = 0; l < kDim; ++l) add.push_back(AddParamsOf(block, l));
    }
    for (uint32_t y = 0; y < s.ny; ++y) {
      for (uint32_t x = 0; x < s.nx; ++x) {
        const uint64_t pixel = s.dst_addr + uint64_t{y} * s.dst_row_stride + uint64_t{x} * kDim;
        if (e.err && !in_bursts(pixel)) continue;
        const std::vector<uint8_t>& a = acc_.row(s.acc_row + y * s.nx + x);
        for (int l = 0; l < kDim; ++l) {
          int32_t acc;
          std::memcpy(&acc, &a[4 * l], 4);
          const int32_t bias = PField32(s.p_row, l), mult = PField32(s.p_row + 4, l);
          const int shift = static_cast<int8_t>(p_.row(s.p_row + 8)[l]);
          const int8_t v = npu::Requantize(acc, bias, mult, shift, s.out_zp, s.act_min, s.act_max);
          const int8_t v2 =
              block::RequantizeIndependent(acc, bias, mult, shift, s.out_zp, s.act_min, s.act_max);
          NPU_CHECK_EQ(v, v2) << "sw/numerics and the independent formulation disagree";
          int8_t out = v;
          if (s.add) {
            const uint64_t res =
                s.res_addr + uint64_t{y} * s.res_row_stride + uint64_t{x} * kDim + l;
            NPU_CHECK(res >= kResBase && res < kResBase + kResSize)
                << "residual byte " << res << " outside the residual region";
            out = npu::Add(v, static_cast<int8_t>(initial_[res - kWinBase]), add[l]);
            ++add_values_;
            if (out == add[l].act_min || out == add[l].act_max) ++add_clamped_;
          }
          const size_t i = pixel - kWinBase + static_cast<size_t>(l);
          want[i] = static_cast<uint8_t>(out);
          exact[i] = must;
        }
      }
    }
  }

  /// Moves the AW, AR and read cursors past instructions with nothing left.
  void SkipDone() {
    while (aw_instr_ < expects_.size() && aw_index_ == expects_[aw_instr_].bursts.size() &&
           !expects_[aw_instr_].err) {
      ++aw_instr_;
      aw_index_ = 0;
    }
    while (ar_instr_ < expects_.size() && ar_index_ == expects_[ar_instr_].res_bursts.size() &&
           !expects_[ar_instr_].err) {
      ++ar_instr_;
      ar_index_ = 0;
    }
    while (read_instr_ < expects_.size() && read_index_ == expects_[read_instr_].reads &&
           !(expects_[read_instr_].err && expects_[read_instr_].reads > 0)) {
      ++read_instr_;
      read_index_ = 0;
    }
  }

  /// An accumulator read: the next row of the reference order.
  void OnAccRead(const block::RamReadPort::Read& r) {
    SkipDone();
    NPU_CHECK(read_instr_ < expects_.size() && read_index_ < expects_[read_instr_].reads)
        << "cycle " << r.cycle << ": unexpected accumulator read of row " << r.row;
    NPU_CHECK_EQ(r.row, instrs_[read_instr_].acc_row + read_index_)
        << "cycle " << r.cycle << ": accumulator read " << read_index_ << " of instruction "
        << read_instr_;
    first_read_[read_instr_] = std::min(first_read_[read_instr_], r.cycle);
    last_read_[read_instr_] = r.cycle;
    ++read_index_;
  }

  /// A burst shown on AW or AR (`channel`) against the reference's `want`.
  static void CheckBurst(const char* channel, uint64_t now, size_t instr, size_t index,
                         uint32_t addr, uint32_t beats, const Burst& want) {
    NPU_CHECK(addr == want.addr && beats == want.beats)
        << "cycle " << now << ": " << channel << " of instruction " << instr << " burst " << index
        << ": 0x" << std::hex << addr << std::dec << " x " << beats << ", want 0x" << std::hex
        << want.addr << std::dec << " x " << want.beats;
  }

  /// Checks the AW, W, B, AR and R channels every cycle.
  Task<> Monitor() {
    bool aw_shown = false, w_shown = false, ar_shown = false;
    uint64_t aw_since = 0, w_since = 0, ar_since = 0;
    int64_t announced = 0;  // beats announced on AW and not yet sent on W
    int outstanding = 0;    // bursts announced, B not yet received
    int reading = 0;        // residual bursts accepted on AR, last R beat not yet received
    const uint32_t full = kDim == 32 ? 0xffffffffu : (1u << kDim) - 1;
    for (;;) {
      co_await ReadOnly();
      Model& d = *dut_;
      const uint64_t now = clk_.Cycles();
      // The stop: nothing first shown on AW, and no beat with strobes first
      // shown on W, after abort_i or the cycle the error was found.
      if ((d.abort_i || d.err_o) && !aw_limit_) {
        aw_limit_ = d.abort_i ? now : now - 1;
        stop_by_error_ = !d.abort_i;
      }
      if (d.m_aw_valid_o && !aw_shown) aw_since = now;
      aw_shown = d.m_aw_valid_o && !d.m_aw_ready_i;
      if (d.m_w_valid_o && !w_shown) w_since = now;
      w_shown = d.m_w_valid_o && !d.m_w_ready_i;
      if (d.m_ar_valid_o && !ar_shown) ar_since = now;
      ar_shown = d.m_ar_valid_o && !d.m_ar_ready_i;

      if (d.m_aw_valid_o && d.m_aw_ready_i) {
        const uint32_t addr = d.m_aw_addr_o, beats = d.m_aw_len_o + 1u;
        NPU_CHECK_EQ(d.m_aw_id_o, kAxiId) << "AWID";
        NPU_CHECK(!aw_limit_ || aw_since <= *aw_limit_)
            << "cycle " << now << ": AW first shown in cycle " << aw_since
            << " after the stop in cycle " << *aw_limit_;
        SkipDone();
        NPU_CHECK(aw_instr_ < expects_.size() && aw_index_ < expects_[aw_instr_].bursts.size())
            << "cycle " << now << ": unexpected AW 0x" << std::hex << addr;
        const Burst& want = expects_[aw_instr_].bursts[aw_index_];
        CheckBurst("AW", now, aw_instr_, aw_index_, addr, beats, want);
        ++aw_index_;
        ++bursts_;
        announced += beats;
        ++outstanding;
      }
      if (d.m_w_valid_o && d.m_w_ready_i) {
        NPU_CHECK(announced > 0) << "cycle " << now << ": W beat ahead of its AW";
        --announced;
        ++beats_;
        const uint32_t strb = d.m_w_strb_o;
        NPU_CHECK(strb == full || strb == 0) << "cycle " << now << ": WSTRB " << strb;
        if (strb == 0) ++filler_beats_;
        NPU_CHECK(strb == 0 || !aw_limit_ || w_since <= *aw_limit_)
            << "cycle " << now << ": W beat with data first shown in cycle " << w_since
            << " after the stop in cycle " << *aw_limit_;
      }
      if (d.m_b_valid_i) {
        NPU_CHECK(d.m_b_ready_o) << "cycle " << now << ": BREADY low";
        --outstanding;
      }
      NPU_CHECK(outstanding <= static_cast<int>(npu::arch::kStoreWrites))
          << "cycle " << now << ": " << outstanding << " write bursts without a response";
      // Residual reads: the reference's read split in its order, nothing
      // new after the stop (as on AW).
      if (d.m_ar_valid_o && d.m_ar_ready_i) {
        const uint32_t addr = d.m_ar_addr_o, beats = d.m_ar_len_o + 1u;
        NPU_CHECK_EQ(d.m_ar_id_o, kAxiId) << "ARID";
        NPU_CHECK_EQ(d.m_ar_size_o, static_cast<uint32_t>(std::countr_zero(unsigned{kDim})))
            << "ARSIZE";
        NPU_CHECK_EQ(d.m_ar_burst_o, 1u) << "ARBURST";
        SkipDone();
        // Unlike the AW engine (hold_i), the residual reader may still load
        // an AR in the cycle in which B or the AW engine reports an error; it
        // is first shown in the stop's first cycle. Tolerated, and counted
        // (late_ars), for that one cycle after an error, never after abort_i.
        const bool late = aw_limit_ && stop_by_error_ && ar_since == *aw_limit_ + 1;
        NPU_CHECK(!aw_limit_ || ar_since <= *aw_limit_ || late)
            << "cycle " << now << ": AR 0x" << std::hex << addr << std::dec << " x " << beats
            << " (instruction " << ar_instr_ << " burst " << ar_index_ << ") first shown in cycle "
            << ar_since << " after the stop in cycle " << *aw_limit_ << "; " << ErrorText();
        if (late && late_ars_++ == 0) {
          first_late_ = fmt::format("AR {:#x} x {} of instruction {} in cycle {}, after {}", addr,
                                    beats, ar_instr_, ar_since, ErrorText());
        }
        NPU_CHECK(ar_instr_ < expects_.size() &&
                  ar_index_ <
                      expects_[ar_instr_].res_bursts.size() + expects_[ar_instr_].res_ahead.size())
            << "cycle " << now << ": unexpected AR 0x" << std::hex << addr;
        const Expect& e = expects_[ar_instr_];
        const bool ahead = ar_index_ >= e.res_bursts.size();
        const Burst& want =
            ahead ? e.res_ahead[ar_index_ - e.res_bursts.size()] : e.res_bursts[ar_index_];
        CheckBurst("AR", now, ar_instr_, ar_index_, addr, beats, want);
        ++ar_index_;
        ++res_bursts_;
        res_beats_ += beats;
        if (ahead) ++res_ahead_;
        ++reading;
      }
      if (d.m_r_valid_i) {
        NPU_CHECK(d.m_r_ready_o) << "cycle " << now << ": RREADY low";
        NPU_CHECK(reading > 0) << "cycle " << now << ": R beat without a residual read";
        if (d.m_r_last_i) --reading;
      }
      NPU_CHECK(reading <= static_cast<int>(npu::arch::kResBursts))
          << "cycle " << now << ": " << reading << " residual reads outstanding";
      if (d.idle_o) {
        NPU_CHECK(outstanding == 0 && announced == 0 && !d.m_aw_valid_o && !d.m_w_valid_o)
            << "cycle " << now << ": idle with " << outstanding << " bursts outstanding";
        NPU_CHECK(reading == 0 && !d.m_ar_valid_o)
            << "cycle " << now << ": idle with " << reading << " residual reads outstanding";
      }
      co_await RisingEdge(clk_);
    }
  }

  std::mt19937_64 rng_;
  std::unique_ptr<Model> dut_;
  npu::sim::Tracer<Model> tracer_;
  npu::sim::Kernel kernel_;
  npu::sim::Clock& clk_;
  block::AxiTieOff tie_off_;
  bus::AxiMemory mem_;
  block::UnitDriver driver_;
  block::RamReadPort p_, acc_;
  std::vector<uint8_t> initial_;  // the window's contents at the start
  uint32_t cursor_ = kDstBase;
  bool add_ = true;  // random instructions may have add

  std::vector<StoreInstr> instrs_;
  std::vector<Expect> expects_;
  std::vector<bool> writes_;  // may write (its bytes are expected in memory)
  size_t aw_instr_ = 0, aw_index_ = 0, read_instr_ = 0;
  uint64_t read_index_ = 0;
  std::vector<uint64_t> first_read_, last_read_;  // per instruction
  size_t ar_instr_ = 0, ar_index_ = 0;
  std::optional<uint64_t> aw_limit_;
  uint64_t beats_ = 0, filler_beats_ = 0, bursts_ = 0;
  uint64_t add_stores_ = 0, res_bursts_ = 0, res_beats_ = 0, res_ahead_ = 0, late_ars_ = 0;
  bool stop_by_error_ = false;  // aw_limit_ set by an error report, not abort_i
  std::string first_late_;      // the first late AR, for the story's output
  mutable uint64_t add_values_ = 0, add_clamped_ = 0;  // counted by Reference
};

// Random instruction streams under four timings (memory latency and
// backpressure, accumulator grants, instruction gaps, token arrival): every
// byte, burst, read and token as the reference says.
NPU_SIM_TEST_CASES(store_random, 4) {
  const Timing& t = kTimings[ctx.index % 4];
  StoreBench tb(ctx, t);
  tb.Run([&]() -> Task<> {
    const int count = 300;
    for (int i = 0; i < count; ++i) tb.Push(tb.RandomInstr());
    co_await tb.Finish();
    tb.CheckComplete();
    const auto& c = tb.driver().counters();
    fmt::print(
        "  {}: {} instructions, {} beats, {} bursts in {} cycles (stall_dep {}, stall_mem {})\n",
        t.name, count, tb.beats(), tb.bursts(), c.cycles, c.stall_dep, c.stall_unit);
    fmt::print(
        "  {} stores with add: {} residual beats in {} bursts, {} add results ({} at a clamp "
        "bound)\n",
        tb.add_stores(), tb.res_beats(), tb.res_bursts(), tb.add_values(), tb.add_clamped());
    NPU_CHECK(tb.add_stores() > 0) << "no store with add";
  });
}

// With a bus that is always ready and every accumulator read granted, a long
// store streams one beat per cycle.
NPU_SIM_TEST(store_streaming) {
  StoreBench tb(ctx, kTimings[3]);
  tb.Run([&]() -> Task<> {
    StoreInstr s = tb.RandomInstr(true);
    s.deps = {};
    s.add = 0;
    s.ny = 2;
    s.nx = std::min<uint32_t>(500, kAccRows / 2);
    s.acc_row = 0;
    s.dst_row_stride = s.nx * kDim;
    tb.Push(s);
    co_await tb.driver().WaitTaken();
    const uint64_t start = tb.driver().taken().back().cycle;
    co_await tb.Finish();
    tb.CheckComplete();
    const uint64_t cycles = tb.driver().cycle() - start;
    fmt::print("  {} beats in {} cycles\n", tb.beats(), cycles);
    NPU_CHECK(cycles <= tb.beats() + 40) << tb.beats() << " beats in " << cycles << " cycles";
  });
}

/// A bad instruction between good ones: the report names it (cause, pc,
/// address), nothing of it is announced after its error and nothing after it
/// at all, every byte written is a reference byte, the instructions before it
/// gave their tokens, the unit halts; clear_i restarts it. Without
/// `with_add` only the spoiled instruction may have add.
void ErrorStory(const TestContext& ctx,
                const std::function<void(StoreBench&, StoreInstr&, uint32_t&)>& spoil,
                bool with_add = true) {
  StoreBench tb(ctx, kTimings[ctx.index % 2]);
  tb.set_add(with_add);
  tb.Run([&]() -> Task<> {
    for (int i = 0; i < 4; ++i) tb.Push(tb.RandomInstr());
    StoreInstr bad = tb.RandomInstr();
    bad.ny = std::max<uint32_t>(bad.ny, 1);
    bad.acc_row = 0;
    uint32_t opcode = 3;
    spoil(tb, bad, opcode);
    const size_t k = tb.next_index();
    const Expect e = tb.Push(bad, opcode);
    NPU_CHECK(e.err) << "the spoiled instruction is no error in the reference";
    for (int i = 0; i < 4; ++i) tb.Push(tb.RandomInstr());
    co_await tb.Finish();
    const auto& errors = tb.driver().errors();
    NPU_CHECK_EQ(errors.size(), 1u) << tb.ErrorText();
    NPU_CHECK_EQ(errors[0].cause, e.cause) << tb.ErrorText();
    NPU_CHECK_EQ(errors[0].pc, k);
    NPU_CHECK_EQ(errors[0].addr, e.err_addr);
    NPU_CHECK_EQ(tb.BurstsOf(k + 1), 0u) << "a burst announced after the bad instruction";
    NPU_CHECK_EQ(tb.ResBurstsOf(k + 1), 0u) << "a residual read after the bad instruction";
    NPU_CHECK_EQ(tb.ReadsOf(k + 1), 0u) << "an accumulator row read after the bad instruction";
    NPU_CHECK(tb.driver().halted());
    tb.driver().CheckSignalsGiven(k);
    tb.CheckMemory(tb.next_index());
    tb.PrintResidualNotes();
    co_await tb.Clear();
    const size_t restart = tb.next_index();
    for (int i = 0; i < 10; ++i) tb.Push(tb.RandomInstr());
    co_await tb.Finish();
    NPU_CHECK_EQ(tb.driver().errors().size(), 1u) << tb.ErrorText();
    tb.CheckMemory(restart);
    tb.driver().CheckSignalsGiven();
    tb.CheckSignalTiming();
  });
}

// illegal_instr: the opcode is not `store`.
NPU_SIM_TEST(store_error_opcode) {
  ErrorStory(ctx, [](StoreBench&, StoreInstr&, uint32_t& opcode) { opcode = 1; });
}
// illegal_instr: an empty clamp range, also on a no-op.
NPU_SIM_TEST(store_error_clamp) {
  ErrorStory(ctx, [](StoreBench&, StoreInstr& s, uint32_t&) {
    s.act_min = 5;
    s.act_max = 4;
  });
}
NPU_SIM_TEST(store_error_clamp_noop) {
  ErrorStory(ctx, [](StoreBench&, StoreInstr& s, uint32_t&) {
    s.ny = 0;
    s.act_min = 127;
    s.act_max = -128;
  });
}
// illegal_instr: the parameter block runs past P.
NPU_SIM_TEST(store_error_p_row) {
  ErrorStory(ctx, [](StoreBench&, StoreInstr& s, uint32_t&) { s.p_row = kPRows - 8; });
}
// illegal_instr: the last accumulator row one past the end.
NPU_SIM_TEST(store_error_acc_range) {
  ErrorStory(ctx,
             [](StoreBench&, StoreInstr& s, uint32_t&) { s.acc_row = kAccRows - s.ny * s.nx + 1; });
}
// addr_range: dst_addr or dst_row_stride not a multiple of DIM (the address
// is the field's value).
NPU_SIM_TEST(store_error_misaligned_dst) {
  ErrorStory(ctx, [](StoreBench&, StoreInstr& s, uint32_t&) { s.dst_addr += 1; });
}
NPU_SIM_TEST(store_error_misaligned_stride) {
  ErrorStory(ctx, [](StoreBench&, StoreInstr& s, uint32_t&) {
    s.ny = 2;
    s.nx = std::min<uint32_t>(s.nx, 8);
    s.dst_row_stride += 2;
  });
}
// illegal_instr: a lane's shift outside [-31, 30] in the parameter block.
NPU_SIM_TEST(store_error_shift) {
  ErrorStory(ctx, [](StoreBench& tb, StoreInstr& s, uint32_t&) {
    const int lane = static_cast<int>(tb.rng()() % kDim);
    tb.p_ram().row(kBadBlockRow + 8)[lane] = static_cast<uint8_t>(tb.rng()() % 2 ? 31 : -32);
    s.p_row = kBadBlockRow;
  });
}
// addr_range: with add, res_addr or res_row_stride not a multiple of DIM
// (checked after the destination's fields).
NPU_SIM_TEST(store_error_res_misaligned) {
  ErrorStory(ctx, [](StoreBench& tb, StoreInstr& s, uint32_t&) {
    tb.AddResidual(s);
    if (tb.rng()() % 2) {
      s.res_addr += 1 + static_cast<uint32_t>(tb.rng()() % (kDim - 1));
    } else {
      s.res_row_stride += 1 + static_cast<uint32_t>(tb.rng()() % (kDim - 1));
    }
  });
}
// illegal_instr: a lane of the add block with a shift outside [-31, 0] or
// act_min > act_max. The block spoiled is the spare one; where P has none,
// the one add block, and the story's other stores have no add.
NPU_SIM_TEST_CASES(store_error_add_param, 4) {
  const int kind = ctx.index % 4;
  ErrorStory(
      ctx,
      [kind](StoreBench& tb, StoreInstr& s, uint32_t&) {
        namespace param = isa::param;
        auto& r = tb.rng();
        tb.AddResidual(s);
        s.add_p_row = kBadAddRow;
        const int lane = static_cast<int>(r() % kDim);
        const auto byte = [&](const param::Field& f) -> uint8_t& {
          return tb.p_ram().row(kBadAddRow + f.row)[lane];
        };
        if (kind < 3) {
          const param::Field& f = kind == 0   ? param::kAddIn1Shift
                                  : kind == 1 ? param::kAddIn2Shift
                                              : param::kAddOutShift;
          const int v =
              r() % 2 ? 1 + static_cast<int>(r() % 127) : -32 - static_cast<int>(r() % 97);
          byte(f) = static_cast<uint8_t>(v);
        } else {
          const int lo = static_cast<int8_t>(byte(param::kAddActMin));
          const int hi = static_cast<int8_t>(byte(param::kAddActMax));
          if (lo == hi) {
            byte(param::kAddActMin) = static_cast<uint8_t>(lo == 127 ? 127 : lo + 1);
            byte(param::kAddActMax) = static_cast<uint8_t>(lo == 127 ? 126 : lo);
          } else {
            byte(param::kAddActMin) = static_cast<uint8_t>(hi);
            byte(param::kAddActMax) = static_cast<uint8_t>(lo);
          }
        }
      },
      kSpareAddBlock);
}
// addr_range: the residual starts below the window: its first burst is
// reported (before any write burst of the row, and before the AW engine
// announces anything).
NPU_SIM_TEST(store_error_res_window) {
  ErrorStory(ctx, [](StoreBench& tb, StoreInstr& s, uint32_t&) {
    tb.AddResidual(s);
    s.res_addr = kWinBase - kDim * (1 + static_cast<uint32_t>(tb.rng()() % 64));
  });
}
// addr_range: the second output row ends past the window: the first row's
// bursts go out, the first burst that leaves the window is reported.
NPU_SIM_TEST(store_error_window_end) {
  ErrorStory(ctx, [](StoreBench&, StoreInstr& s, uint32_t&) {
    s.ny = 2;
    s.nx = 8;
    s.dst_row_stride = 4096;
    s.dst_addr = kWinBase + kWinSize - 4096 - 4 * kDim;
  });
}
// addr_range: the destination starts below the window.
NPU_SIM_TEST(store_error_window_start) {
  ErrorStory(ctx, [](StoreBench&, StoreInstr& s, uint32_t&) { s.dst_addr = kWinBase - 64 * kDim; });
}

// Several faults in one instruction: the report is the first in the order of
// the checks (opcode, clamp, no-op, rows (the add block's too), alignment in
// field order (the residual's after the destination's), shifts, window (the
// residual's first row before the destination's)). Case 3k mixes faults of
// every kind, 3k+1 only alignment, shift and window faults, 3k+2 only
// opcode, clamp and row faults.
NPU_SIM_TEST_CASES(store_error_priority, 12) {
  const int kind = ctx.index % 3;
  ErrorStory(ctx, [kind](StoreBench& tb, StoreInstr& s, uint32_t& opcode) {
    auto& r = tb.rng();
    const int lane = static_cast<int>(r() % kDim);
    tb.p_ram().row(kBadBlockRow + 8)[lane] = static_cast<uint8_t>(-40);
    for (;;) {
      StoreInstr t = s;
      uint32_t op = 3;
      int faults = 0;
      const auto maybe = [&](bool allowed, int one_in, const std::function<void()>& fault) {
        if (allowed && r() % one_in == 0) {
          fault();
          ++faults;
        }
      };
      const bool front = kind != 1, later = kind != 2;
      maybe(front, 5, [&] { op = r() % 2 ? 2 : 0; });
      maybe(front, 5, [&] {
        t.act_min = 10;
        t.act_max = -10;
      });
      maybe(front, 4, [&] { t.p_row = kPRows - 1 - r() % 8; });
      maybe(front, 4, [&] { t.acc_row = kAccRows - 1; });
      maybe(front, 5, [&] {
        if (!t.add) tb.AddResidual(t);
        t.add_p_row = kPRows - 1 - static_cast<uint32_t>(r() % (kAddRows - 1));
      });
      maybe(later, 2, [&] { t.dst_addr += 1 + r() % (kDim - 1); });
      maybe(later, 2, [&] {
        t.ny = 2;
        t.dst_row_stride += 1 + r() % (kDim - 1);
      });
      maybe(later, 3, [&] { t.p_row = kBadBlockRow; });
      maybe(later, 3, [&] { t.dst_addr = kWinBase + kWinSize - kDim * (1 + r() % 4); });
      maybe(later, 3, [&] {
        if (!t.add) tb.AddResidual(t);
        t.res_addr += 1 + static_cast<uint32_t>(r() % (kDim - 1));
      });
      maybe(later, 3, [&] {
        if (!t.add) tb.AddResidual(t);
        t.res_row_stride += 1 + static_cast<uint32_t>(r() % (kDim - 1));
      });
      maybe(later, 4, [&] {
        if (!t.add) tb.AddResidual(t);
        t.res_addr = kWinBase - kDim * (1 + static_cast<uint32_t>(r() % 64));
      });
      if (kind == 0 && r() % 8 == 0) t.nx = 0;  // a no-op hides the checks after the clamp
      if (faults >= 2 && tb.Walk(t, op).err) {
        s = t;
        opcode = op;
        return;
      }
    }
  });
}

// SLVERR or DECERR on one write burst: reported with that burst's address
// and instruction; it writes nothing, every other announced burst completes
// (with WSTRB = 0 after the error); the unit halts; clear_i restarts it.
NPU_SIM_TEST_CASES(store_bus_error, 10) {
  StoreBench tb(ctx, kTimings[ctx.index % 2]);
  tb.Run([&]() -> Task<> {
    auto& r = tb.rng();
    for (int i = 0; i < 30; ++i) tb.Push(tb.RandomInstr());
    size_t k;
    do {
      k = r() % 20;
    } while (tb.Expected(k).bursts.empty());
    const Burst burst = tb.Expected(k).bursts[r() % tb.Expected(k).bursts.size()];
    const uint32_t beat = burst.addr + kDim * static_cast<uint32_t>(r() % burst.beats);
    tb.mem().AddError(beat, beat + kDim, r() % 2 ? bus::Resp::kSlvErr : bus::Resp::kDecErr);
    co_await tb.Finish();
    const auto& errors = tb.driver().errors();
    NPU_CHECK_EQ(errors.size(), 1u) << tb.ErrorText();
    NPU_CHECK_EQ(errors[0].cause, kAxiResp);
    NPU_CHECK_EQ(errors[0].addr, burst.addr);
    NPU_CHECK_EQ(errors[0].pc, k);
    NPU_CHECK(tb.driver().halted());
    tb.driver().CheckSignalsGiven(k);
    tb.CheckMemory(tb.next_index());
    tb.PrintResidualNotes();
    co_await tb.Clear();
    tb.mem().ClearErrors();
    const size_t restart = tb.next_index();
    for (int i = 0; i < 10; ++i) tb.Push(tb.RandomInstr());
    co_await tb.Finish();
    NPU_CHECK_EQ(tb.driver().errors().size(), 1u) << tb.ErrorText();
    tb.CheckMemory(restart);
  });
}

// abort_i at a random cycle: no new AW afterwards, announced bursts complete
// with WSTRB = 0, the unit goes idle and halts; every byte written is a
// reference byte; clear_i restarts it, and no filler beat is sent without
// an abort.
NPU_SIM_TEST_CASES(store_abort, 10) {
  StoreBench tb(ctx, kTimings[ctx.index % 2]);
  tb.Run([&]() -> Task<> {
    for (int i = 0; i < 30; ++i) tb.Push(tb.RandomInstr(true));
    co_await npu::sim::ClockCycles(tb.clk(), 100 + tb.rng()() % 3000);
    co_await tb.driver().Abort();
    co_await tb.Finish();
    NPU_CHECK(tb.driver().errors().empty()) << tb.ErrorText();
    NPU_CHECK(tb.driver().halted());
    tb.CheckMemory(tb.next_index());
    const uint64_t fillers = tb.filler_beats();
    co_await tb.Clear();
    const size_t restart = tb.next_index();
    for (int i = 0; i < 10; ++i) tb.Push(tb.RandomInstr());
    co_await tb.Finish();
    NPU_CHECK(tb.driver().errors().empty()) << tb.ErrorText();
    tb.CheckMemory(restart);
    tb.driver().CheckSignalsGiven();
    NPU_CHECK_EQ(tb.filler_beats(), fillers) << "WSTRB = 0 beats without an abort";
  });
}

}  // namespace

int main(int argc, char** argv) { return npu::sim::RunTests(argc, argv); }
