// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// The fixed-point steps of the numerics contract (docs/numerics.md), written
/// once for every RTL block that requantizes: gemmlowp's rounding of
/// SaturatingRoundingDoublingHighMul and RoundingDivideByPOT.
package npu_fixed_pkg;

  /// SaturatingRoundingDoublingHighMul from the exact product ab = a * b:
  /// (ab + nudge) / 2^31 with nudge = 2^30 if ab >= 0 else 1 - 2^30, the
  /// division truncating toward zero; sat (a = b = INT32_MIN) gives
  /// INT32_MAX. |ab| <= 2^62, so the sum cannot overflow 64 bits.
  function automatic logic [31:0] srdhm(logic [63:0] ab, logic sat);
    logic [63:0] nudged, floored;
    nudged  = ab + (ab[63] ? 64'hFFFF_FFFF_C000_0001 : 64'h0000_0000_4000_0000);
    // An arithmetic shift floors: a negative sum with a non-zero remainder
    // gets one added back.
    floored = 64'($signed(nudged) >>> 31);
    if (nudged[63] && (nudged[30:0] != '0)) begin
      floored = floored + 64'd1;
    end
    srdhm = sat ? 32'h7FFF_FFFF : floored[31:0];
  endfunction

  /// RoundingDivideByPOT(p, e): p / 2^e rounded to nearest, ties away from
  /// zero (e in [0, 31]).
  function automatic logic [31:0] rdbpot(logic [31:0] p, logic [4:0] e);
    logic [31:0] mask, rem, threshold;
    mask      = (32'd1 << e) - 32'd1;
    rem       = p & mask;
    threshold = (mask >> 1) + {31'd0, p[31]};
    rdbpot    = 32'($signed(p) >>> e) + {31'd0, (rem > threshold)};
  endfunction

endpackage
