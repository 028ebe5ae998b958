// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_assert.svh"

/// Error, abort, watchdog and soft-reset control.
///
/// Collects the one-cycle error reports of the fetch and execution units into
/// sticky causes (the first report also records its instruction index and
/// address), stops the NPU by raising abort_o, and runs the soft reset: abort
/// everything, wait until every unit reports idle (all bus transactions have
/// completed legally), then pulse clear_o for one cycle.
///
/// The watchdog counts consecutive cycles in which a stream is active, the
/// NPU is not halted and none of the progress events happened; at
/// watchdog_limit_i (0: never) it stops the NPU with `watchdog`, reporting
/// as pc the oldest instruction waiting at a unit queue head (0 if none).
module npu_ctrl #(
  parameter int unsigned NumSrc      = 1 + npu_isa_pkg::NumUnits,  ///< error sources (fetch, units)
  parameter int unsigned NumProgress = 1,                          ///< progress events
  parameter int unsigned NumUnits    = npu_isa_pkg::NumUnits       ///< unit queues
) (
  input  logic                 clk_i,             ///< clock
  input  logic                 rst_ni,            ///< asynchronous reset, active low
  input  logic [NumSrc-1:0]    err_i,             ///< error report pulses
  input  logic [NumSrc*npu_reg_pkg::ErrCauseW-1:0] err_cause_i,  ///< their ERR_CAUSE bits
  input  logic [NumSrc*32-1:0] err_pc_i,          ///< their instruction indices
  input  logic [NumSrc*32-1:0] err_addr_i,        ///< their addresses
  input  logic                 queue_overflow_i,  ///< doorbell while the stream queue was full
  input  logic                 soft_reset_i,      ///< pulse: CTRL.soft_reset written
  input  logic                 all_idle_i,        ///< no unit busy, no bus transaction outstanding
  input  logic                 busy_i,            ///< a stream is executing
  input  logic [NumProgress-1:0] progress_i,       ///< events that count as progress
  input  logic [31:0]          watchdog_limit_i,  ///< cycles without progress allowed (0 = off)
  input  logic [NumUnits-1:0]  q_valid_i,         ///< per unit: an instruction at the queue head
  input  logic [NumUnits*32-1:0] q_pc_i,          ///< per unit: its pc
  output logic                 abort_o,           ///< stop all units
  output logic                 clear_o,           ///< pulse: return every unit to its reset state
  output logic                 halted_o,          ///< stopped on an error
  output logic                 resetting_o,       ///< soft reset waiting for the units to drain
  output logic                 error_o,           ///< pulse: a new error (interrupt source)
  output npu_reg_pkg::err_cause_t err_cause_o,    ///< sticky causes
  output logic [31:0]          err_pc_o,          ///< first error's instruction index
  output logic [31:0]          err_addr_o         ///< first error's address
);

  logic        halted_d, halted_q, resetting_d, resetting_q, progress;
  logic [31:0] watchdog_pc;
  npu_reg_pkg::err_cause_t cause_d, cause_q;
  logic [31:0] pc_d, pc_q, addr_d, addr_q, wd_cnt_d, wd_cnt_q;
  logic        wd_fire, any_err;
  npu_reg_pkg::err_cause_t new_cause;
  logic [31:0] new_pc, new_addr;

  // The lowest-numbered reporting source wins the instruction index and
  // address; all reported causes accumulate.
  always_comb begin
    new_cause = '0;
    new_pc    = '0;
    new_addr  = '0;
    any_err   = 1'b0;
    for (int i = NumSrc - 1; i >= 0; i--) begin
      if (err_i[i]) begin
        new_cause = new_cause | err_cause_i[i*npu_reg_pkg::ErrCauseW +: npu_reg_pkg::ErrCauseW];
        new_pc    = err_pc_i[i*32 +: 32];
        new_addr  = err_addr_i[i*32 +: 32];
        any_err   = 1'b1;
      end
    end
  end

  assign progress = |progress_i;

  // Oldest instruction waiting at a queue head (reported on a watchdog stop).
  // An instruction blocked on a token is still at its queue head (tokens are
  // taken with the instruction), so this names the oldest blocked one.
  always_comb begin
    watchdog_pc = '1;
    for (int unsigned u = 0; u < NumUnits; u++) begin
      if (q_valid_i[u] && q_pc_i[u*32 +: 32] < watchdog_pc) begin
        watchdog_pc = q_pc_i[u*32 +: 32];
      end
    end
    if (watchdog_pc == '1) begin
      watchdog_pc = '0;
    end
  end

  assign wd_fire = busy_i && !halted_q && (watchdog_limit_i != '0) && (wd_cnt_q >= watchdog_limit_i);

  always_comb begin
    halted_d    = halted_q;
    resetting_d = resetting_q | soft_reset_i;
    cause_d     = cause_q;
    pc_d        = pc_q;
    addr_d      = addr_q;
    error_o     = 1'b0;
    clear_o     = 1'b0;
    wd_cnt_d    = (busy_i && !progress && !halted_q) ? wd_cnt_q + 32'd1 : '0;

    if ((any_err || wd_fire) && !halted_q) begin
      // First stopping error: record where it happened.
      halted_d = 1'b1;
      error_o  = 1'b1;
      pc_d     = any_err ? new_pc : watchdog_pc;
      addr_d   = any_err ? new_addr : '0;
    end
    if (any_err) begin
      cause_d = cause_d | new_cause;
    end
    if (wd_fire) begin
      cause_d.watchdog = 1'b1;
    end
    if (queue_overflow_i) begin
      // A lost doorbell is reported but does not stop the running stream.
      cause_d.queue_overflow = 1'b1;
      error_o = 1'b1;
    end

    if (resetting_q && all_idle_i) begin
      clear_o     = 1'b1;
      resetting_d = 1'b0;
      halted_d    = 1'b0;
      cause_d     = '0;
      pc_d        = '0;
      addr_d      = '0;
      wd_cnt_d    = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      halted_q    <= 1'b0;
      resetting_q <= 1'b0;
      cause_q     <= '0;
      pc_q        <= '0;
      addr_q      <= '0;
      wd_cnt_q    <= '0;
    end else begin
      halted_q    <= halted_d;
      resetting_q <= resetting_d;
      cause_q     <= cause_d;
      pc_q        <= pc_d;
      addr_q      <= addr_d;
      wd_cnt_q    <= wd_cnt_d;
    end
  end

  // Cover points (make cov): each ERR_CAUSE bit raised, two sources
  // reporting in one cycle, an error while stopped (it only accumulates), a
  // lost doorbell during a stopping error, the watchdog, and a soft reset
  // that must wait for busy units.
  // (One point per cause: Verilator merges the points of a generate loop.)
  `NPU_COVER(IllegalRaised_C, !cause_q.illegal_instr && cause_d.illegal_instr, clk_i, rst_ni)
  `NPU_COVER(AddrRangeRaised_C, !cause_q.addr_range && cause_d.addr_range, clk_i, rst_ni)
  `NPU_COVER(AxiRespRaised_C, !cause_q.axi_resp && cause_d.axi_resp, clk_i, rst_ni)
  `NPU_COVER(WatchdogRaised_C, !cause_q.watchdog && cause_d.watchdog, clk_i, rst_ni)
  `NPU_COVER(OverflowRaised_C, !cause_q.queue_overflow && cause_d.queue_overflow, clk_i, rst_ni)
  `NPU_COVER(TwoSources_C, !halted_q && $countones(err_i) > 1, clk_i, rst_ni)
  `NPU_COVER(ErrWhileHalted_C, halted_q && any_err, clk_i, rst_ni)
  `NPU_COVER(OverflowWithError_C, queue_overflow_i && (any_err || wd_fire), clk_i, rst_ni)
  `NPU_COVER(WatchdogFires_C, wd_fire, clk_i, rst_ni)
  `NPU_COVER(ResetWaitsForUnits_C, resetting_q && !all_idle_i, clk_i, rst_ni)

  assign abort_o     = halted_q | resetting_q;
  assign halted_o    = halted_q;
  assign resetting_o = resetting_q;
  assign err_cause_o = cause_q;
  assign err_pc_o    = pc_q;
  assign err_addr_o  = addr_q;

endmodule
