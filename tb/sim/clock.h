// A free-running clock driven by the kernel.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tb/sim/task_handle.h"

namespace npu::sim {

class Kernel;

/// A clock created by Kernel::AddClock(). It drives one 8-bit DUT input
/// (0/1): low for `period - period / 2` ps from the time it is added, then
/// high for `period / 2` ps, and so on; the first rising edge is at
/// `start + period - period / 2` (for an even period, half a period).
class Clock {
 public:
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;

  /// Name given to AddClock().
  const std::string& Name() const { return name_; }
  /// Period in picoseconds.
  uint64_t Period() const { return period_; }
  /// Number of rising edges so far.
  uint64_t Cycles() const { return cycles_; }
  /// Current level of the driven signal.
  uint8_t Value() const { return *signal_; }
  /// The kernel this clock belongs to.
  Kernel& GetKernel() const { return *kernel_; }

  /// Early fall, for a model that only has rising-edge logic on this clock
  /// and is not traced: the signal falls right after the eval of the rising
  /// edge, so the evals of that time step (after its coroutines wrote the
  /// inputs) already show the model the clock low, and the falling edge
  /// needs no eval of its own unless something waits for it or nothing was
  /// evaluated since the rising edge. One eval per cycle less (of three in
  /// a bus-functional testbench), the same values at every rising edge and
  /// in every ReadOnly phase, but the signal reads 0 during the high phase:
  /// off by default, and not for waveforms.
  void SetEarlyFall(bool on) { early_fall_ = on; }

 private:
  friend class Kernel;
  Clock(Kernel* kernel, std::string name, uint8_t* signal, uint64_t period_ps);

  Kernel* kernel_;
  std::string name_;
  uint8_t* signal_;
  uint64_t period_;
  uint64_t high_;
  uint64_t low_;
  uint64_t cycles_ = 0;
  bool next_rising_ = true;
  bool early_fall_ = false;
  uint64_t evals_at_rise_ = 0;  // the kernel's eval count after the last rising edge
  std::vector<detail::Waiter> rising_;
  std::vector<detail::Waiter> falling_;
};

}  // namespace npu::sim
