// Driver and monitor of the interface every instruction unit shares (load,
// compute, store; docs/testbench.md, "The unit driver"):
//
// - the instruction queue head: instr_valid_i / instr_ready_o / instr_i /
//   pc_i, first-word fall-through, taken in a cycle where both are high;
// - the dependency tokens, as masks over the unit's queues (isa::kInQueue,
//   isa::kOutQueue): tok_avail_i (per wait bit: the queue it names holds a
//   token), tok_take_o (per wait bit: take one, with the instruction),
//   tok_give_o (per signal bit: give one);
// - clear_i, abort_i, idle_o, the error report (err_o with err_cause_o,
//   err_addr_o, err_pc_o) and the counter events busy_o, stall_dep_o and the
//   unit's own stall.
//
// UnitDriver feeds a program into the queue with random gaps, models the
// unit's incoming token counters (tokens arrive at random, on demand or only
// when a story adds them) and checks on every cycle that a token is taken
// only when available, only together with the instruction and only for the
// head's wait bits; it logs the instructions taken, the tokens given (each
// matched in program order with the instruction it belongs to) and the error
// reports, and tells when the unit is idle.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <random>
#include <vector>

#include "sw/gen/npu_isa.h"
#include "tb/bus/axi_port.h"
#include "tb/bus/signal_ref.h"
#include "tb/sim/clock.h"
#include "tb/sim/task.h"

namespace npu::block {

/// Port view of the interface every instruction unit shares; build one with
/// NPU_UNIT_PORT.
struct UnitPort {
  bus::SignalRef clear, abort;                         ///< inputs: soft reset, stop
  bus::SignalRef instr_valid, instr_ready, instr, pc;  ///< the queue head
  bus::SignalRef tok_avail, tok_take, tok_give;        ///< dependency tokens
  bus::SignalRef idle;                                 ///< nothing in progress
  bus::SignalRef err, err_cause, err_addr, err_pc;     ///< the error report
  bus::SignalRef busy, stall_dep, stall_unit;          ///< counter events

  /// Checks that every signal is bound and wide enough; throws
  /// std::invalid_argument.
  static UnitPort Finalize(UnitPort port);
};

/// One instruction for the unit's queue.
struct UnitInstr {
  /// The encoded instruction.
  isa::Word word{};
  /// Stream index shown on pc_i.
  uint32_t pc = 0;
  /// Signal bits the bench expects it to give: its signal_mask unless it is
  /// to fail (then 0).
  uint32_t expect_signal = 0;

  /// An instruction expected to complete (it gives its signal_mask).
  static UnitInstr Of(const isa::Word& word, uint32_t pc) {
    return UnitInstr{word, pc, isa::DepsOf(word).signal};
  }
};

/// An instruction the unit took.
struct TakenInstr {
  size_t index = 0;    ///< position in program order (pushes since construction)
  uint32_t pc = 0;     ///< its pc
  uint32_t wait = 0;   ///< its wait bits (the tokens taken with it)
  uint64_t cycle = 0;  ///< the cycle it was taken
};

/// A token the unit gave.
struct GivenToken {
  int bit = 0;         ///< signal bit
  size_t index = 0;    ///< the instruction it belongs to (program order)
  uint32_t pc = 0;     ///< that instruction's pc
  uint64_t cycle = 0;  ///< the cycle tok_give_o was high
};

/// One pulse of err_o.
struct ErrorReport {
  uint32_t cause = 0;  ///< err_cause_o (ERR_CAUSE bits)
  uint32_t addr = 0;   ///< err_addr_o
  uint32_t pc = 0;     ///< err_pc_o
  uint64_t cycle = 0;  ///< the cycle err_o was high
};

/// How tokens arrive in the unit's incoming queues.
enum class TokenSupply {
  /// Each cycle, each queue that still owes tokens to the instructions
  /// pushed and holds fewer than `max_tokens` gets one with probability
  /// `token_prob`.
  kRandom,
  /// A token arrives 0..max_token_delay cycles after the presented head
  /// starts waiting for it.
  kOnDemand,
  /// Only AddTokens() supplies tokens.
  kManual,
};

/// Randomisation and behaviour of a UnitDriver.
struct UnitDriverConfig {
  /// The unit (selects its queues in isa::kInQueue / isa::kOutQueue).
  isa::Unit unit = isa::Unit::kLoad;
  /// Seed of the driver's random choices.
  uint64_t seed = 1;
  /// Probability that an instruction reaches the queue head late ...
  double gap_prob = 0.25;
  /// ... by 1..max_gap cycles.
  int max_gap = 8;
  /// Probability per cycle that a head not yet taken is hidden (instr_valid_i
  /// low): a stress beyond what a FIFO does.
  double withdraw_prob = 0;
  /// Token arrival (see TokenSupply).
  TokenSupply tokens = TokenSupply::kRandom;
  /// kRandom: arrival probability per cycle and queue.
  double token_prob = 0.2;
  /// kRandom: a queue holds at most this many tokens (the producer runs at
  /// most that far ahead); 0 means no limit.
  int max_tokens = 0;
  /// kOnDemand: largest delay of an arrival.
  int max_token_delay = 6;
  /// The unit halts on an error or on abort_i until clear_i (every unit,
  /// through npu_unit_stop): it then takes no instruction, gives no token
  /// and reports no second error.
  bool halts = true;
  /// Instructions taken before the failing one may still complete and give
  /// their tokens after the error report (compute: it finds the error as it
  /// takes the instruction, while earlier ones are still in the array).
  bool drains_on_error = false;
};

/// Cycles in which the counter events were high (since construction).
struct UnitCounters {
  uint64_t cycles = 0;      ///< cycles sampled
  uint64_t busy = 0;        ///< busy_o
  uint64_t stall_dep = 0;   ///< stall_dep_o
  uint64_t stall_unit = 0;  ///< the unit's own stall event
};

/// Drives the queue, the token inputs, clear_i and abort_i of one unit and
/// checks and logs what it does with them. Start Run() once after reset;
/// every other coroutine of the bench leaves these inputs alone.
///
/// Checks (a failure throws npu::sim::TestFailure from Run(), which fails the
/// test): the instruction is taken only with instr_valid_i; tok_take_o equals
/// the head's wait bits in the cycle the head is taken and is 0 otherwise;
/// every bit taken names a queue holding a token; every bit of tok_give_o is
/// a signal bit of the unit and matches, in program order per bit, an
/// instruction taken in an earlier cycle that expects it; busy_o is !idle_o;
/// stall_dep_o only while the presented head lacks a token; idle_o only when
/// every instruction taken before this cycle gave its signals (unless the
/// unit halted or was aborted since the last Clear()); with
/// `halts`, nothing is taken or given from the cycle of an error report or
/// abort_i until clear_i, and no error is reported either (except one found
/// in the cycle of abort_i, reported in the next).
class UnitDriver {
 public:
  /// A driver of the unit on `port`, clocked by `clk`.
  UnitDriver(const UnitPort& port, sim::Clock& clk, const UnitDriverConfig& config);

  /// Sets every input of the interface to 0 (before the reset).
  void ZeroInputs();
  /// Coroutine: forever { ReadOnly; Sample; RisingEdge; Drive }.
  sim::Task<> Run();

  // ---- the queue ----------------------------------------------------------

  /// Appends `instr` to the queue; returns its index in program order.
  size_t Push(const UnitInstr& instr);
  /// Appends an instruction expected to complete; returns its index.
  size_t Push(const isa::Word& word, uint32_t pc) { return Push(UnitInstr::Of(word, pc)); }
  /// Pushes `program` and waits until the unit took all of it or halted.
  sim::Task<> Feed(std::vector<UnitInstr> program);
  /// Waits until the queue is empty or the unit halted.
  sim::Task<> WaitTaken();
  /// Waits until the queue is empty (or the unit halted) and idle_o was high
  /// in `cycles` consecutive cycles after the last instruction was taken.
  sim::Task<> WaitIdle(int cycles = 2);

  // ---- control --------------------------------------------------------------

  /// Raises abort_i for one cycle from the next rising edge; returns after it.
  sim::Task<> Abort();
  /// Raises clear_i for one cycle from the next rising edge; the queue, the
  /// token counters and the signals still expected are dropped and the halt
  /// ends. Returns after that cycle.
  sim::Task<> Clear();

  // ---- tokens ---------------------------------------------------------------

  /// Adds `n` tokens to the queue of wait bit `bit` (from the next cycle).
  void AddTokens(int bit, int n = 1);
  /// Tokens held for wait bit `bit`.
  int Tokens(int bit) const { return count_[bit]; }
  /// Changes how tokens arrive (`prob` and `max_tokens` as in the config).
  void SetTokenSupply(TokenSupply supply, double prob, int max_tokens = 0);
  /// Changes the largest delay of an arrival on demand.
  void SetTokenDelay(int max_token_delay);
  /// Changes the gaps before instructions reach the queue head.
  void SetGaps(double gap_prob, int max_gap);

  // ---- what happened ----------------------------------------------------------

  /// Instructions pushed so far.
  size_t pushed() const { return pushed_; }
  /// Instructions pushed and neither taken nor dropped by Clear().
  size_t pending() const { return queue_.size(); }
  /// The instructions taken, in order.
  const std::vector<TakenInstr>& taken() const { return taken_; }
  /// The tokens given, in order.
  const std::vector<GivenToken>& given() const { return given_; }
  /// The error reports, in order.
  const std::vector<ErrorReport>& errors() const { return errors_; }
  /// True from an error report or abort_i of a halting unit until clear_i.
  bool halted() const { return halted_; }
  /// Cycle of the last abort_i (0 if none).
  uint64_t abort_cycle() const { return abort_cycle_; }
  /// Cycle of the last clear_i (0 if none).
  uint64_t clear_cycle() const { return clear_cycle_; }
  /// The counter events.
  const UnitCounters& counters() const { return counters_; }
  /// The current cycle (rising edges of the clock so far).
  uint64_t cycle() const;
  /// The configuration.
  const UnitDriverConfig& config() const { return config_; }

  /// Checks that every instruction with index < `end` that was taken and
  /// expects signals gave all of them (NPU_CHECK).
  void CheckSignalsGiven(size_t end) const;
  /// The same for every instruction taken.
  void CheckSignalsGiven() const { CheckSignalsGiven(pushed_); }

 private:
  struct Expected {
    size_t index;
    uint32_t pc;
    uint64_t take_cycle;
  };

  void Sample();
  void Drive();
  bool Chance(double p);
  void ScheduleHead(uint64_t from_cycle);
  void DropExpectations();

  UnitPort port_;
  sim::Clock& clk_;
  UnitDriverConfig config_;
  std::mt19937_64 rng_;
  uint32_t wait_bits_;    // wait bits with a queue
  uint32_t signal_bits_;  // signal bits with a queue

  struct Queued {
    UnitInstr instr;
    size_t index;
  };
  std::deque<Queued> queue_;
  size_t pushed_ = 0;
  uint64_t head_from_ = 0;  // cycle from which the head may be presented
  bool presented_ = false;  // instr_valid_i driven high this cycle

  std::array<int, isa::kDepBits> count_{};       // tokens held per wait bit
  std::array<int, isa::kDepBits> owed_{};        // kRandom: tokens still to arrive
  std::array<int64_t, isa::kDepBits> due_at_{};  // kOnDemand: arrival cycle, -1 if none

  std::array<std::deque<Expected>, isa::kDepBits> expect_;  // per signal bit
  std::vector<TakenInstr> taken_;
  std::vector<GivenToken> given_;
  std::vector<ErrorReport> errors_;

  bool clear_req_ = false, abort_req_ = false;
  uint64_t clears_ = 0, aborts_ = 0;
  bool halted_ = false;
  uint32_t error_pc_ = 0;  // pc of the error that halted the unit
  bool error_since_clear_ = false;
  bool idle_check_ = true;  // idle implies no signal owed
  uint64_t abort_cycle_ = 0, clear_cycle_ = 0;
  int idle_streak_ = 0;
  UnitCounters counters_;
};

}  // namespace npu::block

/// UnitPort view of the instruction-unit interface of a verilated model:
/// clear_i, abort_i, instr_valid_i, instr_ready_o, instr_i, pc_i,
/// tok_avail_i, tok_take_o, tok_give_o, idle_o, err_o, err_cause_o,
/// err_addr_o, err_pc_o, busy_o, stall_dep_o and the unit's own stall event
/// `stall` (stall_mem_o, stall_hazard_o): `NPU_UNIT_PORT(*dut, stall_mem_o)`.
#define NPU_UNIT_PORT(model, stall)                                                               \
  ::npu::block::UnitPort::Finalize(::npu::block::UnitPort{                                        \
      NPU_SIGNAL(model, clear_i), NPU_SIGNAL(model, abort_i), NPU_SIGNAL(model, instr_valid_i),   \
      NPU_SIGNAL(model, instr_ready_o), NPU_SIGNAL(model, instr_i), NPU_SIGNAL(model, pc_i),      \
      NPU_SIGNAL(model, tok_avail_i), NPU_SIGNAL(model, tok_take_o),                              \
      NPU_SIGNAL(model, tok_give_o), NPU_SIGNAL(model, idle_o), NPU_SIGNAL(model, err_o),         \
      NPU_SIGNAL(model, err_cause_o), NPU_SIGNAL(model, err_addr_o), NPU_SIGNAL(model, err_pc_o), \
      NPU_SIGNAL(model, busy_o), NPU_SIGNAL(model, stall_dep_o), NPU_SIGNAL(model, stall)})
