// Unit tests of Event, Queue, Lock, WithTimeout, Combine and First.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "tb/sim/combine.h"
#include "tb/sim/event.h"
#include "tb/sim/kernel.h"
#include "tb/sim/lock.h"
#include "tb/sim/queue.h"
#include "tb/sim/test/toy_dut.h"
#include "tb/sim/timeout.h"
#include "tb/sim/triggers.h"

namespace npu::sim {
namespace {

using test::ToyDut;

class SyncTest : public ::testing::Test {
 protected:
  ToyDut dut_;
  Kernel kernel_{[this] { dut_.Eval(); }};
  Clock& clk_ = kernel_.AddClock("clk", &dut_.clk, 10 * kNs);
};

TEST_F(SyncTest, EventWakesAllWaitersInTheSameTimeStep) {
  Event ev("go");
  std::vector<std::string> log;
  auto waiter = [&](std::string name) -> Task<> {
    co_await ev.Wait();
    log.push_back(name + "@" + std::to_string(kernel_.Now()));
  };
  kernel_.Run([&]() -> Task<> {
    auto a = StartSoon(waiter("a"));
    auto b = StartSoon(waiter("b"));
    co_await ClockCycles(clk_, 2);
    EXPECT_FALSE(ev.IsSet());
    ev.Set();
    EXPECT_TRUE(ev.IsSet());
    co_await ev.Wait();  // set: no suspension
    co_await a;
    co_await b;
    EXPECT_EQ(kernel_.Now(), 15000u);  // same time step as Set()
    ev.Clear();
    EXPECT_FALSE(ev.IsSet());
  });
  EXPECT_EQ(log, (std::vector<std::string>{"a@15000", "b@15000"}));
}

TEST_F(SyncTest, EventWokenCoroutineSeesSettledWrites) {
  Event ev;
  uint32_t seen = 0;
  kernel_.Run([&]() -> Task<> {
    auto h = kernel_.StartSoon([&]() -> Task<> {
      co_await ev.Wait();
      seen = dut_.sum;  // the writer's eval() ran before this resumed
    });
    co_await RisingEdge(clk_);
    dut_.a = 7;
    dut_.b = 8;
    ev.Set();
    co_await h;
  });
  EXPECT_EQ(seen, 15u);
}

TEST_F(SyncTest, BoundedQueueBlocksProducer) {
  Queue<int> q(2);
  std::vector<std::pair<int, uint64_t>> put_done;
  std::vector<int> got;
  kernel_.Run([&]() -> Task<> {
    auto producer = kernel_.StartSoon([&]() -> Task<> {
      for (int i = 0; i < 5; ++i) {
        co_await q.Put(i);
        put_done.emplace_back(i, kernel_.Cycles(clk_));
      }
    });
    co_await ClockCycles(clk_, 3);
    EXPECT_EQ(q.Size(), 2u);
    EXPECT_TRUE(q.Full());
    EXPECT_EQ(put_done.size(), 2u);  // items 0 and 1; item 2 blocked
    for (int i = 0; i < 5; ++i) {
      got.push_back(co_await q.Get());
      co_await RisingEdge(clk_);
    }
    co_await producer;
    EXPECT_TRUE(q.Empty());
    EXPECT_FALSE(q.TryGet().has_value());
  });
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4}));
  ASSERT_EQ(put_done.size(), 5u);
  EXPECT_EQ(put_done[1].second, 0u);
  EXPECT_EQ(put_done[2].second, 3u);  // unblocked by the first Get at cycle 3
}

TEST_F(SyncTest, QueueGetBlocksUntilPut) {
  Queue<std::string> q;
  kernel_.Run([&]() -> Task<> {
    auto consumer = kernel_.StartSoon([&]() -> Task<std::string> {
      std::string a = co_await q.Get();
      std::string b = co_await q.Get();
      co_return a + b;
    });
    co_await ClockCycles(clk_, 4);
    EXPECT_TRUE(q.TryPut("x"));
    co_await q.Put("y");
    EXPECT_EQ(co_await consumer, "xy");
    EXPECT_EQ(kernel_.Cycles(clk_), 4u);
  });
}

TEST_F(SyncTest, QueueSkipsKilledGetter) {
  Queue<int> q;
  kernel_.Run([&]() -> Task<> {
    auto dead = kernel_.StartSoon([&]() -> Task<int> { co_return co_await q.Get(); });
    auto live = kernel_.StartSoon([&]() -> Task<int> { co_return co_await q.Get(); });
    co_await RisingEdge(clk_);
    dead.Kill();
    co_await q.Put(5);
    EXPECT_EQ(co_await live, 5);
    EXPECT_TRUE(q.Empty());
  });
}

TEST_F(SyncTest, LockIsExclusiveAndFifo) {
  Lock lock;
  std::vector<std::string> log;
  auto user = [&](std::string name) -> Task<> {
    co_await lock.Acquire();
    auto guard = lock.MakeGuard();
    log.push_back(name + "+");
    co_await ClockCycles(clk_, 2);
    log.push_back(name + "-");
  };
  kernel_.Run([&]() -> Task<> {
    auto a = StartSoon(user("a"));
    auto b = StartSoon(user("b"));
    auto c = StartSoon(user("c"));
    co_await a;
    co_await b;
    co_await c;
    EXPECT_FALSE(lock.Locked());
  });
  EXPECT_EQ(log, (std::vector<std::string>{"a+", "a-", "b+", "b-", "c+", "c-"}));
}

TEST_F(SyncTest, WithTimeoutReturnsValueInTime) {
  kernel_.Run([&]() -> Task<> {
    auto quick = [&]() -> Task<int> {
      co_await ClockCycles(clk_, 3);
      co_return 9;
    };
    EXPECT_EQ(co_await WithTimeout(quick(), 100 * kNs), 9);
    EXPECT_EQ(co_await WithTimeout(quick(), clk_, 10), 9);
    co_await ClockCycles(clk_, 20);  // the watchdogs are gone: no late failure
  });
}

TEST_F(SyncTest, WithTimeoutThrowsAndKillsTask) {
  int destroyed = 0;
  struct Counter {
    int* n;
    ~Counter() { ++*n; }
  };
  kernel_.Run([&]() -> Task<> {
    auto slow = [&]() -> Task<> {
      Counter c{&destroyed};
      co_await ClockCycles(clk_, 1000);
    };
    std::string message;
    try {
      co_await WithTimeout(slow(), 55 * kNs);
    } catch (const SimTimeoutError& e) {
      message = e.what();
    }
    EXPECT_NE(message.find("within 55000 ps"), std::string::npos) << message;
    EXPECT_EQ(kernel_.Now(), 55000u);
    EXPECT_EQ(destroyed, 1);
    message.clear();
    try {
      co_await WithTimeout(slow(), clk_, 4);
    } catch (const SimTimeoutError& e) {
      message = e.what();
    }
    EXPECT_NE(message.find("4 cycles of clock 'clk'"), std::string::npos) << message;
    EXPECT_EQ(destroyed, 2);
  });
}

TEST_F(SyncTest, WithTimeoutPropagatesTaskException) {
  kernel_.Run([&]() -> Task<> {
    auto failing = [&]() -> Task<> {
      co_await RisingEdge(clk_);
      throw std::out_of_range("bad");
    };
    EXPECT_THROW(co_await WithTimeout(failing(), kUs), std::out_of_range);
  });
}

TEST_F(SyncTest, CombineWaitsForAllAndFirstForOne) {
  auto wait_cycles = [&](uint64_t n) -> Task<> { co_await ClockCycles(clk_, n); };
  kernel_.Run([&]() -> Task<> {
    co_await Combine(wait_cycles(3), wait_cycles(7), wait_cycles(5));
    EXPECT_EQ(kernel_.Cycles(clk_), 7u);
    size_t winner = co_await First(wait_cycles(9), wait_cycles(2), wait_cycles(4));
    EXPECT_EQ(winner, 1u);
    EXPECT_EQ(kernel_.Cycles(clk_), 9u);
  });
}

}  // namespace
}  // namespace npu::sim
