/// @file
/// The runtime backend of an npu FPGA board: the same interface as the
/// instruction-level simulator and the RTL backends, over the host link
/// (docs/fpga.md, docs/gen/link.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "sw/fpga/link_client.h"
#include "sw/fpga/serial_port.h"
#include "sw/runtime/backend.h"

namespace npu::fpga {

/// A model's memory image does not fit the board's memory.
class BoardMemoryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// How to reach the board.
struct FpgaOptions {
  std::string port;                              ///< e.g. /dev/ttyUSB0
  uint32_t baud = 1000000;                       ///< the bitstream's UART rate
  std::chrono::milliseconds timeout{2000};       ///< longest wait for a reply byte
  std::chrono::milliseconds run_timeout{60000};  ///< longest wait for a stream to end
};

/// Runs instruction streams on the board: the memory image goes into the
/// board's memory, each stream is queued through the NPU's registers and
/// polled until done, and the memory comes back.
class FpgaBackend final : public runtime::Backend {
 public:
  /// Opens the port and identifies the board: the link's info, then the
  /// NPU's ID and configuration registers, matched to a named
  /// configuration. @throws LinkError (absent port, no answer, not an npu).
  explicit FpgaBackend(const FpgaOptions& options);
  ~FpgaBackend() override;

  std::string Name() const override { return "fpga-" + std::string(config_->name); }
  const HwConfig& Config() const override { return *config_; }
  /// What the board said of itself.
  const BoardInfo& Board() const { return info_; }

  runtime::RunResult Run(runtime::DeviceMemory& mem, uint32_t stream_addr,
                         uint32_t num_instr) override;
  /// Writes the memory once, runs the streams back to back, reads it back
  /// once. @throws BoardMemoryError when the image does not lie
  /// inside the board's memory; LinkError when the link fails.
  std::vector<runtime::RunResult> RunStreams(
      runtime::DeviceMemory& mem, std::span<const runtime::StreamRef> streams,
      const std::function<void(size_t, const runtime::RunResult&)>& after_each = {}) override;
  void Sync(runtime::DeviceMemory& mem, uint32_t addr, size_t bytes) override;

 private:
  runtime::RunResult RunOne(uint32_t win_base, uint32_t win_size, const runtime::StreamRef& s);

  FpgaOptions options_;
  std::unique_ptr<SerialPort> port_;
  std::unique_ptr<LinkClient> link_;
  BoardInfo info_;
  const HwConfig* config_ = nullptr;
};

}  // namespace npu::fpga
