// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Sliding stage of the window unit: line buffers, the window and weight
/// registers, the running sums of mode sum, and the issue of windows to the
/// ALU in 3 x 3 blocks.
///
/// Rows come from the pixel FIFO in raster order. Two steps per row:
///
/// - pop: the row enters the stage and its column's history (the rows
///   above it, Kmax - 1 deep) is read from the line buffer RAM;
/// - fire: the column of the window ending at this row (kh rows: history
///   and the new row) shifts into the window register at column kw - 1, and
///   the history with the new row on top is written back. A row the front
///   tagged `trig` completes a window: it is issued to the ALU one 3 x 3
///   block per cycle, ceil(kh / 3) * ceil(kw / 3) cycles, during which the
///   window register holds still (a 3 x 3 window issues every cycle).
///
/// The window register and the weights are aligned to the window's top-left
/// corner (row ky, column kx), so a block is a fixed 3 x 3 slice of them.
/// A marker, and a sum plane's last row, push straight into the output FIFO
/// once the ALU is empty, which keeps the output in program order. A history
/// row written and read in the same cycle (a one-column tile) is forwarded.
module npu_window_slide #(
  parameter int unsigned Dim        = npu_config_pkg::DefaultDim,         ///< lanes
  parameter int unsigned WindowCols = npu_config_pkg::DefaultWindowCols,  ///< line buffer columns
  parameter int unsigned Kmax       = npu_config_pkg::DefaultWindowK,     ///< largest kernel
  /// Operands of one window block (3 x 3 slots); fixed.
  parameter int unsigned Slots      = 9
) (
  input  logic                          clk_i,        ///< clock
  input  logic                          rst_ni,       ///< asynchronous reset, active low
  input  logic                          clear_i,      ///< soft reset: also forgets the kept sum
  input  logic                          flush_i,      ///< abort or clear: drop everything
  input  logic                          px_valid_i,   ///< pixel FIFO head valid
  input  npu_window_pkg::tag_t          px_tag_i,     ///< its tag
  input  logic [npu_isa_pkg::DepW-1:0]  px_sig_i,     ///< its signals (marker)
  input  logic [Dim*8-1:0]              px_data_i,    ///< its A row
  output logic                          px_pop_o,     ///< pop the head
  input  logic                          w_we_i,       ///< write one weight tap
  input  logic [2:0]                    w_ky_i,       ///< its window row
  input  logic [2:0]                    w_kx_i,       ///< its window column
  input  logic [Dim*8-1:0]              w_data_i,     ///< its weights
  input  logic                          alu_empty_i,  ///< nothing in the ALU pipeline
  input  logic                          alu_room_i,   ///< the output FIFO has room for one more window
  input  logic                          alu_ready_i,  ///< the ALU takes a block this cycle
  output logic                          alu_valid_o,  ///< a block is issued
  output logic                          alu_first_o,  ///< first block of a window
  output logic                          alu_last_o,   ///< last block of a window
  output logic [1:0]                    alu_mode_o,   ///< the window's mode
  output logic [5:0]                    alu_cnt_o,    ///< avg: its in-bounds positions
  output logic [15:0]                   alu_row_o,    ///< its accumulator row
  output logic [Slots-1:0]              alu_mask_o,   ///< slots inside the window
  output logic [Slots*Dim*8-1:0]        alu_px_o,     ///< slot s, lane l: bits (s * Dim + l) * 8
  output logic [Slots*Dim*8-1:0]        alu_wt_o,     ///< the slots' weights, same layout
  output logic                          o_valid_o,    ///< push a sum or marker into the output FIFO
  input  logic                          o_ready_i,    ///< the output FIFO is not full
  output logic                          o_marker_o,   ///< the push is a marker
  output logic [npu_isa_pkg::DepW-1:0]  o_sig_o,      ///< the marker's signals
  output logic [15:0]                   o_row_o,      ///< the sum's accumulator row
  output logic [Dim*32-1:0]             o_data_o,     ///< the sum
  output logic                          mac_o,        ///< a dw window is issued (kh * kw * Dim MACs)
  output logic [5:0]                    mac_taps_o,   ///< its kh * kw
  output logic                          idle_o        ///< no row held, no window being issued
);

  localparam int unsigned RowW  = Dim * 8;
  localparam int unsigned HistN = Kmax - 1;            // history rows kept per column
  localparam int unsigned LbW   = HistN * RowW;
  localparam int unsigned XW    = (WindowCols > 1) ? $clog2(WindowCols) : 1;
  localparam int unsigned NB    = (Kmax + 2) / 3;      // blocks per window side
  localparam int unsigned BW    = (NB > 1) ? $clog2(NB) : 1;

  if (Kmax < 2 || Kmax > 7) begin : gen_kmax_check
    $error("npu_window_slide: Kmax must be in 2..7 (kernel fields are 3 bits)");
  end

  // ---------------------------------------------------------------------------
  // The row in the stage.
  // ---------------------------------------------------------------------------
  logic                 c2_d, c2_q;
  npu_window_pkg::tag_t c2_tag_q;
  logic [npu_isa_pkg::DepW-1:0] c2_sig_q;
  logic [RowW-1:0]      c2_px_q;
  logic                 is_mark, is_sum, needs_push, fire, pop, win_fire;

  // The window being issued.
  logic            pend_d, pend_q;
  logic [BW-1:0]   bi_d, bi_q, bj_d, bj_q;
  logic [1:0]      p_mode_q;
  logic [2:0]      p_kh_q, p_kw_q;
  logic [5:0]      p_cnt_q;
  logic [15:0]     p_row_q;
  logic            first_blk, last_blk, issue, issue_last;
  logic [BW-1:0]   nbi, nbj;

  always_comb begin
    nbi        = BW'((32'(p_kh_q) + 32'd2) / 32'd3) - BW'(1);
    nbj        = BW'((32'(p_kw_q) + 32'd2) / 32'd3) - BW'(1);
    first_blk  = (bi_q == '0) && (bj_q == '0);
    last_blk   = (bi_q == nbi) && (bj_q == nbj);
    issue      = pend_q && !flush_i && alu_ready_i && (!first_blk || alu_room_i);
    issue_last = issue && last_blk;
  end

  always_comb begin
    is_mark    = c2_tag_q.marker;
    is_sum     = c2_tag_q.mode == npu_isa_pkg::WindowModeSum;
    needs_push = is_mark || (is_sum && c2_tag_q.last && !c2_tag_q.keep);
    if (!c2_q || flush_i) begin
      fire = 1'b0;
    end else if (needs_push) begin
      fire = alu_empty_i && !pend_q && o_ready_i;
    end else if (is_sum) begin
      fire = 1'b1;
    end else begin
      // The window register may change only once the window in it is issued.
      fire = !pend_q || issue_last;
    end
    win_fire = fire && !is_mark && !is_sum;
    pop      = px_valid_i && (!c2_q || fire) && !flush_i;
    c2_d     = flush_i ? 1'b0 : (pop ? 1'b1 : (fire ? 1'b0 : c2_q));
  end

  assign px_pop_o = pop;

  always_ff @(posedge clk_i) begin
    if (pop) begin
      c2_tag_q <= px_tag_i;
      c2_sig_q <= px_sig_i;
      c2_px_q  <= px_data_i;
    end
  end

  // ---------------------------------------------------------------------------
  // Line buffer: per column, the HistN rows above; hist[j] is row y - 1 - j.
  // ---------------------------------------------------------------------------
  logic            lb_re, lb_we;
  logic [XW-1:0]   lb_raddr, lb_waddr;
  logic [LbW-1:0]  lb_rdata, lb_wdata, hist;
  logic            byp_q;
  logic [LbW-1:0]  byp_data_q;

  assign lb_re    = pop && !px_tag_i.marker && (px_tag_i.mode != npu_isa_pkg::WindowModeSum);
  assign lb_raddr = XW'(px_tag_i.x);
  assign lb_we    = win_fire;
  assign lb_waddr = XW'(c2_tag_q.x);
  assign hist     = byp_q ? byp_data_q : lb_rdata;

  if (HistN > 1) begin : gen_lb_shift
    assign lb_wdata = {hist[0 +: (HistN-1)*RowW], c2_px_q};
  end else begin : gen_lb_one
    assign lb_wdata = c2_px_q;
  end

  npu_ram_2p #(
    .Width(LbW),
    .Depth(WindowCols)
  ) u_lb (
    .clk_i  (clk_i),
    .we_i   (lb_we),
    .waddr_i(lb_waddr),
    .wdata_i(lb_wdata),
    .re_i   (lb_re),
    .raddr_i(lb_raddr),
    .rdata_o(lb_rdata)
  );

  // A read of the column written in the same cycle returns the old row:
  // forward the new one instead (it sticks while the row waits to fire).
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      byp_q <= 1'b0;
    end else if (pop) begin
      byp_q <= lb_re && lb_we && (lb_raddr == lb_waddr);
    end
  end

  always_ff @(posedge clk_i) begin
    if (pop) begin
      byp_data_q <= lb_wdata;
    end
  end

  // ---------------------------------------------------------------------------
  // Window and weight registers: Kmax x Kmax rows of Dim bytes, entry
  // (i, j) = window row i, column j, at bits (i * Kmax + j) * RowW.
  // ---------------------------------------------------------------------------
  logic [Kmax*Kmax*RowW-1:0] win_q, wt_q;
  logic [Kmax*RowW-1:0]      col;  // the new window column, row i at i * RowW

  // Window row i of the new column: the row itself at kh - 1, history above.
  always_comb begin
    col = '0;
    for (int i = 0; i < Kmax; i++) begin
      if (i + 1 == 32'(c2_tag_q.kh)) begin
        col[i*RowW +: RowW] = c2_px_q;
      end
      for (int j = 0; j < HistN; j++) begin
        if (i + j + 2 == 32'(c2_tag_q.kh)) begin
          col[i*RowW +: RowW] = hist[j*RowW +: RowW];
        end
      end
    end
  end

  for (genvar i = 0; i < Kmax; i++) begin : gen_win_row
    for (genvar j = 0; j < Kmax; j++) begin : gen_win_col
      logic [RowW-1:0] next;
      if (j + 1 < Kmax) begin : gen_shift
        assign next = (j + 1 == 32'(c2_tag_q.kw)) ? col[i*RowW +: RowW]
                                                    : win_q[(i*Kmax+j+1)*RowW +: RowW];
      end else begin : gen_end
        assign next = col[i*RowW +: RowW];
      end
      // Columns right of kw - 1 are not part of the window: shifting
      // anything in is harmless.
      logic [RowW-1:0] win_r, wt_r;
      always_ff @(posedge clk_i) begin
        if (win_fire) begin
          win_r <= next;
        end
        if (w_we_i && 32'(w_ky_i) == i && 32'(w_kx_i) == j) begin
          wt_r <= w_data_i;
        end
      end
      assign win_q[(i*Kmax+j)*RowW +: RowW] = win_r;
      assign wt_q[(i*Kmax+j)*RowW +: RowW]  = wt_r;
    end
  end

  // ---------------------------------------------------------------------------
  // Issue: block (bi, bj) = window rows 3bi..3bi+2, columns 3bj..3bj+2.
  // ---------------------------------------------------------------------------
  for (genvar s = 0; s < Slots; s++) begin : gen_slot
    localparam int unsigned SI = s / 3;  // slot row in the block
    localparam int unsigned SJ = s % 3;  // slot column
    logic [NB*NB*RowW-1:0] cand_px, cand_wt;  // per block (bi, bj) at (bi * NB + bj) * RowW

    for (genvar bi = 0; bi < NB; bi++) begin : gen_bi
      for (genvar bj = 0; bj < NB; bj++) begin : gen_bj
        localparam int unsigned C = bi * NB + bj;
        if (3 * bi + SI < Kmax && 3 * bj + SJ < Kmax) begin : gen_in
          localparam int unsigned E = (3 * bi + SI) * Kmax + 3 * bj + SJ;
          assign cand_px[C*RowW +: RowW] = win_q[E*RowW +: RowW];
          assign cand_wt[C*RowW +: RowW] = wt_q[E*RowW +: RowW];
        end else begin : gen_out
          assign cand_px[C*RowW +: RowW] = '0;
          assign cand_wt[C*RowW +: RowW] = '0;
        end
      end
    end

    assign alu_px_o[s*RowW +: RowW] = cand_px[(32'(bi_q) * NB + 32'(bj_q))*RowW +: RowW];
    assign alu_wt_o[s*RowW +: RowW] = cand_wt[(32'(bi_q) * NB + 32'(bj_q))*RowW +: RowW];
    assign alu_mask_o[s] = (32'(bi_q) * 3 + SI < 32'(p_kh_q)) &&
                           (32'(bj_q) * 3 + SJ < 32'(p_kw_q));
  end

  assign alu_valid_o = issue;
  assign alu_first_o = first_blk;
  assign alu_last_o  = last_blk;
  assign alu_mode_o  = p_mode_q;
  assign alu_cnt_o   = p_cnt_q;
  assign alu_row_o   = p_row_q;
  assign mac_o       = issue && first_blk && (p_mode_q == npu_isa_pkg::WindowModeDw);
  assign mac_taps_o  = 6'(p_kh_q) * 6'(p_kw_q);

  always_comb begin
    pend_d = pend_q;
    bi_d   = bi_q;
    bj_d   = bj_q;
    if (issue) begin
      if (last_blk) begin
        pend_d = 1'b0;
        bi_d   = '0;
        bj_d   = '0;
      end else if (bj_q == nbj) begin
        bj_d = '0;
        bi_d = bi_q + BW'(1);
      end else begin
        bj_d = bj_q + BW'(1);
      end
    end
    if (win_fire && c2_tag_q.trig) begin
      pend_d = 1'b1;
      bi_d   = '0;
      bj_d   = '0;
    end
    if (flush_i) begin
      pend_d = 1'b0;
      bi_d   = '0;
      bj_d   = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      c2_q   <= 1'b0;
      pend_q <= 1'b0;
      bi_q   <= '0;
      bj_q   <= '0;
    end else begin
      c2_q   <= c2_d;
      pend_q <= pend_d;
      bi_q   <= bi_d;
      bj_q   <= bj_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (win_fire && c2_tag_q.trig) begin
      p_mode_q <= c2_tag_q.mode;
      p_kh_q   <= c2_tag_q.kh;
      p_kw_q   <= c2_tag_q.kw;
      p_cnt_q  <= c2_tag_q.cnt;
      p_row_q  <= c2_tag_q.row;
    end
  end

  // ---------------------------------------------------------------------------
  // Mode sum: the plane's running sum per lane (int32, wrapping) and the sum
  // kept across instructions (carry_out / carry_in).
  // ---------------------------------------------------------------------------
  logic [Dim*32-1:0] sum_q, carry_q, sum_next;

  for (genvar l = 0; l < Dim; l++) begin : gen_sum
    logic [31:0] base;
    assign base = !c2_tag_q.first ? sum_q[l*32 +: 32] :
                  (c2_tag_q.carry ? carry_q[l*32 +: 32] : 32'd0);
    assign sum_next[l*32 +: 32] = base + 32'($signed(c2_px_q[l*8 +: 8]));
  end

  always_ff @(posedge clk_i) begin
    if (fire && is_sum) begin
      sum_q <= sum_next;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      carry_q <= '0;
    end else if (clear_i) begin
      carry_q <= '0;
    end else if (fire && is_sum && c2_tag_q.last && c2_tag_q.keep) begin
      carry_q <= sum_next;
    end
  end

  assign o_valid_o  = fire && needs_push;
  assign o_marker_o = is_mark;
  assign o_sig_o    = c2_sig_q;
  assign o_row_o    = c2_tag_q.row;
  assign o_data_o   = sum_next;

  assign idle_o = !c2_q && !pend_q;

endmodule
