#include "sw/compiler/program_check.h"

#include <array>
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <string>
#include <vector>

namespace npu::compiler {
namespace {

using isa::Unit;

constexpr int kUnits = 3;

int UnitIndex(const isa::Word& w, size_t pc) {
  try {
    return static_cast<int>(isa::UnitOf(isa::OpcodeOf(w)));
  } catch (const std::invalid_argument& e) {
    throw std::logic_error("instruction " + std::to_string(pc) + ": " + e.what());
  }
}

[[noreturn]] void Fail(size_t pc, const std::string& what) {
  throw std::logic_error("instruction " + std::to_string(pc) + ": " + what);
}

/// Token queues: 0 load->compute, 1 compute->load, 2 compute->store,
/// 3 store->compute.
enum Queue { kLoadToCompute, kComputeToLoad, kComputeToStore, kStoreToCompute, kQueues };

constexpr const char* kQueueNames[kQueues] = {"load->compute", "compute->load", "compute->store",
                                              "store->compute"};

/// The queues an instruction of unit @p u waits on / signals, by flag.
struct UnitQueues {
  int wait_prev, wait_next, signal_prev, signal_next;  // -1 = no neighbour
};

UnitQueues QueuesOf(int u) {
  switch (static_cast<Unit>(u)) {
    case Unit::kLoad:
      return {-1, kComputeToLoad, -1, kLoadToCompute};
    case Unit::kCompute:
      return {kLoadToCompute, kStoreToCompute, kComputeToLoad, kComputeToStore};
    case Unit::kStore:
      return {kComputeToStore, -1, kStoreToCompute, -1};
  }
  return {-1, -1, -1, -1};
}

/// Number of instructions of each unit known to have completed.
using Clock = std::array<uint64_t, kUnits>;

void Join(Clock& a, const Clock& b) {
  for (int i = 0; i < kUnits; ++i) a[i] = std::max(a[i], b[i]);
}

/// Access history of one row.
struct RowState {
  int writer = -1;         ///< Unit of the last write, -1 if none.
  uint64_t write_seq = 0;  ///< That write's instruction count in its unit (1-based).
  Clock reads{};           ///< Per unit, latest read (1-based count) since the write.
};

struct Memory {
  const char* name;
  std::vector<RowState> rows;
};

}  // namespace

void CheckTokens(std::span<const isa::Word> program) {
  std::array<int64_t, kQueues> count{};
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const UnitQueues q = QueuesOf(UnitIndex(program[pc], pc));
    const isa::Deps d = isa::DepsOf(program[pc]);
    const std::array<std::pair<bool, int>, 2> waits = {
        {{d.wait_prev, q.wait_prev}, {d.wait_next, q.wait_next}}};
    for (const auto& [flag, queue] : waits) {
      if (!flag) continue;
      if (queue < 0) Fail(pc, "waits on a missing neighbour");
      if (count[queue] == 0) {
        Fail(pc, std::string("waits for a ") + kQueueNames[queue] +
                     " token that no earlier instruction gives");
      }
      --count[queue];
    }
    const std::array<std::pair<bool, int>, 2> signals = {
        {{d.signal_prev, q.signal_prev}, {d.signal_next, q.signal_next}}};
    for (const auto& [flag, queue] : signals) {
      if (!flag) continue;
      if (queue < 0) Fail(pc, "signals a missing neighbour");
      ++count[queue];
    }
  }
  for (int i = 0; i < kQueues; ++i) {
    if (count[i] != 0) {
      throw std::logic_error(std::string("unbalanced program: ") + std::to_string(count[i]) + " " +
                             kQueueNames[i] + " token(s) given but never taken");
    }
  }
}

void CheckHazards(std::span<const isa::Word> program, const HwConfig& hw) {
  CheckTokens(program);
  Memory spad_a{"A", std::vector<RowState>(hw.spad_a)};
  Memory spad_b{"B", std::vector<RowState>(hw.spad_b)};
  Memory spad_p{"P", std::vector<RowState>(hw.spad_p)};
  Memory acc{"accumulator", std::vector<RowState>(hw.acc)};
  std::array<std::deque<Clock>, kQueues> tokens;
  std::array<Clock, kUnits> unit_clock{};  // start clock of each unit's latest instruction
  std::array<uint64_t, kUnits> issued{};

  for (size_t pc = 0; pc < program.size(); ++pc) {
    const isa::Word& w = program[pc];
    const int u = UnitIndex(w, pc);
    const UnitQueues q = QueuesOf(u);
    const isa::Deps d = isa::DepsOf(w);
    Clock clock = unit_clock[u];
    if (d.wait_prev) {
      Join(clock, tokens[q.wait_prev].front());
      tokens[q.wait_prev].pop_front();
    }
    if (d.wait_next) {
      Join(clock, tokens[q.wait_next].front());
      tokens[q.wait_next].pop_front();
    }
    unit_clock[u] = clock;
    const uint64_t seq = ++issued[u];

    auto access = [&](Memory& mem, uint64_t first, uint64_t n, bool write) {
      if (first + n > mem.rows.size()) {
        Fail(pc, std::string("rows [") + std::to_string(first) + ", " + std::to_string(first + n) +
                     ") outside " + mem.name + " (" + std::to_string(mem.rows.size()) + " rows)");
      }
      for (uint64_t r = first; r < first + n; ++r) {
        RowState& s = mem.rows[r];
        if (s.writer >= 0 && s.writer != u && clock[s.writer] < s.write_seq) {
          Fail(pc, std::string(write ? "writes" : "reads") + " " + mem.name + " row " +
                       std::to_string(r) + " not ordered after its last write");
        }
        if (write) {
          for (int v = 0; v < kUnits; ++v) {
            if (v != u && s.reads[v] > clock[v]) {
              Fail(pc, std::string("writes ") + mem.name + " row " + std::to_string(r) +
                           " not ordered after an earlier read");
            }
          }
          s.writer = u;
          s.write_seq = seq;
          s.reads = Clock{};
        } else {
          s.reads[u] = seq;
        }
      }
    };

    switch (static_cast<Unit>(u)) {
      case Unit::kLoad: {
        const auto li = isa::LoadInstr::Decode(w);
        Memory* mem = li.spad == 0   ? &spad_a
                      : li.spad == 1 ? &spad_b
                      : li.spad == 2 ? &spad_p
                                     : nullptr;
        if (mem == nullptr) Fail(pc, "load to scratchpad 3");
        const uint64_t plane = static_cast<uint64_t>(li.ny) * li.nx;
        if (plane == 0) break;
        for (uint32_t c = 0; c < li.nc; ++c) {
          access(*mem, li.dst_row + static_cast<uint64_t>(c) * li.dst_c_stride, plane, true);
        }
        break;
      }
      case Unit::kCompute: {
        const auto ci = isa::ComputeInstr::Decode(w);
        if (ci.m == 0 || ci.nk == 0) break;
        for (uint32_t k = 0; k < ci.nk; ++k) {
          access(spad_a, ci.a_row + static_cast<uint64_t>(k) * ci.a_k_stride, ci.m, false);
        }
        access(spad_b, ci.b_row, static_cast<uint64_t>(ci.nk) * hw.dim, false);
        if (ci.accumulate) access(acc, ci.acc_row, ci.m, false);
        access(acc, ci.acc_row, ci.m, true);
        break;
      }
      case Unit::kStore: {
        const auto si = isa::StoreInstr::Decode(w);
        const uint64_t n = static_cast<uint64_t>(si.ny) * si.nx;
        if (n == 0) break;
        access(spad_p, si.p_row, 9, false);
        access(acc, si.acc_row, n, false);
        break;
      }
    }

    // Tokens given on completion carry everything known complete then.
    Clock done = clock;
    done[u] = seq;
    if (d.signal_prev) tokens[q.signal_prev].push_back(done);
    if (d.signal_next) tokens[q.signal_next].push_back(done);
  }
}

}  // namespace npu::compiler
