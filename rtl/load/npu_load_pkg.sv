// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Types shared by the halves of the load unit.
package npu_load_pkg;

  /// One segment of a load, from the address generator to the write-back
  /// side: a read burst, a run of padding rows, or (cnt == 0) the marker that
  /// gives an instruction's signal tokens (carried beside the segment, as
  /// npu_isa_pkg's widths cannot be used in another package for Yosys 0.23)
  /// once its rows are written.
  typedef struct packed {
    logic                          burst;  // 1: R beats, 0: padding rows or marker
    logic [1:0]                    spad;   // destination scratchpad (npu_isa_pkg::spad_e)
    logic [7:0]                    pad;    // padding byte
    logic [15:0]                   cnt;    // rows (beats)
    logic [15:0]                   row;    // first scratchpad row
    logic [31:0]                   addr;   // first beat address (bursts), for error reports
    logic [31:0]                   pc;     // instruction, for error reports
  } desc_t;

  /// Bits of desc_t (Yosys 0.23 has no $bits of a type).
  localparam int unsigned DescW = 1 + 2 + 8 + 16 + 16 + 32 + 32;

endpackage
