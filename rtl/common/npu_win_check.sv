// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Whether a memory access lies inside the permitted window.
///
/// The one definition of the address-window rule used by fetch, load and
/// store: the bytes [start_i, end_i) must lie inside
/// [win_base_i, win_base_i + win_size_i) and below 2^32 (no wrap-around).
/// Addresses are wider than 32 bits so that sums computed by the callers
/// cannot overflow before the check.
module npu_win_check #(
  parameter int unsigned AddrW = 33  ///< width of start_i/end_i (> 32)
) (
  input  logic [AddrW-1:0] start_i,     ///< first byte of the access
  input  logic [AddrW-1:0] end_i,       ///< one past the last byte
  input  logic [31:0]      win_base_i,  ///< window base
  input  logic [31:0]      win_size_i,  ///< window size in bytes
  output logic             ok_o         ///< the access is permitted
);

  logic [AddrW-1:0] win_end;
  assign win_end = AddrW'(win_base_i) + AddrW'(win_size_i);
  assign ok_o    = (start_i >= AddrW'(win_base_i)) && (end_i <= win_end) &&
                   (end_i <= (AddrW'(1) << 32));

  if (AddrW <= 32) begin : gen_width_check
    $error("npu_win_check: AddrW must exceed 32 bits");
  end

endmodule
