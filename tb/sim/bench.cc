// Scheduler throughput: cycles per second with an empty model.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "tb/sim/kernel.h"
#include "tb/sim/triggers.h"

int main(int argc, char** argv) {
  using npu::sim::Task;
  const long cycles = argc > 1 ? std::atol(argv[1]) : 10'000'000;
  const int tasks = argc > 2 ? std::atoi(argv[2]) : 1;
  uint8_t clk = 0;
  npu::sim::Kernel kernel([] {});
  npu::sim::Clock& clock = kernel.AddClock("clk", &clk, 2);
  for (int t = 1; t < tasks; ++t) {
    kernel.StartSoon([&]() -> Task<> {
      for (;;) {
        co_await npu::sim::ReadOnly();
        co_await npu::sim::RisingEdge(clock);
      }
    });
  }
  const auto start = std::chrono::steady_clock::now();
  kernel.Run([&]() -> Task<> {
    for (long i = 0; i < cycles; ++i) co_await npu::sim::RisingEdge(clock);
  });
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%ld cycles, %d task(s): %.3f s, %.1f ns/cycle, %.2f Mcycles/s, %llu evals\n", cycles,
              tasks, s, s * 1e9 / static_cast<double>(cycles),
              static_cast<double>(cycles) / s / 1e6,
              static_cast<unsigned long long>(kernel.EvalCount()));
  return 0;
}
