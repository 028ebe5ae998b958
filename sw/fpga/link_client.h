/// @file
/// The host side of the FPGA build's link (docs/gen/link.md): the board's
/// memory and the NPU's registers over a serial port.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "sw/fpga/serial_port.h"

namespace npu::fpga {

/// What the board says of itself (the `info` command).
struct BoardInfo {
  uint32_t version = 0;    ///< protocol version
  uint32_t mem_base = 0;   ///< device address of the board's memory
  uint32_t mem_bytes = 0;  ///< its size
  uint32_t clock_hz = 0;   ///< NPU clock
  uint32_t baud = 0;       ///< UART bit rate
};

/// One command at a time over a SerialPort; every reply is checked.
class LinkClient {
 public:
  /// @p timeout bounds each wait for a reply byte.
  LinkClient(SerialPort& port, std::chrono::milliseconds timeout);

  /// Asks the board what it is. @throws LinkError if it does not answer,
  /// answers with another magic, or speaks another protocol version.
  BoardInfo Info();
  /// Writes @p data at device address @p addr (in pieces). @throws LinkError.
  void MemWrite(uint32_t addr, std::span<const uint8_t> data);
  /// Reads out.size() bytes at device address @p addr. @throws LinkError.
  void MemRead(uint32_t addr, std::span<uint8_t> out);
  /// Writes an NPU register. @throws LinkError.
  void RegWrite(uint32_t offset, uint32_t value);
  /// Reads an NPU register. @throws LinkError.
  uint32_t RegRead(uint32_t offset);

 private:
  void Send(uint8_t cmd, std::span<const uint32_t> args);
  void ExpectOk(uint8_t cmd, const char* what);
  uint32_t ReadWord(const char* what);

  SerialPort& port_;
  std::chrono::milliseconds timeout_;
};

}  // namespace npu::fpga
