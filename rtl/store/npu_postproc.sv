// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Post-processing of accumulator rows: Dim lanes of npu_requant (bias,
/// requantization, zero point, clamp), then Dim lanes of npu_add_lane
/// (TFLite's int8 ADD of a residual row, or, for a row without add, an exact
/// pass-through), with a valid pipeline of Latency enabled cycles.
///
/// A row with add_i set needs its residual row when it reaches the add
/// stage, RqLatency cycles after it entered: res_pop_o then pulses and res_i
/// must hold that residual row in the same cycle (the head of the store
/// unit's residual FIFO). The add parameters (per lane) must stay stable
/// until the row has left the add stage's first cycle; the requantization
/// parameters until it has left npu_requant's first cycle.
module npu_postproc #(
  parameter int unsigned Dim = npu_config_pkg::DefaultDim  ///< lanes (output channels per row)
) (
  input  logic               clk_i,      ///< clock
  input  logic               rst_ni,     ///< asynchronous reset, active low
  input  logic               clear_i,    ///< synchronous clear of the valid pipeline
  input  logic               en_i,       ///< advance the pipeline by one stage
  input  logic               valid_i,    ///< acc_i holds a row to process
  input  logic               add_i,      ///< ... that gets a residual row added
  input  logic [Dim*32-1:0]  acc_i,      ///< int32 accumulators, lane l = [l*32 +: 32]
  input  logic [Dim*32-1:0]  bias_i,     ///< int32 biases per lane
  input  logic [Dim*32-1:0]  mult_i,     ///< int32 Q31 multipliers per lane
  input  logic [Dim*8-1:0]   shift_i,    ///< int8 shifts per lane, > 0 left
  input  logic [7:0]         out_zp_i,   ///< int8 output zero point (all lanes)
  input  logic [7:0]         act_min_i,  ///< int8 lower clamp (all lanes)
  input  logic [7:0]         act_max_i,  ///< int8 upper clamp (all lanes)
  output logic               res_pop_o,  ///< a row with add enters the add stage
  input  logic [Dim*8-1:0]   res_i,      ///< its residual row
  input  logic [Dim*32-1:0]  add_m1_i,   ///< add: multipliers of input 1, per lane
  input  logic [Dim*8-1:0]   add_s1_i,   ///< add: shifts of input 1
  input  logic [Dim*32-1:0]  add_m2_i,   ///< add: multipliers of input 2
  input  logic [Dim*8-1:0]   add_s2_i,   ///< add: shifts of input 2
  input  logic [Dim*32-1:0]  add_mo_i,   ///< add: multipliers of the sum
  input  logic [Dim*8-1:0]   add_so_i,   ///< add: shifts of the sum
  input  logic [Dim*8-1:0]   add_zp1_i,  ///< add: zero points of input 1
  input  logic [Dim*8-1:0]   add_zp2_i,  ///< add: zero points of input 2
  input  logic [Dim*8-1:0]   add_zo_i,   ///< add: output zero points
  input  logic [Dim*8-1:0]   add_min_i,  ///< add: lower clamps
  input  logic [Dim*8-1:0]   add_max_i,  ///< add: upper clamps
  output logic               valid_o,    ///< out_o holds a processed row
  output logic [Dim*8-1:0]   out_o       ///< int8 results, lane l = [l*8 +: 8]
);

  /// Stages of npu_requant and of npu_add_lane.
  localparam int unsigned RqLatency  = 4;
  localparam int unsigned AddLatency = 7;
  /// Pipeline depth in enabled cycles (the store unit's credits count it).
  localparam int unsigned Latency = RqLatency + AddLatency;

  // Valid and add flags: bit 0 is the first stage.
  logic [Latency-1:0] valid_d, valid_q, add_d, add_q;
  logic               add_now;  // the row entering the add stage has add set

  always_comb begin
    valid_d = valid_q;
    add_d   = add_q;
    if (en_i) begin
      valid_d = {valid_q[Latency-2:0], valid_i};
      add_d   = {add_q[Latency-2:0], add_i};
    end
    if (clear_i) begin
      valid_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= '0;
      add_q   <= '0;
    end else begin
      valid_q <= valid_d;
      add_q   <= add_d;
    end
  end

  assign add_now   = valid_q[RqLatency-1] && add_q[RqLatency-1];
  assign res_pop_o = en_i && add_now;
  assign valid_o   = valid_q[Latency-1];

  for (genvar l = 0; l < Dim; l++) begin : gen_lane
    logic [7:0] y1;

    npu_requant u_requant (
      .clk_i     (clk_i),
      .rst_ni    (rst_ni),
      .en_i      (en_i),
      .valid_i   (valid_i),
      .acc_i     (acc_i[l*32 +: 32]),
      .bias_i    (bias_i[l*32 +: 32]),
      .mult_i    (mult_i[l*32 +: 32]),
      .shift_i   (shift_i[l*8 +: 8]),
      .out_zp_i  (out_zp_i),
      .act_min_i (act_min_i),
      .act_max_i (act_max_i),
      .out_o     (y1)
    );

    // Without add the lane passes y1 through exactly (see npu_add_lane).
    npu_add_lane u_add (
      .clk_i   (clk_i),
      .rst_ni  (rst_ni),
      .en_i    (en_i),
      .valid_i (valid_q[RqLatency-1]),
      .add_i   (add_q[RqLatency-1]),
      .x1_i    (y1),
      .x2_i    (res_i[l*8 +: 8]),
      .m1_i    (add_m1_i[l*32 +: 32]),
      .s1_i    (add_s1_i[l*8 +: 8]),
      .m2_i    (add_m2_i[l*32 +: 32]),
      .s2_i    (add_s2_i[l*8 +: 8]),
      .mo_i    (add_mo_i[l*32 +: 32]),
      .so_i    (add_so_i[l*8 +: 8]),
      .zp1_i   (add_zp1_i[l*8 +: 8]),
      .zp2_i   (add_zp2_i[l*8 +: 8]),
      .zo_i    (add_zo_i[l*8 +: 8]),
      .min_i   (add_min_i[l*8 +: 8]),
      .max_i   (add_max_i[l*8 +: 8]),
      .out_o   (out_o[l*8 +: 8])
    );
  end

endmodule
