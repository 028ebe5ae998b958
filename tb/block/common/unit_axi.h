// AXI4 port views of the units' memory ports for bus::AxiMemory.
//
// The units name their AXI signals m_<channel>_<signal>_{i,o} (m_ar_valid_o,
// m_r_data_i, m_aw_ready_i, ...) and have only the channels they use: load
// reads (AR, R), store writes (AW, W, B), and neither has RID or BID (each
// unit sees only its own ID). BindAxiRead / BindAxiWrite fill in the
// channels a model has; AxiTieOff binds the rest to storage of its own, so
// that a unit that gains a channel later needs one more Bind call:
//
//   block::AxiTieOff tie_off_;  // a member declared before the memory
//   bus::AxiPort port;
//   block::BindAxiWrite(port, *dut);
//   bus::AxiMemory mem(tie_off_.Complete(port, kDim), config);
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "tb/bus/axi_port.h"
#include "tb/bus/signal_ref.h"

namespace npu::block {

/// Binds the AR and R channels of `port` to a unit's m_ar_*/m_r_* ports
/// (RID stays unbound: the unit has none).
template <typename Model>
void BindAxiRead(bus::AxiPort& port, Model& m) {
  port.arvalid = NPU_SIGNAL(m, m_ar_valid_o);
  port.arready = NPU_SIGNAL(m, m_ar_ready_i);
  port.araddr = NPU_SIGNAL(m, m_ar_addr_o);
  port.arlen = NPU_SIGNAL(m, m_ar_len_o);
  port.arsize = NPU_SIGNAL(m, m_ar_size_o);
  port.arburst = NPU_SIGNAL(m, m_ar_burst_o);
  port.arid = NPU_SIGNAL(m, m_ar_id_o);
  port.rvalid = NPU_SIGNAL(m, m_r_valid_i);
  port.rready = NPU_SIGNAL(m, m_r_ready_o);
  port.rdata = NPU_SIGNAL(m, m_r_data_i);
  port.rresp = NPU_SIGNAL(m, m_r_resp_i);
  port.rlast = NPU_SIGNAL(m, m_r_last_i);
}

/// Binds the AW, W and B channels of `port` to a unit's m_aw_*/m_w_*/m_b_*
/// ports (BID stays unbound: the unit has none).
template <typename Model>
void BindAxiWrite(bus::AxiPort& port, Model& m) {
  port.awvalid = NPU_SIGNAL(m, m_aw_valid_o);
  port.awready = NPU_SIGNAL(m, m_aw_ready_i);
  port.awaddr = NPU_SIGNAL(m, m_aw_addr_o);
  port.awlen = NPU_SIGNAL(m, m_aw_len_o);
  port.awsize = NPU_SIGNAL(m, m_aw_size_o);
  port.awburst = NPU_SIGNAL(m, m_aw_burst_o);
  port.awid = NPU_SIGNAL(m, m_aw_id_o);
  port.wvalid = NPU_SIGNAL(m, m_w_valid_o);
  port.wready = NPU_SIGNAL(m, m_w_ready_i);
  port.wdata = NPU_SIGNAL(m, m_w_data_o);
  port.wstrb = NPU_SIGNAL(m, m_w_strb_o);
  port.wlast = NPU_SIGNAL(m, m_w_last_o);
  port.bvalid = NPU_SIGNAL(m, m_b_valid_i);
  port.bready = NPU_SIGNAL(m, m_b_ready_o);
  port.bresp = NPU_SIGNAL(m, m_b_resp_i);
}

/// Storage for the AXI signals a unit does not have. A master-side signal
/// tied off reads 0 (no AR, AW or W is ever valid there, no R or B ready);
/// what the memory drives into a tied-off slave-side signal is dropped. Must
/// outlive the AxiMemory using the port.
class AxiTieOff {
 public:
  AxiTieOff() = default;
  AxiTieOff(const AxiTieOff&) = delete;
  AxiTieOff& operator=(const AxiTieOff&) = delete;

  /// Binds every unbound signal of `port` to fresh zeroed storage (data
  /// signals `8 * data_bytes` bits wide, strobes `data_bytes`), sets the
  /// beat size and returns the finalized port.
  bus::AxiPort Complete(bus::AxiPort port, int data_bytes);

 private:
  bus::SignalRef Slot(int width);

  std::deque<std::vector<uint64_t>> storage_;
};

}  // namespace npu::block
