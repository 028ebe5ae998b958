// cocotb with_timeout: bound the simulated time a task may take.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include "tb/sim/clock.h"
#include "tb/sim/errors.h"
#include "tb/sim/kernel.h"
#include "tb/sim/task.h"
#include "tb/sim/task_handle.h"
#include "tb/sim/triggers.h"

namespace npu::sim {
namespace detail {

/// Kills the given tasks when destroyed (used so that killing the task
/// that runs WithTimeout also kills what it started).
class KillOnExit {
 public:
  explicit KillOnExit(TaskRootBase* a, TaskRootBase* b) : a_(a), b_(b) {}
  KillOnExit(const KillOnExit&) = delete;
  KillOnExit& operator=(const KillOnExit&) = delete;
  ~KillOnExit() {
    if (!a_->done) KillRoot(a_.get());
    if (!b_->done) KillRoot(b_.get());
  }

 private:
  RootRef a_;
  RootRef b_;
};

inline Task<> TimeoutWatchdog(Clock* clock, uint64_t amount, TaskRootBase* target, bool* fired) {
  if (clock != nullptr) {
    co_await ClockCycles(*clock, amount);
  } else {
    co_await Timer(amount);
  }
  if (!target->done) {
    *fired = true;
    KillRoot(target);
  }
}

template <typename T>
Task<T> WithTimeoutImpl(Task<T> task, Clock* clock, uint64_t amount) {
  Kernel& kernel = Kernel::Current();
  const uint64_t start = kernel.Now();
  bool fired = false;
  TaskHandle<T> work = kernel.StartSoon(std::move(task), "with_timeout");
  TaskHandle<> dog = kernel.StartSoon(TimeoutWatchdog(clock, amount, work.root(), &fired),
                                      "with_timeout_watchdog");
  KillOnExit guard(work.root(), dog.root());
  co_await work.Wait();
  if (fired) {
    std::string limit = clock != nullptr
                            ? fmt::format("{} cycles of clock '{}'", amount, clock->Name())
                            : fmt::format("{} ps", amount);
    throw SimTimeoutError(
        fmt::format("WithTimeout: task did not finish within {} "
                    "(started at t={} ps, now t={} ps)",
                    limit, start, kernel.Now()));
  }
  co_return work.Result();
}

template <>
inline Task<void> WithTimeoutImpl<void>(Task<void> task, Clock* clock, uint64_t amount) {
  Kernel& kernel = Kernel::Current();
  const uint64_t start = kernel.Now();
  bool fired = false;
  TaskHandle<> work = kernel.StartSoon(std::move(task), "with_timeout");
  TaskHandle<> dog = kernel.StartSoon(TimeoutWatchdog(clock, amount, work.root(), &fired),
                                      "with_timeout_watchdog");
  KillOnExit guard(work.root(), dog.root());
  co_await work.Wait();
  if (fired) {
    std::string limit = clock != nullptr
                            ? fmt::format("{} cycles of clock '{}'", amount, clock->Name())
                            : fmt::format("{} ps", amount);
    throw SimTimeoutError(
        fmt::format("WithTimeout: task did not finish within {} "
                    "(started at t={} ps, now t={} ps)",
                    limit, start, kernel.Now()));
  }
  work.Result();
}

}  // namespace detail

/// Runs `task` (as a separate task, started soon) and returns its result,
/// or kills it and throws SimTimeoutError if it has not finished
/// `timeout_ps` picoseconds later. Exceptions of `task` propagate.
template <typename T>
Task<T> WithTimeout(Task<T> task, uint64_t timeout_ps) {
  if (timeout_ps == 0) throw std::invalid_argument("WithTimeout: timeout must be > 0");
  return detail::WithTimeoutImpl(std::move(task), nullptr, timeout_ps);
}

/// As above with the limit in rising edges of `clock`.
template <typename T>
Task<T> WithTimeout(Task<T> task, Clock& clock, uint64_t cycles) {
  if (cycles == 0) throw std::invalid_argument("WithTimeout: timeout must be > 0");
  return detail::WithTimeoutImpl(std::move(task), &clock, cycles);
}

}  // namespace npu::sim
