// Lazily-started coroutine type of the simulation kernel.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "tb/sim/errors.h"

namespace npu::sim {

template <typename T = void>
class Task;

namespace detail {

/// State shared by every Task promise: who to resume when the coroutine
/// finishes, and the exception it exited with.
struct PromiseBase {
  /// Resumed (by symmetric transfer) when the coroutine finishes; empty for
  /// a task started with StartSoon(), whose completion the kernel observes.
  std::coroutine_handle<> continuation;
  std::exception_ptr exception;

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <typename P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      std::coroutine_handle<> next = h.promise().continuation;
      if (next) return next;
      return std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };

  std::suspend_always initial_suspend() noexcept { return {}; }
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { exception = std::current_exception(); }
};

template <typename T>
struct Promise : PromiseBase {
  std::optional<T> value;

  Task<T> get_return_object() noexcept;
  template <typename U = T>
  requires std::is_convertible_v<U&&, T>
  void return_value(U&& v) { value.emplace(std::forward<U>(v)); }
};

template <>
struct Promise<void> : PromiseBase {
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
};

}  // namespace detail

/// A lazily-started coroutine returning T (cocotb's coroutine function).
///
/// Calling a `Task<T>`-returning function creates the coroutine suspended;
/// nothing runs until it is either awaited (`co_await task` runs it inside
/// the awaiting task, yields its value or rethrows its exception) or handed
/// to Kernel::StartSoon(), which runs it concurrently and returns a
/// TaskHandle to join or kill it. A Task owns its coroutine frame and is
/// move-only.
///
/// Lifetime rule: a coroutine lambda's captures live in the lambda object,
/// not in the frame. `kernel.Run([&]() -> Task<> {...}())` is safe (the
/// lambda outlives Run), but to start a capturing lambda concurrently pass
/// the lambda itself, `StartSoon([&]() -> Task<> {...})`, so the kernel
/// keeps it alive.
template <typename T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task() noexcept = default;
  explicit Task(Handle handle) noexcept : handle_(handle) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      Reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { Reset(); }

  /// True if the task holds a coroutine (it was not moved from or killed).
  bool Valid() const noexcept { return static_cast<bool>(handle_); }
  /// True once the coroutine ran to completion (or was killed).
  bool Done() const noexcept { return !handle_ || handle_.done(); }
  /// Destroys the coroutine without running the rest of it (cocotb kill).
  /// Awaiting a killed Task<void> returns at once; a killed Task<T> throws
  /// TaskKilledError.
  void Kill() noexcept { Reset(); }
  /// Gives up ownership of the frame (used by the kernel).
  Handle Release() noexcept { return std::exchange(handle_, {}); }

  /// Awaiter: runs the task to completion inside the awaiting coroutine.
  struct Awaiter {
    Handle handle;
    bool await_ready() const noexcept { return !handle || handle.done(); }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> parent) noexcept {
      handle.promise().continuation = parent;
      return handle;
    }
    T await_resume() {
      if (!handle) {
        if constexpr (std::is_void_v<T>) {
          return;
        } else {
          throw TaskKilledError("awaited a killed Task");
        }
      }
      auto& promise = handle.promise();
      if (promise.exception) std::rethrow_exception(promise.exception);
      if constexpr (!std::is_void_v<T>) return std::move(*promise.value);
    }
  };
  Awaiter operator co_await() & noexcept { return Awaiter{handle_}; }
  Awaiter operator co_await() && noexcept { return Awaiter{handle_}; }

 private:
  void Reset() noexcept {
    if (handle_) handle_.destroy();
    handle_ = {};
  }

  Handle handle_;
};

namespace detail {
template <typename T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}
}  // namespace detail

}  // namespace npu::sim
