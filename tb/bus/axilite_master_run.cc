// Coroutine members of AxiLiteMaster; built only together with the simulation
// kernel (tb/sim).

#include <cstdio>
#include <stdexcept>
#include <string>

#include "tb/bus/axilite_master.h"
#include "tb/sim/task.h"
#include "tb/sim/triggers.h"

namespace npu::bus {
namespace {

std::string Hex(std::uint32_t value) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", value);
  return buf;
}

}  // namespace

sim::Task<void> AxiLiteMaster::Run(sim::Clock& clk) {
  clk_ = &clk;
  // Drive the idle outputs before the first clock edge: until then the
  // model's inputs would hold their initial values (random ones in an
  // NPU_X_RANDOM build).
  Drive();
  for (;;) {
    co_await sim::ReadOnly();
    Sample();
    co_await sim::RisingEdge(clk);
    Drive();
  }
}

sim::Task<Resp> AxiLiteMaster::WriteResp(std::uint32_t addr, std::uint32_t data) {
  if (clk_ == nullptr) throw std::logic_error("AxiLiteMaster::WriteResp before Run()");
  auto t = SubmitWrite(addr, data);
  while (!t->done) co_await sim::RisingEdge(*clk_);
  co_return t->resp;
}

sim::Task<void> AxiLiteMaster::Write(std::uint32_t addr, std::uint32_t data) {
  const Resp resp = co_await WriteResp(addr, data);
  if (resp != Resp::kOkay) {
    throw std::runtime_error("AxiLiteMaster: write of " + Hex(data) + " to " + Hex(addr) +
                             " answered " + RespName(resp));
  }
}

sim::Task<AxiLiteTransaction> AxiLiteMaster::ReadResp(std::uint32_t addr) {
  if (clk_ == nullptr) throw std::logic_error("AxiLiteMaster::ReadResp before Run()");
  auto t = SubmitRead(addr);
  while (!t->done) co_await sim::RisingEdge(*clk_);
  co_return *t;
}

sim::Task<std::uint32_t> AxiLiteMaster::Read(std::uint32_t addr) {
  const AxiLiteTransaction t = co_await ReadResp(addr);
  if (t.resp != Resp::kOkay) {
    throw std::runtime_error("AxiLiteMaster: read of " + Hex(addr) + " answered " +
                             RespName(t.resp));
  }
  co_return t.data;
}

}  // namespace npu::bus
