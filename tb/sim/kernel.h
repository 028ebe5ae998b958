// The cocotb-style discrete-event simulation kernel.
//
// Scheduling semantics (other testbench layers rely on these):
//
// Time is in picoseconds. Clock edges and timers are merged on one time
// wheel (a priority queue ordered by time, ties by insertion order). One
// time step `t` runs as follows:
//
//  0. Coroutines waiting on NextTimeStep() resume first (before any edge).
//  1. For each wheel entry due at `t`, in order: a clock edge sets the clock
//     signal (1 on a rising edge, 0 on a falling edge) and calls eval(); a
//     timer makes its waiter ready.
//  2. The coroutines waiting on that edge (RisingEdge/FallingEdge, and
//     ClockCycles whose count reaches zero) resume in FIFO order. This is
//     where testbench code writes DUT inputs.
//  3. eval() is called so combinational logic settles. Anything woken by
//     step 2 (Event::Set, Queue hand-overs, joins, StartSoon) then resumes,
//     followed by eval() again; repeated until nothing is ready ("delta
//     cycles"). A woken coroutine therefore sees the values settled after
//     the writes of the coroutines that ran before it.
//  4. ReadOnly phase: coroutines waiting on ReadOnly() resume and observe
//     the settled values, which are what the DUT samples at the next rising
//     edge. Writing DUT inputs here is a usage error (not checked); anything
//     they wake, or start, also runs in the read-only phase; awaiting
//     ReadOnly() again completes at once. No eval() in this phase.
//  5. The trace hook is called with `t`; then time advances to the next
//     wheel entry. A falling edge is its own time step (steps 1-5 again).
//
// Bus-functional models are written as loops:
//   for (;;) { co_await ReadOnly(); sample handshakes;
//              co_await RisingEdge(clk); drive outputs; }
//
// Run(main) ends as soon as `main` finishes; tasks still running are then
// killed (as cocotb does at the end of a test). It rethrows main's
// exception, or the exception of a started task that nobody was joining.
#pragma once

#include <concepts>
#include <coroutine>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tb/sim/clock.h"
#include "tb/sim/task.h"
#include "tb/sim/task_handle.h"

namespace npu::sim {

/// Time unit helpers: `Timer(20 * kNs)`.
inline constexpr uint64_t kPs = 1;
inline constexpr uint64_t kNs = 1000;
inline constexpr uint64_t kUs = 1000 * kNs;
inline constexpr uint64_t kMs = 1000 * kUs;

namespace detail {
struct KernelAccess;
}

/// The simulator: owns clocks, the time wheel and the scheduled coroutines.
/// See the top of this header for the scheduling semantics. Single-threaded;
/// one Kernel per test is the intended use.
class Kernel {
 public:
  /// `eval` settles the model (`model->eval()`).
  explicit Kernel(std::function<void()> eval);
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  /// Called with the current time at the end of every time step, after the
  /// last eval() of the step (for waveform dumping).
  void SetTraceHook(std::function<void(uint64_t time_ps)> dump);

  /// Adds a clock driving `*signal` (0/1) with the given period, starting
  /// low now. The Clock lives as long as the kernel.
  Clock& AddClock(std::string name, uint8_t* signal, uint64_t period_ps);

  /// Schedules `task` to run concurrently (cocotb start_soon): it starts
  /// later in the current time step, after the coroutines already ready.
  template <typename T>
  TaskHandle<T> StartSoon(Task<T> task, std::string name = {}) {
    detail::RootRef root = Adopt(std::move(task), std::move(name));
    ScheduleStart(root);
    return TaskHandle<T>(std::move(root));
  }

  /// As above for a callable returning a Task (typically a capturing
  /// coroutine lambda): the kernel keeps the callable alive while its
  /// coroutine runs, so captures stay valid.
  template <typename F>
  requires std::invocable<F&>
  auto StartSoon(F callable, std::string name = {}) {
    using TaskType = std::invoke_result_t<F&>;
    auto holder = std::make_shared<F>(std::move(callable));
    TaskType task = std::invoke(*holder);
    detail::RootRef root = Adopt(std::move(task), std::move(name));
    root->callable = std::move(holder);
    ScheduleStart(root);
    return TaskHandle<TaskValueType<TaskType>>(std::move(root));
  }

  /// Runs until `main` completes; rethrows its exception (or that of an
  /// unjoined started task). Throws SimDeadlockError if main waits but
  /// nothing can make progress. Remaining tasks are killed on return.
  void Run(Task<> main);
  /// As above for a callable returning Task<> (kept alive during Run).
  template <typename F>
  requires std::invocable<F&>
  void Run(F callable) {
    Task<> task = std::invoke(callable);
    Run(std::move(task));
  }

  /// Current simulation time in picoseconds.
  uint64_t Now() const { return now_; }
  /// Rising edges of `clock` so far.
  uint64_t Cycles(const Clock& clock) const { return clock.Cycles(); }
  /// True while ReadOnly waiters run.
  bool InReadOnly() const { return phase_ == Phase::kReadOnly; }
  /// True while Run() is executing.
  bool Running() const { return running_; }
  /// Number of eval() calls so far (for statistics).
  uint64_t EvalCount() const { return eval_count_; }

  /// The kernel running the current coroutine (valid inside Run()).
  static Kernel& Current();
  /// As Current(), or null outside Run().
  static Kernel* CurrentOrNull() noexcept;

 private:
  friend struct detail::KernelAccess;
  enum class Phase { kIdle, kActive, kReadOnly };

  template <typename TaskType>
  struct TaskValue;
  template <typename U>
  struct TaskValue<Task<U>> {
    using type = U;
  };
  template <typename TaskType>
  using TaskValueType = typename TaskValue<TaskType>::type;

  struct WheelEntry {
    uint64_t time;
    uint64_t seq;
    Clock* clock;  // null for a timer
    detail::Waiter waiter;
  };

  template <typename T>
  detail::RootRef Adopt(Task<T> task, std::string name) {
    if (!task.Valid()) throw std::invalid_argument("StartSoon: empty Task");
    auto* root = new detail::TaskRoot<T>(this, task.Release(), std::move(name));
    Link(root);
    return detail::RootRef(root);
  }
  void Link(detail::TaskRootBase* root);
  void Unlink(detail::TaskRootBase* root);
  void ScheduleStart(const detail::RootRef& root);

  detail::Waiter MakeWaiter(std::coroutine_handle<> handle, uint64_t count = 1);
  void Schedule(detail::Waiter waiter) { ready_.push_back(std::move(waiter)); }
  void WaitEdge(Clock& clock, bool rising, uint64_t count, std::coroutine_handle<> handle);
  void WaitTimer(uint64_t delay_ps, std::coroutine_handle<> handle);
  void WaitReadOnly(std::coroutine_handle<> handle);
  void WaitNextTimeStep(std::coroutine_handle<> handle);
  void AddJoiner(detail::TaskRootBase* root, std::coroutine_handle<> handle);
  void Kill(detail::TaskRootBase* root);

  void Eval() {
    ++eval_count_;
    eval_();
  }
  void PushWheel(uint64_t time, Clock* clock, detail::Waiter waiter);
  void FireEdge(Clock& clock);
  void Drain();
  void Resume(detail::Waiter& waiter);
  void Complete(detail::TaskRootBase* root);
  void Finish(detail::TaskRootBase* root);
  void KillAll();
  [[noreturn]] void ThrowDeadlock();

  std::function<void()> eval_;
  std::function<void(uint64_t)> trace_;
  std::vector<std::unique_ptr<Clock>> clocks_;
  std::vector<WheelEntry> wheel_;
  uint64_t wheel_seq_ = 0;
  std::vector<detail::Waiter> ready_;
  std::vector<detail::Waiter> batch_;
  std::vector<detail::Waiter> readonly_;
  std::vector<detail::Waiter> next_step_;
  detail::TaskRootBase* live_head_ = nullptr;
  detail::TaskRootBase* current_root_ = nullptr;
  std::exception_ptr failure_;
  uint64_t now_ = 0;
  uint64_t eval_count_ = 0;
  Phase phase_ = Phase::kIdle;
  bool running_ = false;
  bool stop_ = false;
};

namespace detail {

/// Entry points for awaitables and synchronisation primitives.
struct KernelAccess {
  static Waiter MakeWaiter(Kernel& k, std::coroutine_handle<> h, uint64_t count = 1) {
    return k.MakeWaiter(h, count);
  }
  static void Wake(Waiter waiter) {
    Kernel* k = waiter.root->kernel;
    k->Schedule(std::move(waiter));
  }
  static void WaitEdge(Clock& c, bool rising, uint64_t n, std::coroutine_handle<> h) {
    c.GetKernel().WaitEdge(c, rising, n, h);
  }
  static void WaitTimer(Kernel& k, uint64_t delay, std::coroutine_handle<> h) {
    k.WaitTimer(delay, h);
  }
  static void WaitReadOnly(Kernel& k, std::coroutine_handle<> h) { k.WaitReadOnly(h); }
  static void WaitNextTimeStep(Kernel& k, std::coroutine_handle<> h) { k.WaitNextTimeStep(h); }
  static void AddJoiner(Kernel& k, TaskRootBase* root, std::coroutine_handle<> h) {
    k.AddJoiner(root, h);
  }
  static void Kill(Kernel& k, TaskRootBase* root) { k.Kill(root); }
};

/// Waiter for the coroutine `h` of the task running on the current kernel.
inline Waiter CurrentWaiter(std::coroutine_handle<> h) {
  return KernelAccess::MakeWaiter(Kernel::Current(), h);
}
/// Makes a waiter ready in its kernel (skipped later if its task died).
inline void Wake(Waiter waiter) { KernelAccess::Wake(std::move(waiter)); }

}  // namespace detail

/// cocotb start_soon on the current kernel.
template <typename T>
TaskHandle<T> StartSoon(Task<T> task, std::string name = {}) {
  return Kernel::Current().StartSoon(std::move(task), std::move(name));
}
/// cocotb start_soon of a callable returning a Task (kept alive).
template <typename F>
requires std::invocable<F&>
auto StartSoon(F callable, std::string name = {}) {
  return Kernel::Current().StartSoon(std::move(callable), std::move(name));
}
/// Current simulation time in picoseconds (cocotb get_sim_time).
inline uint64_t SimTime() { return Kernel::Current().Now(); }

}  // namespace npu::sim
