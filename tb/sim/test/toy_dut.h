// A pure C++ stand-in for a verilated model, used by the kernel unit tests.
#pragma once

#include <cstdint>

namespace npu::sim::test {

/// Counter register (counts on rising clk edges while en) plus a
/// combinational adder, evaluated like a verilated model.
struct ToyDut {
  // Inputs.
  uint8_t clk = 0;
  uint8_t en = 0;
  uint32_t a = 0;
  uint32_t b = 0;
  // Outputs.
  uint32_t count = 0;       // register
  uint32_t sum = 0;         // a + b (combinational)
  uint32_t count_next = 0;  // count + en (combinational): value after the next edge
  // Internal.
  uint8_t last_clk = 0;
  uint64_t evals = 0;

  void Eval() {
    ++evals;
    if (clk && !last_clk && en) ++count;
    last_clk = clk;
    sum = a + b;
    count_next = count + en;
  }
};

}  // namespace npu::sim::test
