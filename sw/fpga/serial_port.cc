#include "sw/fpga/serial_port.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace npu::fpga {

namespace {

speed_t BaudConstant(uint32_t baud, const std::string& path) {
  static constexpr std::pair<uint32_t, speed_t> kRates[] = {
      {9600, B9600},       {19200, B19200},     {38400, B38400},     {57600, B57600},
      {115200, B115200},   {230400, B230400},   {460800, B460800},   {500000, B500000},
      {921600, B921600},   {1000000, B1000000}, {1500000, B1500000}, {2000000, B2000000},
      {3000000, B3000000},
  };
  for (const auto& [rate, constant] : kRates) {
    if (rate == baud) return constant;
  }
  std::string known;
  for (const auto& [rate, constant] : kRates) known += fmt::format(" {}", rate);
  throw LinkError(fmt::format("{}: unsupported baud rate {} (supported:{})", path, baud, known));
}

}  // namespace

SerialPort::SerialPort(const std::string& path, uint32_t baud) : path_(path) {
  const speed_t speed = BaudConstant(baud, path);
  fd_ = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd_ < 0) {
    throw LinkError(fmt::format("cannot open serial port {}: {}", path, std::strerror(errno)));
  }
  termios tio{};
  if (::tcgetattr(fd_, &tio) != 0) {
    const int err = errno;
    ::close(fd_);
    throw LinkError(fmt::format("{} is not a serial port: {}", path, std::strerror(err)));
  }
  ::cfmakeraw(&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cflag &= ~(CSTOPB | PARENB | CRTSCTS);
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
  if (::cfsetispeed(&tio, speed) != 0 || ::cfsetospeed(&tio, speed) != 0 ||
      ::tcsetattr(fd_, TCSANOW, &tio) != 0) {
    const int err = errno;
    ::close(fd_);
    throw LinkError(
        fmt::format("cannot set {} to {} baud 8N1: {}", path, baud, std::strerror(err)));
  }
  Flush();
}

SerialPort::~SerialPort() {
  if (fd_ >= 0) ::close(fd_);
}

void SerialPort::Write(std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw LinkError(fmt::format("write to {} failed: {}", path_, std::strerror(errno)));
    }
    done += static_cast<size_t>(n);
  }
}

void SerialPort::Read(std::span<uint8_t> out, std::chrono::milliseconds timeout, const char* what) {
  size_t done = 0;
  while (done < out.size()) {
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw LinkError(fmt::format("poll on {} failed: {}", path_, std::strerror(errno)));
    }
    if (r == 0) {
      throw LinkError(fmt::format(
          "the board on {} did not answer within {} ms ({}: {} of {} bytes came); is the "
          "bitstream loaded and the baud rate the board's?",
          path_, timeout.count(), what, done, out.size()));
    }
    const ssize_t n = ::read(fd_, out.data() + done, out.size() - done);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      throw LinkError(fmt::format("read from {} failed: {}", path_, std::strerror(errno)));
    }
    if (n == 0 && (p.revents & (POLLHUP | POLLERR))) {
      throw LinkError(fmt::format("{} was closed by the other side ({})", path_, what));
    }
    done += static_cast<size_t>(n);
  }
}

void SerialPort::Flush() { ::tcflush(fd_, TCIOFLUSH); }

}  // namespace npu::fpga
