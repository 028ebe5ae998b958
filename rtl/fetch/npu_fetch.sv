// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_assert.svh"

/// Instruction fetch and dispatch.
///
/// Takes queued streams (address, instruction count), reads their 256-bit
/// instructions with AXI INCR bursts of at most FetchBurst instructions that
/// end at multiples of FetchBurst instructions (256 bytes, so never across
/// 4 KiB; the constants are npu_config_pkg's, mirrored by the simulator), checks the opcode and the dependency flags, and
/// pushes each instruction with its index (pc) into the queue of the unit
/// that executes it, in program order. A stream is done when every
/// instruction has been dispatched and executed; only then does the next
/// queued stream start.
module npu_fetch #(
  parameter int unsigned Dim        = npu_config_pkg::DefaultDim,         ///< bus beat bytes (4, 8, 16 or 32)
  parameter int unsigned QueueDepth = npu_config_pkg::DefaultQueueDepth,  ///< entries per unit queue
  parameter logic [1:0]  AxiId      = 2'd0 ///< ARID of instruction reads
) (
  input  logic             clk_i,            ///< clock
  input  logic             rst_ni,           ///< asynchronous reset, active low
  input  logic             clear_i,          ///< soft reset
  input  logic             abort_i,          ///< stop: no new reads, drop returning data

  input  logic             stream_valid_i,   ///< a stream is queued
  output logic             stream_ready_o,   ///< take it
  input  logic [31:0]      stream_addr_i,    ///< its first instruction (32-byte aligned)
  input  logic [31:0]      stream_len_i,     ///< its instruction count
  output logic             stream_done_o,    ///< pulse: the running stream completed
  output logic             active_o,         ///< a stream is running
  input  logic             units_idle_i,     ///< all execution units idle

  input  logic [31:0]      win_base_i,       ///< permitted window base
  input  logic [31:0]      win_size_i,       ///< permitted window size

  output logic             m_ar_valid_o,     ///< AXI read address valid
  input  logic             m_ar_ready_i,     ///< AXI read address ready
  output logic [31:0]      m_ar_addr_o,      ///< burst address
  output logic [7:0]       m_ar_len_o,       ///< beats - 1
  output logic [2:0]       m_ar_size_o,      ///< log2(Dim)
  output logic [1:0]       m_ar_burst_o,     ///< INCR
  output logic [1:0]       m_ar_id_o,        ///< AxiId
  input  logic             m_r_valid_i,      ///< read data valid (this ID)
  output logic             m_r_ready_o,      ///< read data ready
  input  logic [Dim*8-1:0] m_r_data_i,       ///< read data
  input  logic [1:0]       m_r_resp_i,       ///< read response
  input  logic             m_r_last_i,       ///< last beat of a burst

  /// Per unit (index npu_isa_pkg::Unit*): instruction available.
  output logic [npu_isa_pkg::NumUnits-1:0]     q_valid_o,
  input  logic [npu_isa_pkg::NumUnits-1:0]     q_ready_i,  ///< per unit: instruction taken
  output logic [npu_isa_pkg::NumUnits*256-1:0] q_instr_o,  ///< per unit: instruction
  output logic [npu_isa_pkg::NumUnits*32-1:0]  q_pc_o,     ///< per unit: its index in the stream
  output logic             queues_empty_o,   ///< nothing waits in any queue

  output logic             err_o,            ///< pulse: error
  output npu_reg_pkg::err_cause_t err_cause_o,      ///< ERR_CAUSE bits
  output logic [31:0]      err_addr_o,       ///< offending address
  output logic [31:0]      err_pc_o,         ///< offending instruction index
  output logic             dispatch_o,       ///< an instruction entered a unit queue
  output logic             progress_o,       ///< something advanced (watchdog)
  output logic             stall_o           ///< fetching while every queue is empty
);

  localparam int unsigned NumUnits = npu_isa_pkg::NumUnits;
  localparam int unsigned Bpi      = 32 / Dim;  // beats per instruction
  localparam int unsigned BeatW    = (Bpi > 1) ? $clog2(Bpi) : 1;
  // The microarchitecture constants the simulator mirrors (spec/configs.toml).
  localparam int unsigned Staging  = npu_config_pkg::FetchStaging;  // instruction buffer entries
  localparam int unsigned MaxBurst = npu_config_pkg::FetchBurst;    // instructions per burst
  localparam int unsigned MaxBursts = npu_config_pkg::FetchBursts;  // bursts outstanding
  localparam int unsigned EntryW   = 256 + 32;
  localparam int unsigned BurstW   = $clog2(MaxBurst + 1);     // an instruction count <= MaxBurst
  localparam int unsigned AlignW   = $clog2(MaxBurst * 32);    // bursts end at multiples of 2^AlignW
  localparam int unsigned InflW    = $clog2(Staging + 1);      // instructions requested
  localparam int unsigned BurstsW  = $clog2(MaxBursts + 1);

  if ((MaxBurst & (MaxBurst - 1)) != 0 || MaxBurst < 2 || MaxBurst > Staging ||
      MaxBurst > 128 || MaxBursts < 1) begin : gen_fetch_check
    $error("npu_fetch: FetchBurst must be a power of two in [2, min(FetchStaging, 128)]");
  end

  // ---------------------------------------------------------------------------
  // Stream state.
  // ---------------------------------------------------------------------------
  typedef enum logic [1:0] {
    StIdle,
    StFetch,
    StDrain
  } state_e;

  state_e      state_d, state_q;
  logic [31:0] addr_d, addr_q;          // next instruction address to request
  logic [31:0] remaining_d, remaining_q;  // instructions not yet requested
  logic [31:0] undispatched_d, undispatched_q;  // instructions not yet dispatched
  logic [InflW-1:0]   inflight_d, inflight_q;  // instructions requested, not yet assembled
  logic [BurstsW-1:0] bursts_d, bursts_q;      // bursts outstanding
  logic [31:0] asm_pc_d, asm_pc_q;      // index of the instruction being assembled
  logic [31:0] base_d, base_q;          // stream start address

  // Burst size: up to the next multiple of MaxBurst instructions.
  logic [BurstW-1:0] burst_n;
  logic [31:0] burst_bytes;
  logic        win_ok, ar_go, ar_fire, r_fire, dispatch;
  logic [InflW-1:0] staged;

  always_comb begin
    burst_n = BurstW'(MaxBurst) - BurstW'(addr_q[AlignW-1:5]);
    if (remaining_q < 32'(burst_n)) begin
      burst_n = BurstW'(remaining_q);
    end
  end
  assign burst_bytes = 32'(burst_n) << 5;

  // The burst lies inside the window; 33-bit arithmetic.
  npu_win_check #(
    .AddrW(33)
  ) u_win_check (
    .start_i    ({1'b0, addr_q}),
    .end_i      ({1'b0, addr_q} + {1'b0, burst_bytes}),
    .win_base_i (win_base_i),
    .win_size_i (win_size_i),
    .ok_o       (win_ok)
  );

  logic ar_room;
  assign ar_room = (32'(inflight_q) + 32'(staged) + 32'(burst_n) <= 32'(Staging)) &&
                   (32'(bursts_q) < MaxBursts);
  // A request shown on AR stays until accepted, abort or not (AXI): abort
  // only stops new ones.
  logic ar_hold_q;
  assign ar_go        = ar_hold_q ||
                        ((state_q == StFetch) && (remaining_q != 0) && ar_room && !abort_i);
  assign m_ar_valid_o = ar_go && win_ok;
  assign m_ar_addr_o  = addr_q;
  assign m_ar_len_o   = 8'(32'(burst_n) * Bpi - 1);
  assign m_ar_size_o  = 3'($clog2(Dim));
  assign m_ar_burst_o = 2'b01;
  assign m_ar_id_o    = AxiId;
  assign ar_fire      = m_ar_valid_o && m_ar_ready_i;

  // ---------------------------------------------------------------------------
  // Assembly of beats into instructions.
  // ---------------------------------------------------------------------------
  logic [255:0]     asm_d, asm_q;
  logic [BeatW-1:0] beat_d, beat_q;
  logic             push, unused_stage_wready, stage_rvalid;
  logic [EntryW-1:0] stage_rdata;
  logic             r_err;

  assign m_r_ready_o = 1'b1;  // space was reserved before the burst was issued
  assign r_fire      = m_r_valid_i;
  assign r_err       = r_fire && (m_r_resp_i != 2'b00) && !abort_i;

  always_comb begin
    asm_d  = asm_q;
    beat_d = beat_q;
    push   = 1'b0;
    if (r_fire) begin
      if (Bpi == 1) begin
        asm_d = 256'(m_r_data_i);
        push  = 1'b1;
      end else begin
        asm_d[32'(beat_q) * Dim * 8 +: Dim * 8] = m_r_data_i;
        beat_d = beat_q + BeatW'(1);
        push   = (32'(beat_q) == Bpi - 1);
      end
    end
  end

  // Beats of an aborted stream are accepted and dropped.
  logic stage_push;
  logic [EntryW-1:0] stage_wdata;
  assign stage_push  = push && !abort_i && !r_err;
  assign stage_wdata = {asm_pc_q, asm_d};

  npu_fifo #(
    .Width(EntryW),
    .Depth(Staging),
    .Credit(1'b1)  // room is reserved before a burst is requested
  ) u_staging (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .clear_i  (clear_i),
    .wvalid_i (stage_push),
    .wready_o (unused_stage_wready),
    .wdata_i  (stage_wdata),
    .rvalid_o (stage_rvalid),
    .rready_i (dispatch),
    .rdata_o  (stage_rdata),
    .count_o  (staged)
  );

  // ---------------------------------------------------------------------------
  // Decode and dispatch.
  // ---------------------------------------------------------------------------
  logic [255:0] head;
  logic [31:0]  head_pc;
  npu_isa_pkg::instr_common_t hd;
  logic [npu_isa_pkg::UnitW-1:0] unit;
  logic [npu_isa_pkg::DepW-1:0] in_valid, out_valid;
  logic         legal;
  logic [NumUnits-1:0] qw_valid, qw_ready, qr_valid;

  assign head    = stage_rdata[255:0];
  assign head_pc = stage_rdata[EntryW-1:256];
  assign hd      = head;
  // The unit checks every other field.
  logic unused_hd;
  assign unused_hd = ^hd.rsvd8;
  assign unit    = npu_isa_pkg::unit_of(hd.opcode);

  // Dependency bits the unit has (a bit towards a missing queue is illegal).
  always_comb begin
    in_valid  = '0;
    out_valid = '0;
    for (int unsigned u = 0; u < npu_isa_pkg::NumUnits; u++) begin
      if (unit == npu_isa_pkg::UnitW'(u)) begin
        in_valid  = npu_isa_pkg::UnitInValid[u*npu_isa_pkg::DepW +: npu_isa_pkg::DepW];
        out_valid = npu_isa_pkg::UnitOutValid[u*npu_isa_pkg::DepW +: npu_isa_pkg::DepW];
      end
    end
  end
  assign legal = npu_isa_pkg::opcode_legal(hd.opcode) && ((hd.wait_mask & ~in_valid) == '0) &&
                 ((hd.signal_mask & ~out_valid) == '0);

  logic illegal;
  assign illegal  = stage_rvalid && !legal && !abort_i;
  assign dispatch = stage_rvalid && legal && !abort_i && qw_ready[unit];
  always_comb begin
    qw_valid       = '0;
    qw_valid[unit] = dispatch;
  end

  for (genvar u = 0; u < NumUnits; u++) begin : gen_queue
    logic [$clog2(QueueDepth+1)-1:0] unused_count;
    npu_fifo #(
      .Width(EntryW),
      .Depth(QueueDepth)
    ) u_queue (
      .clk_i    (clk_i),
      .rst_ni   (rst_ni),
      .clear_i  (clear_i),
      .wvalid_i (qw_valid[u]),
      .wready_o (qw_ready[u]),
      .wdata_i  (stage_rdata),
      .rvalid_o (qr_valid[u]),
      .rready_i (q_ready_i[u]),
      .rdata_o  ({q_pc_o[u*32 +: 32], q_instr_o[u*256 +: 256]}),
      .count_o  (unused_count)
    );
  end
  assign q_valid_o      = qr_valid;
  assign queues_empty_o = (qr_valid == '0);

  // ---------------------------------------------------------------------------
  // Stream control.
  // ---------------------------------------------------------------------------
  logic win_err, align_err;
  assign stream_ready_o = (state_q == StIdle) && !abort_i;
  assign align_err      = stream_valid_i && stream_ready_o && (stream_addr_i[4:0] != 5'd0);
  assign win_err        = ar_go && !win_ok;

  always_comb begin
    state_d        = state_q;
    addr_d         = addr_q;
    remaining_d    = remaining_q;
    undispatched_d = undispatched_q;
    base_d         = base_q;
    asm_pc_d       = asm_pc_q + (push ? 32'd1 : 32'd0);
    inflight_d     = inflight_q - InflW'(push);
    bursts_d       = bursts_q - BurstsW'(r_fire && m_r_last_i);
    stream_done_o  = 1'b0;

    if (ar_fire) begin
      addr_d      = addr_q + burst_bytes;
      remaining_d = remaining_q - 32'(burst_n);
      inflight_d  = inflight_d + InflW'(burst_n);
      bursts_d    = bursts_d + BurstsW'(1);
    end
    if (dispatch) begin
      undispatched_d = undispatched_q - 32'd1;
    end

    unique case (state_q)
      StIdle: begin
        if (stream_valid_i && stream_ready_o && !align_err) begin
          addr_d         = stream_addr_i;
          base_d         = stream_addr_i;
          remaining_d    = stream_len_i;
          undispatched_d = stream_len_i;
          asm_pc_d       = '0;
          state_d        = (stream_len_i == 0) ? StDrain : StFetch;
        end
      end
      StFetch: begin
        if (undispatched_d == 0) begin
          state_d = StDrain;
        end
      end
      StDrain: begin
        if (queues_empty_o && units_idle_i) begin
          stream_done_o = !abort_i;
          state_d       = StIdle;
        end
      end
      default: state_d = StIdle;
    endcase

    if (abort_i && state_q != StIdle && inflight_d == 0 && bursts_d == 0 &&
        !(m_ar_valid_o && !m_ar_ready_i)) begin
      // Aborted: forget the stream once no read is outstanding or shown.
      state_d = StIdle;
    end
    if (clear_i) begin
      state_d    = StIdle;
      inflight_d = '0;
      bursts_d   = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q        <= StIdle;
      addr_q         <= '0;
      remaining_q    <= '0;
      undispatched_q <= '0;
      inflight_q     <= '0;
      bursts_q       <= '0;
      asm_pc_q       <= '0;
      base_q         <= '0;
      asm_q          <= '0;
      beat_q         <= '0;
      ar_hold_q      <= 1'b0;
    end else begin
      state_q        <= state_d;
      addr_q         <= addr_d;
      remaining_q    <= remaining_d;
      undispatched_q <= undispatched_d;
      inflight_q     <= inflight_d;
      bursts_q       <= bursts_d;
      asm_pc_q       <= asm_pc_d;
      base_q         <= base_d;
      asm_q          <= asm_d;
      beat_q         <= clear_i ? '0 : beat_d;
      ar_hold_q      <= m_ar_valid_o && !m_ar_ready_i && !clear_i;
    end
  end

  // ---------------------------------------------------------------------------
  // Errors: misaligned stream, burst outside the window, read error response,
  // illegal instruction. The first one is reported; npu_ctrl then aborts.
  // ---------------------------------------------------------------------------
  always_comb begin
    err_o       = 1'b0;
    err_cause_o = '0;
    err_addr_o  = '0;
    err_pc_o    = '0;
    if (align_err) begin
      err_o = 1'b1;
      err_cause_o.addr_range = 1'b1;
      err_addr_o = stream_addr_i;
    end else if (r_err) begin
      err_o = 1'b1;
      err_cause_o.axi_resp = 1'b1;
      err_addr_o = base_q + {asm_pc_q[26:0], 5'd0};
      err_pc_o   = asm_pc_q;
    end else if (win_err) begin
      err_o = 1'b1;
      err_cause_o.addr_range = 1'b1;
      err_addr_o = addr_q;
      err_pc_o   = (addr_q - base_q) >> 5;
    end else if (illegal) begin
      err_o = 1'b1;
      err_cause_o.illegal_instr = 1'b1;
      err_pc_o = head_pc;
    end
  end

  assign active_o   = (state_q != StIdle);
  assign progress_o = ar_fire || r_fire || dispatch;
  assign dispatch_o = dispatch;
  assign stall_o    = (state_q == StFetch) && queues_empty_o;

  // Space in the staging buffer is reserved (credits) before a burst is
  // requested, so a returning instruction always fits (u_staging asserts it).
  `NPU_ASSERT(InflightBound_A, 32'(inflight_q) + 32'(staged) <= 32'(Staging), clk_i, rst_ni)

endmodule
