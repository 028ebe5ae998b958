// Block test of npu_load, told as stories on the coroutine harness: random
// `load` instructions (encoded with the generated ISA header) fed through the
// unit driver (tb/block/common) against the AXI memory model of tb/bus
// (random latency, backpressure and gaps, error injection, protocol checks)
// and a reference walk of the ISA semantics written here. A monitor compares
// every scratchpad write, in order, with the reference; every AR with the
// reference burst split (INCR, <= 256 beats, no 4 KiB crossing); counts the
// reads in flight against MaxReads; and checks that nothing is issued or
// written after an error or abort. The signal tokens must come after the
// instruction's last row and before any row of a later instruction. Error
// stories check the report (cause, pc, address, and the priority of the
// checks), that the unit drains and halts, and that clear_i restarts it.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
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
using isa::LoadInstr;
using isa::Spad;
using npu::sim::ReadOnly;
using npu::sim::RisingEdge;
using npu::sim::Task;
using npu::sim::TestContext;

using Model = NPU_MODEL;
/// Parameters of the verilated model (tb/block/load/CMakeLists.txt).
constexpr int kDim = NPU_DIM;
constexpr std::array<uint32_t, 3> kDepth = {NPU_SPAD_A, NPU_SPAD_B, NPU_SPAD_P};
constexpr uint32_t kMaxReads = NPU_MAX_READS;
constexpr uint32_t kAxiId = NPU_AXI_ID;
/// The permitted window; the memory holds random bytes there.
constexpr uint32_t kWinBase = 0x0010'0000, kWinSize = 0x0010'0000;
constexpr uint32_t kIllegal = regs::kErrCauseIllegalInstrMask;
constexpr uint32_t kAddrRange = regs::kErrCauseAddrRangeMask;
constexpr uint32_t kAxiResp = regs::kErrCauseAxiRespMask;
/// Every story must finish within this many cycles.
constexpr uint64_t kTimeoutCycles = 4'000'000;

/// One scratchpad row write.
struct RowWrite {
  int spad = 0;
  uint32_t row = 0;
  std::vector<uint8_t> data;
};

/// One read burst.
struct Burst {
  uint32_t addr = 0;
  uint32_t beats = 0;
};

/// Reference of one instruction: its writes in program order, its bursts,
/// or the error found before the access that caused it.
struct Expect {
  std::vector<RowWrite> writes;
  std::vector<Burst> bursts;
  std::vector<size_t> burst_first_write;  // index in writes of each burst's first row
  bool err = false;
  uint32_t cause = 0, err_addr = 0;
};

/// The memory contents of the window (the reference's copy).
class Image {
 public:
  explicit Image(std::mt19937_64& rng) : bytes_(kWinSize) {
    for (auto& b : bytes_) b = static_cast<uint8_t>(rng());
  }
  uint8_t At(uint64_t addr) const { return bytes_.at(addr - kWinBase); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

/// The ISA's `load` (docs/gen/isa.md), its checks in the order of
/// docs/architecture.md ("Errors"), and the burst split (INCR, at most 256
/// beats, no 4 KiB crossing), written independently of the simulator.
Expect Walk(const LoadInstr& li, uint32_t opcode, const Image& image) {
  Expect e;
  const auto fail = [&e](uint32_t cause, uint32_t addr) {
    e.err = true;
    e.cause = cause;
    e.err_addr = addr;
    return e;
  };
  if (opcode != static_cast<uint32_t>(isa::Opcode::kLoad) || li.spad > Spad::kP || li.sy == 0 ||
      li.sx == 0) {
    return fail(kIllegal, 0);
  }
  if (li.nc == 0 || li.ny == 0 || li.nx == 0) return e;
  const int64_t last =
      int64_t{li.dst_row} + int64_t{li.nc - 1} * li.dst_c_stride + int64_t{li.ny} * li.nx - 1;
  if (last >= kDepth[static_cast<int>(li.spad)]) return fail(kIllegal, 0);
  for (uint32_t v : {li.src_addr, li.src_c_stride, li.src_row_stride}) {
    if (v % kDim) return fail(kAddrRange, v);
  }
  const int64_t win_end = int64_t{kWinBase} + kWinSize;
  const int64_t max_beats = npu::arch::kMaxBurst, boundary = npu::arch::kBoundary;
  for (int64_t c = 0; c < li.nc; ++c) {
    for (int64_t y = 0; y < li.ny; ++y) {
      const int64_t iy = li.y0 + y * li.sy;
      int64_t x = 0;
      while (x < li.nx) {
        const int64_t ix = li.x0 + x * li.sx;
        const int64_t row = li.dst_row + c * li.dst_c_stride + y * li.nx + x;
        if (iy < 0 || iy >= li.h || ix < 0 || ix >= li.w) {
          e.writes.push_back({static_cast<int>(li.spad), static_cast<uint32_t>(row),
                              std::vector<uint8_t>(kDim, static_cast<uint8_t>(li.pad))});
          ++x;
          continue;
        }
        int64_t run = li.sx == 1 ? std::min<int64_t>(li.nx - x, li.w - ix) : 1;
        int64_t addr =
            int64_t{li.src_addr} + c * li.src_c_stride + iy * li.src_row_stride + ix * kDim;
        int64_t r = row;
        while (run > 0) {
          const int64_t beats =
              std::min<int64_t>({run, max_beats, (boundary - addr % boundary) / kDim});
          if (addr < kWinBase || addr + beats * kDim > win_end) {
            return fail(kAddrRange, static_cast<uint32_t>(addr));
          }
          e.bursts.push_back({static_cast<uint32_t>(addr), static_cast<uint32_t>(beats)});
          e.burst_first_write.push_back(e.writes.size());
          for (int64_t b = 0; b < beats; ++b) {
            RowWrite w{static_cast<int>(li.spad), static_cast<uint32_t>(r + b), {}};
            for (int64_t i = 0; i < kDim; ++i) w.data.push_back(image.At(addr + b * kDim + i));
            e.writes.push_back(std::move(w));
          }
          addr += beats * kDim;
          r += beats;
          run -= beats;
          x += beats;
        }
      }
    }
  }
  return e;
}

/// A memory with short random latency and gaps (the timing of the bench
/// this one replaces).
bus::AxiMemoryConfig QuickMemory(uint64_t seed) {
  bus::AxiMemoryConfig c = bus::AxiMemoryConfig::Default(seed);
  c.min_latency = 1;
  c.max_latency = 12;
  c.ar_ready_prob = 0.67;
  c.r_valid_prob = 0.75;
  return c;
}

/// The DUT, the kernel, the unit driver, the AXI memory, and a monitor of
/// the scratchpad writes and the read bursts against the reference.
class LoadBench {
 public:
  LoadBench(const TestContext& ctx, const bus::AxiMemoryConfig& memory,
            block::UnitDriverConfig driver)
      : rng_(ctx.MakeRng()),
        image_(rng_),
        dut_(npu::sim::NewModel<Model>(ctx)),
        tracer_(*dut_, ctx.trace_path),
        kernel_([this] { dut_->eval(); }),
        clk_(kernel_.AddClock("clk_i", &dut_->clk_i, 10 * npu::sim::kNs)),
        mem_(MemoryPort(), memory),
        driver_(NPU_UNIT_PORT(*dut_, stall_mem_o), clk_, WithUnit(driver, ctx.seed)) {
    kernel_.SetTraceHook(tracer_.Hook());
    mem_.Write(kWinBase, image_.bytes());
  }
  ~LoadBench() {
    dut_->final();
    npu::cov::CollectDefaultCoverage();  // make cov
  }

  Model& dut() { return *dut_; }
  npu::sim::Clock& clk() { return clk_; }
  std::mt19937_64& rng() { return rng_; }
  block::UnitDriver& driver() { return driver_; }
  bus::AxiMemory& mem() { return mem_; }
  const Image& image() const { return image_; }

  /// Resets the DUT, starts the driver, the memory and the monitor, then
  /// runs `story` with a timeout.
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
      kernel_.StartSoon(Monitor(), "monitor");
      co_await RisingEdge(clk_);
      co_await npu::sim::WithTimeout(story(), clk_, kTimeoutCycles);
    });
  }

  // ---- the program ----------------------------------------------------------

  /// Queues `li` (with opcode `opcode`); returns its reference.
  const Expect& Push(const LoadInstr& li, uint32_t opcode = 1) {
    isa::Word word = li.Encode();
    word[0] = (word[0] & ~0xfu) | opcode;
    expects_.push_back(Walk(li, opcode, image_));
    first_write_.push_back(std::numeric_limits<uint64_t>::max());
    last_write_.push_back(0);
    const Expect& e = expects_.back();
    const uint32_t pc = static_cast<uint32_t>(expects_.size() - 1);
    driver_.Push(block::UnitInstr{word, pc, e.err ? 0 : li.deps.signal});
    return e;
  }

  /// Index the next instruction pushed will have (its pc).
  size_t next_index() const { return expects_.size(); }
  /// The reference of instruction `k`.
  const Expect& Expected(size_t k) const { return expects_.at(k); }

  /// A random instruction without an error.
  LoadInstr RandomInstr() {
    for (;;) {
      const LoadInstr li = RandomCandidate();
      if (!Walk(li, 1, image_).err) return li;
    }
  }

  /// A random instruction, mostly within the limits: padding, strides,
  /// long contiguous rows (256-beat splits, 4 KiB crossings), no-ops.
  LoadInstr RandomCandidate() {
    auto& r = rng_;
    LoadInstr li;
    const uint32_t waits = isa::LegalWaitMask(isa::Unit::kLoad);
    const uint32_t signals = isa::LegalSignalMask(isa::Unit::kLoad);
    for (int b = 0; b < isa::kDepBits; ++b) {
      if (((waits >> b) & 1) && r() % 3 == 0) li.deps.wait |= 1u << b;
      if (((signals >> b) & 1) && r() % 2 == 0) li.deps.signal |= 1u << b;
    }
    li.spad = static_cast<Spad>(r() % 3);
    li.sy = 1 + r() % (r() % 4 ? 2 : 7);
    li.sx = r() % 2 ? 1 : 1 + r() % 7;
    li.pad = static_cast<int>(r() % 256) - 128;
    const uint32_t depth = kDepth[static_cast<int>(li.spad)];
    if (r() % 4 == 0) {
      li.sx = 1;
      li.nc = 1 + r() % 2;
      li.ny = 1 + r() % 2;
      li.nx = 1 + r() % std::min<uint32_t>(depth / (li.nc * li.ny), 700);
      li.h = li.ny * li.sy;
      li.w = li.nx + r() % 3;
      li.y0 = 0;
      li.x0 = 0;
    } else {
      li.nc = 1 + r() % 3;
      li.ny = 1 + r() % 8;
      li.nx = 1 + r() % 8;
      li.h = 1 + r() % 10;
      li.w = 1 + r() % 10;
      li.y0 = static_cast<int>(r() % 7) - 3;
      li.x0 = static_cast<int>(r() % 7) - 3;
    }
    if (r() % 20 == 0) li.nx = 0;  // no-op: only the tokens move
    li.dst_c_stride = li.ny * li.nx + r() % 4;
    const uint32_t span = (li.nc - 1) * li.dst_c_stride + li.ny * li.nx;
    li.dst_row = span >= depth ? 0 : r() % (depth - span + 1);
    li.src_row_stride = (li.w + r() % 3) * kDim;
    li.src_c_stride = (li.h * (li.w + 3) + r() % 4) * kDim;
    const uint64_t extent = uint64_t{li.nc} * li.src_c_stride + 4096;
    li.src_addr = kWinBase + kDim * (r() % ((kWinSize - extent) / kDim));
    return li;
  }

  /// Waits until the unit is idle (or halted and idle) with no read burst
  /// outstanding.
  Task<> Finish() {
    co_await driver_.WaitIdle();
    while (!mem_.Idle()) co_await RisingEdge(clk_);
    co_await driver_.WaitIdle();
  }

  /// Clear (soft reset): the instructions not yet taken are dropped; the
  /// checks restart with the next instruction pushed.
  Task<> Clear() {
    co_await driver_.Clear();
    write_instr_ = burst_instr_ = expects_.size();
    write_index_ = burst_index_ = 0;
    ar_limit_.reset();
    write_limit_.reset();
  }

  // ---- checks -----------------------------------------------------------------

  /// Every instruction completed without an error: every row written, every
  /// burst issued, every signal given, after the instruction's rows and
  /// before those of later instructions.
  void CheckComplete() {
    NPU_CHECK(driver_.errors().empty()) << ErrorText();
    NPU_CHECK_EQ(driver_.taken().size(), driver_.pushed());
    SkipDone();
    NPU_CHECK_EQ(write_instr_, expects_.size()) << "not every row was written";
    NPU_CHECK_EQ(burst_instr_, expects_.size()) << "not every burst was issued";
    driver_.CheckSignalsGiven();
    CheckSignalTiming();
    NPU_CHECK(mem_.stats().max_reads_in_flight <= static_cast<int>(kMaxReads));
  }

  /// Each token is given after every row of its instruction (and of those
  /// before) was written and before any row of a later instruction.
  void CheckSignalTiming() const {
    const size_t n = expects_.size();
    std::vector<uint64_t> done_by(n + 1, 0);  // last write cycle of instructions < k
    std::vector<uint64_t> next_from(n + 1, std::numeric_limits<uint64_t>::max());
    for (size_t k = 0; k < n; ++k) done_by[k + 1] = std::max(done_by[k], last_write_[k]);
    for (size_t k = n; k-- > 0;) next_from[k] = std::min(next_from[k + 1], first_write_[k]);
    for (const block::GivenToken& g : driver_.given()) {
      if (g.index >= n) continue;
      NPU_CHECK(done_by[g.index + 1] < g.cycle)
          << "token of instruction " << g.index << " given in cycle " << g.cycle
          << ", its rows (or those before) written until cycle " << done_by[g.index + 1];
      NPU_CHECK(next_from[g.index + 1] > g.cycle)
          << "token of instruction " << g.index << " given in cycle " << g.cycle
          << ", a later instruction's row written in cycle " << next_from[g.index + 1];
    }
  }

  /// Rows written of instruction `k`.
  size_t WritesOf(size_t k) const {
    if (k < write_instr_) return expects_[k].writes.size();
    return k == write_instr_ ? write_index_ : 0;
  }
  /// Bursts issued of instruction `k`.
  size_t BurstsOf(size_t k) const {
    if (k < burst_instr_) return expects_[k].bursts.size();
    return k == burst_instr_ ? burst_index_ : 0;
  }
  /// Rows written so far.
  uint64_t rows_written() const { return rows_written_; }

  /// The error reports, for messages.
  std::string ErrorText() const {
    std::string s;
    for (const block::ErrorReport& r : driver_.errors()) {
      s += "error cause " + std::to_string(r.cause) + " pc " + std::to_string(r.pc) + " addr " +
           std::to_string(r.addr) + " in cycle " + std::to_string(r.cycle) + "; ";
    }
    return s;
  }

 private:
  static block::UnitDriverConfig WithUnit(block::UnitDriverConfig c, uint64_t seed) {
    c.unit = isa::Unit::kLoad;
    c.seed = seed ^ 0xd1a7'0000'0000'0001ull;
    c.halts = true;
    return c;
  }

  bus::AxiPort MemoryPort() {
    bus::AxiPort port;
    block::BindAxiRead(port, *dut_);
    return tie_off_.Complete(port, kDim);
  }

  /// Moves the write and burst cursors past instructions with nothing left.
  void SkipDone() {
    while (write_instr_ < expects_.size() && write_index_ == expects_[write_instr_].writes.size() &&
           !expects_[write_instr_].err) {
      ++write_instr_;
      write_index_ = 0;
    }
    while (burst_instr_ < expects_.size() && burst_index_ == expects_[burst_instr_].bursts.size() &&
           !expects_[burst_instr_].err) {
      ++burst_instr_;
      burst_index_ = 0;
    }
  }

  /// Checks the AR and scratchpad-write ports every cycle.
  Task<> Monitor() {
    bool ar_shown = false;
    uint64_t ar_since = 0;
    int in_flight = 0;
    for (;;) {
      co_await ReadOnly();
      Model& d = *dut_;
      const uint64_t now = clk_.Cycles();
      // The stop: an AR shown from the cycle after abort_i, or after the
      // cycle the error was found (the one before its report), must not be
      // issued; no row may be written from the cycle of abort_i or of the
      // error report on.
      if ((d.abort_i || d.err_o) && !write_limit_) {
        ar_limit_ = d.abort_i ? now : now - 1;
        write_limit_ = now;
      }

      // Read bursts: against the reference split, in order.
      if (d.m_ar_valid_o && !ar_shown) ar_since = now;
      ar_shown = d.m_ar_valid_o && !d.m_ar_ready_i;
      if (d.m_r_valid_i && d.m_r_ready_o && d.m_r_last_i) --in_flight;
      if (d.m_ar_valid_o && d.m_ar_ready_i) {
        const uint32_t addr = d.m_ar_addr_o, beats = d.m_ar_len_o + 1u;
        NPU_CHECK_EQ(d.m_ar_id_o, kAxiId) << "ARID";
        NPU_CHECK(!ar_limit_ || ar_since <= *ar_limit_)
            << "cycle " << now << ": AR first shown in cycle " << ar_since
            << " after the stop in cycle " << *ar_limit_;
        SkipDone();
        NPU_CHECK(burst_instr_ < expects_.size() &&
                  burst_index_ < expects_[burst_instr_].bursts.size())
            << "cycle " << now << ": unexpected AR 0x" << std::hex << addr;
        const Burst& want = expects_[burst_instr_].bursts[burst_index_];
        NPU_CHECK(addr == want.addr && beats == want.beats)
            << "cycle " << now << ": AR of instruction " << burst_instr_ << " burst "
            << burst_index_ << ": 0x" << std::hex << addr << std::dec << " x " << beats
            << ", want 0x" << std::hex << want.addr << std::dec << " x " << want.beats;
        ++burst_index_;
        ++in_flight;
        NPU_CHECK(in_flight <= static_cast<int>(kMaxReads))
            << "cycle " << now << ": " << in_flight << " reads in flight";
      }
      if (d.idle_o) {
        NPU_CHECK(in_flight == 0 && !d.m_ar_valid_o)
            << "cycle " << now << ": idle with " << in_flight << " reads in flight";
      }

      // Scratchpad writes: against the reference, in order.
      const int we = d.sp_we_o;
      if (we != 0) {
        NPU_CHECK(we == 1 || we == 2 || we == 4) << "sp_we_o " << we << " is not one-hot";
        NPU_CHECK(!write_limit_ || now < *write_limit_)
            << "cycle " << now << ": scratchpad written after an error or abort";
        SkipDone();
        NPU_CHECK(write_instr_ < expects_.size() &&
                  write_index_ < expects_[write_instr_].writes.size())
            << "cycle " << now << ": unexpected scratchpad write of row " << d.sp_waddr_o;
        const RowWrite& want = expects_[write_instr_].writes[write_index_];
        std::vector<uint8_t> got(kDim);
        NPU_SIGNAL(d, sp_wdata_o).GetBytes(got);
        const int spad = we == 1 ? 0 : we == 2 ? 1 : 2;
        NPU_CHECK(spad == want.spad && d.sp_waddr_o == want.row && got == want.data)
            << "cycle " << now << ": instruction " << write_instr_ << " write " << write_index_
            << ": spad " << spad << " row " << d.sp_waddr_o << ", want spad " << want.spad
            << " row " << want.row << (got == want.data ? "" : " (data differ)");
        first_write_[write_instr_] = std::min(first_write_[write_instr_], now);
        last_write_[write_instr_] = now;
        ++write_index_;
        ++rows_written_;
      }
      co_await RisingEdge(clk_);
    }
  }

  std::mt19937_64 rng_;
  Image image_;
  std::unique_ptr<Model> dut_;
  npu::sim::Tracer<Model> tracer_;
  npu::sim::Kernel kernel_;
  npu::sim::Clock& clk_;
  block::AxiTieOff tie_off_;
  bus::AxiMemory mem_;
  block::UnitDriver driver_;

  std::vector<Expect> expects_;
  size_t write_instr_ = 0, write_index_ = 0, burst_instr_ = 0, burst_index_ = 0;
  std::vector<uint64_t> first_write_, last_write_;  // per instruction
  std::optional<uint64_t> ar_limit_, write_limit_;
  uint64_t rows_written_ = 0;
};

/// Timing of one random story: the memory and the queue and token supply.
struct Timing {
  const char* name;
  bus::AxiMemoryConfig (*memory)(uint64_t seed);
  block::UnitDriverConfig driver;
};

const Timing kTimings[] = {
    {"quick memory, random tokens, heads withdrawn",
     QuickMemory,
     {.gap_prob = 0.25,
      .withdraw_prob = 0.25,
      .tokens = block::TokenSupply::kRandom,
      .token_prob = 0.17}},
    {"default memory, tokens on demand",
     bus::AxiMemoryConfig::Default,
     {.gap_prob = 0.2, .tokens = block::TokenSupply::kOnDemand}},
    {"stress memory, scarce tokens",
     bus::AxiMemoryConfig::Stress,
     {.gap_prob = 0.5, .tokens = block::TokenSupply::kRandom, .token_prob = 0.02, .max_tokens = 1}},
    {"ideal memory, back-to-back instructions",
     bus::AxiMemoryConfig::Ideal,
     {.gap_prob = 0, .tokens = block::TokenSupply::kRandom, .token_prob = 1.0}},
};

/// The memory of timing `t`, seeded from the test's seed.
bus::AxiMemoryConfig MemoryOf(const TestContext& ctx, const Timing& t) {
  return t.memory(ctx.seed ^ 0xa1e0'0000'0000'0002ull);
}

// Random instruction streams under four timings (memory latency and
// backpressure, instruction gaps, token arrival): every row, burst and token
// as the reference says.
NPU_SIM_TEST_CASES(load_random, 4) {
  const Timing& t = kTimings[ctx.index % 4];
  LoadBench tb(ctx, MemoryOf(ctx, t), t.driver);
  tb.Run([&]() -> Task<> {
    const int count = 400;
    for (int i = 0; i < count; ++i) tb.Push(tb.RandomInstr());
    co_await tb.Finish();
    tb.CheckComplete();
    const auto& c = tb.driver().counters();
    fmt::print(
        "  {}: {} instructions, {} rows, {} beats in {} cycles (stall_dep {}, stall_mem {})\n",
        t.name, count, tb.rows_written(), tb.mem().stats().read_beats, c.cycles, c.stall_dep,
        c.stall_unit);
  });
}

/// A bad instruction between good ones: the report names it, nothing of it
/// is issued after its error and nothing after it at all, the unit halts;
/// clear_i restarts it.
void ErrorStory(const TestContext& ctx,
                const std::function<void(LoadBench&, LoadInstr&, uint32_t&)>& spoil) {
  LoadBench tb(ctx, MemoryOf(ctx, kTimings[0]), kTimings[0].driver);
  tb.Run([&]() -> Task<> {
    for (int i = 0; i < 5; ++i) tb.Push(tb.RandomInstr());
    LoadInstr bad = tb.RandomInstr();
    bad.nx = std::max<uint32_t>(bad.nx, 1);
    bad.dst_c_stride = bad.ny * bad.nx;
    bad.dst_row = 0;
    uint32_t opcode = 1;
    spoil(tb, bad, opcode);
    const size_t k = tb.next_index();
    const Expect e = tb.Push(bad, opcode);
    NPU_CHECK(e.err) << "the spoiled instruction is no error in the reference";
    for (int i = 0; i < 5; ++i) tb.Push(tb.RandomInstr());
    co_await tb.Finish();
    const auto& errors = tb.driver().errors();
    NPU_CHECK_EQ(errors.size(), 1u) << tb.ErrorText();
    NPU_CHECK_EQ(errors[0].cause, e.cause);
    NPU_CHECK_EQ(errors[0].pc, k);
    NPU_CHECK_EQ(errors[0].addr, e.err_addr);
    NPU_CHECK(tb.BurstsOf(k) <= e.bursts.size());
    NPU_CHECK_EQ(tb.BurstsOf(k + 1), 0u) << "a burst issued after the bad instruction";
    NPU_CHECK_EQ(tb.WritesOf(k + 1), 0u) << "a row written after the bad instruction";
    NPU_CHECK(tb.driver().halted());
    co_await tb.Clear();
    for (int i = 0; i < 20; ++i) tb.Push(tb.RandomInstr());
    co_await tb.Finish();
    NPU_CHECK_EQ(tb.driver().errors().size(), 1u) << tb.ErrorText();
    tb.CheckSignalTiming();
  });
}

/// Makes `li` a plain copy of `n` contiguous rows into scratchpad `spad`.
void PlainCopy(LoadInstr& li, uint32_t n, Spad spad) {
  li.sx = li.sy = 1;
  li.nc = li.ny = 1;
  li.nx = li.w = n;
  li.h = 1;
  li.x0 = li.y0 = 0;
  li.dst_c_stride = n;
  li.dst_row = 0;
  li.spad = spad;
}

// illegal_instr: the opcode is not `load`.
NPU_SIM_TEST(load_error_opcode) {
  ErrorStory(ctx, [](LoadBench&, LoadInstr&, uint32_t& opcode) { opcode = 2; });
}
// illegal_instr: spad = 3.
NPU_SIM_TEST(load_error_spad) {
  ErrorStory(ctx, [](LoadBench&, LoadInstr& li, uint32_t&) { li.spad = static_cast<Spad>(3); });
}
// illegal_instr: sy = 0.
NPU_SIM_TEST(load_error_sy_zero) {
  ErrorStory(ctx, [](LoadBench&, LoadInstr& li, uint32_t&) { li.sy = 0; });
}
// illegal_instr: sx = 0.
NPU_SIM_TEST(load_error_sx_zero) {
  ErrorStory(ctx, [](LoadBench&, LoadInstr& li, uint32_t&) { li.sx = 0; });
}
// illegal_instr: the last row one past the scratchpad.
NPU_SIM_TEST(load_error_row_range) {
  ErrorStory(ctx, [](LoadBench&, LoadInstr& li, uint32_t&) {
    li.dst_row =
        kDepth[static_cast<int>(li.spad)] - (li.nc - 1) * li.dst_c_stride - li.ny * li.nx + 1;
  });
}
// addr_range: src_addr, src_row_stride or src_c_stride not a multiple of DIM
// (the address is the field's value).
NPU_SIM_TEST(load_error_misaligned_src) {
  ErrorStory(ctx, [](LoadBench&, LoadInstr& li, uint32_t&) { li.src_addr += kDim / 2; });
}
NPU_SIM_TEST(load_error_misaligned_row_stride) {
  ErrorStory(ctx, [](LoadBench&, LoadInstr& li, uint32_t&) { li.src_row_stride += 1; });
}
NPU_SIM_TEST(load_error_misaligned_plane_stride) {
  ErrorStory(ctx, [](LoadBench&, LoadInstr& li, uint32_t&) { li.src_c_stride += kDim - 1; });
}
// addr_range: a plain copy that runs past the end of the window (its first
// bursts are issued, the one that leaves the window is reported).
NPU_SIM_TEST(load_error_window_end) {
  ErrorStory(ctx, [](LoadBench&, LoadInstr& li, uint32_t&) {
    PlainCopy(li, 300, Spad::kA);
    li.src_addr = kWinBase + kWinSize - 200 * kDim;
  });
}
// addr_range: strided columns (one burst per row) whose second row leaves
// the window.
NPU_SIM_TEST(load_error_window_end_strided) {
  ErrorStory(ctx, [](LoadBench&, LoadInstr& li, uint32_t&) {
    li.sx = 2;
    li.sy = 1;
    li.nc = 1;
    li.ny = 2;
    li.nx = 50;
    li.h = 2;
    li.w = 100;
    li.x0 = li.y0 = 0;
    li.dst_c_stride = 100;
    li.dst_row = 0;
    li.spad = Spad::kB;
    li.src_row_stride = 100 * kDim;
    li.src_addr = kWinBase + kWinSize - 150 * kDim;
  });
}
// addr_range: a window with padding that starts below the window.
NPU_SIM_TEST(load_error_window_start) {
  ErrorStory(ctx, [](LoadBench&, LoadInstr& li, uint32_t&) {
    PlainCopy(li, 3, Spad::kA);
    li.nc = 2;
    li.ny = 2;
    li.h = li.w = 5;
    li.x0 = li.y0 = -1;
    li.dst_c_stride = 6;
    li.src_row_stride = 5 * kDim;
    li.src_c_stride = 25 * kDim;
    li.src_addr = kWinBase - 4096;
  });
}

// Several faults in one instruction: the report is the first in the order of
// the checks (opcode and fields, no-op, rows, alignment in field order,
// window). Case 3k mixes faults of every kind, 3k+1 only misaligned fields
// (and the window), 3k+2 only field and row faults.
NPU_SIM_TEST_CASES(load_error_priority, 12) {
  const int kind = ctx.index % 3;
  ErrorStory(ctx, [kind](LoadBench& tb, LoadInstr& li, uint32_t& opcode) {
    auto& r = tb.rng();
    for (;;) {
      LoadInstr t = li;
      uint32_t op = 1;
      int faults = 0;
      const auto maybe = [&](bool allowed, int one_in, const std::function<void()>& fault) {
        if (allowed && r() % one_in == 0) {
          fault();
          ++faults;
        }
      };
      const bool fields = kind != 1, align = kind != 2;
      maybe(fields, 4, [&] { op = r() % 2 ? 0 : 3; });
      maybe(fields, 4, [&] { t.spad = static_cast<Spad>(3); });
      maybe(fields, 5, [&] { t.sy = 0; });
      maybe(fields, 5, [&] { t.sx = 0; });
      maybe(fields, 3, [&] { t.dst_row = 0xffff; });
      maybe(align, 2, [&] { t.src_c_stride += 1 + r() % (kDim - 1); });
      maybe(align, 2, [&] { t.src_row_stride += 1 + r() % (kDim - 1); });
      maybe(align, 2, [&] { t.src_addr += 1 + r() % (kDim - 1); });
      maybe(align, 3, [&] { t.src_addr = kWinBase + kWinSize - kDim; });
      if (kind == 0 && r() % 6 == 0) t.nx = 0;  // a no-op hides the checks after the fields
      if (faults >= 2 && Walk(t, op, tb.image()).err) {
        li = t;
        opcode = op;
        return;
      }
    }
  });
}

// SLVERR or DECERR on one beat: the rows before it are written, that beat and
// everything after are not; the report names the beat's address and
// instruction (the first beat in program order that reads the bad bytes).
NPU_SIM_TEST_CASES(load_bus_error, 10) {
  LoadBench tb(ctx, MemoryOf(ctx, kTimings[0]), kTimings[ctx.index % 2].driver);
  tb.Run([&]() -> Task<> {
    auto& r = tb.rng();
    for (int i = 0; i < 30; ++i) tb.Push(tb.RandomInstr());
    Expect ex;
    LoadInstr li;
    do {
      li = tb.RandomInstr();
      ex = Walk(li, 1, tb.image());
    } while (ex.bursts.empty());
    const size_t k = tb.next_index();
    tb.Push(li);
    for (int i = 0; i < 10; ++i) tb.Push(tb.RandomInstr());
    const size_t burst = r() % ex.bursts.size();
    const uint32_t beat = r() % ex.bursts[burst].beats;
    const uint32_t addr = ex.bursts[burst].addr + beat * kDim;
    const auto resp = r() % 2 ? bus::Resp::kSlvErr : bus::Resp::kDecErr;
    tb.mem().AddError(addr, addr + kDim, resp);
    // An earlier instruction may read the same bytes: the first beat in
    // program order that does is the one reported.
    size_t want_instr = k;
    size_t want_write = ex.burst_first_write[burst] + beat;
    uint32_t want_addr = addr;
    bool found = false;
    for (size_t i = 0; i < k && !found; ++i) {
      const Expect& e = tb.Expected(i);
      for (size_t b = 0; b < e.bursts.size() && !found; ++b) {
        const uint32_t lo = e.bursts[b].addr, hi = lo + e.bursts[b].beats * kDim;
        if (addr >= lo && addr < hi) {
          found = true;
          want_instr = i;
          want_write = e.burst_first_write[b] + (addr - lo) / kDim;
          want_addr = addr;
        }
      }
    }
    co_await tb.Finish();
    const auto& errors = tb.driver().errors();
    NPU_CHECK_EQ(errors.size(), 1u) << tb.ErrorText();
    NPU_CHECK_EQ(errors[0].cause, kAxiResp);
    NPU_CHECK_EQ(errors[0].addr, want_addr);
    NPU_CHECK_EQ(errors[0].pc, want_instr);
    NPU_CHECK_EQ(tb.WritesOf(want_instr), want_write)
        << "rows written of instruction " << want_instr;
    NPU_CHECK_EQ(tb.WritesOf(want_instr + 1), 0u);
    NPU_CHECK(tb.driver().halted());
    co_await tb.Clear();
    tb.mem().ClearErrors();
    for (int i = 0; i < 10; ++i) tb.Push(tb.RandomInstr());
    co_await tb.Finish();
    NPU_CHECK_EQ(tb.driver().errors().size(), 1u) << tb.ErrorText();
  });
}

// abort_i at a random cycle: nothing is issued or written afterwards (the
// monitor), every outstanding R beat is accepted, the unit goes idle and
// halts; clear_i restarts it.
NPU_SIM_TEST_CASES(load_abort, 10) {
  LoadBench tb(ctx, MemoryOf(ctx, kTimings[0]), kTimings[ctx.index % 2].driver);
  tb.Run([&]() -> Task<> {
    for (int i = 0; i < 40; ++i) tb.Push(tb.RandomInstr());
    co_await npu::sim::ClockCycles(tb.clk(), 50 + tb.rng()() % 2000);
    co_await tb.driver().Abort();
    co_await tb.Finish();
    NPU_CHECK(tb.driver().errors().empty()) << tb.ErrorText();
    NPU_CHECK(tb.driver().halted());
    NPU_CHECK(tb.mem().Idle()) << "read bursts left in flight";
    co_await tb.Clear();
    for (int i = 0; i < 20; ++i) tb.Push(tb.RandomInstr());
    co_await tb.Finish();
    NPU_CHECK(tb.driver().errors().empty()) << tb.ErrorText();
    tb.CheckSignalTiming();
  });
}

}  // namespace

int main(int argc, char** argv) { return npu::sim::RunTests(argc, argv); }
