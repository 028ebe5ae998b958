// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Front of the compute unit: stages 1 (accept) and 2 (check and generate).
///
/// Accept takes the queue head when every token it waits for is available
/// and takes those tokens in the same cycle. Generate checks the instruction
/// in its first cycle (opcode; unless a no-op, the last A, B and accumulator
/// rows in range) and then offers one chunk per K chunk to the weight loader
/// (chunk_valid_o / chunk_take_i). An illegal instruction is reported
/// (err_o, registered) and dropped: it gives no tokens. A no-op (m = 0 or
/// nk = 0) with signal bits becomes a marker chunk so that its signals stay
/// in program order with the rows before it; without signal bits it
/// vanishes. The signal bits are split by when they are given: those towards
/// load (rel: the A and B rows read are released) after the last A read,
/// the others (out: accumulator rows written) with the last row written.
module npu_compute_front #(
  parameter int unsigned Dim       = npu_config_pkg::DefaultDim,        ///< array size
  parameter int unsigned SpadARows = npu_config_pkg::DefaultSpadARows,  ///< rows of scratchpad A
  parameter int unsigned SpadBRows = npu_config_pkg::DefaultSpadBRows,  ///< rows of scratchpad B
  parameter int unsigned AccRows   = npu_config_pkg::DefaultAccRows     ///< accumulator rows
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
  output logic                          chunk_valid_o,  ///< a chunk is offered
  output npu_compute_pkg::chunk_t       chunk_o,        ///< the chunk
  output logic [npu_isa_pkg::DepW-1:0]  chunk_rel_o,    ///< its signals after the last A read
  output logic [npu_isa_pkg::DepW-1:0]  chunk_out_o,    ///< its signals with the last row written
  input  logic                          chunk_take_i,   ///< the weight loader takes it
  output logic                          busy_o,         ///< an instruction is held
  output logic                          err_o,          ///< one-cycle error report
  output npu_reg_pkg::err_cause_t       err_cause_o,    ///< illegal_instr
  output logic [31:0]                   err_pc_o,       ///< pc of the illegal instruction
  output logic                          stall_dep_o     ///< counter event: head waits for a token
);

  localparam int unsigned DepW = npu_isa_pkg::DepW;

  // Signal bits towards load release scratchpad rows (given after the last A
  // read); the others announce accumulator rows.
  logic [DepW-1:0] rel_mask;
  for (genvar i = 0; i < DepW; i++) begin : gen_rel_mask
    localparam int unsigned Q =
        32'(npu_isa_pkg::UnitOutQueue[(npu_isa_pkg::UnitCompute*DepW+i)*8 +: 8]);
    assign rel_mask[i] = npu_isa_pkg::QueueTo[Q*8 +: 8] == 8'(npu_isa_pkg::UnitLoad);
  end

  // ---------------------------------------------------------------------------
  // Stage 1: accept.
  // ---------------------------------------------------------------------------
  npu_isa_pkg::compute_instr_t head, ins;
  logic                        ins_valid_d, ins_valid_q, ins_done, ins_free, tok_ok, accept;
  logic [255:0]                ins_q;
  logic [31:0]                 pc_q;

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

  // The reserved bits carry nothing; the wait bits were used at accept.
  logic unused_ins;
  assign unused_ins = ^{ins.rsvd128, ins.rsvd9, ins.wait_mask, head.rsvd128, head.rsvd9,
                        head.signal_mask, head.opcode, head.accumulate, head.a_row, head.b_row,
                        head.acc_row, head.m, head.nk, head.a_k_stride};

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
  // Stage 2: check and generate chunks.
  // ---------------------------------------------------------------------------
  // Last rows touched by the instruction. 34 bits hold every sum exactly:
  // (2^16 - 1)^2 + 2 * 2^16 < 2^33.
  logic [31:0] a_span;
  logic [33:0] a_last, b_last, acc_last;
  logic        noop, range_ok, illegal;

  always_comb begin
    a_span   = (32'(ins.nk) - 32'd1) * 32'(ins.a_k_stride);
    a_last   = 34'(ins.a_row) + 34'(a_span) + 34'(ins.m) - 34'd1;
    b_last   = 34'(ins.b_row) + 34'(ins.nk) * 34'(Dim) - 34'd1;
    acc_last = 34'(ins.acc_row) + 34'(ins.m) - 34'd1;
    noop     = (ins.m == '0) || (ins.nk == '0);
    range_ok = (a_last < 34'(SpadARows)) && (b_last < 34'(SpadBRows)) &&
               (acc_last < 34'(AccRows));
    illegal  = (ins.opcode != npu_isa_pkg::OpCompute) || (!noop && !range_ok);
  end

  logic        run_d, run_q, last;
  logic [15:0] k_d, k_q, a_d, a_q, b_d, b_q;
  logic        err_d;

  // What stage 2 offers this cycle (registers only, so that the handshake
  // has no combinational loop).
  always_comb begin
    chunk_valid_o   = 1'b0;
    last            = (k_q == ins.nk - 16'd1);
    chunk_o         = '0;
    chunk_o.marker  = !run_q;
    chunk_o.zero    = (k_q == '0) && !ins.accumulate;
    chunk_rel_o     = last ? (ins.signal_mask & rel_mask) : '0;
    chunk_out_o     = last ? (ins.signal_mask & ~rel_mask) : '0;
    chunk_o.b_row   = b_q;
    chunk_o.a_row   = a_q;
    chunk_o.acc_row = ins.acc_row;
    chunk_o.m       = ins.m;
    if (ins_valid_q && !flush_i) begin
      if (run_q) begin
        chunk_valid_o = 1'b1;
      end else if (!illegal && noop) begin
        // A no-op with signals becomes a marker; without, it vanishes.
        chunk_rel_o     = ins.signal_mask & rel_mask;
        chunk_out_o     = ins.signal_mask & ~rel_mask;
        chunk_valid_o   = ins.signal_mask != '0;
      end
    end
  end

  always_comb begin
    run_d    = run_q;
    k_d      = k_q;
    a_d      = a_q;
    b_d      = b_q;
    ins_done = 1'b0;
    err_d    = 1'b0;
    if (ins_valid_q && !flush_i) begin
      if (!run_q) begin
        // First cycle of an instruction: check it.
        if (illegal) begin
          err_d    = 1'b1;
          ins_done = 1'b1;
        end else if (noop) begin
          ins_done = chunk_valid_o ? chunk_take_i : 1'b1;
        end else begin
          run_d = 1'b1;
          k_d   = '0;
          a_d   = ins.a_row;
          b_d   = ins.b_row;
        end
      end else if (chunk_take_i) begin
        // In-range rows fit 16 bits, so the truncating adds are exact
        // wherever the result is used.
        k_d = k_q + 16'd1;
        a_d = a_q + ins.a_k_stride;
        b_d = b_q + 16'(Dim);
        if (last) begin
          run_d    = 1'b0;
          ins_done = 1'b1;
        end
      end
    end
    if (flush_i) begin
      run_d = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ins_valid_q <= 1'b0;
      run_q       <= 1'b0;
      k_q         <= '0;
      a_q         <= '0;
      b_q         <= '0;
    end else begin
      ins_valid_q <= ins_valid_d;
      run_q       <= run_d;
      k_q         <= k_d;
      a_q         <= a_d;
      b_q         <= b_d;
    end
  end

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
  assign busy_o   = ins_valid_q;

endmodule
