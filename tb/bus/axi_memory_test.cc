#include "tb/bus/axi_memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <vector>

#include "tb/bus/axi_monitor.h"
#include "tb/bus/axi_test_master.h"
#include "tb/bus/fake_axi_bus.h"

namespace npu::bus {
namespace {

using testing::AxiTestMaster;
using testing::AxiTestMasterConfig;
using testing::FakeAxiMasterTop;

/// Seed of the random tests: NPU_SEED if set, else a fixed default.
std::uint64_t TestSeed() {
  const char* env = std::getenv("NPU_SEED");
  const std::uint64_t seed = env != nullptr ? std::strtoull(env, nullptr, 0) : 20240601;
  std::printf("seed = %llu (set NPU_SEED to change)\n", static_cast<unsigned long long>(seed));
  return seed;
}

struct RBeat {
  std::vector<std::uint8_t> data;
  std::uint32_t id;
  Resp resp;
  bool last;
};

/// A fake top, the memory on its master port and a sequential directed master.
template <int kBits>
class Bench {
 public:
  static constexpr int kBytes = kBits / 8;

  explicit Bench(const AxiMemoryConfig& config) : mem(port, config) { mem.Drive(); }

  void Step() {
    mem.Sample();
    mem.Drive();
  }

  void IssueRead(std::uint32_t addr, std::uint32_t len, std::uint32_t id = 0, int burst = 1,
                 int size = std::countr_zero(unsigned{kBytes})) {
    port.arvalid.Set(1);
    port.araddr.Set(addr);
    port.arlen.Set(len);
    port.arid.Set(id);
    port.arburst.Set(burst);
    port.arsize.Set(size);
    for (int i = 0; i < 10000; ++i) {
      const bool fire = port.arready.Get() != 0;
      Step();
      if (fire) {
        port.arvalid.Set(0);
        return;
      }
    }
    FAIL() << "AR never accepted";
  }

  void IssueWriteAddr(std::uint32_t addr, std::uint32_t len, std::uint32_t id = 0) {
    port.awvalid.Set(1);
    port.awaddr.Set(addr);
    port.awlen.Set(len);
    port.awid.Set(id);
    port.awburst.Set(1);
    port.awsize.Set(std::countr_zero(unsigned{kBytes}));
    for (int i = 0; i < 10000; ++i) {
      const bool fire = port.awready.Get() != 0;
      Step();
      if (fire) {
        port.awvalid.Set(0);
        return;
      }
    }
    FAIL() << "AW never accepted";
  }

  void SendBeat(const std::vector<std::uint8_t>& data, std::uint64_t strb, bool last) {
    port.wvalid.Set(1);
    port.wdata.SetBytes(data);
    port.wstrb.Set(strb);
    port.wlast.Set(last);
    for (int i = 0; i < 10000; ++i) {
      const bool fire = port.wready.Get() != 0;
      Step();
      if (fire) {
        port.wvalid.Set(0);
        return;
      }
    }
    FAIL() << "W never accepted";
  }

  std::vector<RBeat> CollectR(int beats) {
    std::vector<RBeat> out;
    port.rready.Set(1);
    for (int i = 0; i < 100000 && static_cast<int>(out.size()) < beats; ++i) {
      if (port.rvalid.Get() != 0) {
        RBeat b{std::vector<std::uint8_t>(kBytes), static_cast<std::uint32_t>(port.rid.Get()),
                static_cast<Resp>(port.rresp.Get()), port.rlast.Get() != 0};
        port.rdata.GetBytes(b.data);
        out.push_back(std::move(b));
      }
      Step();
    }
    port.rready.Set(0);
    return out;
  }

  std::pair<std::uint32_t, Resp> WaitB() {
    port.bready.Set(1);
    for (int i = 0; i < 100000; ++i) {
      if (port.bvalid.Get() != 0) {
        const std::pair<std::uint32_t, Resp> b{static_cast<std::uint32_t>(port.bid.Get()),
                                               static_cast<Resp>(port.bresp.Get())};
        Step();
        port.bready.Set(0);
        return b;
      }
      Step();
    }
    ADD_FAILURE() << "no B response";
    return {0, Resp::kOkay};
  }

  /// Writes `beats` beats of pattern data with full strobes.
  std::vector<std::uint8_t> WriteBurst(std::uint32_t addr, int beats, std::uint8_t seed,
                                       std::uint32_t id = 0) {
    std::vector<std::uint8_t> all;
    IssueWriteAddr(addr, beats - 1, id);
    for (int b = 0; b < beats; ++b) {
      std::vector<std::uint8_t> data(kBytes);
      for (int i = 0; i < kBytes; ++i) data[i] = static_cast<std::uint8_t>(seed + b * kBytes + i);
      SendBeat(data, kAllStrobes, b + 1 == beats);
      all.insert(all.end(), data.begin(), data.end());
    }
    return all;
  }

  static constexpr std::uint64_t kAllStrobes =
      kBytes >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << kBytes) - 1;

  FakeAxiMasterTop<kBits> top;
  AxiPort port = NPU_AXI_MASTER_PORT(top, m_axi_);
  AxiMemory mem;
};

std::vector<std::uint8_t> Pattern(std::size_t n, std::uint8_t seed) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + 3 * i);
  return v;
}

// --- directed -------------------------------------------------------------

TEST(AxiMemoryTest, PortViewFromModelMembers) {
  Bench<128> b(AxiMemoryConfig::Ideal());
  EXPECT_EQ(b.port.data_bytes, 16);
  EXPECT_EQ(b.port.rdata.width(), 128);
  EXPECT_EQ(b.port.wstrb.width(), 16);
  b.port.arready.Set(1);
  EXPECT_EQ(b.top.m_axi_arready_i, 1);
}

TEST(AxiMemoryTest, SingleBeatReadIdealLatencyIsOneCycle) {
  Bench<128> b(AxiMemoryConfig::Ideal());
  const auto data = Pattern(16, 9);
  b.mem.Write(0x1000, data);
  b.port.rready.Set(1);
  b.IssueRead(0x1000, 0, 2);
  // The AR handshake happened at the last edge; R is valid in this cycle.
  ASSERT_EQ(b.port.rvalid.Get(), 1u);
  auto beats = b.CollectR(1);
  ASSERT_EQ(beats.size(), 1u);
  EXPECT_EQ(beats[0].data, data);
  EXPECT_EQ(beats[0].id, 2u);
  EXPECT_EQ(beats[0].resp, Resp::kOkay);
  EXPECT_TRUE(beats[0].last);
  EXPECT_TRUE(b.mem.Idle());
}

TEST(AxiMemoryTest, MultiBeatRead) {
  Bench<128> b(AxiMemoryConfig::Default(1));
  const auto data = Pattern(16 * 16, 1);
  b.mem.Write(0x2000, data);
  b.IssueRead(0x2000, 15, 1);
  auto beats = b.CollectR(16);
  ASSERT_EQ(beats.size(), 16u);
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(beats[i].data,
              std::vector<std::uint8_t>(data.begin() + 16 * i, data.begin() + 16 * (i + 1)));
    EXPECT_EQ(beats[i].last, i == 15);
  }
  EXPECT_EQ(b.mem.stats().read_beats, 16u);
  EXPECT_EQ(b.mem.stats().read_bytes, 256u);
  EXPECT_EQ(b.mem.stats().read_bursts_by_id.at(1), 1u);
}

TEST(AxiMemoryTest, UnwrittenMemoryReadsFillByte) {
  Bench<64> b(AxiMemoryConfig::Ideal());
  b.mem.memory().set_fill(0xcd);
  b.IssueRead(0x8000, 0);
  auto beats = b.CollectR(1);
  ASSERT_EQ(beats.size(), 1u);
  EXPECT_EQ(beats[0].data, std::vector<std::uint8_t>(8, 0xcd));
}

TEST(AxiMemoryTest, SingleAndMultiBeatWrite) {
  Bench<128> b(AxiMemoryConfig::Default(2));
  auto one = b.WriteBurst(0x3000, 1, 0x10, 1);
  EXPECT_EQ(b.WaitB(), std::make_pair(1u, Resp::kOkay));
  auto many = b.WriteBurst(0x3100, 8, 0x40, 0);
  EXPECT_EQ(b.WaitB(), std::make_pair(0u, Resp::kOkay));
  std::vector<std::uint8_t> back(16);
  b.mem.Read(0x3000, back);
  EXPECT_EQ(back, one);
  back.resize(128);
  b.mem.Read(0x3100, back);
  EXPECT_EQ(back, many);
  EXPECT_EQ(b.mem.stats().write_bytes, 16u * 9);
  EXPECT_EQ(b.mem.stats().write_beats, 9u);
  EXPECT_TRUE(b.mem.Idle());
}

TEST(AxiMemoryTest, WriteBeatsBeforeAddress) {
  Bench<64> b(AxiMemoryConfig::Default(3));
  const auto d0 = Pattern(8, 1), d1 = Pattern(8, 2), d2 = Pattern(8, 3);
  b.SendBeat(d0, 0xff, false);
  b.SendBeat(d1, 0xff, false);
  b.SendBeat(d2, 0xff, true);
  EXPECT_EQ(b.mem.BufferedWriteBeats(), 3);
  EXPECT_EQ(b.mem.Read8(0x5000), 0);
  b.IssueWriteAddr(0x5000, 2, 3);
  EXPECT_EQ(b.mem.BufferedWriteBeats(), 0);
  EXPECT_EQ(b.WaitB(), std::make_pair(3u, Resp::kOkay));
  EXPECT_EQ(b.mem.Read8(0x5000), d0[0]);
  EXPECT_EQ(b.mem.Read8(0x5008), d1[0]);
  EXPECT_EQ(b.mem.Read8(0x5017), d2[7]);
}

TEST(AxiMemoryTest, ZeroStrobeWriteLeavesMemoryUnchanged) {
  Bench<256> b(AxiMemoryConfig::Default(4));
  const auto before = Pattern(64, 0x77);
  b.mem.Write(0x6000, before);
  b.IssueWriteAddr(0x6000, 1, 0);
  b.SendBeat(Pattern(32, 1), 0, false);
  b.SendBeat(Pattern(32, 2), 0, true);
  EXPECT_EQ(b.WaitB(), std::make_pair(0u, Resp::kOkay));
  std::vector<std::uint8_t> after(64);
  b.mem.Read(0x6000, after);
  EXPECT_EQ(after, before);
  EXPECT_EQ(b.mem.stats().write_bytes, 0u);
  EXPECT_EQ(b.mem.stats().write_beats, 2u);
}

TEST(AxiMemoryTest, PartialStrobes) {
  Bench<32> b(AxiMemoryConfig::Ideal());
  b.mem.Write32(0x100, 0xaabbccdd);
  b.IssueWriteAddr(0x100, 0);
  b.SendBeat({0x11, 0x22, 0x33, 0x44}, 0b1010, true);
  EXPECT_EQ(b.WaitB().second, Resp::kOkay);
  EXPECT_EQ(b.mem.Read32(0x100), 0x44bb22ddu);
}

TEST(AxiMemoryTest, ReadErrorInjectionPerBeat) {
  Bench<128> b(AxiMemoryConfig::Default(5));
  b.mem.Write(0x4000, Pattern(64, 5));
  b.mem.AddError(0x4010, 0x4030, Resp::kSlvErr);  // Beats 1 and 2.
  b.mem.AddError(0x4030, 0x4031, Resp::kDecErr);  // First byte of beat 3.
  b.IssueRead(0x4000, 3, 1);
  auto beats = b.CollectR(4);
  ASSERT_EQ(beats.size(), 4u);
  EXPECT_EQ(beats[0].resp, Resp::kOkay);
  EXPECT_EQ(beats[1].resp, Resp::kSlvErr);
  EXPECT_EQ(beats[2].resp, Resp::kSlvErr);
  EXPECT_EQ(beats[3].resp, Resp::kDecErr);
  EXPECT_EQ(beats[1].data, std::vector<std::uint8_t>(16, 0));
  EXPECT_TRUE(beats[3].last);
  EXPECT_EQ(b.mem.stats().error_responses, 3u);
  b.mem.ClearErrors();
  b.IssueRead(0x4010, 0, 1);
  beats = b.CollectR(1);
  ASSERT_EQ(beats.size(), 1u);
  EXPECT_EQ(beats[0].resp, Resp::kOkay);
}

TEST(AxiMemoryTest, WriteErrorInjectionWritesNothing) {
  Bench<64> b(AxiMemoryConfig::Default(6));
  b.mem.AddError(0x7038, 0x7040, Resp::kDecErr);  // Last beat of the burst.
  b.WriteBurst(0x7000, 8, 0x20, 2);
  EXPECT_EQ(b.WaitB(), std::make_pair(2u, Resp::kDecErr));
  for (std::uint32_t a = 0x7000; a < 0x7040; ++a) ASSERT_EQ(b.mem.Read8(a), 0) << a;
  b.mem.ClearErrors();
  b.mem.AddError(0x7040, 0x8000, Resp::kSlvErr);  // Adjacent, not touched.
  auto data = b.WriteBurst(0x7000, 8, 0x20, 2);
  EXPECT_EQ(b.WaitB(), std::make_pair(2u, Resp::kOkay));
  EXPECT_EQ(b.mem.Read8(0x703f), data.back());
}

TEST(AxiMemoryTest, LatencyWithinConfiguredRange) {
  AxiMemoryConfig config = AxiMemoryConfig::Default(7);
  config.r_valid_prob = 1.0;
  Bench<64> b(config);
  int lo = 1000, hi = 0;
  for (int i = 0; i < 200; ++i) {
    b.IssueRead(0x100, 0);
    const std::uint64_t accepted = b.mem.cycle();
    b.port.rready.Set(1);
    while (b.port.rvalid.Get() == 0) b.Step();
    const int latency = static_cast<int>(b.mem.cycle() + 1 - accepted);
    lo = std::min(lo, latency);
    hi = std::max(hi, latency);
    b.Step();
  }
  EXPECT_EQ(lo, config.min_latency);
  EXPECT_EQ(hi, config.max_latency);
}

TEST(AxiMemoryTest, ResetDropsBurstsInFlight) {
  Bench<64> b(AxiMemoryConfig::Default(8));
  b.IssueRead(0x0, 3);
  b.SendBeat(Pattern(8, 1), 0xff, false);
  EXPECT_FALSE(b.mem.Idle());
  b.mem.Reset();
  b.mem.Drive();
  EXPECT_TRUE(b.mem.Idle());
  EXPECT_EQ(b.port.rvalid.Get(), 0u);
  EXPECT_EQ(b.port.arready.Get(), 0u);
}

TEST(AxiMemoryTest, ConfigValidation) {
  FakeAxiMasterTop<64> top;
  const AxiPort port = NPU_AXI_MASTER_PORT(top, m_axi_);
  AxiMemoryConfig c = AxiMemoryConfig::Default(1);
  c.min_latency = 0;
  EXPECT_THROW(AxiMemory(port, c), std::invalid_argument);
  c = AxiMemoryConfig::Default(1);
  c.w_ready_prob = 0;
  EXPECT_THROW(AxiMemory(port, c), std::invalid_argument);
  AxiPort missing = port;
  missing.rid = SignalRef();
  EXPECT_THROW(AxiMemory(missing, AxiMemoryConfig::Ideal()), std::invalid_argument);
}

// --- bandwidth -----------------------------------------------------------

TEST(AxiMemoryTest, ReadBandwidthCap) {
  for (const double fraction : {0.25, 0.5, 1.0 / 3}) {
    AxiMemoryConfig config = AxiMemoryConfig::Ideal();
    config.read_bytes_per_cycle = 16 * fraction;
    Bench<128> b(config);
    for (int i = 0; i < 4; ++i) b.IssueRead(0x10000 + 0x1000 * i, 255, i & 3);
    auto beats = b.CollectR(1024);
    ASSERT_EQ(beats.size(), 1024u);
    const AxiMemoryStats& s = b.mem.stats();
    const double cycles = static_cast<double>(s.last_read_beat_cycle - s.first_read_beat_cycle);
    const double measured = static_cast<double>(s.read_bytes - 16) / cycles;
    EXPECT_NEAR(measured, config.read_bytes_per_cycle, 0.01 * config.read_bytes_per_cycle)
        << "fraction " << fraction;
  }
}

TEST(AxiMemoryTest, NoBandwidthCapMeansOneBeatPerCycle) {
  Bench<256> b(AxiMemoryConfig::Ideal());
  b.IssueRead(0x0, 127);  // 4 KiB.
  auto beats = b.CollectR(128);
  ASSERT_EQ(beats.size(), 128u);
  EXPECT_EQ(b.mem.stats().last_read_beat_cycle - b.mem.stats().first_read_beat_cycle, 127u);
}

// --- protocol checks ------------------------------------------------------

/// Runs `body`, expects AxiMemory to throw a runtime_error containing `text`.
template <typename F>
void ExpectViolation(F body, const std::string& text) {
  try {
    body();
    ADD_FAILURE() << "no violation reported, expected: " << text;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

TEST(AxiMemoryProtocolTest, ReadCrossing4KiB) {
  Bench<128> b(AxiMemoryConfig::Ideal());
  ExpectViolation([&] { b.IssueRead(0x1ff0, 1); }, "AR: burst crosses a 4 KiB boundary");
}

TEST(AxiMemoryProtocolTest, WriteCrossing4KiB) {
  Bench<64> b(AxiMemoryConfig::Ideal());
  ExpectViolation([&] { b.IssueWriteAddr(0x2f00, 32); }, "AW: burst crosses a 4 KiB boundary");
}

TEST(AxiMemoryProtocolTest, LastBeatOfPageIsFine) {
  Bench<64> b(AxiMemoryConfig::Ideal());
  b.IssueRead(0x2f00, 31);
  EXPECT_EQ(b.CollectR(32).size(), 32u);
}

TEST(AxiMemoryProtocolTest, BurstTypeNotIncr) {
  Bench<64> b(AxiMemoryConfig::Ideal());
  ExpectViolation([&] { b.IssueRead(0x0, 3, 0, 0); }, "burst type is not INCR");
  Bench<64> c(AxiMemoryConfig::Ideal());
  ExpectViolation([&] { c.IssueRead(0x0, 3, 0, 2); }, "burst type is not INCR");
}

TEST(AxiMemoryProtocolTest, NarrowBeat) {
  Bench<128> b(AxiMemoryConfig::Ideal());
  ExpectViolation([&] { b.IssueRead(0x0, 0, 0, 1, 2); }, "beat size is not the bus width");
}

TEST(AxiMemoryProtocolTest, Unaligned) {
  Bench<128> b(AxiMemoryConfig::Ideal());
  ExpectViolation([&] { b.IssueRead(0x108, 0); }, "not aligned");
}

TEST(AxiMemoryProtocolTest, LengthAbove256) {
  FakeAxiMasterTop<64> top;
  std::uint16_t wide_len = 256;
  AxiPort port = NPU_AXI_MASTER_PORT(top, m_axi_);
  port.arlen = SignalRef::Of(wide_len);
  AxiMemory mem(port, AxiMemoryConfig::Ideal());
  mem.Drive();
  top.m_axi_arvalid_o = 1;
  top.m_axi_arsize_o = 3;
  top.m_axi_arburst_o = 1;
  ExpectViolation(
      [&] {
        mem.Sample();  // ARREADY is low in the first cycle.
        mem.Drive();
        mem.Sample();
      },
      "burst length above 256 beats");
}

TEST(AxiMemoryProtocolTest, WlastEarly) {
  Bench<64> b(AxiMemoryConfig::Ideal());
  b.IssueWriteAddr(0x0, 3);
  ExpectViolation([&] { b.SendBeat(Pattern(8, 0), 0xff, true); }, "WLAST=1 on beat 0 of a 4-beat");
}

TEST(AxiMemoryProtocolTest, WlastMissing) {
  Bench<64> b(AxiMemoryConfig::Ideal());
  b.IssueWriteAddr(0x0, 1);
  b.SendBeat(Pattern(8, 0), 0xff, false);
  ExpectViolation([&] { b.SendBeat(Pattern(8, 0), 0xff, false); }, "WLAST=0 on beat 1 of a 2-beat");
}

TEST(AxiMemoryProtocolTest, WlastCheckedWhenAddressArrivesLate) {
  Bench<64> b(AxiMemoryConfig::Ideal());
  b.SendBeat(Pattern(8, 0), 0xff, true);
  ExpectViolation([&] { b.IssueWriteAddr(0x0, 1); }, "WLAST=1 on beat 0 of a 2-beat");
}

TEST(AxiMemoryProtocolTest, ValidDroppedBeforeReady) {
  AxiMemoryConfig config = AxiMemoryConfig::Ideal();
  config.ar_ready_prob = 0.01;
  config.seed = 99;
  Bench<64> b(config);
  // Find a cycle with ARREADY low, raise ARVALID, then drop it.
  while (b.port.arready.Get() != 0) b.Step();
  b.port.arvalid.Set(1);
  b.port.arsize.Set(3);
  b.port.arburst.Set(1);
  b.Step();
  b.port.arvalid.Set(0);
  ExpectViolation([&] { b.Step(); }, "ARVALID dropped before ARREADY");
}

TEST(AxiMemoryProtocolTest, PayloadChangedBeforeReady) {
  AxiMemoryConfig config = AxiMemoryConfig::Ideal();
  config.aw_ready_prob = config.w_ready_prob = 0.01;
  Bench<64> b(config);
  while (b.port.awready.Get() != 0 || b.port.wready.Get() != 0) b.Step();
  b.port.awvalid.Set(1);
  b.port.awaddr.Set(0x40);
  b.port.awsize.Set(3);
  b.port.awburst.Set(1);
  b.Step();
  b.port.awaddr.Set(0x48);
  ExpectViolation([&] { b.Step(); }, "AW: payload changed while AWVALID && !AWREADY");

  Bench<64> c(config);
  while (c.port.wready.Get() != 0) c.Step();
  c.port.wvalid.Set(1);
  c.port.wdata.Set(1);
  c.port.wstrb.Set(0xff);
  c.Step();
  c.port.wdata.Set(2);
  ExpectViolation([&] { c.Step(); }, "W: payload changed while WVALID && !WREADY");
}

// --- random traffic against a reference ----------------------------------

template <int kBits>
struct RandomResult {
  AxiMemoryStats mem;
  AxiMonitorStats monitor;
  std::uint64_t reordered = 0, interleavings = 0, early_w = 0, reads = 0, writes = 0;
};

template <int kBits>
RandomResult<kBits> RunRandom(const AxiMemoryConfig& mem_config,
                              const AxiTestMasterConfig& master_config) {
  FakeAxiMasterTop<kBits> top;
  const AxiPort port = NPU_AXI_MASTER_PORT(top, m_axi_);
  AxiMemory mem(port, mem_config);
  AxiTestMaster master(port, master_config);
  AxiMonitor monitor(port);
  mem.Drive();
  master.Drive();
  std::uint64_t cycles = 0;
  while (!master.Done()) {
    monitor.Sample();
    mem.Sample();
    master.Sample();
    mem.Drive();
    master.Drive();
    if (++cycles > 50'000'000) throw std::runtime_error("random test did not finish");
  }
  EXPECT_TRUE(mem.Idle());
  EXPECT_TRUE(monitor.Idle());
  EXPECT_LE(mem.stats().max_reads_in_flight, mem_config.max_outstanding_reads);
  EXPECT_LE(mem.stats().max_writes_in_flight, mem_config.max_outstanding_writes);
  EXPECT_EQ(monitor.stats().ar, mem.stats().read_bursts);
  EXPECT_EQ(monitor.stats().r, mem.stats().read_beats);
  EXPECT_EQ(monitor.stats().w, mem.stats().write_beats);
  // Memory equals the reference in the whole window.
  for (std::uint32_t a = master_config.base; a < master_config.base + master_config.window; ++a) {
    if (mem.Read8(a) != master.RefByte(a)) {
      ADD_FAILURE() << "memory differs from reference at 0x" << std::hex << a;
      break;
    }
  }
  return {mem.stats(),
          monitor.stats(),
          master.reordered_beats(),
          master.interleavings(),
          master.early_w_beats(),
          master.reads_done(),
          master.writes_done()};
}

template <typename T>
class AxiMemoryRandomTest : public ::testing::Test {};

using Widths = ::testing::Types<std::integral_constant<int, 32>, std::integral_constant<int, 64>,
                                std::integral_constant<int, 128>, std::integral_constant<int, 256>>;
TYPED_TEST_SUITE(AxiMemoryRandomTest, Widths);

TYPED_TEST(AxiMemoryRandomTest, TenThousandTransactionsDefault) {
  const std::uint64_t seed = TestSeed();
  AxiTestMasterConfig mc;
  mc.seed = seed + 1;
  mc.num_transactions = 10000;
  const auto r = RunRandom<TypeParam::value>(AxiMemoryConfig::Default(seed), mc);
  EXPECT_EQ(r.reads + r.writes, 10000u);
  EXPECT_GT(r.reordered, 0u);
  EXPECT_GT(r.interleavings, 0u);
  EXPECT_GT(r.early_w, 0u);
  EXPECT_GT(r.mem.max_reads_in_flight, 4);
  std::printf(
      "%d-bit: %llu reads, %llu writes, %llu cycles, %llu reordered R beats, "
      "%llu early W beats, max %d reads in flight\n",
      TypeParam::value, static_cast<unsigned long long>(r.reads),
      static_cast<unsigned long long>(r.writes), static_cast<unsigned long long>(r.mem.cycles),
      static_cast<unsigned long long>(r.reordered), static_cast<unsigned long long>(r.early_w),
      r.mem.max_reads_in_flight);
}

TYPED_TEST(AxiMemoryRandomTest, Stress) {
  const std::uint64_t seed = TestSeed();
  AxiTestMasterConfig mc;
  mc.seed = seed + 2;
  mc.num_transactions = 3000;
  mc.valid_prob = 0.4;
  mc.ready_prob = 0.4;
  const auto r = RunRandom<TypeParam::value>(AxiMemoryConfig::Stress(seed), mc);
  EXPECT_EQ(r.reads + r.writes, 3000u);
}

TYPED_TEST(AxiMemoryRandomTest, IdealInOrder) {
  const std::uint64_t seed = TestSeed();
  AxiTestMasterConfig mc;
  mc.seed = seed + 3;
  mc.num_transactions = 3000;
  mc.valid_prob = 1.0;
  mc.ready_prob = 1.0;
  const auto r = RunRandom<TypeParam::value>(AxiMemoryConfig::Ideal(seed), mc);
  EXPECT_EQ(r.reordered, 0u);
  EXPECT_EQ(r.interleavings, 0u);
}

TEST(AxiMemoryRandomOrderTest, NoReorderKeepsAcceptanceOrder) {
  AxiMemoryConfig config = AxiMemoryConfig::Default(TestSeed());
  config.reorder_ids = false;
  AxiTestMasterConfig mc;
  mc.seed = config.seed + 4;
  mc.num_transactions = 2000;
  const auto r = RunRandom<64>(config, mc);
  EXPECT_EQ(r.reordered, 0u);
  EXPECT_EQ(r.interleavings, 0u);
}

TEST(AxiMemoryRandomOrderTest, OutstandingLimitsRespected) {
  AxiMemoryConfig config = AxiMemoryConfig::Default(TestSeed());
  config.max_outstanding_reads = 3;
  config.max_outstanding_writes = 2;
  AxiTestMasterConfig mc;
  mc.seed = config.seed + 5;
  mc.num_transactions = 2000;
  const auto r = RunRandom<128>(config, mc);
  EXPECT_EQ(r.mem.max_reads_in_flight, 3);
  EXPECT_EQ(r.mem.max_writes_in_flight, 2);
}

TEST(AxiMemoryRandomOrderTest, BandwidthCapUnderRandomTraffic) {
  AxiMemoryConfig config = AxiMemoryConfig::Default(TestSeed());
  config.read_bytes_per_cycle = 4;
  AxiTestMasterConfig mc;
  mc.seed = config.seed + 6;
  mc.num_transactions = 1000;
  mc.write_fraction = 0;
  mc.ready_prob = 1.0;
  const auto r = RunRandom<128>(config, mc);
  const double rate =
      static_cast<double>(r.mem.read_bytes) /
      static_cast<double>(r.mem.last_read_beat_cycle - r.mem.first_read_beat_cycle + 1);
  EXPECT_LE(rate, 4.0 * 1.001);
  EXPECT_GT(rate, 4.0 * 0.9);
}

}  // namespace
}  // namespace npu::bus
