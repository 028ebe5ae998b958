/// @file
/// A backend that runs another and records what it did: for each call, the
/// device memory before and after and the streams with their results. A
/// phase is a complete test vector for any other NPU model: load `before`,
/// run the streams, and `after` (with the results' status and counters) is
/// what the recorded backend produced. The cocotb tests (tb/cocotb) replay
/// the simulator's phases on the RTL this way.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "sw/runtime/backend.h"

namespace npu::runtime {

/// One call of Run or RunStreams.
struct RecordedPhase {
  uint32_t base = 0;               ///< device address of byte 0 of before and after
  std::vector<uint8_t> before;     ///< the whole memory when the call began
  std::vector<StreamRef> streams;  ///< the streams, in order
  std::vector<RunResult> results;  ///< one per stream that ran
  /// The whole memory when it returned, as the inner backend left it (the
  /// simulator and the RTL backend leave all of it up to date; a board only
  /// what its host read back).
  std::vector<uint8_t> after;
};

class RecordingBackend : public Backend {
 public:
  explicit RecordingBackend(std::unique_ptr<Backend> inner) : inner_(std::move(inner)) {}

  std::string Name() const override { return inner_->Name(); }
  const HwConfig& Config() const override { return inner_->Config(); }
  RunResult Run(DeviceMemory& mem, uint32_t stream_addr, uint32_t num_instr) override;
  std::vector<RunResult> RunStreams(
      DeviceMemory& mem, std::span<const StreamRef> streams,
      const std::function<void(size_t, const RunResult&)>& after_each = {}) override;
  void Sync(DeviceMemory& mem, uint32_t addr, size_t bytes) override {
    inner_->Sync(mem, addr, bytes);
  }

  /// The calls recorded so far, oldest first.
  const std::vector<RecordedPhase>& Phases() const { return phases_; }
  void ClearPhases() { phases_.clear(); }

 private:
  std::unique_ptr<Backend> inner_;
  std::vector<RecordedPhase> phases_;
};

}  // namespace npu::runtime
