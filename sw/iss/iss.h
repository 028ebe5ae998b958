/// @file
/// Instruction-level simulator: the bit-exact functional model of the npu,
/// used as the fast golden executor and compared with the RTL bit for bit.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sw/gen/npu_configs.h"
#include "sw/gen/npu_isa.h"
#include "sw/runtime/backend.h"
#include "sw/runtime/memory.h"

namespace npu::iss {

/// The scratchpads (the `spad` field of `load`).
using isa::Spad;

/// The dependency-token counters, one per queue of the token graph
/// (isa::kQueues).
using Tokens = std::array<uint32_t, isa::kNumQueues>;

/// Receives the ISS's writes, in the order each unit performs them: the
/// testbench's per-instruction lock step with the RTL (tb/dut/lock_step.h)
/// compares them with the writes the RTL's units make.
class IssObserver {
 public:
  virtual ~IssObserver() = default;
  /// A unit starts the instruction at `pc` (its waits are met).
  virtual void Start(uint32_t pc, isa::Unit unit) = 0;
  /// The load at `pc` wrote a scratchpad row (after each source row of each
  /// plane, so rows a later plane overwrites are seen twice).
  virtual void SpadWrite(uint32_t pc, Spad spad, uint32_t row, std::span<const int8_t> data) = 0;
  /// The compute (after each K chunk) or window unit wrote an accumulator row.
  virtual void AccWrite(uint32_t pc, isa::Unit unit, uint32_t row,
                        std::span<const int32_t> data) = 0;
  /// The store at `pc` wrote memory (one write burst).
  virtual void MemWrite(uint32_t pc, uint32_t addr, std::span<const uint8_t> data) = 0;
};

/// Instruction-level simulator of one hardware configuration.
///
/// State that persists across Run() calls like the hardware's: scratchpads
/// A, B, P, the accumulator memory, the token counters, and the halted flag
/// with the error registers (cleared only by Reset(), the soft reset).
///
/// Execution model (the hardware's decoupled units): instructions are
/// fetched in order and dispatched into one queue per unit of depth
/// HwConfig::queue; fetch stalls while the target queue is full. A unit may
/// start its head instruction when every queue its `wait_mask` names holds a
/// token (it takes one from each); the instruction then executes atomically
/// and afterwards gives one token to each queue its `signal_mask` names. Among the
/// units that can start, the one whose head has the lowest pc runs; then
/// fetch refills. The stream completes when every instruction has been
/// fetched and executed. If instructions remain and no unit can start, the
/// hardware would hang: the run ends with `watchdog` and err_pc = the lowest
/// pc among the blocked queue heads.
///
/// Fetch (as npu_fetch) reads the stream in bursts of up to arch::kFetchBurst
/// instructions that end at multiples of that many instructions, up to
/// arch::kFetchStaging instructions ahead of dispatch (a burst is read when
/// the whole burst fits in that buffer), and checks
/// each instruction when it reaches the head of the buffer, before it waits
/// for queue space. The first fault ends the run (errors are sticky; the
/// queues are dropped):
/// - stream address not 32-byte aligned: addr_range, pc 0, addr = stream address;
/// - fetch burst not inside the memory: addr_range, pc = first instruction of
///   the burst, addr = burst start;
/// - fetch burst touching an injected bus error: axi_resp, pc and addr of the
///   first instruction of the burst that overlaps the error range;
/// - an opcode that names no instruction, or a dependency bit towards a queue
///   the unit does not have (isa::LegalWaitMask/LegalSignalMask): illegal_instr.
///
/// When a unit starts an instruction it checks, in this order (any zero count
/// makes the instruction a no-op that only moves tokens; the checks after
/// the first bullet apply only to instructions that are not no-ops):
/// - load spad not a scratchpad, sy == 0, sx == 0; store act_min > act_max;
///   window (not mode sum) kh, kw, sy or sx == 0 or > window_k: illegal_instr;
/// - window (not sum): iw > window_cols, (oh - 1) * sy + kh > ih or
///   (ow - 1) * sx + kw > iw: illegal_instr;
/// - a scratchpad or accumulator row out of range (store: the `requant`
///   block at p_row, with add the `add` block at add_p_row; window: the A
///   tiles, the accumulator rows, with dw the B taps): illegal_instr;
/// - load src_addr, src_c_stride, src_row_stride, or store dst_addr,
///   dst_row_stride, with add res_addr, res_row_stride not a multiple of
///   DIM: addr_range, addr = the value of the first such field in that order;
/// - store: a lane of a checked parameter field outside its range
///   (isa::param::Field min/max: the shifts), with add a lane whose act_min >
///   act_max: illegal_instr;
/// - then per burst, in order: a burst not inside the memory: addr_range,
///   addr = burst start; a read burst touching an injected bus-error range:
///   axi_resp, addr = the first beat of the burst that overlaps it (read
///   responses come per beat); a store burst touching one: axi_resp, addr =
///   burst start, and the burst writes nothing (one write response per burst).
/// Bursts are formed as the hardware forms them: a load's in-bounds columns
/// of one plane and window row form one run; with sx == 1 the run is
/// contiguous beats split into INCR bursts of at most 256 beats that do not
/// cross 4 KiB; with sx > 1 every beat is its own burst. A store writes nx
/// contiguous beats per output row, split the same way; with add it first
/// reads that row's residual beats in bursts of at most arch::kResBurst
/// beats (not across 4 KiB). Data addresses are computed without wrapping: a
/// burst reaching 2^32 or beyond is outside the memory (reported by the low
/// 32 bits of its start).
///
/// The window unit keeps the running sum of mode sum across instructions
/// (carry_out / carry_in); Reset() clears it, as the soft reset does.
///
/// Memory contents after an error are those of this sequential order; in the
/// hardware, instructions running concurrently with the faulting one may have
/// progressed differently.
///
/// Statistics: instructions executed, MACs (m * nk * DIM * DIM per compute,
/// oh * ow * kh * kw * DIM per plane of a dw window), bytes read (instruction
/// bursts fetched, load beats read (padding rows read nothing) and residual
/// beats) and bytes written. Cycles are not modelled (always 0) and
/// no hardware counters are reported.
class Iss : public runtime::Backend {
 public:
  /// A simulator of @p config with zeroed memories and tokens.
  /// @throws std::invalid_argument if dim is 0, does not divide 4096, or a
  /// depth or the queue depth is 0.
  explicit Iss(const HwConfig& config);

  /// "iss".
  std::string Name() const override;
  /// The configuration given to the constructor.
  const HwConfig& Config() const override { return config_; }
  /// Executes a stream; see the class comment. While halted by an earlier
  /// error, executes nothing and returns that error again.
  runtime::RunResult Run(runtime::DeviceMemory& mem, uint32_t stream_addr,
                         uint32_t num_instr) override;

  /// Soft reset: clears the tokens, the window unit's kept sum, the error and
  /// the halted state. Memory contents are kept (the hardware's RAMs are not
  /// reset either).
  void Reset();
  /// Whether an error has stopped the simulator (until Reset()).
  bool Halted() const { return !status_.ok; }

  /// From now on, every burst whose bytes overlap [lo, hi) fails with
  /// axi_resp (as the testbench's memory model does with AddError).
  void AddBusError(uint32_t lo, uint32_t hi);
  /// Removes every injected bus-error range.
  void ClearBusErrors() { bus_errors_.clear(); }

  /// Reports every write to @p observer from now on (nullptr: to nobody).
  /// The observer must outlive the runs it watches.
  void SetObserver(IssObserver* observer) { observer_ = observer; }

  /// Current token counters.
  const Tokens& GetTokens() const { return tokens_; }

  /// Backdoor view of one scratchpad row (DIM bytes).
  /// @throws std::out_of_range if @p row is not below the depth.
  std::span<int8_t> SpadRow(Spad spad, uint32_t row);
  std::span<const int8_t> SpadRow(Spad spad, uint32_t row) const;
  /// Backdoor view of one accumulator row (DIM int32 lanes).
  /// @throws std::out_of_range if @p row is not below the depth.
  std::span<int32_t> AccRow(uint32_t row);
  std::span<const int32_t> AccRow(uint32_t row) const;

 private:
  /// A fault: ERR_CAUSE bit and the address involved.
  struct Fault {
    uint32_t cause;
    uint32_t addr;
  };
  using MaybeFault = std::optional<Fault>;

  /// Per-run context shared by the executors.
  struct RunContext {
    runtime::DeviceMemory* mem;
    runtime::RunStats* stats;
    uint32_t pc = 0;  ///< the instruction executing
  };

  /// Checks the burst [addr, addr + bytes) (addr not wrapped to 32 bits)
  /// against the memory (addr_range, address = burst start) and the injected
  /// bus errors (axi_resp, address = start of the first @p grain-sized unit
  /// overlapping an error range; grain 0: the burst start).
  MaybeFault CheckBurst(const RunContext& ctx, uint64_t addr, uint64_t bytes, uint32_t grain) const;

  MaybeFault ExecLoad(const RunContext& ctx, const isa::LoadInstr& in);
  MaybeFault ExecCompute(const RunContext& ctx, const isa::ComputeInstr& in);
  MaybeFault ExecStore(const RunContext& ctx, const isa::StoreInstr& in);
  MaybeFault ExecWindow(const RunContext& ctx, const isa::WindowInstr& in);

  /// Base pointer and depth of a scratchpad.
  std::pair<int8_t*, uint32_t> SpadStorage(Spad spad);

  HwConfig config_;
  std::vector<int8_t> spad_a_, spad_b_, spad_p_;  // rows x dim
  std::vector<int32_t> acc_;                      // rows x dim
  std::vector<int32_t> carry_;                    // the window unit's kept sum (dim lanes)
  Tokens tokens_{};
  runtime::RunStatus status_;  // sticky error registers
  std::vector<std::pair<uint32_t, uint32_t>> bus_errors_;
  IssObserver* observer_ = nullptr;
};

}  // namespace npu::iss
