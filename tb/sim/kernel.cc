#include "tb/sim/kernel.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace npu::sim {
namespace {

thread_local Kernel* g_current_kernel = nullptr;

/// Restores the previous current kernel when Run() exits.
class CurrentKernelScope {
 public:
  explicit CurrentKernelScope(Kernel* kernel) : previous_(g_current_kernel) {
    g_current_kernel = kernel;
  }
  ~CurrentKernelScope() { g_current_kernel = previous_; }
  CurrentKernelScope(const CurrentKernelScope&) = delete;
  CurrentKernelScope& operator=(const CurrentKernelScope&) = delete;

 private:
  Kernel* previous_;
};

}  // namespace

Clock::Clock(Kernel* kernel, std::string name, uint8_t* signal, uint64_t period_ps)
    : kernel_(kernel),
      name_(std::move(name)),
      signal_(signal),
      period_(period_ps),
      high_(period_ps / 2),
      low_(period_ps - period_ps / 2) {}

namespace detail {

void AddJoiner(TaskRootBase* root, std::coroutine_handle<> handle) {
  KernelAccess::AddJoiner(*root->kernel, root, handle);
}
void KillRoot(TaskRootBase* root) { KernelAccess::Kill(*root->kernel, root); }
void OnDone(TaskRootBase* root, std::function<void(TaskRootBase&)> callback) {
  if (root->done) {
    callback(*root);
  } else {
    root->done_callbacks.push_back(std::move(callback));
  }
}

}  // namespace detail

Kernel::Kernel(std::function<void()> eval) : eval_(std::move(eval)) {
  if (!eval_) eval_ = [] {};
}

Kernel::~Kernel() {
  KillAll();
  ready_.clear();
  batch_.clear();
  readonly_.clear();
  next_step_.clear();
  wheel_.clear();
  for (auto& clock : clocks_) {
    clock->rising_.clear();
    clock->falling_.clear();
  }
}

void Kernel::SetTraceHook(std::function<void(uint64_t)> dump) { trace_ = std::move(dump); }

Clock& Kernel::AddClock(std::string name, uint8_t* signal, uint64_t period_ps) {
  if (signal == nullptr) throw std::invalid_argument("AddClock: null signal");
  if (period_ps < 2) throw std::invalid_argument("AddClock: period must be at least 2 ps");
  clocks_.push_back(std::unique_ptr<Clock>(new Clock(this, std::move(name), signal, period_ps)));
  Clock& clock = *clocks_.back();
  *signal = 0;
  PushWheel(now_ + clock.low_, &clock, {});
  return clock;
}

Kernel& Kernel::Current() {
  if (g_current_kernel == nullptr) {
    throw std::logic_error("npu::sim: no kernel is running (awaited outside Kernel::Run?)");
  }
  return *g_current_kernel;
}

Kernel* Kernel::CurrentOrNull() noexcept { return g_current_kernel; }

void Kernel::Link(detail::TaskRootBase* root) {
  ++root->refs;  // the kernel's reference, dropped by Finish()
  root->next = live_head_;
  if (live_head_) live_head_->prev = root;
  live_head_ = root;
}

void Kernel::Unlink(detail::TaskRootBase* root) {
  if (root->prev) root->prev->next = root->next;
  if (root->next) root->next->prev = root->prev;
  if (live_head_ == root) live_head_ = root->next;
  root->prev = root->next = nullptr;
}

void Kernel::ScheduleStart(const detail::RootRef& root) {
  ready_.push_back(detail::Waiter{root->frame, root, 1});
}

detail::Waiter Kernel::MakeWaiter(std::coroutine_handle<> handle, uint64_t count) {
  if (current_root_ == nullptr) {
    throw std::logic_error("npu::sim: awaited a trigger outside a task run by the kernel");
  }
  return detail::Waiter{handle, detail::RootRef(current_root_), count};
}

void Kernel::WaitEdge(Clock& clock, bool rising, uint64_t count, std::coroutine_handle<> handle) {
  (rising ? clock.rising_ : clock.falling_).push_back(MakeWaiter(handle, count));
}

void Kernel::WaitTimer(uint64_t delay_ps, std::coroutine_handle<> handle) {
  PushWheel(now_ + delay_ps, nullptr, MakeWaiter(handle));
}

void Kernel::WaitReadOnly(std::coroutine_handle<> handle) {
  readonly_.push_back(MakeWaiter(handle));
}

void Kernel::WaitNextTimeStep(std::coroutine_handle<> handle) {
  next_step_.push_back(MakeWaiter(handle));
}

void Kernel::AddJoiner(detail::TaskRootBase* root, std::coroutine_handle<> handle) {
  root->joiners.push_back(MakeWaiter(handle));
}

namespace {
struct WheelLater {
  template <typename E>
  bool operator()(const E& a, const E& b) const {
    return a.time != b.time ? a.time > b.time : a.seq > b.seq;
  }
};
}  // namespace

void Kernel::PushWheel(uint64_t time, Clock* clock, detail::Waiter waiter) {
  wheel_.push_back(WheelEntry{time, wheel_seq_++, clock, std::move(waiter)});
  std::push_heap(wheel_.begin(), wheel_.end(), WheelLater{});
}

void Kernel::FireEdge(Clock& clock) {
  const bool rising = clock.next_rising_;
  clock.next_rising_ = !rising;
  if (rising) ++clock.cycles_;
  PushWheel(now_ + (rising ? clock.high_ : clock.low_), &clock, {});
  if (rising) {
    *clock.signal_ = 1;
    Eval();
    if (clock.early_fall_) {
      *clock.signal_ = 0;
      clock.evals_at_rise_ = eval_count_;
    }
  } else if (!clock.early_fall_ || !clock.falling_.empty() || eval_count_ == clock.evals_at_rise_) {
    *clock.signal_ = 0;
    Eval();
  }
  std::vector<detail::Waiter>& list = rising ? clock.rising_ : clock.falling_;
  size_t keep = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    detail::Waiter& waiter = list[i];
    if (!waiter.Alive()) continue;
    if (--waiter.count == 0) {
      ready_.push_back(std::move(waiter));
    } else {
      if (keep != i) list[keep] = std::move(waiter);
      ++keep;
    }
  }
  list.erase(list.begin() + static_cast<std::ptrdiff_t>(keep), list.end());
}

void Kernel::Drain() {
  while (!ready_.empty() && !stop_) {
    batch_.swap(ready_);
    for (detail::Waiter& waiter : batch_) {
      if (!waiter.Alive()) continue;
      Resume(waiter);
      if (stop_) break;
    }
    batch_.clear();
    if (phase_ == Phase::kActive) Eval();
  }
}

void Kernel::Resume(detail::Waiter& waiter) {
  detail::TaskRootBase* root = waiter.root.get();  // kept alive by `waiter`
  current_root_ = root;
  waiter.handle.resume();
  current_root_ = nullptr;
  if (root->frame && root->frame.done()) {
    Complete(root);
  } else if (root->kill_pending) {
    Kill(root);
  }
}

void Kernel::Complete(detail::TaskRootBase* root) {
  root->Harvest();
  std::coroutine_handle<> frame = std::exchange(root->frame, {});
  frame.destroy();
  Finish(root);
}

void Kernel::Kill(detail::TaskRootBase* root) {
  if (!root->frame) return;
  if (root == current_root_) {
    root->kill_pending = true;  // cannot destroy a running frame
    return;
  }
  detail::RootRef keep(root);
  root->killed = true;
  std::coroutine_handle<> frame = std::exchange(root->frame, {});
  frame.destroy();  // may kill further tasks from destructors (re-entrant)
  Finish(root);
}

void Kernel::Finish(detail::TaskRootBase* root) {
  root->done = true;
  Unlink(root);
  bool observed = !root->done_callbacks.empty();
  for (detail::Waiter& joiner : root->joiners) {
    if (!joiner.Alive()) continue;
    observed = true;
    ready_.push_back(std::move(joiner));
  }
  root->joiners.clear();
  auto callbacks = std::move(root->done_callbacks);
  root->done_callbacks.clear();
  for (auto& callback : callbacks) callback(*root);
  if (root->is_main) {
    stop_ = true;
  } else if (root->exception && !observed && !failure_) {
    failure_ = root->exception;
    stop_ = true;
  }
  // Drop the kernel's reference last; callers hold their own.
  detail::RootRef release(root);
  --root->refs;
}

void Kernel::KillAll() {
  // Killing may run destructors that start or kill tasks; loop until quiet.
  while (live_head_ != nullptr) {
    detail::TaskRootBase* root = live_head_;
    root->kill_pending = false;
    detail::TaskRootBase* saved = std::exchange(current_root_, nullptr);
    Kill(root);
    current_root_ = saved;
    if (live_head_ == root) Unlink(root);  // frame-less root (defensive)
  }
}

void Kernel::ThrowDeadlock() {
  std::string waiting;
  size_t count = 0;
  for (auto* root = live_head_; root != nullptr; root = root->next) {
    ++count;
    if (count <= 8) {
      waiting += fmt::format("{}'{}'", waiting.empty() ? "" : ", ",
                             root->name.empty() ? std::string("<unnamed>") : root->name);
    }
  }
  throw SimDeadlockError(
      fmt::format("simulation deadlock at t={} ps: the main task is waiting but no clock, timer "
                  "or wake-up is pending ({} task(s) blocked: {}{})",
                  now_, count, waiting, count > 8 ? ", ..." : ""));
}

void Kernel::Run(Task<> main) {
  if (running_) throw std::logic_error("Kernel::Run: already running");
  if (!main.Valid()) throw std::invalid_argument("Kernel::Run: empty Task");
  CurrentKernelScope scope(this);
  running_ = true;
  stop_ = false;
  failure_ = nullptr;
  detail::RootRef main_root = Adopt(std::move(main), "main");
  main_root->is_main = true;
  // The main task runs first, then tasks started before Run().
  ready_.insert(ready_.begin(), detail::Waiter{main_root->frame, main_root, 1});

  std::exception_ptr error;
  try {
    Eval();
    for (;;) {
      phase_ = Phase::kActive;
      for (detail::Waiter& waiter : next_step_) ready_.push_back(std::move(waiter));
      next_step_.clear();
      Drain();
      while (!stop_ && !wheel_.empty() && wheel_.front().time == now_) {
        std::pop_heap(wheel_.begin(), wheel_.end(), WheelLater{});
        WheelEntry entry = std::move(wheel_.back());
        wheel_.pop_back();
        if (entry.clock != nullptr) {
          FireEdge(*entry.clock);
        } else if (entry.waiter.Alive()) {
          ready_.push_back(std::move(entry.waiter));
        }
        Drain();
      }
      if (!stop_) {
        phase_ = Phase::kReadOnly;
        for (detail::Waiter& waiter : readonly_) ready_.push_back(std::move(waiter));
        readonly_.clear();
        Drain();
        phase_ = Phase::kActive;
      }
      if (trace_) trace_(now_);
      if (stop_) break;
      if (wheel_.empty()) ThrowDeadlock();
      now_ = wheel_.front().time;
    }
  } catch (...) {
    error = std::current_exception();
  }

  phase_ = Phase::kIdle;
  KillAll();
  ready_.clear();
  readonly_.clear();
  next_step_.clear();
  // Drop timers of killed tasks; clock edges stay for a later Run().
  std::erase_if(wheel_, [](const WheelEntry& e) { return e.clock == nullptr; });
  std::make_heap(wheel_.begin(), wheel_.end(), WheelLater{});
  running_ = false;
  stop_ = false;
  if (error) std::rethrow_exception(error);
  if (main_root->exception) std::rethrow_exception(main_root->exception);
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

}  // namespace npu::sim
