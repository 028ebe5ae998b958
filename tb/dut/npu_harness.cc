#include "tb/dut/npu_harness.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "sw/gen/npu_regs.h"
#include "tb/cov/isa_coverage.h"
#include "tb/sim/power_up.h"

namespace npu::dut {
namespace {
#if NPU_COVERAGE
constexpr bool kCoverage = true;
#else
constexpr bool kCoverage = false;
#endif
}  // namespace

NpuHarness::NpuHarness(std::string_view config, const HarnessOptions& options)
    : model_(MakeDutModel(config)), options_(options) {
  kernel_ = std::make_unique<sim::Kernel>([this] { model_->Eval(); });
  clock_ = &kernel_->AddClock("clk_i", model_->Clk(), options_.clock_period_ps);
  if (!options_.trace_path.empty()) {
    model_->OpenTrace(options_.trace_path);
    kernel_->SetTraceHook([this](uint64_t t) { model_->Dump(t); });
  } else {
    // npu_top has only rising-edge logic (its reset is asynchronous, not a
    // clock edge): without a waveform, the falling edge needs no eval.
    clock_->SetEarlyFall(true);
  }
  mem_ = std::make_unique<bus::AxiMemory>(model_->MemPort(), options_.mem);
  if (options_.axi_monitor) {
    monitor_ = std::make_unique<bus::AxiMonitor>(model_->MemPort(), "npu_top m_axi");
  }
  csr_ = std::make_unique<bus::AxiLiteMaster>(model_->CsrPort(), options_.csr);
}

NpuHarness::~NpuHarness() { model_->CloseTrace(); }

uint64_t NpuHarness::Cycles() const { return clock_->Cycles(); }

void NpuHarness::Run(const std::function<sim::Task<>(NpuHarness&)>& body) {
  model_->MakeCurrent();
  // Without the power-up edge, a model with random initial values
  // (NPU_X_RANDOM) showed a BVALID before the first clock edge.
  if (!reset_done_) sim::PowerUpReset(*model_->RstN(), [this] { model_->Eval(); });
  kernel_->Run([this, &body]() -> sim::Task<> {
    kernel_->StartSoon(mem_->Run(*clock_), "axi_memory");
    kernel_->StartSoon(csr_->Run(*clock_), "axilite_master");
    if (monitor_) kernel_->StartSoon(MonitorLoop(), "axi_monitor");
    if (!reset_done_) {
      *model_->RstN() = 0;
      co_await sim::ClockCycles(*clock_, 5);
      *model_->RstN() = 1;
      co_await sim::ClockCycles(*clock_, 2);
      reset_done_ = true;
    }
    co_await body(*this);
  });
  if (model_->GotError()) {
    throw sim::TestFailure("an RTL assertion failed (message above); the model is unusable");
  }
}

sim::Task<> NpuHarness::MonitorLoop() {
  for (;;) {
    co_await sim::ReadOnly();  // the signals as they settle before the edge
    monitor_->Sample();
    co_await sim::RisingEdge(*clock_);
  }
}

sim::Task<uint32_t> NpuHarness::ReadReg(uint32_t offset) { co_return co_await csr_->Read(offset); }

sim::Task<> NpuHarness::WriteReg(uint32_t offset, uint32_t value) {
  co_await csr_->Write(offset, value);
}

sim::Task<> NpuHarness::StartStream(uint32_t win_base, uint32_t win_size, uint32_t addr,
                                    uint32_t len) {
  if constexpr (kCoverage) {
    // Functional coverage of the instructions the stream holds (make cov);
    // a stream longer than any test's (an error test's length, say) is
    // sampled up to kMaxSampled.
    constexpr uint32_t kMaxSampled = 1u << 16;
    std::vector<isa::Word> program(std::min(len, kMaxSampled));
    mem_->Read(addr, std::span(reinterpret_cast<uint8_t*>(program.data()),
                               program.size() * isa::kInstrBytes));
    cov::SampleIsa(program);
  }
  for (const runtime::RegWrite& w : runtime::StreamStartWrites(win_base, win_size, addr, len)) {
    co_await WriteReg(w.offset, w.value);
  }
}

sim::Task<> NpuHarness::WaitIrq(uint64_t max_cycles) {
  for (uint64_t i = 0; i < max_cycles; ++i) {
    co_await sim::ReadOnly();
    if (model_->Irq()) co_return;
    if (model_->GotError()) {
      throw sim::TestFailure(
          fmt::format("an RTL assertion failed at cycle {} (message above)", clock_->Cycles()));
    }
    co_await sim::RisingEdge(*clock_);
  }
  const uint32_t status = co_await ReadReg(regs::kStatus);
  const uint32_t cause = co_await ReadReg(regs::kErrCause);
  throw sim::SimTimeoutError(
      fmt::format("no interrupt within {} cycles (STATUS=0x{:08x} ERR_CAUSE=0x{:x}); the hardware "
                  "watchdog should have stopped a hung NPU",
                  max_cycles, status, cause));
}

sim::Task<runtime::RunStats> NpuHarness::ReadCounters() {
  runtime::RunStats s;
  for (const regs::CounterInfo& c : regs::kCounters) {
    uint64_t v = co_await ReadReg(c.offset);  // a 64-bit counter's low word latches the high one
    if (c.width == 64) v |= uint64_t{co_await ReadReg(c.offset + 4)} << 32;
    s.counters[std::string(c.name)] = v;
  }
  runtime::StatsFromCounters(s);
  co_return s;
}

sim::Task<StreamOutcome> NpuHarness::Collect() {
  StreamOutcome out;
  const uint32_t irq = co_await ReadReg(regs::kIrqStatus);
  out.status.err_cause = co_await ReadReg(regs::kErrCause);
  out.status.ok = (irq & regs::kIrqStatusErrorMask) == 0 && out.status.err_cause == 0;
  if (!out.status.ok) {
    out.status.err_pc = co_await ReadReg(regs::kErrPc);
    out.status.err_addr = co_await ReadReg(regs::kErrAddr);
  }
  out.stats = co_await ReadCounters();
  co_await WriteReg(regs::kIrqStatus, regs::kIrqStatusDoneMask | regs::kIrqStatusErrorMask);
  if (!out.status.ok) co_await SoftReset();
  co_await WriteReg(regs::kCtrl, regs::kCtrlClearCountersMask);
  co_return out;
}

sim::Task<StreamOutcome> NpuHarness::RunStream(uint32_t win_base, uint32_t win_size, uint32_t addr,
                                               uint32_t len, uint64_t max_cycles) {
  co_await StartStream(win_base, win_size, addr, len);
  co_await WaitIrq(max_cycles);
  co_return co_await Collect();
}

sim::Task<> NpuHarness::HardReset(uint64_t cycles) {
  *model_->RstN() = 0;
  mem_->Reset();
  csr_->Reset();
  if (monitor_) monitor_->Reset();
  co_await sim::ClockCycles(*clock_, cycles);
  *model_->RstN() = 1;
  co_await sim::ClockCycles(*clock_, 2);
}

sim::Task<> NpuHarness::SoftReset(uint64_t max_cycles) {
  co_await WriteReg(regs::kCtrl, regs::kCtrlSoftResetMask);
  for (uint64_t i = 0; i < max_cycles; i += 8) {
    const uint32_t status = co_await ReadReg(regs::kStatus);
    if ((status & regs::kStatusResettingMask) == 0) co_return;
    co_await sim::ClockCycles(*clock_, 8);
  }
  throw sim::SimTimeoutError(
      fmt::format("soft reset did not complete within {} cycles", max_cycles));
}

}  // namespace npu::dut
