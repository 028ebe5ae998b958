/// @file
/// The simulated board: the verilated npu_fpga_top (spec/link.toml's
/// [sim_board]) behind a pseudo-terminal. Bytes the host writes to
/// the terminal go bit by bit onto the board's UART receive line; bits of
/// its transmit line come back as bytes. The host runtime opens Port() as it
/// would open /dev/ttyUSB0, so the fpga backend runs unchanged.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

namespace npu::fpga_tb {

/// How the simulated board is set up.
struct BoardSimOptions {
  std::string trace_path;  ///< FST waveform of the board; empty = none
  std::string link_path;   ///< also reachable as this symbolic link; empty = none
};

/// The board: its model, its pseudo-terminal, and the loop that clocks it.
class BoardSim {
 public:
  explicit BoardSim(const BoardSimOptions& options = {});
  ~BoardSim();
  BoardSim(const BoardSim&) = delete;
  BoardSim& operator=(const BoardSim&) = delete;

  /// The terminal the host opens (e.g. /dev/pts/3).
  const std::string& Port() const { return port_; }
  /// The configuration of the verilated NPU.
  static const char* Config();
  /// Clock cycles simulated so far.
  uint64_t Cycles() const { return cycles_.load(); }

  /// Clocks the board on a thread of its own until Stop() or destruction.
  void Start();
  /// Stops that thread.
  void Stop();
  /// Clocks the board on the calling thread until @p stop becomes true.
  void Run(const std::atomic<bool>& stop);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string port_;
  std::atomic<uint64_t> cycles_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace npu::fpga_tb
