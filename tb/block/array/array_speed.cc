// Simulation speed of the bare systolic array: the physical limit of any
// simulation of the NPU built with the same Verilator and flags, since every
// cycle of a network runs the array's Rows x Cols PEs.
//
// The array is driven directly, without the coroutine kernel or any bus
// model: one eval at the falling and one at the rising clock edge, a new
// activation row valid on every cycle (all lanes toggling, both weight banks
// in use), and one weight row written every other cycle. Prints the rate in
// cycles per second; with --rate-only, the number alone (for scripts).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include NPU_MODEL_H
#include "verilated.h"

namespace {

using Model = NPU_MODEL;
constexpr int kRows = NPU_ROWS;
constexpr int kCols = NPU_COLS;

/// Writes `bytes` little-endian into the model's input of any width.
template <typename Port>
void SetBytes(Port& port, const uint8_t* bytes, int n) {
  if constexpr (std::is_integral_v<Port>) {
    Port v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<Port>(bytes[i]) << (8 * i);
    port = v;
  } else {
    for (int w = 0; w < (n + 3) / 4; ++w) {
      uint32_t v = 0;
      for (int i = 0; i < 4 && 4 * w + i < n; ++i) v |= uint32_t{bytes[4 * w + i]} << (8 * i);
      port[w] = v;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{fmt::format("Simulation speed of the bare {}x{} systolic array", kRows, kCols)};
  uint64_t cycles = 2'000'000;
  bool rate_only = false;
  app.add_option("--cycles", cycles, "cycles to simulate")->check(CLI::PositiveNumber);
  app.add_flag("--rate-only", rate_only, "print the cycles per second alone");
  CLI11_PARSE(app, argc, argv);

  auto context = std::make_unique<VerilatedContext>();
  auto dut = std::make_unique<Model>(context.get());
  // Stimulus drawn up front so that the timed loop only drives the model.
  constexpr int kPatterns = 1024;
  std::mt19937_64 rng(1);
  std::vector<uint8_t> a(kPatterns * kRows), w(kPatterns * kCols);
  for (uint8_t& b : a) b = static_cast<uint8_t>(rng());
  for (uint8_t& b : w) b = static_cast<uint8_t>(rng());

  dut->clk_i = 0;
  dut->rst_ni = 0;
  dut->eval();
  dut->rst_ni = 1;
  dut->eval();
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t t = 0; t < cycles; ++t) {
    const int p = static_cast<int>(t % kPatterns);
    dut->clk_i = 0;
    dut->eval();
    dut->a_valid_i = 1;
    dut->a_bank_i = (t >> 4) & 1;
    SetBytes(dut->a_i, &a[p * kRows], kRows);
    dut->tag_i = static_cast<uint16_t>(t);  // TagWidth 16 (CMakeLists.txt)
    dut->w_we_i = t & 1;
    dut->w_row_i = static_cast<uint32_t>((t >> 1) % kRows);
    dut->w_bank_i = ~(t >> 4) & 1;
    SetBytes(dut->w_i, &w[p * kCols], kCols);
    dut->clk_i = 1;
    dut->eval();
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  dut->final();
  const double rate = static_cast<double>(cycles) / s;
  if (rate_only) {
    fmt::print("{:.0f}\n", rate);
  } else {
    fmt::print("bare {}x{} systolic array: {} cycles in {:.2f} s, {:.0f} cycles/s\n", kRows, kCols,
               cycles, s, rate);
  }
  return 0;
}
