// Exceptions raised by the simulation kernel.
#pragma once

#include <stdexcept>

namespace npu::sim {

/// Thrown by WithTimeout() when the wrapped task does not finish in time.
class SimTimeoutError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Thrown by Kernel::Run() when the main task waits but nothing can make
/// progress any more (no clock, no timer, no pending wake-up).
class SimDeadlockError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Thrown when the result of a killed non-void task is requested.
class TaskKilledError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace npu::sim
