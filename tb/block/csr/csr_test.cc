// Block test of npu_csr, the AXI4-Lite register file, told as stories: the
// reset value of every register of spec/regs.toml; random traffic against a
// register model (read/write registers hold, read-only ones ignore writes,
// write-only ones read 0, partial-strobe writes are ignored, unmapped offsets
// read 0); the W1C interrupt status and irq_o; the stream queue seen by a
// fake fetch (order, depth, overflow); the CTRL pulses; the 64-bit counter
// read; STREAMS_DONE; clear_i. The AXI4-Lite master has random delays and
// ready gaps. A monitor checks every cycle that the stream queue outputs and
// the soft_reset_o / clear_counters_o / queue_overflow_o pulses match the
// writes it sees on the bus.
#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "Vnpu_csr.h"
#include "sw/gen/npu_isa.h"
#include "sw/gen/npu_regs.h"
#include "tb/bus/axi_port.h"
#include "tb/bus/axilite_master.h"
#include "tb/cov/coverage_sink.h"
#include "tb/sim/power_up.h"
#include "tb/sim/sim.h"
#include "tb/sim/tracer.h"

namespace {

namespace regs = npu::regs;
using npu::sim::ClockCycles;
using npu::sim::ReadOnly;
using npu::sim::RisingEdge;
using npu::sim::Task;
using npu::sim::TestContext;

// Parameters of the verilated model (tb/block/csr/CMakeLists.txt).
constexpr uint32_t kDim = NPU_CSR_DIM;
constexpr uint32_t kSpadA = NPU_CSR_SPAD_A;
constexpr uint32_t kSpadB = NPU_CSR_SPAD_B;
constexpr uint32_t kSpadP = NPU_CSR_SPAD_P;
constexpr uint32_t kAcc = NPU_CSR_ACC;
constexpr uint32_t kWindowCols = NPU_CSR_WINDOW_COLS;
constexpr uint32_t kWindowK = NPU_CSR_WINDOW_K;
/// StreamQueueDepth (the RTL default).
constexpr size_t kQueueDepth = 4;
/// 32-bit words of counters_i, in register order from the counter block base.
constexpr int kCounterWords = regs::kCounterWords;
/// Every story must finish within this many cycles.
constexpr uint64_t kTimeoutCycles = 500000;

/// The read/write registers that hold a full 32-bit value.
constexpr std::array<uint32_t, 5> kRwWords = {regs::kStreamAddr, regs::kStreamLen, regs::kWinBase,
                                              regs::kWinSize, regs::kWatchdog};
/// The bits of CTRL that read back (the others are write-only pulses).
constexpr uint32_t kCtrlReadMask = regs::kCtrlIrqDoneEnMask | regs::kCtrlIrqErrEnMask;

/// One stream of the queue: STREAM_ADDR and STREAM_LEN at the doorbell.
struct Stream {
  uint32_t addr = 0, len = 0;
  bool operator==(const Stream&) const = default;
};

/// The register file as the host should see it; counters and error inputs
/// excluded (each story sets those).
class RegModel {
 public:
  RegModel() { Reset(); }

  void Reset() {
    rw_.clear();
    for (uint32_t offset : kRwWords) rw_[offset] = 0;
    rw_[regs::kWatchdog] = regs::kWatchdogReset;
    ctrl_ = 0;
  }

  /// A write as npu_csr takes it: full words only, byte offset bits ignored.
  void Write(uint32_t addr, uint32_t data, uint8_t strb) {
    if (strb != 0xf) return;
    addr &= ~3u;
    if (auto it = rw_.find(addr); it != rw_.end()) it->second = data;
    if (addr == regs::kCtrl) ctrl_ = data & kCtrlReadMask;
  }

  /// What a read of `addr` returns if it is a read/write register.
  std::optional<uint32_t> ReadRw(uint32_t addr) const {
    addr &= ~3u;
    if (addr == regs::kCtrl) return ctrl_;
    if (auto it = rw_.find(addr); it != rw_.end()) return it->second;
    return std::nullopt;
  }

 private:
  std::unordered_map<uint32_t, uint32_t> rw_;
  uint32_t ctrl_ = 0;
};

/// Whether @p word is the high word of a 64-bit counter (reads the latch).
bool IsCounterHigh(uint32_t word) {
  for (const regs::CounterInfo& c : regs::kCounters) {
    if (c.width == 64 && word == c.offset + 4) return true;
  }
  return false;
}

/// Value of a hardware description register, or of a register whose reset
/// value the spec gives, for a DUT whose inputs are all zero.
uint32_t ResetValue(uint32_t offset) {
  switch (offset) {
    case regs::kId:
      return regs::kMagic;
    case regs::kHwVersion:
      return (kDim << regs::kHwVersionDimLsb) |
             (static_cast<uint32_t>(npu::isa::kIsaVersion) << regs::kHwVersionIsaVersionLsb);
    case regs::kHwSpadA:
      return kSpadA;
    case regs::kHwSpadB:
      return kSpadB;
    case regs::kHwSpadP:
      return kSpadP;
    case regs::kHwAcc:
      return kAcc;
    case regs::kHwWindowCols:
      return kWindowCols;
    case regs::kHwWindowK:
      return kWindowK;
    case regs::kWatchdog:
      return regs::kWatchdogReset;
    default:
      return 0;  // spec/regs.toml: no `reset` key means 0
  }
}

bool IsHwDescription(uint32_t offset) {
  return offset == regs::kId || offset == regs::kHwVersion || offset == regs::kHwSpadA ||
         offset == regs::kHwSpadB || offset == regs::kHwSpadP || offset == regs::kHwAcc ||
         offset == regs::kHwWindowCols || offset == regs::kHwWindowK;
}

/// The DUT, the kernel, the AXI4-Lite master, a fake fetch on the stream
/// queue and a monitor that checks the queue and the pulses every cycle.
class CsrBench {
 public:
  explicit CsrBench(const TestContext& ctx)
      : dut_(npu::sim::NewModel<Vnpu_csr>(ctx)),
        tracer_(*dut_, ctx.trace_path),
        kernel_([this] { dut_->eval(); }),
        clk_(kernel_.AddClock("clk_i", &dut_->clk_i, 10 * npu::sim::kNs)),
        lite_(NPU_AXILITE_SLAVE_PORT(*dut_, s_axil_),
              npu::bus::AxiLiteMasterConfig{
                  .seed = ctx.seed, .max_delay = 4, .bready_prob = 0.6, .rready_prob = 0.6}),
        rng_(ctx.seed ^ 0x5eed'c5f0'0000'0001ull) {
    kernel_.SetTraceHook(tracer_.Hook());
  }
  ~CsrBench() {
    dut_->final();
    npu::cov::CollectDefaultCoverage();  // make cov
  }

  Vnpu_csr& dut() { return *dut_; }
  npu::sim::Clock& clk() { return clk_; }
  std::mt19937_64& rng() { return rng_; }
  RegModel& model() { return model_; }

  /// Resets the DUT (all inputs low), starts the bus master, the fake fetch
  /// and the monitor, then runs `story` with a timeout.
  void Run(const std::function<Task<>()>& story) {
    kernel_.Run([&]() -> Task<> {
      ZeroInputs();
      dut_->rst_ni = 0;
      co_await ClockCycles(clk_, 2);
      dut_->rst_ni = 1;
      kernel_.StartSoon(lite_.Run(clk_), "axilite_master");
      kernel_.StartSoon(Fetch(), "fetch");
      kernel_.StartSoon(Monitor(), "monitor");
      co_await RisingEdge(clk_);
      co_await npu::sim::WithTimeout(story(), clk_, kTimeoutCycles);
    });
  }

  // ---- bus accesses (checked against the register model) -----------------

  /// Full-word write, also applied to the register model.
  Task<> Write(uint32_t addr, uint32_t data) { co_await Write(addr, data, 0xf); }

  /// Write with strobes `strb`, also applied to the register model.
  Task<> Write(uint32_t addr, uint32_t data, uint8_t strb) {
    auto t = lite_.SubmitWrite(addr, data, strb);
    while (!t->done) co_await RisingEdge(clk_);
    NPU_CHECK(t->resp == npu::bus::Resp::kOkay) << "BRESP of a write to " << addr;
    model_.Write(addr, data, strb);
  }

  /// Reads `addr` (RRESP must be OKAY: unmapped offsets read 0, no error).
  Task<uint32_t> Read(uint32_t addr) { co_return co_await lite_.Read(addr); }

  /// Reads `addr` and checks that it returns `want`; `what` names the check.
  Task<> ExpectRead(uint32_t addr, uint32_t want, const std::string& what = "") {
    const uint32_t got = co_await lite_.Read(addr);
    NPU_CHECK_EQ(got, want) << "read of 0x" << std::hex << addr << " " << what;
  }

  // ---- inputs -------------------------------------------------------------

  /// Raises `signal` for one cycle, from the next rising edge.
  Task<> Pulse(uint8_t& signal) {
    co_await RisingEdge(clk_);
    signal = 1;
    co_await RisingEdge(clk_);
    signal = 0;
  }

  /// Sets word `i` of counters_i (takes effect at once; call after an edge).
  void SetCounter(int i, uint32_t value) { dut_->counters_i[i] = value; }

  /// Lets the fake fetch take queued streams (ready with probability `p`).
  void SetFetchReady(double p) { fetch_ready_prob_ = p; }

  /// Asserts rst_ni for two cycles; the register model is reset with it.
  Task<> AsyncReset() {
    co_await RisingEdge(clk_);
    dut_->rst_ni = 0;
    co_await ClockCycles(clk_, 2);
    dut_->rst_ni = 1;
    co_await RisingEdge(clk_);
  }

  // ---- what the monitor saw ------------------------------------------------

  /// Streams the fake fetch took, in order.
  const std::vector<Stream>& taken() const { return taken_; }
  /// Streams queued now according to the monitor's model.
  size_t queued() const { return queue_.size(); }
  /// Doorbells and those lost to a full queue.
  int doorbells() const { return doorbells_; }
  int overflows() const { return overflows_; }
  int soft_resets() const { return soft_resets_; }
  int counter_clears() const { return counter_clears_; }

 private:
  void ZeroInputs() {
    Vnpu_csr& d = *dut_;
    d.clear_i = 0;
    d.s_axil_awvalid_i = d.s_axil_wvalid_i = d.s_axil_bready_i = 0;
    d.s_axil_arvalid_i = d.s_axil_rready_i = 0;
    d.s_axil_awaddr_i = d.s_axil_araddr_i = 0;
    d.s_axil_wdata_i = 0;
    d.s_axil_wstrb_i = 0;
    d.stream_ready_i = 0;
    d.busy_i = d.halted_i = d.resetting_i = 0;
    d.stream_done_i = d.error_i = 0;
    d.err_cause_i = 0;
    d.err_pc_i = d.err_addr_i = 0;
    for (int i = 0; i < kCounterWords; ++i) d.counters_i[i] = 0;
  }

  /// The fetch side of the stream queue: ready at random.
  Task<> Fetch() {
    for (;;) {
      co_await RisingEdge(clk_);
      dut_->stream_ready_i =
          fetch_ready_prob_ > 0 && std::bernoulli_distribution(fetch_ready_prob_)(rng_);
    }
  }

  /// Checks, every cycle, the queue outputs against a model fed by the writes
  /// seen on the bus, and the pulses against those writes.
  Task<> Monitor() {
    for (;;) {
      co_await ReadOnly();
      const Vnpu_csr& d = *dut_;
      if (!d.rst_ni) {
        queue_.clear();
        next_ = Stream{};
        co_await RisingEdge(clk_);
        continue;
      }
      // A write is taken in this cycle when AWREADY (= WREADY) is high.
      const bool wr = d.s_axil_awvalid_i && d.s_axil_wvalid_i && d.s_axil_awready_o;
      NPU_CHECK_EQ(d.s_axil_awready_o, d.s_axil_wready_o) << "AW and W are taken together";
      const bool full_wr = wr && d.s_axil_wstrb_i == 0xf;
      const uint32_t waddr = d.s_axil_awaddr_i & ~3u;
      const uint32_t wdata = d.s_axil_wdata_i;

      // Queue outputs: first-word fall-through of the model's queue.
      NPU_CHECK_EQ(d.stream_valid_o != 0, !queue_.empty()) << "stream_valid_o";
      if (!queue_.empty()) {
        NPU_CHECK_EQ(d.stream_addr_o, queue_.front().addr) << "stream_addr_o";
        NPU_CHECK_EQ(d.stream_len_o, queue_.front().len) << "stream_len_o";
      }
      const size_t count = queue_.size();
      if (d.stream_valid_o && d.stream_ready_i) {
        taken_.push_back(queue_.front());
        queue_.pop_front();
      }
      const bool doorbell = full_wr && waddr == regs::kDoorbell;
      const bool overflow = doorbell && count == kQueueDepth;
      NPU_CHECK_EQ(d.queue_overflow_o != 0, overflow)
          << "queue_overflow_o with " << count << " queued, doorbell " << doorbell;
      if (doorbell) {
        ++doorbells_;
        if (overflow) {
          ++overflows_;
        } else {
          queue_.push_back(next_);
        }
      }
      if (full_wr && waddr == regs::kStreamAddr) next_.addr = wdata;
      if (full_wr && waddr == regs::kStreamLen) next_.len = wdata;
      if (d.clear_i) queue_.clear();

      // CTRL pulses: one cycle, exactly when a full CTRL write sets the bit.
      const bool ctrl = full_wr && waddr == regs::kCtrl;
      NPU_CHECK_EQ(d.soft_reset_o != 0, ctrl && (wdata & regs::kCtrlSoftResetMask))
          << "soft_reset_o";
      NPU_CHECK_EQ(d.clear_counters_o != 0, ctrl && (wdata & regs::kCtrlClearCountersMask))
          << "clear_counters_o";
      soft_resets_ += d.soft_reset_o;
      counter_clears_ += d.clear_counters_o;
      co_await RisingEdge(clk_);
    }
  }

  std::unique_ptr<Vnpu_csr> dut_;
  npu::sim::Tracer<Vnpu_csr> tracer_;
  npu::sim::Kernel kernel_;
  npu::sim::Clock& clk_;
  npu::bus::AxiLiteMaster lite_;
  std::mt19937_64 rng_;
  RegModel model_;
  double fetch_ready_prob_ = 0;

  std::deque<Stream> queue_;
  Stream next_;
  std::vector<Stream> taken_;
  int doorbells_ = 0, overflows_ = 0, soft_resets_ = 0, counter_clears_ = 0;
};

uint32_t Random32(std::mt19937_64& rng) { return static_cast<uint32_t>(rng()); }

/// Reads every register of the map and checks its reset value.
Task<> CheckResetValues(CsrBench& tb) {
  for (const regs::RegInfo& reg : regs::kAllRegs) {
    const uint32_t got = co_await tb.Read(reg.offset);
    NPU_CHECK_EQ(got, ResetValue(reg.offset)) << reg.name << " (" << reg.access << ")";
  }
}

// Every register of spec/regs.toml reads its reset value; so does every
// register again after random writes and an asynchronous reset.
NPU_SIM_TEST(csr_reset_values) {
  CsrBench tb(ctx);
  tb.Run([&]() -> Task<> {
    co_await CheckResetValues(tb);
    NPU_CHECK_EQ(tb.dut().watchdog_o, regs::kWatchdogReset);
    NPU_CHECK_EQ(tb.dut().irq_o, 0);
    for (uint32_t offset : kRwWords) co_await tb.Write(offset, Random32(tb.rng()));
    co_await tb.Write(regs::kCtrl, kCtrlReadMask);
    co_await tb.Write(regs::kDoorbell, 0);
    co_await tb.AsyncReset();
    tb.model().Reset();
    co_await CheckResetValues(tb);
  });
}

// Random reads and writes of every offset, mapped or not, with random
// strobes and byte offsets, against the register model: read/write
// registers hold what was written, read-only registers ignore writes,
// write-only ones read 0, partial-strobe writes change nothing, unmapped
// offsets read 0. The datapath-facing outputs follow the registers.
NPU_SIM_TEST(csr_random_traffic) {
  CsrBench tb(ctx);
  auto& rng = tb.rng();
  // Status and counter inputs hold random values during this story.
  std::array<uint32_t, kCounterWords> counters{};
  for (auto& c : counters) c = Random32(rng);
  const uint32_t err_cause = Random32(rng) & ((1u << regs::kErrCauseBits.size()) - 1);
  const uint32_t err_pc = Random32(rng), err_addr = Random32(rng);
  tb.SetFetchReady(0.3);
  tb.Run([&]() -> Task<> {
    for (int i = 0; i < kCounterWords; ++i) tb.SetCounter(i, counters[i]);
    tb.dut().err_cause_i = err_cause;
    tb.dut().err_pc_i = err_pc;
    tb.dut().err_addr_i = err_addr;
    const auto expect_read = [&](uint32_t addr) -> uint32_t {
      const uint32_t word = addr & 0xffcu;
      if (const auto value = tb.model().ReadRw(word)) return *value;
      if (IsHwDescription(word)) return ResetValue(word);
      if (word >= regs::kCntBase && word < regs::kCntBase + 4 * kCounterWords) {
        // The _HI words are checked by the counter story.
        return counters[(word - regs::kCntBase) / 4];
      }
      switch (word) {
        case regs::kErrCause:
          return err_cause;
        case regs::kErrPc:
          return err_pc;
        case regs::kErrAddr:
          return err_addr;
        default:
          return 0;  // DOORBELL (write-only), IRQ_STATUS, STREAMS_DONE, unmapped
      }
    };
    int reads = 0, writes = 0, partial = 0;
    for (int n = 0; n < 3000; ++n) {
      uint32_t addr;
      if (rng() % 4 != 0) {
        addr = regs::kAllRegs[rng() % regs::kAllRegs.size()].offset;
      } else {
        addr = static_cast<uint32_t>(rng() % 0x1000) & ~3u;
      }
      if (rng() % 8 == 0) addr |= static_cast<uint32_t>(rng() % 4);  // byte offset: ignored
      const uint32_t word = addr & ~3u;
      if (IsCounterHigh(word) || word == regs::kStatus) {
        continue;  // latched or timing-dependent: other stories
      }
      if (rng() % 2) {
        const uint32_t got = co_await tb.Read(addr);
        NPU_CHECK_EQ(got, expect_read(addr)) << "read of 0x" << std::hex << addr;
        ++reads;
      } else {
        const uint32_t data = Random32(rng);
        const uint8_t strb = rng() % 4 == 0 ? static_cast<uint8_t>(rng() % 15) : 0xf;
        partial += strb != 0xf;
        co_await tb.Write(addr, data, strb);
        ++writes;
      }
      if (rng() % 64 == 0) {
        co_await RisingEdge(tb.clk());
        NPU_CHECK_EQ(tb.dut().win_base_o, expect_read(regs::kWinBase));
        NPU_CHECK_EQ(tb.dut().win_size_o, expect_read(regs::kWinSize));
        NPU_CHECK_EQ(tb.dut().watchdog_o, expect_read(regs::kWatchdog));
      }
    }
    NPU_CHECK(reads > 1000 && writes > 1000 && partial > 200)
        << reads << " reads, " << writes << " writes, " << partial << " partial";
  });
}

// Read-only registers ignore writes of any value; write-only ones read 0;
// partial-strobe writes are ignored everywhere (npu_csr takes full words
// only), including DOORBELL and the CTRL pulses.
NPU_SIM_TEST(csr_access_types_and_strobes) {
  CsrBench tb(ctx);
  auto& rng = tb.rng();
  tb.Run([&]() -> Task<> {
    for (const regs::RegInfo& reg : regs::kAllRegs) {
      const std::string access(reg.access);
      if (access == "ro" || access == "rc") {
        co_await tb.Write(reg.offset, ~ResetValue(reg.offset));
        co_await tb.ExpectRead(reg.offset, ResetValue(reg.offset), std::string(reg.name));
      } else if (access == "wo") {
        co_await tb.Write(reg.offset, Random32(rng));
        co_await tb.ExpectRead(reg.offset, 0u, std::string(reg.name) + " is write-only");
      }
    }
    NPU_CHECK_EQ(tb.doorbells(), 1) << "DOORBELL is the only write-only register";
    for (uint32_t offset : kRwWords) {
      const uint32_t value = Random32(rng);
      co_await tb.Write(offset, value);
      for (uint8_t strb = 0; strb < 0xf; ++strb) {
        co_await tb.Write(offset, ~value, strb);
        co_await tb.ExpectRead(offset, value, "after strobes " + std::to_string(strb));
      }
    }
    const int doorbells = tb.doorbells();
    for (uint8_t strb = 0; strb < 0xf; ++strb) {
      co_await tb.Write(regs::kDoorbell, 0, strb);
      co_await tb.Write(regs::kCtrl, 0xf, strb);
    }
    NPU_CHECK_EQ(tb.doorbells(), doorbells);
    NPU_CHECK_EQ(tb.soft_resets(), 0);
    NPU_CHECK_EQ(tb.counter_clears(), 0);
    co_await tb.ExpectRead(regs::kCtrl, 0u);
  });
}

// IRQ_STATUS: stream_done_i and error_i pulses set done and error; writing 1
// clears a bit, writing 0 leaves it; irq_o is (done & irq_done_en) |
// (error & irq_err_en).
NPU_SIM_TEST(csr_irq_status_w1c) {
  CsrBench tb(ctx);
  auto& rng = tb.rng();
  tb.Run([&]() -> Task<> {
    Vnpu_csr& d = tb.dut();
    bool done = false, error = false;
    uint32_t ctrl = 0;
    for (int n = 0; n < 400; ++n) {
      switch (rng() % 5) {
        case 0:
          co_await tb.Pulse(d.stream_done_i);
          done = true;
          break;
        case 1:
          co_await tb.Pulse(d.error_i);
          error = true;
          break;
        case 2: {
          const uint32_t w1c = static_cast<uint32_t>(rng() % 4);
          co_await tb.Write(regs::kIrqStatus, w1c | (Random32(rng) & ~3u));
          if (w1c & regs::kIrqStatusDoneMask) done = false;
          if (w1c & regs::kIrqStatusErrorMask) error = false;
          break;
        }
        case 3:
          ctrl = static_cast<uint32_t>(rng() % 4) << regs::kCtrlIrqDoneEnLsb;
          co_await tb.Write(regs::kCtrl, ctrl);
          break;
        default: {
          const uint32_t status = co_await tb.Read(regs::kIrqStatus);
          NPU_CHECK_EQ(status, (done ? regs::kIrqStatusDoneMask : 0u) |
                                   (error ? regs::kIrqStatusErrorMask : 0u));
        }
      }
      co_await ReadOnly();
      const bool irq = (done && (ctrl & regs::kCtrlIrqDoneEnMask)) ||
                       (error && (ctrl & regs::kCtrlIrqErrEnMask));
      NPU_CHECK_EQ(d.irq_o != 0, irq)
          << "step " << n << " done " << done << " error " << error << " ctrl " << ctrl;
      co_await RisingEdge(tb.clk());
    }
  });
}

// The doorbell queues {STREAM_ADDR, STREAM_LEN}; the fetch sees them in
// order; four fit; a fifth doorbell is lost and pulses queue_overflow_o;
// STATUS.queued and STATUS.queue_full report the level.
NPU_SIM_TEST(csr_stream_queue_depth_and_overflow) {
  CsrBench tb(ctx);
  auto& rng = tb.rng();
  tb.Run([&]() -> Task<> {
    std::vector<Stream> sent;
    Stream s;
    for (size_t i = 0; i <= kQueueDepth; ++i) {
      s = Stream{Random32(rng) & ~31u, Random32(rng) % 5000};
      co_await tb.Write(regs::kStreamAddr, s.addr);
      co_await tb.Write(regs::kStreamLen, s.len);
      const uint32_t before = co_await tb.Read(regs::kStatus);
      NPU_CHECK_EQ((before & regs::kStatusQueuedMask) >> regs::kStatusQueuedLsb, i);
      NPU_CHECK_EQ((before & regs::kStatusQueueFullMask) != 0, i == kQueueDepth);
      co_await tb.Write(regs::kDoorbell, Random32(rng));
      if (i < kQueueDepth) sent.push_back(s);
      NPU_CHECK_EQ(tb.overflows(), i == kQueueDepth ? 1 : 0);
    }
    co_await tb.ExpectRead(regs::kStatus,
                           regs::kStatusQueueFullMask | (kQueueDepth << regs::kStatusQueuedLsb));
    co_await ReadOnly();
    NPU_CHECK(tb.dut().stream_valid_o);
    NPU_CHECK_EQ(tb.dut().stream_addr_o, sent.front().addr);
    // STREAM_ADDR/LEN still read what was written last (the lost stream).
    co_await tb.ExpectRead(regs::kStreamAddr, s.addr);
    co_await tb.ExpectRead(regs::kStreamLen, s.len);
    tb.SetFetchReady(0.4);
    while (tb.queued() != 0) co_await RisingEdge(tb.clk());
    NPU_CHECK(tb.taken() == sent) << "streams taken out of order";
    co_await tb.ExpectRead(regs::kStatus, 0u);
  });
}

// Many doorbells against a fetch that takes streams at random: the monitor
// checks every cycle that the queue outputs are the streams in doorbell
// order and that queue_overflow_o pulses exactly for doorbells that find the
// queue full.
NPU_SIM_TEST(csr_stream_queue_random_fetch) {
  CsrBench tb(ctx);
  auto& rng = tb.rng();
  tb.Run([&]() -> Task<> {
    for (int n = 0; n < 600; ++n) {
      // Phases of a slow fetch (the queue fills and overflows) and a fast one.
      if (n % 50 == 0) tb.SetFetchReady(n % 100 == 0 ? 0.02 : 0.5);
      if (rng() % 2) co_await tb.Write(regs::kStreamAddr, Random32(rng));
      if (rng() % 2) co_await tb.Write(regs::kStreamLen, Random32(rng));
      co_await tb.Write(regs::kDoorbell, 0);
      if (rng() % 8 == 0) {
        // The level changes under the read; the two fields must agree.
        const uint32_t status = co_await tb.Read(regs::kStatus);
        const uint32_t queued = (status & regs::kStatusQueuedMask) >> regs::kStatusQueuedLsb;
        NPU_CHECK(queued <= kQueueDepth) << "STATUS.queued " << queued;
        NPU_CHECK_EQ((status & regs::kStatusQueueFullMask) != 0, queued == kQueueDepth);
      }
    }
    tb.SetFetchReady(1.0);
    while (tb.queued() != 0) co_await RisingEdge(tb.clk());
    NPU_CHECK_EQ(tb.taken().size() + static_cast<size_t>(tb.overflows()),
                 static_cast<size_t>(tb.doorbells()));
    NPU_CHECK(tb.overflows() > 0 && tb.taken().size() > 100)
        << tb.overflows() << " overflows, " << tb.taken().size() << " streams taken";
  });
}

// CTRL: soft_reset and clear_counters are one-cycle pulses on a write with
// the bit set (checked by the monitor), read back 0 and do not disturb the
// interrupt enables written with them.
NPU_SIM_TEST(csr_ctrl_pulses) {
  CsrBench tb(ctx);
  auto& rng = tb.rng();
  tb.Run([&]() -> Task<> {
    int soft = 0, clears = 0;
    for (int n = 0; n < 200; ++n) {
      const uint32_t value = Random32(rng);
      co_await tb.Write(regs::kCtrl, value);
      soft += (value & regs::kCtrlSoftResetMask) != 0;
      clears += (value & regs::kCtrlClearCountersMask) != 0;
      NPU_CHECK_EQ(tb.soft_resets(), soft);
      NPU_CHECK_EQ(tb.counter_clears(), clears);
      co_await tb.ExpectRead(regs::kCtrl, value & kCtrlReadMask);
    }
    NPU_CHECK(soft > 50 && clears > 50) << soft << " soft resets, " << clears << " clears";
  });
}

// 64-bit counters: reading CNT_*_LO returns the low word and latches the
// high word of the same cycle, which CNT_*_HI then returns however long the
// host waits. counters_i changes every cycle by steps that carry into the
// high word, so a torn read would combine words of different cycles.
NPU_SIM_TEST(csr_counter_64bit_read) {
  CsrBench tb(ctx);
  auto& rng = tb.rng();
  struct Pair {
    uint32_t lo, hi;
    int word;  // index of the low word in counters_i
  };
  // The 64-bit counters of the register map (cycles and MACs).
  std::vector<Pair> pairs;
  for (const regs::CounterInfo& c : regs::kCounters) {
    if (c.width == 64) {
      pairs.push_back({c.offset, c.offset + 4, static_cast<int>((c.offset - regs::kCntBase) / 4)});
    }
  }
  NPU_CHECK_EQ(pairs.size(), 2u) << "this story drives two 64-bit counters";
  const auto is_pair_word = [&](int i) {
    for (const Pair& p : pairs) {
      if (i == p.word || i == p.word + 1) return true;
    }
    return false;
  };
  // Every value each pair has held, in order (they only grow).
  std::array<std::vector<uint64_t>, 2> history;
  std::array<uint64_t, 2> value = {rng(), rng()};
  std::array<uint32_t, kCounterWords> others{};
  for (auto& o : others) o = Random32(rng);
  tb.Run([&]() -> Task<> {
    // The counter source: one new value per cycle.
    auto counting = [&]() -> Task<> {
      for (;;) {
        for (int p = 0; p < 2; ++p) {
          value[p] += 0x2fff'ffffull + rng() % 0x1'0000'0000ull;
          history[p].push_back(value[p]);
          tb.SetCounter(pairs[p].word, static_cast<uint32_t>(value[p]));
          tb.SetCounter(pairs[p].word + 1, static_cast<uint32_t>(value[p] >> 32));
        }
        for (int i = 0; i < kCounterWords; ++i) {
          if (!is_pair_word(i)) tb.SetCounter(i, others[i]);
        }
        co_await RisingEdge(tb.clk());
      }
    };
    npu::sim::StartSoon(counting, "counters");
    co_await RisingEdge(tb.clk());
    for (int n = 0; n < 300; ++n) {
      const int p = static_cast<int>(rng() % 2);
      // The read samples at the earliest the value set at the current edge.
      const size_t first = history[p].empty() ? 0 : history[p].size() - 1;
      const uint32_t lo = co_await tb.Read(pairs[p].lo);
      co_await ClockCycles(tb.clk(), rng() % 20);
      const uint32_t hi = co_await tb.Read(pairs[p].hi);
      const uint32_t hi_again = co_await tb.Read(pairs[p].hi);
      NPU_CHECK_EQ(hi, hi_again) << "the latched high word changed";
      const uint64_t got = uint64_t{hi} << 32 | lo;
      const auto begin = history[p].begin() + static_cast<std::ptrdiff_t>(first);
      NPU_CHECK(std::find(begin, history[p].end(), got) != history[p].end())
          << std::hex << "pair at 0x" << pairs[p].lo << " read 0x" << got
          << ", not a value the counter held during the read";
    }
    for (int i = 0; i < kCounterWords; ++i) {
      if (is_pair_word(i)) continue;
      co_await tb.ExpectRead(regs::kCntBase + 4 * static_cast<uint32_t>(i), others[i]);
    }
  });
}

// STREAMS_DONE counts stream_done_i pulses, back to back or apart; clear_i
// (a soft reset) leaves it, rst_ni zeroes it.
NPU_SIM_TEST(csr_streams_done) {
  CsrBench tb(ctx);
  auto& rng = tb.rng();
  tb.Run([&]() -> Task<> {
    Vnpu_csr& d = tb.dut();
    uint32_t count = 0;
    for (int n = 0; n < 40; ++n) {
      const int burst = static_cast<int>(rng() % 6);
      co_await RisingEdge(tb.clk());
      for (int i = 0; i < burst; ++i) {
        d.stream_done_i = 1;
        co_await RisingEdge(tb.clk());
      }
      d.stream_done_i = 0;
      count += static_cast<uint32_t>(burst);
      co_await ClockCycles(tb.clk(), rng() % 4);
      co_await tb.ExpectRead(regs::kStreamsDone, count);
    }
    co_await tb.Pulse(d.clear_i);
    co_await tb.ExpectRead(regs::kStreamsDone, count);
    co_await tb.AsyncReset();
    tb.model().Reset();
    co_await tb.ExpectRead(regs::kStreamsDone, 0u);
  });
}

// clear_i (the soft reset) empties the stream queue and clears IRQ_STATUS,
// also against a stream_done_i in the same cycle; the configuration
// registers and the interrupt enables stay.
NPU_SIM_TEST(csr_clear) {
  CsrBench tb(ctx);
  auto& rng = tb.rng();
  tb.Run([&]() -> Task<> {
    Vnpu_csr& d = tb.dut();
    for (int round = 0; round < 20; ++round) {
      for (uint32_t offset : kRwWords) co_await tb.Write(offset, Random32(rng));
      co_await tb.Write(regs::kCtrl, kCtrlReadMask);
      const int streams = static_cast<int>(rng() % (kQueueDepth + 1));
      for (int i = 0; i < streams; ++i) co_await tb.Write(regs::kDoorbell, 0);
      co_await tb.Pulse(d.stream_done_i);
      co_await tb.Pulse(d.error_i);
      co_await ReadOnly();
      NPU_CHECK(d.irq_o);
      NPU_CHECK_EQ(d.stream_valid_o != 0, streams > 0);
      co_await RisingEdge(tb.clk());
      d.clear_i = 1;
      d.stream_done_i = rng() % 2;
      d.error_i = rng() % 2;
      co_await RisingEdge(tb.clk());
      d.clear_i = d.stream_done_i = d.error_i = 0;
      co_await ReadOnly();
      NPU_CHECK(!d.stream_valid_o) << "the queue survived clear_i";
      NPU_CHECK(!d.irq_o) << "irq_o after clear_i";
      co_await RisingEdge(tb.clk());
      co_await tb.ExpectRead(regs::kIrqStatus, 0u);
      co_await tb.ExpectRead(regs::kStatus, 0u);
      for (uint32_t offset : kRwWords) {
        const uint32_t want = tb.model().ReadRw(offset).value();
        co_await tb.ExpectRead(offset, want);
      }
      co_await tb.ExpectRead(regs::kCtrl, kCtrlReadMask);
    }
  });
}

}  // namespace

int main(int argc, char** argv) { return npu::sim::RunTests(argc, argv); }
