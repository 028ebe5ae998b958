#include "sw/fpga/fpga_backend.h"

#include <fmt/format.h>

#include "sw/gen/npu_configs.h"
#include "sw/gen/npu_regs.h"

namespace npu::fpga {

namespace {

const HwConfig& MatchConfig(LinkClient& link, const std::string& port) {
  const uint32_t id = link.RegRead(regs::kId);
  if (id != regs::kMagic) {
    throw LinkError(fmt::format("{}: the NPU's ID register reads 0x{:08x}, not 0x{:08x}", port, id,
                                regs::kMagic));
  }
  const uint32_t hw = link.RegRead(regs::kHwVersion);
  const uint32_t dim = (hw & regs::kHwVersionDimMask) >> regs::kHwVersionDimLsb;
  const uint32_t a = link.RegRead(regs::kHwSpadA), b = link.RegRead(regs::kHwSpadB);
  const uint32_t p = link.RegRead(regs::kHwSpadP), acc = link.RegRead(regs::kHwAcc);
  const uint32_t cols = link.RegRead(regs::kHwWindowCols), k = link.RegRead(regs::kHwWindowK);
  for (const HwConfig& c : kHwConfigs) {
    if (c.dim == dim && c.spad_a == a && c.spad_b == b && c.spad_p == p && c.acc == acc &&
        c.window_cols == cols && c.window_k == k) {
      return c;
    }
  }
  throw LinkError(fmt::format(
      "{}: the board's NPU (dim {}, scratchpads {}/{}/{}, accumulator {}, window columns {}, "
      "window kernels up to {}) matches no named configuration of this runtime "
      "(spec/configs.toml)",
      port, dim, a, b, p, acc, cols, k));
}

}  // namespace

FpgaBackend::FpgaBackend(const FpgaOptions& options) : options_(options) {
  if (options_.port.empty()) throw LinkError("the fpga backend needs a serial port (--port)");
  port_ = std::make_unique<SerialPort>(options_.port, options_.baud);
  link_ = std::make_unique<LinkClient>(*port_, options_.timeout);
  info_ = link_->Info();
  config_ = &MatchConfig(*link_, options_.port);
}

FpgaBackend::~FpgaBackend() = default;

runtime::RunResult FpgaBackend::Run(runtime::DeviceMemory& mem, uint32_t stream_addr,
                                    uint32_t num_instr) {
  const runtime::StreamRef stream{stream_addr, num_instr};
  return RunStreams(mem, std::span(&stream, 1)).front();
}

runtime::RunResult FpgaBackend::RunOne(uint32_t win_base, uint32_t win_size,
                                       const runtime::StreamRef& s) {
  LinkClient& l = *link_;
  for (const runtime::RegWrite& w :
       runtime::StreamStartWrites(win_base, win_size, s.addr, s.num_instr)) {
    l.RegWrite(w.offset, w.value);
  }
  // Poll until the stream is done or stopped; the NPU's watchdog stops a
  // hung stream long before the host gives up.
  const auto deadline = std::chrono::steady_clock::now() + options_.run_timeout;
  uint32_t irq = 0;
  while ((irq = l.RegRead(regs::kIrqStatus)) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw LinkError(fmt::format(
          "{}: the stream at 0x{:08x} did not end within {} ms "
          "(STATUS=0x{:08x})",
          options_.port, s.addr, options_.run_timeout.count(), l.RegRead(regs::kStatus)));
    }
  }
  runtime::RunResult r;
  r.status.err_cause = l.RegRead(regs::kErrCause);
  r.status.ok = (irq & regs::kIrqStatusErrorMask) == 0 && r.status.err_cause == 0;
  if (!r.status.ok) {
    r.status.err_pc = l.RegRead(regs::kErrPc);
    r.status.err_addr = l.RegRead(regs::kErrAddr);
  }
  for (const regs::CounterInfo& c : regs::kCounters) {
    uint64_t v = l.RegRead(c.offset);  // a 64-bit counter's low word latches the high one
    if (c.width == 64) v |= uint64_t{l.RegRead(c.offset + 4)} << 32;
    r.stats.counters[std::string(c.name)] = v;
  }
  runtime::StatsFromCounters(r.stats);
  l.RegWrite(regs::kIrqStatus, regs::kIrqStatusDoneMask | regs::kIrqStatusErrorMask);
  if (!r.status.ok) {
    l.RegWrite(regs::kCtrl, regs::kCtrlSoftResetMask);
    const auto until = std::chrono::steady_clock::now() + options_.timeout;
    while (l.RegRead(regs::kStatus) & regs::kStatusResettingMask) {
      if (std::chrono::steady_clock::now() > until) {
        throw LinkError(fmt::format("{}: the NPU's soft reset did not complete", options_.port));
      }
    }
  }
  l.RegWrite(regs::kCtrl, regs::kCtrlClearCountersMask);
  return r;
}

std::vector<runtime::RunResult> FpgaBackend::RunStreams(
    runtime::DeviceMemory& mem, std::span<const runtime::StreamRef> streams,
    const std::function<void(size_t, const runtime::RunResult&)>& after_each) {
  const uint64_t end = uint64_t{mem.Base()} + mem.Size();
  if (mem.Base() < info_.mem_base || end > uint64_t{info_.mem_base} + info_.mem_bytes) {
    throw BoardMemoryError(fmt::format(
        "the model needs {} bytes of device memory at 0x{:08x}; the board on {} has {} bytes at "
        "0x{:08x} (compile the model for the board: npu compile --memory {})",
        mem.Size(), mem.Base(), options_.port, info_.mem_bytes, info_.mem_base, info_.mem_bytes));
  }
  link_->MemWrite(mem.Base(), mem.Data());
  std::vector<runtime::RunResult> results;
  for (size_t i = 0; i < streams.size(); ++i) {
    results.push_back(RunOne(mem.Base(), mem.Size(), streams[i]));
    if (after_each) after_each(i, results.back());
    if (!results.back().status.ok) break;
  }
  link_->MemRead(mem.Base(), mem.Data());
  return results;
}

void FpgaBackend::Sync(runtime::DeviceMemory& mem, uint32_t addr, size_t bytes) {
  std::vector<uint8_t> part(bytes);
  link_->MemRead(addr, part);
  mem.Write(addr, part);
}

}  // namespace npu::fpga
