/// @file
/// The runtime API that every backend implements: the instruction-level
/// simulator, the verilated RTL and the FPGA board.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "sw/gen/npu_configs.h"
#include "sw/runtime/memory.h"

namespace npu::runtime {

/// How a run ended. Mirrors the ERR_CAUSE, ERR_PC and ERR_ADDR registers
/// (docs/gen/regs.md).
struct RunStatus {
  /// True when the stream completed without error.
  bool ok = true;
  /// ERR_CAUSE bits (npu::regs::kErrCause*Mask): illegal_instr, addr_range,
  /// axi_resp, watchdog, queue_overflow.
  uint32_t err_cause = 0;
  /// Index from the stream start of the instruction that caused the error.
  uint32_t err_pc = 0;
  /// Memory address involved in an addr_range or axi_resp error, else 0.
  uint32_t err_addr = 0;

  /// One line: "ok", or e.g. "addr_range at pc 3, address 0x10000400".
  std::string Describe() const;

  bool operator==(const RunStatus&) const = default;
};

/// What a run did.
struct RunStats {
  uint64_t cycles = 0;         ///< Clock cycles (0 where a backend does not model time).
  uint64_t macs = 0;           ///< int8 multiply-accumulates (DIM*DIM per streamed row).
  uint64_t instructions = 0;   ///< Instructions executed.
  uint64_t bytes_read = 0;     ///< Bytes read from memory (instructions and data).
  uint64_t bytes_written = 0;  ///< Bytes written to memory.
  /// Hardware performance counters where a backend has them, keyed by the
  /// register name of docs/gen/regs.md without the `cnt_` prefix and the
  /// `_lo`/`_hi` suffix (e.g. "load_stall_dep", "cycles", "macs").
  std::map<std::string, uint64_t> counters;
};

/// One register write of a host's driver sequence.
struct RegWrite {
  uint32_t offset = 0;  ///< register offset (docs/gen/regs.md)
  uint32_t value = 0;   ///< value written
};

/// The register writes, in order, with which a host queues a stream: the
/// permitted window, both interrupt enables, the stream's address and
/// length, the doorbell. Shared by the RTL harness and the fpga backend.
std::array<RegWrite, 6> StreamStartWrites(uint32_t win_base, uint32_t win_size, uint32_t addr,
                                          uint32_t num_instr);

/// Fills the summary fields of @p stats (cycles, macs, instructions, bytes
/// read and written) from its hardware counters, as the RTL and FPGA
/// backends read them. @throws std::out_of_range if one is missing.
void StatsFromCounters(RunStats& stats);

/// Status and statistics of one run.
struct RunResult {
  RunStatus status;  ///< How the run ended.
  RunStats stats;    ///< What it did.
};

/// Names of the set bits of an ERR_CAUSE value joined by '|', e.g.
/// "illegal_instr|watchdog"; unknown bits appear as "bit<N>", 0 as "none".
std::string ErrCauseNames(uint32_t err_cause);

/// One instruction stream: its first instruction and length.
struct StreamRef {
  uint32_t addr = 0;       ///< Address of instruction 0.
  uint32_t num_instr = 0;  ///< Instructions.
};

/// An NPU that executes instruction streams against a DeviceMemory.
class Backend {
 public:
  virtual ~Backend();

  /// Short backend name, e.g. "iss".
  virtual std::string Name() const = 0;
  /// The hardware configuration this backend models.
  virtual const HwConfig& Config() const = 0;

  /// Executes @p num_instr instructions at @p stream_addr; the permitted
  /// window (WIN_BASE, WIN_SIZE) is the whole DeviceMemory. Never throws for
  /// program errors: they come back in RunStatus.
  virtual RunResult Run(DeviceMemory& mem, uint32_t stream_addr, uint32_t num_instr) = 0;

  /// Executes @p streams one after the other against the same memory, as
  /// a host does that keeps the device's memory in place between them, and
  /// returns one result per stream that ran: it stops after the first
  /// stream that ends in an error. @p after_each (if set) is called after
  /// every stream with its index and result. The default runs each through
  /// Run(); a backend whose memory lives elsewhere (the RTL's bus model, a
  /// board) overrides it to move the memory only once.
  virtual std::vector<RunResult> RunStreams(
      DeviceMemory& mem, std::span<const StreamRef> streams,
      const std::function<void(size_t, const RunResult&)>& after_each = {});

  /// Inside RunStreams' @p after_each: brings [addr, addr + bytes) of
  /// @p mem up to date with the device's memory, so that a caller can look
  /// at a layer's output between streams. The default does nothing (the
  /// backend works on @p mem itself).
  virtual void Sync(DeviceMemory& mem, uint32_t addr, size_t bytes);
};

}  // namespace npu::runtime
