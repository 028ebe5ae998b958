// Port views of AXI4 and AXI4-Lite interfaces of a verilated model.

#ifndef NPU_TB_BUS_AXI_PORT_H_
#define NPU_TB_BUS_AXI_PORT_H_

#include <cstdint>
#include <string>

#include "tb/bus/signal_ref.h"

namespace npu::bus {

/// AXI response codes (BRESP / RRESP).
enum class Resp : std::uint8_t {
  kOkay = 0,
  kExOkay = 1,
  kSlvErr = 2,
  kDecErr = 3,
};

/// AXI burst types (AxBURST).
enum class Burst : std::uint8_t {
  kFixed = 0,
  kIncr = 1,
  kWrap = 2,
};

/// Name of a response code ("OKAY", "SLVERR", ...).
std::string RespName(Resp resp);

/// The signals of one AXI4 interface. Which side drives which signal depends
/// on the model: AxiMemory (a slave) drives awready, wready, bvalid, bresp,
/// bid, arready, rvalid, rdata, rresp, rlast and rid, and reads the rest.
struct AxiPort {
  SignalRef awvalid, awready, awaddr, awlen, awsize, awburst, awid;
  SignalRef wvalid, wready, wdata, wstrb, wlast;
  SignalRef bvalid, bready, bresp, bid;
  SignalRef arvalid, arready, araddr, arlen, arsize, arburst, arid;
  SignalRef rvalid, rready, rdata, rresp, rlast, rid;
  /// Bytes per data beat; 0 means "take it from the width of rdata".
  int data_bytes = 0;

  /// Fills in data_bytes if 0 and checks that every signal is bound and that
  /// wdata, rdata and wstrb are wide enough; throws std::invalid_argument.
  static AxiPort Finalize(AxiPort port);
};

/// The signals of one AXI4-Lite interface (32-bit data). AxiLiteMaster drives
/// awvalid, awaddr, wvalid, wdata, wstrb, bready, arvalid, araddr and rready.
struct AxiLitePort {
  SignalRef awvalid, awready, awaddr;
  SignalRef wvalid, wready, wdata, wstrb;
  SignalRef bvalid, bready, bresp;
  SignalRef arvalid, arready, araddr;
  SignalRef rvalid, rready, rdata, rresp;

  /// Checks that every signal is bound; throws std::invalid_argument.
  static AxiLitePort Finalize(AxiLitePort port);
};

}  // namespace npu::bus

/// SignalRef to member `name` of a verilated model (an lvalue).
#define NPU_SIGNAL(model, name) ::npu::bus::SignalRef::Of((model).name)

/// AxiPort view of the AXI4 *master* port of a verilated model whose ports
/// are named `<prefix><channel><signal>_{i,o}`, e.g. `m_axi_arvalid_o`,
/// `m_axi_arready_i`, `m_axi_rdata_i`: `NPU_AXI_MASTER_PORT(*top, m_axi_)`.
/// The model's outputs (the master side) end in `_o`, its inputs in `_i`.
#define NPU_AXI_MASTER_PORT(model, prefix)                                        \
  ::npu::bus::AxiPort::Finalize(::npu::bus::AxiPort{                              \
      NPU_SIGNAL(model, prefix##awvalid_o), NPU_SIGNAL(model, prefix##awready_i), \
      NPU_SIGNAL(model, prefix##awaddr_o),  NPU_SIGNAL(model, prefix##awlen_o),   \
      NPU_SIGNAL(model, prefix##awsize_o),  NPU_SIGNAL(model, prefix##awburst_o), \
      NPU_SIGNAL(model, prefix##awid_o),    NPU_SIGNAL(model, prefix##wvalid_o),  \
      NPU_SIGNAL(model, prefix##wready_i),  NPU_SIGNAL(model, prefix##wdata_o),   \
      NPU_SIGNAL(model, prefix##wstrb_o),   NPU_SIGNAL(model, prefix##wlast_o),   \
      NPU_SIGNAL(model, prefix##bvalid_i),  NPU_SIGNAL(model, prefix##bready_o),  \
      NPU_SIGNAL(model, prefix##bresp_i),   NPU_SIGNAL(model, prefix##bid_i),     \
      NPU_SIGNAL(model, prefix##arvalid_o), NPU_SIGNAL(model, prefix##arready_i), \
      NPU_SIGNAL(model, prefix##araddr_o),  NPU_SIGNAL(model, prefix##arlen_o),   \
      NPU_SIGNAL(model, prefix##arsize_o),  NPU_SIGNAL(model, prefix##arburst_o), \
      NPU_SIGNAL(model, prefix##arid_o),    NPU_SIGNAL(model, prefix##rvalid_i),  \
      NPU_SIGNAL(model, prefix##rready_o),  NPU_SIGNAL(model, prefix##rdata_i),   \
      NPU_SIGNAL(model, prefix##rresp_i),   NPU_SIGNAL(model, prefix##rlast_i),   \
      NPU_SIGNAL(model, prefix##rid_i),     0})

/// Short name for NPU_AXI_MASTER_PORT: `NPU_AXI_PORT(*top, m_axi_)`.
#define NPU_AXI_PORT(model, prefix) NPU_AXI_MASTER_PORT(model, prefix)

/// AxiLitePort view of the AXI4-Lite *slave* port of a verilated model whose
/// ports are named `<prefix><channel><signal>_{i,o}`, e.g. `s_axil_awaddr_i`,
/// `s_axil_rdata_o`: `NPU_AXILITE_SLAVE_PORT(*top, s_axil_)`.
#define NPU_AXILITE_SLAVE_PORT(model, prefix)                                     \
  ::npu::bus::AxiLitePort::Finalize(::npu::bus::AxiLitePort{                      \
      NPU_SIGNAL(model, prefix##awvalid_i), NPU_SIGNAL(model, prefix##awready_o), \
      NPU_SIGNAL(model, prefix##awaddr_i), NPU_SIGNAL(model, prefix##wvalid_i),   \
      NPU_SIGNAL(model, prefix##wready_o), NPU_SIGNAL(model, prefix##wdata_i),    \
      NPU_SIGNAL(model, prefix##wstrb_i), NPU_SIGNAL(model, prefix##bvalid_o),    \
      NPU_SIGNAL(model, prefix##bready_i), NPU_SIGNAL(model, prefix##bresp_o),    \
      NPU_SIGNAL(model, prefix##arvalid_i), NPU_SIGNAL(model, prefix##arready_o), \
      NPU_SIGNAL(model, prefix##araddr_i), NPU_SIGNAL(model, prefix##rvalid_o),   \
      NPU_SIGNAL(model, prefix##rready_i), NPU_SIGNAL(model, prefix##rdata_o),    \
      NPU_SIGNAL(model, prefix##rresp_o)})

/// Short name for NPU_AXILITE_SLAVE_PORT: `NPU_AXILITE_PORT(*top, s_axil_)`.
#define NPU_AXILITE_PORT(model, prefix) NPU_AXILITE_SLAVE_PORT(model, prefix)

#endif  // NPU_TB_BUS_AXI_PORT_H_
