/// @file block_util.h
/// @brief Scaffolding shared by the GoogleTest block tests of tb/block/:
/// a clock driver for a verilated model with plain C++ cycle loops, and
/// access to its wide ports by bytes and by lanes.
///
/// A block test owns its model and calls, per cycle: set the inputs,
/// ClockLow() (combinational outputs now answer those inputs), observe,
/// ClockHigh() (the rising edge); or Step() when it has nothing to observe
/// in between. Any model with `clk_i` and `rst_ni` works.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

namespace npu::block {

/// Drives `clk_i` low and settles the model: the outputs now show the
/// combinational answer to the inputs set for this cycle.
template <typename Model>
void ClockLow(Model& dut) {
  dut.clk_i = 0;
  dut.eval();
}

/// Rising edge of `clk_i`: the registers take what ClockLow() settled.
template <typename Model>
void ClockHigh(Model& dut) {
  dut.clk_i = 1;
  dut.eval();
}

/// One clock cycle with the inputs set now; afterwards the outputs show the
/// state of the next cycle.
template <typename Model>
void Step(Model& dut) {
  ClockLow(dut);
  ClockHigh(dut);
}

/// Pulses the asynchronous reset `rst_ni` with the clock low. Inputs other
/// than the clock and the reset keep the values the caller set before.
template <typename Model>
void Reset(Model& dut) {
  dut.clk_i = 0;
  dut.rst_ni = 0;
  dut.eval();
  dut.rst_ni = 1;
  dut.eval();
}

/// Writes the `n` bytes at `bytes` into a verilated port of any width
/// (byte `i` is port bits [8i +: 8]).
template <typename Port>
void SetBytes(Port& port, const uint8_t* bytes, int n) {
  if constexpr (std::is_integral_v<Port>) {
    Port v = 0;
    std::memcpy(&v, bytes, n);
    port = v;
  } else {
    std::memcpy(port.data(), bytes, n);
  }
}

/// Reads the low `n` bytes of a verilated port of any width.
template <typename Port>
std::vector<uint8_t> GetBytes(const Port& port, int n) {
  std::vector<uint8_t> bytes(n);
  if constexpr (std::is_integral_v<Port>) {
    std::memcpy(bytes.data(), &port, n);
  } else {
    std::memcpy(bytes.data(), port.data(), n);
  }
  return bytes;
}

/// Sets lane `lane` (bits [lane*width +: width], width <= 32) of a verilated
/// port of any width to `v`. Lanes must not straddle 32-bit words, which
/// holds for the aligned 8- and 32-bit lanes of the design.
template <typename Port>
void SetLane(Port& sig, int lane, int width, uint32_t v) {
  const int lsb = lane * width;
  const uint64_t mask = (width == 32) ? 0xffffffffull : ((1ull << width) - 1);
  if constexpr (std::is_integral_v<Port>) {
    uint64_t s = static_cast<uint64_t>(sig);
    s = (s & ~(mask << lsb)) | ((uint64_t{v} & mask) << lsb);
    sig = static_cast<Port>(s);
  } else {
    uint32_t& w = sig[lsb / 32];
    const int off = lsb % 32;
    const uint64_t m = mask << off;
    w = static_cast<uint32_t>((w & ~m) | ((uint64_t{v} & mask) << off));
  }
}

/// Reads lane `lane` (bits [lane*width +: width], width <= 32) of a
/// verilated port of any width; the same alignment rule as SetLane().
template <typename Port>
uint32_t GetLane(const Port& sig, int lane, int width) {
  const int lsb = lane * width;
  const uint64_t mask = (width == 32) ? 0xffffffffull : ((1ull << width) - 1);
  if constexpr (std::is_integral_v<Port>) {
    return static_cast<uint32_t>((static_cast<uint64_t>(sig) >> lsb) & mask);
  } else {
    return static_cast<uint32_t>((uint64_t{sig[lsb / 32]} >> (lsb % 32)) & mask);
  }
}

}  // namespace npu::block
