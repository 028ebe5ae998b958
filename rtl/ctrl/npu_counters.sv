// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// What the performance counters count: the core's events, each wired to
/// its counter of spec/regs.toml (the NPU's) and spec/isa.toml (each
/// unit's), counted by npu_perf.
///
/// The per-unit inputs are indexed by npu_isa_pkg::Unit*. A unit's own
/// events (its stall causes) have a port each; a counter without an event
/// here reads 0.
module npu_counters #(
  parameter int unsigned Dim = npu_config_pkg::DefaultDim  ///< array size, bus bytes
) (
  input  logic                              clk_i,                 ///< clock
  input  logic                              rst_ni,                ///< asynchronous reset, active low
  input  logic                              clear_i,               ///< CTRL.clear_counters
  input  logic                              active_i,              ///< a stream runs
  input  logic                              dispatch_i,            ///< an instruction dispatched
  input  logic                              fetch_stall_i,         ///< fetch waits on a full queue
  input  logic                              read_beat_i,           ///< an R beat accepted
  input  logic                              write_beat_i,          ///< a W beat with strobes accepted
  input  logic                              row_i,                 ///< a row enters the array
  input  logic                              win_mac_i,             ///< the window unit issues MACs
  input  logic [5:0]                        win_mac_taps_i,        ///< taps of that issue, per lane
  input  logic [npu_isa_pkg::NumUnits-1:0]  busy_i,                ///< per unit: busy
  input  logic [npu_isa_pkg::NumUnits-1:0]  stall_dep_i,           ///< per unit: head waits on a token
  input  logic                              load_stall_mem_i,      ///< load waits on the bus
  input  logic                              compute_stall_hazard_i,///< compute waits on a weight bank
  input  logic                              window_stall_port_i,   ///< window waits on a port
  input  logic                              store_stall_mem_i,     ///< store waits on the bus
  output logic [npu_reg_pkg::CounterWords*32-1:0] counters_o       ///< counter block, register order
);

  localparam int unsigned UL = npu_isa_pkg::UnitLoad;
  localparam int unsigned UC = npu_isa_pkg::UnitCompute;
  localparam int unsigned UW = npu_isa_pkg::UnitWindow;
  localparam int unsigned US = npu_isa_pkg::UnitStore;

  // MACs this cycle: Dim * Dim per row entering the array, Dim per tap of
  // a depthwise window issued by the window unit.
  logic [npu_reg_pkg::CntAmountW-1:0] mac_amount;
  assign mac_amount = (row_i ? npu_reg_pkg::CntAmountW'(Dim * Dim) : '0) +
                      (win_mac_i ? npu_reg_pkg::CntAmountW'(win_mac_taps_i) *
                                   npu_reg_pkg::CntAmountW'(Dim) : '0);

  logic [npu_reg_pkg::NumCounters-1:0] ev;
  always_comb begin
    ev = '0;
    ev[npu_reg_pkg::CntCycles]             = active_i;
    ev[npu_reg_pkg::CntMacs]               = row_i || win_mac_i;
    ev[npu_reg_pkg::CntInstructions]       = dispatch_i;
    ev[npu_reg_pkg::CntFetchStall]         = fetch_stall_i;
    ev[npu_reg_pkg::CntBytesRead]          = read_beat_i;
    ev[npu_reg_pkg::CntBytesWritten]       = write_beat_i;
    ev[npu_reg_pkg::CntLoadBusy]           = busy_i[UL];
    ev[npu_reg_pkg::CntLoadStallDep]       = stall_dep_i[UL];
    ev[npu_reg_pkg::CntLoadStallMem]       = load_stall_mem_i;
    ev[npu_reg_pkg::CntComputeBusy]        = busy_i[UC];
    ev[npu_reg_pkg::CntComputeStallDep]    = stall_dep_i[UC];
    ev[npu_reg_pkg::CntComputeStallHazard] = compute_stall_hazard_i;
    ev[npu_reg_pkg::CntWindowBusy]         = busy_i[UW];
    ev[npu_reg_pkg::CntWindowStallDep]     = stall_dep_i[UW];
    ev[npu_reg_pkg::CntWindowStallPort]    = window_stall_port_i;
    ev[npu_reg_pkg::CntStoreBusy]          = busy_i[US];
    ev[npu_reg_pkg::CntStoreStallDep]      = stall_dep_i[US];
    ev[npu_reg_pkg::CntStoreStallMem]      = store_stall_mem_i;
  end

  npu_perf #(
    .Dim(Dim)
  ) u_perf (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .clear_i    (clear_i),
    .ev_i       (ev),
    .amount_i   (mac_amount),
    .counters_o (counters_o)
  );

endmodule
