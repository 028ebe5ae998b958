#include "tb/block/common/unit_axi.h"

namespace npu::block {

bus::SignalRef AxiTieOff::Slot(int width) {
  // 64-bit words: aligned for every storage type a SignalRef may use.
  storage_.emplace_back(static_cast<size_t>((width + 63) / 64), 0);
  return bus::SignalRef(storage_.back().data(), width);
}

bus::AxiPort AxiTieOff::Complete(bus::AxiPort port, int data_bytes) {
  bus::SignalRef* const narrow[] = {
      &port.awvalid, &port.awready, &port.awaddr,  &port.awlen,   &port.awsize, &port.awburst,
      &port.awid,    &port.wvalid,  &port.wready,  &port.wlast,   &port.bvalid, &port.bready,
      &port.bresp,   &port.bid,     &port.arvalid, &port.arready, &port.araddr, &port.arlen,
      &port.arsize,  &port.arburst, &port.arid,    &port.rvalid,  &port.rready, &port.rresp,
      &port.rlast,   &port.rid,
  };
  for (bus::SignalRef* ref : narrow) {
    if (!ref->IsBound()) *ref = Slot(32);
  }
  if (!port.wdata.IsBound()) port.wdata = Slot(8 * data_bytes);
  if (!port.rdata.IsBound()) port.rdata = Slot(8 * data_bytes);
  if (!port.wstrb.IsBound()) port.wstrb = Slot(data_bytes);
  port.data_bytes = data_bytes;
  return bus::AxiPort::Finalize(port);
}

}  // namespace npu::block
