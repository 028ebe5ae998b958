#include "tb/bus/axi_monitor.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "tb/bus/fake_axi_bus.h"

namespace npu::bus {
namespace {

using testing::FakeAxiMasterTop;

class AxiMonitorTest : public ::testing::Test {
 protected:
  FakeAxiMasterTop<64> top_;
  AxiMonitor monitor_{NPU_AXI_MASTER_PORT(top_, m_axi_), "mon"};

  void ExpectViolation(const std::string& text) {
    try {
      monitor_.Sample();
      ADD_FAILURE() << "no violation, expected " << text;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  }
};

TEST_F(AxiMonitorTest, ReadBurstCounted) {
  top_.m_axi_arvalid_o = top_.m_axi_arready_i = 1;
  top_.m_axi_arlen_o = 1;
  top_.m_axi_arid_o = 1;
  monitor_.Sample();
  top_.m_axi_arvalid_o = 0;
  top_.m_axi_rvalid_i = top_.m_axi_rready_o = 1;
  top_.m_axi_rid_i = 1;
  monitor_.Sample();
  EXPECT_FALSE(monitor_.Idle());
  top_.m_axi_rlast_i = 1;
  monitor_.Sample();
  EXPECT_TRUE(monitor_.Idle());
  EXPECT_EQ(monitor_.stats().ar, 1u);
  EXPECT_EQ(monitor_.stats().r, 2u);
  EXPECT_EQ(monitor_.stats().reads_done, 1u);
}

TEST_F(AxiMonitorTest, RlastTooEarly) {
  top_.m_axi_arvalid_o = top_.m_axi_arready_i = 1;
  top_.m_axi_arlen_o = 3;
  monitor_.Sample();
  top_.m_axi_arvalid_o = 0;
  top_.m_axi_rvalid_i = top_.m_axi_rready_o = top_.m_axi_rlast_i = 1;
  ExpectViolation("RLAST=1 with 3 beats left");
}

TEST_F(AxiMonitorTest, ReadDataWithoutRequest) {
  top_.m_axi_rvalid_i = top_.m_axi_rready_o = 1;
  top_.m_axi_rid_i = 2;
  ExpectViolation("RID 2 has no read outstanding");
}

TEST_F(AxiMonitorTest, RvalidDropped) {
  top_.m_axi_rvalid_i = 1;
  monitor_.Sample();
  top_.m_axi_rvalid_i = 0;
  ExpectViolation("RVALID dropped before RREADY");
}

TEST_F(AxiMonitorTest, RdataChanged) {
  top_.m_axi_rvalid_i = 1;
  top_.m_axi_rdata_i = 5;
  monitor_.Sample();
  top_.m_axi_rdata_i = 6;
  ExpectViolation("payload changed while RVALID && !RREADY");
}

TEST_F(AxiMonitorTest, WriteResponseBeforeLastBeat) {
  top_.m_axi_awvalid_o = top_.m_axi_awready_i = 1;
  top_.m_axi_awlen_o = 1;
  monitor_.Sample();
  top_.m_axi_awvalid_o = 0;
  top_.m_axi_wvalid_o = top_.m_axi_wready_i = 1;
  monitor_.Sample();
  top_.m_axi_wvalid_o = 0;
  top_.m_axi_bvalid_i = top_.m_axi_bready_o = 1;
  ExpectViolation("before its last W beat");
}

TEST_F(AxiMonitorTest, EarlyWriteDataThenAddress) {
  top_.m_axi_wvalid_o = top_.m_axi_wready_i = top_.m_axi_wlast_o = 1;
  monitor_.Sample();
  EXPECT_EQ(monitor_.stats().w_before_aw, 1u);
  top_.m_axi_wvalid_o = 0;
  top_.m_axi_awvalid_o = top_.m_axi_awready_i = 1;
  monitor_.Sample();
  top_.m_axi_awvalid_o = 0;
  top_.m_axi_bvalid_i = top_.m_axi_bready_o = 1;
  monitor_.Sample();
  EXPECT_TRUE(monitor_.Idle());
  EXPECT_EQ(monitor_.stats().b, 1u);
}

TEST_F(AxiMonitorTest, WlastWrong) {
  top_.m_axi_awvalid_o = top_.m_axi_awready_i = 1;
  top_.m_axi_awlen_o = 2;
  monitor_.Sample();
  top_.m_axi_awvalid_o = 0;
  top_.m_axi_wvalid_o = top_.m_axi_wready_i = top_.m_axi_wlast_o = 1;
  ExpectViolation("WLAST=1 on beat 0 of a burst with AWLEN=2");
}

}  // namespace
}  // namespace npu::bus
