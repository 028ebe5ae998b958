// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// ALU of the window unit: reduces the 3 x 3 blocks of each window, lane by
/// lane, to one int32 per lane. Four stages, never stalled (the sliding
/// stage issues a window only while the output FIFO has room for it):
///
/// 1. operands registered;
/// 2. the block: dw sum of products, max, or sum (slots outside the window
///    masked: 0, or -128 for max);
/// 3. the window: blocks of one window combined (first block starts it);
/// 4. avg only: |sum| + count / 2 times ceil(2^19 / count), which divides
///    exactly (|sum| + count / 2 < 2^13 and count <= 49 < 2^6, so the
///    reciprocal's error is below 1 / count for every dividend);
///    the sign is put back after the shift (TFLite's rounded average,
///    npu::RoundedAverage; count 0 gives 0).
///
/// The result leaves from the fourth stage's register (out_valid_o).
///
/// With Lanes = Dim (the default) a block enters every cycle. With fewer
/// lanes (an FPGA build that saves the multipliers of Dim - Lanes lanes) the
/// block is registered whole in stage 1 and its Groups = Dim / Lanes groups
/// of Lanes channels go through stages 2 to 4 in consecutive cycles;
/// in_ready_o is low while the later groups leave stage 1. Stage 3 keeps a
/// window sum per channel, and a window's result leaves with its last
/// group, the earlier groups' results gathered.
module npu_window_alu #(
  parameter int unsigned Dim   = npu_config_pkg::DefaultDim,  ///< channels per row
  parameter int unsigned Lanes = Dim,                          ///< lanes (divides Dim)
  parameter int unsigned Slots = 9                             ///< operands per block (fixed)
) (
  input  logic                   clk_i,        ///< clock
  input  logic                   rst_ni,       ///< asynchronous reset, active low
  input  logic                   flush_i,      ///< abort or clear: drop everything
  output logic                   in_ready_o,   ///< a block may be issued this cycle
  input  logic                   in_valid_i,   ///< a block is issued (only with in_ready_o)
  input  logic                   in_first_i,   ///< first block of a window
  input  logic                   in_last_i,    ///< last block of a window
  input  logic [1:0]             in_mode_i,    ///< npu_isa_pkg::window_mode_e
  input  logic [5:0]             in_cnt_i,     ///< avg: count
  input  logic [15:0]            in_row_i,     ///< accumulator row
  input  logic [Slots-1:0]       in_mask_i,    ///< slots inside the window
  input  logic [Slots*Dim*8-1:0] in_px_i,      ///< operands, slot s lane l at (s * Dim + l) * 8
  input  logic [Slots*Dim*8-1:0] in_wt_i,      ///< weights, same layout
  output logic                   out_valid_o,  ///< a window's result
  output logic [15:0]            out_row_o,    ///< its accumulator row
  output logic [Dim*32-1:0]      out_data_o,   ///< its int32 lanes
  output logic                   empty_o,      ///< no block or result in the pipeline
  output logic [2:0]             windows_o     ///< windows in the pipeline whose last block is issued
);

  localparam int unsigned AccW   = 24;  // |dw window| <= 49 * 2^14 < 2^20
  localparam int unsigned RecipS = 19;  // dividend < 2^13, divisor < 2^6
  /// Groups of Lanes channels, and the width of a group index.
  localparam int unsigned Groups = Dim / Lanes;
  localparam int unsigned GW     = (Groups > 1) ? $clog2(Groups) : 1;
  localparam logic [GW-1:0] LastG = GW'(Groups - 1);

  if (Lanes == 0 || Dim % Lanes != 0) begin : gen_lanes_check
    $error("npu_window_alu: Lanes must divide Dim");
  end

  // ceil(2^19 / n) for n in 1..63, 0 for n = 0.
  localparam int unsigned RecW = RecipS + 1;
  logic [64*RecW-1:0] recip;  // entry n at n * RecW
  for (genvar n = 0; n < 64; n++) begin : gen_recip
    if (n == 0) begin : gen_zero
      assign recip[0 +: RecW] = '0;
    end else begin : gen_n
      assign recip[n*RecW +: RecW] = RecW'(((1 << RecipS) + n - 1) / n);
    end
  end

  // ---------------------------------------------------------------------------
  // Control along the pipeline; g<n>_q is the group in stage n.
  // ---------------------------------------------------------------------------
  logic        v1_q, v2_q, v3_q, v4_q;
  logic        f1_q, f2_q, l1_q, l2_q;
  logic [1:0]  m1_q, m2_q, m3_q, m4_q;
  logic [5:0]  c1_q, c2_q, c3_q;
  logic [15:0] r1_q, r2_q, r3_q, r4_q;
  logic [Slots-1:0] mask1_q;
  logic [GW-1:0]    g1_q, g2_q, g3_q, g4_q;
  logic             take, adv1;  // a block enters stage 1; stage 1's group moves on

  // Stage 1 holds a block until its last group has moved on.
  assign in_ready_o = !v1_q || (g1_q == LastG);
  assign take       = in_valid_i && in_ready_o && !flush_i;
  assign adv1       = v1_q && (g1_q != LastG);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v1_q <= 1'b0;
      v2_q <= 1'b0;
      v3_q <= 1'b0;
      v4_q <= 1'b0;
      g1_q <= '0;
    end else begin
      v1_q <= take || (adv1 && !flush_i);
      v2_q <= v1_q && !flush_i;
      v3_q <= v2_q && l2_q && !flush_i;
      v4_q <= v3_q && !flush_i;
      g1_q <= adv1 ? g1_q + GW'(1) : '0;
    end
  end

  always_ff @(posedge clk_i) begin
    if (take) begin
      f1_q    <= in_first_i;
      l1_q    <= in_last_i;
      m1_q    <= in_mode_i;
      c1_q    <= in_cnt_i;
      r1_q    <= in_row_i;
      mask1_q <= in_mask_i;
    end
    f2_q    <= f1_q;
    l2_q    <= l1_q;
    m2_q    <= m1_q;
    c2_q    <= c1_q;
    r2_q    <= r1_q;
    g2_q    <= g1_q;
    if (v2_q && l2_q) begin
      m3_q <= m2_q;
      c3_q <= c2_q;
      r3_q <= r2_q;
      g3_q <= g2_q;
    end
    m4_q <= m3_q;
    r4_q <= r3_q;
    g4_q <= g3_q;
  end

  // Stage 2 of a lane: the block's dw sum of products, max or sum over the
  // slots inside the window, from the lane's operands (slot s at s * 8): one
  // term per slot (masked slots give 0, or -128 for max), reduced by a tree
  // of depth ceil(log2(Slots)) rather than a chain of Slots adders or
  // comparators (a 24-bit sum of int8 products cannot wrap, so the order
  // does not matter). A function called under the stage's valid, so that a
  // simulator evaluates it only for a block (the same logic as a
  // combinational block feeding an enabled register, at a fraction of the
  // simulation cost while the unit is idle). Its arguments are one lane's
  // operands, not all lanes': a simulator clears a function's arguments
  // whenever it may be called.
  function automatic logic signed [AccW-1:0] block_of(input logic [Slots*8-1:0] px,
                                                      input logic [Slots*8-1:0] wt,
                                                      input logic [Slots-1:0]   mask,
                                                      input logic [1:0]         mode);
    logic signed [AccW-1:0] t [Slots];
    logic signed [7:0]      a, w;
    for (int s = 0; s < Slots; s++) begin
      a = $signed(px[s*8 +: 8]);
      w = $signed(wt[s*8 +: 8]);
      if (!mask[s]) begin
        t[s] = (mode == npu_isa_pkg::WindowModeMax) ? -AccW'(128) : '0;
      end else if (mode == npu_isa_pkg::WindowModeDw) begin
        t[s] = AccW'(16'(a) * 16'(w));
      end else begin
        t[s] = AccW'(a);
      end
    end
    // Level k combines t[i] and t[i + 2^k] into t[i] for i a multiple of 2^(k+1).
    for (int k = 0; (1 << k) < Slots; k++) begin
      for (int i = 0; i + (1 << k) < Slots; i += 2 << k) begin
        if (mode == npu_isa_pkg::WindowModeMax) begin
          t[i] = (t[i + (1 << k)] > t[i]) ? t[i + (1 << k)] : t[i];
        end else begin
          t[i] = t[i] + t[i + (1 << k)];
        end
      end
    end
    block_of = t[0];
  endfunction

  // ---------------------------------------------------------------------------
  // Stage 1: every channel's operands, slot s at s * 8.
  // ---------------------------------------------------------------------------
  logic [Dim*Slots*8-1:0] px1_q, wt1_q;  // channel c at c * Slots * 8

  for (genvar c = 0; c < Dim; c++) begin : gen_chan
    always_ff @(posedge clk_i) begin
      if (take) begin
        for (int s = 0; s < Slots; s++) begin
          px1_q[(c*Slots+s)*8 +: 8] <= in_px_i[(s*Dim+c)*8 +: 8];
          wt1_q[(c*Slots+s)*8 +: 8] <= in_wt_i[(s*Dim+c)*8 +: 8];
        end
      end
    end
  end

  // ---------------------------------------------------------------------------
  // Lanes: stages 2 to 4 of channel g * Lanes + l for the group g in each.
  // ---------------------------------------------------------------------------
  logic [Lanes*32-1:0] res;  // stage 4's results, lane l at l * 32

  for (genvar l = 0; l < Lanes; l++) begin : gen_lane
    logic signed [AccW-1:0] blk_q, acc, acc_in, acc_out;
    logic [13:0]            mag;
    logic [33:0]            prod_q;
    logic                   neg_q;
    logic signed [AccW-1:0] val_q;
    logic [31:0]            q;
    logic [AccW*Groups-1:0] acc_q;  // the window sum of each group's channel

    // Stage 2: the block.
    always_ff @(posedge clk_i) begin
      if (v1_q) begin
        blk_q <= block_of(px1_q[(32'(g1_q)*Lanes+l)*Slots*8 +: Slots*8],
                          wt1_q[(32'(g1_q)*Lanes+l)*Slots*8 +: Slots*8], mask1_q, m1_q);
      end
    end

    // Stage 3: the window, kept per channel.
    assign acc_in = acc_q[32'(g2_q)*AccW +: AccW];
    always_comb begin
      acc = acc_in;
      if (f2_q) begin
        acc = blk_q;
      end else if (m2_q == npu_isa_pkg::WindowModeMax) begin
        acc = (blk_q > acc_in) ? blk_q : acc_in;
      end else begin
        acc = acc_in + blk_q;
      end
    end

    always_ff @(posedge clk_i) begin
      if (v2_q) begin
        acc_q[32'(g2_q)*AccW +: AccW] <= acc;
      end
    end

    // Stage 4: the rounded average (the window's result while v3_q).
    assign acc_out = acc_q[32'(g3_q)*AccW +: AccW];
    assign mag     = 14'(acc_out[AccW-1] ? -acc_out : acc_out) + 14'(c3_q[5:1]);

    always_ff @(posedge clk_i) begin
      if (v3_q) begin
        prod_q <= 34'(mag) * 34'(recip[32'(c3_q)*RecW +: RecW]);
        neg_q  <= acc_out[AccW-1];
        val_q  <= acc_out;
      end
    end

    always_comb begin
      q = 32'(prod_q >> RecipS);
      res[l*32 +: 32] = (m4_q == npu_isa_pkg::WindowModeAvg) ? (neg_q ? -q : q) : 32'(val_q);
    end
  end

  // The window leaves with its last group.
  npu_lane_gather #(
    .Groups(Groups),
    .Width (Lanes * 32)
  ) u_gather (
    .clk_i  (clk_i),
    .valid_i(v4_q),
    .grp_i  (g4_q),
    .data_i (res),
    .valid_o(out_valid_o),
    .data_o (out_data_o)
  );

  if (Groups == 1) begin : gen_whole
    assign windows_o = 3'(v1_q && l1_q) + 3'(v2_q && l2_q) + 3'(v3_q) + 3'(v4_q);
    logic unused_groups;
    assign unused_groups = ^{g2_q};
  end else begin : gen_groups
    // A window counts where its last group is (stage 1 holds all of them).
    assign windows_o = 3'(v1_q && l1_q) + 3'(v2_q && l2_q && (g2_q == LastG)) +
                       3'(v3_q && (g3_q == LastG)) + 3'(v4_q && (g4_q == LastG));
  end

  assign out_row_o = r4_q;
  assign empty_o   = !(v1_q || v2_q || v3_q || v4_q);

endmodule
