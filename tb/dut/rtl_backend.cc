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
  bus::AxiMemory& axi = harness_->Mem();
  axi.Write(mem.Base(), mem.Data());
  StreamOutcome outcome;
  harness_->Run([&](NpuHarness& h) -> sim::Task<> {
    outcome =
        co_await h.RunStream(mem.Base(), mem.Size(), stream_addr, num_instr, options_.max_cycles);
  });
  std::vector<uint8_t> back(mem.Size());
  axi.Read(mem.Base(), back);
  mem.Write(mem.Base(), back);
  runtime::RunResult result;
  result.status = outcome.status;
  result.stats = outcome.stats;
  return result;
}

}  // namespace npu::dut
