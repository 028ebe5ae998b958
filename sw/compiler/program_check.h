/// @file
/// Static checks of an instruction stream: dependency-token balance and
/// scratchpad/accumulator hazards under concurrent execution of the four
/// units (load, compute, window, store). The compiler runs both on every
/// program it emits.
#pragma once

#include <span>

#include "sw/gen/npu_configs.h"
#include "sw/gen/npu_isa.h"

namespace npu::compiler {

/// Executes the token flags in program order: every wait must find a token
/// given by an earlier instruction (so the stream cannot deadlock, whatever
/// the queue depths), no flag may name a missing neighbour, and every token
/// given must be taken by the end (a balanced program leaves all four
/// counters at zero).
/// @throws std::logic_error naming the instruction index on any violation.
void CheckTokens(std::span<const isa::Word> program);

/// Checks that every pair of conflicting accesses (same scratchpad or
/// accumulator row, different units, at least one write) is ordered by
/// the dependency tokens, assuming each unit runs its instructions in order
/// and the units otherwise run concurrently. Also checks that every row
/// accessed lies inside its memory of @p hw.
///
/// Accesses modelled: load writes nc planes of ny * nx rows of its
/// scratchpad; compute reads nk chunks of m A rows and nk * DIM B rows and
/// writes (with accumulate also reads) m accumulator rows; window reads the
/// whole ih * iw tile of each of its nc planes from A (and, in mode dw, the
/// plane's kh * kw B rows) and writes oh * ow accumulator rows per plane (one
/// in mode sum, none for the last plane with carry_out); store reads its
/// `requant` block, with add its `add` block, from P and ny * nx accumulator
/// rows. A window whose outputs do not fit its tile, or whose tile is wider
/// than the line buffers, is rejected too.
/// @throws std::logic_error naming the instruction index and the row.
void CheckHazards(std::span<const isa::Word> program, const HwConfig& hw);

}  // namespace npu::compiler
