#include "tb/sim/lock.h"

namespace npu::sim {

void Lock::Release() {
  while (!waiters_.empty()) {
    detail::Waiter waiter = std::move(waiters_.front());
    waiters_.pop_front();
    if (!waiter.Alive()) continue;
    detail::Wake(std::move(waiter));  // ownership passes on; stays locked
    return;
  }
  locked_ = false;
}

}  // namespace npu::sim
