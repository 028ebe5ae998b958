// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_assert.svh"

/// Address generator of the load unit.
///
/// Takes a `load` instruction when the tokens it waits for are there (1
/// cycle), computes the products the checks and the walk need (1 cycle),
/// checks the instruction as a whole (1 cycle), then walks planes, window
/// rows and columns, emitting one segment per cycle into the descriptor
/// FIFO: a padding run (rows outside [0,h) x [0,w): no memory access) or a
/// read burst (INCR; with sx = 1 the in-bounds columns of a window row split
/// by npu_burst_split, with sx > 1 single beats), checked against the window
/// before its AR is loaded. At most MaxReads bursts are between AR and their
/// last R beat. An instruction with signal bits ends with a marker. The walk
/// runs ahead of the data and takes the next instruction while earlier data
/// are still in flight.
///
/// An error is offered combinationally (err_req_o); stop_i (the unit is
/// stopping, or its write-back side reports an older error this cycle)
/// suppresses every new segment and drops the instruction. The AR register
/// keeps a request already shown until it is accepted, as AXI requires.
module npu_load_ag #(
  parameter int unsigned Dim       = npu_config_pkg::DefaultDim,        ///< bytes per row and beat
  parameter int unsigned SpadARows = npu_config_pkg::DefaultSpadARows,  ///< rows of scratchpad A
  parameter int unsigned SpadBRows = npu_config_pkg::DefaultSpadBRows,  ///< rows of scratchpad B
  parameter int unsigned SpadPRows = npu_config_pkg::DefaultSpadPRows,  ///< rows of scratchpad P
  parameter int unsigned MaxReads  = npu_config_pkg::DefaultMaxReads,   ///< read bursts in flight
  parameter int unsigned AxiId     = npu_config_pkg::AxiIdLoad          ///< ARID
) (
  input  logic                          clk_i,          ///< clock
  input  logic                          rst_ni,         ///< asynchronous reset, active low
  input  logic                          clear_i,        ///< soft reset
  input  logic                          stop_i,         ///< generate nothing, drop the instruction
  input  logic                          instr_valid_i,  ///< queue head valid (FWFT)
  output logic                          instr_ready_o,  ///< take the queue head
  input  logic [255:0]                  instr_i,        ///< queue head
  input  logic [31:0]                   pc_i,           ///< its pc
  input  logic [npu_isa_pkg::DepW-1:0]  tok_avail_i,    ///< per wait bit: a token is there
  output logic [npu_isa_pkg::DepW-1:0]  tok_take_o,     ///< per wait bit: take one
  input  logic [31:0]                   win_base_i,     ///< permitted window base
  input  logic [31:0]                   win_size_i,     ///< permitted window size
  output logic                          desc_push_o,    ///< push a segment
  output npu_load_pkg::desc_t           desc_o,         ///< the segment
  output logic [npu_isa_pkg::DepW-1:0]  desc_sig_o,     ///< a marker's signal bits
  input  logic                          desc_wready_i,  ///< the descriptor FIFO has room
  output logic                          m_ar_valid_o,   ///< AXI AR valid
  input  logic                          m_ar_ready_i,   ///< AXI AR ready
  output logic [31:0]                   m_ar_addr_o,    ///< AXI AR address
  output logic [7:0]                    m_ar_len_o,     ///< AXI AR beats - 1
  output logic [2:0]                    m_ar_size_o,    ///< AXI AR size, log2(Dim)
  output logic [1:0]                    m_ar_burst_o,   ///< AXI AR burst (INCR)
  output logic [1:0]                    m_ar_id_o,      ///< AXI AR id
  input  logic                          r_last_i,       ///< a burst's last R beat was accepted
  output logic                          err_req_o,      ///< an error found this cycle
  output npu_reg_pkg::err_cause_t       err_cause_o,    ///< its cause
  output logic [31:0]                   err_addr_o,     ///< its address
  output logic [31:0]                   err_pc_o,       ///< its instruction
  output logic                          idle_o,         ///< no instruction held
  output logic                          drained_o,      ///< no AR shown, no burst outstanding
  output logic                          stall_dep_o,    ///< counter event: head waits for a token
  output logic                          stall_ar_o      ///< counter event: AR shown, not accepted
);

  localparam int unsigned DimLog = $clog2(Dim);
  localparam int unsigned AW     = 56;  // signed byte addresses before range checks
  localparam int unsigned IxW    = 24;  // signed window coordinates iy, ix
  localparam int unsigned RowW   = 35;  // exact last-row computation
  localparam int unsigned CntW   = $clog2(MaxReads + 1);
  localparam int unsigned CW     = npu_reg_pkg::ErrCauseW;

  localparam logic [CW-1:0] CauseIllegal = CW'(1) << npu_reg_pkg::ErrCauseIllegalInstrBit;
  localparam logic [CW-1:0] CauseAddr    = CW'(1) << npu_reg_pkg::ErrCauseAddrRangeBit;

  // ---------------------------------------------------------------------------
  // The instruction held (ins) and the queue head (head: its wait bits).
  // ---------------------------------------------------------------------------
  logic [255:0]               instr_d, instr_q;
  logic [31:0]                pc_d, pc_q;
  npu_isa_pkg::load_instr_t   ins;
  npu_isa_pkg::instr_common_t head;

  assign ins  = instr_q;
  assign head = instr_i;

  // The wait bits were used when the instruction was taken; the unit checks
  // every other field.
  logic unused_instr;
  assign unused_instr = ^{head.rsvd8, head.signal_mask, head.opcode, ins.wait_mask};

  typedef enum logic [2:0] {
    AgIdle,   // waiting for an instruction
    AgSetup,  // register the products used by the checks and the walk
    AgCheck,  // whole-instruction checks, initialise the walk
    AgRun,    // one segment per cycle
    AgMark    // push the signal marker
  } ag_state_e;

  ag_state_e       state_d, state_q;
  logic [RowW-1:0] last_row_d, last_row_q;
  logic [AW-1:0]   y0_off_d, y0_off_q;    // y0 * src_row_stride
  logic [AW-1:0]   ystep_d, ystep_q;      // sy * src_row_stride
  logic [7:0]      c_d, c_q;
  logic [15:0]     y_d, y_q, x_d, x_q;
  logic [IxW-1:0]  iy_d, iy_q, ix_d, ix_q;
  logic [15:0]     row_d, row_q, prow_d, prow_q;  // current row, plane's first row
  logic [AW-1:0]   paddr_d, paddr_q, raddr_d, raddr_q;  // plane and row (ix = 0) addresses

  // AR register and the count of bursts between AR and last R beat.
  logic            ar_valid_d, ar_valid_q;
  logic [31:0]     ar_addr_d, ar_addr_q;
  logic [7:0]      ar_len_d, ar_len_q;
  logic [CntW-1:0] inflight_d, inflight_q;

  // ---------------------------------------------------------------------------
  // The current segment, from the walk registers.
  // ---------------------------------------------------------------------------
  logic            y_in, x_left, x_right, sx_one, seg_burst, left_short;
  logic [IxW-1:0]  ix_sum;
  logic [16:0]     rem_x, seg_cnt, to_w, neg_ix, burst_cnt;
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

  // A contiguous run (sx = 1) of the in-bounds columns, split into bursts.
  npu_burst_split #(
    .Dim  (Dim),
    .AddrW(AW),
    .CntW (17)
  ) u_split (
    .addr_i  (seg_addr),
    .beats_i ((to_w < rem_x) ? to_w : rem_x),
    .beats_o (burst_cnt)
  );

  assign sx_one     = (ins.sx == 3'd1);
  assign y_in       = !iy_q[IxW-1] && (iy_q < IxW'(ins.h));
  assign x_left     = ix_q[IxW-1];
  assign x_right    = !ix_q[IxW-1] && (ix_q >= IxW'(ins.w));
  assign rem_x      = 17'(ins.nx) - 17'(x_q);
  assign ix_sum     = ix_q + IxW'(rem_x);
  // -ix when ix < 0; only used when -ix < rem_x, so it fits.
  assign neg_ix     = 17'(IxW'(0) - ix_q);
  assign left_short = !ix_sum[IxW-1] && (ix_sum != '0);  // ix + rem_x > 0
  assign to_w       = 17'(ins.w) - 17'(ix_q);
  assign seg_addr   = raddr_q + ({{(AW-IxW){ix_q[IxW-1]}}, ix_q} << DimLog);

  always_comb begin
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
      seg_cnt   = sx_one ? burst_cnt : 17'd1;
    end
    seg_end = seg_addr + (AW'(seg_cnt) << DimLog);
    unique case (ins.spad)
      npu_isa_pkg::SpadA: depth = RowW'(SpadARows);
      npu_isa_pkg::SpadB: depth = RowW'(SpadBRows);
      default:            depth = RowW'(SpadPRows);
    endcase
  end

  // ---------------------------------------------------------------------------
  // Walk and checks.
  // ---------------------------------------------------------------------------
  logic        take, seg_fire, mis_src, mis_cs, mis_rs;
  logic [16:0] x_next;
  logic [IxW-1:0] ix_next;

  assign instr_ready_o = (state_q == AgIdle) && !stop_i && !clear_i &&
                         ((head.wait_mask & ~tok_avail_i) == '0);
  assign take          = instr_valid_i && instr_ready_o;
  assign tok_take_o    = take ? head.wait_mask : '0;

  assign mis_src = (ins.src_addr & (Dim - 1)) != 0;
  assign mis_cs  = (ins.src_c_stride & (Dim - 1)) != 0;
  assign mis_rs  = (ins.src_row_stride & (Dim - 1)) != 0;
  assign x_next  = 17'(x_q) + seg_cnt;
  assign ix_next = sx_one ? (ix_q + IxW'(seg_cnt)) : (ix_q + IxW'(ins.sx));

  always_comb begin
    instr_d     = instr_q;
    pc_d        = pc_q;
    state_d     = state_q;
    last_row_d  = last_row_q;
    y0_off_d    = y0_off_q;
    ystep_d     = ystep_q;
    c_d         = c_q;
    y_d         = y_q;
    x_d         = x_q;
    iy_d        = iy_q;
    ix_d        = ix_q;
    row_d       = row_q;
    prow_d      = prow_q;
    paddr_d     = paddr_q;
    raddr_d     = raddr_q;
    err_req_o   = 1'b0;
    err_cause_o = '0;
    err_addr_o  = '0;
    seg_fire    = 1'b0;
    desc_push_o = 1'b0;
    desc_o      = '0;
    desc_o.spad = ins.spad;
    desc_o.pad  = ins.pad;
    desc_o.pc   = pc_q;
    desc_sig_o  = '0;

    unique case (state_q)
      AgIdle: begin
        if (take) begin
          instr_d = instr_i;
          pc_d    = pc_i;
          state_d = AgSetup;
        end
      end
      AgSetup: begin
        last_row_d = RowW'(ins.dst_row) + (RowW'(ins.nc) - RowW'(1)) * RowW'(ins.dst_c_stride)
                   + RowW'(ins.ny) * RowW'(ins.nx) - RowW'(1);
        y0_off_d   = $signed({{(AW-16){ins.y0[15]}}, ins.y0}) * $signed(AW'(ins.src_row_stride));
        ystep_d    = AW'(ins.sy) * AW'(ins.src_row_stride);
        state_d    = AgCheck;
      end
      AgCheck: begin
        c_d     = '0;
        y_d     = '0;
        x_d     = '0;
        iy_d    = {{(IxW-16){ins.y0[15]}}, ins.y0};
        ix_d    = {{(IxW-16){ins.x0[15]}}, ins.x0};
        row_d   = ins.dst_row;
        prow_d  = ins.dst_row;
        paddr_d = AW'(ins.src_addr);
        raddr_d = AW'(ins.src_addr) + y0_off_q;
        if ((ins.opcode != npu_isa_pkg::OpLoad) || (ins.spad > npu_isa_pkg::SpadP) ||
            (ins.sy == 3'd0) || (ins.sx == 3'd0)) begin
          err_req_o   = 1'b1;
          err_cause_o = CauseIllegal;
        end else if ((ins.nc == '0) || (ins.ny == '0) || (ins.nx == '0)) begin
          state_d = (ins.signal_mask != '0) ? AgMark : AgIdle;  // no-op, tokens still move
        end else if (last_row_q >= depth) begin
          err_req_o   = 1'b1;
          err_cause_o = CauseIllegal;
        end else if (mis_src || mis_cs || mis_rs) begin
          err_req_o   = 1'b1;
          err_cause_o = CauseAddr;
          err_addr_o  = mis_src ? ins.src_addr : (mis_cs ? ins.src_c_stride : ins.src_row_stride);
        end else begin
          state_d = AgRun;
        end
      end
      AgRun: begin
        desc_o.burst = seg_burst;
        desc_o.cnt   = seg_cnt[15:0];
        desc_o.row   = row_q;
        desc_o.addr  = seg_addr[31:0];
        if (seg_burst && !win_ok) begin
          err_req_o   = 1'b1;
          err_cause_o = CauseAddr;
          err_addr_o  = seg_addr[31:0];
        end else if (desc_wready_i && (!seg_burst ||
                     ((!ar_valid_q || m_ar_ready_i) && (inflight_q < CntW'(MaxReads))))) begin
          seg_fire    = 1'b1;
          desc_push_o = 1'b1;
        end
        if (seg_fire) begin
          x_d   = x_next[15:0];
          ix_d  = ix_next;
          row_d = row_q + seg_cnt[15:0];
          if (x_next == 17'(ins.nx)) begin
            // End of a window row.
            x_d  = '0;
            ix_d = {{(IxW-16){ins.x0[15]}}, ins.x0};
            if (y_q == ins.ny - 16'd1) begin
              // End of a plane.
              y_d     = '0;
              iy_d    = {{(IxW-16){ins.y0[15]}}, ins.y0};
              c_d     = c_q + 8'd1;
              paddr_d = paddr_q + AW'(ins.src_c_stride);
              raddr_d = paddr_q + AW'(ins.src_c_stride) + y0_off_q;
              prow_d  = prow_q + ins.dst_c_stride;
              row_d   = prow_q + ins.dst_c_stride;
              if (c_q == ins.nc - 8'd1) begin
                state_d = (ins.signal_mask != '0) ? AgMark : AgIdle;
              end
            end else begin
              y_d     = y_q + 16'd1;
              iy_d    = iy_q + IxW'(ins.sy);
              raddr_d = raddr_q + ystep_q;
            end
          end
        end
      end
      AgMark: begin
        desc_sig_o = ins.signal_mask;
        if (desc_wready_i) begin
          desc_push_o = 1'b1;
          state_d     = AgIdle;
        end
      end
      default: state_d = AgIdle;
    endcase

    // Stopping: nothing new is generated.
    if (stop_i || clear_i) begin
      state_d     = AgIdle;
      seg_fire    = 1'b0;
      desc_push_o = 1'b0;
      err_req_o   = 1'b0;
    end
  end
  assign err_pc_o = pc_q;

  // AR register: loaded by a burst segment, held until accepted (also while
  // stopping, as AXI requires).
  always_comb begin
    ar_valid_d = ar_valid_q && !m_ar_ready_i;
    ar_addr_d  = ar_addr_q;
    ar_len_d   = ar_len_q;
    if (seg_fire && seg_burst) begin
      ar_valid_d = 1'b1;
      ar_addr_d  = seg_addr[31:0];
      ar_len_d   = 8'(seg_cnt - 17'd1);
    end
    inflight_d = inflight_q + CntW'(seg_fire && seg_burst) - CntW'(r_last_i);
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

  assign idle_o      = (state_q == AgIdle);
  assign drained_o   = !ar_valid_q && (inflight_q == '0);
  assign stall_dep_o = (state_q == AgIdle) && !stop_i && instr_valid_i &&
                       ((head.wait_mask & ~tok_avail_i) != '0);
  assign stall_ar_o  = ar_valid_q && !m_ar_ready_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      instr_q    <= '0;
      pc_q       <= '0;
      state_q    <= AgIdle;
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
    end else begin
      instr_q    <= instr_d;
      pc_q       <= pc_d;
      state_q    <= state_d;
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
    end
  end

  // Bursts in flight never exceed MaxReads (the walk waits for a slot).
  `NPU_ASSERT(InflightBound_A, inflight_q <= CntW'(MaxReads), clk_i, rst_ni)
  // A burst never crosses a Boundary (4 KiB) block.
  `NPU_ASSERT(ArBoundary_A, m_ar_valid_o |->
              ((32'(m_ar_addr_o) % npu_config_pkg::Boundary) +
               ((32'(m_ar_len_o) + 1) << DimLog) <= npu_config_pkg::Boundary), clk_i, rst_ni)

  // Cover points (make cov): padding runs (rows outside the input, on the
  // left with sx = 1 several at once), a run of in-bounds columns cut at a
  // 4 KiB boundary, strided single beats, and a burst waiting for a free
  // read slot.
  `NPU_COVER(PadRun_C, seg_fire && !seg_burst, clk_i, rst_ni)
  `NPU_COVER(PadLeftRun_C, seg_fire && x_left && y_in && sx_one && (seg_cnt > 17'd1), clk_i, rst_ni)
  `NPU_COVER(Split4K_C, seg_fire && seg_burst && sx_one && (burst_cnt < rem_x) && (burst_cnt < to_w) &&
             (burst_cnt < 17'(npu_config_pkg::MaxBurst)), clk_i, rst_ni)
  `NPU_COVER(StridedBeat_C, seg_fire && seg_burst && !sx_one, clk_i, rst_ni)
  `NPU_COVER(ReadSlotsFull_C, state_q == AgRun && seg_burst && win_ok && desc_wready_i &&
             (inflight_q == CntW'(MaxReads)), clk_i, rst_ni)

endmodule
