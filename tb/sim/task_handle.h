// Handle on a task started with Kernel::StartSoon(): join, kill, status.
#pragma once

#include <coroutine>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tb/sim/errors.h"
#include "tb/sim/task.h"

namespace npu::sim {

class Kernel;

namespace detail {

class TaskRootBase;

/// Intrusive, non-atomic reference to a TaskRootBase (the kernel is
/// single-threaded; a reference costs an increment, no allocation).
class RootRef {
 public:
  RootRef() noexcept = default;
  explicit RootRef(TaskRootBase* root) noexcept;
  RootRef(const RootRef& other) noexcept : RootRef(other.root_) {}
  RootRef(RootRef&& other) noexcept : root_(std::exchange(other.root_, nullptr)) {}
  RootRef& operator=(const RootRef& other) noexcept {
    RootRef copy(other);
    std::swap(root_, copy.root_);
    return *this;
  }
  RootRef& operator=(RootRef&& other) noexcept {
    std::swap(root_, other.root_);
    return *this;
  }
  ~RootRef();

  TaskRootBase* get() const noexcept { return root_; }
  TaskRootBase* operator->() const noexcept { return root_; }
  explicit operator bool() const noexcept { return root_ != nullptr; }

 private:
  TaskRootBase* root_ = nullptr;
};

/// One suspended coroutine waiting for something, plus the task it belongs
/// to (a killed task's waiters are skipped, never resumed).
struct Waiter {
  std::coroutine_handle<> handle;
  RootRef root;
  /// Edges still to wait for (ClockCycles); unused elsewhere.
  uint64_t count = 1;

  /// False once the owning task finished or was killed.
  bool Alive() const noexcept;
};

/// Book-keeping for one concurrently running task (the "root" of a chain of
/// directly awaited Tasks). Owned by reference counting: the kernel holds a
/// reference while the task runs, every TaskHandle and every Waiter one.
class TaskRootBase {
 public:
  TaskRootBase(Kernel* kernel, std::coroutine_handle<> frame, std::string name)
      : kernel(kernel), frame(frame), name(std::move(name)) {}
  virtual ~TaskRootBase() = default;
  TaskRootBase(const TaskRootBase&) = delete;
  TaskRootBase& operator=(const TaskRootBase&) = delete;

  /// Moves the result and exception out of the finished frame.
  virtual void Harvest() = 0;

  Kernel* kernel;
  /// The outermost coroutine frame; null once finished or killed.
  std::coroutine_handle<> frame;
  std::string name;
  std::exception_ptr exception;
  bool done = false;
  bool killed = false;
  bool kill_pending = false;
  bool is_main = false;
  std::vector<Waiter> joiners;
  std::vector<std::function<void(TaskRootBase&)>> done_callbacks;
  /// Keeps a coroutine lambda alive while its coroutine runs.
  std::shared_ptr<void> callable;
  uint32_t refs = 0;
  TaskRootBase* prev = nullptr;
  TaskRootBase* next = nullptr;
};

inline RootRef::RootRef(TaskRootBase* root) noexcept : root_(root) {
  if (root_) ++root_->refs;
}
inline RootRef::~RootRef() {
  if (root_ && --root_->refs == 0) delete root_;
}
inline bool Waiter::Alive() const noexcept { return root && root->frame; }

template <typename T>
class TaskRoot final : public TaskRootBase {
 public:
  using TaskRootBase::TaskRootBase;
  void Harvest() override {
    auto& promise = std::coroutine_handle<Promise<T>>::from_address(frame.address()).promise();
    exception = promise.exception;
    if constexpr (!std::is_void_v<T>) {
      if (promise.value) result = std::move(*promise.value);
    }
  }
  std::conditional_t<std::is_void_v<T>, bool, std::optional<T>> result{};
};

// Implemented in kernel.cc.
void AddJoiner(TaskRootBase* root, std::coroutine_handle<> handle);
void KillRoot(TaskRootBase* root);
void OnDone(TaskRootBase* root, std::function<void(TaskRootBase&)> callback);

}  // namespace detail

/// Handle on a task started with Kernel::StartSoon() (cocotb's Task).
///
/// Copyable; the task keeps running whether or not handles exist.
/// `co_await handle` joins: it waits for the task to finish, then returns
/// its value or rethrows its exception. A killed Task<void> joins normally;
/// joining a killed Task<T> throws TaskKilledError.
///
/// An exception that leaves a started task while nobody is joining it (no
/// coroutine suspended in `co_await handle`, no Combine/First/WithTimeout)
/// fails the whole Kernel::Run(), as in cocotb.
template <typename T = void>
class TaskHandle {
 public:
  TaskHandle() = default;
  explicit TaskHandle(detail::RootRef root) : root_(std::move(root)) {}

  /// True if the handle refers to a task.
  bool Valid() const noexcept { return static_cast<bool>(root_); }
  /// True once the task finished, failed or was killed.
  bool Done() const noexcept { return !root_ || root_->done; }
  /// True if the task was killed.
  bool Killed() const noexcept { return root_ && root_->killed; }
  /// Stops the task now (cocotb kill): its frames are destroyed (locals'
  /// destructors run) and joiners are woken. Killing the running task
  /// itself takes effect at its next suspension. No-op once done.
  void Kill() const {
    if (root_) detail::KillRoot(root_.get());
  }
  /// Task name given to StartSoon (may be empty).
  const std::string& Name() const { return root_->name; }

  /// Awaiter that waits for completion and yields the result.
  struct JoinAwaiter {
    detail::TaskRootBase* root;
    bool await_ready() const noexcept { return root->done; }
    void await_suspend(std::coroutine_handle<> h) { detail::AddJoiner(root, h); }
    T await_resume() const {
      if (root->exception) std::rethrow_exception(root->exception);
      auto* typed = static_cast<detail::TaskRoot<T>*>(root);
      if constexpr (std::is_void_v<T>) {
        return;
      } else {
        if (!typed->result) throw TaskKilledError("joined a killed task '" + root->name + "'");
        if constexpr (std::is_copy_constructible_v<T>) {
          return *typed->result;
        } else {
          return std::move(*typed->result);
        }
      }
    }
  };
  JoinAwaiter operator co_await() const noexcept { return JoinAwaiter{root_.get()}; }

  /// Awaiter that only waits for completion (no result, no rethrow); the
  /// exception still counts as observed. Use Result() afterwards.
  struct WaitAwaiter {
    detail::TaskRootBase* root;
    bool await_ready() const noexcept { return root->done; }
    void await_suspend(std::coroutine_handle<> h) { detail::AddJoiner(root, h); }
    void await_resume() const noexcept {}
  };
  WaitAwaiter Wait() const noexcept { return WaitAwaiter{root_.get()}; }

  /// Result of a finished task: rethrows its exception, else as join.
  T Result() const { return JoinAwaiter{root_.get()}.await_resume(); }

  detail::TaskRootBase* root() const noexcept { return root_.get(); }

 private:
  detail::RootRef root_;
};

}  // namespace npu::sim
