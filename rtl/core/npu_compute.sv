// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Compute unit: executes `compute` instructions (docs/gen/isa.md).
///
/// Five stages, each running ahead of the next:
///
/// 1. Accept: takes an instruction from the queue when every token it waits
///    for is available and takes those tokens in the same cycle.
/// 2. Generate: checks the instruction (opcode, last A/B/acc rows in range;
///    an illegal one raises err_o with cause illegal_instr and is dropped,
///    giving no signals), then emits one descriptor per K chunk. A no-op
///    (m == 0 or nk == 0) with signal bits becomes a marker descriptor, so
///    that its signals stay in program order with the rows before it.
/// 3. Load: reads the chunk's Dim weight rows from B (one per cycle) into the
///    idle weight bank of the array, then queues the chunk for streaming.
///    Banks alternate chunk by chunk. A bank is reloaded only once the last
///    row that used it has passed the array's last column in that array row
///    (BankHold cycles after that row was issued; see npu_systolic_array).
///    While one chunk streams, the next one's weights load into the other
///    bank, so chunks stream back to back when m >= Dim + BankHold + 2.
/// 4. Stream: issues one A row per cycle (A read, then the row enters the
///    array the next cycle with its bank bit and a tag holding the
///    accumulator row, whether to write it, whether to start from zero, and
///    whether it completes a signal_next instruction).
/// 5. Read-modify-write: when a row leaves the array, its accumulator row is
///    read (unless it starts from zero); the next cycle the sum is written.
///
/// Accumulator RAW hazard (stall_hazard_o): a row reads its accumulator row
/// ArrayLatency + 1 cycles after issue and writes it one cycle later. A read
/// in the same cycle as the write returns the old value, so a row that reads
/// must not be issued in the cycle right after a row writing the same
/// accumulator row; rows issued two or more cycles apart are always safe.
/// The streamer therefore compares the row it is about to issue with the
/// row issued in the previous cycle and waits one cycle on a match (no
/// forwarding). Rows within a chunk have distinct addresses, so this only
/// fires across chunks with m == 1; the check is exact, never conservative.
///
/// Signals (tok_give_o): bits towards load pulse the cycle after the
/// instruction's last A read was issued (its B reads all happen earlier);
/// bits towards store pulse in the cycle its last accumulator row is
/// written (the write lands at the end of that cycle, before any read the
/// store unit can make after taking the token). Both are given in program
/// order.
///
/// abort_i flushes every instruction and chunk not yet streamed, starts no
/// new row, B read or instruction while high, and lets the rows already in
/// the array drain (they are still written); idle_o then rises.
module npu_compute #(
  parameter int unsigned Dim       = 16,    ///< array size (Dim x Dim), lanes per row
  parameter int unsigned SpadARows = 8192,  ///< rows of scratchpad A (activations)
  parameter int unsigned SpadBRows = 8192,  ///< rows of scratchpad B (weights)
  parameter int unsigned AccRows   = 2048,  ///< rows of the accumulator memory
  /// A address width; derived, do not override.
  parameter int unsigned AAW = $clog2(SpadARows),
  /// B address width; derived, do not override.
  parameter int unsigned BAW = $clog2(SpadBRows),
  /// Accumulator address width; derived, do not override.
  parameter int unsigned CAW = $clog2(AccRows)
) (
  input  logic               clk_i,             ///< clock
  input  logic               rst_ni,            ///< asynchronous reset, active low
  input  logic               clear_i,           ///< synchronous clear of all state (soft reset)
  input  logic               abort_i,           ///< start nothing new, drain, then idle
  // Instruction queue (first-word fall-through).
  input  logic               instr_valid_i,     ///< an instruction is at the head of the queue
  output logic               instr_ready_o,     ///< the instruction is taken this cycle
  input  logic [255:0]       instr_i,           ///< instruction at the head of the queue
  input  logic [31:0]        pc_i,              ///< its index in the stream
  // Dependency tokens: bit i of each vector is wait / signal bit i of the
  // instruction (the queues npu_isa_pkg::UnitInQueue / UnitOutQueue name).
  input  logic [npu_isa_pkg::DepW-1:0] tok_avail_i,  ///< per wait bit: a token is available
  output logic [npu_isa_pkg::DepW-1:0] tok_take_o,   ///< per wait bit: take one token
  output logic [npu_isa_pkg::DepW-1:0] tok_give_o,   ///< per signal bit: give one token
  // Scratchpad A (1-cycle read latency).
  output logic               a_re_o,            ///< A read enable
  output logic [AAW-1:0]     a_raddr_o,         ///< A read row
  input  logic [Dim*8-1:0]   a_rdata_i,         ///< A row, the cycle after a_re_o
  // Scratchpad B (1-cycle read latency).
  output logic               b_re_o,            ///< B read enable
  output logic [BAW-1:0]     b_raddr_o,         ///< B read row
  input  logic [Dim*8-1:0]   b_rdata_i,         ///< B row, the cycle after b_re_o
  // Accumulator memory, compute ports (1-cycle read latency).
  output logic               acc_re_o,          ///< accumulator read enable
  output logic [CAW-1:0]     acc_raddr_o,       ///< accumulator read row
  input  logic [Dim*32-1:0]  acc_rdata_i,       ///< accumulator row, the cycle after acc_re_o
  output logic               acc_we_o,          ///< accumulator write enable
  output logic [CAW-1:0]     acc_waddr_o,       ///< accumulator write row
  output logic [Dim*32-1:0]  acc_wdata_o,       ///< accumulator write data
  // Status and errors.
  output logic               idle_o,            ///< nothing in progress, pipeline empty
  output logic               err_o,             ///< one-cycle error report
  output npu_reg_pkg::err_cause_t err_cause_o,       ///< ERR_CAUSE bits (bit 0: illegal_instr)
  output logic [31:0]        err_addr_o,        ///< faulting address (always 0 here)
  output logic [31:0]        err_pc_o,          ///< pc of the illegal instruction
  // Counter events.
  output logic               busy_o,            ///< the unit holds work this cycle
  output logic               stall_dep_o,       ///< an instruction waits for a token
  output logic               stall_hazard_o,    ///< waiting for an accumulator hazard or weights
  output logic               row_o              ///< a row entered the array (Dim * Dim MACs)
);

  // ---------------------------------------------------------------------------
  // Constants.
  // ---------------------------------------------------------------------------
  /// Array latency; must match npu_systolic_array (Rows + Cols + 1).
  localparam int unsigned ArrayLatency = 2 * Dim + 1;
  /// Weight row counter width.
  localparam int unsigned RowW = (Dim > 1) ? $clog2(Dim) : 1;
  /// After the last row on a bank is issued, the loader waits this many
  /// cycles before its first B read for that bank. The array allows the first
  /// weight write Cols - 1 cycles after the last row is presented; A and B
  /// reads both reach the array one cycle after issue, so Dim - 2 would be
  /// exact. Dim - 1 keeps one cycle of margin.
  localparam int unsigned BankHold = Dim - 1;
  localparam int unsigned HoldW = $clog2(BankHold + 1);
  /// Dependency mask width.
  localparam int unsigned DepW = npu_isa_pkg::DepW;
  /// Array tag: {signals given when the row is written, zero, write, acc row}.
  localparam int unsigned TagW = CAW + 2 + DepW;
  /// Ready queue entry: {marker, bank, zero, sig_rel, sig_out, m, a, acc}.
  localparam int unsigned FifoW = 3 + 2 * DepW + 16 + AAW + CAW;
  localparam int unsigned FifoDepth = 2;
  /// Rows issued but not yet written fit in this counter.
  localparam int unsigned InflightW = $clog2(ArrayLatency + 4) + 1;

  // ---------------------------------------------------------------------------
  // Stage 1: accept.
  // ---------------------------------------------------------------------------
  logic        flush;       // abort or clear: drop all work not yet streamed
  logic        ins_done;    // stage 2 finishes with the held instruction
  logic        ins_free, tok_ok, accept;
  npu_isa_pkg::compute_instr_t head;

  // Signal bits split by when they are given: those towards a unit that
  // produces our inputs (load) release the scratchpad rows read and are
  // given after the last A read; the others announce accumulator rows and
  // are given when the last one is written.
  logic [DepW-1:0] rel_mask;
  for (genvar i = 0; i < DepW; i++) begin : gen_rel_mask
    localparam int unsigned Q =
        32'(npu_isa_pkg::UnitOutQueue[(npu_isa_pkg::UnitCompute*DepW+i)*8 +: 8]);
    assign rel_mask[i] = npu_isa_pkg::QueueTo[Q*8 +: 8] == 8'(npu_isa_pkg::UnitLoad);
  end

  logic        ins_valid_d, ins_valid_q;
  logic        ins_op_ok_q, ins_acc_q;
  logic [DepW-1:0] ins_sigp_q, ins_sign_q;
  logic [15:0] ins_a_row_q, ins_b_row_q, ins_acc_row_q, ins_m_q, ins_nk_q, ins_stride_q;
  logic [31:0] ins_pc_q;

  assign flush    = abort_i || clear_i;
  assign head     = instr_i;
  // The reserved bits carry nothing.
  logic unused_head;
  assign unused_head = ^{head.rsvd128, head.rsvd9};
  assign tok_ok   = (head.wait_mask & ~tok_avail_i) == '0;
  assign ins_free = !ins_valid_q || ins_done;
  assign accept   = instr_valid_i && ins_free && tok_ok && !flush;

  assign instr_ready_o = accept;
  assign tok_take_o    = accept ? head.wait_mask : '0;
  assign stall_dep_o   = instr_valid_i && ins_free && !tok_ok && !flush;

  always_comb begin
    ins_valid_d = ins_valid_q;
    if (ins_done || flush) begin
      ins_valid_d = 1'b0;
    end
    if (accept) begin
      ins_valid_d = 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ins_valid_q <= 1'b0;
    end else begin
      ins_valid_q <= ins_valid_d;
    end
  end

  // Instruction fields: only meaningful under ins_valid_q, no reset.
  localparam int unsigned InsW = 2 + 2 * DepW + 6 * 16 + 32;
  logic [InsW-1:0] ins_fields_d, ins_fields_q;

  always_comb begin
    ins_fields_d = ins_fields_q;
    if (accept) begin
      ins_fields_d = {
        head.opcode == npu_isa_pkg::OpCompute,
        head.accumulate,
        head.signal_mask & rel_mask,
        head.signal_mask & ~rel_mask,
        head.a_row,
        head.b_row,
        head.acc_row,
        head.m,
        head.nk,
        head.a_k_stride,
        pc_i
      };
    end
  end

  always_ff @(posedge clk_i) begin
    ins_fields_q <= ins_fields_d;
  end

  assign {ins_op_ok_q, ins_acc_q, ins_sigp_q, ins_sign_q, ins_a_row_q, ins_b_row_q,
          ins_acc_row_q, ins_m_q, ins_nk_q, ins_stride_q, ins_pc_q} = ins_fields_q;

  // ---------------------------------------------------------------------------
  // Stage 2: check and generate chunk descriptors.
  // ---------------------------------------------------------------------------
  // Last rows touched by the instruction. 34 bits hold every sum exactly:
  // (2^16 - 1)^2 + 2 * 2^16 < 2^33.
  logic [31:0] a_span;
  logic [33:0] a_last, b_last, acc_last;
  logic        noop, range_ok, illegal;

  always_comb begin
    a_span   = (32'(ins_nk_q) - 32'd1) * 32'(ins_stride_q);
    a_last   = 34'(ins_a_row_q) + 34'(a_span) + 34'(ins_m_q) - 34'd1;
    b_last   = 34'(ins_b_row_q) + 34'(ins_nk_q) * 34'(Dim) - 34'd1;
    acc_last = 34'(ins_acc_row_q) + 34'(ins_m_q) - 34'd1;
    noop     = (ins_m_q == '0) || (ins_nk_q == '0);
    range_ok = (a_last < 34'(SpadARows)) && (b_last < 34'(SpadBRows)) &&
               (acc_last < 34'(AccRows));
    illegal  = !ins_op_ok_q || (!noop && !range_ok);
  end

  logic           gen_run_d, gen_run_q;
  logic [15:0]    gen_k_d, gen_k_q;
  logic [AAW-1:0] gen_a_d, gen_a_q;
  logic [BAW-1:0] gen_b_d, gen_b_q;
  logic           gen_emit, gen_last, ld_take;
  logic           err_d, err_q;
  logic [31:0]    err_pc_d, err_pc_q;

  // Descriptor offered to stage 3.
  logic           ds_marker, ds_zero;
  logic [DepW-1:0] ds_sigp, ds_sign;

  // What stage 2 offers to stage 3 this cycle (registers only, so that the
  // handshake below has no combinational loop).
  always_comb begin
    gen_emit  = 1'b0;
    gen_last  = (gen_k_q == ins_nk_q - 16'd1);
    ds_marker = !gen_run_q;
    ds_zero   = (gen_k_q == '0) && !ins_acc_q;
    ds_sigp   = gen_last ? ins_sigp_q : '0;
    ds_sign   = gen_last ? ins_sign_q : '0;
    if (ins_valid_q && !flush) begin
      if (gen_run_q) begin
        gen_emit = 1'b1;
      end else if (!illegal && noop) begin
        // A no-op with signals becomes a marker; without, it vanishes.
        ds_sigp  = ins_sigp_q;
        ds_sign  = ins_sign_q;
        gen_emit = (ins_sigp_q != '0) || (ins_sign_q != '0);
      end
    end
  end

  always_comb begin
    gen_run_d = gen_run_q;
    gen_k_d   = gen_k_q;
    gen_a_d   = gen_a_q;
    gen_b_d   = gen_b_q;
    ins_done  = 1'b0;
    err_d     = 1'b0;
    err_pc_d  = err_pc_q;
    if (ins_valid_q && !flush) begin
      if (!gen_run_q) begin
        // First cycle of an instruction: check it.
        if (illegal) begin
          err_d    = 1'b1;
          err_pc_d = ins_pc_q;
          ins_done = 1'b1;
        end else if (noop) begin
          ins_done = gen_emit ? ld_take : 1'b1;
        end else begin
          gen_run_d = 1'b1;
          gen_k_d   = '0;
          gen_a_d   = AAW'(ins_a_row_q);
          gen_b_d   = BAW'(ins_b_row_q);
        end
      end else if (ld_take) begin
        // In-range rows fit the address widths, so the truncating adds are
        // exact wherever the result is used.
        gen_k_d = gen_k_q + 16'd1;
        gen_a_d = gen_a_q + AAW'(ins_stride_q);
        gen_b_d = gen_b_q + BAW'(Dim);
        if (gen_last) begin
          gen_run_d = 1'b0;
          ins_done  = 1'b1;
        end
      end
    end
    if (flush) begin
      gen_run_d = 1'b0;
    end
    if (clear_i) begin
      err_pc_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      gen_run_q <= 1'b0;
      gen_k_q   <= '0;
      gen_a_q   <= '0;
      gen_b_q   <= '0;
      err_q     <= 1'b0;
      err_pc_q  <= '0;
    end else begin
      gen_run_q <= gen_run_d;
      gen_k_q   <= gen_k_d;
      gen_a_q   <= gen_a_d;
      gen_b_q   <= gen_b_d;
      err_q     <= err_d;
      err_pc_q  <= err_pc_d;
    end
  end

  assign err_o       = err_q;
  // The only cause compute reports is illegal_instr (register-map bit).
  assign err_cause_o = err_q ? (npu_reg_pkg::ErrCauseW'(1) << npu_reg_pkg::ErrCauseIllegalInstrBit) : '0;
  assign err_addr_o  = '0;
  assign err_pc_o    = err_pc_q;

  // ---------------------------------------------------------------------------
  // Stage 3: weight loader.
  // ---------------------------------------------------------------------------
  logic            ld_valid_d, ld_valid_q;
  logic            ld_marker_q, ld_zero_q;
  logic [DepW-1:0] ld_sigp_q, ld_sign_q;
  logic [BAW-1:0]  ld_b_q;
  logic [AAW-1:0]  ld_a_q;
  logic [CAW-1:0]  ld_acc_q;
  logic [15:0]     ld_m_q;
  logic [RowW-1:0] ld_row_d, ld_row_q;
  logic            ld_started_d, ld_started_q;
  logic            ld_bank_d, ld_bank_q;
  logic            ld_issue, ld_push, ld_free, ld_last_row;

  logic [1:0]      bank_use_d, bank_use_q, bank_use_set, bank_use_clr, bank_hold_set;
  logic [1:0]      bank_free;
  logic [2*HoldW-1:0] bank_hold_d, bank_hold_q;

  logic            fifo_wready, fifo_rvalid, fifo_pop;
  logic [FifoW-1:0] fifo_wdata, fifo_rdata;

  logic            wl_valid_q, wl_bank_q;
  logic [RowW-1:0] wl_row_q;

  for (genvar b = 0; b < 2; b++) begin : gen_bank_free
    assign bank_free[b] = !bank_use_q[b] && (bank_hold_q[b*HoldW +: HoldW] == '0);
  end

  assign ld_last_row = (ld_row_q == RowW'(Dim - 1));
  assign ld_free     = !ld_valid_q || ld_push;
  assign ld_take     = gen_emit && ld_free && !flush;

  always_comb begin
    ld_issue     = 1'b0;
    ld_push      = 1'b0;
    ld_row_d     = ld_row_q;
    ld_started_d = ld_started_q;
    ld_bank_d    = ld_bank_q;
    bank_use_set = '0;
    b_re_o       = 1'b0;
    b_raddr_o    = ld_b_q + BAW'(ld_row_q);
    if (ld_valid_q && !flush) begin
      if (ld_marker_q) begin
        ld_push = fifo_wready;
      end else begin
        // Wait for the bank to be free before the first row; hold the last
        // row until the ready queue has room (B reads are side-effect free).
        ld_issue = (ld_started_q || bank_free[ld_bank_q]) && (!ld_last_row || fifo_wready);
        if (ld_issue) begin
          b_re_o       = 1'b1;
          ld_started_d = 1'b1;
          ld_row_d     = ld_row_q + RowW'(1);
          bank_use_set[ld_bank_q] = 1'b1;
          if (ld_last_row) begin
            ld_push      = 1'b1;
            ld_row_d     = '0;
            ld_started_d = 1'b0;
            ld_bank_d    = ~ld_bank_q;
          end
        end
      end
    end
    if (flush) begin
      ld_row_d     = '0;
      ld_started_d = 1'b0;
    end
    if (clear_i) begin
      ld_bank_d = 1'b0;
    end
  end

  always_comb begin
    ld_valid_d = ld_valid_q;
    if (ld_push || flush) begin
      ld_valid_d = 1'b0;
    end
    if (ld_take) begin
      ld_valid_d = 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ld_valid_q   <= 1'b0;
      ld_row_q     <= '0;
      ld_started_q <= 1'b0;
      ld_bank_q    <= 1'b0;
      wl_valid_q   <= 1'b0;
    end else begin
      ld_valid_q   <= ld_valid_d;
      ld_row_q     <= ld_row_d;
      ld_started_q <= ld_started_d;
      ld_bank_q    <= ld_bank_d;
      wl_valid_q   <= ld_issue;
    end
  end

  // Descriptor and weight-write address: qualified by ld_valid_q and
  // wl_valid_q, no reset.
  localparam int unsigned LdW = 2 + 2 * DepW + BAW + AAW + CAW + 16;
  logic [LdW-1:0] ld_desc_d, ld_desc_q;

  assign ld_desc_d = ld_take ? {ds_marker, ds_zero, ds_sigp, ds_sign, gen_b_q, gen_a_q,
                                CAW'(ins_acc_row_q), ins_m_q} : ld_desc_q;

  always_ff @(posedge clk_i) begin
    ld_desc_q <= ld_desc_d;
    wl_row_q  <= ld_row_q;
    wl_bank_q <= ld_bank_q;
  end

  assign {ld_marker_q, ld_zero_q, ld_sigp_q, ld_sign_q, ld_b_q, ld_a_q, ld_acc_q,
          ld_m_q} = ld_desc_q;

  assign fifo_wdata = {ld_marker_q, ld_bank_q, ld_zero_q, ld_sigp_q, ld_sign_q, ld_m_q,
                       ld_a_q, ld_acc_q};

  npu_fifo #(
    .Width(FifoW),
    .Depth(FifoDepth)
  ) u_ready_q (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clear_i (flush),
    .wvalid_i(ld_push),
    .wready_o(fifo_wready),
    .wdata_i (fifo_wdata),
    .rvalid_o(fifo_rvalid),
    .rready_i(fifo_pop),
    .rdata_o (fifo_rdata),
    /* verilator lint_off PINCONNECTEMPTY */
    // The occupancy is not needed: rvalid/wready say all there is to know.
    .count_o ()
    /* verilator lint_on PINCONNECTEMPTY */
  );

  // ---------------------------------------------------------------------------
  // Stage 4: streamer.
  // ---------------------------------------------------------------------------
  logic           str_valid_d, str_valid_q;
  logic           str_marker_q, str_bank_q, str_zero_q;
  logic [DepW-1:0] str_sigp_q, str_sign_q;
  logic [15:0]    str_cnt_d, str_cnt_q;
  logic [AAW-1:0] str_a_d, str_a_q;
  logic [CAW-1:0] str_acc_d, str_acc_q;
  logic           str_issue, str_last, hazard;

  logic           f_marker, f_bank, f_zero;
  logic [DepW-1:0] f_sigp, f_sign;
  logic [15:0]    f_m;
  logic [AAW-1:0] f_a;
  logic [CAW-1:0] f_acc;

  // Row pipeline register: the row issued last cycle, entering the array.
  logic           p1_valid_q, p1_bank_q, p1_zero_q, p1_wr_q;
  logic [DepW-1:0] p1_sig_q;
  logic [CAW-1:0] p1_addr_q;
  logic [DepW-1:0] sigp_q;

  assign {f_marker, f_bank, f_zero, f_sigp, f_sign, f_m, f_a, f_acc} = fifo_rdata;

  assign hazard    = !str_marker_q && !str_zero_q && p1_valid_q && p1_wr_q &&
                     (p1_addr_q == str_acc_q);
  assign str_issue = str_valid_q && !hazard && !flush;
  assign str_last  = str_marker_q || (str_cnt_q == '0);
  assign fifo_pop  = fifo_rvalid && !flush && (!str_valid_q || (str_issue && str_last));

  assign a_re_o    = str_issue && !str_marker_q;
  assign a_raddr_o = str_a_q;

  always_comb begin
    str_valid_d   = str_valid_q;
    str_cnt_d     = str_cnt_q;
    str_a_d       = str_a_q;
    str_acc_d     = str_acc_q;
    bank_use_clr  = '0;
    bank_hold_set = '0;
    if (str_issue) begin
      str_cnt_d = str_cnt_q - 16'd1;
      str_a_d   = str_a_q + AAW'(1);
      str_acc_d = str_acc_q + CAW'(1);
      if (str_last) begin
        str_valid_d = 1'b0;
        if (!str_marker_q) begin
          bank_use_clr[str_bank_q]  = 1'b1;
          bank_hold_set[str_bank_q] = 1'b1;
        end
      end
    end
    if (fifo_pop) begin
      str_valid_d = 1'b1;
      str_cnt_d   = f_m - 16'd1;
      str_a_d     = f_a;
      str_acc_d   = f_acc;
    end
    if (flush) begin
      str_valid_d = 1'b0;
    end
  end

  // Bank bookkeeping: in use from the first weight read until the last row
  // of its chunk is issued, then held for BankHold cycles.
  always_comb begin
    bank_use_d = (bank_use_q | bank_use_set) & ~bank_use_clr;
    for (int b = 0; b < 2; b++) begin
      bank_hold_d[b*HoldW +: HoldW] = bank_hold_q[b*HoldW +: HoldW];
      if (bank_hold_q[b*HoldW +: HoldW] != '0) begin
        bank_hold_d[b*HoldW +: HoldW] = bank_hold_q[b*HoldW +: HoldW] - HoldW'(1);
      end
      if (bank_hold_set[b]) begin
        bank_hold_d[b*HoldW +: HoldW] = HoldW'(BankHold);
      end
    end
    if (flush) begin
      // Rows of a flushed chunk may still be in the array: protect both banks.
      bank_use_d  = '0;
      bank_hold_d = {2{HoldW'(BankHold)}};
    end
    if (clear_i) begin
      // The array is cleared too: nothing left to protect.
      bank_hold_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      str_valid_q <= 1'b0;
      bank_use_q  <= '0;
      bank_hold_q <= '0;
      p1_valid_q  <= 1'b0;
      sigp_q      <= '0;
    end else begin
      str_valid_q <= str_valid_d;
      bank_use_q  <= bank_use_d;
      bank_hold_q <= bank_hold_d;
      p1_valid_q  <= str_issue;
      sigp_q      <= (str_issue && str_last) ? str_sigp_q : '0;
    end
  end

  // Chunk state and row tag: qualified by str_valid_q / p1_valid_q, no reset.
  logic [3+2*DepW-1:0] str_flags_d, str_flags_q;

  assign str_flags_d = fifo_pop ? {f_marker, f_bank, f_zero, f_sigp, f_sign} : str_flags_q;
  assign {str_marker_q, str_bank_q, str_zero_q, str_sigp_q, str_sign_q} = str_flags_q;

  always_ff @(posedge clk_i) begin
    str_cnt_q <= str_cnt_d;
    str_a_q   <= str_a_d;
    str_acc_q <= str_acc_d;
    str_flags_q <= str_flags_d;
    p1_bank_q <= str_bank_q;
    p1_addr_q <= str_acc_q;
    p1_wr_q   <= !str_marker_q;
    p1_zero_q <= str_zero_q;
    p1_sig_q  <= str_last ? str_sign_q : '0;
  end

  assign row_o      = p1_valid_q && p1_wr_q;

  // ---------------------------------------------------------------------------
  // The array. A marker row (a no-op's signals) goes through it with its
  // write bit clear: its product is ignored.
  // ---------------------------------------------------------------------------
  logic              arr_valid;
  logic [Dim*32-1:0] arr_out;
  logic [TagW-1:0]   arr_tag;
  logic              arr_zero, arr_wr;
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
    .w_we_i     (wl_valid_q),
    .w_row_i    (wl_row_q),
    .w_bank_i   (wl_bank_q),
    .w_i        (b_rdata_i),
    .out_valid_o(arr_valid),
    .out_o      (arr_out),
    .tag_o      (arr_tag)
  );

  assign {arr_sig, arr_zero, arr_wr, arr_addr} = arr_tag;

  // ---------------------------------------------------------------------------
  // Stage 5: read-modify-write of the accumulator rows.
  // ---------------------------------------------------------------------------
  logic              r2_valid_d, r2_valid_q, r2_zero_q, r2_wr_q;
  logic [DepW-1:0]   r2_sig_q;
  logic [CAW-1:0]    r2_addr_q;
  logic [Dim*32-1:0] out_d, out_q;
  logic [InflightW-1:0] inflight_d, inflight_q;

  assign acc_re_o    = arr_valid && arr_wr && !arr_zero;
  assign acc_raddr_o = arr_addr;
  assign out_d       = arr_valid ? arr_out : out_q;

  assign acc_we_o    = r2_valid_q && r2_wr_q;
  assign acc_waddr_o = r2_addr_q;
  // Signals: released inputs the cycle after the last A read, written rows
  // as the last one is written.
  assign tok_give_o  = sigp_q | (r2_valid_q ? r2_sig_q : '0);

  for (genvar l = 0; l < Dim; l++) begin : gen_lane_add
    // int32 wrapping add; a row starting from zero ignores the read data.
    assign acc_wdata_o[l*32 +: 32] = (r2_zero_q ? 32'd0 : acc_rdata_i[l*32 +: 32]) +
                                     out_q[l*32 +: 32];
  end

  always_comb begin
    inflight_d = inflight_q;
    unique case ({str_issue, r2_valid_q})
      2'b10:   inflight_d = inflight_q + InflightW'(1);
      2'b01:   inflight_d = inflight_q - InflightW'(1);
      default: inflight_d = inflight_q;
    endcase
    if (clear_i) begin
      inflight_d = '0;
    end
  end

  assign r2_valid_d = arr_valid && !clear_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      r2_valid_q <= 1'b0;
      inflight_q <= '0;
    end else begin
      r2_valid_q <= r2_valid_d;
      inflight_q <= inflight_d;
    end
  end

  // Row data and tag: qualified by r2_valid_q, no reset.
  always_ff @(posedge clk_i) begin
    r2_sig_q  <= arr_sig;
    r2_zero_q <= arr_zero;
    r2_wr_q   <= arr_wr;
    r2_addr_q <= arr_addr;
    out_q     <= out_d;
  end

  // ---------------------------------------------------------------------------
  // Status.
  // ---------------------------------------------------------------------------
  assign idle_o = !ins_valid_q && !ld_valid_q && !fifo_rvalid && !str_valid_q &&
                  (inflight_q == '0) && (sigp_q == '0);
  assign busy_o = !idle_o;
  // Waiting on a hazard, or the streamer starves while weights load.
  assign stall_hazard_o = (str_valid_q && hazard) ||
                          (!str_valid_q && !fifo_rvalid && ld_valid_q && !ld_marker_q);

  // Parameter checks at elaboration.
  if (Dim < 2) begin : gen_param_check
    $error("npu_compute: Dim must be at least 2");
  end

endmodule
