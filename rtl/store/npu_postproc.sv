// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Post-processing of one accumulator row: Dim lanes of npu_requant with
/// per-lane bias, multiplier and shift and a shared zero point and clamp.
///
/// valid_i travels with the data: valid_o is valid_i delayed by Latency
/// cycles with en_i high (the same pipeline enable as the lanes), so the
/// caller can stall the whole row pipeline with en_i.
module npu_postproc #(
  parameter int unsigned Dim = 16  ///< lanes (output channels per row)
) (
  input  logic               clk_i,      ///< clock
  input  logic               rst_ni,     ///< asynchronous reset, active low
  input  logic               clear_i,    ///< synchronous clear of the valid pipeline
  input  logic               en_i,       ///< advance the pipeline by one stage
  input  logic               valid_i,    ///< acc_i holds a row to process
  input  logic [Dim*32-1:0]  acc_i,      ///< int32 accumulators, lane l = [l*32 +: 32]
  input  logic [Dim*32-1:0]  bias_i,     ///< int32 biases per lane
  input  logic [Dim*32-1:0]  mult_i,     ///< int32 Q31 multipliers per lane
  input  logic [Dim*8-1:0]   shift_i,    ///< int8 shifts per lane, > 0 left
  input  logic [7:0]         out_zp_i,   ///< int8 output zero point (all lanes)
  input  logic [7:0]         act_min_i,  ///< int8 lower clamp (all lanes)
  input  logic [7:0]         act_max_i,  ///< int8 upper clamp (all lanes)
  output logic               valid_o,    ///< out_o holds a processed row
  output logic [Dim*8-1:0]   out_o       ///< int8 results, lane l = [l*8 +: 8]
);

  /// Pipeline depth in enabled cycles; equal to npu_requant's Latency (the
  /// block test checks valid_o against the lane outputs).
  localparam int unsigned Latency = 4;

  for (genvar l = 0; l < Dim; l++) begin : gen_lane
    npu_requant u_requant (
      .clk_i     (clk_i),
      .rst_ni    (rst_ni),
      .en_i      (en_i),
      .acc_i     (acc_i[l*32 +: 32]),
      .bias_i    (bias_i[l*32 +: 32]),
      .mult_i    (mult_i[l*32 +: 32]),
      .shift_i   (shift_i[l*8 +: 8]),
      .out_zp_i  (out_zp_i),
      .act_min_i (act_min_i),
      .act_max_i (act_max_i),
      .out_o     (out_o[l*8 +: 8])
    );
  end

  // Valid shift register: bit 0 is the first stage.
  logic [Latency-1:0] valid_d, valid_q;

  always_comb begin
    valid_d = valid_q;
    if (en_i) begin
      valid_d = {valid_q[Latency-2:0], valid_i};
    end
    if (clear_i) begin
      valid_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= '0;
    end else begin
      valid_q <= valid_d;
    end
  end

  assign valid_o = valid_q[Latency-1];

endmodule
