// cocotb Combine and First over tasks.
#pragma once

#include <cstddef>
#include <exception>
#include <memory>
#include <utility>
#include <vector>

#include "tb/sim/event.h"
#include "tb/sim/kernel.h"
#include "tb/sim/task.h"
#include "tb/sim/task_handle.h"

namespace npu::sim {
namespace detail {

struct GroupState {
  Event done;
  size_t remaining = 0;
  size_t first = 0;
  bool any_done = false;
  std::exception_ptr exception;
};

/// Kills every still-running handle when destroyed.
struct KillAllOnExit {
  std::vector<TaskHandle<>>* handles;
  ~KillAllOnExit() {
    for (auto& h : *handles) h.Kill();
  }
};

}  // namespace detail

/// Runs all `tasks` concurrently and waits until every one has finished
/// (cocotb Combine). If one fails, the others are killed and its exception
/// is rethrown.
inline Task<> Combine(std::vector<Task<>> tasks) {
  Kernel& kernel = Kernel::Current();
  auto state = std::make_shared<detail::GroupState>();
  std::vector<TaskHandle<>> handles;
  handles.reserve(tasks.size());
  detail::KillAllOnExit guard{&handles};
  state->remaining = tasks.size();
  if (tasks.empty()) co_return;
  for (auto& task : tasks) {
    handles.push_back(kernel.StartSoon(std::move(task), "combine"));
    detail::OnDone(handles.back().root(), [state](detail::TaskRootBase& root) {
      if (root.exception && !state->exception) state->exception = root.exception;
      if (--state->remaining == 0 || root.exception) state->done.Set();
    });
  }
  co_await state->done.Wait();
  if (state->exception) std::rethrow_exception(state->exception);
}

/// Runs all `tasks` concurrently until the first one finishes (cocotb
/// First); kills the others and returns the index of the winner, or
/// rethrows the winner's exception.
inline Task<size_t> First(std::vector<Task<>> tasks) {
  Kernel& kernel = Kernel::Current();
  auto state = std::make_shared<detail::GroupState>();
  std::vector<TaskHandle<>> handles;
  handles.reserve(tasks.size());
  detail::KillAllOnExit guard{&handles};
  if (tasks.empty()) throw std::invalid_argument("First: no tasks");
  for (size_t i = 0; i < tasks.size(); ++i) {
    handles.push_back(kernel.StartSoon(std::move(tasks[i]), "first"));
    detail::OnDone(handles.back().root(), [state, i](detail::TaskRootBase& root) {
      if (state->any_done) return;
      state->any_done = true;
      state->first = i;
      state->exception = root.exception;
      state->done.Set();
    });
  }
  co_await state->done.Wait();
  if (state->exception) std::rethrow_exception(state->exception);
  co_return state->first;
}

/// Variadic forms: `co_await Combine(A(), B());`, `co_await First(A(), B())`.
template <typename... Tasks>
requires(sizeof...(Tasks) > 1 &&
         (std::is_same_v<Tasks, Task<>> && ...)) Task<> Combine(Tasks... tasks) {
  std::vector<Task<>> list;
  (list.push_back(std::move(tasks)), ...);
  return Combine(std::move(list));
}
template <typename... Tasks>
requires(sizeof...(Tasks) > 1 &&
         (std::is_same_v<Tasks, Task<>> && ...)) Task<size_t> First(Tasks... tasks) {
  std::vector<Task<>> list;
  (list.push_back(std::move(tasks)), ...);
  return First(std::move(list));
}

}  // namespace npu::sim
