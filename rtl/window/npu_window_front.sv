// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Front of the window unit: accept, check, and the scratchpad reads.
///
/// Accept takes the queue head when every token it waits for is available
/// and takes those tokens in the same cycle. The check (first cycle) drops
/// an illegal instruction with an error report and no tokens, exactly as
/// the instruction-level simulator decides it (npu::iss::Iss::ExecWindow).
/// A legal one is walked plane by plane:
///
/// - dw: once the sliding stage has finished with the previous plane's
///   weights (slide_idle_i), its kh * kw tap rows are read from B into the
///   weight registers (w_we_o, the cycle after each granted read);
/// - the rows of the tile a window touches, in raster order (the rows and
///   columns past the last output's window are skipped; sum reads all), one
///   A read per cycle while the pixel FIFO has room. Each row is pushed into
///   the pixel FIFO the cycle after its read, with a tag that says what the
///   later stages do with it (npu_window_pkg::tag_t).
///
/// Compute has priority on both scratchpad read ports (a_gnt_i, b_gnt_i).
/// The signals towards load (the tile may be overwritten) are given with
/// the last A read; the others travel as a marker entry behind the last row
/// and are given once the rows before them are written. A no-op gives its
/// load signals at once and sends a marker for the others.
module npu_window_front #(
  parameter int unsigned Dim        = npu_config_pkg::DefaultDim,         ///< lanes
  parameter int unsigned SpadARows  = npu_config_pkg::DefaultSpadARows,   ///< rows of scratchpad A
  parameter int unsigned SpadBRows  = npu_config_pkg::DefaultSpadBRows,   ///< rows of scratchpad B
  parameter int unsigned AccRows    = npu_config_pkg::DefaultAccRows,     ///< accumulator rows
  parameter int unsigned WindowCols = npu_config_pkg::DefaultWindowCols,  ///< line buffer columns
  parameter int unsigned WindowK    = npu_config_pkg::DefaultWindowK,     ///< largest kernel and stride
  parameter int unsigned PxDepth    = 4,                                  ///< pixel FIFO entries
  /// A address width; derived, do not override.
  parameter int unsigned AAW = $clog2(SpadARows),
  /// B address width; derived, do not override.
  parameter int unsigned BAW = $clog2(SpadBRows),
  /// Pixel FIFO count width; derived, do not override.
  parameter int unsigned PxCntW = $clog2(PxDepth + 1)
) (
  input  logic                          clk_i,          ///< clock
  input  logic                          rst_ni,         ///< asynchronous reset, active low
  input  logic                          clear_i,        ///< soft reset
  input  logic                          flush_i,        ///< abort or clear: drop everything
  input  logic                          instr_valid_i,  ///< queue head valid (FWFT)
  output logic                          instr_ready_o,  ///< take the queue head
  input  logic [255:0]                  instr_i,        ///< queue head
  input  logic [31:0]                   pc_i,           ///< its pc
  input  logic [npu_isa_pkg::DepW-1:0]  tok_avail_i,    ///< per wait bit: a token is there
  output logic [npu_isa_pkg::DepW-1:0]  tok_take_o,     ///< per wait bit: take one
  output logic [npu_isa_pkg::DepW-1:0]  tok_rel_o,      ///< per signal bit: give one (towards load)
  output logic                          a_req_o,        ///< A read request
  output logic [AAW-1:0]                a_addr_o,       ///< A read row
  input  logic                          a_gnt_i,        ///< the A read happens this cycle
  input  logic [Dim*8-1:0]              a_rdata_i,      ///< A row, the cycle after a grant
  output logic                          b_req_o,        ///< B read request
  output logic [BAW-1:0]                b_addr_o,       ///< B read row
  input  logic                          b_gnt_i,        ///< the B read happens this cycle
  input  logic [Dim*8-1:0]              b_rdata_i,      ///< B row, the cycle after a grant
  input  logic [PxCntW-1:0]             px_count_i,     ///< entries in the pixel FIFO
  output logic                          px_valid_o,     ///< push into the pixel FIFO
  output npu_window_pkg::tag_t          px_tag_o,       ///< the entry's tag
  output logic [npu_isa_pkg::DepW-1:0]  px_sig_o,       ///< marker: the signals it carries
  output logic [Dim*8-1:0]              px_data_o,      ///< the entry's A row
  output logic                          w_we_o,         ///< write one tap of the weights
  output logic [2:0]                    w_ky_o,         ///< its window row
  output logic [2:0]                    w_kx_o,         ///< its window column
  output logic [Dim*8-1:0]              w_data_o,       ///< its weights, one per lane
  input  logic                          slide_idle_i,   ///< the sliding stage holds no row
  output logic                          busy_o,         ///< an instruction or read in flight
  output logic                          err_o,          ///< one-cycle error report
  output npu_reg_pkg::err_cause_t       err_cause_o,    ///< illegal_instr
  output logic [31:0]                   err_pc_o,       ///< pc of the illegal instruction
  output logic                          stall_dep_o,    ///< counter event: head waits for a token
  output logic                          stall_port_o    ///< counter event: waits for a port or the weights
);

  localparam int unsigned DepW = npu_isa_pkg::DepW;

  // Signal bits towards load release scratchpad rows (given with the last A
  // read); the others announce accumulator rows (given by the marker).
  logic [DepW-1:0] rel_mask;
  for (genvar i = 0; i < DepW; i++) begin : gen_rel_mask
    localparam int unsigned Q =
        32'(npu_isa_pkg::UnitOutQueue[(npu_isa_pkg::UnitWindow*DepW+i)*8 +: 8]);
    assign rel_mask[i] = npu_isa_pkg::QueueTo[Q*8 +: 8] == 8'(npu_isa_pkg::UnitLoad);
  end

  // ---------------------------------------------------------------------------
  // Stage 1: accept.
  // ---------------------------------------------------------------------------
  npu_isa_pkg::window_instr_t head, ins;
  logic                       ins_valid_d, ins_valid_q, ins_done, ins_free, tok_ok, accept;
  logic [255:0]               ins_q;
  logic [31:0]                pc_q;

  assign head     = instr_i;
  assign ins      = ins_q;
  assign tok_ok   = (head.wait_mask & ~tok_avail_i) == '0;
  assign ins_free = !ins_valid_q || ins_done;
  // After an error or an abort the unit takes nothing more until the soft
  // reset (npu_unit_stop below; the abort that follows an error drops
  // everything else).
  logic stop;
  assign accept   = instr_valid_i && ins_free && tok_ok && !flush_i && !stop;

  assign instr_ready_o = accept;
  assign tok_take_o    = accept ? head.wait_mask : '0;
  assign stall_dep_o   = instr_valid_i && ins_free && !tok_ok && !flush_i && !stop;

  logic unused_ins;
  assign unused_ins = ^{ins.wait_mask, head};

  always_comb begin
    ins_valid_d = ins_valid_q;
    if (ins_done || flush_i) begin
      ins_valid_d = 1'b0;
    end
    if (accept) begin
      ins_valid_d = 1'b1;
    end
  end

  // The instruction: only meaningful under ins_valid_q, no reset.
  always_ff @(posedge clk_i) begin
    if (accept) begin
      ins_q <= instr_i;
      pc_q  <= pc_i;
    end
  end

  // ---------------------------------------------------------------------------
  // The check, in the simulator's order: zero kernel or stride fields are
  // illegal even in a no-op; then a no-op is legal whatever else it holds.
  // 34 bits hold every sum exactly.
  // ---------------------------------------------------------------------------
  logic        is_sum, is_dw, k_bad, noop, geom_bad, range_bad, illegal;
  logic [19:0] ih_used, iw_used;
  logic [33:0] a_last, acc_last, b_last;
  logic [23:0] nc_m1, a_span, acc_span, b_span;

  // A kernel side or stride above WindowK; none when WindowK is 7, the
  // largest value of the 3-bit fields.
  logic k_big;
  if (WindowK < 7) begin : gen_k_limit
    localparam logic [2:0] K = 3'(WindowK);
    assign k_big = ins.kh > K || ins.kw > K || ins.sy > K || ins.sx > K;
  end else begin : gen_k_full
    assign k_big = 1'b0;
  end

  always_comb begin
    is_sum    = ins.mode == npu_isa_pkg::WindowModeSum;
    is_dw     = ins.mode == npu_isa_pkg::WindowModeDw;
    k_bad     = !is_sum && (ins.kh == '0 || ins.kw == '0 || ins.sy == '0 || ins.sx == '0 || k_big);
    noop      = (ins.nc == '0) || (is_sum ? (ins.ih == '0 || ins.iw == '0)
                                          : (ins.oh == '0 || ins.ow == '0));
    // The rows and columns the windows touch (all of them for sum).
    // (2^16 - 2) * 7 + 7 < 2^19.
    ih_used   = is_sum ? 20'(ins.ih) : (20'(ins.oh) - 20'd1) * 20'(ins.sy) + 20'(ins.kh);
    iw_used   = is_sum ? 20'(ins.iw) : (20'(ins.ow) - 20'd1) * 20'(ins.sx) + 20'(ins.kw);
    geom_bad  = !is_sum && (32'(ins.iw) > 32'(WindowCols) || ih_used > 20'(ins.ih) ||
                            iw_used > 20'(ins.iw));
    // (2^8 - 2) * (2^16 - 1) < 2^24 (nc = 0 is a no-op).
    nc_m1     = 24'(ins.nc) - 24'd1;
    a_span    = nc_m1 * 24'(ins.a_c_stride);
    acc_span  = nc_m1 * 24'(ins.acc_c_stride);
    b_span    = nc_m1 * 24'(ins.b_c_stride);
    a_last    = 34'(ins.a_row) + 34'(a_span) + 34'(ins.ih) * 34'(ins.iw) - 34'd1;
    acc_last  = 34'(ins.acc_row) + 34'(acc_span) +
                (is_sum ? 34'd1 : 34'(ins.oh) * 34'(ins.ow)) - 34'd1;
    b_last    = 34'(ins.b_row) + 34'(b_span) + 34'(ins.kh) * 34'(ins.kw) - 34'd1;
    range_bad = a_last >= 34'(SpadARows) || acc_last >= 34'(AccRows) ||
                (is_dw && b_last >= 34'(SpadBRows));
    illegal   = (ins.opcode != npu_isa_pkg::OpWindow) || k_bad ||
                (!noop && (geom_bad || range_bad));
  end

  // ---------------------------------------------------------------------------
  // Stage 2: walk the planes.
  // ---------------------------------------------------------------------------
  typedef enum logic [2:0] {
    StCheck,   // first cycle of an instruction
    StDrain,   // dw: wait until the previous plane's weights are no longer used
    StWeights, // dw: read the plane's tap weights
    StRows,    // read the plane's rows
    StMarker   // push the marker with the signals towards store
  } state_e;

  state_e      st_d, st_q;
  logic [7:0]  c_d, c_q;                         // plane
  logic [15:0] y_d, y_q, x_d, x_q;               // tile row and column
  logic [2:0]  ycnt_d, ycnt_q, xcnt_d, xcnt_q;   // rows / columns until the next output
  logic [15:0] a_plane_d, a_plane_q, a_line_d, a_line_q;
  logic [15:0] b_plane_d, b_plane_q, acc_plane_d, acc_plane_q, row_d, row_q;
  logic [2:0]  ky_d, ky_q, kx_d, kx_q;           // weight tap
  logic        err_d;

  // The entry pushed the cycle after a read (or a marker).
  logic                 arr_d, arr_q, wr_d, wr_q;
  npu_window_pkg::tag_t arr_tag_d, arr_tag_q;
  logic [DepW-1:0]      arr_sig_d, arr_sig_q;
  logic [2:0]           wr_ky_q, wr_kx_q;

  // Room in the pixel FIFO for one more entry, counting the one arriving.
  logic room;
  assign room = 32'(px_count_i) + 32'(arr_q) < PxDepth;

  // This row's tag.
  logic                 last_x, last_y, last_plane, trig;
  logic [2:0]           cy, cx;
  npu_window_pkg::tag_t tag;

  // Positions of the window ending at pos inside [lo, hi): at most k.
  function automatic logic [2:0] in_bounds(logic [15:0] pos, logic [2:0] k, logic [15:0] lo,
                                                logic [15:0] hi);
    logic signed [17:0] top, bot;
    top    = 18'(pos) + 18'sd1 - 18'(k);       // first window row
    bot    = 18'(pos) + 18'sd1;                // one past the last
    if ($signed(18'(lo)) > top) top = 18'(lo);
    if ($signed(18'(hi)) < bot) bot = 18'(hi);
    in_bounds = (bot > top) ? 3'(bot - top) : 3'd0;
  endfunction

  always_comb begin
    last_x     = 20'(x_q) == iw_used - 20'd1;
    last_y     = 20'(y_q) == ih_used - 20'd1;
    last_plane = c_q == ins.nc - 8'd1;
    trig       = !is_sum && (ycnt_q == '0) && (xcnt_q == '0);
    cy         = in_bounds(y_q, ins.kh, ins.y_lo, ins.y_hi);
    cx         = in_bounds(x_q, ins.kw, ins.x_lo, ins.x_hi);
    tag        = '0;
    tag.mode   = ins.mode;
    tag.kh     = ins.kh;
    tag.kw     = ins.kw;
    tag.x      = x_q;
    tag.trig   = trig;
    tag.cnt    = 6'(cy) * 6'(cx);
    tag.row    = is_sum ? acc_plane_q : row_q;
    tag.first  = (y_q == '0) && (x_q == '0);
    tag.last   = last_x && last_y;
    tag.keep   = is_sum && ins.carry_out && last_plane;
    tag.carry  = is_sum && ins.carry_in && (c_q == '0);
  end

  // Requests (registers only feed them, so the grant has no loop back).
  assign a_req_o  = ins_valid_q && (st_q == StRows) && room && !flush_i;
  assign a_addr_o = AAW'(a_line_q + x_q);
  assign b_req_o  = ins_valid_q && (st_q == StWeights) && !flush_i;
  assign b_addr_o = BAW'(b_plane_q + 16'(ky_q) * 16'(ins.kw) + 16'(kx_q));

  always_comb begin
    st_d        = st_q;
    c_d         = c_q;
    y_d         = y_q;
    x_d         = x_q;
    ycnt_d      = ycnt_q;
    xcnt_d      = xcnt_q;
    a_plane_d   = a_plane_q;
    a_line_d    = a_line_q;
    b_plane_d   = b_plane_q;
    acc_plane_d = acc_plane_q;
    row_d       = row_q;
    ky_d        = ky_q;
    kx_d        = kx_q;
    ins_done    = 1'b0;
    err_d       = 1'b0;
    tok_rel_o   = '0;
    arr_d       = 1'b0;
    arr_tag_d   = tag;
    arr_sig_d   = ins.signal_mask & ~rel_mask;
    wr_d        = 1'b0;
    stall_port_o = 1'b0;

    if (ins_valid_q && !flush_i) begin
      unique case (st_q)
        StCheck: begin
          c_d         = '0;
          y_d         = '0;
          x_d         = '0;
          ycnt_d      = ins.kh - 3'd1;
          xcnt_d      = ins.kw - 3'd1;
          a_plane_d   = ins.a_row;
          a_line_d    = ins.a_row;
          b_plane_d   = ins.b_row;
          acc_plane_d = ins.acc_row;
          row_d       = ins.acc_row;
          ky_d        = '0;
          kx_d        = '0;
          if (illegal) begin
            err_d    = 1'b1;
            ins_done = 1'b1;
          end else if (noop) begin
            tok_rel_o = ins.signal_mask & rel_mask;
            if ((ins.signal_mask & ~rel_mask) != '0) begin
              st_d = StMarker;
            end else begin
              ins_done = 1'b1;
            end
          end else begin
            st_d = is_dw ? StDrain : StRows;
          end
        end

        StDrain: begin
          // Nothing read for the previous plane is still on its way to the
          // sliding stage, and that stage has issued its last window.
          stall_port_o = 1'b1;
          if (!arr_q && px_count_i == '0 && slide_idle_i) begin
            st_d = StWeights;
          end
        end

        StWeights: begin
          stall_port_o = !b_gnt_i;
          if (b_gnt_i) begin
            wr_d = 1'b1;
            if (kx_q == ins.kw - 3'd1) begin
              kx_d = '0;
              ky_d = ky_q + 3'd1;
              if (ky_q == ins.kh - 3'd1) begin
                ky_d = '0;
                st_d = StRows;
              end
            end else begin
              kx_d = kx_q + 3'd1;
            end
          end
        end

        StRows: begin
          stall_port_o = room && !a_gnt_i;
          if (a_gnt_i) begin
            arr_d = 1'b1;
            if (trig) begin
              row_d = row_q + 16'd1;
            end
            if (!last_x) begin
              x_d    = x_q + 16'd1;
              xcnt_d = (xcnt_q == '0) ? ins.sx - 3'd1 : xcnt_q - 3'd1;
            end else begin
              x_d      = '0;
              xcnt_d   = ins.kw - 3'd1;
              y_d      = y_q + 16'd1;
              ycnt_d   = (ycnt_q == '0) ? ins.sy - 3'd1 : ycnt_q - 3'd1;
              a_line_d = a_line_q + ins.iw;
              if (last_y) begin
                // Next plane (in-range rows fit 16 bits, so the truncating
                // adds are exact wherever the result is used).
                c_d         = c_q + 8'd1;
                y_d         = '0;
                ycnt_d      = ins.kh - 3'd1;
                a_plane_d   = a_plane_q + ins.a_c_stride;
                a_line_d    = a_plane_q + ins.a_c_stride;
                b_plane_d   = b_plane_q + ins.b_c_stride;
                acc_plane_d = acc_plane_q + ins.acc_c_stride;
                row_d       = acc_plane_q + ins.acc_c_stride;
                if (last_plane) begin
                  tok_rel_o = ins.signal_mask & rel_mask;
                  if ((ins.signal_mask & ~rel_mask) != '0) begin
                    st_d = StMarker;
                  end else begin
                    ins_done = 1'b1;
                  end
                end else begin
                  st_d = is_dw ? StDrain : StRows;
                end
              end
            end
          end
        end

        StMarker: begin
          if (room) begin
            arr_d            = 1'b1;
            arr_tag_d        = '0;
            arr_tag_d.marker = 1'b1;
            ins_done         = 1'b1;
          end
        end

        default: ;
      endcase
    end
    if (ins_done || flush_i) begin
      st_d = StCheck;
    end
    if (flush_i) begin
      arr_d = 1'b0;
      wr_d  = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ins_valid_q <= 1'b0;
      st_q        <= StCheck;
      c_q         <= '0;
      y_q         <= '0;
      x_q         <= '0;
      ycnt_q      <= '0;
      xcnt_q      <= '0;
      a_plane_q   <= '0;
      a_line_q    <= '0;
      b_plane_q   <= '0;
      acc_plane_q <= '0;
      row_q       <= '0;
      ky_q        <= '0;
      kx_q        <= '0;
      arr_q       <= 1'b0;
      arr_tag_q   <= '0;
      arr_sig_q   <= '0;
      wr_q        <= 1'b0;
      wr_ky_q     <= '0;
      wr_kx_q     <= '0;
    end else begin
      ins_valid_q <= ins_valid_d;
      st_q        <= st_d;
      c_q         <= c_d;
      y_q         <= y_d;
      x_q         <= x_d;
      ycnt_q      <= ycnt_d;
      xcnt_q      <= xcnt_d;
      a_plane_q   <= a_plane_d;
      a_line_q    <= a_line_d;
      b_plane_q   <= b_plane_d;
      acc_plane_q <= acc_plane_d;
      row_q       <= row_d;
      ky_q        <= ky_d;
      kx_q        <= kx_d;
      arr_q       <= arr_d;
      arr_tag_q   <= arr_tag_d;
      arr_sig_q   <= arr_sig_d;
      wr_q        <= wr_d;
      wr_ky_q     <= ky_q;
      wr_kx_q     <= kx_q;
    end
  end

  assign px_valid_o = arr_q;
  assign px_tag_o   = arr_tag_q;
  assign px_sig_o   = arr_sig_q;
  assign px_data_o  = a_rdata_i;
  assign w_we_o     = wr_q;
  assign w_ky_o     = wr_ky_q;
  assign w_kx_o     = wr_kx_q;
  assign w_data_o   = b_rdata_i;

  // The first illegal instruction is reported (registered) and stops the
  // unit, as an abort does, until clear_i; nothing is outstanding on a bus,
  // so the unit is drained at once.
  npu_reg_pkg::err_cause_t illegal_cause;
  always_comb begin
    illegal_cause               = '0;
    illegal_cause.illegal_instr = 1'b1;
  end
  logic        stopping, halted, unused_fire, unused_flush;
  logic [31:0] unused_err_addr;
  npu_unit_stop u_stop (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (clear_i),
    .abort_i     (flush_i),
    .req_i       (err_d),
    .cause_i     (illegal_cause),
    .addr_i      ('0),
    .pc_i        (pc_q),
    .drained_i   (1'b1),
    .fire_o      (unused_fire),
    .stopping_o  (stopping),
    .halted_o    (halted),
    .flush_o     (unused_flush),
    .err_o       (err_o),
    .err_cause_o (err_cause_o),
    .err_addr_o  (unused_err_addr),
    .err_pc_o    (err_pc_o)
  );
  assign stop = stopping || halted;
  assign busy_o   = ins_valid_q || arr_q || wr_q;

endmodule
