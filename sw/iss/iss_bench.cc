// Speed of the instruction-level simulator on an int8 GEMM (default
// 512x512x512) compiled for the default configuration; the result is checked
// against plain loops on the numerics contract.
//
// Usage: npu_iss_bench [M N K]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "sw/compiler/compiler.h"
#include "sw/gen/npu_configs.h"
#include "sw/iss/iss.h"
#include "sw/numerics/numerics.h"
#include "sw/runtime/runner.h"

namespace {

int Main(int argc, char** argv) {
  const npu::HwConfig& cfg = *npu::FindHwConfig(npu::kDefaultHwConfig);
  npu::compiler::GemmLayer g;
  g.m = argc > 3 ? std::atoi(argv[1]) : 512;
  g.n = argc > 3 ? std::atoi(argv[2]) : 512;
  g.k = argc > 3 ? std::atoi(argv[3]) : 512;
  if (g.m < 1 || g.n < 1 || g.k < 1) {
    std::fprintf(stderr, "usage: npu_iss_bench [M N K] (positive)\n");
    return 2;
  }
  // Multiplier 2^30 (0.5), shift -8: out = acc / 512 rounded.
  g.multiplier = {1 << 30};
  g.shift = {-8};
  std::mt19937 rng(1);
  std::vector<int8_t> a(size_t(g.m) * g.k);
  g.weights.resize(size_t(g.k) * g.n);
  for (auto& v : a) v = static_cast<int8_t>(rng() % 256 - 128);
  for (auto& v : g.weights) v = static_cast<int8_t>(rng() % 255 - 127);
  const npu::compiler::CompiledLayer cl = npu::compiler::Compile(g.ToConv(), cfg, 0x10000000);

  npu::iss::Iss iss(cfg);
  const auto t0 = std::chrono::steady_clock::now();
  const npu::runtime::RunOutput run = npu::runtime::Run(iss, cl, a);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("iss %s: GEMM %dx%dx%d, %zu instructions, %llu MACs in %.3f s (%.2f GMAC/s): %s\n",
              std::string(cfg.name).c_str(), g.m, g.n, g.k, cl.program.size(),
              static_cast<unsigned long long>(run.result.stats.macs), secs,
              static_cast<double>(run.result.stats.macs) / secs * 1e-9,
              run.result.status.Describe().c_str());
  if (!run.result.status.ok) return 1;

  // Check against plain loops.
  for (int i = 0; i < g.m; ++i) {
    for (int n = 0; n < g.n; ++n) {
      int32_t acc = 0;
      for (int k = 0; k < g.k; ++k) {
        acc += a[size_t(i) * g.k + k] * g.weights[size_t(k) * g.n + n];
      }
      const int8_t q = npu::Requantize(acc, 0, 1 << 30, -8, 0, -128, 127);
      const int8_t got = run.outputs[0][size_t(i) * g.n + n];
      if (got != q) {
        std::printf("MISMATCH at (%d, %d): %d != %d\n", i, n, got, q);
        return 1;
      }
    }
  }
  std::printf("result matches the reference loops\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Main(argc, argv); }
