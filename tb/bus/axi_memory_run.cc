// Coroutine wrapper of AxiMemory; built only together with the simulation
// kernel (tb/sim).

#include "tb/bus/axi_memory.h"
#include "tb/sim/task.h"
#include "tb/sim/triggers.h"

namespace npu::bus {

sim::Task<void> AxiMemory::Run(sim::Clock& clk) {
  for (;;) {
    co_await sim::ReadOnly();
    Sample();
    co_await sim::RisingEdge(clk);
    Drive();
  }
}

}  // namespace npu::bus
