// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Store unit (DMA write side): executes `store` instructions
/// (docs/gen/isa.md).
///
/// Four engines work on the same instruction stream:
/// - the front end (npu_store_fe) checks an instruction, reads its parameter
///   rows from P and its accumulator rows into npu_postproc (requantization,
///   then with `add` TFLite's ADD of a residual row), whose results go into
///   the output FIFO;
/// - the residual reader (npu_store_rd) reads the residual rows of a store
///   with add (AXI reads, ARID AxiId) ahead of the accumulator reads;
/// - the AW engine (npu_store_aw) announces the output bursts ahead of the
///   data and keeps the B bookkeeping;
/// - the W engine (npu_store_w) sends the beats.
/// npu_unit_stop captures the first error (oldest first: B, the residual
/// reader, the AW engine, the front end) and runs the stop: no new AW or AR
/// (one already shown stays until accepted), every announced write burst is
/// completed with WSTRB = 0, every B response and R beat is accepted, then
/// the unit stays halted until clear_i. The signal tokens are given once all
/// accumulator reads of an instruction are done; completion (idle_o) waits
/// for every B response.
module npu_store #(
  parameter int unsigned Dim       = npu_config_pkg::DefaultDim,        ///< bytes per row and beat
  parameter int unsigned SpadPRows = npu_config_pkg::DefaultSpadPRows,  ///< rows of scratchpad P
  parameter int unsigned AccRows   = npu_config_pkg::DefaultAccRows,    ///< accumulator rows
  parameter int unsigned AxiId     = npu_config_pkg::AxiIdStore,        ///< AWID of this unit
  parameter int unsigned PostLanes = Dim,                               ///< post-processing lanes
  /// P row address width; derived, do not override.
  parameter int unsigned PW   = $clog2(SpadPRows),
  /// Accumulator row address width; derived, do not override.
  parameter int unsigned AccW = $clog2(AccRows)
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
  output logic                          p_re_o,         ///< P scratchpad read
  output logic [PW-1:0]                 p_raddr_o,      ///< P scratchpad row
  input  logic [Dim*8-1:0]              p_rdata_i,      ///< P row, the cycle after p_re_o
  output logic                          acc_re_o,       ///< accumulator read request
  output logic [AccW-1:0]               acc_raddr_o,    ///< accumulator row
  input  logic                          acc_gnt_i,      ///< request taken this cycle
  input  logic [Dim*32-1:0]             acc_rdata_i,    ///< row, the cycle after a grant
  output logic                          m_ar_valid_o,   ///< AXI AR valid (residual reads)
  input  logic                          m_ar_ready_i,   ///< AXI AR ready
  output logic [31:0]                   m_ar_addr_o,    ///< AXI AR address
  output logic [7:0]                    m_ar_len_o,     ///< AXI AR beats - 1
  output logic [2:0]                    m_ar_size_o,    ///< AXI AR size, log2(Dim)
  output logic [1:0]                    m_ar_burst_o,   ///< AXI AR burst type (INCR)
  output logic [1:0]                    m_ar_id_o,      ///< AXI AR id (AxiId)
  input  logic                          m_r_valid_i,    ///< AXI R valid (this id only)
  output logic                          m_r_ready_o,    ///< AXI R ready (always)
  input  logic [Dim*8-1:0]              m_r_data_i,     ///< AXI R data
  input  logic [1:0]                    m_r_resp_i,     ///< AXI R response
  input  logic                          m_r_last_i,     ///< AXI R last beat of a burst
  output logic                          m_aw_valid_o,   ///< AXI AW valid
  input  logic                          m_aw_ready_i,   ///< AXI AW ready
  output logic [31:0]                   m_aw_addr_o,    ///< AXI AW address
  output logic [7:0]                    m_aw_len_o,     ///< AXI AW beats - 1
  output logic [2:0]                    m_aw_size_o,    ///< AXI AW size, log2(Dim)
  output logic [1:0]                    m_aw_burst_o,   ///< AXI AW burst type (INCR)
  output logic [1:0]                    m_aw_id_o,      ///< AXI AW id (AxiId)
  output logic                          m_w_valid_o,    ///< AXI W valid
  input  logic                          m_w_ready_i,    ///< AXI W ready
  output logic [Dim*8-1:0]              m_w_data_o,     ///< AXI W data
  output logic [Dim-1:0]                m_w_strb_o,     ///< AXI W strobes (0 when aborting)
  output logic                          m_w_last_o,     ///< AXI W last beat of a burst
  input  logic                          m_b_valid_i,    ///< AXI B valid
  output logic                          m_b_ready_o,    ///< AXI B ready (always)
  input  logic [1:0]                    m_b_resp_i,     ///< AXI B response
  output logic                          idle_o,         ///< nothing in progress or outstanding
  output logic                          err_o,          ///< one-cycle error report
  output npu_reg_pkg::err_cause_t       err_cause_o,    ///< ERR_CAUSE bits of the report
  output logic [31:0]                   err_addr_o,     ///< address of the failing access
  output logic [31:0]                   err_pc_o,       ///< pc of the failing instruction
  output logic                          busy_o,         ///< counter event: not idle
  output logic                          stall_dep_o,    ///< counter event: waiting for a token
  output logic                          stall_mem_o     ///< counter event: waiting on AW or W
);

  /// Post-processed beats buffered: the pipeline's depth (accumulator read
  /// and npu_postproc, 12 cycles) plus room for W backpressure.
  localparam int unsigned OutDepth = 20;
  localparam int unsigned OutCntW  = $clog2(OutDepth + 1);
  localparam int unsigned ResCntW  = $clog2(npu_config_pkg::ResBurst * npu_config_pkg::ResBursts + 1);

  logic stopping, halted, flush, fire, stop;
  assign stop = stopping || halted || abort_i;

  // ---------------------------------------------------------------------------
  // Front end and output FIFO.
  // ---------------------------------------------------------------------------
  logic                    pp_valid, start, start_rd, aw_busy, rd_busy, fe_err, fe_idle;
  logic                    res_pop;
  logic [Dim*8-1:0]        pp_data, res_head;
  logic [ResCntW-1:0]      res_count;
  logic [31:0]             dst_addr, dst_stride, res_addr, res_stride, fe_pc, fe_addr;
  logic [15:0]             ny, nx;
  npu_reg_pkg::err_cause_t fe_cause;
  logic [OutCntW-1:0]      out_count;

  npu_store_fe #(
    .Dim      (Dim),
    .SpadPRows(SpadPRows),
    .AccRows  (AccRows),
    .OutDepth (OutDepth),
    .PostLanes(PostLanes)
  ) u_fe (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .clear_i       (clear_i),
    .stop_i        (stop),
    .instr_valid_i (instr_valid_i),
    .instr_ready_o (instr_ready_o),
    .instr_i       (instr_i),
    .pc_i          (pc_i),
    .tok_avail_i   (tok_avail_i),
    .tok_take_o    (tok_take_o),
    .tok_give_o    (tok_give_o),
    .p_re_o        (p_re_o),
    .p_raddr_o     (p_raddr_o),
    .p_rdata_i     (p_rdata_i),
    .acc_re_o      (acc_re_o),
    .acc_raddr_o   (acc_raddr_o),
    .acc_gnt_i     (acc_gnt_i),
    .acc_rdata_i   (acc_rdata_i),
    .out_count_i   (out_count),
    .res_count_i   (res_count),
    .res_head_i    (res_head),
    .res_pop_o     (res_pop),
    .pp_valid_o    (pp_valid),
    .pp_data_o     (pp_data),
    .start_o       (start),
    .aw_busy_i     (aw_busy),
    .start_rd_o    (start_rd),
    .stall_res_o   (stall_res),
    .rd_busy_i     (rd_busy),
    .res_addr_o    (res_addr),
    .res_stride_o  (res_stride),
    .dst_addr_o    (dst_addr),
    .dst_stride_o  (dst_stride),
    .ny_o          (ny),
    .nx_o          (nx),
    .pc_o          (fe_pc),
    .err_req_o     (fe_err),
    .err_cause_o   (fe_cause),
    .err_addr_o    (fe_addr),
    .idle_o        (fe_idle),
    .stall_dep_o   (stall_dep_o)
  );

  logic             out_valid, out_pop, unused_out_wready;  // credits reserve the room
  logic [Dim*8-1:0] out_data;

  npu_fifo #(
    .Width (Dim * 8),
    .Depth (OutDepth),
    .Credit(1'b1)  // credits reserve the room
  ) u_out_fifo (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .clear_i  (flush || stop),
    .wvalid_i (pp_valid && !stop),
    .wready_o (unused_out_wready),
    .wdata_i  (pp_data),
    .rvalid_o (out_valid),
    .rready_i (out_pop),
    .rdata_o  (out_data),
    .count_o  (out_count)
  );

  // ---------------------------------------------------------------------------
  // Residual reader.
  // ---------------------------------------------------------------------------
  logic        rd_err, rd_err_resp, rd_drained, stall_rd, stall_res;
  logic [31:0] rd_addr, rd_pc;

  npu_store_rd #(
    .Dim  (Dim),
    .AxiId(AxiId)
  ) u_rd (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clear_i      (clear_i),
    .stop_i       (stop),
    .flush_i      (flush),
    .start_i      (start_rd),
    .addr_i       (res_addr),
    .stride_i     (res_stride),
    .ny_i         (ny),
    .nx_i         (nx),
    .pc_i         (fe_pc),
    .busy_o       (rd_busy),
    .win_base_i   (win_base_i),
    .win_size_i   (win_size_i),
    .m_ar_valid_o (m_ar_valid_o),
    .m_ar_ready_i (m_ar_ready_i),
    .m_ar_addr_o  (m_ar_addr_o),
    .m_ar_len_o   (m_ar_len_o),
    .m_ar_size_o  (m_ar_size_o),
    .m_ar_burst_o (m_ar_burst_o),
    .m_ar_id_o    (m_ar_id_o),
    .m_r_valid_i  (m_r_valid_i),
    .m_r_ready_o  (m_r_ready_o),
    .m_r_data_i   (m_r_data_i),
    .m_r_resp_i   (m_r_resp_i),
    .m_r_last_i   (m_r_last_i),
    .count_o      (res_count),
    .head_o       (res_head),
    .pop_i        (res_pop),
    .err_req_o    (rd_err),
    .err_resp_o   (rd_err_resp),
    .err_addr_o   (rd_addr),
    .err_pc_o     (rd_pc),
    .drained_o    (rd_drained),
    .stall_r_o    (stall_rd)
  );

  // ---------------------------------------------------------------------------
  // AW and W engines.
  // ---------------------------------------------------------------------------
  logic        wlen_valid, wlen_pop, ae_err, b_err, aw_drained, w_idle, stall_aw;
  logic [7:0]  wlen;
  logic [31:0] ae_addr, ae_pc, b_addr, b_pc;

  npu_store_aw #(
    .Dim  (Dim),
    .AxiId(AxiId)
  ) u_aw (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clear_i      (clear_i),
    .stop_i       (stop),
    .hold_i       (b_err || rd_err || fe_err),
    .flush_i      (flush),
    .start_i      (start),
    .dst_addr_i   (dst_addr),
    .dst_stride_i (dst_stride),
    .ny_i         (ny),
    .nx_i         (nx),
    .pc_i         (fe_pc),
    .busy_o       (aw_busy),
    .win_base_i   (win_base_i),
    .win_size_i   (win_size_i),
    .m_aw_valid_o (m_aw_valid_o),
    .m_aw_ready_i (m_aw_ready_i),
    .m_aw_addr_o  (m_aw_addr_o),
    .m_aw_len_o   (m_aw_len_o),
    .m_aw_size_o  (m_aw_size_o),
    .m_aw_burst_o (m_aw_burst_o),
    .m_aw_id_o    (m_aw_id_o),
    .m_b_valid_i  (m_b_valid_i),
    .m_b_ready_o  (m_b_ready_o),
    .m_b_resp_i   (m_b_resp_i),
    .wlen_valid_o (wlen_valid),
    .wlen_o       (wlen),
    .wlen_pop_i   (wlen_pop),
    .err_req_o    (ae_err),
    .err_addr_o   (ae_addr),
    .err_pc_o     (ae_pc),
    .b_err_o      (b_err),
    .b_err_addr_o (b_addr),
    .b_err_pc_o   (b_pc),
    .drained_o    (aw_drained),
    .stall_aw_o   (stall_aw)
  );

  npu_store_w #(
    .Dim(Dim)
  ) u_w (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .clear_i      (clear_i),
    .stop_i       (stop || fire),  // an error found now already turns the next beat into a filler
    .wlen_valid_i (wlen_valid),
    .wlen_i       (wlen),
    .wlen_pop_o   (wlen_pop),
    .out_valid_i  (out_valid),
    .out_data_i   (out_data),
    .out_pop_o    (out_pop),
    .m_w_valid_o  (m_w_valid_o),
    .m_w_ready_i  (m_w_ready_i),
    .m_w_data_o   (m_w_data_o),
    .m_w_strb_o   (m_w_strb_o),
    .m_w_last_o   (m_w_last_o),
    .idle_o       (w_idle)
  );

  // ---------------------------------------------------------------------------
  // Errors, oldest first: B answers older bursts than the readers and the AW
  // engine, which work on an instruction at least as old as the front end's.
  // ---------------------------------------------------------------------------
  npu_reg_pkg::err_cause_t cause;
  logic [31:0]             eaddr, epc;

  always_comb begin
    cause = fe_cause;
    eaddr = fe_addr;
    epc   = fe_pc;
    if (b_err) begin
      cause          = '0;
      cause.axi_resp = 1'b1;
      eaddr          = b_addr;
      epc            = b_pc;
    end else if (rd_err) begin
      cause            = '0;
      cause.axi_resp   = rd_err_resp;
      cause.addr_range = !rd_err_resp;
      eaddr            = rd_addr;
      epc              = rd_pc;
    end else if (ae_err) begin
      cause            = '0;
      cause.addr_range = 1'b1;
      eaddr            = ae_addr;
      epc              = ae_pc;
    end
  end

  npu_unit_stop u_stop (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (clear_i),
    .abort_i     (abort_i),
    .req_i       (b_err || rd_err || ae_err || fe_err),
    .cause_i     (cause),
    .addr_i      (eaddr),
    .pc_i        (epc),
    .drained_i   (aw_drained && w_idle && rd_drained),
    .fire_o      (fire),
    .stopping_o  (stopping),
    .halted_o    (halted),
    .flush_o     (flush),
    .err_o       (err_o),
    .err_cause_o (err_cause_o),
    .err_addr_o  (err_addr_o),
    .err_pc_o    (err_pc_o)
  );

  assign idle_o      = fe_idle && !aw_busy && !rd_busy && !stopping && aw_drained && w_idle &&
                       rd_drained && !out_valid;
  assign busy_o      = !idle_o;
  // Waiting on AW, W, a residual AR, or residual data not yet returned.
  assign stall_mem_o = stall_aw || (m_w_valid_o && !m_w_ready_i) || stall_rd || stall_res;

endmodule
