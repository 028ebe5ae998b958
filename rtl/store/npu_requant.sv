// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// One lane of the numerics contract (docs/numerics.md, TFLite integer-only
/// requantization, double-rounding variant), pipelined.
///
///   v = acc + bias                                  (int32, wrapping)
///   x = v << max(shift, 0)                          (int32, wrapping)
///   p = SaturatingRoundingDoublingHighMul(x, mult)  (gemmlowp)
///   r = RoundingDivideByPOT(p, max(-shift, 0))      (gemmlowp)
///   y = r + out_zp                                  (int32, wrapping)
///   out = clamp(y, act_min, act_max)                (int8)
///
/// Pipeline (Latency = 4 enabled cycles from inputs to out_o):
///   stage 1: add and left shift        -> x
///   stage 2: 32 x 32 signed multiply   -> ab (int64)
///   stage 3: nudge, divide by 2^31     -> p
///   stage 4: rounding right shift, zero point, clamp -> out
/// Every register advances only in a cycle with en_i high, so a stalled
/// consumer freezes the whole pipeline. The contract defines shifts in
/// [-31, 30]; outside that range each shift amount saturates at 31.
module npu_requant (
  input  logic        clk_i,      ///< clock
  input  logic        rst_ni,     ///< asynchronous reset, active low
  input  logic        en_i,       ///< advance the pipeline by one stage
  input  logic [31:0] acc_i,      ///< int32 accumulator
  input  logic [31:0] bias_i,     ///< int32 bias
  input  logic [31:0] mult_i,     ///< int32 Q31 multiplier
  input  logic [7:0]  shift_i,    ///< int8 shift, > 0 left, in [-31, 30]
  input  logic [7:0]  out_zp_i,   ///< int8 output zero point
  input  logic [7:0]  act_min_i,  ///< int8 lower clamp
  input  logic [7:0]  act_max_i,  ///< int8 upper clamp (>= act_min_i)
  output logic [7:0]  out_o       ///< int8 result, Latency enabled cycles later
);

  /// Enabled cycles from an input to its result on out_o (npu_postproc
  /// mirrors this value for its valid pipeline).
  localparam int unsigned Latency = 4;

  // ---------------------------------------------------------------------------
  // Stage 1: v = acc + bias, x = v << left. The right shift and the output
  // parameters travel along with the data.
  // ---------------------------------------------------------------------------
  logic [31:0] v;
  logic [4:0]  left, right;
  logic [31:0] x_d, x_q;
  logic [31:0] mult_d, mult_q;
  logic [4:0]  right1_d, right1_q;
  logic [7:0]  zp1_d, zp1_q, min1_d, min1_q, max1_d, max1_q;

  always_comb begin
    v     = acc_i + bias_i;
    left  = '0;
    right = '0;
    if (shift_i[7]) begin
      // Negative shift: right shift by -shift (saturated at 31).
      right = ($signed(shift_i) < -8'sd31) ? 5'd31 : 5'(-shift_i);
    end else begin
      left = (shift_i > 8'd31) ? 5'd31 : shift_i[4:0];
    end
    x_d      = en_i ? (v << left) : x_q;
    mult_d   = en_i ? mult_i : mult_q;
    right1_d = en_i ? right : right1_q;
    zp1_d    = en_i ? out_zp_i : zp1_q;
    min1_d   = en_i ? act_min_i : min1_q;
    max1_d   = en_i ? act_max_i : max1_q;
  end

  // ---------------------------------------------------------------------------
  // Stage 2: the exact 64-bit product, and the one pair that saturates.
  // ---------------------------------------------------------------------------
  logic [63:0] ab_d, ab_q;
  logic        sat_d, sat_q;
  logic [4:0]  right2_d, right2_q;
  logic [7:0]  zp2_d, zp2_q, min2_d, min2_q, max2_d, max2_q;

  always_comb begin
    ab_d     = en_i ? 64'($signed(x_q) * $signed(mult_q)) : ab_q;
    sat_d    = en_i ? ((x_q == 32'h8000_0000) && (mult_q == 32'h8000_0000)) : sat_q;
    right2_d = en_i ? right1_q : right2_q;
    zp2_d    = en_i ? zp1_q : zp2_q;
    min2_d   = en_i ? min1_q : min2_q;
    max2_d   = en_i ? max1_q : max2_q;
  end

  // ---------------------------------------------------------------------------
  // Stage 3: p = SaturatingRoundingDoublingHighMul(x, mult).
  // ---------------------------------------------------------------------------
  logic [31:0] p_d, p_q;
  logic [4:0]  right3_d, right3_q;
  logic [7:0]  zp3_d, zp3_q, min3_d, min3_q, max3_d, max3_q;

  always_comb begin
    p_d      = en_i ? npu_fixed_pkg::srdhm(ab_q, sat_q) : p_q;
    right3_d = en_i ? right2_q : right3_q;
    zp3_d    = en_i ? zp2_q : zp3_q;
    min3_d   = en_i ? min2_q : min3_q;
    max3_d   = en_i ? max2_q : max3_q;
  end

  // ---------------------------------------------------------------------------
  // Stage 4: RoundingDivideByPOT(p, e): round to nearest, ties away from
  // zero; then add the zero point (wrapping) and clamp.
  // ---------------------------------------------------------------------------
  logic [31:0] y, lo, hi;
  logic [7:0]  out_d, out_q;

  always_comb begin
    y         = npu_fixed_pkg::rdbpot(p_q, right3_q) + {{24{zp3_q[7]}}, zp3_q};
    lo        = {{24{min3_q[7]}}, min3_q};
    hi        = {{24{max3_q[7]}}, max3_q};
    // Same order as std::clamp: below the minimum wins.
    if ($signed(y) < $signed(lo)) begin
      out_d = min3_q;
    end else if ($signed(hi) < $signed(y)) begin
      out_d = max3_q;
    end else begin
      out_d = y[7:0];
    end
    if (!en_i) begin
      out_d = out_q;
    end
  end

  assign out_o = out_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      x_q      <= '0;
      mult_q   <= '0;
      right1_q <= '0;
      zp1_q    <= '0;
      min1_q   <= '0;
      max1_q   <= '0;
      ab_q     <= '0;
      sat_q    <= 1'b0;
      right2_q <= '0;
      zp2_q    <= '0;
      min2_q   <= '0;
      max2_q   <= '0;
      p_q      <= '0;
      right3_q <= '0;
      zp3_q    <= '0;
      min3_q   <= '0;
      max3_q   <= '0;
      out_q    <= '0;
    end else begin
      x_q      <= x_d;
      mult_q   <= mult_d;
      right1_q <= right1_d;
      zp1_q    <= zp1_d;
      min1_q   <= min1_d;
      max1_q   <= max1_d;
      ab_q     <= ab_d;
      sat_q    <= sat_d;
      right2_q <= right2_d;
      zp2_q    <= zp2_d;
      min2_q   <= min2_d;
      max2_q   <= max2_d;
      p_q      <= p_d;
      right3_q <= right3_d;
      zp3_q    <= zp3_d;
      min3_q   <= min3_d;
      max3_q   <= max3_d;
      out_q    <= out_d;
    end
  end

  // The constant is read by the reader of this file, not by other modules.
  if (Latency != 4) begin : gen_latency_check
    $error("npu_requant: the stage list above has four stages");
  end

endmodule
