/// @file isa_coverage.h
/// @brief Functional coverage over the instruction fields of the streams a
/// testbench starts (make cov).
///
/// The bins come from the ISA tables generated from spec/isa.toml, so a new
/// field or enum value gets its bins without an edit here:
///  - every opcode, and "illegal" for any other;
///  - per instruction, each wait and signal bit, and no flag at all;
///  - per field: each named value of an enumerated field (and "unnamed" for
///    the others); for a number "0", "1", "max" (all ones) and "other", and
///    for a signed one "min", "-1", "0", "1", "max" and "other";
///  - crosses where the hardware branches on two fields at once: the window
///    mode against a 1x1, square and non-square kernel, and against
///    carry_in / carry_out; the store's fused add against its activation
///    range being the full int8 range or a clamp.
/// Every bin is written, hit or not, so a never-hit bin shows in the report.
#pragma once

#include <cstdint>
#include <span>

#include "sw/gen/npu_isa.h"

namespace npu::cov {

/// Counts the bins of `program`'s instructions in this process's total,
/// written to NPU_COV_DIR/isa-<program>-<pid>-<time>.tsv (bin, tab, count) at exit.
/// Does nothing without NPU_COV_DIR or in a build without NPU_COVERAGE.
void SampleIsa(std::span<const isa::Word> program);

}  // namespace npu::cov
