// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Types shared by the stages of the compute unit.
package npu_compute_pkg;

  /// One K chunk of a `compute` instruction (or, with marker set, a no-op
  /// that only carries its signal bits), as the stages pass it on. The
  /// chunk's signal bits travel beside it (npu_isa_pkg's widths cannot be
  /// used in another package for Yosys 0.23).
  typedef struct packed {
    logic                         marker;  // no rows: only the signals
    logic                         zero;    // rows start from zero (chunk 0, no accumulate)
    logic [15:0]                  b_row;   // first B row of the weight tile
    logic [15:0]                  a_row;   // first A row
    logic [15:0]                  acc_row; // first accumulator row
    logic [15:0]                  m;       // rows
  } chunk_t;

  /// Bits of chunk_t (Yosys 0.23 has no $bits of a type).
  localparam int unsigned ChunkW = 2 + 4 * 16;

endpackage
