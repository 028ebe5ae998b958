// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Weight-stationary systolic array of Rows x Cols npu_pe.
///
/// PE (r, c) holds W_bank[r][c] for both banks. Activation lane r enters array
/// row r from the left and moves one column right per cycle; partial sums
/// start at 0 in array row 0 and move one row down per cycle, so the bottom
/// of column c produces sum_r a[r] * W_bank[r][c].
///
/// Timing (cycle t = the cycle a row is presented on a_*_i):
/// - an input register, then lane r is delayed r more cycles (skew), so the
///   row reaches PE (r, c) in cycle t + 1 + r + c;
/// - the bottom of column c is delayed Cols - c more cycles (deskew, the last
///   stage being the output register), so every lane of out_o, out_valid_o
///   and tag_o appear together in cycle t + Latency, Latency = Rows + Cols + 1.
///
/// Weight writes are registered once and then land in the PEs of array row
/// w_row_i: a write presented in cycle tw is used by rows reaching the PE
/// from cycle tw + 2 on. Hence the caller's rules, with tw the cycle a weight
/// row is presented on w_*_i:
/// - a row that uses bank b may be presented from cycle tw + 1 on, tw being
///   the last write of bank b it relies on (strictly after the write);
/// - row r of bank b may be written from cycle tl + Cols - 1 + r on, tl being
///   the presentation cycle of the last row that uses the old contents of
///   bank b (that row leaves PE (r, Cols - 1) in cycle tl + r + Cols).
///   Writing rows 0 .. Rows-1 in ascending order, at most one per cycle,
///   starting in cycle tl + Cols - 1 or later therefore satisfies the rule.
module npu_systolic_array #(
  parameter int unsigned Rows     = 4,  ///< array rows (K lanes of an activation row)
  parameter int unsigned Cols     = 4,  ///< array columns (output lanes)
  parameter int unsigned TagWidth = 1,  ///< bits of the tag carried along each row
  /// Width of w_row_i; derived, do not override.
  parameter int unsigned RowW = (Rows > 1) ? $clog2(Rows) : 1
) (
  input  logic                  clk_i,        ///< clock
  input  logic                  rst_ni,       ///< asynchronous reset, active low
  input  logic                  clear_i,      ///< synchronous clear: drop every row in flight
  input  logic                  a_valid_i,    ///< a row is presented this cycle
  input  logic [Rows*8-1:0]     a_i,          ///< int8 activations; lane r multiplies weight row r
  input  logic                  a_bank_i,     ///< weight bank the row multiplies
  input  logic [TagWidth-1:0]   tag_i,        ///< opaque tag returned with the row's result
  input  logic                  w_we_i,       ///< write one weight row
  input  logic [RowW-1:0]       w_row_i,      ///< weight row (array row) written
  input  logic                  w_bank_i,     ///< weight bank written
  input  logic [Cols*8-1:0]     w_i,          ///< int8 weights W[w_row_i][c], lane c
  output logic                  out_valid_o,  ///< a result row is out (Latency cycles after a_valid_i)
  output logic [Cols*32-1:0]    out_o,        ///< int32 results; lane c = sum_r a[r] * W[r][c]
  output logic [TagWidth-1:0]   tag_o         ///< tag of the result row
);

  /// Cycles from a row presented to its result (see the header comment).
  localparam int unsigned Latency = Rows + Cols + 1;
  /// Bits carried per activation lane: {valid, bank, a}.
  localparam int unsigned LaneW = 10;
  /// Bits of one stage of the valid/tag delay line.
  localparam int unsigned VtW = TagWidth + 1;

  // ---------------------------------------------------------------------------
  // Weight write port: one register stage, then a row decode.
  // ---------------------------------------------------------------------------
  logic              w_we_q;
  logic [RowW-1:0]   w_row_q;
  logic              w_bank_q;
  logic [Cols*8-1:0] w_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      w_we_q <= 1'b0;
    end else begin
      w_we_q <= w_we_i & ~clear_i;
    end
  end

  // Write data and address only matter under w_we_q: no reset.
  always_ff @(posedge clk_i) begin
    w_row_q  <= w_row_i;
    w_bank_q <= w_bank_i;
    w_q      <= w_i;
  end

  // ---------------------------------------------------------------------------
  // Input skew: lane r passes through r + 1 registers (input stage + r).
  // ---------------------------------------------------------------------------
  // Left-edge inputs of each array row, {valid, bank, a}.
  logic [Rows*LaneW-1:0] edge_lane;

  // The valid bit of each line obeys clear_i (clear_i drops the rows in
  // flight); the data bits are don't-care then.
  for (genvar r = 0; r < Rows; r++) begin : gen_skew
    npu_delay #(.Width(LaneW), .Depth(r + 1)) u_line (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .clear_i(clear_i),
      .d_i    ({a_valid_i, a_bank_i, a_i[r*8 +: 8]}),
      .q_o    (edge_lane[r*LaneW +: LaneW])
    );
  end

  // ---------------------------------------------------------------------------
  // PE grid.
  // ---------------------------------------------------------------------------
  // Every PE's outputs are signals of its own generate block, and its
  // neighbours read them by hierarchical name (gen_row[r].gen_col[c - 1] for
  // the activation, gen_row[r - 1].gen_col[c] for the partial sum). One flat
  // vector of all PEs' outputs would be the same hardware, but Verilator
  // rebuilds such a vector (8704 bits of partial sums at 16x16) by chained
  // concatenation every cycle, which made it most of the simulation time.
  for (genvar r = 0; r < Rows; r++) begin : gen_row
    logic row_we;
    assign row_we = w_we_q && (w_row_q == RowW'(r));

    for (genvar c = 0; c < Cols; c++) begin : gen_col
      logic        in_valid, in_bank;
      logic [7:0]  in_a;
      logic [31:0] in_psum;
      // The last column's activation outputs leave the array unused.
      /* verilator lint_off UNUSEDSIGNAL */
      logic        out_valid, out_bank;
      logic [7:0]  out_a;
      /* verilator lint_on UNUSEDSIGNAL */
      logic [31:0] out_psum;

      if (c == 0) begin : gen_left
        assign {in_valid, in_bank, in_a} = edge_lane[r*LaneW +: LaneW];
      end else begin : gen_inner
        assign in_valid = gen_row[r].gen_col[c - 1].out_valid;
        assign in_bank  = gen_row[r].gen_col[c - 1].out_bank;
        assign in_a     = gen_row[r].gen_col[c - 1].out_a;
      end
      if (r == 0) begin : gen_top
        assign in_psum = '0;
      end else begin : gen_below
        assign in_psum = gen_row[r - 1].gen_col[c].out_psum;
      end

      npu_pe u_pe (
        .clk_i    (clk_i),
        .rst_ni   (rst_ni),
        .a_valid_i(in_valid),
        .a_bank_i (in_bank),
        .a_i      (in_a),
        .a_valid_o(out_valid),
        .a_bank_o (out_bank),
        .a_o      (out_a),
        .psum_i   (in_psum),
        .psum_o   (out_psum),
        .w_we_i   (row_we),
        .w_bank_i (w_bank_q),
        .w_i      (w_q[c*8 +: 8])
      );
    end
  end

  // ---------------------------------------------------------------------------
  // Output deskew: column c passes through Cols - c registers, the last of
  // which is the output register.
  // ---------------------------------------------------------------------------
  // Data only (qualified by out_valid_o): no reset.
  for (genvar c = 0; c < Cols; c++) begin : gen_deskew
    npu_delay #(.Width(32), .Depth(Cols - c), .Reset(1'b0)) u_line (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .clear_i(clear_i),
      .d_i    (gen_row[Rows - 1].gen_col[c].out_psum),
      .q_o    (out_o[c*32 +: 32])
    );
  end

  // ---------------------------------------------------------------------------
  // Valid and tag: a plain delay line of Latency stages.
  // ---------------------------------------------------------------------------
  npu_delay #(.Width(VtW), .Depth(Latency)) u_vt (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .clear_i(clear_i),
    .d_i    ({a_valid_i, tag_i}),
    .q_o    ({out_valid_o, tag_o})
  );

  // Parameter checks at elaboration.
  if (Rows < 1 || Cols < 1 || TagWidth < 1) begin : gen_param_check
    $error("npu_systolic_array: Rows, Cols and TagWidth must be at least 1");
  end

endmodule
