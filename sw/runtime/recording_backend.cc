#include "sw/runtime/recording_backend.h"

namespace npu::runtime {

namespace {

std::vector<uint8_t> Snapshot(const DeviceMemory& mem) {
  return {mem.Data().begin(), mem.Data().end()};
}

}  // namespace

RunResult RecordingBackend::Run(DeviceMemory& mem, uint32_t stream_addr, uint32_t num_instr) {
  RecordedPhase p{mem.Base(), Snapshot(mem), {{stream_addr, num_instr}}, {}, {}};
  p.results.push_back(inner_->Run(mem, stream_addr, num_instr));
  p.after = Snapshot(mem);
  phases_.push_back(std::move(p));
  return phases_.back().results.back();
}

std::vector<RunResult> RecordingBackend::RunStreams(
    DeviceMemory& mem, std::span<const StreamRef> streams,
    const std::function<void(size_t, const RunResult&)>& after_each) {
  RecordedPhase p{mem.Base(), Snapshot(mem), {streams.begin(), streams.end()}, {}, {}};
  p.results = inner_->RunStreams(mem, streams, after_each);
  p.after = Snapshot(mem);
  phases_.push_back(std::move(p));
  return phases_.back().results;
}

}  // namespace npu::runtime
