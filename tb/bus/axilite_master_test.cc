#include "tb/bus/axilite_master.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tb/bus/fake_axi_bus.h"

namespace npu::bus {
namespace {

using testing::FakeAxiLiteSlaveTop;

/// A cycle-based AXI4-Lite register file with random ready/valid timing.
/// Addresses at or above 0x1000 answer SLVERR.
class LiteSlave {
 public:
  LiteSlave(FakeAxiLiteSlaveTop& top, std::uint64_t seed) : top_(top), rng_(seed) {}

  void Sample() {
    if (top_.s_axil_awvalid_i && awready_) aw_ = top_.s_axil_awaddr_i;
    if (top_.s_axil_wvalid_i && wready_) {
      w_ = top_.s_axil_wdata_i;
      wstrb_ = top_.s_axil_wstrb_i;
    }
    if (top_.s_axil_arvalid_i && arready_) ar_ = top_.s_axil_araddr_i;
    if (bvalid_ && top_.s_axil_bready_i) bvalid_ = false;
    if (rvalid_ && top_.s_axil_rready_i) rvalid_ = false;
    if (aw_ && w_ && !bvalid_ && Coin()) {
      bresp_ = *aw_ >= 0x1000 ? 2 : 0;
      if (bresp_ == 0) {
        std::uint32_t& reg = regs_[*aw_];
        for (int i = 0; i < 4; ++i) {
          if (wstrb_ >> i & 1) reg = (reg & ~(0xffu << 8 * i)) | (*w_ & 0xffu << 8 * i);
        }
      }
      bvalid_ = true;
      aw_.reset();
      w_.reset();
    }
    if (ar_ && !rvalid_ && Coin()) {
      rresp_ = *ar_ >= 0x1000 ? 2 : 0;
      rdata_ = regs_[*ar_];
      rvalid_ = true;
      ar_.reset();
    }
    awready_ = !aw_ && Coin();
    wready_ = !w_ && Coin();
    arready_ = !ar_ && Coin();
  }

  void Drive() {
    top_.s_axil_awready_o = awready_;
    top_.s_axil_wready_o = wready_;
    top_.s_axil_arready_o = arready_;
    top_.s_axil_bvalid_o = bvalid_;
    top_.s_axil_bresp_o = bresp_;
    top_.s_axil_rvalid_o = rvalid_;
    top_.s_axil_rdata_o = rdata_;
    top_.s_axil_rresp_o = rresp_;
  }

  std::map<std::uint32_t, std::uint32_t> regs_;
  bool bad_early_b_ = false;

 private:
  bool Coin() { return (rng_() & 3) != 0; }

  FakeAxiLiteSlaveTop& top_;
  std::mt19937_64 rng_;
  std::optional<std::uint32_t> aw_, w_, ar_;
  std::uint8_t wstrb_ = 0;
  bool awready_ = false, wready_ = false, arready_ = false, bvalid_ = false, rvalid_ = false;
  std::uint8_t bresp_ = 0, rresp_ = 0;
  std::uint32_t rdata_ = 0;
};

struct LiteBench {
  explicit LiteBench(const AxiLiteMasterConfig& config, std::uint64_t slave_seed = 1)
      : master(NPU_AXILITE_SLAVE_PORT(top, s_axil_), config), slave(top, slave_seed) {}

  void Step() {
    slave.Sample();
    master.Sample();
    slave.Drive();
    master.Drive();
  }

  void RunUntilIdle() {
    for (int i = 0; i < 1000000 && !master.Idle(); ++i) Step();
    ASSERT_TRUE(master.Idle());
  }

  FakeAxiLiteSlaveTop top;
  AxiLiteMaster master;
  LiteSlave slave;
};

TEST(AxiLiteMasterTest, WriteThenRead) {
  LiteBench b(AxiLiteMasterConfig::Ideal());
  auto w = b.master.SubmitWrite(0x10, 0xdeadbeef);
  auto r = b.master.SubmitRead(0x10);
  b.RunUntilIdle();
  EXPECT_TRUE(w->done);
  EXPECT_EQ(w->resp, Resp::kOkay);
  EXPECT_TRUE(r->done);
  EXPECT_EQ(r->data, 0xdeadbeefu);
  EXPECT_EQ(r->resp, Resp::kOkay);
}

TEST(AxiLiteMasterTest, ErrorResponsesAreReported) {
  LiteBench b(AxiLiteMasterConfig{});
  auto w = b.master.SubmitWrite(0x2000, 1);
  auto r = b.master.SubmitRead(0x2000);
  b.RunUntilIdle();
  EXPECT_EQ(w->resp, Resp::kSlvErr);
  EXPECT_EQ(r->resp, Resp::kSlvErr);
}

TEST(AxiLiteMasterTest, StrobesReachTheSlave) {
  LiteBench b(AxiLiteMasterConfig::Ideal());
  b.master.SubmitWrite(0x20, 0x11223344);
  b.master.SubmitWrite(0x20, 0xaabbccdd, 0b0101);
  b.RunUntilIdle();
  EXPECT_EQ(b.slave.regs_[0x20], 0x11bb33ddu);
}

TEST(AxiLiteMasterTest, ManyRandomAccessesInOrder) {
  std::mt19937_64 rng(7);
  LiteBench b(AxiLiteMasterConfig{.seed = 3}, 5);
  std::map<std::uint32_t, std::uint32_t> ref;
  std::vector<std::pair<std::shared_ptr<AxiLiteTransaction>, std::uint32_t>> reads;
  for (int i = 0; i < 2000; ++i) {
    const auto addr = static_cast<std::uint32_t>(rng() % 16) * 4;
    if (rng() & 1) {
      const auto data = static_cast<std::uint32_t>(rng());
      b.master.SubmitWrite(addr, data);
      ref[addr] = data;
    } else {
      reads.emplace_back(b.master.SubmitRead(addr), ref[addr]);
    }
    if (rng() % 8 == 0) {
      for (int k = 0; k < 5; ++k) b.Step();
    }
  }
  b.RunUntilIdle();
  EXPECT_EQ(b.master.completed(), 2000u);
  for (const auto& [t, expected] : reads) {
    ASSERT_TRUE(t->done);
    EXPECT_EQ(t->data, expected);
  }
}

TEST(AxiLiteMasterTest, ResponseWithoutRequestIsAViolation) {
  FakeAxiLiteSlaveTop top;
  AxiLiteMaster master(NPU_AXILITE_SLAVE_PORT(top, s_axil_), AxiLiteMasterConfig::Ideal());
  top.s_axil_bvalid_o = 1;
  EXPECT_THROW(master.Sample(), std::runtime_error);
}

TEST(AxiLiteMasterTest, WriteResponseBeforeDataIsAViolation) {
  FakeAxiLiteSlaveTop top;
  AxiLiteMasterConfig config = AxiLiteMasterConfig::Ideal();
  AxiLiteMaster master(NPU_AXILITE_SLAVE_PORT(top, s_axil_), config);
  master.SubmitWrite(0, 0);
  master.Sample();
  master.Drive();
  top.s_axil_awready_o = 1;  // AW accepted, W not.
  master.Sample();
  master.Drive();
  top.s_axil_awready_o = 0;
  top.s_axil_bvalid_o = 1;
  try {
    master.Sample();
    ADD_FAILURE() << "no violation";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("BVALID before W was accepted"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace npu::bus
