// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Types shared by the stages of the window unit.
package npu_window_pkg;

  /// What travels with each scratchpad A row from the front to the sliding
  /// stage (or, with marker set, an entry without a row that only carries
  /// the instruction's signals towards the store unit, which travel beside
  /// it). The front computes everything the later stages need per row, so
  /// that they hold no copy of the instruction.
  typedef struct packed {
    logic        marker;  // no row: give the signals once everything before is written
    logic [1:0]  mode;    // npu_isa_pkg::window_mode_e
    logic [2:0]  kh;      // window rows
    logic [2:0]  kw;      // window columns
    logic [15:0] x;       // tile column (line buffer address)
    logic        trig;    // the window ending at this row is an output
    logic [5:0]  cnt;     // avg: in-bounds positions of that window
    logic [15:0] row;     // accumulator row of that output (sum: of the plane)
    logic        first;   // first row of a plane
    logic        last;    // last row of a plane
    logic        keep;    // sum: keep the plane's sum (carry_out) instead of writing it
    logic        carry;   // sum: the plane starts from the kept sum (carry_in)
  } tag_t;

  /// Bits of tag_t (Yosys 0.23 has no $bits of a type).
  localparam int unsigned TagW = 1 + 2 + 3 + 3 + 16 + 1 + 6 + 16 + 1 + 1 + 1 + 1;

endpackage
