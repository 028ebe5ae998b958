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

  logic        a_valid_q, a_bank_q;
  logic [7:0]  a_q, w0_q, w1_q;
  logic [31:0] psum_q;

  // Signed 8x8 product of the activation and the weight of its bank, sign-
  // extended to 32 bits (|a * w| <= 2^14).
  logic [31:0] prod;
  assign prod = 32'($signed(a_i) * $signed(a_bank_i ? w1_q : w0_q));

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
  //
  // Written as one process with enables rather than next-state signals and
  // plain registers: the same flops, but Verilator then updates each
  // register in place instead of computing and storing every next state of
  // every PE each cycle, which made the PEs half of the NPU's simulation.
  always_ff @(posedge clk_i) begin
    if (a_valid_i) begin
      a_bank_q <= a_bank_i;
      a_q      <= a_i;
      psum_q   <= psum_i + prod;
    end else begin
      psum_q   <= psum_i;
    end
    if (w_we_i && !w_bank_i) begin
      w0_q <= w_i;
    end
    if (w_we_i && w_bank_i) begin
      w1_q <= w_i;
    end
  end

  assign a_valid_o = a_valid_q;
  assign a_bank_o  = a_bank_q;
  assign a_o       = a_q;
  assign psum_o    = psum_q;

endmodule
