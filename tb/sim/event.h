// cocotb Event: a flag that coroutines can wait on.
#pragma once

#include <coroutine>
#include <string>
#include <utility>
#include <vector>

#include "tb/sim/kernel.h"

namespace npu::sim {

/// A level-sensitive flag. `co_await ev.Wait()` returns at once while the
/// event is set, else suspends until Set(). Set() wakes every waiter; they
/// resume later in the same time step (same phase), in FIFO order.
class Event {
 public:
  explicit Event(std::string name = {}) : name_(std::move(name)) {}
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  /// Sets the flag and wakes all waiters.
  void Set();
  /// Clears the flag; later Wait() calls block until the next Set().
  void Clear() { set_ = false; }
  /// Current state of the flag.
  bool IsSet() const { return set_; }
  /// Name given at construction.
  const std::string& Name() const { return name_; }

  /// Awaiter returned by Wait().
  class [[nodiscard]] Awaiter {
   public:
    explicit Awaiter(Event* event) : event_(event) {}
    bool await_ready() const noexcept { return event_->set_; }
    void await_suspend(std::coroutine_handle<> h) {
      event_->waiters_.push_back(detail::CurrentWaiter(h));
    }
    void await_resume() const noexcept {}

   private:
    Event* event_;
  };
  /// Waits until the event is set.
  Awaiter Wait() { return Awaiter(this); }

 private:
  std::string name_;
  bool set_ = false;
  std::vector<detail::Waiter> waiters_;
};

}  // namespace npu::sim
