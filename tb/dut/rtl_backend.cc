#include "tb/dut/rtl_backend.h"

#include <vector>

namespace npu::dut {

RtlBackend::RtlBackend(const HwConfig& config, const RtlBackendOptions& options)
    : config_(config),
      options_(options),
      harness_(std::make_unique<NpuHarness>(config.name, options.harness)) {}

RtlBackend::~RtlBackend() = default;

std::string RtlBackend::Name() const { return "rtl-" + std::string(config_.name); }

runtime::RunResult RtlBackend::Run(runtime::DeviceMemory& mem, uint32_t stream_addr,
                                   uint32_t num_instr) {
  const runtime::StreamRef stream{stream_addr, num_instr};
  return RunStreams(mem, std::span(&stream, 1)).front();
}

std::vector<runtime::RunResult> RtlBackend::RunStreams(
    runtime::DeviceMemory& mem, std::span<const runtime::StreamRef> streams,
    const std::function<void(size_t, const runtime::RunResult&)>& after_each) {
  bus::AxiMemory& axi = harness_->Mem();
  axi.Write(mem.Base(), mem.Data());
  std::vector<runtime::RunResult> results;
  harness_->Run([&](NpuHarness& h) -> sim::Task<> {
    if (options_.lock_step != nullptr)
      h.Kernel().StartSoon(options_.lock_step->Watch(h), "lock_step");
    for (size_t i = 0; i < streams.size(); ++i) {
      const StreamOutcome outcome = co_await h.RunStream(mem.Base(), mem.Size(), streams[i].addr,
                                                         streams[i].num_instr, options_.max_cycles);
      results.push_back({outcome.status, outcome.stats});
      if (after_each) after_each(i, results.back());
      if (!outcome.status.ok) break;
    }
  });
  std::vector<uint8_t> back(mem.Size());
  axi.Read(mem.Base(), back);
  mem.Write(mem.Base(), back);
  return results;
}

void RtlBackend::Sync(runtime::DeviceMemory& mem, uint32_t addr, size_t bytes) {
  std::vector<uint8_t> part(bytes);
  harness_->Mem().Read(addr, part);
  mem.Write(addr, part);
}

}  // namespace npu::dut
