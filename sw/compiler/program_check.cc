#include "sw/compiler/program_check.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <string>
#include <vector>

#include "sw/isa/window_rules.h"

namespace npu::compiler {
namespace {

using isa::Unit;

constexpr int kUnits = isa::kNumUnits;

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

/// The queues an instruction of unit @p u at @p pc waits on (in) or signals
/// (out), from its dependency masks and the generated token graph.
std::vector<int> QueuesOf(int u, uint32_t mask, bool in, size_t pc) {
  std::vector<int> out;
  for (int i = 0; i < isa::kDepBits; ++i) {
    if (!(mask >> i & 1)) continue;
    const int q = in ? isa::kInQueue[u][i] : isa::kOutQueue[u][i];
    if (q < 0)
      Fail(pc, std::string(in ? "waits on" : "signals") + " a queue unit " +
                   std::string(isa::kUnitNames[u]) + " does not have");
    out.push_back(q);
  }
  return out;
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
  std::array<int64_t, isa::kNumQueues> count{};
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const int u = UnitIndex(program[pc], pc);
    const isa::Deps d = isa::DepsOf(program[pc]);
    for (int q : QueuesOf(u, d.wait, true, pc)) {
      if (count[q] == 0) {
        Fail(pc, std::string("waits for a ") + std::string(isa::kQueues[q].name) +
                     " token that no earlier instruction gives");
      }
      --count[q];
    }
    for (int q : QueuesOf(u, d.signal, false, pc)) ++count[q];
  }
  for (int q = 0; q < isa::kNumQueues; ++q) {
    if (count[q] != 0) {
      throw std::logic_error("unbalanced program: " + std::to_string(count[q]) + " " +
                             std::string(isa::kQueues[q].name) + " token(s) given but never taken");
    }
  }
}

void CheckHazards(std::span<const isa::Word> program, const HwConfig& hw) {
  CheckTokens(program);
  Memory spad_a{"A", std::vector<RowState>(hw.spad_a)};
  Memory spad_b{"B", std::vector<RowState>(hw.spad_b)};
  Memory spad_p{"P", std::vector<RowState>(hw.spad_p)};
  Memory acc{"accumulator", std::vector<RowState>(hw.acc)};
  std::array<std::deque<Clock>, isa::kNumQueues> tokens;
  std::array<Clock, kUnits> unit_clock{};  // start clock of each unit's latest instruction
  std::array<uint64_t, kUnits> issued{};

  for (size_t pc = 0; pc < program.size(); ++pc) {
    const isa::Word& w = program[pc];
    const int u = UnitIndex(w, pc);
    const isa::Deps d = isa::DepsOf(w);
    Clock clock = unit_clock[u];
    for (int q : QueuesOf(u, d.wait, true, pc)) {
      Join(clock, tokens[q].front());
      tokens[q].pop_front();
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
        Memory* mem = li.spad == isa::Spad::kA   ? &spad_a
                      : li.spad == isa::Spad::kB ? &spad_b
                      : li.spad == isa::Spad::kP ? &spad_p
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
        access(spad_p, si.p_row, isa::param::kRequantRows, false);
        if (si.add) access(spad_p, si.add_p_row, isa::param::kAddRows, false);
        access(acc, si.acc_row, n, false);
        break;
      }
      case Unit::kWindow: {
        const auto wi = isa::WindowInstr::Decode(w);
        const bool sum = wi.mode == isa::WindowMode::kSum;
        switch (isa::CheckWindowKernel(wi, hw.window_k)) {
          case isa::WindowKernelFault::kZero:
            Fail(pc, "window with a zero kernel or stride");
          case isa::WindowKernelFault::kAboveLimit:
            Fail(pc, "window kernel " + std::to_string(wi.kh) + "x" + std::to_string(wi.kw) +
                         " or stride " + std::to_string(wi.sy) + "x" + std::to_string(wi.sx) +
                         " above the window unit's " + std::to_string(hw.window_k) + " (" +
                         std::string(hw.name) + ")");
          case isa::WindowKernelFault::kNone:
            break;
        }
        if (isa::WindowIsNoOp(wi)) break;
        const uint64_t plane = static_cast<uint64_t>(wi.ih) * wi.iw;
        const uint64_t outputs = sum ? 1 : static_cast<uint64_t>(wi.oh) * wi.ow;
        if (!isa::WindowTileFits(wi, hw.window_cols)) {
          Fail(pc, "window of " + std::to_string(wi.oh) + "x" + std::to_string(wi.ow) +
                       " outputs does not fit its " + std::to_string(wi.ih) + "x" +
                       std::to_string(wi.iw) + " tile (or the tile is wider than " +
                       std::to_string(hw.window_cols) + " columns)");
        }
        for (uint32_t c = 0; c < wi.nc; ++c) {
          access(spad_a, wi.a_row + static_cast<uint64_t>(c) * wi.a_c_stride, plane, false);
          if (wi.mode == isa::WindowMode::kDw) {
            access(spad_b, wi.b_row + static_cast<uint64_t>(c) * wi.b_c_stride,
                   static_cast<uint64_t>(wi.kh) * wi.kw, false);
          }
          // A sum kept for the next instruction (carry_out) writes no row.
          if (sum && wi.carry_out && c + 1 == wi.nc) continue;
          access(acc, wi.acc_row + static_cast<uint64_t>(c) * wi.acc_c_stride, outputs, true);
        }
        break;
      }
    }

    // Tokens given on completion carry everything known complete then.
    Clock done = clock;
    done[u] = seq;
    for (int q : QueuesOf(u, d.signal, false, pc)) tokens[q].push_back(done);
  }
}

}  // namespace npu::compiler
