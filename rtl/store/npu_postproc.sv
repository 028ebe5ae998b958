// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_assert.svh"

/// Post-processing of accumulator rows: Lanes lanes of npu_requant (bias,
/// requantization, zero point, clamp), then Lanes lanes of npu_add_lane
/// (TFLite's int8 ADD of a residual row, or, for a row without add, an exact
/// pass-through), with a valid pipeline of Latency enabled cycles.
///
/// With Lanes = Dim (the default) a row enters every cycle. With fewer lanes
/// (an FPGA build that saves the multipliers of Dim - Lanes lanes) the row
/// is taken whole and fed to the lanes as Groups = Dim / Lanes groups of
/// Lanes channels in consecutive enabled cycles, group 0 in the cycle it
/// enters; its results are gathered and the whole row leaves with the last
/// group, Groups - 1 cycles after it would with Dim lanes. The producer must
/// then leave Groups - 1 enabled cycles between two rows (asserted).
///
/// A row with add_i set needs its residual row when it reaches the add
/// stage, RqLatency cycles after it entered: res_pop_o then pulses (with its
/// last group) and res_i must hold that residual row from its first group's
/// arrival to that cycle (the head of the store unit's residual FIFO). The
/// add parameters (per lane) must stay stable until the row has left the add
/// stage's first cycle; the requantization parameters until it has left
/// npu_requant's first cycle.
module npu_postproc #(
  parameter int unsigned Dim   = npu_config_pkg::DefaultDim,  ///< output channels per row
  parameter int unsigned Lanes = Dim                          ///< lanes (divides Dim)
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
  output logic               res_pop_o,  ///< a row with add leaves the residual row
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
  /// Pipeline depth of a group in enabled cycles.
  localparam int unsigned Latency = RqLatency + AddLatency;
  /// Groups of Lanes channels per row, and the width of a group index.
  localparam int unsigned Groups = Dim / Lanes;
  localparam int unsigned GW     = (Groups > 1) ? $clog2(Groups) : 1;

  // What enters the lanes this cycle: a group of a row.
  logic                lane_valid, lane_add;
  logic [GW-1:0]       lane_grp;
  logic [Lanes*32-1:0] lane_acc;

  // Valid, add and group along the pipeline: index 0 is the first stage.
  logic [Latency-1:0] valid_d, valid_q, add_d, add_q;
  logic [GW-1:0]      grp_q [Latency];
  logic               add_now;  // a group with add enters the add stage
  logic [GW-1:0]      add_grp;  // its group

  always_comb begin
    valid_d = valid_q;
    add_d   = add_q;
    if (en_i) begin
      valid_d = {valid_q[Latency-2:0], lane_valid};
      add_d   = {add_q[Latency-2:0], lane_add};
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

  always_ff @(posedge clk_i) begin
    if (en_i) begin
      grp_q[0] <= lane_grp;
      for (int unsigned s = 1; s < Latency; s++) begin
        grp_q[s] <= grp_q[s-1];
      end
    end
  end

  assign add_now   = valid_q[RqLatency-1] && add_q[RqLatency-1];
  assign add_grp   = grp_q[RqLatency-1];
  assign res_pop_o = en_i && add_now && (32'(add_grp) == Groups - 1);

  logic [Lanes*8-1:0] lane_out;

  if (Groups == 1) begin : gen_whole
    // Every channel has its lane: the row enters and leaves whole.
    assign lane_valid = valid_i;
    assign lane_add   = add_i;
    assign lane_grp   = '0;
    assign lane_acc   = acc_i;
  end else begin : gen_groups
    // The row is held while its groups 1 .. Groups - 1 enter.
    logic [Dim*32-1:0] acc_q;
    logic              hadd_q;
    logic [GW-1:0]     next_q;  // the group that enters next, 0: none

    assign lane_valid = valid_i || (next_q != '0);
    assign lane_add   = (next_q != '0) ? hadd_q : add_i;
    assign lane_grp   = next_q;
    assign lane_acc   = (next_q != '0) ? acc_q[32'(next_q)*Lanes*32 +: Lanes*32] : acc_i[0 +: Lanes*32];

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        next_q <= '0;
      end else if (clear_i) begin
        next_q <= '0;
      end else if (en_i && lane_valid) begin
        next_q <= (32'(next_q) == Groups - 1) ? '0 : next_q + GW'(1);
      end
    end

    always_ff @(posedge clk_i) begin
      if (en_i && valid_i && (next_q == '0)) begin
        acc_q  <= acc_i;
        hadd_q <= add_i;
      end
    end

    // A row arrives only when the previous one's groups have all entered.
    `NPU_ASSERT_NEVER(RowWhileBusy_A, en_i && valid_i && (next_q != '0), clk_i, rst_ni)
  end

  // The row leaves with its last group (a stalled group is held and taken
  // again, the same bits).
  npu_lane_gather #(
    .Groups(Groups),
    .Width (Lanes * 8)
  ) u_gather (
    .clk_i  (clk_i),
    .valid_i(valid_q[Latency-1]),
    .grp_i  (grp_q[Latency-1]),
    .data_i (lane_out),
    .valid_o(valid_o),
    .data_o (out_o)
  );

  // Each group's channels: the requantization parameters at the lanes'
  // entry (lane_grp), the add parameters and the residual at the add stage's
  // entry (add_grp).
  for (genvar l = 0; l < Lanes; l++) begin : gen_lane
    logic [7:0] y1;

    npu_requant u_requant (
      .clk_i     (clk_i),
      .rst_ni    (rst_ni),
      .en_i      (en_i),
      .valid_i   (lane_valid),
      .acc_i     (lane_acc[l*32 +: 32]),
      .bias_i    (bias_i[(32'(lane_grp)*Lanes+l)*32 +: 32]),
      .mult_i    (mult_i[(32'(lane_grp)*Lanes+l)*32 +: 32]),
      .shift_i   (shift_i[(32'(lane_grp)*Lanes+l)*8 +: 8]),
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
      .x2_i    (res_i[(32'(add_grp)*Lanes+l)*8 +: 8]),
      .m1_i    (add_m1_i[(32'(add_grp)*Lanes+l)*32 +: 32]),
      .s1_i    (add_s1_i[(32'(add_grp)*Lanes+l)*8 +: 8]),
      .m2_i    (add_m2_i[(32'(add_grp)*Lanes+l)*32 +: 32]),
      .s2_i    (add_s2_i[(32'(add_grp)*Lanes+l)*8 +: 8]),
      .mo_i    (add_mo_i[(32'(add_grp)*Lanes+l)*32 +: 32]),
      .so_i    (add_so_i[(32'(add_grp)*Lanes+l)*8 +: 8]),
      .zp1_i   (add_zp1_i[(32'(add_grp)*Lanes+l)*8 +: 8]),
      .zp2_i   (add_zp2_i[(32'(add_grp)*Lanes+l)*8 +: 8]),
      .zo_i    (add_zo_i[(32'(add_grp)*Lanes+l)*8 +: 8]),
      .min_i   (add_min_i[(32'(add_grp)*Lanes+l)*8 +: 8]),
      .max_i   (add_max_i[(32'(add_grp)*Lanes+l)*8 +: 8]),
      .out_o   (lane_out[l*8 +: 8])
    );
  end

  if (Lanes == 0 || Dim % Lanes != 0) begin : gen_lanes_check
    $error("npu_postproc: Lanes must divide Dim");
  end

endmodule
