// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Front end of the store unit.
///
/// Takes a `store` instruction when the tokens it waits for are there (1
/// cycle), computes ny * nx (1 cycle), checks the instruction as a whole (1
/// cycle: opcode, clamp range, rows in range, alignment), reads its
/// `requant` parameter block from P (one row per cycle) into a row buffer,
/// checks the shifts, hands the output walk to the AW engine (start_o, once
/// the engine took the previous one), then reads one accumulator row per
/// granted cycle into npu_postproc, and gives the signal tokens the cycle
/// after the last read was granted (the rows may now be overwritten). A read
/// is issued only if its result fits the output FIFO (credits: reads in
/// flight + FIFO occupancy < OutDepth), so the pipeline never stalls. A
/// no-op (ny * nx = 0) only gives its tokens. An error is offered
/// combinationally (err_req_o); stop_i drops the instruction.
module npu_store_fe #(
  parameter int unsigned Dim       = npu_config_pkg::DefaultDim,        ///< lanes per row
  parameter int unsigned SpadPRows = npu_config_pkg::DefaultSpadPRows,  ///< rows of scratchpad P
  parameter int unsigned AccRows   = npu_config_pkg::DefaultAccRows,    ///< accumulator rows
  parameter int unsigned OutDepth  = 12,                                ///< output FIFO entries
  /// P row address width; derived, do not override.
  parameter int unsigned PW   = $clog2(SpadPRows),
  /// Accumulator row address width; derived, do not override.
  parameter int unsigned AccW = $clog2(AccRows),
  /// Output FIFO count width; derived, do not override.
  parameter int unsigned OutCntW = $clog2(OutDepth + 1)
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
  output logic                          pp_valid_o,     ///< a post-processed row
  output logic [Dim*8-1:0]              pp_data_o,      ///< the row
  output logic                          start_o,        ///< hand the output walk to the AW engine
  input  logic                          aw_busy_i,      ///< the AW engine still walks the previous one
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
  /// Rows of the parameter block read by every store.
  localparam int unsigned PRows = npu_isa_pkg::ParamRequantRows;
  localparam int unsigned PIdxW = $clog2(PRows + 1);

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
  assign unused_instr = ^{head.rsvd8, head.signal_mask, head.opcode, ins.wait_mask, ins.rsvd160};

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
  logic [PRows*Dim*8-1:0] pbuf_d, pbuf_q;  // the parameter block, row 0 in the low bits
  logic [7:0]         zp_d, zp_q, min_d, min_q, max_d, max_q;
  logic               acc_data_d, acc_data_q;  // accumulator data arrive this cycle
  logic [OutCntW-1:0] rows_d, rows_q;      // reads granted, not yet in the FIFO

  // The block's fields, lane l of an int32 field being bytes 4l..4l+3 of its
  // four rows concatenated.
  logic [Dim*32-1:0] bias, mult;
  logic [Dim*8-1:0]  shift;
  assign bias  = pbuf_q[npu_isa_pkg::ParamRequantBiasRow*Dim*8 +: Dim*32];
  assign mult  = pbuf_q[npu_isa_pkg::ParamRequantMultRow*Dim*8 +: Dim*32];
  assign shift = pbuf_q[npu_isa_pkg::ParamRequantShiftRow*Dim*8 +: Dim*8];

  logic take, credit, mis_dst, mis_rs, shift_bad;
  logic [33:0] acc_last;

  assign instr_ready_o = (state_q == FeIdle) && !stop_i && !clear_i &&
                         ((head.wait_mask & ~tok_avail_i) == '0);
  assign take          = instr_valid_i && instr_ready_o;
  assign tok_take_o    = take ? head.wait_mask : '0;
  // A read may be issued if its result and every earlier one fit in the FIFO.
  assign credit   = (34'(rows_q) + 34'(out_count_i)) < 34'(OutDepth);
  assign mis_dst  = (ins.dst_addr & (Dim - 1)) != 0;
  assign mis_rs   = (ins.dst_row_stride & (Dim - 1)) != 0;
  assign acc_last = 34'(ins.acc_row) + total_q - 34'd1;

  // Any lane's shift outside [MinShift, MaxShift].
  always_comb begin
    shift_bad = 1'b0;
    for (int unsigned l = 0; l < Dim; l++) begin
      if ($signed(shift[l*8 +: 8]) < 8'(npu_isa_pkg::MinShift) ||
          $signed(shift[l*8 +: 8]) > 8'(npu_isa_pkg::MaxShift)) begin
        shift_bad = 1'b1;
      end
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
    pbuf_d      = pbuf_q;
    zp_d        = zp_q;
    min_d       = min_q;
    max_d       = max_q;
    acc_data_d  = 1'b0;
    err_req_o   = 1'b0;
    err_cause_o = '0;
    err_addr_o  = '0;
    p_re_o      = 1'b0;
    p_raddr_o   = PW'(ins.p_row) + PW'(pidx_q);
    acc_re_o    = 1'b0;
    acc_raddr_o = AccW'(ins.acc_row) + AccW'(ridx_q);
    tok_give_o  = '0;
    start_o     = 1'b0;

    // A parameter row read last cycle arrives now.
    if (pcap_q) begin
      pbuf_d[32'(pcap_idx_q)*Dim*8 +: Dim*8] = p_rdata_i;
    end

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
        end else if ((17'(ins.p_row) + 17'(PRows) > 17'(SpadPRows)) ||
                     (acc_last >= 34'(AccRows))) begin
          err_req_o   = 1'b1;
          err_cause_o = CauseIllegal;
        end else if (mis_dst || mis_rs) begin
          err_req_o   = 1'b1;
          err_cause_o = CauseAddr;
          err_addr_o  = mis_dst ? ins.dst_addr : ins.dst_row_stride;
        end else begin
          state_d = FeParam;
        end
      end
      FeParam: begin
        p_re_o = 1'b1;
        pcap_d = 1'b1;
        pidx_d = pidx_q + PIdxW'(1);
        if (pidx_q == PIdxW'(PRows - 1)) begin
          state_d = FeLast;
        end
      end
      FeLast: begin
        // The last parameter row is captured this cycle.
        state_d = FeStart;
      end
      FeStart: begin
        if (shift_bad) begin
          // Shifts outside [MinShift, MaxShift] have no defined requantization.
          err_req_o   = 1'b1;
          err_cause_o = CauseIllegal;
        end else if (!aw_busy_i) begin
          start_o = 1'b1;
          zp_d    = ins.out_zp;
          min_d   = ins.act_min;
          max_d   = ins.act_max;
          state_d = FeStream;
        end
      end
      FeStream: begin
        acc_re_o = credit;
        if (credit && acc_gnt_i) begin
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
    end
  end

  // Reads in flight to the output FIFO.
  always_comb begin
    rows_d = rows_q + OutCntW'(acc_re_o && acc_gnt_i) - OutCntW'(pp_valid_o);
    if (stop_i || clear_i) begin
      rows_d = '0;
    end
  end

  npu_postproc #(
    .Dim (Dim)
  ) u_postproc (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .clear_i   (clear_i || stop_i),
    .en_i      (1'b1),
    .valid_i   (acc_data_q && !stop_i),
    .acc_i     (acc_rdata_i),
    .bias_i    (bias),
    .mult_i    (mult),
    .shift_i   (shift),
    .out_zp_i  (zp_q),
    .act_min_i (min_q),
    .act_max_i (max_q),
    .valid_o   (pp_valid_o),
    .out_o     (pp_data_o)
  );

  assign dst_addr_o   = ins.dst_addr;
  assign dst_stride_o = ins.dst_row_stride;
  assign ny_o         = ins.ny;
  assign nx_o         = ins.nx;
  assign pc_o         = pc_q;
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
      pbuf_q     <= '0;
      zp_q       <= '0;
      min_q      <= '0;
      max_q      <= '0;
      acc_data_q <= 1'b0;
      rows_q     <= '0;
    end else begin
      instr_q    <= instr_d;
      pc_q       <= pc_d;
      state_q    <= state_d;
      total_q    <= total_d;
      ridx_q     <= ridx_d;
      pidx_q     <= pidx_d;
      pcap_q     <= pcap_d;
      pcap_idx_q <= pcap_idx_d;
      pbuf_q     <= pbuf_d;
      zp_q       <= zp_d;
      min_q      <= min_d;
      max_q      <= max_d;
      acc_data_q <= acc_data_d;
      rows_q     <= rows_d;
    end
  end

endmodule
