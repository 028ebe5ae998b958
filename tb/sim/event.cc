#include "tb/sim/event.h"

namespace npu::sim {

void Event::Set() {
  set_ = true;
  std::vector<detail::Waiter> waiters = std::move(waiters_);
  waiters_.clear();
  for (detail::Waiter& waiter : waiters) {
    if (waiter.Alive()) detail::Wake(std::move(waiter));
  }
}

}  // namespace npu::sim
