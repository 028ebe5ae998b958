// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Delay line: q_o is d_i of Depth cycles earlier.
///
/// Every stage is a register of its own generate block (gen_stage[s].q): the
/// same flops as one shift register, but a simulator moves each stage by
/// itself instead of rebuilding a Width x Depth vector every cycle.
///
/// With Reset, every stage resets to 0 (rst_ni, asynchronous) and clear_i
/// zeroes the whole line in one cycle (a line of valid bits drops every item
/// in flight). Without it, the stages are data-only flops (no reset, no
/// clear; rst_ni and clear_i are unused), for data qualified by a valid bit
/// that travels alongside.
module npu_delay #(
  parameter int unsigned Width = 1,    ///< bits of each stage
  parameter int unsigned Depth = 1,    ///< stages (cycles of delay, >= 1)
  parameter bit          Reset = 1'b1  ///< stages reset to 0 and obey clear_i
) (
  input  logic             clk_i,    ///< clock
  // Without Reset the line ignores its reset and clear inputs.
  /* verilator lint_off UNUSEDSIGNAL */
  input  logic             rst_ni,   ///< asynchronous reset, active low (Reset only)
  input  logic             clear_i,  ///< synchronous clear of every stage (Reset only)
  /* verilator lint_on UNUSEDSIGNAL */
  input  logic [Width-1:0] d_i,      ///< line input
  output logic [Width-1:0] q_o       ///< d_i of Depth cycles earlier
);

  for (genvar s = 0; s < Depth; s++) begin : gen_stage
    logic [Width-1:0] d, q;
    if (s == 0) begin : gen_first
      assign d = d_i;
    end else begin : gen_next
      assign d = gen_stage[s - 1].q;
    end

    if (Reset) begin : gen_reset
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
          q <= '0;
        end else begin
          q <= clear_i ? '0 : d;
        end
      end
    end else begin : gen_data
      always_ff @(posedge clk_i) begin
        q <= d;
      end
    end
  end

  assign q_o = gen_stage[Depth - 1].q;

  // Parameter checks at elaboration.
  if (Depth < 1 || Width < 1) begin : gen_param_check
    $error("npu_delay: Width and Depth must be at least 1");
  end

endmodule
