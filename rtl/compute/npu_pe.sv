// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// One processing element of the weight-stationary systolic array.
///
/// Holds two int8 weights (banks 0 and 1). Each cycle it takes an int8
/// activation from the left (with its bank bit and valid) and passes it to
/// the right one cycle later; it takes an int32 partial sum from the top and
/// passes psum_i + a * w[bank] to the bottom one cycle later (int32,
/// wrapping). When the activation is not valid the partial sum passes
/// unchanged, and the activation register keeps its old value so that the
/// multiplier inputs do not toggle.
module npu_pe (
  input  logic        clk_i,      ///< clock
  input  logic        rst_ni,     ///< asynchronous reset, active low
  input  logic        a_valid_i,  ///< activation from the left is valid
  input  logic        a_bank_i,   ///< weight bank the activation multiplies
  input  logic [7:0]  a_i,        ///< int8 activation from the left
  output logic        a_valid_o,  ///< a_valid_i, registered, to the right
  output logic        a_bank_o,   ///< a_bank_i, registered, to the right
  output logic [7:0]  a_o,        ///< a_i, registered, to the right
  input  logic [31:0] psum_i,     ///< int32 partial sum from the top
  output logic [31:0] psum_o,     ///< psum_i + a * w[bank], registered, to the bottom
  input  logic        w_we_i,     ///< weight write enable (broadcast along the array row)
  input  logic        w_bank_i,   ///< bank written by w_we_i
  input  logic [7:0]  w_i         ///< int8 weight written by w_we_i
);

  logic        a_valid_q;
  logic        a_bank_d, a_bank_q;
  logic [7:0]  a_d, a_q;
  logic [31:0] psum_d, psum_q;
  logic [7:0]  w0_d, w0_q, w1_d, w1_q;

  logic signed [7:0]  w_sel;
  logic signed [15:0] a_ext, w_ext, prod;

  // Signed 8x8 product. Both operands are sign-extended to 16 bits first so
  // that the multiplication is 16 bits wide; |a * w| <= 2^14 always fits.
  always_comb begin
    w_sel = a_bank_i ? w1_q : w0_q;
    a_ext = {{8{a_i[7]}}, a_i};
    w_ext = {{8{w_sel[7]}}, w_sel};
    prod  = a_ext * w_ext;
  end

  always_comb begin
    // Defaults: hold the activation, pass the partial sum through.
    a_bank_d = a_bank_q;
    a_d      = a_q;
    psum_d   = psum_i;
    if (a_valid_i) begin
      a_bank_d = a_bank_i;
      a_d      = a_i;
      psum_d   = psum_i + {{16{prod[15]}}, prod};
    end
  end

  always_comb begin
    w0_d = w0_q;
    w1_d = w1_q;
    if (w_we_i && !w_bank_i) begin
      w0_d = w_i;
    end
    if (w_we_i && w_bank_i) begin
      w1_d = w_i;
    end
  end

  // Control: the valid bit is reset so that nothing propagates after reset.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      a_valid_q <= 1'b0;
    end else begin
      a_valid_q <= a_valid_i;
    end
  end

  // Datapath: no reset. Its contents only matter under a valid activation,
  // and weights are always written before a row uses them. Leaving the
  // ~60 datapath flops of every PE without reset saves area.
  always_ff @(posedge clk_i) begin
    a_bank_q <= a_bank_d;
    a_q      <= a_d;
    psum_q   <= psum_d;
    w0_q     <= w0_d;
    w1_q     <= w1_d;
  end

  assign a_valid_o = a_valid_q;
  assign a_bank_o  = a_bank_q;
  assign a_o       = a_q;
  assign psum_o    = psum_q;

endmodule
