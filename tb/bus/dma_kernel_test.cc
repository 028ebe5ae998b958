// The bus models' coroutine wrappers under the simulation kernel, against the
// verilated DMA harness.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <vector>

#include "Vnpu_bus_test_dma256.h"
#include "tb/bus/axi_memory.h"
#include "tb/bus/axi_port.h"
#include "tb/bus/axilite_master.h"
#include "tb/bus/dma_harness.h"
#include "tb/sim/sim.h"

namespace npu::bus {
namespace {

using testing::kDmaBeats;
using testing::kDmaCtrl;
using testing::kDmaDst;
using testing::kDmaSrc;
using testing::kDmaStatus;

std::uint64_t Seed() {
  const char* env = std::getenv("NPU_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 0) : 11;
}

TEST(DmaKernelTest, CopyDrivenByCoroutines) {
  auto model = std::make_unique<Vnpu_bus_test_dma256>();
  sim::Kernel kernel([&] { model->eval(); });
  AxiMemory mem(NPU_AXI_MASTER_PORT(*model, m_axi_), AxiMemoryConfig::Default(Seed()));
  AxiLiteMaster lite(NPU_AXILITE_SLAVE_PORT(*model, s_axil_), AxiLiteMasterConfig{.seed = Seed()});
  sim::Clock& clk = kernel.AddClock("clk_i", &model->clk_i, 10 * sim::kNs);

  std::vector<std::uint8_t> data(32 * 100);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7 + 1);
  mem.Write(0x4000, data);

  kernel.Run([&]() -> sim::Task<> {
    model->rst_ni = 0;
    kernel.StartSoon(mem.Run(clk));
    kernel.StartSoon(lite.Run(clk));
    co_await sim::ClockCycles(clk, 3);
    model->rst_ni = 1;

    // Two concurrent callers are served one at a time.
    auto a = kernel.StartSoon([&]() -> sim::Task<> {
      co_await lite.Write(kDmaSrc, 0x4000);
      co_await lite.Write(kDmaBeats, 100);
    });
    auto b = kernel.StartSoon([&]() -> sim::Task<> { co_await lite.Write(kDmaDst, 0x9000); });
    co_await a;
    co_await b;
    EXPECT_EQ(co_await lite.Read(kDmaSrc), 0x4000u);
    EXPECT_EQ(co_await lite.Read(kDmaDst), 0x9000u);
    EXPECT_EQ(co_await lite.Read(kDmaBeats), 100u);

    co_await lite.Write(kDmaCtrl, 1);
    std::uint32_t status = 1;
    while ((status & 1) != 0) {
      co_await sim::ClockCycles(clk, 16);
      status = co_await lite.Read(kDmaStatus);
    }
    EXPECT_EQ(status & 2, 0u);

    EXPECT_EQ(co_await lite.WriteResp(0x100, 0), Resp::kSlvErr);
    bool threw = false;
    try {
      co_await lite.Read(0x100);
    } catch (const std::runtime_error&) {
      threw = true;
    }
    EXPECT_TRUE(threw);
  });

  std::vector<std::uint8_t> out(data.size());
  mem.Read(0x9000, out);
  EXPECT_EQ(out, data);
  EXPECT_EQ(mem.stats().read_beats, 100u);
}

}  // namespace
}  // namespace npu::bus
