// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Store unit (DMA write side): executes `store` instructions
/// (docs/gen/isa.md).
///
/// Three engines work on the same instruction stream:
/// - Front end (FE): takes an instruction, checks it as a whole (rows in
///   range, alignment), reads the nine parameter rows from P into the
///   parameter registers, then reads one accumulator row per granted cycle
///   into npu_postproc. Reads are issued only when the output FIFO has room
///   for their results (credits), so the postproc pipeline never stalls.
/// - AW engine (AE): walks the output bursts of the instruction (INCR, within
///   one output row, split at 256 beats and 4 KiB boundaries), checks each
///   against the window before issuing it, and announces it on AW. At most
///   MaxWrites bursts are announced and not yet answered on B.
/// - W engine (WE): sends the post-processed beats of each announced burst
///   (WLAST on its last beat) through an output register.
///
/// The signal bits (tok_give_o) pulse once all accumulator reads of the
/// instruction are done (the cycle after the last grant, when the last row's
/// data are captured): the accumulator rows may then be overwritten by the
/// compute unit. Completion (idle_o) waits for every B response.
///
/// Errors are reported once (err_o, registered): rows out of range or
/// misalignment (before anything of the instruction is issued), a burst
/// outside the window (before its AW), BRESP != OKAY. An error or abort_i
/// stops the unit: no new AW; an AW already presented stays valid until
/// accepted; every announced W burst is completed with WSTRB = 0 (a beat
/// already presented on W is kept as it is until accepted, as AXI requires);
/// all B responses are accepted; then the unit stays halted (idle,
/// instr_ready_o low) until clear_i.
module npu_store #(
  parameter int unsigned Dim       = 16,    ///< bytes per row and per beat (power of two)
  parameter int unsigned SpadPRows = 1152,  ///< rows of scratchpad P
  parameter int unsigned AccRows   = 2048,  ///< accumulator rows (both banks)
  parameter int unsigned AxiId     = 0,     ///< AWID of this unit (0..3)
  /// P row address width; derived, do not override.
  parameter int unsigned PW   = $clog2(SpadPRows),
  /// Accumulator row address width; derived, do not override.
  parameter int unsigned AccW = $clog2(AccRows)
) (
  input  logic               clk_i,             ///< clock
  input  logic               rst_ni,            ///< asynchronous reset, active low
  input  logic               clear_i,           ///< synchronous clear (soft reset)
  input  logic               abort_i,           ///< stop: issue nothing new, drain, halt
  input  logic               instr_valid_i,     ///< instruction queue not empty (FWFT)
  output logic               instr_ready_o,     ///< take the queue head this cycle
  input  logic [255:0]       instr_i,           ///< queue head
  input  logic [31:0]        pc_i,              ///< stream index of the queue head
  /// Per wait bit: a token is available in the queue it names (npu_isa_pkg::UnitInQueue).
  input  logic [npu_isa_pkg::DepW-1:0] tok_avail_i,
  output logic [npu_isa_pkg::DepW-1:0] tok_take_o,  ///< per wait bit: take one token
  output logic [npu_isa_pkg::DepW-1:0] tok_give_o,  ///< per signal bit: give one token
  input  logic [31:0]        win_base_i,        ///< lowest permitted byte address
  input  logic [31:0]        win_size_i,        ///< bytes in the permitted window
  output logic               p_re_o,            ///< P scratchpad read
  output logic [PW-1:0]      p_raddr_o,         ///< P scratchpad row
  input  logic [Dim*8-1:0]   p_rdata_i,         ///< P row, the cycle after p_re_o
  output logic               acc_re_o,          ///< accumulator read request
  output logic [AccW-1:0]    acc_raddr_o,       ///< accumulator row
  input  logic               acc_gnt_i,         ///< request taken this cycle
  input  logic [Dim*32-1:0]  acc_rdata_i,       ///< row, the cycle after a grant
  output logic               m_aw_valid_o,      ///< AXI AW valid
  input  logic               m_aw_ready_i,      ///< AXI AW ready
  output logic [31:0]        m_aw_addr_o,       ///< AXI AW address
  output logic [7:0]         m_aw_len_o,        ///< AXI AW beats - 1
  output logic [2:0]         m_aw_size_o,       ///< AXI AW size, log2(Dim)
  output logic [1:0]         m_aw_burst_o,      ///< AXI AW burst type (INCR)
  output logic [1:0]         m_aw_id_o,         ///< AXI AW id (AxiId)
  output logic               m_w_valid_o,       ///< AXI W valid
  input  logic               m_w_ready_i,       ///< AXI W ready
  output logic [Dim*8-1:0]   m_w_data_o,        ///< AXI W data
  output logic [Dim-1:0]     m_w_strb_o,        ///< AXI W strobes (0 when aborting)
  output logic               m_w_last_o,        ///< AXI W last beat of a burst
  input  logic               m_b_valid_i,       ///< AXI B valid
  output logic               m_b_ready_o,       ///< AXI B ready (always)
  input  logic [1:0]         m_b_resp_i,        ///< AXI B response
  output logic               idle_o,            ///< nothing in progress or outstanding
  output logic               err_o,             ///< one-cycle error report
  output npu_reg_pkg::err_cause_t err_cause_o,       ///< ERR_CAUSE bits of the report
  output logic [31:0]        err_addr_o,        ///< address of the failing access
  output logic [31:0]        err_pc_o,          ///< pc of the failing instruction
  output logic               busy_o,            ///< counter event: not idle
  output logic               stall_dep_o,       ///< counter event: waiting for a token
  output logic               stall_mem_o        ///< counter event: waiting on AW or W
);

  localparam int unsigned DimLog    = $clog2(Dim);
  localparam int unsigned AW        = 52;  // byte addresses before range checks
  localparam int unsigned OutDepth  = 12;  // post-processed beats buffered
  localparam int unsigned OutCntW   = $clog2(OutDepth + 1);
  localparam int unsigned MaxWrites = 8;   // bursts announced, B outstanding
  localparam int unsigned BCntW     = $clog2(MaxWrites + 1);

  // ERR_CAUSE bits, from the register map.
  localparam logic [npu_reg_pkg::ErrCauseW-1:0] CauseIllegal = npu_reg_pkg::ErrCauseW'(1) << npu_reg_pkg::ErrCauseIllegalInstrBit;
  localparam logic [npu_reg_pkg::ErrCauseW-1:0] CauseAddr    = npu_reg_pkg::ErrCauseW'(1) << npu_reg_pkg::ErrCauseAddrRangeBit;
  localparam logic [npu_reg_pkg::ErrCauseW-1:0] CauseResp    = npu_reg_pkg::ErrCauseW'(1) << npu_reg_pkg::ErrCauseAxiRespBit;

  // ---------------------------------------------------------------------------
  // Front end: instruction fields.
  // ---------------------------------------------------------------------------
  logic [255:0] instr_d, instr_q;
  logic [31:0]  pc_d, pc_q;
  npu_isa_pkg::store_instr_t ins;
  npu_isa_pkg::instr_common_t head;  // the queue head: its wait bits
  logic [3:0]   f_opcode;
  logic [npu_isa_pkg::DepW-1:0] f_signal;
  logic [7:0]   f_zp, f_min, f_max;
  logic [31:0]  f_dst, f_rstride;
  logic [15:0]  f_acc_row, f_p_row, f_ny, f_nx;

  assign ins       = instr_q;
  assign head      = instr_i;
  assign f_opcode  = ins.opcode;
  assign f_signal  = ins.signal_mask;
  assign f_zp      = ins.out_zp;
  assign f_min     = ins.act_min;
  assign f_max     = ins.act_max;
  assign f_dst     = ins.dst_addr;
  assign f_rstride = ins.dst_row_stride;
  assign f_acc_row = ins.acc_row;
  assign f_p_row   = ins.p_row;
  assign f_ny      = ins.ny;
  assign f_nx      = ins.nx;

  // The wait bits are consumed from the queue head when it is taken.
  logic unused_instr;
  assign unused_instr = ^{head.rsvd8, head.signal_mask, head.opcode, ins.wait_mask, ins.rsvd160};

  typedef enum logic [2:0] {
    FeIdle,    // waiting for an instruction
    FeSetup,   // register the products used by the checks
    FeCheck,   // whole-instruction checks
    FeParam,   // read the nine parameter rows
    FeShift,   // the shift row arrives
    FeStart,   // check the shifts; hand the bursts to the AW engine
    FeStream,  // one accumulator read per granted cycle
    FeDone     // last row captured: signal_prev
  } fe_state_e;

  fe_state_e fe_state_d, fe_state_q;
  logic [33:0] total_d, total_q;        // ny * nx rows
  logic [33:0] ridx_d, ridx_q;          // accumulator rows read
  logic [3:0]  pidx_d, pidx_q;          // parameter rows read
  logic        pcap_d, pcap_q;          // a P row arrives this cycle
  logic [3:0]  pcap_idx_d, pcap_idx_q;  // ... and its index
  logic [Dim*32-1:0] bias_d, bias_q, mult_d, mult_q;
  logic [Dim*8-1:0]  shift_d, shift_q;
  logic [7:0]  zp_d, zp_q, min_d, min_q, max_d, max_q;
  logic        acc_data_d, acc_data_q;  // accumulator data arrive this cycle
  logic [OutCntW-1:0] rows_d, rows_q;   // reads granted, not yet in the FIFO
  logic        drain_d, drain_q, halt_d, halt_q;
  logic        stop;

  // ---------------------------------------------------------------------------
  // AW engine state and AW register.
  // ---------------------------------------------------------------------------
  logic          ae_busy_d, ae_busy_q;
  logic [31:0]   ae_rstride_d, ae_rstride_q, ae_pc_d, ae_pc_q;
  logic [15:0]   ae_ny_d, ae_ny_q, ae_nx_d, ae_nx_q, ae_y_d, ae_y_q, ae_x_d, ae_x_q;
  logic [AW-1:0] ae_raddr_d, ae_raddr_q;  // address of the current output row
  logic          aw_valid_d, aw_valid_q;
  logic [31:0]   aw_addr_d, aw_addr_q, aw_pc_d, aw_pc_q;
  logic [7:0]    aw_len_d, aw_len_q;

  // Burst FIFOs: lengths for the W engine, address and pc for the B side.
  logic          wlen_rvalid, wlen_pop, b_wready, b_rvalid, aw_hs, b_hs;
  logic [7:0]    wlen_head;
  logic [63:0]   b_head;
  logic [BCntW-1:0] b_count, unused_wlen_count;
  logic          fifo_clear;

  // W engine.
  logic [7:0]    wbeat_d, wbeat_q;
  logic          w_valid_d, w_valid_q, w_last_d, w_last_q, w_strb_d, w_strb_q;
  logic [Dim*8-1:0] w_data_d, w_data_q;

  // Output FIFO of post-processed beats.
  logic              pp_valid, out_push, out_rvalid, out_pop;
  logic [Dim*8-1:0]  pp_out, out_head;
  logic [OutCntW-1:0] out_count;
  // Room in the FIFOs is reserved before a read or an AW is issued.
  logic              unused_out_wready, unused_wlen_wready;

  // Errors.
  logic        err_d, err_q, fe_err, ae_err, b_err, err_fire;
  npu_reg_pkg::err_cause_t cause_d, cause_q;
  logic [npu_reg_pkg::ErrCauseW-1:0] fe_cause;
  logic [31:0] eaddr_d, eaddr_q, epc_d, epc_q, fe_eaddr;

  assign stop = drain_q || halt_q || abort_i;

  // ---------------------------------------------------------------------------
  // Front end.
  // ---------------------------------------------------------------------------
  logic take, credit, mis_dst, mis_rs;
  logic [33:0] acc_last;

  assign instr_ready_o = (fe_state_q == FeIdle) && !stop && !clear_i &&
                         ((head.wait_mask & ~tok_avail_i) == '0);
  assign take          = instr_valid_i && instr_ready_o;
  assign tok_take_o    = take ? head.wait_mask : '0;
  // A read may be issued if its result and every earlier one fit in the FIFO.
  assign credit   = (34'(rows_q) + 34'(out_count)) < 34'(OutDepth);
  assign mis_dst  = (f_dst & (Dim - 1)) != 0;
  assign mis_rs   = (f_rstride & (Dim - 1)) != 0;
  assign acc_last = 34'(f_acc_row) + total_q - 34'd1;

  // Any lane's shift outside [-31, 30].
  logic shift_bad;
  always_comb begin
    shift_bad = 1'b0;
    for (int unsigned l = 0; l < Dim; l++) begin
      if ($signed(shift_q[l*8 +: 8]) < -8'sd31 || $signed(shift_q[l*8 +: 8]) > 8'sd30) begin
        shift_bad = 1'b1;
      end
    end
  end

  always_comb begin
    instr_d    = instr_q;
    pc_d       = pc_q;
    fe_state_d = fe_state_q;
    total_d    = total_q;
    ridx_d     = ridx_q;
    pidx_d     = pidx_q;
    pcap_d     = 1'b0;
    pcap_idx_d = pidx_q;
    bias_d     = bias_q;
    mult_d     = mult_q;
    shift_d    = shift_q;
    zp_d       = zp_q;
    min_d      = min_q;
    max_d      = max_q;
    acc_data_d = 1'b0;
    fe_err     = 1'b0;
    fe_cause   = '0;
    fe_eaddr   = '0;
    p_re_o     = 1'b0;
    p_raddr_o  = PW'(f_p_row) + PW'(pidx_q);
    acc_re_o   = 1'b0;
    acc_raddr_o = AccW'(f_acc_row) + AccW'(ridx_q);
    tok_give_o = '0;
    // Hand-off to the AW engine.
    ae_busy_d    = ae_busy_q;
    ae_rstride_d = ae_rstride_q;
    ae_pc_d      = ae_pc_q;
    ae_ny_d      = ae_ny_q;
    ae_nx_d      = ae_nx_q;
    ae_y_d       = ae_y_q;
    ae_x_d       = ae_x_q;
    ae_raddr_d   = ae_raddr_q;

    // A parameter row read last cycle arrives now.
    for (int unsigned i = 0; i < 4; i++) begin
      if (pcap_q && (pcap_idx_q == 4'(i))) begin
        bias_d[i*Dim*8 +: Dim*8] = p_rdata_i;
      end
      if (pcap_q && (pcap_idx_q == 4'(i + 4))) begin
        mult_d[i*Dim*8 +: Dim*8] = p_rdata_i;
      end
    end
    if (pcap_q && (pcap_idx_q == 4'd8)) begin
      shift_d = p_rdata_i;
    end

    unique case (fe_state_q)
      FeIdle: begin
        if (take) begin
          instr_d    = instr_i;
          pc_d       = pc_i;
          fe_state_d = FeSetup;
        end
      end
      FeSetup: begin
        total_d    = 34'(f_ny) * 34'(f_nx);
        fe_state_d = FeCheck;
      end
      FeCheck: begin
        ridx_d = '0;
        pidx_d = '0;
        if (f_opcode != npu_isa_pkg::OpStore) begin
          fe_err   = 1'b1;
          fe_cause = CauseIllegal;
        end else if ($signed(f_min) > $signed(f_max)) begin
          // An empty clamp range is a malformed instruction, even on a no-op.
          fe_err   = 1'b1;
          fe_cause = CauseIllegal;
        end else if (total_q == '0) begin
          // No-op: tokens still move.
          tok_give_o = f_signal;
          fe_state_d = FeIdle;
        end else if ((17'(f_p_row) + 17'd8 >= 17'(SpadPRows)) ||
                     (acc_last >= 34'(AccRows))) begin
          fe_err   = 1'b1;
          fe_cause = CauseIllegal;
        end else if (mis_dst || mis_rs) begin
          fe_err   = 1'b1;
          fe_cause = CauseAddr;
          fe_eaddr = mis_dst ? f_dst : f_rstride;
        end else begin
          fe_state_d = FeParam;
        end
      end
      FeParam: begin
        p_re_o     = 1'b1;
        pcap_d     = 1'b1;
        pidx_d     = pidx_q + 4'd1;
        if (pidx_q == 4'd8) begin
          fe_state_d = FeShift;
        end
      end
      FeShift: begin
        // The shift row is captured into shift_q this cycle.
        fe_state_d = FeStart;
      end
      FeStart: begin
        if (shift_bad) begin
          // Shifts outside [-31, 30] have no defined requantization.
          fe_err   = 1'b1;
          fe_cause = CauseIllegal;
        end else if (!ae_busy_q) begin
          // The AW engine keeps its own copy of the burst walk.
          ae_busy_d    = 1'b1;
          ae_rstride_d = f_rstride;
          ae_pc_d      = pc_q;
          ae_ny_d      = f_ny;
          ae_nx_d      = f_nx;
          ae_y_d       = '0;
          ae_x_d       = '0;
          ae_raddr_d   = AW'(f_dst);
          zp_d         = f_zp;
          min_d        = f_min;
          max_d        = f_max;
          fe_state_d   = FeStream;
        end
      end
      FeStream: begin
        acc_re_o = credit;
        if (credit && acc_gnt_i) begin
          acc_data_d = 1'b1;
          ridx_d     = ridx_q + 34'd1;
          if (ridx_q == total_q - 34'd1) begin
            fe_state_d = FeDone;
          end
        end
      end
      FeDone: begin
        // The last row is being captured by the postproc pipeline.
        tok_give_o = f_signal;
        fe_state_d = FeIdle;
      end
      default: fe_state_d = FeIdle;
    endcase

    // clear_i: control state only; data registers keep their values.
    if (stop || clear_i) begin
      fe_state_d = FeIdle;
      pcap_d     = 1'b0;
      fe_err     = 1'b0;
      p_re_o     = 1'b0;
      acc_re_o   = 1'b0;
      acc_data_d = 1'b0;
      tok_give_o = '0;
    end
  end

  // Reads in flight to the output FIFO.
  always_comb begin
    rows_d = rows_q + OutCntW'(acc_re_o && acc_gnt_i) - OutCntW'(pp_valid);
    if (stop || clear_i) begin
      rows_d = '0;
    end
  end

  npu_postproc #(
    .Dim (Dim)
  ) u_postproc (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .clear_i   (clear_i || stop),
    .en_i      (1'b1),
    .valid_i   (acc_data_q && !stop),
    .acc_i     (acc_rdata_i),
    .bias_i    (bias_q),
    .mult_i    (mult_q),
    .shift_i   (shift_q),
    .out_zp_i  (zp_q),
    .act_min_i (min_q),
    .act_max_i (max_q),
    .valid_o   (pp_valid),
    .out_o     (pp_out)
  );

  assign out_push = pp_valid && !stop;

  npu_fifo #(
    .Width (Dim * 8),
    .Depth (OutDepth)
  ) u_out_fifo (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .clear_i  (fifo_clear || stop),
    .wvalid_i (out_push),
    .wready_o (unused_out_wready),
    .wdata_i  (pp_out),
    .rvalid_o (out_rvalid),
    .rready_i (out_pop),
    .rdata_o  (out_head),
    .count_o  (out_count)
  );

  // ---------------------------------------------------------------------------
  // AW engine: one burst per cycle when the AW register and the B FIFO have
  // room.
  // ---------------------------------------------------------------------------
  logic [16:0]   rem_x, to_4k, blen;
  logic [AW-1:0] baddr, bend;
  logic          win_ok, ae_fire;

  npu_win_check #(
    .AddrW(AW)
  ) u_win_check (
    .start_i    (baddr),
    .end_i      (bend),
    .win_base_i (win_base_i),
    .win_size_i (win_size_i),
    .ok_o       (win_ok)
  );

  always_comb begin
    rem_x   = 17'(ae_nx_q) - 17'(ae_x_q);
    baddr   = ae_raddr_q + (AW'(ae_x_q) << DimLog);
    to_4k   = (17'h1000 - 17'(baddr[11:0])) >> DimLog;
    blen    = rem_x;
    if (17'd256 < blen) blen = 17'd256;
    if (to_4k < blen) blen = to_4k;
    bend    = baddr + (AW'(blen) << DimLog);
  end

  always_comb begin
    ae_err  = 1'b0;
    ae_fire = 1'b0;
    if (ae_busy_q && !stop) begin
      if (!win_ok) begin
        ae_err = 1'b1;
      end else if (!b_err && !fe_err && (!aw_valid_q || m_aw_ready_i) &&
                   ((32'(b_count) + 32'(aw_valid_q)) < 32'(MaxWrites))) begin
        ae_fire = 1'b1;
      end
    end
  end

  // AE walk registers are written both by the FE hand-off and here; the
  // hand-off only happens while the engine is not busy, so the two never
  // collide. The *_d values from the FE block are refined in this block.
  logic          ae_busy_n;
  logic [15:0]   ae_y_n, ae_x_n;
  logic [AW-1:0] ae_raddr_n;

  always_comb begin
    ae_busy_n  = ae_busy_d;
    ae_y_n     = ae_y_d;
    ae_x_n     = ae_x_d;
    ae_raddr_n = ae_raddr_d;
    aw_valid_d = aw_valid_q && !m_aw_ready_i;
    aw_addr_d  = aw_addr_q;
    aw_len_d   = aw_len_q;
    aw_pc_d    = aw_pc_q;
    if (ae_fire) begin
      aw_valid_d = 1'b1;
      aw_addr_d  = baddr[31:0];
      aw_len_d   = 8'(blen - 17'd1);
      aw_pc_d    = ae_pc_q;
      ae_x_n     = ae_x_q + blen[15:0];
      if (17'(ae_x_q) + blen == 17'(ae_nx_q)) begin
        ae_x_n     = '0;
        ae_y_n     = ae_y_q + 16'd1;
        ae_raddr_n = ae_raddr_q + AW'(ae_rstride_q);
        if (ae_y_q == ae_ny_q - 16'd1) begin
          ae_busy_n = 1'b0;
        end
      end
    end
    if (stop || clear_i) begin
      ae_busy_n = 1'b0;
    end
    if (clear_i) begin
      aw_valid_d = 1'b0;
    end
  end

  assign aw_hs        = aw_valid_q && m_aw_ready_i;
  assign m_aw_valid_o = aw_valid_q;
  assign m_aw_addr_o  = aw_addr_q;
  assign m_aw_len_o   = aw_len_q;
  assign m_aw_size_o  = 3'(DimLog);
  assign m_aw_burst_o = 2'b01;
  assign m_aw_id_o    = 2'(AxiId);

  // Bursts accepted on AW: their lengths for the W engine ...
  npu_fifo #(
    .Width (8),
    .Depth (MaxWrites)
  ) u_wlen_fifo (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .clear_i  (fifo_clear),
    .wvalid_i (aw_hs),
    .wready_o (unused_wlen_wready),
    .wdata_i  (aw_len_q),
    .rvalid_o (wlen_rvalid),
    .rready_i (wlen_pop),
    .rdata_o  (wlen_head),
    .count_o  (unused_wlen_count)
  );

  // ... and their address and pc for the B response (B follows the last W
  // beat, so this FIFO is never emptier than the length FIFO).
  npu_fifo #(
    .Width (64),
    .Depth (MaxWrites)
  ) u_b_fifo (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .clear_i  (fifo_clear),
    .wvalid_i (aw_hs),
    .wready_o (b_wready),
    .wdata_i  ({aw_pc_q, aw_addr_q}),
    .rvalid_o (b_rvalid),
    .rready_i (b_hs),
    .rdata_o  (b_head),
    .count_o  (b_count)
  );

  // ---------------------------------------------------------------------------
  // W engine: an output register loaded with the next beat of the oldest
  // announced burst; after a stop the remaining beats carry WSTRB = 0.
  // ---------------------------------------------------------------------------
  logic w_load, w_src;

  // An error found this cycle already turns the next beat into a filler.
  logic w_stop;
  assign w_stop = stop || err_fire;

  always_comb begin
    w_src     = wlen_rvalid && (w_stop || out_rvalid);
    w_load    = w_src && (!w_valid_q || m_w_ready_i);
    out_pop   = w_load && !w_stop;
    wlen_pop  = w_load && (wbeat_q == wlen_head);
    wbeat_d   = wbeat_q;
    w_valid_d = w_valid_q && !m_w_ready_i;
    w_data_d  = w_data_q;
    w_strb_d  = w_strb_q;
    w_last_d  = w_last_q;
    if (w_load) begin
      wbeat_d   = wlen_pop ? 8'd0 : wbeat_q + 8'd1;
      w_valid_d = 1'b1;
      w_data_d  = w_stop ? '0 : out_head;
      w_strb_d  = !w_stop;
      w_last_d  = wlen_pop;
    end
    if (clear_i) begin
      wbeat_d   = '0;
      w_valid_d = 1'b0;
    end
  end

  assign m_w_valid_o = w_valid_q;
  assign m_w_data_o  = w_data_q;
  assign m_w_strb_o  = {Dim{w_strb_q}};
  assign m_w_last_o  = w_last_q;

  // B: always ready; every response has its entry in the B FIFO.
  assign m_b_ready_o = 1'b1;
  assign b_hs        = m_b_valid_i && b_rvalid;
  assign b_err       = b_hs && (m_b_resp_i != 2'b00);

  // ---------------------------------------------------------------------------
  // Errors and stopping.
  // ---------------------------------------------------------------------------
  logic drained;
  assign drained = !aw_valid_q && !wlen_rvalid && !b_rvalid && !w_valid_q;

  always_comb begin
    err_fire = !drain_q && !halt_q && (b_err || ae_err || fe_err);
    err_d    = err_fire;
    cause_d  = cause_q;
    eaddr_d  = eaddr_q;
    epc_d    = epc_q;
    if (err_fire) begin
      // Oldest first: B answers older bursts than the AW engine, which works
      // on an instruction at least as old as the front end's.
      if (b_err) begin
        cause_d = CauseResp;
        eaddr_d = b_head[31:0];
        epc_d   = b_head[63:32];
      end else if (ae_err) begin
        cause_d = CauseAddr;
        eaddr_d = baddr[31:0];
        epc_d   = ae_pc_q;
      end else begin
        cause_d = fe_cause;
        eaddr_d = fe_eaddr;
        epc_d   = pc_q;
      end
    end
    drain_d    = (drain_q || abort_i || err_fire) && !halt_q;
    halt_d     = halt_q;
    fifo_clear = 1'b0;
    if (drain_q && drained) begin
      drain_d    = 1'b0;
      halt_d     = 1'b1;
      fifo_clear = 1'b1;
    end
    if (clear_i) begin
      err_d      = 1'b0;
      drain_d    = 1'b0;
      halt_d     = 1'b0;
      fifo_clear = 1'b1;
    end
  end

  assign err_o       = err_q;
  assign err_cause_o = cause_q;
  assign err_addr_o  = eaddr_q;
  assign err_pc_o    = epc_q;

  assign idle_o      = (fe_state_q == FeIdle) && !ae_busy_q && !drain_q && drained &&
                       !out_rvalid && (rows_q == '0) && !acc_data_q;
  assign busy_o      = !idle_o;
  assign stall_dep_o = (fe_state_q == FeIdle) && !stop && instr_valid_i &&
                       ((head.wait_mask & ~tok_avail_i) != '0);
  assign stall_mem_o = (aw_valid_q && !m_aw_ready_i) || (w_valid_q && !m_w_ready_i);

  logic unused_b_wready;
  assign unused_b_wready = b_wready;  // space is reserved before AW is loaded

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      instr_q      <= '0;
      pc_q         <= '0;
      fe_state_q   <= FeIdle;
      total_q      <= '0;
      ridx_q       <= '0;
      pidx_q       <= '0;
      pcap_q       <= 1'b0;
      pcap_idx_q   <= '0;
      bias_q       <= '0;
      mult_q       <= '0;
      shift_q      <= '0;
      zp_q         <= '0;
      min_q        <= '0;
      max_q        <= '0;
      acc_data_q   <= 1'b0;
      rows_q       <= '0;
      drain_q      <= 1'b0;
      halt_q       <= 1'b0;
      ae_busy_q    <= 1'b0;
      ae_rstride_q <= '0;
      ae_pc_q      <= '0;
      ae_ny_q      <= '0;
      ae_nx_q      <= '0;
      ae_y_q       <= '0;
      ae_x_q       <= '0;
      ae_raddr_q   <= '0;
      aw_valid_q   <= 1'b0;
      aw_addr_q    <= '0;
      aw_len_q     <= '0;
      aw_pc_q      <= '0;
      wbeat_q      <= '0;
      w_valid_q    <= 1'b0;
      w_data_q     <= '0;
      w_strb_q     <= 1'b0;
      w_last_q     <= 1'b0;
      err_q        <= 1'b0;
      cause_q      <= '0;
      eaddr_q      <= '0;
      epc_q        <= '0;
    end else begin
      instr_q      <= instr_d;
      pc_q         <= pc_d;
      fe_state_q   <= fe_state_d;
      total_q      <= total_d;
      ridx_q       <= ridx_d;
      pidx_q       <= pidx_d;
      pcap_q       <= pcap_d;
      pcap_idx_q   <= pcap_idx_d;
      bias_q       <= bias_d;
      mult_q       <= mult_d;
      shift_q      <= shift_d;
      zp_q         <= zp_d;
      min_q        <= min_d;
      max_q        <= max_d;
      acc_data_q   <= acc_data_d;
      rows_q       <= rows_d;
      drain_q      <= drain_d;
      halt_q       <= halt_d;
      ae_busy_q    <= ae_busy_n;
      ae_rstride_q <= ae_rstride_d;
      ae_pc_q      <= ae_pc_d;
      ae_ny_q      <= ae_ny_d;
      ae_nx_q      <= ae_nx_d;
      ae_y_q       <= ae_y_n;
      ae_x_q       <= ae_x_n;
      ae_raddr_q   <= ae_raddr_n;
      aw_valid_q   <= aw_valid_d;
      aw_addr_q    <= aw_addr_d;
      aw_len_q     <= aw_len_d;
      aw_pc_q      <= aw_pc_d;
      wbeat_q      <= wbeat_d;
      w_valid_q    <= w_valid_d;
      w_data_q     <= w_data_d;
      w_strb_q     <= w_strb_d;
      w_last_q     <= w_last_d;
      err_q        <= err_d;
      cause_q      <= cause_d;
      eaddr_q      <= eaddr_d;
      epc_q        <= epc_d;
    end
  end

  if ((1 << DimLog) != Dim) begin : gen_dim_check
    $error("npu_store: Dim must be a power of two");
  end

endmodule
