/// @file npu_harness.h
/// @brief The verilated npu_top with its bus models, ready for tests.
///
/// A harness owns one model, a simulation kernel with the clock, the AXI4
/// memory model on the memory port and the AXI4-Lite master on the control
/// port. Tests and the RTL backend drive it with coroutines:
///
///     NpuHarness h("4x4", opts);
///     h.Run([&](NpuHarness& h) -> sim::Task<> {
///       uint32_t id = co_await h.ReadReg(regs::kId);
///       ...
///     });
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "sw/gen/npu_configs.h"
#include "sw/runtime/backend.h"
#include "tb/bus/axi_memory.h"
#include "tb/bus/axi_monitor.h"
#include "tb/bus/axilite_master.h"
#include "tb/dut/dut_model.h"
#include "tb/sim/sim.h"

namespace npu::dut {

/// How a harness is set up.
struct HarnessOptions {
  /// Memory model timing (latency, backpressure, bandwidth) and seed.
  bus::AxiMemoryConfig mem = bus::AxiMemoryConfig::Default(1);
  /// Control-port master timing.
  bus::AxiLiteMasterConfig csr = bus::AxiLiteMasterConfig::Ideal();
  /// FST waveform path; empty = none.
  std::string trace_path;
  /// Clock period in picoseconds (only matters for waveforms).
  uint64_t clock_period_ps = 10000;
  /// A passive AXI4 protocol monitor (bus::AxiMonitor) on the memory port,
  /// independent of the memory model's own checks: it fails the run on a
  /// protocol violation by either side (valid or payload dropped before
  /// ready, RLAST or WLAST misplaced, a response without a request).
  bool axi_monitor = true;
};

/// Outcome of one instruction stream.
struct StreamOutcome {
  runtime::RunStatus status;  ///< error cause, pc, address as the hardware reports them
  runtime::RunStats stats;    ///< the hardware performance counters
};

/// The verilated NPU with its bus models.
class NpuHarness {
 public:
  NpuHarness(std::string_view config, const HarnessOptions& options);
  ~NpuHarness();
  NpuHarness(const NpuHarness&) = delete;
  NpuHarness& operator=(const NpuHarness&) = delete;

  /// Runs `body` to completion with the bus models running. The first call
  /// applies the hardware reset first; later calls continue from the state
  /// the previous one left (the device persists, as real hardware does).
  void Run(const std::function<sim::Task<>(NpuHarness&)>& body);

  /// Reads a register through the control port.
  sim::Task<uint32_t> ReadReg(uint32_t offset);
  /// Writes a register through the control port.
  sim::Task<> WriteReg(uint32_t offset, uint32_t value);

  /// Queues a stream (program window, address, length, doorbell) without
  /// waiting for it.
  sim::Task<> StartStream(uint32_t win_base, uint32_t win_size, uint32_t addr, uint32_t len);
  /// Waits until irq_o rises, at most `max_cycles` clock cycles (then
  /// throws sim::SimTimeoutError with the NPU status).
  sim::Task<> WaitIrq(uint64_t max_cycles);
  /// Reads the error registers and the counters, clears IRQ_STATUS, and after
  /// an error performs the soft reset so the NPU can run again.
  sim::Task<StreamOutcome> Collect();
  /// StartStream + WaitIrq + Collect.
  sim::Task<StreamOutcome> RunStream(uint32_t win_base, uint32_t win_size, uint32_t addr,
                                     uint32_t len, uint64_t max_cycles);
  /// Writes CTRL.soft_reset and waits until STATUS.resetting clears.
  sim::Task<> SoftReset(uint64_t max_cycles = 100000);
  /// Hardware reset at any moment: rst_ni low for `cycles` clock cycles, the
  /// bus models and the protocol monitor reset with it (a reset bus drops
  /// its transactions), then two cycles after the release. Memory contents
  /// are kept.
  sim::Task<> HardReset(uint64_t cycles = 5);
  /// Reads every performance counter.
  sim::Task<runtime::RunStats> ReadCounters();

  const HwConfig& Config() const { return model_->Config(); }
  DutModel& Model() { return *model_; }
  bus::AxiMemory& Mem() { return *mem_; }
  /// The memory port's protocol monitor; null with HarnessOptions::axi_monitor off.
  const bus::AxiMonitor* Monitor() const { return monitor_.get(); }
  bus::AxiLiteMaster& Csr() { return *csr_; }
  sim::Kernel& Kernel() { return *kernel_; }
  sim::Clock& Clock() { return *clock_; }
  /// Rising clock edges since the harness was created.
  uint64_t Cycles() const;

 private:
  sim::Task<> MonitorLoop();

  std::unique_ptr<DutModel> model_;
  std::unique_ptr<sim::Kernel> kernel_;
  sim::Clock* clock_ = nullptr;
  std::unique_ptr<bus::AxiMemory> mem_;
  std::unique_ptr<bus::AxiMonitor> monitor_;
  std::unique_ptr<bus::AxiLiteMaster> csr_;
  HarnessOptions options_;
  bool reset_done_ = false;
};

}  // namespace npu::dut
