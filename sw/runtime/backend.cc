#include "sw/runtime/backend.h"

#include <fmt/format.h>

#include "sw/gen/npu_regs.h"

namespace npu::runtime {

std::string ErrCauseNames(uint32_t err_cause) {
  if (err_cause == 0) return "none";
  std::string out;
  uint32_t known = 0;
  for (const auto& [name, mask] : regs::kErrCauseBits) {
    known |= mask;
    if (err_cause & mask) {
      if (!out.empty()) out += '|';
      out += std::string(name);
    }
  }
  for (int bit = 0; bit < 32; ++bit) {
    if ((err_cause & ~known) >> bit & 1) {
      if (!out.empty()) out += '|';
      out += fmt::format("bit{}", bit);
    }
  }
  return out;
}

std::string RunStatus::Describe() const {
  if (ok && err_cause == 0) return "ok";
  std::string s = fmt::format("{} at pc {}", ErrCauseNames(err_cause), err_pc);
  if (err_cause & (regs::kErrCauseAddrRangeMask | regs::kErrCauseAxiRespMask)) {
    s += fmt::format(", address 0x{:08x}", err_addr);
  }
  return s;
}

std::array<RegWrite, 6> StreamStartWrites(uint32_t win_base, uint32_t win_size, uint32_t addr,
                                          uint32_t num_instr) {
  return {{{regs::kWinBase, win_base},
           {regs::kWinSize, win_size},
           {regs::kCtrl, regs::kCtrlIrqDoneEnMask | regs::kCtrlIrqErrEnMask},
           {regs::kStreamAddr, addr},
           {regs::kStreamLen, num_instr},
           {regs::kDoorbell, 1}}};
}

void StatsFromCounters(RunStats& stats) {
  stats.cycles = stats.counters.at("cycles");
  stats.macs = stats.counters.at("macs");
  stats.instructions = stats.counters.at("instructions");
  stats.bytes_read = stats.counters.at("bytes_read");
  stats.bytes_written = stats.counters.at("bytes_written");
}

Backend::~Backend() = default;

std::vector<RunResult> Backend::RunStreams(
    DeviceMemory& mem, std::span<const StreamRef> streams,
    const std::function<void(size_t, const RunResult&)>& after_each) {
  std::vector<RunResult> results;
  for (size_t i = 0; i < streams.size(); ++i) {
    results.push_back(Run(mem, streams[i].addr, streams[i].num_instr));
    if (after_each) after_each(i, results.back());
    if (!results.back().status.ok) break;
  }
  return results;
}

void Backend::Sync(DeviceMemory&, uint32_t, size_t) {}

}  // namespace npu::runtime
