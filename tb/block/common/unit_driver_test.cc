// Tests of the unit driver against a small C++ fake of an instruction unit:
// a correct fake runs random programs under every token supply, stops on an
// error or abort and restarts after clear_i; fakes with one bug each (a take
// without a token, tok_take_o without a take, a token given twice, idle_o
// with a token owed, busy_o stuck low, a take while halted) must make the
// driver fail the test with the matching message.
#include "tb/block/common/unit_driver.h"

#include <array>
#include <cstdint>
#include <exception>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "sw/gen/npu_isa.h"
#include "tb/sim/sim.h"

namespace {

namespace isa = npu::isa;
using npu::block::TokenSupply;
using npu::block::UnitDriver;
using npu::block::UnitDriverConfig;
using npu::block::UnitInstr;
using npu::sim::Task;
using npu::sim::TestContext;

/// Storage laid out as Verilator's VlWide<8> (instr_i).
struct Wide256 {
  std::array<uint32_t, 8> words{};
  uint32_t* data() { return words.data(); }
};

/// The bug a fake unit has.
enum class Bug {
  kNone,
  kIgnoresTokens,     // takes the head whether or not its tokens are there
  kTakesWithoutHead,  // shows tok_take_o whenever a head is presented
  kGivesTwice,        // gives an instruction's tokens in two cycles
  kIdleTooEarly,      // idle_o while the instruction completes
  kBusyStuckLow,      // busy_o never rises
  kIgnoresHalt,       // keeps taking instructions after an error
};

/// A fake unit of the compute kind (two wait and two signal bits): it holds
/// one instruction for `latency` cycles (instruction word 1, bits 2:0), then
/// gives its signal bits in the cycle it completes. Opcode 15 is illegal: it
/// is reported (cause 1, address = word 2) and halts the unit until clear_i.
/// abort_i drops the instruction held and halts too.
struct FakeUnit {
  uint8_t clk_i = 0, rst_ni = 0, clear_i = 0, abort_i = 0;
  uint8_t instr_valid_i = 0, instr_ready_o = 0;
  Wide256 instr_i;
  uint32_t pc_i = 0;
  uint8_t tok_avail_i = 0, tok_take_o = 0, tok_give_o = 0;
  uint8_t idle_o = 1, err_o = 0, err_cause_o = 0;
  uint32_t err_addr_o = 0, err_pc_o = 0;
  uint8_t busy_o = 0, stall_dep_o = 0, stall_work_o = 0;

  Bug bug = Bug::kNone;

  void eval() {
    if (clk_i && !prev_clk_) {
      Comb();
      Edge();
    }
    prev_clk_ = clk_i;
    Comb();
  }

 private:
  isa::Word Head() const {
    isa::Word w;
    for (int i = 0; i < isa::kInstrWords; ++i) w[i] = instr_i.words[i];
    return w;
  }

  void Comb() {
    const isa::Deps head = isa::DepsOf(Head());
    const bool tok_ok = bug == Bug::kIgnoresTokens || (head.wait & ~tok_avail_i) == 0;
    const bool stopped = halted_ && bug != Bug::kIgnoresHalt;
    instr_ready_o = !held_ && !stopped && !abort_i && !clear_i && tok_ok;
    take_ = instr_valid_i && instr_ready_o;
    tok_take_o = take_ || (bug == Bug::kTakesWithoutHead && instr_valid_i) ? head.wait : 0;
    const bool done = held_ && left_ == 0 && !abort_i;
    const bool bad = isa::OpcodeOf(word_) == 15;
    tok_give_o = (done && !bad) ? isa::DepsOf(word_).signal : 0;
    if (bug == Bug::kGivesTwice && gave_last_) tok_give_o |= last_signal_;
    idle_o = !held_ || (bug == Bug::kIdleTooEarly && left_ <= 1);
    busy_o = bug == Bug::kBusyStuckLow ? 0 : !idle_o;
    stall_dep_o = instr_valid_i && !held_ && !stopped && !tok_ok;
    stall_work_o = held_;
    err_o = err_q_;
  }

  void Edge() {
    gave_last_ = tok_give_o != 0;
    last_signal_ = tok_give_o;
    err_q_ = false;
    if (!rst_ni || clear_i) {
      held_ = halted_ = false;
      return;
    }
    if (abort_i) {
      held_ = false;
      halted_ = true;
      return;
    }
    if (held_) {
      if (left_ == 0) {
        held_ = false;
        if (isa::OpcodeOf(word_) == 15) {
          err_q_ = true;
          err_cause_o = 1;
          err_addr_o = word_[2];
          err_pc_o = pc_;
          halted_ = true;
        }
      } else {
        --left_;
      }
    }
    if (take_) {
      held_ = true;
      word_ = Head();
      pc_ = pc_i;
      left_ = static_cast<int>(word_[1] & 7);
    }
  }

  bool prev_clk_ = false, take_ = false, held_ = false, halted_ = false, err_q_ = false;
  bool gave_last_ = false;
  uint8_t last_signal_ = 0;
  isa::Word word_{};
  uint32_t pc_ = 0;
  int left_ = 0;
};

/// An instruction for the fake: opcode, random wait/signal bits, latency.
isa::Word FakeInstr(std::mt19937_64& rng, uint32_t opcode = 2) {
  isa::Word w{};
  w[0] = opcode | static_cast<uint32_t>(rng() % 4) << isa::field::kWaitMaskLsb |
         static_cast<uint32_t>(rng() % 4) << isa::field::kSignalMaskLsb;
  w[1] = static_cast<uint32_t>(rng() % 8);
  w[2] = static_cast<uint32_t>(rng());
  return w;
}

/// A fake unit, a kernel and a driver; Run() resets and runs a story.
class FakeBench {
 public:
  FakeBench(const TestContext& ctx, Bug bug)
      : kernel_([this] { unit_.eval(); }),
        clk_(kernel_.AddClock("clk_i", &unit_.clk_i, 10 * npu::sim::kNs)),
        driver_(NPU_UNIT_PORT(unit_, stall_work_o), clk_,
                UnitDriverConfig{.unit = isa::Unit::kCompute, .seed = ctx.seed ^ 0xfa4e}),
        rng_(ctx.MakeRng()) {
    unit_.bug = bug;
  }

  UnitDriver& driver() { return driver_; }
  npu::sim::Clock& clk() { return clk_; }
  std::mt19937_64& rng() { return rng_; }
  /// The word of instruction `index` as pushed by RunRandom (recorded).
  const isa::Word& program(size_t index) const { return words_.at(index); }
  /// Records the word of the next instruction pushed.
  void Record(const isa::Word& w) { words_.push_back(w); }

  void Run(const std::function<Task<>()>& story) {
    kernel_.Run([&]() -> Task<> {
      driver_.ZeroInputs();
      co_await npu::sim::ClockCycles(clk_, 2);
      unit_.rst_ni = 1;
      kernel_.StartSoon(driver_.Run(), "driver");
      co_await npu::sim::WithTimeout(story(), clk_, 100000);
    });
  }

 private:
  FakeUnit unit_;
  npu::sim::Kernel kernel_;
  npu::sim::Clock& clk_;
  UnitDriver driver_;
  std::mt19937_64 rng_;
  std::vector<isa::Word> words_;
};

/// Runs `n` random instructions on `tb` and waits until the unit is idle.
Task<> RunRandom(FakeBench& tb, int n) {
  std::vector<UnitInstr> program;
  for (int i = 0; i < n; ++i) {
    const auto pc = static_cast<uint32_t>(tb.driver().pushed() + static_cast<size_t>(i));
    const isa::Word w = FakeInstr(tb.rng());
    tb.Record(w);
    program.push_back(UnitInstr::Of(w, pc));
  }
  co_await tb.driver().Feed(program);
  co_await tb.driver().WaitIdle();
}

// Random programs under each token supply: every instruction is taken once
// in order; every signal bit is given once per instruction that has it, in
// program order and after the take; the head waits for tokens at times.
// With the manual supply nothing is taken until the story adds the tokens.
NPU_SIM_TEST(driver_random_programs) {
  FakeBench tb(ctx, Bug::kNone);
  tb.Run([&]() -> Task<> {
    UnitDriver& d = tb.driver();
    for (const TokenSupply supply : {TokenSupply::kRandom, TokenSupply::kOnDemand}) {
      d.SetTokenSupply(supply, 0.1);
      co_await RunRandom(tb, 150);
    }
    d.CheckSignalsGiven();
    NPU_CHECK_EQ(d.taken().size(), d.pushed());
    std::array<size_t, isa::kDepBits> want{};
    for (size_t i = 0; i < d.taken().size(); ++i) {
      NPU_CHECK_EQ(d.taken()[i].index, i);
    }
    std::array<size_t, isa::kDepBits> count{}, last{};
    for (const auto& g : d.given()) {
      NPU_CHECK(count[g.bit] == 0 || g.index > last[g.bit]) << "bit " << g.bit << " out of order";
      NPU_CHECK(g.cycle > d.taken()[g.index].cycle) << "given before taken";
      last[g.bit] = g.index;
      ++count[g.bit];
    }
    for (const auto& t : d.taken()) {
      const uint32_t signal = isa::DepsOf(tb.program(t.index)).signal;
      for (int b = 0; b < isa::kDepBits; ++b) want[b] += (signal >> b) & 1;
    }
    NPU_CHECK(count == want) << count[0] << "/" << want[0] << " and " << count[1] << "/" << want[1];
    NPU_CHECK(count[0] > 50 && count[1] > 50) << count[0] << " and " << count[1] << " tokens";
    NPU_CHECK(d.counters().stall_dep > 0) << "the head never waited for a token";

    d.SetTokenSupply(TokenSupply::kManual, 0);
    isa::Word w = FakeInstr(tb.rng());
    w[0] |= 3u << isa::field::kWaitMaskLsb;
    d.Push(w, 1000);
    co_await npu::sim::ClockCycles(tb.clk(), 20);
    NPU_CHECK_EQ(d.pending(), 1u) << "taken without its tokens";
    d.AddTokens(0);
    d.AddTokens(1);
    co_await d.WaitIdle();
    NPU_CHECK_EQ(d.pending(), 0u);
  });
}

// An illegal instruction is reported and halts the unit: the instructions
// after it stay in the queue; clear_i drops them and the unit runs again.
// abort_i halts it the same way.
NPU_SIM_TEST(driver_error_abort_clear) {
  FakeBench tb(ctx, Bug::kNone);
  tb.Run([&]() -> Task<> {
    UnitDriver& d = tb.driver();
    co_await RunRandom(tb, 5);
    isa::Word bad = FakeInstr(tb.rng(), 15);
    const size_t bad_index = d.Push(UnitInstr{bad, 77, 0});
    co_await RunRandom(tb, 5);
    NPU_CHECK(d.halted());
    NPU_CHECK_EQ(d.errors().size(), 1u);
    NPU_CHECK_EQ(d.errors()[0].pc, 77u);
    NPU_CHECK_EQ(d.errors()[0].addr, bad[2]);
    NPU_CHECK_EQ(d.pending(), 5u) << "instructions taken after the error";
    d.CheckSignalsGiven(bad_index);
    co_await d.Clear();
    NPU_CHECK(!d.halted());
    NPU_CHECK_EQ(d.pending(), 0u);
    co_await RunRandom(tb, 20);
    NPU_CHECK_EQ(d.errors().size(), 1u);
    d.CheckSignalsGiven();
    for (int i = 0; i < 20; ++i) {
      const isa::Word w = FakeInstr(tb.rng());
      d.Push(w, static_cast<uint32_t>(2000 + i));
    }
    co_await npu::sim::ClockCycles(tb.clk(), 15);
    co_await d.Abort();
    co_await d.WaitIdle();
    NPU_CHECK(d.halted());
    NPU_CHECK(d.pending() > 0) << "every instruction was taken before the abort";
    co_await d.Clear();
    co_await RunRandom(tb, 10);
    d.CheckSignalsGiven();
  });
}

/// Runs a short program on a fake with `bug`, tokens arriving only when the
/// head waits for them, and returns the failure text ("" if the run passed).
std::string FailureOf(const TestContext& ctx, Bug bug) {
  FakeBench tb(ctx, bug);
  try {
    tb.Run([&]() -> Task<> {
      tb.driver().SetTokenSupply(TokenSupply::kOnDemand, 0);
      co_await RunRandom(tb, 60);
      tb.driver().Push(UnitInstr{FakeInstr(tb.rng(), 15), 99, 0});
      co_await RunRandom(tb, 10);
      co_await npu::sim::ClockCycles(tb.clk(), 100);
    });
  } catch (const npu::sim::TestFailure& e) {
    return e.what();
  }
  return "";
}

/// Checks that a fake with `bug` fails with a message containing one of
/// `what`.
void ExpectCaught(const TestContext& ctx, Bug bug, const std::vector<std::string>& what) {
  const std::string failure = FailureOf(ctx, bug);
  bool found = false;
  for (const std::string& w : what) found = found || failure.find(w) != std::string::npos;
  NPU_CHECK(found) << "expected a failure about '" << what.front() << "', got '" << failure << "'";
}

// The same short program passes on a fake without a bug (so the failures
// below are the bugs').
NPU_SIM_TEST(driver_passes_correct_unit) { NPU_CHECK_EQ(FailureOf(ctx, Bug::kNone), ""); }

NPU_SIM_TEST(driver_catches_take_without_token) {
  ExpectCaught(ctx, Bug::kIgnoresTokens, {"taken without a token"});
}
NPU_SIM_TEST(driver_catches_tok_take_without_take) {
  ExpectCaught(ctx, Bug::kTakesWithoutHead, {"tok_take_o without taking"});
}
NPU_SIM_TEST(driver_catches_token_given_twice) {
  // The second token is either unmatched or matched with an instruction
  // taken in that very cycle.
  ExpectCaught(ctx, Bug::kGivesTwice,
               {"while no instruction taken expects one", "in the cycle it was taken"});
}
NPU_SIM_TEST(driver_catches_idle_with_token_owed) {
  ExpectCaught(ctx, Bug::kIdleTooEarly, {"still owes its token"});
}
NPU_SIM_TEST(driver_catches_busy_not_idle) {
  ExpectCaught(ctx, Bug::kBusyStuckLow, {"busy_o is not !idle_o"});
}
NPU_SIM_TEST(driver_catches_take_while_halted) {
  ExpectCaught(ctx, Bug::kIgnoresHalt, {"taken by a halted unit"});
}

}  // namespace

int main(int argc, char** argv) { return npu::sim::RunTests(argc, argv); }
