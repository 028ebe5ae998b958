// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Gathers the results of a block whose channels go through fewer lanes than
/// it has: group g of a result (Width bits, the lanes' outputs) arrives with
/// valid_i and grp_i = g, groups 0 .. Groups - 1 in that order; the whole
/// result (group g at g * Width) leaves with the last group, combinationally
/// (valid_o in the cycle the last group arrives). The earlier groups wait
/// in a register. Used by npu_postproc and npu_window_alu; with Groups = 1
/// it is a wire.
module npu_lane_gather #(
  parameter int unsigned Groups = 1,  ///< groups per result
  parameter int unsigned Width  = 8,  ///< bits of a group
  /// Group index width; derived, do not override.
  parameter int unsigned GW = (Groups > 1) ? $clog2(Groups) : 1
) (
  // With one group the clock and the group index are unused.
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic                    clk_i,    ///< clock
  input  logic [GW-1:0]           grp_i,    ///< the arriving group's index
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic                    valid_i,  ///< a group arrives (held: it is taken again)
  input  logic [Width-1:0]        data_i,   ///< its bits
  output logic                    valid_o,  ///< the last group arrives: data_o is whole
  output logic [Groups*Width-1:0] data_o    ///< the result, group g at g * Width
);

  if (Groups == 1) begin : gen_wire
    assign valid_o = valid_i;
    assign data_o  = data_i;
  end else begin : gen_gather
    logic [Groups*Width-1:0] held_q;  // the earlier groups

    always_ff @(posedge clk_i) begin
      if (valid_i) begin
        held_q[32'(grp_i)*Width +: Width] <= data_i;
      end
    end

    assign valid_o = valid_i && (32'(grp_i) == Groups - 1);
    always_comb begin
      data_o = held_q;
      data_o[(Groups-1)*Width +: Width] = data_i;
    end
  end

endmodule
