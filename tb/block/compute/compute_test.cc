// Block test of npu_compute with its real memories (npu_compute_tb_top), told
// as stories on the coroutine harness: random sequences of compute
// instructions fed through the unit driver (tb/block/common), with tokens
// arriving randomly late, overlapping accumulator ranges, accumulate on and
// off, no-ops and illegal instructions, against a C++ model of the ISA's
// compute semantics written here. Checks the final accumulator contents
// (read back through the store port), the token takes (the driver), the
// order and timing of the tokens towards load and store against the reads
// and writes seen on the memory ports, the store port's arbitration under
// random probes, the error reports, abort and clear; and measures the
// row-issue efficiency of back-to-back m = 128.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include NPU_MODEL_H
#include "sw/gen/npu_isa.h"
#include "sw/gen/npu_regs.h"
#include "tb/block/common/unit_driver.h"
#include "tb/cov/coverage_sink.h"
#include "tb/sim/power_up.h"
#include "tb/sim/sim.h"
#include "tb/sim/tracer.h"

namespace {

namespace isa = npu::isa;
namespace block = npu::block;
namespace regs = npu::regs;
using isa::ComputeInstr;
using npu::sim::ClockCycles;
using npu::sim::ReadOnly;
using npu::sim::RisingEdge;
using npu::sim::Task;
using npu::sim::TestContext;

using Model = NPU_MODEL;
/// Parameters of the verilated model (tb/block/compute/CMakeLists.txt).
constexpr int kDim = NPU_DIM;
constexpr int kSpadA = NPU_SPAD_A;
constexpr int kSpadB = NPU_SPAD_B;
constexpr int kAcc = NPU_ACC;
/// Rows leave the unit at most this many cycles after issue (array latency
/// 2 * Dim + 1 plus the A read, the accumulator read and the write).
constexpr int kDrain = 2 * kDim + 8;
/// The signal bits: towards load after the last A read, towards store with
/// the last accumulator write.
constexpr int kBitLoad = std::countr_zero(ComputeInstr::kSignalLoad);
constexpr int kBitStore = std::countr_zero(ComputeInstr::kSignalStore);
/// Every story must finish within this many cycles.
constexpr uint64_t kTimeoutCycles = 3'000'000;

using RowI8 = std::array<int8_t, kDim>;
using RowI32 = std::array<uint32_t, kDim>;

/// One instruction of a test program.
struct Instr {
  ComputeInstr ci;
  isa::Word word;
  bool legal = true;  // executes (else: illegal_instr, no tokens given)
};

/// `ci` encoded with opcode `opcode`.
Instr Make(const ComputeInstr& ci, bool legal = true, uint32_t opcode = 2) {
  Instr in;
  in.ci = ci;
  in.word = ci.Encode();
  in.word[0] = (in.word[0] & ~0xfu) | (opcode & 0xfu);
  in.legal = legal;
  return in;
}

/// Whether the instruction's rows are all in range (the hardware's check).
bool InRange(const ComputeInstr& c) {
  if (c.m == 0 || c.nk == 0) return true;
  const uint64_t a_last = uint64_t{c.a_row} + uint64_t{c.nk - 1} * c.a_k_stride + c.m - 1;
  const uint64_t b_last = uint64_t{c.b_row} + uint64_t{c.nk} * kDim - 1;
  const uint64_t acc_last = uint64_t{c.acc_row} + c.m - 1;
  return a_last < kSpadA && b_last < kSpadB && acc_last < kAcc;
}

int8_t RandomInt8(std::mt19937_64& rng) {
  const int pick = static_cast<int>(rng() % 10);
  if (pick == 0) return -128;
  if (pick == 1) return 127;
  return static_cast<int8_t>(rng() & 0xff);
}

/// Counts of a program's memory traffic, totals and per cycle.
struct RunStats {
  int64_t first_row = -1, last_row = -1, rows = 0, cycles = 0;
  int64_t stall_dep = 0, stall_hazard = 0;
};

/// The DUT with its memories, the kernel, the unit driver, a monitor of the
/// memory ports and a prober of the store port.
class ComputeBench {
 public:
  ComputeBench(const TestContext& ctx, block::UnitDriverConfig driver)
      : rng_(ctx.MakeRng()),
        dut_(npu::sim::NewModel<Model>(ctx)),
        tracer_(*dut_, ctx.trace_path),
        kernel_([this] { dut_->eval(); }),
        clk_(kernel_.AddClock("clk_i", &dut_->clk_i, 10 * npu::sim::kNs)),
        driver_(NPU_UNIT_PORT(*dut_, stall_hazard_o), clk_, WithUnit(driver, ctx.seed)),
        a_(kSpadA),
        b_(kSpadB),
        acc_(kAcc) {
    kernel_.SetTraceHook(tracer_.Hook());
  }
  ~ComputeBench() {
    dut_->final();
    npu::cov::CollectDefaultCoverage();  // make cov
  }

  Model& dut() { return *dut_; }
  npu::sim::Clock& clk() { return clk_; }
  std::mt19937_64& rng() { return rng_; }
  block::UnitDriver& driver() { return driver_; }
  std::vector<RowI32>& acc_model() { return acc_; }

  /// Resets the DUT, starts the driver, the monitor and the prober, fills
  /// the memories, then runs `story` with a timeout.
  void Run(const std::function<Task<>()>& story) {
    kernel_.Run([&]() -> Task<> {
      driver_.ZeroInputs();
      dut_->rst_ni = 0;
      co_await ClockCycles(clk_, 2);
      dut_->rst_ni = 1;
      kernel_.StartSoon(driver_.Run(), "unit_driver");
      kernel_.StartSoon(Monitor(), "monitor");
      kernel_.StartSoon(Probe(), "store_port_probe");
      co_await RisingEdge(clk_);
      co_await npu::sim::WithTimeout(Fill(), clk_, kTimeoutCycles);
      co_await npu::sim::WithTimeout(story(), clk_, kTimeoutCycles);
    });
  }

  /// Reads of the store port at random (checked against the arbitration
  /// rule by the monitor) while `on`.
  Task<> SetProbe(bool on) {
    probe_ = on;
    co_await ClockCycles(clk_, 2);
  }

  /// Runs a program to completion and checks the tokens (timing and order),
  /// the memory traffic and the errors against the model, which executes it.
  /// An illegal instruction ends the program: the unit reports it and halts
  /// (the caller clears it); nothing after it is pushed.
  Task<RunStats> RunProgram(const std::vector<Instr>& prog) {
    // Expected traffic when each token is given, from the program's start.
    const int64_t base_a = static_cast<int64_t>(a_reads_.size());
    const int64_t base_b = static_cast<int64_t>(b_reads_.size());
    const int64_t base_w = static_cast<int64_t>(acc_writes_.size());
    const size_t first = driver_.pushed();
    const size_t errors_before = driver_.errors().size();
    const size_t given_before = driver_.given().size();
    std::vector<uint32_t> want_err_pc;
    std::vector<std::array<int64_t, 3>> cum(prog.size());  // A reads, B reads, acc writes
    int64_t cum_a = 0, cum_b = 0, cum_w = 0;
    std::array<size_t, isa::kDepBits> want_tokens{};
    for (size_t i = 0; i < prog.size(); ++i) {
      const Instr& in = prog[i];
      const auto pc = static_cast<uint32_t>(first + i);
      if (!in.legal) {
        // The unit reports it and halts: nothing after it runs.
        want_err_pc.push_back(pc);
        driver_.Push(block::UnitInstr{in.word, pc, 0});
        break;
      }
      if (in.ci.m != 0 && in.ci.nk != 0) {
        cum_a += int64_t{in.ci.m} * in.ci.nk;
        cum_w += int64_t{in.ci.m} * in.ci.nk;
        cum_b += int64_t{in.ci.nk} * kDim;
      }
      cum[i] = {base_a + cum_a, base_b + cum_b, base_w + cum_w};
      const uint32_t signal = in.legal ? in.ci.deps.signal : 0;
      for (int b = 0; b < isa::kDepBits; ++b) want_tokens[b] += (signal >> b) & 1;
      if (in.legal) Execute(in.ci);
      driver_.Push(block::UnitInstr{in.word, pc, signal});
    }
    const uint64_t start = clk_.Cycles();
    const auto c0 = driver_.counters();
    const size_t rows0 = row_cycles_.size();
    co_await driver_.WaitIdle(5);

    RunStats st;
    st.cycles = static_cast<int64_t>(clk_.Cycles() - start);
    st.stall_dep = static_cast<int64_t>(driver_.counters().stall_dep - c0.stall_dep);
    st.stall_hazard = static_cast<int64_t>(driver_.counters().stall_unit - c0.stall_unit);
    st.rows = static_cast<int64_t>(row_cycles_.size() - rows0);
    if (st.rows > 0) {
      st.first_row = static_cast<int64_t>(row_cycles_[rows0]);
      st.last_row = static_cast<int64_t>(row_cycles_.back());
    }
    NPU_CHECK_EQ(static_cast<int64_t>(a_reads_.size()), base_a + cum_a) << "A reads";
    NPU_CHECK_EQ(static_cast<int64_t>(b_reads_.size()), base_b + cum_b) << "B reads";
    NPU_CHECK_EQ(static_cast<int64_t>(acc_writes_.size()), base_w + cum_w) << "accumulator writes";
    NPU_CHECK_EQ(st.rows, cum_w) << "rows into the array";
    std::vector<uint32_t> err_pc;
    for (size_t i = errors_before; i < driver_.errors().size(); ++i) {
      const block::ErrorReport& r = driver_.errors()[i];
      NPU_CHECK_EQ(r.cause, regs::kErrCauseIllegalInstrMask) << "error of pc " << r.pc;
      NPU_CHECK_EQ(r.addr, 0u) << "error of pc " << r.pc;
      err_pc.push_back(r.pc);
    }
    NPU_CHECK(err_pc == want_err_pc)
        << err_pc.size() << " errors, " << want_err_pc.size() << " illegal instructions";
    NPU_CHECK_EQ(driver_.halted(), !want_err_pc.empty()) << "halted after an illegal instruction";
    driver_.CheckSignalsGiven();
    std::array<size_t, isa::kDepBits> tokens{};
    for (size_t i = given_before; i < driver_.given().size(); ++i) {
      const block::GivenToken& g = driver_.given()[i];
      ++tokens[g.bit];
      NPU_CHECK(g.index >= first) << "a token of an earlier program";
      const auto& want = cum[g.index - first];
      if (g.bit == kBitLoad) {
        // After the instruction's last A read (all in earlier cycles) and
        // all its B reads.
        NPU_CHECK_EQ(CountBefore(a_reads_, g.cycle), want[0])
            << "A reads before the token towards load of instruction " << g.index;
        NPU_CHECK(CountBefore(b_reads_, g.cycle) >= want[1])
            << "B reads before the token towards load of instruction " << g.index;
      } else if (g.bit == kBitStore) {
        // With the instruction's last accumulator write.
        NPU_CHECK_EQ(CountBefore(acc_writes_, g.cycle + 1), want[2])
            << "accumulator writes up to the token towards store of instruction " << g.index;
      }
    }
    NPU_CHECK(tokens == want_tokens) << "tokens given";
    co_return st;
  }

  /// Reads accumulator rows [lo, hi) through the store port and compares
  /// them with the model.
  Task<> CheckAcc(int lo = 0, int hi = kAcc) {
    co_await SetProbe(false);
    int bad = 0;
    for (int r = lo; r <= hi; ++r) {
      if (r < hi) {
        dut_->st_re_i = 1;
        dut_->st_raddr_i = r;
      } else {
        dut_->st_re_i = 0;
      }
      co_await ReadOnly();
      if (r < hi) {
        NPU_CHECK_EQ(dut_->st_gnt_o, 1) << "store port read of row " << r;
      }
      if (r > lo) {
        // The data of the previous row's read.
        std::array<uint32_t, kDim> got{};
        ReadLanes(got);
        for (int l = 0; l < kDim && bad < 10; ++l) {
          if (got[l] != acc_[r - 1][l]) {
            ++bad;
            fmt::print("  acc[{}][{}] = {}, want {}\n", r - 1, l, static_cast<int32_t>(got[l]),
                       static_cast<int32_t>(acc_[r - 1][l]));
          }
        }
      }
      co_await RisingEdge(clk_);
    }
    NPU_CHECK_EQ(bad, 0) << "accumulator rows differ from the model (first ones printed)";
  }

  /// A random legal instruction; half of them overlap the previous one's
  /// accumulator rows.
  ComputeInstr RandomLegal() {
    auto& r = rng_;
    ComputeInstr c;
    if (r() % 3 == 0) c.deps.wait |= ComputeInstr::kWaitLoad;
    if (r() % 3 == 0) c.deps.wait |= ComputeInstr::kWaitStore;
    if (r() % 3 == 0) c.deps.signal |= ComputeInstr::kSignalLoad;
    if (r() % 3 == 0) c.deps.signal |= ComputeInstr::kSignalStore;
    c.accumulate = r() & 1;
    const int mk = static_cast<int>(r() % 20);
    c.m = mk < 4 ? 1 + r() % 4 : mk < 7 ? 120 + r() % 20 : 1 + r() % 300;
    c.m = std::min<uint32_t>(c.m, kAcc);
    c.nk = 1 + r() % 6;
    if (r() % 2) {
      const int64_t row = int64_t{last_acc_row_} + static_cast<int64_t>(r() % 7) - 3;
      c.acc_row = static_cast<uint32_t>(std::clamp<int64_t>(row, 0, kAcc - c.m));
    } else {
      c.acc_row = static_cast<uint32_t>(r() % (kAcc - c.m + 1));
    }
    last_acc_row_ = c.acc_row;
    const uint32_t max_stride = c.nk > 1 ? (kSpadA - c.m) / (c.nk - 1) : 400;
    c.a_k_stride = static_cast<uint32_t>(r() % (std::min<uint32_t>(max_stride, 400) + 1));
    c.a_row = static_cast<uint32_t>(r() % (kSpadA - c.m - (c.nk - 1) * c.a_k_stride + 1));
    c.b_row = static_cast<uint32_t>(r() % (kSpadB - c.nk * kDim + 1));
    return c;
  }

  /// Cycles with a row into the array, A reads, B reads, accumulator writes.
  const std::vector<uint64_t>& row_cycles() const { return row_cycles_; }
  const std::vector<uint64_t>& a_read_cycles() const { return a_reads_; }
  const std::vector<uint64_t>& b_read_cycles() const { return b_reads_; }
  const std::vector<uint64_t>& acc_write_cycles() const { return acc_writes_; }

 private:
  static block::UnitDriverConfig WithUnit(block::UnitDriverConfig c, uint64_t seed) {
    c.unit = isa::Unit::kCompute;
    c.seed = seed ^ 0xc0de'0000'0000'0003ull;
    c.halts = true;            // an illegal instruction or abort halts it until clear_i
    c.drains_on_error = true;  // earlier instructions finish after the report
    return c;
  }

  /// Entries of the sorted `cycles` before `cycle`.
  static int64_t CountBefore(const std::vector<uint64_t>& cycles, uint64_t cycle) {
    return std::lower_bound(cycles.begin(), cycles.end(), cycle) - cycles.begin();
  }

  void ReadLanes(std::array<uint32_t, kDim>& out) const {
    std::array<uint8_t, 4 * kDim> bytes{};
    NPU_SIGNAL(*dut_, st_rdata_o).GetBytes(bytes);
    for (int l = 0; l < kDim; ++l) {
      out[l] = uint32_t{bytes[4 * l]} | uint32_t{bytes[4 * l + 1]} << 8 |
               uint32_t{bytes[4 * l + 2]} << 16 | uint32_t{bytes[4 * l + 3]} << 24;
    }
  }

  /// Backdoor fill of both scratchpads and the accumulators with random
  /// data, one row per cycle.
  Task<> Fill() {
    auto& r = rng_;
    Model& d = *dut_;
    for (int sp = 0; sp < 2; ++sp) {
      auto& mem = sp == 0 ? a_ : b_;
      for (size_t row = 0; row < mem.size(); ++row) {
        std::array<uint8_t, kDim> bytes{};
        for (int l = 0; l < kDim; ++l) {
          mem[row][l] = RandomInt8(r);
          bytes[l] = static_cast<uint8_t>(mem[row][l]);
        }
        NPU_SIGNAL(d, bd_wdata_i).SetBytes(bytes);
        d.bd_a_we_i = sp == 0;
        d.bd_b_we_i = sp == 1;
        d.bd_waddr_i = static_cast<uint16_t>(row);
        co_await RisingEdge(clk_);
      }
    }
    d.bd_a_we_i = 0;
    d.bd_b_we_i = 0;
    for (int row = 0; row < kAcc; ++row) {
      std::array<uint8_t, 4 * kDim> bytes{};
      for (int l = 0; l < kDim; ++l) {
        // Values near the int32 limits make the wrapping visible.
        const int pick = static_cast<int>(r() % 4);
        const uint32_t v = pick == 0   ? 0x7fffff00u + static_cast<uint32_t>(r() % 512)
                           : pick == 1 ? 0x80000000u + static_cast<uint32_t>(r() % 256)
                                       : static_cast<uint32_t>(r());
        acc_[row][l] = v;
        for (int i = 0; i < 4; ++i) bytes[4 * l + i] = static_cast<uint8_t>(v >> (8 * i));
      }
      NPU_SIGNAL(d, bd_acc_wdata_i).SetBytes(bytes);
      d.bd_acc_we_i = 1;
      d.bd_acc_waddr_i = row;
      co_await RisingEdge(clk_);
    }
    d.bd_acc_we_i = 0;
    co_await RisingEdge(clk_);
  }

  /// The ISA's compute semantics on the C++ memories (int32 wrapping).
  void Execute(const ComputeInstr& c) {
    for (uint32_t k = 0; k < c.nk; ++k) {
      for (uint32_t i = 0; i < c.m; ++i) {
        const RowI8& a = a_[c.a_row + k * c.a_k_stride + i];
        RowI32& acc = acc_[c.acc_row + i];
        for (int col = 0; col < kDim; ++col) {
          uint32_t s = (k == 0 && !c.accumulate) ? 0u : acc[col];
          for (int r = 0; r < kDim; ++r) {
            s += static_cast<uint32_t>(int32_t{a[r]} * int32_t{b_[c.b_row + k * kDim + r][col]});
          }
          acc[col] = s;
        }
      }
    }
  }

  /// Logs the memory traffic and checks the store port's arbitration: a
  /// store read is refused exactly when compute reads the same accumulator
  /// half in that cycle.
  Task<> Monitor() {
    for (;;) {
      co_await ReadOnly();
      const Model& d = *dut_;
      const uint64_t now = clk_.Cycles();
      if (d.st_re_i) {
        const bool same = d.acc_re_o && ((d.acc_raddr_o ^ d.st_raddr_i) & (kAcc / 2)) == 0;
        NPU_CHECK_EQ(d.st_gnt_o, same ? 0 : 1)
            << "cycle " << now << ": store read of row " << d.st_raddr_i << ", compute reads "
            << (d.acc_re_o ? std::to_string(d.acc_raddr_o) : std::string("nothing"));
      }
      if (d.a_re_o) a_reads_.push_back(now);
      if (d.b_re_o) b_reads_.push_back(now);
      if (d.acc_we_o) acc_writes_.push_back(now);
      if (d.row_o) row_cycles_.push_back(now);
      co_await RisingEdge(clk_);
    }
  }

  /// Random store-port reads while probe_ is set.
  Task<> Probe() {
    bool probing = false;
    for (;;) {
      co_await RisingEdge(clk_);
      if (probe_) {
        dut_->st_re_i = rng_() & 1;
        dut_->st_raddr_i = static_cast<uint32_t>(rng_() % kAcc);
        probing = true;
      } else if (probing) {
        dut_->st_re_i = 0;
        probing = false;
      }
    }
  }

  std::mt19937_64 rng_;
  std::unique_ptr<Model> dut_;
  npu::sim::Tracer<Model> tracer_;
  npu::sim::Kernel kernel_;
  npu::sim::Clock& clk_;
  block::UnitDriver driver_;
  std::vector<RowI8> a_, b_;
  std::vector<RowI32> acc_;
  uint32_t last_acc_row_ = 0;
  bool probe_ = true;
  std::vector<uint64_t> a_reads_, b_reads_, acc_writes_, row_cycles_;
};

/// The queue as a FIFO fed with random gaps, tokens arriving at random.
constexpr block::UnitDriverConfig kRandomQueue{
    .gap_prob = 0.25, .max_gap = 7, .tokens = block::TokenSupply::kRandom, .token_prob = 0.3};
/// Instructions back to back, every token there at once.
constexpr block::UnitDriverConfig kBackToBack{
    .gap_prob = 0, .tokens = block::TokenSupply::kRandom, .token_prob = 1.0};

// Random sequences under three token supplies (at random, 30% per cycle and
// queue, or 2% with at most one token held; on demand, 0 to 40 cycles after
// the head starts waiting), with
// overlapping accumulator rows, no-ops that still move tokens, and random
// store-port probes; the accumulators are compared after each sequence.
NPU_SIM_TEST(compute_random_sequences) {
  ComputeBench tb(ctx, kRandomQueue);
  tb.Run([&]() -> Task<> {
    auto& r = tb.rng();
    for (int seq = 0; seq < 6; ++seq) {
      std::vector<Instr> prog;
      const int n = 10 + static_cast<int>(r() % 20);
      for (int i = 0; i < n; ++i) {
        ComputeInstr c = tb.RandomLegal();
        if (r() % 100 < 5) {
          // A no-op: tokens still move.
          if (r() & 1) {
            c.m = 0;
          } else {
            c.nk = 0;
          }
          if (r() & 1) c.acc_row = 0xffff;  // out of range but never used
        }
        prog.push_back(Make(c));
      }
      switch (seq % 3) {
        case 0:
          tb.driver().SetTokenSupply(block::TokenSupply::kRandom, 0.3);
          break;
        case 1:
          tb.driver().SetTokenSupply(block::TokenSupply::kRandom, 0.02, 1);
          break;
        default:
          tb.driver().SetTokenSupply(block::TokenSupply::kOnDemand, 0);
          tb.driver().SetTokenDelay(40);
      }
      const RunStats st = co_await tb.RunProgram(prog);
      fmt::print(
          "  sequence {}: {} instructions, {} rows in {} cycles, stall_dep {}, stall_hazard {}\n",
          seq, n, st.rows, st.cycles, st.stall_dep, st.stall_hazard);
      co_await tb.CheckAcc();
      co_await tb.SetProbe(true);
    }
  });
}

// Tiny m back to back into the same rows: chunk after chunk of one row
// accumulates into the same accumulator row (read after write).
NPU_SIM_TEST(compute_small_m_same_rows) {
  ComputeBench tb(ctx, kBackToBack);
  tb.Run([&]() -> Task<> {
    auto& r = tb.rng();
    std::vector<Instr> prog;
    for (int i = 0; i < 24; ++i) {
      ComputeInstr c;
      c.m = 1 + i % 3;
      c.nk = 1 + i % 6;
      c.accumulate = i % 4 != 0;
      c.acc_row = 7;
      c.a_row = static_cast<uint32_t>(r() % 100);
      c.a_k_stride = static_cast<uint32_t>(r() % 3);
      c.b_row = static_cast<uint32_t>(r() % (kSpadB - c.nk * kDim + 1));
      if (i % 2) c.deps.signal |= ComputeInstr::kSignalStore;
      if (i % 3 == 0) c.deps.signal |= ComputeInstr::kSignalLoad;
      prog.push_back(Make(c));
    }
    co_await tb.RunProgram(prog);
    co_await tb.CheckAcc();
  });
}

// Out-of-range rows (A, B, accumulator, each one past the end), opcodes other
// than compute, and fields whose products overflow 32 bits: each is reported
// as illegal_instr with its pc, takes its tokens, gives none, and halts the
// unit (nothing after it runs) until clear_i; the legal instructions before
// it run normally, and after clear_i the unit runs again.
NPU_SIM_TEST(compute_illegal_instructions) {
  ComputeBench tb(ctx, {.gap_prob = 0.25, .max_gap = 7, .token_prob = 0.2});
  tb.Run([&]() -> Task<> {
    auto& r = tb.rng();
    std::vector<ComputeInstr> bad;
    std::vector<uint32_t> opcode;
    const auto add = [&](ComputeInstr c, uint32_t op = 2) {
      c.deps.signal = ComputeInstr::kSignalLoad | ComputeInstr::kSignalStore;
      if (r() & 1) c.deps.wait |= ComputeInstr::kWaitLoad;
      bad.push_back(c);
      opcode.push_back(op);
    };
    ComputeInstr c = tb.RandomLegal();
    c.a_row = kSpadA - c.m - (c.nk - 1) * c.a_k_stride + 1;  // last A row one past the end
    add(c);
    c = tb.RandomLegal();
    c.b_row = kSpadB - c.nk * kDim + 1;  // last B row one past the end
    add(c);
    c = tb.RandomLegal();
    c.acc_row = kAcc - c.m + 1;  // last accumulator row one past the end
    add(c);
    add(tb.RandomLegal(), 3);  // not a compute opcode
    add(tb.RandomLegal(), 0);
    c = tb.RandomLegal();
    c.nk = 0xffff;  // huge: (nk - 1) * a_k_stride overflows 32 bits
    c.a_k_stride = 0xffff;
    c.m = 0xffff;
    add(c);
    for (size_t i = 0; i < bad.size(); ++i) {
      std::vector<Instr> prog;
      for (int n = static_cast<int>(r() % 3); n > 0; --n) prog.push_back(Make(tb.RandomLegal()));
      prog.push_back(Make(bad[i], false, opcode[i]));
      for (const Instr& in : prog) {
        NPU_CHECK_EQ(InRange(in.ci) && (in.word[0] & 0xf) == 2, in.legal) << "bench error";
      }
      co_await tb.RunProgram(prog);
      co_await tb.driver().Clear();
    }
    std::vector<Instr> prog;
    for (int n = 0; n < 4; ++n) prog.push_back(Make(tb.RandomLegal()));
    co_await tb.RunProgram(prog);
    co_await tb.CheckAcc();
  });
}

// Back-to-back instructions (and chunks) with m = 128: rows issued per cycle
// between the first and the last row.
NPU_SIM_TEST(compute_efficiency_m128) {
  ComputeBench tb(ctx, kBackToBack);
  tb.Run([&]() -> Task<> {
    auto& r = tb.rng();
    co_await tb.SetProbe(false);
    for (int nk : {1, 2, 4}) {
      std::vector<Instr> prog;
      for (int i = 0; i < 32; ++i) {
        ComputeInstr c;
        c.m = 128;
        c.nk = nk;
        c.accumulate = i % 2;
        c.acc_row = static_cast<uint32_t>((i % 2) * 128);
        c.a_row = static_cast<uint32_t>(r() % (kSpadA - 128 * nk + 1) / 2);
        c.a_k_stride = 128;
        c.b_row = static_cast<uint32_t>(r() % (kSpadB - nk * kDim + 1));
        if (i % 4 == 3) c.deps.signal |= ComputeInstr::kSignalStore;
        prog.push_back(Make(c));
      }
      const RunStats st = co_await tb.RunProgram(prog);
      const double eff =
          static_cast<double>(st.rows) / static_cast<double>(st.last_row - st.first_row + 1);
      const double eff_total = static_cast<double>(st.rows) / static_cast<double>(st.cycles);
      fmt::print(
          "  Dim {}, m = 128, nk = {}, 32 instructions: row-issue efficiency {:.2f}% (first to "
          "last row), {:.2f}% including start-up and drain\n",
          kDim, nk, 100.0 * eff, 100.0 * eff_total);
      NPU_CHECK(eff > 0.9) << "row-issue efficiency " << eff;  // loose; the figure is what matters
      co_await tb.CheckAcc();
    }
  });
}

// abort_i (a one-cycle pulse) in the middle of a long instruction: no row,
// A read or B read from the next cycle on, the rows in the array drain
// (written within kDrain cycles), the unit goes idle, gives no token for the
// aborted work and halts; after clear_i new instructions run normally.
NPU_SIM_TEST(compute_abort_drains_and_recovers) {
  ComputeBench tb(ctx, kBackToBack);
  tb.Run([&]() -> Task<> {
    const std::vector<RowI32> snapshot = tb.acc_model();
    ComputeInstr c;
    c.m = std::min(300, kAcc / 2);
    c.nk = 6;
    c.a_k_stride = 1;
    c.deps.signal = ComputeInstr::kSignalLoad | ComputeInstr::kSignalStore;
    block::UnitDriver& d = tb.driver();
    const size_t rows0 = tb.row_cycles().size(), writes0 = tb.acc_write_cycles().size();
    d.Push(block::UnitInstr{c.Encode(), 50, 0});  // aborted: no token expected
    co_await d.WaitTaken();
    co_await ClockCycles(tb.clk(), 400);
    co_await d.Abort();
    const uint64_t abort = d.abort_cycle();
    for (int t = 0; t < 3 * kDrain; ++t) {
      co_await ReadOnly();
      const Model& m = tb.dut();
      const uint64_t now = tb.clk().Cycles();
      NPU_CHECK(!m.row_o && !m.a_re_o && !m.b_re_o) << "cycle " << now << " after abort";
      if (now > abort + kDrain) {
        NPU_CHECK(!m.acc_we_o && m.idle_o) << "cycle " << now << ": still busy after the drain";
      }
      co_await RisingEdge(tb.clk());
    }
    const size_t rows = tb.row_cycles().size() - rows0;
    const size_t writes = tb.acc_write_cycles().size() - writes0;
    NPU_CHECK(rows > 0);
    NPU_CHECK_EQ(writes, rows) << "rows in the array at the abort were not all written";
    NPU_CHECK(tb.row_cycles().back() <= abort) << "a row after the abort";
    NPU_CHECK(d.given().empty()) << "a token given for aborted work";
    co_await d.Clear();
    // The rows above the aborted range are untouched; a new program on them
    // runs normally.
    const int lo = static_cast<int>(c.m);
    tb.acc_model() = snapshot;
    std::vector<Instr> prog;
    for (int i = 0; i < 3; ++i) {
      ComputeInstr n;
      n.m = 40;
      n.nk = 2;
      n.accumulate = i > 0;
      n.acc_row = static_cast<uint32_t>(lo + 10);
      n.a_row = 5;
      n.a_k_stride = 50;
      n.b_row = kDim;
      n.deps.signal |= ComputeInstr::kSignalStore;
      prog.push_back(Make(n));
    }
    co_await tb.RunProgram(prog);
    co_await tb.CheckAcc(lo, kAcc);
  });
}

// clear_i in the middle of an instruction returns the unit to its reset
// state: no row or accumulator write afterwards, idle at once.
NPU_SIM_TEST(compute_clear_mid_instruction) {
  ComputeBench tb(ctx, kBackToBack);
  tb.Run([&]() -> Task<> {
    ComputeInstr c;
    c.m = 100;
    c.nk = 3;
    block::UnitDriver& d = tb.driver();
    d.Push(block::UnitInstr{c.Encode(), 0, 0});
    co_await d.WaitTaken();
    co_await ClockCycles(tb.clk(), 119);
    const size_t rows0 = tb.row_cycles().size();
    co_await d.Clear();
    NPU_CHECK(tb.row_cycles().size() > rows0) << "the instruction was not running";
    for (int t = 0; t < 30; ++t) {
      co_await ReadOnly();
      const Model& m = tb.dut();
      NPU_CHECK(!m.acc_we_o && !m.row_o && m.idle_o)
          << "cycle " << tb.clk().Cycles() << " after clear_i in cycle " << d.clear_cycle();
      co_await RisingEdge(tb.clk());
    }
  });
}

}  // namespace

int main(int argc, char** argv) { return npu::sim::RunTests(argc, argv); }
