/// @file rtl_backend.h
/// @brief Runtime backend that runs instruction streams on the verilated RTL.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sw/runtime/backend.h"
#include "tb/dut/lock_step.h"
#include "tb/dut/npu_harness.h"

namespace npu::dut {

/// Options of the RTL backend.
struct RtlBackendOptions {
  HarnessOptions harness;           ///< memory model, waveform
  uint64_t max_cycles = 200000000;  ///< testbench guard per stream (the NPU's watchdog acts first)
  /// If set, watches every run in lock step with the ISS run it recorded
  /// (tb/dut/lock_step.h); it must outlive the runs.
  LockStep* lock_step = nullptr;
};

/// Runs streams on a verilated npu_top through its AXI ports, exactly as a
/// host would: the memory image is placed in the AXI memory model, the
/// stream is queued through the control registers, and the result is read
/// back after the interrupt. The device persists between runs.
class RtlBackend final : public runtime::Backend {
 public:
  RtlBackend(const HwConfig& config, const RtlBackendOptions& options);
  ~RtlBackend() override;

  std::string Name() const override;
  const HwConfig& Config() const override { return config_; }
  runtime::RunResult Run(runtime::DeviceMemory& mem, uint32_t stream_addr,
                         uint32_t num_instr) override;
  /// Places the memory in the bus model once, runs the streams back to
  /// back (each started when the previous one has completed, so that its
  /// counters are its own), and reads the memory back once.
  std::vector<runtime::RunResult> RunStreams(
      runtime::DeviceMemory& mem, std::span<const runtime::StreamRef> streams,
      const std::function<void(size_t, const runtime::RunResult&)>& after_each = {}) override;

  /// Copies [addr, addr + bytes) from the bus model into @p mem.
  void Sync(runtime::DeviceMemory& mem, uint32_t addr, size_t bytes) override;

  /// The harness, for tests that inject bus errors or inspect the model.
  NpuHarness& Harness() { return *harness_; }

 private:
  HwConfig config_;
  RtlBackendOptions options_;
  std::unique_ptr<NpuHarness> harness_;
};

}  // namespace npu::dut
