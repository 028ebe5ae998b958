// cocotb-named awaitables: RisingEdge, FallingEdge, ClockCycles, Timer,
// ReadOnly, NextTimeStep. See kernel.h for when each one resumes.
#pragma once

#include <coroutine>
#include <cstdint>
#include <stdexcept>

#include "tb/sim/clock.h"
#include "tb/sim/kernel.h"

namespace npu::sim {

/// Awaiter for clock edges (RisingEdge, FallingEdge, ClockCycles).
class [[nodiscard]] EdgeTrigger {
 public:
  EdgeTrigger(Clock& clock, bool rising, uint64_t count)
      : clock_(&clock), rising_(rising), count_(count) {}
  bool await_ready() const noexcept { return count_ == 0; }
  void await_suspend(std::coroutine_handle<> h) const {
    detail::KernelAccess::WaitEdge(*clock_, rising_, count_, h);
  }
  void await_resume() const noexcept {}

 private:
  Clock* clock_;
  bool rising_;
  uint64_t count_;
};

/// Awaiter for a delay on the time wheel.
class [[nodiscard]] TimerTrigger {
 public:
  explicit TimerTrigger(uint64_t delay_ps) : delay_ps_(delay_ps) {}
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const {
    detail::KernelAccess::WaitTimer(Kernel::Current(), delay_ps_, h);
  }
  void await_resume() const noexcept {}

 private:
  uint64_t delay_ps_;
};

/// Awaiter for the read-only phase of the current time step.
class [[nodiscard]] ReadOnlyTrigger {
 public:
  bool await_ready() const { return Kernel::Current().InReadOnly(); }
  void await_suspend(std::coroutine_handle<> h) const {
    detail::KernelAccess::WaitReadOnly(Kernel::Current(), h);
  }
  void await_resume() const noexcept {}
};

/// Awaiter for the start of the next time step.
class [[nodiscard]] NextTimeStepTrigger {
 public:
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const {
    detail::KernelAccess::WaitNextTimeStep(Kernel::Current(), h);
  }
  void await_resume() const noexcept {}
};

/// Resumes just after the next rising edge of `clock` (clock already 1,
/// registers updated by eval()).
inline EdgeTrigger RisingEdge(Clock& clock) { return EdgeTrigger(clock, true, 1); }
/// Resumes just after the next falling edge of `clock`.
inline EdgeTrigger FallingEdge(Clock& clock) { return EdgeTrigger(clock, false, 1); }
/// Resumes after `n` rising (or falling) edges; `n == 0` does not suspend.
inline EdgeTrigger ClockCycles(Clock& clock, uint64_t n, bool rising = true) {
  return EdgeTrigger(clock, rising, n);
}
/// Resumes `delay_ps` picoseconds later (delay must be > 0).
inline TimerTrigger Timer(uint64_t delay_ps) {
  if (delay_ps == 0) throw std::invalid_argument("Timer: delay must be > 0 ps");
  return TimerTrigger(delay_ps);
}
/// Resumes in the read-only phase of the current time step, when all values
/// have settled; completes at once if already in that phase.
inline ReadOnlyTrigger ReadOnly() { return {}; }
/// Resumes at the start of the next time step in which anything happens.
inline NextTimeStepTrigger NextTimeStep() { return {}; }

}  // namespace npu::sim
