// Forward declarations of the simulation kernel types the bus models' thin
// coroutine wrappers use, so that the cycle-based cores do not depend on the
// kernel. Code that calls the coroutine members includes the kernel headers.

#ifndef NPU_TB_BUS_SIM_FWD_H_
#define NPU_TB_BUS_SIM_FWD_H_

namespace npu::sim {

template <typename T>
class Task;
class Clock;

}  // namespace npu::sim

#endif  // NPU_TB_BUS_SIM_FWD_H_
