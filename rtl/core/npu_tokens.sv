// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_assert.svh"

/// Dependency-token counters between neighbouring units (as in VTA).
///
/// One counter per queue of the token graph (npu_isa_pkg::Queue*, from
/// spec/isa.toml). A unit gives a token when an instruction with the matching
/// signal bit completes and takes one when an instruction with the matching
/// wait bit starts. The compiler balances
/// them; taking from an empty counter or overflowing one is a bug, caught by
/// the assertions below.
module npu_tokens #(
  parameter int unsigned NumQueues = npu_isa_pkg::NumQueues,  ///< counters
  parameter int unsigned Width = npu_config_pkg::TokenBits    ///< counter width
) (
  input  logic                 clk_i,    ///< clock
  input  logic                 rst_ni,   ///< asynchronous reset, active low
  input  logic                 clear_i,  ///< soft reset: empty every counter
  input  logic [NumQueues-1:0] give_i,   ///< per counter: add one token
  input  logic [NumQueues-1:0] take_i,   ///< per counter: remove one token
  output logic [NumQueues-1:0] avail_o   ///< per counter: at least one token
);

  for (genvar i = 0; i < NumQueues; i++) begin : gen_counter
    logic [Width-1:0] cnt_d, cnt_q;

    always_comb begin
      cnt_d = cnt_q + (give_i[i] ? Width'(1) : '0) - (take_i[i] ? Width'(1) : '0);
      if (clear_i) begin
        cnt_d = '0;
      end
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        cnt_q <= '0;
      end else begin
        cnt_q <= cnt_d;
      end
    end

    assign avail_o[i] = (cnt_q != '0);

    `NPU_ASSERT_NEVER(Underflow_A, take_i[i] && !give_i[i] && cnt_q == '0, clk_i, rst_ni)
    `NPU_ASSERT_NEVER(Overflow_A, give_i[i] && !take_i[i] && cnt_q == '1, clk_i, rst_ni)
  end

endmodule
