// Test support: plain C++ structs laid out like the ports of a verilated
// model, so bus models can be unit-tested without a simulator.

#ifndef NPU_TB_BUS_FAKE_AXI_BUS_H_
#define NPU_TB_BUS_FAKE_AXI_BUS_H_

#include <cstdint>
#include <type_traits>

namespace npu::bus::testing {

/// A wide port as Verilator stores it (N 32-bit words, least significant
/// first), with the `data()` accessor SignalRef::Of() expects.
template <int kWords>
struct FakeWide {
  std::uint32_t words[kWords] = {};
  std::uint32_t* data() { return words; }
};

/// The storage type Verilator uses for a port of `kBits` bits.
template <int kBits>
using PortStorage = std::conditional_t<
    kBits <= 8, std::uint8_t,
    std::conditional_t<kBits <= 16, std::uint16_t,
                       std::conditional_t<kBits <= 32, std::uint32_t,
                                          std::conditional_t<kBits <= 64, std::uint64_t,
                                                             FakeWide<(kBits + 31) / 32>>>>>;

/// The AXI4 master port of an imaginary verilated top, named like the NPU's
/// (`m_axi_<chan><sig>_{i,o}`), for NPU_AXI_MASTER_PORT(bus, m_axi_).
template <int kDataBits>
struct FakeAxiMasterTop {
  PortStorage<1> m_axi_awvalid_o{}, m_axi_awready_i{};
  PortStorage<32> m_axi_awaddr_o{};
  PortStorage<8> m_axi_awlen_o{};
  PortStorage<3> m_axi_awsize_o{};
  PortStorage<2> m_axi_awburst_o{}, m_axi_awid_o{};
  PortStorage<1> m_axi_wvalid_o{}, m_axi_wready_i{};
  PortStorage<kDataBits> m_axi_wdata_o{};
  PortStorage<kDataBits / 8> m_axi_wstrb_o{};
  PortStorage<1> m_axi_wlast_o{};
  PortStorage<1> m_axi_bvalid_i{}, m_axi_bready_o{};
  PortStorage<2> m_axi_bresp_i{}, m_axi_bid_i{};
  PortStorage<1> m_axi_arvalid_o{}, m_axi_arready_i{};
  PortStorage<32> m_axi_araddr_o{};
  PortStorage<8> m_axi_arlen_o{};
  PortStorage<3> m_axi_arsize_o{};
  PortStorage<2> m_axi_arburst_o{}, m_axi_arid_o{};
  PortStorage<1> m_axi_rvalid_i{}, m_axi_rready_o{};
  PortStorage<kDataBits> m_axi_rdata_i{};
  PortStorage<2> m_axi_rresp_i{};
  PortStorage<1> m_axi_rlast_i{};
  PortStorage<2> m_axi_rid_i{};
};

/// The AXI4-Lite slave port of an imaginary verilated top
/// (`s_axil_<chan><sig>_{i,o}`), for NPU_AXILITE_SLAVE_PORT(top, s_axil_).
struct FakeAxiLiteSlaveTop {
  std::uint8_t s_axil_awvalid_i = 0, s_axil_awready_o = 0;
  std::uint32_t s_axil_awaddr_i = 0;
  std::uint8_t s_axil_wvalid_i = 0, s_axil_wready_o = 0;
  std::uint32_t s_axil_wdata_i = 0;
  std::uint8_t s_axil_wstrb_i = 0;
  std::uint8_t s_axil_bvalid_o = 0, s_axil_bready_i = 0, s_axil_bresp_o = 0;
  std::uint8_t s_axil_arvalid_i = 0, s_axil_arready_o = 0;
  std::uint32_t s_axil_araddr_i = 0;
  std::uint8_t s_axil_rvalid_o = 0, s_axil_rready_i = 0;
  std::uint32_t s_axil_rdata_o = 0;
  std::uint8_t s_axil_rresp_o = 0;
};

}  // namespace npu::bus::testing

#endif  // NPU_TB_BUS_FAKE_AXI_BUS_H_
