// cocotb Queue: a FIFO between coroutines, optionally bounded.
#pragma once

#include <coroutine>
#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

#include "tb/sim/kernel.h"

namespace npu::sim {

/// FIFO of T between coroutines. With `max_size == 0` it is unbounded and
/// Put() never blocks; otherwise Put() blocks while the queue is full.
/// Get() blocks while it is empty. Blocked getters and putters are served
/// in FIFO order; an item is handed over directly to a waiting getter,
/// which resumes later in the same time step.
template <typename T>
class Queue {
 public:
  explicit Queue(size_t max_size = 0) : max_size_(max_size) {}
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  /// Awaiter returned by Put().
  class [[nodiscard]] PutAwaiter {
   public:
    PutAwaiter(Queue* queue, T item) : queue_(queue), item_(std::move(item)) {}
    bool await_ready() { return queue_->Deliver(*item_); }
    void await_suspend(std::coroutine_handle<> h) {
      queue_->putters_.push_back(Blocked{detail::CurrentWaiter(h), &item_});
    }
    void await_resume() const noexcept {}

   private:
    Queue* queue_;
    std::optional<T> item_;
  };

  /// Awaiter returned by Get().
  class [[nodiscard]] GetAwaiter {
   public:
    explicit GetAwaiter(Queue* queue) : queue_(queue) {}
    bool await_ready() {
      slot_ = queue_->TryGet();
      return slot_.has_value();
    }
    void await_suspend(std::coroutine_handle<> h) {
      queue_->getters_.push_back(Blocked{detail::CurrentWaiter(h), &slot_});
    }
    T await_resume() { return std::move(*slot_); }

   private:
    Queue* queue_;
    std::optional<T> slot_;
  };

  /// Appends `item`, waiting while the queue is full.
  PutAwaiter Put(T item) { return PutAwaiter(this, std::move(item)); }
  /// Removes and returns the oldest item, waiting while the queue is empty.
  GetAwaiter Get() { return GetAwaiter(this); }

  /// Appends without waiting; false (item dropped) if the queue is full.
  bool TryPut(T item) { return Deliver(item); }
  /// Removes the oldest item if there is one.
  std::optional<T> TryGet() {
    if (items_.empty()) return std::nullopt;
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    // Room freed: accept the item of the oldest live blocked putter.
    while (!putters_.empty()) {
      Blocked putter = std::move(putters_.front());
      putters_.pop_front();
      if (!putter.waiter.Alive()) continue;
      items_.push_back(std::move(**putter.item));
      detail::Wake(std::move(putter.waiter));
      break;
    }
    return item;
  }

  /// Number of items in the queue.
  size_t Size() const { return items_.size(); }
  /// True if the queue holds no item.
  bool Empty() const { return items_.empty(); }
  /// True if the queue is bounded and holds `max_size` items.
  bool Full() const { return max_size_ != 0 && items_.size() >= max_size_; }
  /// Capacity (0 = unbounded).
  size_t MaxSize() const { return max_size_; }
  /// The oldest item (queue must not be empty).
  const T& Front() const { return items_.front(); }

 private:
  struct Blocked {
    detail::Waiter waiter;
    std::optional<T>* item;
  };

  // Hands `item` to a waiting getter or stores it; false if full.
  bool Deliver(T& item) {
    while (!getters_.empty()) {
      Blocked getter = std::move(getters_.front());
      getters_.pop_front();
      if (!getter.waiter.Alive()) continue;
      getter.item->emplace(std::move(item));
      detail::Wake(std::move(getter.waiter));
      return true;
    }
    if (Full()) return false;
    items_.push_back(std::move(item));
    return true;
  }

  size_t max_size_;
  std::deque<T> items_;
  std::deque<Blocked> getters_;
  std::deque<Blocked> putters_;
};

}  // namespace npu::sim
