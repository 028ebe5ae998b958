// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// The scratchpads A (activations), B (weights) and P (parameter rows), one
/// npu_ram_2p each, Dim bytes per row.
///
/// The load unit is the only writer: one write port, steered by a one-hot
/// scratchpad select. A and B have one read port each, shared by the compute
/// and window units: compute's reads are always granted, the window unit's
/// request is granted (a_gnt_o / b_gnt_o) in a cycle where compute does not
/// read that scratchpad. P is read by the store unit alone. Read data appear
/// the cycle after the (granted) request, on one bus per scratchpad that both
/// readers see.
module npu_spads #(
  parameter int unsigned Dim       = 16,    ///< bytes per row
  parameter int unsigned SpadARows = 4096,  ///< rows of A
  parameter int unsigned SpadBRows = 4096,  ///< rows of B
  parameter int unsigned SpadPRows = 256,   ///< rows of P
  /// Row address widths; derived, do not override.
  parameter int unsigned AAw  = $clog2(SpadARows),
  parameter int unsigned BAw  = $clog2(SpadBRows),
  parameter int unsigned PAw  = $clog2(SpadPRows),
  parameter int unsigned SpAw = (AAw > BAw) ? ((AAw > PAw) ? AAw : PAw)
                                            : ((BAw > PAw) ? BAw : PAw)
) (
  input  logic             clk_i,          ///< clock
  input  logic [2:0]       we_i,           ///< load write, one-hot npu_isa_pkg::Spad{A,B,P}
  input  logic [SpAw-1:0]  waddr_i,        ///< load write row (low bits used per scratchpad)
  input  logic [Dim*8-1:0] wdata_i,        ///< load write data
  input  logic             cmp_a_re_i,     ///< compute: A read (always granted)
  input  logic [AAw-1:0]   cmp_a_raddr_i,  ///< compute: A row
  input  logic             cmp_b_re_i,     ///< compute: B read (always granted)
  input  logic [BAw-1:0]   cmp_b_raddr_i,  ///< compute: B row
  input  logic             win_a_req_i,    ///< window: A read request
  input  logic [AAw-1:0]   win_a_raddr_i,  ///< window: A row
  output logic             win_a_gnt_o,    ///< window: A read granted this cycle
  input  logic             win_b_req_i,    ///< window: B read request
  input  logic [BAw-1:0]   win_b_raddr_i,  ///< window: B row
  output logic             win_b_gnt_o,    ///< window: B read granted this cycle
  output logic [Dim*8-1:0] a_rdata_o,      ///< A read data
  output logic [Dim*8-1:0] b_rdata_o,      ///< B read data
  input  logic             p_re_i,         ///< store: P read
  input  logic [PAw-1:0]   p_raddr_i,      ///< store: P row
  output logic [Dim*8-1:0] p_rdata_o       ///< P read data
);

  logic           a_re, b_re;
  logic [AAw-1:0] a_raddr;
  logic [BAw-1:0] b_raddr;

  assign win_a_gnt_o = win_a_req_i && !cmp_a_re_i;
  assign win_b_gnt_o = win_b_req_i && !cmp_b_re_i;
  assign a_re        = cmp_a_re_i || win_a_gnt_o;
  assign b_re        = cmp_b_re_i || win_b_gnt_o;
  assign a_raddr     = cmp_a_re_i ? cmp_a_raddr_i : win_a_raddr_i;
  assign b_raddr     = cmp_b_re_i ? cmp_b_raddr_i : win_b_raddr_i;

  npu_ram_2p #(.Width(Dim * 8), .Depth(SpadARows)) u_spad_a (
    .clk_i   (clk_i),
    .we_i    (we_i[npu_isa_pkg::SpadA]),
    .waddr_i (waddr_i[AAw-1:0]),
    .wdata_i (wdata_i),
    .re_i    (a_re),
    .raddr_i (a_raddr),
    .rdata_o (a_rdata_o)
  );

  npu_ram_2p #(.Width(Dim * 8), .Depth(SpadBRows)) u_spad_b (
    .clk_i   (clk_i),
    .we_i    (we_i[npu_isa_pkg::SpadB]),
    .waddr_i (waddr_i[BAw-1:0]),
    .wdata_i (wdata_i),
    .re_i    (b_re),
    .raddr_i (b_raddr),
    .rdata_o (b_rdata_o)
  );

  npu_ram_2p #(.Width(Dim * 8), .Depth(SpadPRows)) u_spad_p (
    .clk_i   (clk_i),
    .we_i    (we_i[npu_isa_pkg::SpadP]),
    .waddr_i (waddr_i[PAw-1:0]),
    .wdata_i (wdata_i),
    .re_i    (p_re_i),
    .raddr_i (p_raddr_i),
    .rdata_o (p_rdata_o)
  );

endmodule
