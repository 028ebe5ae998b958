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
/// Pipeline (Latency = 4 enabled cycles from inputs to out_o; a stage
/// whose row is not valid keeps its registers):
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
  input  logic        valid_i,    ///< the inputs hold a row (with en_i: it enters)
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

  // Which stage registers hold a row: a stage without one keeps its
  // registers (no toggling, and a simulator skips its arithmetic).
  logic v1_q, v2_q, v3_q;

  // Stage 1: x = (acc + bias) << left. The right shift and the output
  // parameters travel along with the data.
  logic [31:0] x_q, mult_q;
  logic [4:0]  right1_q;
  logic [7:0]  zp1_q, min1_q, max1_q;
  // Stage 2: the exact 64-bit product, and the one pair that saturates.
  logic [63:0] ab_q;
  logic        sat_q;
  logic [4:0]  right2_q;
  logic [7:0]  zp2_q, min2_q, max2_q;
  // Stage 3: p = SaturatingRoundingDoublingHighMul(x, mult).
  logic [31:0] p_q;
  logic [4:0]  right3_q;
  logic [7:0]  zp3_q, min3_q, max3_q;
  // Stage 4: RoundingDivideByPOT(p, right): round to nearest, ties away
  // from zero; then the zero point (wrapping) and the clamp.
  logic [7:0]  out_q;

  /// Left shift of a positive shift, saturated at 31.
  function automatic logic [4:0] left_of(input logic [7:0] shift);
    left_of = shift[7] ? 5'd0 : (shift > 8'd31) ? 5'd31 : shift[4:0];
  endfunction

  /// Right shift of a negative shift (-shift), saturated at 31.
  function automatic logic [4:0] right_of(input logic [7:0] shift);
    right_of = !shift[7] ? 5'd0 : ($signed(shift) < -8'sd31) ? 5'd31 : 5'(-shift);
  endfunction

  /// y + zp clamped to [lo, hi], in the order of std::clamp (below the
  /// minimum wins).
  function automatic logic [7:0] clamp_of(input logic [31:0] y, input logic [7:0] zp,
                                          input logic [7:0] lo, input logic [7:0] hi);
    logic [31:0] z;
    z = y + {{24{zp[7]}}, zp};
    if ($signed(z) < $signed({{24{lo[7]}}, lo})) begin
      clamp_of = lo;
    end else if ($signed({{24{hi[7]}}, hi}) < $signed(z)) begin
      clamp_of = hi;
    end else begin
      clamp_of = z[7:0];
    end
  endfunction

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v1_q     <= 1'b0;
      v2_q     <= 1'b0;
      v3_q     <= 1'b0;
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
    end else if (en_i) begin
      v1_q <= valid_i;
      v2_q <= v1_q;
      v3_q <= v2_q;
      if (valid_i) begin
        x_q      <= (acc_i + bias_i) << left_of(shift_i);
        mult_q   <= mult_i;
        right1_q <= right_of(shift_i);
        zp1_q    <= out_zp_i;
        min1_q   <= act_min_i;
        max1_q   <= act_max_i;
      end
      if (v1_q) begin
        ab_q     <= 64'($signed(x_q) * $signed(mult_q));
        sat_q    <= (x_q == 32'h8000_0000) && (mult_q == 32'h8000_0000);
        right2_q <= right1_q;
        zp2_q    <= zp1_q;
        min2_q   <= min1_q;
        max2_q   <= max1_q;
      end
      if (v2_q) begin
        p_q      <= npu_fixed_pkg::srdhm(ab_q, sat_q);
        right3_q <= right2_q;
        zp3_q    <= zp2_q;
        min3_q   <= min2_q;
        max3_q   <= max2_q;
      end
      if (v3_q) begin
        out_q <= clamp_of(npu_fixed_pkg::rdbpot(p_q, right3_q), zp3_q, min3_q, max3_q);
      end
    end
  end

  assign out_o = out_q;

  // The constant is read by the reader of this file, not by other modules.
  if (Latency != 4) begin : gen_latency_check
    $error("npu_requant: the stage list above has four stages");
  end

endmodule
