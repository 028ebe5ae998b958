#include "tb/bus/axi_port.h"

#include <stdexcept>
#include <string>
#include <utility>

namespace npu::bus {
namespace {

void Require(const SignalRef& ref, const char* port, const char* name) {
  if (!ref.IsBound()) {
    throw std::invalid_argument(std::string(port) + ": signal " + name + " is not bound");
  }
}

}  // namespace

std::string RespName(Resp resp) {
  switch (resp) {
    case Resp::kOkay:
      return "OKAY";
    case Resp::kExOkay:
      return "EXOKAY";
    case Resp::kSlvErr:
      return "SLVERR";
    case Resp::kDecErr:
      return "DECERR";
  }
  return "RESP(" + std::to_string(static_cast<int>(resp)) + ")";
}

AxiPort AxiPort::Finalize(AxiPort port) {
  const std::pair<const SignalRef*, const char*> signals[] = {
      {&port.awvalid, "awvalid"}, {&port.awready, "awready"}, {&port.awaddr, "awaddr"},
      {&port.awlen, "awlen"},     {&port.awsize, "awsize"},   {&port.awburst, "awburst"},
      {&port.awid, "awid"},       {&port.wvalid, "wvalid"},   {&port.wready, "wready"},
      {&port.wdata, "wdata"},     {&port.wstrb, "wstrb"},     {&port.wlast, "wlast"},
      {&port.bvalid, "bvalid"},   {&port.bready, "bready"},   {&port.bresp, "bresp"},
      {&port.bid, "bid"},         {&port.arvalid, "arvalid"}, {&port.arready, "arready"},
      {&port.araddr, "araddr"},   {&port.arlen, "arlen"},     {&port.arsize, "arsize"},
      {&port.arburst, "arburst"}, {&port.arid, "arid"},       {&port.rvalid, "rvalid"},
      {&port.rready, "rready"},   {&port.rdata, "rdata"},     {&port.rresp, "rresp"},
      {&port.rlast, "rlast"},     {&port.rid, "rid"},
  };
  for (const auto& [ref, name] : signals) Require(*ref, "AxiPort", name);
  if (port.data_bytes == 0) port.data_bytes = port.rdata.width() / 8;
  const int n = port.data_bytes;
  if (n <= 0 || (n & (n - 1)) != 0 || n > 128) {
    throw std::invalid_argument("AxiPort: data_bytes " + std::to_string(n) +
                                " is not a power of two in 1..128");
  }
  if (port.rdata.width() < 8 * n || port.wdata.width() < 8 * n || port.wstrb.width() < n) {
    throw std::invalid_argument("AxiPort: rdata/wdata/wstrb narrower than data_bytes " +
                                std::to_string(n));
  }
  return port;
}

AxiLitePort AxiLitePort::Finalize(AxiLitePort port) {
  const std::pair<const SignalRef*, const char*> signals[] = {
      {&port.awvalid, "awvalid"}, {&port.awready, "awready"}, {&port.awaddr, "awaddr"},
      {&port.wvalid, "wvalid"},   {&port.wready, "wready"},   {&port.wdata, "wdata"},
      {&port.wstrb, "wstrb"},     {&port.bvalid, "bvalid"},   {&port.bready, "bready"},
      {&port.bresp, "bresp"},     {&port.arvalid, "arvalid"}, {&port.arready, "arready"},
      {&port.araddr, "araddr"},   {&port.rvalid, "rvalid"},   {&port.rready, "rready"},
      {&port.rdata, "rdata"},     {&port.rresp, "rresp"},
  };
  for (const auto& [ref, name] : signals) Require(*ref, "AxiLitePort", name);
  return port;
}

}  // namespace npu::bus
