/// @file
/// Bit-level UART models (8N1, LSB first) of the host side of the link, for
/// the simulated board: one drives the board's receive line, one samples its
/// transmit line, a clock cycle at a time. Written from the UART framing,
/// not from the RTL, so that they check it.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <stdexcept>
#include <string>

namespace npu::fpga_tb {

/// Sends queued bytes on a line: a start bit (0), 8 data bits, a stop bit
/// (1), each clks_per_bit cycles; the line idles high.
class UartDriver {
 public:
  explicit UartDriver(uint32_t clks_per_bit) : clks_per_bit_(clks_per_bit) {}

  void Push(uint8_t byte) { queue_.push_back(byte); }
  bool Idle() const { return queue_.empty() && bit_ < 0; }

  /// The line level for the next cycle.
  bool Step() {
    if (bit_ < 0) {
      if (queue_.empty()) return true;
      frame_ = (uint32_t{queue_.front()} << 1) | (1u << 9);  // start 0, data, stop 1
      queue_.pop_front();
      bit_ = 0;
      count_ = 0;
    }
    const bool level = (frame_ >> bit_) & 1;
    if (++count_ == clks_per_bit_) {
      count_ = 0;
      if (++bit_ == 10) bit_ = -1;
    }
    return level;
  }

 private:
  uint32_t clks_per_bit_;
  std::deque<uint8_t> queue_;
  uint32_t frame_ = 0;
  int bit_ = -1;
  uint32_t count_ = 0;
};

/// Samples a line every cycle: a falling edge starts a frame, every bit is
/// sampled at its middle, and a low stop bit is a framing error.
class UartSampler {
 public:
  explicit UartSampler(uint32_t clks_per_bit) : clks_per_bit_(clks_per_bit) {}

  bool Idle() const { return bit_ < 0; }

  /// Takes the line's level of this cycle; returns a byte when its stop
  /// bit has been sampled. @throws std::runtime_error on a framing error.
  std::optional<uint8_t> Step(bool level) {
    if (bit_ < 0) {
      if (!level) {  // start bit: sample each bit half a bit later
        bit_ = 0;
        count_ = clks_per_bit_ / 2;
      }
      return std::nullopt;
    }
    if (--count_ != 0) return std::nullopt;
    count_ = clks_per_bit_;
    if (bit_ == 0) {
      if (level)
        bit_ = -1;  // a glitch, not a start bit
      else
        bit_ = 1;
      return std::nullopt;
    }
    if (bit_ <= 8) {
      shift_ = static_cast<uint8_t>((shift_ >> 1) | (level ? 0x80 : 0));
      ++bit_;
      return std::nullopt;
    }
    bit_ = -1;
    if (!level) throw std::runtime_error("UART framing error on the board's transmit line");
    return shift_;
  }

 private:
  uint32_t clks_per_bit_;
  int bit_ = -1;  // -1 idle, 0 start, 1..8 data, 9 stop
  uint32_t count_ = 0;
  uint8_t shift_ = 0;
};

}  // namespace npu::fpga_tb
