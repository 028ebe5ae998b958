// cocotb Lock: mutual exclusion between coroutines.
#pragma once

#include <coroutine>
#include <deque>
#include <string>
#include <utility>

#include "tb/sim/kernel.h"

namespace npu::sim {

/// A mutex for coroutines: `co_await lock.Acquire(); ... lock.Release();`.
/// Ownership passes to waiters in FIFO order. A task killed while holding
/// the lock does not release it (use MakeGuard() to release it from a destructor).
class Lock {
 public:
  explicit Lock(std::string name = {}) : name_(std::move(name)) {}
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

  /// Awaiter returned by Acquire().
  class [[nodiscard]] Awaiter {
   public:
    explicit Awaiter(Lock* lock) : lock_(lock) {}
    bool await_ready() noexcept {
      if (lock_->locked_) return false;
      lock_->locked_ = true;
      return true;
    }
    void await_suspend(std::coroutine_handle<> h) {
      lock_->waiters_.push_back(detail::CurrentWaiter(h));
    }
    void await_resume() const noexcept {}

   private:
    Lock* lock_;
  };

  /// Releases the lock when destroyed (also when the owning task is killed).
  class Guard {
   public:
    explicit Guard(Lock* lock) : lock_(lock) {}
    Guard(Guard&& other) noexcept : lock_(std::exchange(other.lock_, nullptr)) {}
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    Guard& operator=(Guard&&) = delete;
    ~Guard() {
      if (lock_) lock_->Release();
    }

   private:
    Lock* lock_;
  };

  /// Waits until the lock is free and takes it.
  Awaiter Acquire() { return Awaiter(this); }
  /// Gives the lock to the oldest live waiter, or frees it.
  void Release();
  /// RAII release of a lock already acquired: `co_await l.Acquire(); auto g = l.Guard();`
  Guard MakeGuard() { return Guard(this); }
  /// True while some task holds the lock.
  bool Locked() const { return locked_; }

 private:
  std::string name_;
  bool locked_ = false;
  std::deque<detail::Waiter> waiters_;
};

}  // namespace npu::sim
