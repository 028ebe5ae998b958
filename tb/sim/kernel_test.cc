// Unit tests of the kernel's scheduling: edges, phases, timers, tasks.
#include "tb/sim/kernel.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "tb/sim/event.h"
#include "tb/sim/test/toy_dut.h"
#include "tb/sim/triggers.h"

namespace npu::sim {
namespace {

using test::ToyDut;

constexpr uint64_t kPeriod = 10 * kNs;

class KernelTest : public ::testing::Test {
 protected:
  ToyDut dut_;
  Kernel kernel_{[this] { dut_.Eval(); }};
  Clock& clk_ = kernel_.AddClock("clk", &dut_.clk, kPeriod);
};

TEST_F(KernelTest, ClockStartsLowAndEdgesAlternate) {
  std::vector<std::pair<uint64_t, int>> seen;
  kernel_.Run([&]() -> Task<> {
    seen.emplace_back(kernel_.Now(), dut_.clk);
    co_await RisingEdge(clk_);
    seen.emplace_back(kernel_.Now(), dut_.clk);
    co_await FallingEdge(clk_);
    seen.emplace_back(kernel_.Now(), dut_.clk);
    co_await RisingEdge(clk_);
    seen.emplace_back(kernel_.Now(), dut_.clk);
  });
  const std::vector<std::pair<uint64_t, int>> expected = {
      {0, 0}, {5000, 1}, {10000, 0}, {15000, 1}};
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(kernel_.Cycles(clk_), 2u);
}

TEST_F(KernelTest, RisingEdgeSeesRegistersUpdatedAndWritesAreSampledNextEdge) {
  kernel_.Run([&]() -> Task<> {
    dut_.en = 1;  // time 0: sampled at the first edge
    co_await RisingEdge(clk_);
    EXPECT_EQ(dut_.count, 1u);  // register already updated by the edge eval
    dut_.en = 0;                // written after the edge: next edge sees it
    co_await RisingEdge(clk_);
    EXPECT_EQ(dut_.count, 1u);
    dut_.en = 1;
    co_await ClockCycles(clk_, 3);
    EXPECT_EQ(dut_.count, 4u);
  });
}

TEST_F(KernelTest, WaitersResumeInFifoOrderAndEdgesInTimeOrder) {
  std::vector<std::string> log;
  auto waiter = [&](std::string name) -> Task<> {
    co_await RisingEdge(clk_);
    log.push_back(name + "@rise" + std::to_string(kernel_.Now()));
    co_await FallingEdge(clk_);
    log.push_back(name + "@fall" + std::to_string(kernel_.Now()));
  };
  kernel_.Run([&]() -> Task<> {
    auto a = StartSoon(waiter("a"));
    auto b = StartSoon(waiter("b"));
    auto c = StartSoon(waiter("c"));
    co_await a;
    co_await b;
    co_await c;
  });
  const std::vector<std::string> expected = {"a@rise5000",  "b@rise5000",  "c@rise5000",
                                             "a@fall10000", "b@fall10000", "c@fall10000"};
  EXPECT_EQ(log, expected);
}

// Early fall: the same registers at every rising edge and the same settled
// values in ReadOnly, with one eval per cycle less; a falling-edge waiter
// still sees the clock low after an eval.
TEST_F(KernelTest, EarlyFallSavesTheFallingEvalAndKeepsTheValues) {
  uint32_t enabled = 0;  // cycles with en set: the final count
  for (uint32_t i = 0; i < 20; ++i) enabled += i % 3 != 0;
  auto run = [](bool early, uint64_t& evals, std::vector<uint32_t>& seen) {
    ToyDut dut;
    Kernel kernel([&] { dut.Eval(); });
    Clock& clk = kernel.AddClock("clk", &dut.clk, kPeriod);
    clk.SetEarlyFall(early);
    kernel.Run([&]() -> Task<> {
      for (uint32_t i = 0; i < 20; ++i) {
        co_await RisingEdge(clk);
        seen.push_back(dut.count);
        dut.en = i % 3 != 0;
        dut.a = i;
        co_await ReadOnly();
        seen.push_back(dut.count_next);
        seen.push_back(dut.sum);
      }
      co_await FallingEdge(clk);
      EXPECT_EQ(dut.clk, 0);
      EXPECT_EQ(dut.last_clk, 0);  // evaluated with the clock low
      co_await RisingEdge(clk);
      seen.push_back(dut.count);
    });
    evals = kernel.EvalCount();
  };
  uint64_t evals_plain = 0, evals_early = 0;
  std::vector<uint32_t> plain, early;
  run(false, evals_plain, plain);
  run(true, evals_early, early);
  EXPECT_EQ(plain, early);
  EXPECT_EQ(plain.back(), enabled);
  // Three evals per cycle (rising edge, inputs written, falling edge)
  // against two: the falling edges after the first 19 cycles go without an
  // eval; the 20th has a waiter.
  EXPECT_GE(evals_plain, 3u * 20u);
  EXPECT_EQ(evals_plain - evals_early, 19u);
}

// Early fall without any coroutine at the rising edges: the falling edge
// still evaluates, so that the next rising edge is one.
TEST_F(KernelTest, EarlyFallStillCountsEdgesWithoutWaiters) {
  ToyDut dut;
  Kernel kernel([&] { dut.Eval(); });
  Clock& clk = kernel.AddClock("clk", &dut.clk, kPeriod);
  clk.SetEarlyFall(true);
  dut.en = 1;
  kernel.Run([&]() -> Task<> { co_await Timer(10 * kPeriod); });
  EXPECT_EQ(dut.count, clk.Cycles());
  EXPECT_EQ(dut.count, 10u);
}

TEST_F(KernelTest, ReadOnlySeesSettledValues) {
  kernel_.StartSoon([&]() -> Task<> {  // driver
    for (uint32_t i = 1; i <= 5; ++i) {
      co_await RisingEdge(clk_);
      dut_.a = i;
      dut_.b = 100 * i;
      dut_.en = static_cast<uint8_t>(i & 1);
    }
  });
  std::vector<uint32_t> sums;
  std::vector<uint32_t> predicted;
  std::vector<uint32_t> actual;
  kernel_.Run([&]() -> Task<> {  // monitor
    for (int i = 0; i < 5; ++i) {
      co_await RisingEdge(clk_);
      if (!predicted.empty()) actual.push_back(dut_.count);
      co_await ReadOnly();
      EXPECT_TRUE(kernel_.InReadOnly());
      sums.push_back(dut_.sum);
      predicted.push_back(dut_.count_next);  // what the next edge will store
      co_await ReadOnly();                   // already read-only: no suspension
    }
    co_await RisingEdge(clk_);
    actual.push_back(dut_.count);
  });
  EXPECT_EQ(sums, (std::vector<uint32_t>{101, 202, 303, 404, 505}));
  EXPECT_EQ(predicted, actual);
}

TEST_F(KernelTest, ClockCyclesCountsEdges) {
  kernel_.Run([&]() -> Task<> {
    co_await ClockCycles(clk_, 0);  // no suspension
    EXPECT_EQ(kernel_.Now(), 0u);
    co_await ClockCycles(clk_, 7);
    EXPECT_EQ(kernel_.Cycles(clk_), 7u);
    EXPECT_EQ(kernel_.Now(), 5000u + 6 * kPeriod);
    co_await ClockCycles(clk_, 2, /*rising=*/false);
    EXPECT_EQ(kernel_.Now(), 8 * kPeriod);
    EXPECT_EQ(dut_.clk, 0);
  });
}

TEST_F(KernelTest, TimerAdvancesTimeAndMergesWithClock) {
  std::vector<std::string> log;
  kernel_.StartSoon([&]() -> Task<> {
    co_await RisingEdge(clk_);
    log.push_back("rise@" + std::to_string(kernel_.Now()));
  });
  kernel_.Run([&]() -> Task<> {
    co_await Timer(3 * kNs);
    log.push_back("timer@" + std::to_string(kernel_.Now()));
    co_await Timer(2 * kNs);  // coincides with the rising edge, inserted later
    log.push_back("timer@" + std::to_string(kernel_.Now()));
    co_await Timer(1);
    EXPECT_EQ(kernel_.Now(), 5001u);
    EXPECT_THROW(static_cast<void>(Timer(0)), std::invalid_argument);
  });
  const std::vector<std::string> expected = {"timer@3000", "rise@5000", "timer@5000"};
  EXPECT_EQ(log, expected);
}

TEST(KernelNoClock, TimerWithoutClock) {
  Kernel kernel([] {});
  kernel.Run([&]() -> Task<> {
    co_await Timer(7);
    co_await Timer(kUs);
    EXPECT_EQ(kernel.Now(), kUs + 7);
    EXPECT_EQ(SimTime(), kUs + 7);
  });
}

TEST_F(KernelTest, NextTimeStepRunsBeforeTheNextEdge) {
  std::vector<std::string> log;
  kernel_.Run([&]() -> Task<> {
    kernel_.StartSoon([&]() -> Task<> {
      co_await RisingEdge(clk_);
      log.push_back("edge clk=" + std::to_string(dut_.clk));
    });
    co_await NextTimeStep();
    log.push_back("next@" + std::to_string(kernel_.Now()) + " clk=" + std::to_string(dut_.clk));
    co_await RisingEdge(clk_);
  });
  EXPECT_EQ(log, (std::vector<std::string>{"next@5000 clk=0", "edge clk=1"}));
}

TEST_F(KernelTest, TraceHookCalledOncePerTimeStepAfterSettling) {
  std::vector<uint64_t> times;
  std::vector<uint32_t> sums;
  kernel_.SetTraceHook([&](uint64_t t) {
    times.push_back(t);
    sums.push_back(dut_.sum);
  });
  kernel_.Run([&]() -> Task<> {
    co_await RisingEdge(clk_);
    dut_.a = 42;
    co_await ClockCycles(clk_, 1);
  });
  EXPECT_EQ(times, (std::vector<uint64_t>{0, 5000, 10000, 15000}));
  EXPECT_EQ(sums[1], 42u);  // dumped after the eval that followed the write
}

TEST_F(KernelTest, StartSoonAndJoinReturnsValue) {
  auto child = [&](int x) -> Task<int> {
    co_await ClockCycles(clk_, 3);
    co_return x * 2;
  };
  kernel_.Run([&]() -> Task<> {
    TaskHandle<int> h = StartSoon(child(21));
    EXPECT_FALSE(h.Done());
    int v = co_await h;
    EXPECT_EQ(v, 42);
    EXPECT_TRUE(h.Done());
    EXPECT_EQ(kernel_.Cycles(clk_), 3u);
    EXPECT_EQ(co_await h, 42);         // joining a finished task returns at once
    EXPECT_EQ(co_await child(5), 10);  // direct await runs it inline
  });
}

TEST_F(KernelTest, StartSoonIsNotImmediate) {
  std::vector<int> log;
  kernel_.Run([&]() -> Task<> {
    auto h = kernel_.StartSoon([&]() -> Task<> {
      log.push_back(2);
      co_return;
    });
    log.push_back(1);
    co_await h;
    log.push_back(3);
  });
  EXPECT_EQ(log, (std::vector<int>{1, 2, 3}));
}

TEST_F(KernelTest, ExceptionPropagatesFromAwaitedChild) {
  auto failing = [&]() -> Task<int> {
    co_await RisingEdge(clk_);
    throw std::runtime_error("child failed");
  };
  kernel_.Run([&]() -> Task<> {
    bool caught = false;
    try {
      co_await failing();
    } catch (const std::runtime_error& e) {
      caught = std::string(e.what()) == "child failed";
    }
    EXPECT_TRUE(caught);
    auto h = StartSoon(failing());
    caught = false;
    try {
      co_await h;
    } catch (const std::runtime_error& e) {
      caught = std::string(e.what()) == "child failed";
    }
    EXPECT_TRUE(caught);
  });
}

TEST_F(KernelTest, UnjoinedTaskExceptionFailsRun) {
  bool main_finished = false;
  try {
    kernel_.Run([&]() -> Task<> {
      kernel_.StartSoon([&]() -> Task<> {
        co_await ClockCycles(clk_, 2);
        throw std::runtime_error("background failure");
      });
      co_await ClockCycles(clk_, 100);
      main_finished = true;
    });
    FAIL() << "Run did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "background failure");
  }
  EXPECT_FALSE(main_finished);
  EXPECT_EQ(kernel_.Cycles(clk_), 2u);
}

TEST_F(KernelTest, MainExceptionIsRethrown) {
  EXPECT_THROW(kernel_.Run([&]() -> Task<> {
    co_await RisingEdge(clk_);
    throw std::logic_error("boom");
  }),
               std::logic_error);
}

struct DestructorCounter {
  int* count;
  ~DestructorCounter() { ++*count; }
};

TEST_F(KernelTest, KillStopsTaskAndRunsDestructors) {
  int destroyed = 0;
  int ticks = 0;
  auto inner = [&]() -> Task<> {
    DestructorCounter guard{&destroyed};
    for (;;) {
      co_await RisingEdge(clk_);
      ++ticks;
    }
  };
  kernel_.Run([&]() -> Task<> {
    auto h = kernel_.StartSoon([&]() -> Task<> {
      DestructorCounter guard{&destroyed};
      co_await inner();  // killed while suspended inside a nested task
    });
    co_await ClockCycles(clk_, 5);
    // main registered its edge wait first, so it resumes before the task's
    // fifth tick at the same edge (FIFO order).
    EXPECT_EQ(ticks, 4);
    h.Kill();
    EXPECT_TRUE(h.Done());
    EXPECT_TRUE(h.Killed());
    EXPECT_EQ(destroyed, 2);
    co_await h;  // joining a killed Task<void> returns
    co_await ClockCycles(clk_, 5);
    EXPECT_EQ(ticks, 4);
  });
}

TEST_F(KernelTest, KillWakesJoinersAndKilledValueTaskThrowsOnJoin) {
  kernel_.Run([&]() -> Task<> {
    auto h = kernel_.StartSoon([&]() -> Task<int> {
      co_await ClockCycles(clk_, 1000);
      co_return 1;
    });
    auto killer = kernel_.StartSoon([&]() -> Task<> {
      co_await ClockCycles(clk_, 3);
      h.Kill();
    });
    EXPECT_THROW(co_await h, TaskKilledError);
    EXPECT_EQ(kernel_.Cycles(clk_), 3u);
    co_await killer;
  });
}

TEST_F(KernelTest, SelfKillTakesEffectAtNextSuspension) {
  int after = 0;
  kernel_.Run([&]() -> Task<> {
    TaskHandle<> self;
    Event started;
    self = kernel_.StartSoon([&]() -> Task<> {
      co_await started.Wait();
      self.Kill();
      ++after;  // still runs: the kill takes effect at the next suspension
      co_await RisingEdge(clk_);
      ++after;
    });
    started.Set();
    co_await ClockCycles(clk_, 3);
    EXPECT_TRUE(self.Killed());
  });
  EXPECT_EQ(after, 1);
}

TEST_F(KernelTest, RemainingTasksAreKilledWhenMainEnds) {
  int destroyed = 0;
  kernel_.Run([&]() -> Task<> {
    kernel_.StartSoon([&]() -> Task<> {
      DestructorCounter guard{&destroyed};
      for (;;) co_await RisingEdge(clk_);
    });
    co_await ClockCycles(clk_, 2);
  });
  EXPECT_EQ(destroyed, 1);
}

TEST(KernelDeadlock, DetectedWithClearError) {
  Kernel kernel([] {});
  Event never("never");
  try {
    kernel.Run([&]() -> Task<> {
      kernel.StartSoon([&]() -> Task<> { co_await never.Wait(); }, "stuck_helper");
      co_await Timer(10);
      co_await never.Wait();
    });
    FAIL() << "no deadlock reported";
  } catch (const SimDeadlockError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("deadlock at t=10 ps"), std::string::npos) << what;
    EXPECT_NE(what.find("stuck_helper"), std::string::npos) << what;
    EXPECT_NE(what.find("main"), std::string::npos) << what;
  }
}

TEST(KernelDeadlock, NextTimeStepAloneIsADeadlock) {
  Kernel kernel([] {});
  EXPECT_THROW(kernel.Run([&]() -> Task<> { co_await NextTimeStep(); }), SimDeadlockError);
}

TEST(KernelSpeed, MillionRisingEdges) {
  uint8_t clk = 0;
  Kernel kernel([] {});
  Clock& clock = kernel.AddClock("clk", &clk, 2);
  constexpr int kEdges = 1'000'000;
  const auto start = std::chrono::steady_clock::now();
  kernel.Run([&]() -> Task<> {
    for (int i = 0; i < kEdges; ++i) co_await RisingEdge(clock);
  });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ SPEED ] %d x co_await RisingEdge: %.3f s (%.1f ns per cycle)\n", kEdges, seconds,
              seconds * 1e9 / kEdges);
  RecordProperty("seconds_per_million_cycles", std::to_string(seconds));
  EXPECT_EQ(kernel.Cycles(clock), static_cast<uint64_t>(kEdges));
  EXPECT_LT(seconds, 1.0);
}

}  // namespace
}  // namespace npu::sim
