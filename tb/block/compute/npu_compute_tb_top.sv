// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Block-test harness of npu_compute: the unit with its real memories
/// (npu_ram_2p scratchpads A and B, npu_acc_mem), backdoor write ports for
/// the test to fill them, the store read port of the accumulator memory to
/// read results back, and a few observation outputs. The unit's interface
/// (queue head, token masks, error report, counter events) is passed through
/// under its own names, so that the shared unit driver binds to it.
module npu_compute_tb_top #(
  parameter int unsigned Dim       = 4,     ///< array size
  parameter int unsigned SpadARows = 1024,  ///< scratchpad A rows
  parameter int unsigned SpadBRows = 256,   ///< scratchpad B rows
  parameter int unsigned AccRows   = 512,   ///< accumulator rows
  /// A address width; derived.
  parameter int unsigned AAW = $clog2(SpadARows),
  /// B address width; derived.
  parameter int unsigned BAW = $clog2(SpadBRows),
  /// Accumulator address width; derived.
  parameter int unsigned CAW = $clog2(AccRows)
) (
  input  logic              clk_i,             ///< clock
  input  logic              rst_ni,            ///< reset, active low
  input  logic              clear_i,           ///< soft reset
  input  logic              abort_i,           ///< abort
  input  logic              instr_valid_i,     ///< queue head valid
  output logic              instr_ready_o,     ///< queue pop
  input  logic [255:0]      instr_i,           ///< queue head
  input  logic [31:0]       pc_i,              ///< its pc
  /// Per wait bit: a token is available in the queue it names.
  input  logic [npu_isa_pkg::DepW-1:0] tok_avail_i,
  output logic [npu_isa_pkg::DepW-1:0] tok_take_o,  ///< per wait bit: take one
  output logic [npu_isa_pkg::DepW-1:0] tok_give_o,  ///< per signal bit: give one
  output logic              idle_o,            ///< idle
  output logic              err_o,             ///< error pulse
  output npu_reg_pkg::err_cause_t err_cause_o, ///< error cause
  output logic [31:0]       err_addr_o,        ///< error address
  output logic [31:0]       err_pc_o,          ///< error pc
  output logic              busy_o,            ///< busy
  output logic              stall_dep_o,       ///< token stall
  output logic              stall_hazard_o,    ///< hazard / weight stall
  output logic              row_o,             ///< row into the array
  // Backdoor writes (test only).
  input  logic              bd_a_we_i,         ///< write scratchpad A
  input  logic              bd_b_we_i,         ///< write scratchpad B
  input  logic [15:0]       bd_waddr_i,        ///< scratchpad row
  input  logic [Dim*8-1:0]  bd_wdata_i,        ///< scratchpad row data
  input  logic              bd_acc_we_i,       ///< write an accumulator row (unit idle)
  input  logic [CAW-1:0]    bd_acc_waddr_i,    ///< accumulator row
  input  logic [Dim*32-1:0] bd_acc_wdata_i,    ///< accumulator row data
  // Store read port of the accumulator memory.
  input  logic              st_re_i,           ///< store read request
  input  logic [CAW-1:0]    st_raddr_i,        ///< store read row
  output logic              st_gnt_o,          ///< granted
  output logic [Dim*32-1:0] st_rdata_o,        ///< data, the cycle after a grant
  // Observation.
  output logic              a_re_o,            ///< A read
  output logic              b_re_o,            ///< B read
  output logic              acc_re_o,          ///< accumulator read
  output logic [CAW-1:0]    acc_raddr_o,       ///< accumulator read row
  output logic              acc_we_o           ///< accumulator write
);

  logic [AAW-1:0]    a_raddr;
  logic [BAW-1:0]    b_raddr;
  logic [Dim*8-1:0]  a_rdata, b_rdata;
  logic [CAW-1:0]    acc_waddr;
  logic [Dim*32-1:0] acc_rdata, acc_wdata;

  npu_compute #(
    .Dim      (Dim),
    .SpadARows(SpadARows),
    .SpadBRows(SpadBRows),
    .AccRows  (AccRows)
  ) u_dut (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .clear_i          (clear_i),
    .abort_i          (abort_i),
    .instr_valid_i    (instr_valid_i),
    .instr_ready_o    (instr_ready_o),
    .instr_i          (instr_i),
    .pc_i             (pc_i),
    .tok_avail_i      (tok_avail_i),
    .tok_take_o       (tok_take_o),
    .tok_give_o       (tok_give_o),
    .a_re_o           (a_re_o),
    .a_raddr_o        (a_raddr),
    .a_rdata_i        (a_rdata),
    .b_re_o           (b_re_o),
    .b_raddr_o        (b_raddr),
    .b_rdata_i        (b_rdata),
    .acc_re_o         (acc_re_o),
    .acc_raddr_o      (acc_raddr_o),
    .acc_rdata_i      (acc_rdata),
    .acc_we_o         (acc_we_o),
    .acc_waddr_o      (acc_waddr),
    .acc_wdata_o      (acc_wdata),
    .idle_o           (idle_o),
    .err_o            (err_o),
    .err_cause_o      (err_cause_o),
    .err_addr_o       (err_addr_o),
    .err_pc_o         (err_pc_o),
    .busy_o           (busy_o),
    .stall_dep_o      (stall_dep_o),
    .stall_hazard_o   (stall_hazard_o),
    .row_o            (row_o)
  );

  npu_ram_2p #(.Width(Dim * 8), .Depth(SpadARows)) u_spad_a (
    .clk_i  (clk_i),
    .we_i   (bd_a_we_i),
    .waddr_i(AAW'(bd_waddr_i)),
    .wdata_i(bd_wdata_i),
    .re_i   (a_re_o),
    .raddr_i(a_raddr),
    .rdata_o(a_rdata)
  );

  npu_ram_2p #(.Width(Dim * 8), .Depth(SpadBRows)) u_spad_b (
    .clk_i  (clk_i),
    .we_i   (bd_b_we_i),
    .waddr_i(BAW'(bd_waddr_i)),
    .wdata_i(bd_wdata_i),
    .re_i   (b_re_o),
    .raddr_i(b_raddr),
    .rdata_o(b_rdata)
  );

  npu_acc_mem #(.Dim(Dim), .Rows(AccRows)) u_acc (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .cmp_re_i   (acc_re_o),
    .cmp_raddr_i(acc_raddr_o),
    .cmp_rdata_o(acc_rdata),
    .cmp_we_i   (acc_we_o || bd_acc_we_i),
    .cmp_waddr_i(acc_we_o ? acc_waddr : bd_acc_waddr_i),
    .cmp_wdata_i(acc_we_o ? acc_wdata : bd_acc_wdata_i),
    .st_re_i    (st_re_i),
    .st_raddr_i (st_raddr_i),
    .st_gnt_o   (st_gnt_o),
    .st_rdata_o (st_rdata_o),
    // The window unit's write port: not part of this bench.
    .win_we_i   (1'b0),
    .win_waddr_i('0),
    .win_wdata_i('0),
    .win_gnt_o  ()
  );

endmodule
