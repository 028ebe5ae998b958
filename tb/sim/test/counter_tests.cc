// Simulation tests of the counter smoke-test DUT (shared by the
// npu_sim_counter_tb binary and the GoogleTest smoke test).
#include <cstdint>
#include <memory>
#include <random>

#include "Vnpu_sim_counter.h"
#include "tb/sim/kernel.h"
#include "tb/sim/runner.h"
#include "tb/sim/tracer.h"
#include "tb/sim/triggers.h"

namespace {

using npu::sim::Task;

NPU_SIM_TEST(counter_counts) {
  auto model = std::make_unique<Vnpu_sim_counter>();
  npu::sim::Tracer<Vnpu_sim_counter> tracer(*model, ctx.trace_path);
  npu::sim::Kernel kernel([&] { model->eval(); });
  kernel.SetTraceHook(tracer.Hook());
  npu::sim::Clock& clk = kernel.AddClock("clk_i", &model->clk_i, 10 * npu::sim::kNs);
  kernel.Run([&]() -> Task<> {
    model->rst_ni = 0;
    model->en_i = 0;
    co_await npu::sim::ClockCycles(clk, 2);
    model->rst_ni = 1;
    co_await npu::sim::RisingEdge(clk);
    model->en_i = 1;
    co_await npu::sim::ClockCycles(clk, 10);
    NPU_CHECK_EQ(model->count_o, 10);
    model->en_i = 0;
    co_await npu::sim::ReadOnly();
    NPU_CHECK_EQ(model->count_o, 10);  // en_i=0 seen by the next edge only
    co_await npu::sim::RisingEdge(clk);
    NPU_CHECK_EQ(model->count_o, 10);
    model->en_i = 1;
    co_await npu::sim::ClockCycles(clk, 245);
    co_await npu::sim::ReadOnly();
    NPU_CHECK_EQ(model->count_o, 255);
    NPU_CHECK(model->wrap_o) << "wrap_o should be set at 255";
  });
  model->final();
}

// Random enable pattern; the model's count must match a C++ reference.
NPU_SIM_TEST_CASES(counter_random_enable, 2) {
  auto model = std::make_unique<Vnpu_sim_counter>();
  npu::sim::Tracer<Vnpu_sim_counter> tracer(*model, ctx.trace_path);
  npu::sim::Kernel kernel([&] { model->eval(); });
  kernel.SetTraceHook(tracer.Hook());
  npu::sim::Clock& clk = kernel.AddClock("clk_i", &model->clk_i, 10 * npu::sim::kNs);
  std::mt19937_64 rng = ctx.MakeRng();
  kernel.Run([&]() -> Task<> {
    model->rst_ni = 0;
    co_await npu::sim::RisingEdge(clk);
    model->rst_ni = 1;
    uint8_t expected = 0;
    for (int i = 0; i < 1000; ++i) {
      model->en_i = rng() & 1;
      co_await npu::sim::ReadOnly();
      NPU_CHECK_EQ(model->count_o, expected) << "cycle " << i;
      if (model->en_i) ++expected;
      co_await npu::sim::RisingEdge(clk);
    }
  });
  model->final();
}

}  // namespace
