// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Front end of the store unit.
///
/// Takes a `store` instruction when the tokens it waits for are there (1
/// cycle), computes ny * nx (1 cycle), checks the instruction as a whole (1
/// cycle: opcode, clamp range, rows in range, alignment), reads its
/// `requant` parameter block and, with `add`, its `add` block from P (one
/// row per cycle) into a row buffer, checks every lane of the fields the
/// spec gives a range (and the add clamp range), hands the output walk to
/// the AW engine and, with add, the residual walk to the residual reader
/// (start_o, once both took the previous ones), then reads one accumulator
/// row per granted cycle into npu_postproc, and gives the signal tokens the
/// cycle after the last read was granted (the rows may now be overwritten).
/// A read is issued only if its result fits the output FIFO (credits: reads
/// in flight + FIFO occupancy < OutDepth) and, with add, its residual row is
/// already in the residual FIFO, so the pipeline never stalls; with fewer
/// post-processing lanes than Dim, reads are spaced Dim / PostLanes cycles
/// apart, the cycles npu_postproc takes per row. A no-op
/// (ny * nx = 0) only gives its tokens. An error is offered combinationally
/// (err_req_o); stop_i drops the instruction.
module npu_store_fe #(
  parameter int unsigned Dim       = npu_config_pkg::DefaultDim,        ///< lanes per row
  parameter int unsigned SpadPRows = npu_config_pkg::DefaultSpadPRows,  ///< rows of scratchpad P
  parameter int unsigned AccRows   = npu_config_pkg::DefaultAccRows,    ///< accumulator rows
  parameter int unsigned OutDepth  = 20,                                ///< output FIFO entries
  /// Post-processing lanes (npu_postproc; divides Dim): with fewer than Dim
  /// a read is issued at most every Dim / PostLanes cycles.
  parameter int unsigned PostLanes = Dim,
  /// P row address width; derived, do not override.
  parameter int unsigned PW   = $clog2(SpadPRows),
  /// Accumulator row address width; derived, do not override.
  parameter int unsigned AccW = $clog2(AccRows),
  /// Output FIFO count width; derived, do not override.
  parameter int unsigned OutCntW = $clog2(OutDepth + 1),
  /// Residual FIFO count width (npu_store_rd); derived, do not override.
  parameter int unsigned ResCntW = $clog2(npu_config_pkg::ResBurst * npu_config_pkg::ResBursts + 1)
) (
  input  logic                          clk_i,          ///< clock
  input  logic                          rst_ni,         ///< asynchronous reset, active low
  input  logic                          clear_i,        ///< soft reset
  input  logic                          stop_i,         ///< issue nothing, drop the instruction
  input  logic                          instr_valid_i,  ///< queue head valid (FWFT)
  output logic                          instr_ready_o,  ///< take the queue head
  input  logic [255:0]                  instr_i,        ///< queue head
  input  logic [31:0]                   pc_i,           ///< its pc
  input  logic [npu_isa_pkg::DepW-1:0]  tok_avail_i,    ///< per wait bit: a token is there
  output logic [npu_isa_pkg::DepW-1:0]  tok_take_o,     ///< per wait bit: take one
  output logic [npu_isa_pkg::DepW-1:0]  tok_give_o,     ///< per signal bit: give one
  output logic                          p_re_o,         ///< P scratchpad read
  output logic [PW-1:0]                 p_raddr_o,      ///< P row
  input  logic [Dim*8-1:0]              p_rdata_i,      ///< P row, the cycle after p_re_o
  output logic                          acc_re_o,       ///< accumulator read request
  output logic [AccW-1:0]               acc_raddr_o,    ///< accumulator row
  input  logic                          acc_gnt_i,      ///< request taken this cycle
  input  logic [Dim*32-1:0]             acc_rdata_i,    ///< row, the cycle after a grant
  input  logic [OutCntW-1:0]            out_count_i,    ///< output FIFO occupancy
  input  logic [ResCntW-1:0]            res_count_i,    ///< residual rows ready
  input  logic [Dim*8-1:0]              res_head_i,     ///< the oldest residual row
  output logic                          res_pop_o,      ///< take it (its row reaches the add)
  output logic                          pp_valid_o,     ///< a post-processed row
  output logic [Dim*8-1:0]              pp_data_o,      ///< the row
  output logic                          start_o,        ///< hand the output walk to the AW engine
  input  logic                          aw_busy_i,      ///< the AW engine still walks the previous one
  output logic                          start_rd_o,     ///< hand the residual walk to the reader
  output logic                          stall_res_o,    ///< counter event: a read waits for its residual row
  input  logic                          rd_busy_i,      ///< the reader still walks the previous one
  output logic [31:0]                   res_addr_o,     ///< residual walk: first row address
  output logic [31:0]                   res_stride_o,   ///< residual walk: bytes between rows
  output logic [31:0]                   dst_addr_o,     ///< walk: first output row address
  output logic [31:0]                   dst_stride_o,   ///< walk: bytes between output rows
  output logic [15:0]                   ny_o,           ///< walk: output rows
  output logic [15:0]                   nx_o,           ///< walk: beats per output row
  output logic [31:0]                   pc_o,           ///< the instruction's pc
  output logic                          err_req_o,      ///< an error found this cycle
  output npu_reg_pkg::err_cause_t       err_cause_o,    ///< its cause
  output logic [31:0]                   err_addr_o,     ///< its address
  output logic                          idle_o,         ///< no instruction, no read in flight
  output logic                          stall_dep_o     ///< counter event: head waits for a token
);

  localparam int unsigned CW = npu_reg_pkg::ErrCauseW;
  localparam logic [CW-1:0] CauseIllegal = CW'(1) << npu_reg_pkg::ErrCauseIllegalInstrBit;
  localparam logic [CW-1:0] CauseAddr    = CW'(1) << npu_reg_pkg::ErrCauseAddrRangeBit;
  /// Rows of the parameter blocks: `requant` (every store), then `add`.
  localparam int unsigned RqRows = npu_isa_pkg::ParamRequantRows;
  localparam int unsigned AddRows = npu_isa_pkg::ParamAddRows;
  localparam int unsigned PRows = RqRows + AddRows;
  localparam int unsigned PIdxW = $clog2(PRows + 1);
  // The rows whose lanes have a legal range, and the ranges (8-bit tables).
  localparam logic [PRows-1:0]   Checked = {npu_isa_pkg::ParamAddChecked,
                                            npu_isa_pkg::ParamRequantChecked};
  localparam logic [PRows*8-1:0] RowMin = {npu_isa_pkg::ParamAddMin, npu_isa_pkg::ParamRequantMin};
  localparam logic [PRows*8-1:0] RowMax = {npu_isa_pkg::ParamAddMax, npu_isa_pkg::ParamRequantMax};

  // ---------------------------------------------------------------------------
  // The instruction held (ins) and the queue head (head: its wait bits).
  // ---------------------------------------------------------------------------
  logic [255:0]               instr_d, instr_q;
  logic [31:0]                pc_d, pc_q;
  npu_isa_pkg::store_instr_t  ins;
  npu_isa_pkg::instr_common_t head;

  assign ins  = instr_q;
  assign head = instr_i;

  logic unused_instr;
  assign unused_instr = ^{head.rsvd8, head.signal_mask, head.opcode, ins.wait_mask, ins.rsvd241};

  typedef enum logic [2:0] {
    FeIdle,    // waiting for an instruction
    FeSetup,   // register the products used by the checks
    FeCheck,   // whole-instruction checks
    FeParam,   // read the parameter rows
    FeLast,    // the last parameter row arrives
    FeStart,   // check the shifts; hand the walk to the AW engine
    FeStream,  // one accumulator read per granted cycle
    FeDone     // last row captured: give the signal tokens
  } fe_state_e;

  fe_state_e          state_d, state_q;
  logic [33:0]        total_d, total_q;    // ny * nx rows
  logic [33:0]        ridx_d, ridx_q;      // accumulator rows read
  logic [PIdxW-1:0]   pidx_d, pidx_q;      // parameter rows read
  logic               pcap_d, pcap_q;      // a P row arrives this cycle
  logic [PIdxW-1:0]   pcap_idx_d, pcap_idx_q;  // ... and its index in the block
  logic [PRows*Dim*8-1:0] pbuf_q;          // the parameter block, row 0 in the low bits
  logic               rows_bad_q;          // a captured row has a lane outside its range
  logic [7:0]         zp_d, zp_q, min_d, min_q, max_d, max_q;
  logic               acc_data_d, acc_data_q;  // accumulator data arrive this cycle
  logic               add_q;               // ... of an instruction with add
  logic [OutCntW-1:0] rows_d, rows_q;      // reads granted, not yet in the FIFO
  logic [ResCntW-1:0] res_pend_d, res_pend_q;  // reads granted whose residual is not popped

  // The blocks' fields, lane l of an int32 field being bytes 4l..4l+3 of its
  // four rows concatenated; the add block follows the requant block.
  localparam int unsigned AddBase = RqRows * Dim * 8;
  logic [Dim*32-1:0] bias, mult, add_m1, add_m2, add_mo;
  logic [Dim*8-1:0]  shift, add_s1, add_s2, add_so, add_zp1, add_zp2, add_zo, add_min, add_max;
  assign bias    = pbuf_q[npu_isa_pkg::ParamRequantBiasRow*Dim*8 +: Dim*32];
  assign mult    = pbuf_q[npu_isa_pkg::ParamRequantMultRow*Dim*8 +: Dim*32];
  assign shift   = pbuf_q[npu_isa_pkg::ParamRequantShiftRow*Dim*8 +: Dim*8];
  assign add_m1  = pbuf_q[AddBase + npu_isa_pkg::ParamAddIn1MultRow*Dim*8 +: Dim*32];
  assign add_m2  = pbuf_q[AddBase + npu_isa_pkg::ParamAddIn2MultRow*Dim*8 +: Dim*32];
  assign add_mo  = pbuf_q[AddBase + npu_isa_pkg::ParamAddOutMultRow*Dim*8 +: Dim*32];
  assign add_s1  = pbuf_q[AddBase + npu_isa_pkg::ParamAddIn1ShiftRow*Dim*8 +: Dim*8];
  assign add_s2  = pbuf_q[AddBase + npu_isa_pkg::ParamAddIn2ShiftRow*Dim*8 +: Dim*8];
  assign add_so  = pbuf_q[AddBase + npu_isa_pkg::ParamAddOutShiftRow*Dim*8 +: Dim*8];
  assign add_zp1 = pbuf_q[AddBase + npu_isa_pkg::ParamAddIn1ZpRow*Dim*8 +: Dim*8];
  assign add_zp2 = pbuf_q[AddBase + npu_isa_pkg::ParamAddIn2ZpRow*Dim*8 +: Dim*8];
  assign add_zo  = pbuf_q[AddBase + npu_isa_pkg::ParamAddOutZpRow*Dim*8 +: Dim*8];
  assign add_min = pbuf_q[AddBase + npu_isa_pkg::ParamAddActMinRow*Dim*8 +: Dim*8];
  assign add_max = pbuf_q[AddBase + npu_isa_pkg::ParamAddActMaxRow*Dim*8 +: Dim*8];

  logic take, credit, res_ok, pace_ok, mis_dst, mis_rs, mis_res, mis_rrs, param_bad;
  logic [33:0] acc_last;

  assign instr_ready_o = (state_q == FeIdle) && !stop_i && !clear_i &&
                         ((head.wait_mask & ~tok_avail_i) == '0);
  assign take          = instr_valid_i && instr_ready_o;
  assign tok_take_o    = take ? head.wait_mask : '0;
  // A read may be issued if its result and every earlier one fit in the FIFO.
  assign credit   = (34'(rows_q) + 34'(out_count_i)) < 34'(OutDepth);
  // With add, the residual row of every read in flight is already queued.
  assign res_ok   = !ins.add || (res_count_i > res_pend_q);
  assign stall_res_o = (state_q == FeStream) && credit && !res_ok;
  assign mis_dst  = (ins.dst_addr & (Dim - 1)) != 0;
  assign mis_rs   = (ins.dst_row_stride & (Dim - 1)) != 0;
  assign mis_res  = ins.add && ((ins.res_addr & (Dim - 1)) != 0);
  assign mis_rrs  = ins.add && ((ins.res_row_stride & (Dim - 1)) != 0);
  assign acc_last = 34'(ins.acc_row) + total_q - 34'd1;

  // A parameter row as it arrives: any lane of a checked row outside its
  // range. Each row is checked once, when it is captured (rows_bad_q), not
  // the whole block in every cycle: Dim comparator pairs instead of PRows x
  // Dim, and a simulator evaluates it only for a row. The rows read are
  // those of the blocks in use (the add block's only with add).
  function automatic logic row_bad(input logic [Dim*8-1:0] row, input logic [PIdxW-1:0] r);
    logic signed [7:0] lo, hi;
    lo = $signed(RowMin[32'(r)*8 +: 8]);
    hi = $signed(RowMax[32'(r)*8 +: 8]);
    row_bad = 1'b0;
    if (Checked[r]) begin
      for (int unsigned l = 0; l < Dim; l++) begin
        if ($signed(row[l*8 +: 8]) < lo || $signed(row[l*8 +: 8]) > hi) begin
          row_bad = 1'b1;
        end
      end
    end
  endfunction

  // The captured rows, and with add an add clamp range with min > max.
  always_comb begin
    param_bad = rows_bad_q;
    if (ins.add) begin
      for (int unsigned l = 0; l < Dim; l++) begin
        if ($signed(add_min[l*8 +: 8]) > $signed(add_max[l*8 +: 8])) begin
          param_bad = 1'b1;
        end
      end
    end
  end

  // A parameter row read last cycle arrives now; the checks restart with
  // every block.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pbuf_q     <= '0;
      rows_bad_q <= 1'b0;
    end else if (pcap_q) begin
      pbuf_q[32'(pcap_idx_q)*Dim*8 +: Dim*8] <= p_rdata_i;
      rows_bad_q <= rows_bad_q || row_bad(p_rdata_i, pcap_idx_q);
    end else if (state_q == FeCheck) begin
      rows_bad_q <= 1'b0;
    end
  end

  always_comb begin
    instr_d     = instr_q;
    pc_d        = pc_q;
    state_d     = state_q;
    total_d     = total_q;
    ridx_d      = ridx_q;
    pidx_d      = pidx_q;
    pcap_d      = 1'b0;
    pcap_idx_d  = pidx_q;
    zp_d        = zp_q;
    min_d       = min_q;
    max_d       = max_q;
    acc_data_d  = 1'b0;
    err_req_o   = 1'b0;
    err_cause_o = '0;
    err_addr_o  = '0;
    p_re_o      = 1'b0;
    // The requant rows from p_row, then the add rows from add_p_row.
    p_raddr_o   = (32'(pidx_q) < RqRows) ? PW'(ins.p_row) + PW'(pidx_q)
                                         : PW'(ins.add_p_row) + PW'(32'(pidx_q) - RqRows);
    acc_re_o    = 1'b0;
    acc_raddr_o = AccW'(ins.acc_row) + AccW'(ridx_q);
    tok_give_o  = '0;
    start_o     = 1'b0;
    start_rd_o  = 1'b0;

    unique case (state_q)
      FeIdle: begin
        if (take) begin
          instr_d = instr_i;
          pc_d    = pc_i;
          state_d = FeSetup;
        end
      end
      FeSetup: begin
        total_d = 34'(ins.ny) * 34'(ins.nx);
        state_d = FeCheck;
      end
      FeCheck: begin
        ridx_d = '0;
        pidx_d = '0;
        if (ins.opcode != npu_isa_pkg::OpStore) begin
          err_req_o   = 1'b1;
          err_cause_o = CauseIllegal;
        end else if ($signed(ins.act_min) > $signed(ins.act_max)) begin
          // An empty clamp range is a malformed instruction, even on a no-op.
          err_req_o   = 1'b1;
          err_cause_o = CauseIllegal;
        end else if (total_q == '0) begin
          // No-op: tokens still move.
          tok_give_o = ins.signal_mask;
          state_d    = FeIdle;
        end else if ((17'(ins.p_row) + 17'(RqRows) > 17'(SpadPRows)) ||
                     (ins.add && (17'(ins.add_p_row) + 17'(AddRows) > 17'(SpadPRows))) ||
                     (acc_last >= 34'(AccRows))) begin
          err_req_o   = 1'b1;
          err_cause_o = CauseIllegal;
        end else if (mis_dst || mis_rs || mis_res || mis_rrs) begin
          err_req_o   = 1'b1;
          err_cause_o = CauseAddr;
          err_addr_o  = mis_dst ? ins.dst_addr : mis_rs ? ins.dst_row_stride :
                        mis_res ? ins.res_addr : ins.res_row_stride;
        end else begin
          state_d = FeParam;
        end
      end
      FeParam: begin
        p_re_o = 1'b1;
        pcap_d = 1'b1;
        pidx_d = pidx_q + PIdxW'(1);
        if (pidx_q == PIdxW'((ins.add ? PRows : RqRows) - 1)) begin
          state_d = FeLast;
        end
      end
      FeLast: begin
        // The last parameter row is captured this cycle.
        state_d = FeStart;
      end
      FeStart: begin
        if (param_bad) begin
          // Shifts outside their range have no defined requantization.
          err_req_o   = 1'b1;
          err_cause_o = CauseIllegal;
        end else if (!aw_busy_i && !rd_busy_i) begin
          start_o    = 1'b1;
          start_rd_o = ins.add;
          zp_d    = ins.out_zp;
          min_d   = ins.act_min;
          max_d   = ins.act_max;
          state_d = FeStream;
        end
      end
      FeStream: begin
        acc_re_o = credit && res_ok && pace_ok;
        if (credit && res_ok && pace_ok && acc_gnt_i) begin
          acc_data_d = 1'b1;
          ridx_d     = ridx_q + 34'd1;
          if (ridx_q == total_q - 34'd1) begin
            state_d = FeDone;
          end
        end
      end
      FeDone: begin
        // The last row is being captured by the postproc pipeline.
        tok_give_o = ins.signal_mask;
        state_d    = FeIdle;
      end
      default: state_d = FeIdle;
    endcase

    // Stopping: control state only; data registers keep their values.
    if (stop_i || clear_i) begin
      state_d    = FeIdle;
      pcap_d     = 1'b0;
      err_req_o  = 1'b0;
      p_re_o     = 1'b0;
      acc_re_o   = 1'b0;
      acc_data_d = 1'b0;
      tok_give_o = '0;
      start_o    = 1'b0;
      start_rd_o = 1'b0;
    end
  end

  // Reads in flight to the output FIFO, and those owed a residual row.
  always_comb begin
    rows_d     = rows_q + OutCntW'(acc_re_o && acc_gnt_i) - OutCntW'(pp_valid_o);
    res_pend_d = res_pend_q + ResCntW'(acc_re_o && acc_gnt_i && ins.add) - ResCntW'(res_pop_o);
    if (stop_i || clear_i) begin
      rows_d     = '0;
      res_pend_d = '0;
    end
  end

  // Reads spaced by the cycles a row takes in npu_postproc.
  if (PostLanes == Dim) begin : gen_no_pace
    assign pace_ok = 1'b1;
  end else begin : gen_pace
    localparam int unsigned Groups = Dim / PostLanes;
    logic [$clog2(Groups)-1:0] pace_q;  // cycles until the next read may go
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        pace_q <= '0;
      end else if (stop_i || clear_i) begin
        pace_q <= '0;
      end else if (acc_re_o && acc_gnt_i) begin
        pace_q <= $clog2(Groups)'(Groups - 1);
      end else if (pace_q != '0) begin
        pace_q <= pace_q - 1'b1;
      end
    end
    assign pace_ok = (pace_q == '0);
  end

  npu_postproc #(
    .Dim   (Dim),
    .Lanes (PostLanes)
  ) u_postproc (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .clear_i   (clear_i || stop_i),
    .en_i      (1'b1),
    .valid_i   (acc_data_q && !stop_i),
    .add_i     (add_q),
    .acc_i     (acc_rdata_i),
    .bias_i    (bias),
    .mult_i    (mult),
    .shift_i   (shift),
    .out_zp_i  (zp_q),
    .act_min_i (min_q),
    .act_max_i (max_q),
    .res_pop_o (res_pop_o),
    .res_i     (res_head_i),
    .add_m1_i  (add_m1),
    .add_s1_i  (add_s1),
    .add_m2_i  (add_m2),
    .add_s2_i  (add_s2),
    .add_mo_i  (add_mo),
    .add_so_i  (add_so),
    .add_zp1_i (add_zp1),
    .add_zp2_i (add_zp2),
    .add_zo_i  (add_zo),
    .add_min_i (add_min),
    .add_max_i (add_max),
    .valid_o   (pp_valid_o),
    .out_o     (pp_data_o)
  );

  assign dst_addr_o   = ins.dst_addr;
  assign dst_stride_o = ins.dst_row_stride;
  assign ny_o         = ins.ny;
  assign nx_o         = ins.nx;
  assign pc_o         = pc_q;
  assign res_addr_o   = ins.res_addr;
  assign res_stride_o = ins.res_row_stride;
  assign idle_o       = (state_q == FeIdle) && (rows_q == '0) && !acc_data_q;
  assign stall_dep_o  = (state_q == FeIdle) && !stop_i && instr_valid_i &&
                        ((head.wait_mask & ~tok_avail_i) != '0);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      instr_q    <= '0;
      pc_q       <= '0;
      state_q    <= FeIdle;
      total_q    <= '0;
      ridx_q     <= '0;
      pidx_q     <= '0;
      pcap_q     <= 1'b0;
      pcap_idx_q <= '0;
      zp_q       <= '0;
      min_q      <= '0;
      max_q      <= '0;
      acc_data_q <= 1'b0;
      add_q      <= 1'b0;
      rows_q     <= '0;
      res_pend_q <= '0;
    end else begin
      instr_q    <= instr_d;
      pc_q       <= pc_d;
      state_q    <= state_d;
      total_q    <= total_d;
      ridx_q     <= ridx_d;
      pidx_q     <= pidx_d;
      pcap_q     <= pcap_d;
      pcap_idx_q <= pcap_idx_d;
      zp_q       <= zp_d;
      min_q      <= min_d;
      max_q      <= max_d;
      acc_data_q <= acc_data_d;
      add_q      <= ins.add;
      rows_q     <= rows_d;
      res_pend_q <= res_pend_d;
    end
  end

endmodule
