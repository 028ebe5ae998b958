// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Streamer of the compute unit (stage 4), the systolic array, and the
/// read-modify-write of the accumulator rows (stage 5).
///
/// The streamer takes a loaded chunk from the ready queue and issues one A
/// read per cycle; the row enters the array the next cycle with its bank bit
/// and a tag {signals to give when written, zero, write, accumulator row}.
/// When a row leaves the array its accumulator row is read (unless the row
/// starts from zero) and the next cycle the int32 wrapping sum is written.
/// A marker chunk sends one row with its write bit clear, so that its
/// signals stay in program order.
///
/// Accumulator RAW hazard: a row reads its accumulator row ArrayLatency + 1
/// cycles after issue and writes it one cycle later. A read in the same
/// cycle as the write returns the old value, so a row that reads must not
/// be issued in the cycle right after a row writing the same accumulator
/// row; rows two or more cycles apart are always safe. The streamer compares
/// the row it is about to issue with the row issued in the previous cycle
/// and waits one cycle on a match (no forwarding). Rows within a chunk have
/// distinct addresses, so this only fires across chunks with m == 1; the
/// check is exact, never conservative.
///
/// Signals: a chunk's sig_rel bits are given the cycle after its last A read
/// was issued (its B reads all happened earlier), its sig_out bits in the
/// cycle its last accumulator row is written (the write lands at the end of
/// that cycle, before any read the store unit can make after taking the
/// token).
module npu_compute_stream #(
  parameter int unsigned Dim       = npu_config_pkg::DefaultDim,        ///< array size
  parameter int unsigned SpadARows = npu_config_pkg::DefaultSpadARows,  ///< rows of scratchpad A
  parameter int unsigned AccRows   = npu_config_pkg::DefaultAccRows,    ///< accumulator rows
  /// A address width; derived, do not override.
  parameter int unsigned AAW = $clog2(SpadARows),
  /// Accumulator address width; derived, do not override.
  parameter int unsigned CAW = $clog2(AccRows),
  /// Weight row counter width; derived, do not override.
  parameter int unsigned RowW = (Dim > 1) ? $clog2(Dim) : 1
) (
  input  logic                          clk_i,           ///< clock
  input  logic                          rst_ni,          ///< asynchronous reset, active low
  input  logic                          clear_i,         ///< soft reset (clears the array)
  input  logic                          flush_i,         ///< abort or clear: issue nothing
  input  logic                          ready_valid_i,   ///< a loaded chunk waits
  input  npu_compute_pkg::chunk_t       ready_i,         ///< the chunk
  input  logic [npu_isa_pkg::DepW-1:0]  ready_rel_i,     ///< its signals after the last A read
  input  logic [npu_isa_pkg::DepW-1:0]  ready_out_i,     ///< its signals with the last row written
  input  logic                          ready_bank_i,    ///< its weight bank
  output logic                          ready_pop_o,     ///< take it
  output logic                          release_o,       ///< the last row of a chunk is issued
  output logic                          release_bank_o,  ///< on this bank
  input  logic                          w_we_i,          ///< weight row write (from the loader)
  input  logic [RowW-1:0]               w_row_i,         ///< its array row
  input  logic                          w_bank_i,        ///< its bank
  input  logic [Dim*8-1:0]              b_rdata_i,       ///< its weights (B read data)
  output logic                          a_re_o,          ///< A read enable
  output logic [AAW-1:0]                a_raddr_o,       ///< A read row
  input  logic [Dim*8-1:0]              a_rdata_i,       ///< A row, the cycle after a_re_o
  output logic                          acc_re_o,        ///< accumulator read enable
  output logic [CAW-1:0]                acc_raddr_o,     ///< accumulator read row
  input  logic [Dim*32-1:0]             acc_rdata_i,     ///< accumulator row, the cycle after
  output logic                          acc_we_o,        ///< accumulator write enable
  output logic [CAW-1:0]                acc_waddr_o,     ///< accumulator write row
  output logic [Dim*32-1:0]             acc_wdata_o,     ///< accumulator write data
  output logic [npu_isa_pkg::DepW-1:0]  tok_give_o,      ///< per signal bit: give one token
  output logic                          busy_o,          ///< a chunk streams or rows are in flight
  output logic                          streaming_o,     ///< a chunk streams
  output logic                          hazard_o,        ///< counter event: waiting on the hazard
  output logic                          row_o            ///< a row with a write entered the array
);

  localparam int unsigned DepW = npu_isa_pkg::DepW;
  /// Array latency; must match npu_systolic_array (Rows + Cols + 1).
  localparam int unsigned ArrayLatency = 2 * Dim + 1;
  /// Array tag: {signals given when the row is written, zero, write, acc row}.
  localparam int unsigned TagW = CAW + 2 + DepW;
  /// Rows issued but not yet written fit in this counter.
  localparam int unsigned InflightW = $clog2(ArrayLatency + 4) + 1;

  // ---------------------------------------------------------------------------
  // Stage 4: streamer.
  // ---------------------------------------------------------------------------
  npu_compute_pkg::chunk_t str_q;
  logic [DepW-1:0] str_rel_q, str_out_q;
  logic            valid_d, valid_q, bank_q, issue, last, hazard;
  logic [15:0]     cnt_d, cnt_q;
  logic [AAW-1:0]  a_d, a_q;
  logic [CAW-1:0]  acc_d, acc_q;

  // The row issued last cycle, entering the array.
  logic            p1_valid_q, p1_bank_q, p1_zero_q, p1_wr_q;
  logic [DepW-1:0] p1_sig_q;
  logic [CAW-1:0]  p1_addr_q;
  logic [DepW-1:0] rel_q;  // sig_rel of a chunk whose last A read was issued last cycle

  assign hazard      = !str_q.marker && !str_q.zero && p1_valid_q && p1_wr_q && (p1_addr_q == acc_q);
  assign issue       = valid_q && !hazard && !flush_i;
  assign last        = str_q.marker || (cnt_q == '0);
  assign ready_pop_o = ready_valid_i && !flush_i && (!valid_q || (issue && last));

  assign a_re_o         = issue && !str_q.marker;
  assign a_raddr_o      = a_q;
  assign release_o      = issue && last && !str_q.marker;
  assign release_bank_o = bank_q;

  always_comb begin
    valid_d = valid_q;
    cnt_d   = cnt_q;
    a_d     = a_q;
    acc_d   = acc_q;
    if (issue) begin
      cnt_d = cnt_q - 16'd1;
      a_d   = a_q + AAW'(1);
      acc_d = acc_q + CAW'(1);
      if (last) begin
        valid_d = 1'b0;
      end
    end
    if (ready_pop_o) begin
      valid_d = 1'b1;
      cnt_d   = ready_i.m - 16'd1;
      a_d     = AAW'(ready_i.a_row);
      acc_d   = CAW'(ready_i.acc_row);
    end
    if (flush_i) begin
      valid_d = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q    <= 1'b0;
      p1_valid_q <= 1'b0;
      rel_q      <= '0;
    end else begin
      valid_q    <= valid_d;
      p1_valid_q <= issue;
      rel_q      <= (issue && last) ? str_rel_q : '0;
    end
  end

  // Chunk state and row tag: qualified by valid_q / p1_valid_q, no reset.
  always_ff @(posedge clk_i) begin
    if (ready_pop_o) begin
      str_q     <= ready_i;
      str_rel_q <= ready_rel_i;
      str_out_q <= ready_out_i;
      bank_q    <= ready_bank_i;
    end
    cnt_q     <= cnt_d;
    a_q       <= a_d;
    acc_q     <= acc_d;
    p1_bank_q <= bank_q;
    p1_addr_q <= acc_q;
    p1_wr_q   <= !str_q.marker;
    p1_zero_q <= str_q.zero;
    p1_sig_q  <= last ? str_out_q : '0;
  end

  assign row_o = p1_valid_q && p1_wr_q;

  // The chunk's B row, m and upper row bits were used by the loader or above.
  logic unused_str;
  assign unused_str = ^{str_q.b_row, str_q.a_row, str_q.acc_row, str_q.m};

  // ---------------------------------------------------------------------------
  // The array. A marker row goes through it with its write bit clear: its
  // product is ignored.
  // ---------------------------------------------------------------------------
  logic              arr_valid, arr_zero, arr_wr;
  logic [Dim*32-1:0] arr_out;
  logic [TagW-1:0]   arr_tag;
  logic [DepW-1:0]   arr_sig;
  logic [CAW-1:0]    arr_addr;

  npu_systolic_array #(
    .Rows    (Dim),
    .Cols    (Dim),
    .TagWidth(TagW)
  ) u_array (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .clear_i    (clear_i),
    .a_valid_i  (p1_valid_q),
    .a_i        (a_rdata_i),
    .a_bank_i   (p1_bank_q),
    .tag_i      ({p1_sig_q, p1_zero_q, p1_wr_q, p1_addr_q}),
    .w_we_i     (w_we_i),
    .w_row_i    (w_row_i),
    .w_bank_i   (w_bank_i),
    .w_i        (b_rdata_i),
    .out_valid_o(arr_valid),
    .out_o      (arr_out),
    .tag_o      (arr_tag)
  );

  assign {arr_sig, arr_zero, arr_wr, arr_addr} = arr_tag;

  // ---------------------------------------------------------------------------
  // Stage 5: read-modify-write of the accumulator rows.
  // ---------------------------------------------------------------------------
  logic                 r2_valid_q, r2_zero_q, r2_wr_q;
  logic [DepW-1:0]      r2_sig_q;
  logic [CAW-1:0]       r2_addr_q;
  logic [Dim*32-1:0]    out_q;
  logic [InflightW-1:0] inflight_d, inflight_q;

  assign acc_re_o    = arr_valid && arr_wr && !arr_zero;
  assign acc_raddr_o = arr_addr;
  assign acc_we_o    = r2_valid_q && r2_wr_q;
  assign acc_waddr_o = r2_addr_q;
  assign tok_give_o  = rel_q | (r2_valid_q ? r2_sig_q : '0);

  for (genvar l = 0; l < Dim; l++) begin : gen_lane_add
    // int32 wrapping add; a row starting from zero ignores the read data.
    assign acc_wdata_o[l*32 +: 32] = (r2_zero_q ? 32'd0 : acc_rdata_i[l*32 +: 32]) +
                                     out_q[l*32 +: 32];
  end

  always_comb begin
    unique case ({issue, r2_valid_q})
      2'b10:   inflight_d = inflight_q + InflightW'(1);
      2'b01:   inflight_d = inflight_q - InflightW'(1);
      default: inflight_d = inflight_q;
    endcase
    if (clear_i) begin
      inflight_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      r2_valid_q <= 1'b0;
      inflight_q <= '0;
    end else begin
      r2_valid_q <= arr_valid && !clear_i;
      inflight_q <= inflight_d;
    end
  end

  // Row data and tag: qualified by r2_valid_q, no reset.
  always_ff @(posedge clk_i) begin
    r2_sig_q  <= arr_sig;
    r2_zero_q <= arr_zero;
    r2_wr_q   <= arr_wr;
    r2_addr_q <= arr_addr;
    if (arr_valid) begin
      out_q <= arr_out;
    end
  end

  assign busy_o      = valid_q || (inflight_q != '0) || (rel_q != '0);
  assign streaming_o = valid_q;
  assign hazard_o = valid_q && hazard;

endmodule
