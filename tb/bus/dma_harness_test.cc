// The bus models against a real verilated AXI4 master (a DMA engine) at 32
// and 256 data bits, stepped by a plain clock loop.

#include "tb/bus/dma_harness.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "Vnpu_bus_test_dma256.h"
#include "Vnpu_bus_test_dma32.h"

namespace npu::bus {
namespace {

using testing::DmaHarness;

std::uint64_t Seed() {
  const char* env = std::getenv("NPU_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 0) : 7;
}

std::vector<std::uint8_t> Pattern(std::size_t n, std::uint32_t seed) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>((i * 131 + seed) >> 2);
  return v;
}

template <typename T>
class DmaHarnessTest : public ::testing::Test {};
using Models = ::testing::Types<Vnpu_bus_test_dma32, Vnpu_bus_test_dma256>;
TYPED_TEST_SUITE(DmaHarnessTest, Models);

TYPED_TEST(DmaHarnessTest, PortViewMatchesModelWidths) {
  DmaHarness<TypeParam> h(AxiMemoryConfig::Ideal(), AxiLiteMasterConfig::Ideal());
  const int bytes = h.mem.port().data_bytes;
  EXPECT_TRUE(bytes == 4 || bytes == 32);
  EXPECT_EQ(h.mem.port().wdata.width(), 8 * bytes);
}

TYPED_TEST(DmaHarnessTest, CopyAcrossPagesWithRandomTiming) {
  for (const AxiMemoryConfig& config :
       {AxiMemoryConfig::Ideal(Seed()), AxiMemoryConfig::Default(Seed()),
        AxiMemoryConfig::Stress(Seed())}) {
    DmaHarness<TypeParam> h(config, AxiLiteMasterConfig{.seed = Seed()});
    const std::uint32_t bytes = static_cast<std::uint32_t>(h.mem.port().data_bytes);
    const std::uint32_t beats = 300;
    const std::uint32_t src = 0x10000 - 5 * bytes, dst = 0x23000 - 17 * bytes;
    const auto data = Pattern(beats * bytes, bytes);
    h.mem.Write(src, data);
    const std::uint32_t status = h.Copy(src, dst, beats);
    EXPECT_EQ(status & 3, 0u) << "busy/error";
    std::vector<std::uint8_t> out(data.size());
    h.mem.Read(dst, out);
    EXPECT_EQ(out, data);
    EXPECT_EQ(h.mem.Read8(dst + beats * bytes), 0);
    EXPECT_EQ(h.monitor.stats().ar, h.mem.stats().read_bursts);
    EXPECT_EQ(h.mem.stats().read_beats, beats);
    EXPECT_EQ(h.mem.stats().write_beats, beats);
    EXPECT_EQ(h.mem.stats().read_bursts_by_id.at(1), h.mem.stats().read_bursts);
    EXPECT_EQ(status >> 16, h.mem.stats().write_bursts);
    EXPECT_TRUE(h.monitor.Idle());
    std::printf("%d-bit: %u beats copied in %llu cycles, %llu bursts\n", 8 * bytes, beats,
                static_cast<unsigned long long>(h.cycles),
                static_cast<unsigned long long>(h.mem.stats().write_bursts));
  }
}

TYPED_TEST(DmaHarnessTest, ReadErrorStopsTheCopy) {
  DmaHarness<TypeParam> h(AxiMemoryConfig::Default(Seed()), AxiLiteMasterConfig{});
  const std::uint32_t bytes = static_cast<std::uint32_t>(h.mem.port().data_bytes);
  h.mem.AddError(0x1000 + 40 * bytes, 0x1000 + 41 * bytes, Resp::kSlvErr);
  const std::uint32_t status = h.Copy(0x1000, 0x8000, 64);
  EXPECT_EQ(status & 2, 2u);
  EXPECT_EQ(h.mem.stats().error_responses, 1u);
}

TYPED_TEST(DmaHarnessTest, WriteErrorStopsTheCopy) {
  DmaHarness<TypeParam> h(AxiMemoryConfig::Default(Seed()), AxiLiteMasterConfig{});
  h.mem.AddError(0x8000, 0x8001, Resp::kDecErr);
  h.mem.Write(0x1000, Pattern(64, 3));
  const std::uint32_t status = h.Copy(0x1000, 0x8000, 2);
  EXPECT_EQ(status & 2, 2u);
  EXPECT_EQ(h.mem.Read8(0x8001), 0);  // Nothing of the failing burst written.
}

TYPED_TEST(DmaHarnessTest, RegisterErrorsReachTheMaster) {
  DmaHarness<TypeParam> h(AxiMemoryConfig::Ideal(), AxiLiteMasterConfig{});
  auto w = h.lite.SubmitWrite(0x100, 1);
  auto r = h.lite.SubmitRead(0x100);
  auto ok = h.lite.SubmitRead(testing::kDmaStatus);
  h.Settle();
  EXPECT_EQ(w->resp, Resp::kSlvErr);
  EXPECT_EQ(r->resp, Resp::kSlvErr);
  EXPECT_EQ(ok->resp, Resp::kOkay);
}

}  // namespace
}  // namespace npu::bus
