// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// One lane of TFLite's int8 ADD (docs/numerics.md, "Elementwise add"),
/// pipelined:
///
///   a1 = RoundingDivideByPOT(SRDHM((x1 - zp1) << L, m1), -s1)
///   a2 = RoundingDivideByPOT(SRDHM((x2 - zp2) << L, m2), -s2)
///   out = clamp(RoundingDivideByPOT(SRDHM(a1 + a2, mo), -so) + zo, min, max)
///
/// with L = npu_isa_pkg::AddLeftShift (20). The input shifts are <= 0 (the
/// store unit checks them), so (x - zp) << L needs no left shift by the multiplier's exponent and never wraps: the
/// products are 9 x 32 bits. The last step is npu_requant with acc = a1 and
/// bias = a2, so its shift may also be positive: a row without add (add_i
/// low) uses that to pass x1 through unchanged (m1 = 2^30, s1 = 1 - L,
/// m2 = 0, mo = 2^30, so = 1, zo = 0, full range; the add parameters are
/// then not used).
///
/// Pipeline (7 enabled cycles): 1: the two products; 2: the two
/// SRDHM roundings; 3: the two rounding shifts; 4-7: npu_requant. A stage
/// whose row is not valid keeps its registers.
module npu_add_lane (
  input  logic        clk_i,     ///< clock
  input  logic        rst_ni,    ///< asynchronous reset, active low
  input  logic        en_i,      ///< advance the pipeline by one stage
  input  logic        valid_i,   ///< the inputs hold a row (with en_i: it enters)
  input  logic        add_i,     ///< ... that gets x2 added; else x1 passes through
  input  logic [7:0]  x1_i,      ///< input 1 (the requantized accumulator)
  input  logic [7:0]  x2_i,      ///< input 2 (the residual)
  input  logic [31:0] m1_i,      ///< Q31 multiplier of input 1
  input  logic [7:0]  s1_i,      ///< its shift, in [-31, 0]
  input  logic [31:0] m2_i,      ///< Q31 multiplier of input 2
  input  logic [7:0]  s2_i,      ///< its shift, in [-31, 0]
  input  logic [31:0] mo_i,      ///< Q31 multiplier of the sum
  input  logic [7:0]  so_i,      ///< its shift, in [-31, 30]
  input  logic [7:0]  zp1_i,     ///< zero point of input 1
  input  logic [7:0]  zp2_i,     ///< zero point of input 2
  input  logic [7:0]  zo_i,      ///< output zero point
  input  logic [7:0]  min_i,     ///< lower clamp
  input  logic [7:0]  max_i,     ///< upper clamp (>= min_i)
  output logic [7:0]  out_o      ///< the sum, 7 enabled cycles later
);

  // The output step's parameters travel along: 3 stages before npu_requant.
  localparam int unsigned SideW = 32 + 8 + 8 + 8 + 8;
  logic [SideW-1:0] side1_q, side2_q, side3_q;
  logic             v1_q, v2_q, v3_q;  // the stage registers hold a row

  // The parameters of a row without add: x1 through unchanged.
  localparam logic [31:0] PassM1 = 32'h4000_0000;
  localparam logic [7:0]  PassS1 = 8'(1 - npu_isa_pkg::AddLeftShift);
  localparam logic [SideW-1:0] PassSide = {32'h4000_0000, 8'd1, 8'd0, 8'h80, 8'h7f};

  // Stage 1: the products (x - zp) * m, exact in 41 bits.
  logic [40:0] prod1_q, prod2_q;
  logic [4:0]  r1a_q, r2a_q, r1b_q, r2b_q;
  // Stage 2: SRDHM of (d << L) * m = (d * m) << L, L = AddLeftShift (20):
  // |d * m| < 2^40, so the shifted product fits 64 bits.
  logic [31:0] p1_q, p2_q;
  // Stage 3: the rounding right shifts.
  logic [31:0] a1_q, a2_q;

  /// x - zp, in 9 bits.
  function automatic logic signed [8:0] diff(input logic [7:0] x, input logic [7:0] zp);
    diff = {x[7], x} - {zp[7], zp};
  endfunction

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v1_q    <= 1'b0;
      v2_q    <= 1'b0;
      v3_q    <= 1'b0;
      prod1_q <= '0;
      prod2_q <= '0;
      r1a_q   <= '0;
      r2a_q   <= '0;
      side1_q <= '0;
      p1_q    <= '0;
      p2_q    <= '0;
      r1b_q   <= '0;
      r2b_q   <= '0;
      side2_q <= '0;
      a1_q    <= '0;
      a2_q    <= '0;
      side3_q <= '0;
    end else if (en_i) begin
      v1_q <= valid_i;
      v2_q <= v1_q;
      v3_q <= v2_q;
      if (valid_i && add_i) begin
        prod1_q <= 41'(diff(x1_i, zp1_i) * $signed(m1_i));
        prod2_q <= 41'(diff(x2_i, zp2_i) * $signed(m2_i));
        r1a_q   <= 5'(-s1_i);
        r2a_q   <= 5'(-s2_i);
        side1_q <= {mo_i, so_i, zo_i, min_i, max_i};
      end else if (valid_i) begin
        prod1_q <= 41'(diff(x1_i, 8'd0) * $signed(PassM1));
        prod2_q <= '0;
        r1a_q   <= 5'(-PassS1);
        r2a_q   <= '0;
        side1_q <= PassSide;
      end
      if (v1_q) begin
        p1_q    <= npu_fixed_pkg::srdhm(64'($signed(prod1_q)) << npu_isa_pkg::AddLeftShift, 1'b0);
        p2_q    <= npu_fixed_pkg::srdhm(64'($signed(prod2_q)) << npu_isa_pkg::AddLeftShift, 1'b0);
        r1b_q   <= r1a_q;
        r2b_q   <= r2a_q;
        side2_q <= side1_q;
      end
      if (v2_q) begin
        a1_q    <= npu_fixed_pkg::rdbpot(p1_q, r1b_q);
        a2_q    <= npu_fixed_pkg::rdbpot(p2_q, r2b_q);
        side3_q <= side2_q;
      end
    end
  end

  // Stages 4-7: out = Requantize(a1, a2, mo, so, zo, min, max).
  logic [31:0] mo;
  logic [7:0]  so, zo, mn, mx;
  assign {mo, so, zo, mn, mx} = side3_q;

  npu_requant u_out (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .en_i      (en_i),
    .valid_i   (v3_q),
    .acc_i     (a1_q),
    .bias_i    (a2_q),
    .mult_i    (mo),
    .shift_i   (so),
    .out_zp_i  (zo),
    .act_min_i (mn),
    .act_max_i (mx),
    .out_o     (out_o)
  );

  // The shift bits above bit 4 of the input shifts are the sign (<= 0).
  logic unused_shift;
  assign unused_shift = ^{s1_i[7:5], s2_i[7:5]};

endmodule
