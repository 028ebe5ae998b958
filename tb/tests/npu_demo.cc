// `make sim`: runs demo layers through the verilated RTL with
// the default memory model (random latency and backpressure), checks every
// output bit against the golden model and the instruction-level simulator,
// and prints cycles, MAC utilization and simulation speed per layer.
//
// One binary per hardware configuration, npu_demo_<cfg>, linking that
// configuration's model only (tb/tests/CMakeLists.txt); `--config` defaults
// to it.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <random>
#include <string>
#include <vector>

#include "sw/compiler/compiler.h"
#include "sw/iss/iss.h"
#include "sw/runtime/runner.h"
#include "tb/dut/dut_model.h"
#include "tb/dut/rtl_backend.h"
#include "tb/tests/random_layers.h"

namespace npu {
namespace {

struct DemoLayer {
  std::string name;
  compiler::ConvLayer layer;
  std::vector<int8_t> input;
  std::vector<int8_t> golden;
};

DemoLayer Gemm(std::mt19937_64& rng, int m, int n, int k) {
  DemoLayer d;
  d.name = fmt::format("gemm {}x{}x{}", m, n, k);
  const compiler::GemmLayer g = testing::RandomGemmShape(rng, m, n, k);
  d.input.resize(size_t(m) * k);
  for (auto& x : d.input)
    x = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
  d.golden = testing::GoldenGemm(g, d.input);
  d.layer = g.ToConv();
  return d;
}

DemoLayer Conv(std::mt19937_64& rng, int hw, int cin, int cout, int k, int stride) {
  DemoLayer d;
  d.name = fmt::format("conv {}x{}x{} -> {} k{} s{}", hw, hw, cin, cout, k, stride);
  // Shape fixed, everything else (weights, zero points, requantization) random.
  compiler::ConvLayer c;
  c.in_zp = std::uniform_int_distribution<int>(-128, 127)(rng);
  c.h = c.w = hw;
  c.cin = cin;
  c.cout = cout;
  c.kh = c.kw = k;
  c.stride_h = c.stride_w = stride;
  c.pad_top = c.pad_left = c.pad_bottom = c.pad_right = k / 2;
  c.weights.resize(size_t(cout) * k * k * cin);
  for (auto& w : c.weights)
    w = static_cast<int8_t>(std::uniform_int_distribution<int>(-127, 127)(rng));
  const compiler::GemmLayer q = testing::RandomGemmShape(rng, 1, cout, k * k * cin);
  c.bias = q.bias;
  c.multiplier = q.multiplier;
  c.shift = q.shift;
  c.out_zp = q.out_zp;
  c.act_min = q.act_min;
  c.act_max = q.act_max;
  d.layer = c;
  d.input = testing::RandomInput(rng, c);
  d.golden = testing::GoldenConv(c, d.input);
  return d;
}

int Main(int argc, char** argv) {
  CLI::App app{"npu demo: layers through the verilated RTL, checked bit for bit"};
  const std::vector<std::string> built = dut::BuiltConfigs();
  std::string config = built.size() == 1 ? built[0] : std::string(kDefaultHwConfig);
  uint64_t seed = 1;
  std::string trace;
  bool ideal = false;
  app.add_option("--config", config, "hardware configuration (spec/configs.toml)")
      ->capture_default_str();
  app.add_option("--seed", seed, "seed of the data and of the memory model");
  app.add_option("--trace", trace, "write an FST waveform of the run");
  app.add_flag("--ideal-memory", ideal, "memory without latency or backpressure");
  CLI11_PARSE(app, argc, argv);

  const HwConfig* hw = &dut::BuiltHwConfig(config, "sim");
  std::mt19937_64 rng(seed);
  std::vector<DemoLayer> layers;
  layers.push_back(Conv(rng, 28, 64, 64, 3, 1));
  layers.push_back(Gemm(rng, 512, 512, 512));

  dut::RtlBackendOptions opt;
  opt.harness.mem = ideal ? bus::AxiMemoryConfig::Ideal(seed) : bus::AxiMemoryConfig::Default(seed);
  opt.harness.trace_path = trace;
  fmt::print("npu {}: {}x{} array, {}-bit bus, seed {}, memory model: {}\n", hw->name, hw->dim,
             hw->dim, 8 * hw->dim, seed,
             ideal ? "ideal"
                   : fmt::format("latency {}-{} cycles, ready/valid probability {}",
                                 opt.harness.mem.min_latency, opt.harness.mem.max_latency,
                                 opt.harness.mem.r_valid_prob));
  fmt::print("{:<32} {:>6} {:>12} {:>12} {:>8} {:>10} {:>8}\n", "layer", "result", "MACs", "cycles",
             "util", "kcycles/s", "sim s");
  int failures = 0;
  for (const DemoLayer& d : layers) {
    const compiler::CompiledLayer cl = compiler::Compile(d.layer, *hw, 0x10000000);
    iss::Iss iss(*hw);
    const runtime::RunOutput ref = runtime::Run(iss, cl, d.input);
    dut::RtlBackend rtl(*hw, opt);
    const auto t0 = std::chrono::steady_clock::now();
    const runtime::RunOutput got = runtime::Run(rtl, cl, d.input);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const bool pass = got.result.status.ok && ref.result.status.ok && got.outputs[0] == d.golden &&
                      ref.outputs[0] == d.golden;
    failures += !pass;
    const uint64_t cycles = got.result.stats.cycles;
    const double util = cycles ? double(cl.macs) / (double(cycles) * hw->dim * hw->dim) : 0;
    fmt::print("{:<32} {:>6} {:>12} {:>12} {:>7.1f}% {:>10.0f} {:>8.2f}\n", d.name,
               pass ? "PASS" : "FAIL", cl.macs, cycles, 100 * util,
               secs > 0 ? cycles / secs / 1000 : 0.0, secs);
    if (!pass) {
      fmt::print("  RTL: {}  ISS: {}  RTL==golden: {}  ISS==golden: {}\n",
                 got.result.status.Describe(), ref.result.status.Describe(),
                 got.outputs[0] == d.golden, ref.outputs[0] == d.golden);
    }
    if (!pass) {
      for (const auto& [name, value] : got.result.stats.counters) {
        fmt::print("    {:<24} {:>12}\n", name, value);
      }
    }
  }
  fmt::print("{}\n", failures ? "FAIL" : "PASS");
  return failures ? 1 : 0;
}

}  // namespace
}  // namespace npu

int main(int argc, char** argv) {
  try {
    return npu::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
