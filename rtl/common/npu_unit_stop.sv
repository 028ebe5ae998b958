// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Error capture and stopping of a unit with bus transactions (load, store).
///
/// The unit presents at most one error per cycle (req_i, already chosen by
/// its own priority, oldest work first). The first one is taken (fire_o) and
/// reported for one cycle, registered (err_o with cause, address and pc).
/// An error or abort_i makes the unit stop: stopping_o rises the next cycle
/// and stays high while the unit completes its outstanding bus transactions
/// legally (it issues nothing new); once drained_i says nothing is
/// outstanding, flush_o pulses (empty the unit's FIFOs) and the unit stays
/// halted (halted_o) until clear_i. clear_i (the soft reset) returns all of
/// it to the reset state and also pulses flush_o.
module npu_unit_stop (
  input  logic                    clk_i,        ///< clock
  input  logic                    rst_ni,       ///< asynchronous reset, active low
  input  logic                    clear_i,      ///< soft reset
  input  logic                    abort_i,      ///< stop (from npu_ctrl)
  input  logic                    req_i,        ///< an error is found this cycle
  input  npu_reg_pkg::err_cause_t cause_i,      ///< its cause
  input  logic [31:0]             addr_i,       ///< its address
  input  logic [31:0]             pc_i,         ///< its instruction
  input  logic                    drained_i,    ///< nothing outstanding on the bus
  output logic                    fire_o,       ///< the error is taken this cycle
  output logic                    stopping_o,   ///< draining: issue nothing new
  output logic                    halted_o,     ///< stopped until clear_i
  output logic                    flush_o,      ///< pulse: empty the unit's FIFOs
  output logic                    err_o,        ///< one-cycle error report
  output npu_reg_pkg::err_cause_t err_cause_o,  ///< its cause
  output logic [31:0]             err_addr_o,   ///< its address
  output logic [31:0]             err_pc_o      ///< its instruction
);

  logic                    err_d, err_q, drain_d, drain_q, halt_d, halt_q;
  npu_reg_pkg::err_cause_t cause_d, cause_q;
  logic [31:0]             addr_d, addr_q, pc_d, pc_q;

  always_comb begin
    fire_o  = !drain_q && !halt_q && req_i;
    err_d   = fire_o;
    cause_d = fire_o ? cause_i : cause_q;
    addr_d  = fire_o ? addr_i : addr_q;
    pc_d    = fire_o ? pc_i : pc_q;
    drain_d = (drain_q || abort_i || fire_o) && !halt_q;
    halt_d  = halt_q;
    flush_o = 1'b0;
    if (drain_q && drained_i) begin
      drain_d = 1'b0;
      halt_d  = 1'b1;
      flush_o = 1'b1;
    end
    if (clear_i) begin
      err_d   = 1'b0;
      drain_d = 1'b0;
      halt_d  = 1'b0;
      flush_o = 1'b1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      err_q   <= 1'b0;
      drain_q <= 1'b0;
      halt_q  <= 1'b0;
      cause_q <= '0;
      addr_q  <= '0;
      pc_q    <= '0;
    end else begin
      err_q   <= err_d;
      drain_q <= drain_d;
      halt_q  <= halt_d;
      cause_q <= cause_d;
      addr_q  <= addr_d;
      pc_q    <= pc_d;
    end
  end

  assign stopping_o  = drain_q;
  assign halted_o    = halt_q;
  assign err_o       = err_q;
  assign err_cause_o = cause_q;
  assign err_addr_o  = addr_q;
  assign err_pc_o    = pc_q;

endmodule
