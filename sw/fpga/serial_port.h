/// @file
/// A serial port (a USB-serial adapter's tty, or a pseudo-terminal) in raw
/// 8N1 mode, with reads that give up after a deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

namespace npu::fpga {

/// The host link failed: the port cannot be opened, the board does not
/// answer in time, or it answered something else than the protocol allows.
/// The message names the port and what was expected.
class LinkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A tty opened raw (no echo, no line editing, no flow control), 8N1.
class SerialPort {
 public:
  /// Opens @p path at @p baud. @throws LinkError naming the path and the
  /// reason (absent, no permission, not a tty, an unsupported rate).
  SerialPort(const std::string& path, uint32_t baud);
  ~SerialPort();
  SerialPort(const SerialPort&) = delete;
  SerialPort& operator=(const SerialPort&) = delete;

  const std::string& Path() const { return path_; }

  /// Writes all of @p bytes. @throws LinkError.
  void Write(std::span<const uint8_t> bytes);
  /// Reads exactly out.size() bytes, waiting at most @p timeout for each
  /// gap between bytes. @throws LinkError on a timeout (saying how many
  /// bytes came) or a read error.
  void Read(std::span<uint8_t> out, std::chrono::milliseconds timeout, const char* what);
  /// Discards whatever arrived and was not read.
  void Flush();

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace npu::fpga
