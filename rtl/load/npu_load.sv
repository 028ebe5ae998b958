// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Load unit (DMA read side): executes `load` instructions (docs/gen/isa.md).
///
/// Two decoupled halves joined by a descriptor FIFO of MaxReads + 4 entries:
/// the address generator (npu_load_ag) walks the window one segment per
/// cycle and issues the read bursts; the write-back side (npu_load_wb) writes
/// the scratchpad rows in program order and gives the signal tokens after an
/// instruction's last row. npu_unit_stop captures the first error (the
/// write-back side's first: it works on older instructions) and runs the
/// stop: nothing more is issued or written, an AR already shown stays until
/// accepted, outstanding R beats are accepted and dropped, then the unit is
/// halted (idle, instr_ready_o low) until clear_i.
module npu_load #(
  parameter int unsigned Dim       = npu_config_pkg::DefaultDim,        ///< bytes per row and beat
  parameter int unsigned SpadARows = npu_config_pkg::DefaultSpadARows,  ///< rows of scratchpad A
  parameter int unsigned SpadBRows = npu_config_pkg::DefaultSpadBRows,  ///< rows of scratchpad B
  parameter int unsigned SpadPRows = npu_config_pkg::DefaultSpadPRows,  ///< rows of scratchpad P
  parameter int unsigned MaxReads  = npu_config_pkg::DefaultMaxReads,   ///< read bursts in flight
  parameter int unsigned AxiId     = npu_config_pkg::AxiIdLoad,         ///< ARID of this unit
  /// Scratchpad row address width; derived, do not override.
  parameter int unsigned SpW = $clog2((SpadARows > SpadBRows)
                                      ? ((SpadARows > SpadPRows) ? SpadARows : SpadPRows)
                                      : ((SpadBRows > SpadPRows) ? SpadBRows : SpadPRows))
) (
  input  logic                          clk_i,          ///< clock
  input  logic                          rst_ni,         ///< asynchronous reset, active low
  input  logic                          clear_i,        ///< synchronous clear (soft reset)
  input  logic                          abort_i,        ///< stop: issue nothing new, drain, halt
  input  logic                          instr_valid_i,  ///< instruction queue not empty (FWFT)
  output logic                          instr_ready_o,  ///< take the queue head this cycle
  input  logic [255:0]                  instr_i,        ///< queue head
  input  logic [31:0]                   pc_i,           ///< stream index of the queue head
  /// Per wait bit: a token is available in the queue it names (npu_isa_pkg::UnitInQueue).
  input  logic [npu_isa_pkg::DepW-1:0]  tok_avail_i,
  output logic [npu_isa_pkg::DepW-1:0]  tok_take_o,     ///< per wait bit: take one token
  output logic [npu_isa_pkg::DepW-1:0]  tok_give_o,     ///< per signal bit: give one token
  input  logic [31:0]                   win_base_i,     ///< lowest permitted byte address
  input  logic [31:0]                   win_size_i,     ///< bytes in the permitted window
  output logic                          m_ar_valid_o,   ///< AXI AR valid
  input  logic                          m_ar_ready_i,   ///< AXI AR ready
  output logic [31:0]                   m_ar_addr_o,    ///< AXI AR address
  output logic [7:0]                    m_ar_len_o,     ///< AXI AR beats - 1
  output logic [2:0]                    m_ar_size_o,    ///< AXI AR size, log2(Dim)
  output logic [1:0]                    m_ar_burst_o,   ///< AXI AR burst type (INCR)
  output logic [1:0]                    m_ar_id_o,      ///< AXI AR id (AxiId)
  input  logic                          m_r_valid_i,    ///< AXI R valid (this id only)
  output logic                          m_r_ready_o,    ///< AXI R ready
  input  logic [Dim*8-1:0]              m_r_data_i,     ///< AXI R data
  input  logic [1:0]                    m_r_resp_i,     ///< AXI R response
  input  logic                          m_r_last_i,     ///< AXI R last beat of a burst
  output logic [2:0]                    sp_we_o,        ///< scratchpad write, one-hot A, B, P
  output logic [SpW-1:0]                sp_waddr_o,     ///< scratchpad row
  output logic [Dim*8-1:0]              sp_wdata_o,     ///< scratchpad row data
  output logic                          idle_o,         ///< nothing in progress or outstanding
  output logic                          err_o,          ///< one-cycle error report
  output npu_reg_pkg::err_cause_t       err_cause_o,    ///< ERR_CAUSE bits of the report
  output logic [31:0]                   err_addr_o,     ///< address of the failing access
  output logic [31:0]                   err_pc_o,       ///< pc of the failing instruction
  output logic                          busy_o,         ///< counter event: not idle
  output logic                          stall_dep_o,    ///< counter event: waiting for a token
  output logic                          stall_mem_o     ///< counter event: waiting on AR or R
);

  localparam int unsigned DescDepth = MaxReads + 4;

  logic stopping, halted, flush, fire, stop_ag;

  // ---------------------------------------------------------------------------
  // Address generator.
  // ---------------------------------------------------------------------------
  npu_load_pkg::desc_t     desc_w, desc_r;
  logic [npu_isa_pkg::DepW-1:0] sig_w, sig_r;
  logic                    desc_push, desc_wready, desc_rvalid, desc_pop;
  logic                    r_last, ag_err, ag_idle, ag_drained, ag_stall_ar;
  npu_reg_pkg::err_cause_t ag_cause;
  logic [31:0]             ag_addr, ag_pc;

  // The write-back side's error (older work) also stops the generator.
  logic                    wb_err;
  assign stop_ag = stopping || halted || abort_i || wb_err;
  assign r_last  = m_r_valid_i && m_r_ready_o && m_r_last_i;

  npu_load_ag #(
    .Dim      (Dim),
    .SpadARows(SpadARows),
    .SpadBRows(SpadBRows),
    .SpadPRows(SpadPRows),
    .MaxReads (MaxReads),
    .AxiId    (AxiId)
  ) u_ag (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .clear_i       (clear_i),
    .stop_i        (stop_ag),
    .instr_valid_i (instr_valid_i),
    .instr_ready_o (instr_ready_o),
    .instr_i       (instr_i),
    .pc_i          (pc_i),
    .tok_avail_i   (tok_avail_i),
    .tok_take_o    (tok_take_o),
    .win_base_i    (win_base_i),
    .win_size_i    (win_size_i),
    .desc_push_o   (desc_push),
    .desc_o        (desc_w),
    .desc_sig_o    (sig_w),
    .desc_wready_i (desc_wready),
    .m_ar_valid_o  (m_ar_valid_o),
    .m_ar_ready_i  (m_ar_ready_i),
    .m_ar_addr_o   (m_ar_addr_o),
    .m_ar_len_o    (m_ar_len_o),
    .m_ar_size_o   (m_ar_size_o),
    .m_ar_burst_o  (m_ar_burst_o),
    .m_ar_id_o     (m_ar_id_o),
    .r_last_i      (r_last),
    .err_req_o     (ag_err),
    .err_cause_o   (ag_cause),
    .err_addr_o    (ag_addr),
    .err_pc_o      (ag_pc),
    .idle_o        (ag_idle),
    .drained_o     (ag_drained),
    .stall_dep_o   (stall_dep_o),
    .stall_ar_o    (ag_stall_ar)
  );

  logic [$clog2(DescDepth + 1)-1:0] unused_desc_count;

  npu_fifo #(
    .Width(npu_isa_pkg::DepW + npu_load_pkg::DescW),
    .Depth(DescDepth)
  ) u_desc_fifo (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .clear_i  (flush),
    .wvalid_i (desc_push),
    .wready_o (desc_wready),
    .wdata_i  ({sig_w, desc_w}),
    .rvalid_o (desc_rvalid),
    .rready_i (desc_pop),
    .rdata_o  ({sig_r, desc_r}),
    .count_o  (unused_desc_count)
  );

  // ---------------------------------------------------------------------------
  // Write-back side.
  // ---------------------------------------------------------------------------
  logic [31:0] wb_addr, wb_pc;
  logic        wb_stall_r;

  npu_load_wb #(
    .Dim(Dim),
    .SpW(SpW)
  ) u_wb (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clear_i      (clear_i),
    .abort_i      (abort_i),
    .drop_i       (stopping || halted),
    .desc_valid_i (desc_rvalid),
    .desc_i       (desc_r),
    .desc_sig_i   (sig_r),
    .desc_pop_o   (desc_pop),
    .m_r_valid_i  (m_r_valid_i),
    .m_r_ready_o  (m_r_ready_o),
    .m_r_data_i   (m_r_data_i),
    .m_r_resp_i   (m_r_resp_i),
    .sp_we_o      (sp_we_o),
    .sp_waddr_o   (sp_waddr_o),
    .sp_wdata_o   (sp_wdata_o),
    .tok_give_o   (tok_give_o),
    .err_req_o    (wb_err),
    .err_addr_o   (wb_addr),
    .err_pc_o     (wb_pc),
    .stall_r_o    (wb_stall_r)
  );

  // ---------------------------------------------------------------------------
  // Errors and stopping: the write-back side works on older instructions and
  // reports first.
  // ---------------------------------------------------------------------------
  npu_reg_pkg::err_cause_t resp_cause;
  always_comb begin
    resp_cause          = '0;
    resp_cause.axi_resp = 1'b1;
  end

  npu_unit_stop u_stop (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (clear_i),
    .abort_i     (abort_i),
    .req_i       (wb_err || ag_err),
    .cause_i     (wb_err ? resp_cause : ag_cause),
    .addr_i      (wb_err ? wb_addr : ag_addr),
    .pc_i        (wb_err ? wb_pc : ag_pc),
    .drained_i   (ag_drained),
    .fire_o      (fire),
    .stopping_o  (stopping),
    .halted_o    (halted),
    .flush_o     (flush),
    .err_o       (err_o),
    .err_cause_o (err_cause_o),
    .err_addr_o  (err_addr_o),
    .err_pc_o    (err_pc_o)
  );

  // The stop logic acts on the error itself; the pulse is for nobody else.
  logic unused_fire;
  assign unused_fire = fire;

  assign idle_o      = ag_idle && !stopping && ag_drained && !desc_rvalid;
  assign busy_o      = !idle_o;
  assign stall_mem_o = ag_stall_ar || wb_stall_r;

endmodule
