/// @file lock_step.h
/// @brief Per-instruction lock step of the RTL with the ISS.
///
/// The ISS runs a stream first with a LockStep as its observer
/// (iss::Iss::SetObserver), which records every write each unit makes: the
/// load unit's scratchpad rows, the compute unit's accumulator rows after
/// each K chunk, the window unit's accumulator rows, the store unit's memory
/// beats, and the order in which each unit starts its instructions. Then the
/// RTL runs the same stream with Watch() sampling the core's probes
/// (CoreProbes) and the AXI write channels every cycle: each write the RTL
/// makes must be the next one the ISS made to that row or beat by that unit,
/// and each instruction a unit takes the next one the ISS started on it. The
/// first departure names the cycle, the unit, the row or address and the
/// ISS's instruction (pc, disassembled); at the end every recorded write
/// must have happened.
///
/// Writes are compared per (unit, row or beat address) rather than in one
/// global order: the RTL's units run concurrently, but each unit writes each
/// row in program order, and a race-free program (tokens order every
/// producer and consumer) makes every value deterministic. Only streams the
/// ISS completes are compared: after an error the RTL's other units may have
/// run instructions the ISS never started.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "sw/gen/npu_configs.h"
#include "sw/gen/npu_isa.h"
#include "sw/iss/iss.h"
#include "tb/sim/sim.h"

namespace npu::dut {

class NpuHarness;

class LockStep final : public iss::IssObserver {
 public:
  /// @p program is the stream (for the disassembly in messages); the
  /// configuration gives the row and beat widths.
  LockStep(const HwConfig& config, std::span<const isa::Word> program);

  // iss::IssObserver: records the reference run.
  void Start(uint32_t pc, isa::Unit unit) override;
  void SpadWrite(uint32_t pc, iss::Spad spad, uint32_t row, std::span<const int8_t> data) override;
  void AccWrite(uint32_t pc, isa::Unit unit, uint32_t row, std::span<const int32_t> data) override;
  void MemWrite(uint32_t pc, uint32_t addr, std::span<const uint8_t> data) override;

  /// Samples the RTL every cycle until the kernel stops (start it with
  /// Kernel().StartSoon at the beginning of the run). Records the first
  /// departure and then stops comparing.
  sim::Task<> Watch(NpuHarness& h);

  /// Empty if the RTL matched the ISS write for write; otherwise the first
  /// departure. With @p complete (both runs completed), a write the ISS made
  /// and the RTL never did is a departure too.
  std::string Verdict(bool complete) const;

  /// Writes and instruction starts the RTL matched so far.
  uint64_t Matched() const { return matched_; }

 private:
  // What a key names: a scratchpad row (A, B, P), an accumulator row written
  // by the compute or the window unit, a memory beat, a unit's starts.
  enum class Kind { kSpadA, kSpadB, kSpadP, kAccCompute, kAccWindow, kMem, kStart };
  struct Key {
    Kind kind;
    uint32_t index;  // row, beat address, or unit
    auto operator<=>(const Key&) const = default;
  };
  struct Expect {
    uint32_t pc;
    std::vector<uint8_t> bytes;  // the row's or beat's bytes (a start: empty)
    std::vector<uint8_t> mask;   // memory: 1 for each byte written
  };

  void Push(Key key, uint32_t pc, std::vector<uint8_t> bytes, std::vector<uint8_t> mask = {});
  // Compares one RTL event with the next expected one of its key.
  void Check(Key key, std::span<const uint8_t> bytes, std::span<const uint8_t> mask,
             uint64_t cycle);
  std::string Where(Key key) const;
  std::string Instr(uint32_t pc) const;

  uint32_t dim_;
  std::vector<isa::Word> program_;
  std::map<Key, std::deque<Expect>> expect_;
  std::string departure_;
  uint64_t matched_ = 0;
};

}  // namespace npu::dut
