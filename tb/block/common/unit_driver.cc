#include "tb/block/common/unit_driver.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

#include "tb/sim/check.h"
#include "tb/sim/triggers.h"

namespace npu::block {
namespace {

void Require(const bus::SignalRef& ref, const char* name, int min_width) {
  if (!ref.IsBound()) {
    throw std::invalid_argument(std::string("UnitPort: signal ") + name + " is not bound");
  }
  if (ref.width() < min_width) {
    throw std::invalid_argument(std::string("UnitPort: signal ") + name + " is narrower than " +
                                std::to_string(min_width) + " bits");
  }
}

/// The instruction as bytes, word 0 first, little endian (instr_i's layout).
std::array<uint8_t, 4 * isa::kInstrWords> WordBytes(const isa::Word& word) {
  std::array<uint8_t, 4 * isa::kInstrWords> bytes{};
  for (int i = 0; i < 4 * isa::kInstrWords; ++i) {
    bytes[i] = static_cast<uint8_t>(word[i / 4] >> (8 * (i % 4)));
  }
  return bytes;
}

}  // namespace

UnitPort UnitPort::Finalize(UnitPort port) {
  const std::pair<const bus::SignalRef*, const char*> one_bit[] = {
      {&port.clear, "clear_i"},
      {&port.abort, "abort_i"},
      {&port.instr_valid, "instr_valid_i"},
      {&port.idle, "idle_o"},
      {&port.instr_ready, "instr_ready_o"},
      {&port.err, "err_o"},
      {&port.busy, "busy_o"},
      {&port.stall_dep, "stall_dep_o"},
      {&port.stall_unit, "stall"},
      {&port.err_cause, "err_cause_o"},
  };
  for (const auto& [ref, name] : one_bit) Require(*ref, name, 1);
  Require(port.instr, "instr_i", 32 * isa::kInstrWords);
  Require(port.pc, "pc_i", 32);
  Require(port.err_addr, "err_addr_o", 32);
  Require(port.err_pc, "err_pc_o", 32);
  Require(port.tok_avail, "tok_avail_i", isa::kDepBits);
  Require(port.tok_take, "tok_take_o", isa::kDepBits);
  Require(port.tok_give, "tok_give_o", isa::kDepBits);
  return port;
}

UnitDriver::UnitDriver(const UnitPort& port, sim::Clock& clk, const UnitDriverConfig& config)
    : port_(UnitPort::Finalize(port)),
      clk_(clk),
      config_(config),
      rng_(config.seed),
      wait_bits_(isa::LegalWaitMask(config.unit)),
      signal_bits_(isa::LegalSignalMask(config.unit)) {
  if (config_.max_gap < 1 || config_.max_token_delay < 0) {
    throw std::invalid_argument("UnitDriverConfig: max_gap < 1 or max_token_delay < 0");
  }
  due_at_.fill(-1);
}

uint64_t UnitDriver::cycle() const { return clk_.Cycles(); }

bool UnitDriver::Chance(double p) {
  if (p >= 1.0) return true;
  if (p <= 0.0) return false;
  return static_cast<double>(rng_() >> 11) * 0x1.0p-53 < p;
}

void UnitDriver::ZeroInputs() {
  port_.clear.Set(0);
  port_.abort.Set(0);
  port_.instr_valid.Set(0);
  port_.instr.SetBytes(WordBytes(isa::Word{}));
  port_.pc.Set(0);
  port_.tok_avail.Set(0);
}

sim::Task<> UnitDriver::Run() {
  for (;;) {
    co_await sim::ReadOnly();
    Sample();
    co_await sim::RisingEdge(clk_);
    Drive();
  }
}

void UnitDriver::ScheduleHead(uint64_t from_cycle) {
  head_from_ = from_cycle;
  if (Chance(config_.gap_prob)) {
    head_from_ += 1 + rng_() % static_cast<uint64_t>(config_.max_gap);
  }
}

size_t UnitDriver::Push(const UnitInstr& instr) {
  if (queue_.empty()) ScheduleHead(std::max(head_from_, cycle() + 1));
  const isa::Deps deps = isa::DepsOf(instr.word);
  for (int b = 0; b < isa::kDepBits; ++b) {
    if ((deps.wait >> b) & 1) ++owed_[b];
  }
  queue_.push_back(Queued{instr, pushed_});
  idle_streak_ = 0;
  return pushed_++;
}

sim::Task<> UnitDriver::Feed(std::vector<UnitInstr> program) {
  for (const UnitInstr& instr : program) Push(instr);
  co_await WaitTaken();
}

sim::Task<> UnitDriver::WaitTaken() {
  while (!queue_.empty() && !halted_) co_await sim::RisingEdge(clk_);
}

sim::Task<> UnitDriver::WaitIdle(int cycles) {
  while (idle_streak_ < cycles) co_await sim::RisingEdge(clk_);
}

sim::Task<> UnitDriver::Abort() {
  const uint64_t before = aborts_;
  abort_req_ = true;
  while (aborts_ == before) co_await sim::RisingEdge(clk_);
  co_await sim::RisingEdge(clk_);
}

sim::Task<> UnitDriver::Clear() {
  const uint64_t before = clears_;
  clear_req_ = true;
  while (clears_ == before) co_await sim::RisingEdge(clk_);
  co_await sim::RisingEdge(clk_);
}

void UnitDriver::DropExpectations() {
  for (auto& e : expect_) e.clear();
}

void UnitDriver::AddTokens(int bit, int n) {
  if (bit < 0 || bit >= isa::kDepBits || !((wait_bits_ >> bit) & 1)) {
    throw std::invalid_argument("UnitDriver::AddTokens: wait bit " + std::to_string(bit) +
                                " names no queue of this unit");
  }
  count_[bit] += n;
}

void UnitDriver::SetTokenSupply(TokenSupply supply, double prob, int max_tokens) {
  config_.tokens = supply;
  config_.token_prob = prob;
  config_.max_tokens = max_tokens;
}

void UnitDriver::SetTokenDelay(int max_token_delay) {
  if (max_token_delay < 0) throw std::invalid_argument("UnitDriver::SetTokenDelay: negative");
  config_.max_token_delay = max_token_delay;
}

void UnitDriver::SetGaps(double gap_prob, int max_gap) {
  if (max_gap < 1) throw std::invalid_argument("UnitDriver::SetGaps: max_gap < 1");
  config_.gap_prob = gap_prob;
  config_.max_gap = max_gap;
}

void UnitDriver::CheckSignalsGiven(size_t end) const {
  for (int b = 0; b < isa::kDepBits; ++b) {
    for (const Expected& e : expect_[b]) {
      NPU_CHECK(e.index >= end) << "instruction " << e.index << " (pc " << e.pc
                                << ") never gave its token on signal bit " << b;
    }
  }
}

void UnitDriver::Drive() {
  const uint64_t now = cycle();
  port_.clear.Set(clear_req_ ? 1 : 0);
  if (clear_req_) {
    // A soft reset flushes the instruction queue and the token counters.
    queue_.clear();
    count_.fill(0);
    owed_.fill(0);
    due_at_.fill(-1);
    clear_req_ = false;
  }
  port_.abort.Set(abort_req_ ? 1 : 0);
  abort_req_ = false;

  presented_ = !queue_.empty() && now >= head_from_ && !Chance(config_.withdraw_prob);
  port_.instr_valid.Set(presented_ ? 1 : 0);
  if (presented_) {
    port_.instr.SetBytes(WordBytes(queue_.front().instr.word));
    port_.pc.Set(queue_.front().instr.pc);
  } else {
    // Nothing is presented: the head carries garbage the unit must ignore.
    isa::Word junk;
    for (auto& w : junk) w = static_cast<uint32_t>(rng_());
    port_.instr.SetBytes(WordBytes(junk));
    port_.pc.Set(static_cast<uint32_t>(rng_()));
  }
  uint32_t avail = 0;
  for (int b = 0; b < isa::kDepBits; ++b) {
    if (count_[b] > 0) avail |= uint32_t{1} << b;
  }
  port_.tok_avail.Set(avail);
}

void UnitDriver::Sample() {
  const uint64_t now = cycle();
  const bool idle = port_.idle.Get() != 0;
  const bool stall_dep = port_.stall_dep.Get() != 0;
  ++counters_.cycles;
  counters_.busy += port_.busy.Get() != 0;
  counters_.stall_dep += stall_dep;
  counters_.stall_unit += port_.stall_unit.Get() != 0;
  NPU_CHECK_EQ(port_.busy.Get() != 0, !idle) << "cycle " << now << ": busy_o is not !idle_o";

  // clear_i, abort_i and an error report decide what may happen this cycle.
  if (port_.clear.Get() != 0) {
    ++clears_;
    clear_cycle_ = now;
    halted_ = false;
    error_since_clear_ = false;
    idle_check_ = true;
    DropExpectations();
  }
  if (port_.abort.Get() != 0) {
    ++aborts_;
    abort_cycle_ = now;
    idle_check_ = false;
    if (config_.halts) halted_ = true;
  }
  if (port_.err.Get() != 0) {
    const ErrorReport report{static_cast<uint32_t>(port_.err_cause.Get()),
                             static_cast<uint32_t>(port_.err_addr.Get()),
                             static_cast<uint32_t>(port_.err_pc.Get()), now};
    if (config_.halts) {
      // An error found in the cycle of abort_i is still reported, the cycle
      // after it; after that a halted unit reports nothing.
      const bool abort_race = aborts_ > 0 && now == abort_cycle_ + 1;
      NPU_CHECK(!error_since_clear_ && (!halted_ || abort_race))
          << "cycle " << now << ": error report (cause " << report.cause << ", pc " << report.pc
          << ") from a halted unit";
      halted_ = true;
      error_since_clear_ = true;
      error_pc_ = report.pc;
      idle_check_ = false;
    }
    errors_.push_back(report);
  }

  // The queue head and the tokens taken with it.
  const bool valid = port_.instr_valid.Get() != 0;
  const bool ready = port_.instr_ready.Get() != 0;
  const uint32_t take_bits = static_cast<uint32_t>(port_.tok_take.Get());
  const uint32_t avail = static_cast<uint32_t>(port_.tok_avail.Get());
  NPU_CHECK_EQ(valid, presented_) << "cycle " << now << ": instr_valid_i driven by someone else";
  const isa::Deps head = valid ? isa::DepsOf(queue_.front().instr.word) : isa::Deps{};
  if (stall_dep) {
    NPU_CHECK(valid && (head.wait & ~avail) != 0)
        << "cycle " << now << ": stall_dep_o while no presented instruction lacks a token";
  }
  const bool take = valid && ready;
  if (take) {
    const Queued q = queue_.front();
    NPU_CHECK(!halted_) << "cycle " << now << ": instruction " << q.index << " (pc " << q.instr.pc
                        << ") taken by a halted unit";
    NPU_CHECK_EQ(take_bits, head.wait) << "cycle " << now << ": tok_take_o when instruction "
                                       << q.index << " (pc " << q.instr.pc << ") is taken";
    for (int b = 0; b < isa::kDepBits; ++b) {
      if (!((head.wait >> b) & 1)) continue;
      NPU_CHECK(count_[b] > 0) << "cycle " << now << ": instruction " << q.index << " (pc "
                               << q.instr.pc << ") taken without a token on wait bit " << b;
      --count_[b];
    }
    taken_.push_back(TakenInstr{q.index, q.instr.pc, head.wait, now});
    for (int b = 0; b < isa::kDepBits; ++b) {
      if ((q.instr.expect_signal >> b) & 1)
        expect_[b].push_back(Expected{q.index, q.instr.pc, now});
    }
    queue_.pop_front();
    if (!queue_.empty()) ScheduleHead(now + 1);
  } else {
    NPU_CHECK_EQ(take_bits, 0u) << "cycle " << now << ": tok_take_o without taking an instruction";
  }

  // Tokens given, matched per bit in program order.
  const uint32_t give = static_cast<uint32_t>(port_.tok_give.Get());
  NPU_CHECK_EQ(give & ~signal_bits_, 0u)
      << "cycle " << now << ": tok_give_o on a signal bit that names no queue";
  for (int b = 0; b < isa::kDepBits; ++b) {
    if (!((give >> b) & 1)) continue;
    NPU_CHECK(!expect_[b].empty()) << "cycle " << now << ": token given on bit " << b
                                   << " while no instruction taken expects one";
    const Expected e = expect_[b].front();
    NPU_CHECK(!halted_ || (config_.drains_on_error && error_since_clear_ && e.pc < error_pc_))
        << "cycle " << now << ": token given on bit " << b << " (pc " << e.pc
        << ") by a halted unit";
    NPU_CHECK(e.take_cycle < now) << "cycle " << now << ": instruction " << e.index
                                  << " gave its token on bit " << b << " in the cycle it was taken";
    expect_[b].pop_front();
    given_.push_back(GivenToken{b, e.index, e.pc, now});
  }

  // Idle means done: every instruction taken before gave its tokens.
  if (idle && idle_check_ && !halted_) {
    for (int b = 0; b < isa::kDepBits; ++b) {
      NPU_CHECK(expect_[b].empty() || expect_[b].front().take_cycle >= now)
          << "cycle " << now << ": idle_o while instruction " << expect_[b].front().index << " (pc "
          << expect_[b].front().pc << ") still owes its token on bit " << b;
    }
  }
  const bool drained = queue_.empty() || halted_;
  idle_streak_ = (idle && drained && !take) ? idle_streak_ + 1 : 0;

  // Token arrivals, visible from the next cycle.
  for (int b = 0; b < isa::kDepBits; ++b) {
    if (!((wait_bits_ >> b) & 1)) continue;
    switch (config_.tokens) {
      case TokenSupply::kRandom:
        if (owed_[b] > 0 && (config_.max_tokens <= 0 || count_[b] < config_.max_tokens) &&
            Chance(config_.token_prob)) {
          ++count_[b];
          --owed_[b];
        }
        break;
      case TokenSupply::kOnDemand:
        if (due_at_[b] < 0 && valid && !take && ((head.wait >> b) & 1) && count_[b] == 0) {
          due_at_[b] = static_cast<int64_t>(
              now + rng_() % static_cast<uint64_t>(config_.max_token_delay + 1));
        }
        if (due_at_[b] >= 0 && static_cast<int64_t>(now) >= due_at_[b]) {
          ++count_[b];
          due_at_[b] = -1;
        }
        break;
      case TokenSupply::kManual:
        break;
    }
  }
}

}  // namespace npu::block
