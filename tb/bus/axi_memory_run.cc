// Coroutine wrapper of AxiMemory; built only together with the simulation
// kernel (tb/sim).

#include "tb/bus/axi_memory.h"
#include "tb/sim/task.h"
#include "tb/sim/triggers.h"

namespace npu::bus {

sim::Task<void> AxiMemory::Run(sim::Clock& clk) {
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

}  // namespace npu::bus
