// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Load unit (DMA read side): executes `load` instructions (docs/gen/isa.md).
///
/// Two decoupled halves joined by a descriptor FIFO:
/// - The address generator (AG) walks the window (planes c, rows y, columns x)
///   one segment per cycle. A segment is either a padding run (rows outside
///   [0,h) x [0,w), written with the pad byte, no memory read) or a read burst
///   (INCR, up to 256 beats, never across a 4 KiB boundary; single beats when
///   sx > 1). Each segment is checked against the window before it is issued
///   and pushed into the FIFO as a descriptor. Up to MaxReads bursts are in
///   flight; the AG runs ahead of the data and may start the next instruction.
/// - The write-back side (WB) pops descriptors in order: it writes padding
///   rows itself (one per cycle) and R beats as they arrive, so scratchpad
///   rows are written in program order. A marker descriptor after the last
///   segment of an instruction with signal bits gives those tokens
///   (tok_give_o) once all of the instruction's rows are written.
///
/// Errors are reported once (err_o, registered): illegal fields or rows out
/// of range (checked for the whole instruction before its first access),
/// misaligned address or strides, a burst outside the window (checked per
/// burst before it is issued), RRESP != OKAY (that beat is not written). An
/// error or abort_i stops the unit: nothing more is issued or written, an AR
/// already presented stays valid until accepted, outstanding R beats are
/// accepted and dropped; then the unit stays halted (idle, instr_ready_o low)
/// until clear_i.
module npu_load #(
  parameter int unsigned Dim       = 16,    ///< bytes per row and per beat (power of two)
  parameter int unsigned SpadARows = 8192,  ///< rows of scratchpad A
  parameter int unsigned SpadBRows = 8192,  ///< rows of scratchpad B
  parameter int unsigned SpadPRows = 1152,  ///< rows of scratchpad P
  parameter int unsigned MaxReads  = 16,    ///< read bursts in flight
  parameter int unsigned AxiId     = 1,     ///< ARID of this unit (0..3)
  /// Scratchpad row address width; derived, do not override.
  parameter int unsigned SpW = $clog2((SpadARows > SpadBRows)
                                      ? ((SpadARows > SpadPRows) ? SpadARows : SpadPRows)
                                      : ((SpadBRows > SpadPRows) ? SpadBRows : SpadPRows))
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
  output logic               m_ar_valid_o,      ///< AXI AR valid
  input  logic               m_ar_ready_i,      ///< AXI AR ready
  output logic [31:0]        m_ar_addr_o,       ///< AXI AR address
  output logic [7:0]         m_ar_len_o,        ///< AXI AR beats - 1
  output logic [2:0]         m_ar_size_o,       ///< AXI AR size, log2(Dim)
  output logic [1:0]         m_ar_burst_o,      ///< AXI AR burst type (INCR)
  output logic [1:0]         m_ar_id_o,         ///< AXI AR id (AxiId)
  input  logic               m_r_valid_i,       ///< AXI R valid (this id only)
  output logic               m_r_ready_o,       ///< AXI R ready
  input  logic [Dim*8-1:0]   m_r_data_i,        ///< AXI R data
  input  logic [1:0]         m_r_resp_i,        ///< AXI R response
  input  logic               m_r_last_i,        ///< AXI R last beat of a burst
  output logic [2:0]         sp_we_o,           ///< scratchpad write, one-hot A, B, P
  output logic [SpW-1:0]     sp_waddr_o,        ///< scratchpad row
  output logic [Dim*8-1:0]   sp_wdata_o,        ///< scratchpad row data
  output logic               idle_o,            ///< nothing in progress or outstanding
  output logic               err_o,             ///< one-cycle error report
  output npu_reg_pkg::err_cause_t err_cause_o,       ///< ERR_CAUSE bits of the report
  output logic [31:0]        err_addr_o,        ///< address of the failing access
  output logic [31:0]        err_pc_o,          ///< pc of the failing instruction
  output logic               busy_o,            ///< counter event: not idle
  output logic               stall_dep_o,       ///< counter event: waiting for a token
  output logic               stall_mem_o        ///< counter event: waiting on AR or R
);

  localparam int unsigned DimLog = $clog2(Dim);
  localparam int unsigned AW     = 56;  // signed byte addresses before range checks
  localparam int unsigned IxW    = 24;  // signed window coordinates iy, ix
  localparam int unsigned RowW   = 35;  // exact last-row computation
  localparam int unsigned CntW   = $clog2(MaxReads + 1);
  localparam int unsigned DescDepth = MaxReads + 4;

  // Error causes (ERR_CAUSE bit positions).
  // ERR_CAUSE bits, from the register map.
  localparam logic [npu_reg_pkg::ErrCauseW-1:0] CauseIllegal = npu_reg_pkg::ErrCauseW'(1) << npu_reg_pkg::ErrCauseIllegalInstrBit;
  localparam logic [npu_reg_pkg::ErrCauseW-1:0] CauseAddr    = npu_reg_pkg::ErrCauseW'(1) << npu_reg_pkg::ErrCauseAddrRangeBit;
  localparam logic [npu_reg_pkg::ErrCauseW-1:0] CauseResp    = npu_reg_pkg::ErrCauseW'(1) << npu_reg_pkg::ErrCauseAxiRespBit;

  // ---------------------------------------------------------------------------
  // Instruction fields (of the instruction held in instr_q).
  // ---------------------------------------------------------------------------
  logic [255:0] instr_d, instr_q;
  logic [31:0]  pc_d, pc_q;

  npu_isa_pkg::load_instr_t ins;
  npu_isa_pkg::instr_common_t head;  // the queue head: its wait bits

  logic [3:0]  f_opcode;
  logic [npu_isa_pkg::DepW-1:0] f_signal;
  logic [1:0]  f_spad;
  logic [2:0]  f_sy, f_sx;
  logic [7:0]  f_pad, f_nc;
  logic [31:0] f_src, f_cstride, f_rstride;
  logic [15:0] f_dst_row, f_dst_cstride, f_h, f_w, f_y0, f_x0, f_ny, f_nx;

  assign ins           = instr_q;
  assign head          = instr_i;
  assign f_opcode      = ins.opcode;
  assign f_signal      = ins.signal_mask;
  assign f_spad        = ins.spad;
  assign f_sy          = ins.sy;
  assign f_sx          = ins.sx;
  assign f_pad         = ins.pad;
  assign f_nc          = ins.nc;
  assign f_src         = ins.src_addr;
  assign f_cstride     = ins.src_c_stride;
  assign f_rstride     = ins.src_row_stride;
  assign f_dst_row     = ins.dst_row;
  assign f_dst_cstride = ins.dst_c_stride;
  assign f_h           = ins.h;
  assign f_w           = ins.w;
  assign f_y0          = ins.y0;
  assign f_x0          = ins.x0;
  assign f_ny          = ins.ny;
  assign f_nx          = ins.nx;

  // The wait bits are consumed from the queue head when it is taken.
  logic unused_instr;
  assign unused_instr = ^{head.rsvd8, head.signal_mask, head.opcode, ins.wait_mask};

  // ---------------------------------------------------------------------------
  // Descriptor FIFO between the address generator and the write-back side.
  // cnt == 0 marks the end of an instruction that signals (sig set).
  // ---------------------------------------------------------------------------
  typedef struct packed {
    logic           burst;  // 1: R beats, 0: padding rows or marker
    logic [npu_isa_pkg::DepW-1:0] sig;  // marker: signal bits to give when popped
    logic [1:0]     spad;   // destination scratchpad
    logic [7:0]     pad;    // padding byte
    logic [15:0]    cnt;    // rows (beats)
    logic [SpW-1:0] row;    // first scratchpad row
    logic [31:0]    addr;   // first beat address (bursts), for error reports
    logic [31:0]    pc;     // instruction, for error reports
  } desc_t;

  // Width of desc_t, spelled out because Yosys 0.23 has no $bits(type).
  localparam int unsigned DescW = 91 + npu_isa_pkg::DepW + SpW;
  desc_t desc_w, desc_r;
  logic [$clog2(DescDepth + 1)-1:0] unused_desc_count;
  logic  desc_push, desc_wready, desc_rvalid, desc_pop, desc_clear;

  npu_fifo #(
    .Width (DescW),
    .Depth (DescDepth)
  ) u_desc_fifo (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .clear_i  (desc_clear),
    .wvalid_i (desc_push),
    .wready_o (desc_wready),
    .wdata_i  (desc_w),
    .rvalid_o (desc_rvalid),
    .rready_i (desc_pop),
    .rdata_o  (desc_r),
    .count_o  (unused_desc_count)
  );

  // ---------------------------------------------------------------------------
  // Address generator state.
  // ---------------------------------------------------------------------------
  typedef enum logic [2:0] {
    AgIdle,   // waiting for an instruction
    AgSetup,  // register the products used by the checks and the walk
    AgCheck,  // whole-instruction checks, initialise the walk
    AgRun,    // one segment per cycle
    AgMark    // push the signal marker
  } ag_state_e;

  ag_state_e ag_state_d, ag_state_q;
  logic            drain_d, drain_q;  // stopping: wait for outstanding bursts
  logic            halt_d, halt_q;    // stopped until clear_i
  logic [RowW-1:0] last_row_d, last_row_q;
  logic [AW-1:0]   y0_off_d, y0_off_q;    // y0 * src_row_stride
  logic [AW-1:0]   ystep_d, ystep_q;      // sy * src_row_stride
  logic [7:0]      c_d, c_q;
  logic [15:0]     y_d, y_q, x_d, x_q;
  logic [IxW-1:0]  iy_d, iy_q, ix_d, ix_q;
  logic [SpW-1:0]  row_d, row_q, prow_d, prow_q;  // current row, plane's first row
  logic [AW-1:0]   paddr_d, paddr_q, raddr_d, raddr_q;  // plane and row (ix = 0) addresses

  // AR output register and the count of bursts between AR and last R beat.
  logic            ar_valid_d, ar_valid_q;
  logic [31:0]     ar_addr_d, ar_addr_q;
  logic [7:0]      ar_len_d, ar_len_q;
  logic [CntW-1:0] inflight_d, inflight_q;

  // Registered error report.
  logic        err_d, err_q;
  npu_reg_pkg::err_cause_t cause_d, cause_q;
  logic [31:0] eaddr_d, eaddr_q, epc_d, epc_q;

  // ---------------------------------------------------------------------------
  // Current segment (combinational, from the walk registers).
  // ---------------------------------------------------------------------------
  logic            y_in, x_left, x_right, sx_one, seg_burst, left_short;
  logic [IxW-1:0]  ix_sum;
  logic [16:0]     rem_x, seg_cnt, to_w, to_4k, neg_ix;
  logic [AW-1:0]   seg_addr, seg_end;
  logic            win_ok;
  logic [RowW-1:0] depth;

  npu_win_check #(
    .AddrW(AW)
  ) u_win_check (
    .start_i    (seg_addr),
    .end_i      (seg_end),
    .win_base_i (win_base_i),
    .win_size_i (win_size_i),
    .ok_o       (win_ok)
  );

  always_comb begin
    sx_one  = (f_sx == 3'd1);
    y_in    = !iy_q[IxW-1] && (iy_q < IxW'(f_h));
    x_left  = ix_q[IxW-1];
    x_right = !ix_q[IxW-1] && (ix_q >= IxW'(f_w));
    rem_x   = 17'(f_nx) - 17'(x_q);
    ix_sum  = ix_q + IxW'(rem_x);
    // -ix when ix < 0; only used when -ix < rem_x, so it fits.
    neg_ix  = 17'(IxW'(0) - ix_q);
    left_short = !ix_sum[IxW-1] && (ix_sum != '0);  // ix + rem_x > 0
    to_w    = 17'(f_w) - 17'(ix_q);
    seg_addr = raddr_q + ({{(AW-IxW){ix_q[IxW-1]}}, ix_q} << DimLog);
    to_4k   = (17'h1000 - 17'(seg_addr[11:0])) >> DimLog;
    seg_burst = 1'b0;
    if (!y_in || x_right) begin
      seg_cnt = rem_x;
    end else if (x_left) begin
      // Left padding: min(-ix, columns left) columns when sx == 1 (ix then
      // steps by one), single columns otherwise.
      seg_cnt = 17'd1;
      if (sx_one) begin
        seg_cnt = left_short ? neg_ix : rem_x;
      end
    end else begin
      seg_burst = 1'b1;
      seg_cnt   = 17'd1;
      if (sx_one) begin
        seg_cnt = rem_x;
        if (to_w < seg_cnt) seg_cnt = to_w;
        if (17'd256 < seg_cnt) seg_cnt = 17'd256;
        if (to_4k < seg_cnt) seg_cnt = to_4k;
      end
    end
    seg_end = seg_addr + (AW'(seg_cnt) << DimLog);
    unique case (ins.spad)
      npu_isa_pkg::SpadA: depth = RowW'(SpadARows);
      npu_isa_pkg::SpadB: depth = RowW'(SpadBRows);
      default:            depth = RowW'(SpadPRows);
    endcase
  end

  // ---------------------------------------------------------------------------
  // Address generator control, AR register, write-back side, errors.
  // ---------------------------------------------------------------------------
  logic take, ag_err, wb_err, err_fire, seg_fire, r_hs, r_last_hs, drained;
  logic [npu_reg_pkg::ErrCauseW-1:0] ag_cause;
  logic [31:0] ag_eaddr, wb_eaddr;
  logic [15:0] wb_idx_d, wb_idx_q;
  logic        mis_src, mis_cs, mis_rs;
  logic [16:0] x_next;
  logic [IxW-1:0] ix_next;

  assign instr_ready_o = (ag_state_q == AgIdle) && !drain_q && !halt_q && !abort_i && !clear_i &&
                         ((head.wait_mask & ~tok_avail_i) == '0);
  assign take          = instr_valid_i && instr_ready_o;
  assign tok_take_o    = take ? head.wait_mask : '0;
  assign r_hs            = m_r_valid_i && m_r_ready_o;
  assign r_last_hs       = r_hs && m_r_last_i;
  assign drained         = !ar_valid_q && (inflight_q == '0);

  assign mis_src = (f_src & (Dim - 1)) != 0;
  assign mis_cs  = (f_cstride & (Dim - 1)) != 0;
  assign mis_rs  = (f_rstride & (Dim - 1)) != 0;
  assign x_next  = 17'(x_q) + seg_cnt;
  assign ix_next = sx_one ? (ix_q + IxW'(seg_cnt)) : (ix_q + IxW'(f_sx));

  always_comb begin
    instr_d    = instr_q;
    pc_d       = pc_q;
    ag_state_d = ag_state_q;
    last_row_d = last_row_q;
    y0_off_d   = y0_off_q;
    ystep_d    = ystep_q;
    c_d        = c_q;
    y_d        = y_q;
    x_d        = x_q;
    iy_d       = iy_q;
    ix_d       = ix_q;
    row_d      = row_q;
    prow_d     = prow_q;
    paddr_d    = paddr_q;
    raddr_d    = raddr_q;
    ag_err     = 1'b0;
    ag_cause   = '0;
    ag_eaddr   = '0;
    seg_fire   = 1'b0;
    desc_push  = 1'b0;
    desc_w     = '0;
    desc_w.spad = f_spad;
    desc_w.pad  = f_pad;
    desc_w.pc   = pc_q;

    unique case (ag_state_q)
      AgIdle: begin
        if (take) begin
          instr_d    = instr_i;
          pc_d       = pc_i;
          ag_state_d = AgSetup;
        end
      end
      AgSetup: begin
        last_row_d = RowW'(f_dst_row) + (RowW'(f_nc) - RowW'(1)) * RowW'(f_dst_cstride)
                   + RowW'(f_ny) * RowW'(f_nx) - RowW'(1);
        y0_off_d   = $signed({{(AW-16){f_y0[15]}}, f_y0}) * $signed(AW'(f_rstride));
        ystep_d    = AW'(f_sy) * AW'(f_rstride);
        ag_state_d = AgCheck;
      end
      AgCheck: begin
        c_d     = '0;
        y_d     = '0;
        x_d     = '0;
        iy_d    = {{(IxW-16){f_y0[15]}}, f_y0};
        ix_d    = {{(IxW-16){f_x0[15]}}, f_x0};
        row_d   = SpW'(f_dst_row);
        prow_d  = SpW'(f_dst_row);
        paddr_d = AW'(f_src);
        raddr_d = AW'(f_src) + y0_off_q;
        if ((f_opcode != npu_isa_pkg::OpLoad) || (ins.spad > npu_isa_pkg::SpadP) ||
            (f_sy == 3'd0) || (f_sx == 3'd0)) begin
          ag_err   = 1'b1;
          ag_cause = CauseIllegal;
        end else if ((f_nc == '0) || (f_ny == '0) || (f_nx == '0)) begin
          ag_state_d = (f_signal != '0) ? AgMark : AgIdle;  // no-op, tokens still move
        end else if (last_row_q >= depth) begin
          ag_err   = 1'b1;
          ag_cause = CauseIllegal;
        end else if (mis_src || mis_cs || mis_rs) begin
          ag_err   = 1'b1;
          ag_cause = CauseAddr;
          ag_eaddr = mis_src ? f_src : (mis_cs ? f_cstride : f_rstride);
        end else begin
          ag_state_d = AgRun;
        end
      end
      AgRun: begin
        desc_w.burst = seg_burst;
        desc_w.cnt   = seg_cnt[15:0];
        desc_w.row   = row_q;
        desc_w.addr  = seg_addr[31:0];
        if (seg_burst && !win_ok) begin
          ag_err   = 1'b1;
          ag_cause = CauseAddr;
          ag_eaddr = seg_addr[31:0];
        end else if (desc_wready && (!seg_burst ||
                     ((!ar_valid_q || m_ar_ready_i) && (inflight_q < CntW'(MaxReads))))) begin
          seg_fire  = 1'b1;
          desc_push = 1'b1;
        end
        if (seg_fire) begin
          x_d   = x_next[15:0];
          ix_d  = ix_next;
          row_d = row_q + SpW'(seg_cnt);
          if (x_next == 17'(f_nx)) begin
            // End of a window row.
            x_d  = '0;
            ix_d = {{(IxW-16){f_x0[15]}}, f_x0};
            if (y_q == f_ny - 16'd1) begin
              // End of a plane.
              y_d     = '0;
              iy_d    = {{(IxW-16){f_y0[15]}}, f_y0};
              c_d     = c_q + 8'd1;
              paddr_d = paddr_q + AW'(f_cstride);
              raddr_d = paddr_q + AW'(f_cstride) + y0_off_q;
              prow_d  = prow_q + SpW'(f_dst_cstride);
              row_d   = prow_q + SpW'(f_dst_cstride);
              if (c_q == f_nc - 8'd1) begin
                ag_state_d = (f_signal != '0) ? AgMark : AgIdle;
              end
            end else begin
              y_d     = y_q + 16'd1;
              iy_d    = iy_q + IxW'(f_sy);
              raddr_d = raddr_q + ystep_q;
            end
          end
        end
      end
      AgMark: begin
        desc_w.sig = f_signal;
        if (desc_wready) begin
          desc_push  = 1'b1;
          ag_state_d = AgIdle;
        end
      end
      default: ag_state_d = AgIdle;
    endcase

    // Stopping: nothing new is generated, also not in the cycle in which the
    // write-back side finds an error.
    if (drain_q || halt_q || abort_i || wb_err || clear_i) begin
      ag_state_d = AgIdle;
      seg_fire   = 1'b0;
      desc_push  = 1'b0;
      ag_err     = 1'b0;
    end
  end

  // AR register: loaded by a burst segment, held until accepted (also while
  // aborting, as AXI requires).
  always_comb begin
    ar_valid_d = ar_valid_q && !m_ar_ready_i;
    ar_addr_d  = ar_addr_q;
    ar_len_d   = ar_len_q;
    if (seg_fire && seg_burst) begin
      ar_valid_d = 1'b1;
      ar_addr_d  = seg_addr[31:0];
      ar_len_d   = 8'(seg_cnt - 17'd1);
    end
    inflight_d = inflight_q + CntW'(seg_fire && seg_burst) - CntW'(r_last_hs);
    // clear_i: control state only; data registers keep their values.
    if (clear_i) begin
      ar_valid_d = 1'b0;
      inflight_d = '0;
    end
  end

  assign m_ar_valid_o = ar_valid_q;
  assign m_ar_addr_o  = ar_addr_q;
  assign m_ar_len_o   = ar_len_q;
  assign m_ar_size_o  = 3'(DimLog);
  assign m_ar_burst_o = 2'b01;
  assign m_ar_id_o    = 2'(AxiId);

  // Write-back side.
  always_comb begin
    wb_idx_d    = wb_idx_q;
    desc_pop    = 1'b0;
    m_r_ready_o = 1'b0;
    sp_we_o     = '0;
    sp_waddr_o  = desc_r.row + SpW'(wb_idx_q);
    sp_wdata_o  = {Dim{desc_r.pad}};
    tok_give_o  = '0;
    wb_err      = 1'b0;
    wb_eaddr    = desc_r.addr + ({16'd0, wb_idx_q} << DimLog);
    if (drain_q || halt_q) begin
      m_r_ready_o = 1'b1;  // accept and drop
    end else if (desc_rvalid) begin
      if (desc_r.burst) begin
        m_r_ready_o = 1'b1;
        sp_wdata_o  = m_r_data_i;
        if (m_r_valid_i) begin
          if (m_r_resp_i != 2'b00) begin
            wb_err = 1'b1;
          end else begin
            sp_we_o[desc_r.spad] = 1'b1;
          end
        end
      end else if (desc_r.cnt != '0) begin
        sp_we_o[desc_r.spad] = 1'b1;
      end
      if (!desc_r.burst || m_r_valid_i) begin
        wb_idx_d = wb_idx_q + 16'd1;
        if ((desc_r.cnt == '0) || (wb_idx_q == desc_r.cnt - 16'd1)) begin
          desc_pop   = 1'b1;
          wb_idx_d   = '0;
          tok_give_o = desc_r.sig;
        end
      end
    end
    if (abort_i) begin
      sp_we_o    = '0;
      tok_give_o = '0;
    end
    if (clear_i) begin
      wb_idx_d = '0;
    end
  end

  // Error report and stopping.
  always_comb begin
    err_fire = !drain_q && !halt_q && (ag_err || wb_err);
    err_d    = err_fire;
    cause_d  = cause_q;
    eaddr_d  = eaddr_q;
    epc_d    = epc_q;
    if (err_fire) begin
      // The write-back side works on older instructions: it reports first.
      cause_d = wb_err ? CauseResp : ag_cause;
      eaddr_d = wb_err ? wb_eaddr : ag_eaddr;
      epc_d   = wb_err ? desc_r.pc : pc_q;
    end
    drain_d    = (drain_q || abort_i || err_fire) && !halt_q;
    halt_d     = halt_q;
    desc_clear = 1'b0;
    if (drain_q && drained) begin
      drain_d    = 1'b0;
      halt_d     = 1'b1;
      desc_clear = 1'b1;
    end
    if (clear_i) begin
      err_d      = 1'b0;
      drain_d    = 1'b0;
      halt_d     = 1'b0;
      desc_clear = 1'b1;
    end
  end

  assign err_o       = err_q;
  assign err_cause_o = cause_q;
  assign err_addr_o  = eaddr_q;
  assign err_pc_o    = epc_q;

  assign idle_o      = (ag_state_q == AgIdle) && !drain_q && drained && !desc_rvalid;
  assign busy_o      = !idle_o;
  assign stall_dep_o = (ag_state_q == AgIdle) && !drain_q && !halt_q && instr_valid_i &&
                       ((head.wait_mask & ~tok_avail_i) != '0);
  assign stall_mem_o = (ar_valid_q && !m_ar_ready_i) ||
                       (!drain_q && !halt_q && desc_rvalid && desc_r.burst && !m_r_valid_i);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      instr_q    <= '0;
      pc_q       <= '0;
      ag_state_q <= AgIdle;
      drain_q    <= 1'b0;
      halt_q     <= 1'b0;
      last_row_q <= '0;
      y0_off_q   <= '0;
      ystep_q    <= '0;
      c_q        <= '0;
      y_q        <= '0;
      x_q        <= '0;
      iy_q       <= '0;
      ix_q       <= '0;
      row_q      <= '0;
      prow_q     <= '0;
      paddr_q    <= '0;
      raddr_q    <= '0;
      ar_valid_q <= 1'b0;
      ar_addr_q  <= '0;
      ar_len_q   <= '0;
      inflight_q <= '0;
      wb_idx_q   <= '0;
      err_q      <= 1'b0;
      cause_q    <= '0;
      eaddr_q    <= '0;
      epc_q      <= '0;
    end else begin
      instr_q    <= instr_d;
      pc_q       <= pc_d;
      ag_state_q <= ag_state_d;
      drain_q    <= drain_d;
      halt_q     <= halt_d;
      last_row_q <= last_row_d;
      y0_off_q   <= y0_off_d;
      ystep_q    <= ystep_d;
      c_q        <= c_d;
      y_q        <= y_d;
      x_q        <= x_d;
      iy_q       <= iy_d;
      ix_q       <= ix_d;
      row_q      <= row_d;
      prow_q     <= prow_d;
      paddr_q    <= paddr_d;
      raddr_q    <= raddr_d;
      ar_valid_q <= ar_valid_d;
      ar_addr_q  <= ar_addr_d;
      ar_len_q   <= ar_len_d;
      inflight_q <= inflight_d;
      wb_idx_q   <= wb_idx_d;
      err_q      <= err_d;
      cause_q    <= cause_d;
      eaddr_q    <= eaddr_d;
      epc_q      <= epc_d;
    end
  end

  if ((1 << DimLog) != Dim) begin : gen_dim_check
    $error("npu_load: Dim must be a power of two");
  end

endmodule
