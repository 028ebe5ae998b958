// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_assert.svh"

/// npu: int8 inference accelerator top level.
///
/// AXI4-Lite slave for control, one AXI4 master to memory, one level
/// interrupt. See docs/architecture.md for the block diagram and the
/// contract between the blocks, docs/gen/ for the ISA and register map.
module npu_top #(
  /// Systolic array rows = columns; bus beat bytes.
  parameter int unsigned Dim        = npu_config_pkg::DefaultDim,
  /// Activation scratchpad rows (Dim bytes each).
  parameter int unsigned SpadARows  = npu_config_pkg::DefaultSpadARows,
  parameter int unsigned SpadBRows  = npu_config_pkg::DefaultSpadBRows,  ///< weight scratchpad rows
  parameter int unsigned SpadPRows  = npu_config_pkg::DefaultSpadPRows,  ///< parameter scratchpad rows
  /// Accumulator rows (Dim int32 each, two banks).
  parameter int unsigned AccRows    = npu_config_pkg::DefaultAccRows,
  /// Read bursts the load unit keeps in flight.
  parameter int unsigned MaxReads   = npu_config_pkg::DefaultMaxReads,
  /// Instructions per unit queue.
  parameter int unsigned QueueDepth = npu_config_pkg::DefaultQueueDepth,
  /// Bus data width; derived, do not override.
  parameter int unsigned DataW      = 8 * Dim
) (
  input  logic             clk_i,             ///< clock
  input  logic             rst_ni,            ///< asynchronous reset, active low

  // AXI4-Lite control slave (12-bit byte offsets).
  input  logic             s_axil_awvalid_i,  ///< write address valid
  output logic             s_axil_awready_o,  ///< write address ready
  input  logic [11:0]      s_axil_awaddr_i,   ///< write address
  input  logic             s_axil_wvalid_i,   ///< write data valid
  output logic             s_axil_wready_o,   ///< write data ready
  input  logic [31:0]      s_axil_wdata_i,    ///< write data
  input  logic [3:0]       s_axil_wstrb_i,    ///< write strobes
  output logic             s_axil_bvalid_o,   ///< write response valid
  input  logic             s_axil_bready_i,   ///< write response ready
  output logic [1:0]       s_axil_bresp_o,    ///< write response
  input  logic             s_axil_arvalid_i,  ///< read address valid
  output logic             s_axil_arready_o,  ///< read address ready
  input  logic [11:0]      s_axil_araddr_i,   ///< read address
  output logic             s_axil_rvalid_o,   ///< read data valid
  input  logic             s_axil_rready_i,   ///< read data ready
  output logic [31:0]      s_axil_rdata_o,    ///< read data
  output logic [1:0]       s_axil_rresp_o,    ///< read response

  // AXI4 memory master.
  output logic             m_axi_awvalid_o,   ///< write address valid
  input  logic             m_axi_awready_i,   ///< write address ready
  output logic [31:0]      m_axi_awaddr_o,    ///< write address
  output logic [7:0]       m_axi_awlen_o,     ///< write burst length - 1
  output logic [2:0]       m_axi_awsize_o,    ///< write beat size
  output logic [1:0]       m_axi_awburst_o,   ///< write burst type (INCR)
  output logic [1:0]       m_axi_awid_o,      ///< write id
  output logic             m_axi_wvalid_o,    ///< write data valid
  input  logic             m_axi_wready_i,    ///< write data ready
  output logic [DataW-1:0] m_axi_wdata_o,     ///< write data
  output logic [Dim-1:0]   m_axi_wstrb_o,     ///< write strobes
  output logic             m_axi_wlast_o,     ///< last write beat
  input  logic             m_axi_bvalid_i,    ///< write response valid
  output logic             m_axi_bready_o,    ///< write response ready
  input  logic [1:0]       m_axi_bresp_i,     ///< write response
  input  logic [1:0]       m_axi_bid_i,       ///< write response id
  output logic             m_axi_arvalid_o,   ///< read address valid
  input  logic             m_axi_arready_i,   ///< read address ready
  output logic [31:0]      m_axi_araddr_o,    ///< read address
  output logic [7:0]       m_axi_arlen_o,     ///< read burst length - 1
  output logic [2:0]       m_axi_arsize_o,    ///< read beat size
  output logic [1:0]       m_axi_arburst_o,   ///< read burst type (INCR)
  output logic [1:0]       m_axi_arid_o,      ///< read id
  input  logic             m_axi_rvalid_i,    ///< read data valid
  output logic             m_axi_rready_o,    ///< read data ready
  input  logic [DataW-1:0] m_axi_rdata_i,     ///< read data
  input  logic [1:0]       m_axi_rresp_i,     ///< read response
  input  logic             m_axi_rlast_i,     ///< last read beat
  input  logic [1:0]       m_axi_rid_i,       ///< read id

  output logic             irq_o              ///< level interrupt (done / error)
);

  localparam int unsigned AAw  = $clog2(SpadARows);
  localparam int unsigned BAw  = $clog2(SpadBRows);
  localparam int unsigned PAw  = $clog2(SpadPRows);
  localparam int unsigned AccAw = $clog2(AccRows);
  localparam int unsigned SpAw = (AAw > BAw) ? ((AAw > PAw) ? AAw : PAw) : ((BAw > PAw) ? BAw : PAw);

  // Elaboration-time checks of the configuration.
  if (Dim != 4 && Dim != 8 && Dim != 16 && Dim != 32) begin : gen_dim_check
    $error("npu_top: Dim must be 4, 8, 16 or 32");
  end
  if ((SpadARows & (SpadARows - 1)) != 0 || (SpadBRows & (SpadBRows - 1)) != 0 ||
      (AccRows & (AccRows - 1)) != 0) begin : gen_pow2_check
    $error("npu_top: SpadARows, SpadBRows and AccRows must be powers of two");
  end

  // ---------------------------------------------------------------------------
  // Control: registers, errors, counters.
  // ---------------------------------------------------------------------------
  logic        clear, abort, halted, resetting, error_pulse, soft_reset, clear_counters;
  logic        queue_overflow, stream_valid, stream_ready, stream_done, fetch_active;
  logic [31:0] stream_addr, stream_len, win_base, win_size, watchdog_limit;
  npu_reg_pkg::err_cause_t err_cause;
  logic [31:0] err_pc, err_addr;
  logic [npu_reg_pkg::CounterWords*32-1:0] counters;

  npu_csr #(
    .Dim      (Dim),
    .SpadARows(SpadARows),
    .SpadBRows(SpadBRows),
    .SpadPRows(SpadPRows),
    .AccRows  (AccRows)
  ) u_csr (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .clear_i          (clear),
    .s_axil_awvalid_i (s_axil_awvalid_i),
    .s_axil_awready_o (s_axil_awready_o),
    .s_axil_awaddr_i  (s_axil_awaddr_i),
    .s_axil_wvalid_i  (s_axil_wvalid_i),
    .s_axil_wready_o  (s_axil_wready_o),
    .s_axil_wdata_i   (s_axil_wdata_i),
    .s_axil_wstrb_i   (s_axil_wstrb_i),
    .s_axil_bvalid_o  (s_axil_bvalid_o),
    .s_axil_bready_i  (s_axil_bready_i),
    .s_axil_bresp_o   (s_axil_bresp_o),
    .s_axil_arvalid_i (s_axil_arvalid_i),
    .s_axil_arready_o (s_axil_arready_o),
    .s_axil_araddr_i  (s_axil_araddr_i),
    .s_axil_rvalid_o  (s_axil_rvalid_o),
    .s_axil_rready_i  (s_axil_rready_i),
    .s_axil_rdata_o   (s_axil_rdata_o),
    .s_axil_rresp_o   (s_axil_rresp_o),
    .stream_valid_o   (stream_valid),
    .stream_ready_i   (stream_ready),
    .stream_addr_o    (stream_addr),
    .stream_len_o     (stream_len),
    .win_base_o       (win_base),
    .win_size_o       (win_size),
    .watchdog_o       (watchdog_limit),
    .soft_reset_o     (soft_reset),
    .clear_counters_o (clear_counters),
    .queue_overflow_o (queue_overflow),
    .busy_i           (fetch_active),
    .halted_i         (halted),
    .resetting_i      (resetting),
    .stream_done_i    (stream_done),
    .error_i          (error_pulse),
    .err_cause_i      (err_cause),
    .err_pc_i         (err_pc),
    .err_addr_i       (err_addr),
    .counters_i       (counters),
    .irq_o            (irq_o)
  );

  // Error reports: source 0 is fetch, source 1 + u unit u (npu_isa_pkg::Unit*).
  localparam int unsigned NumSrc = 1 + npu_isa_pkg::NumUnits;
  localparam int unsigned CW = npu_reg_pkg::ErrCauseW;
  logic [NumSrc-1:0]    err;
  logic [NumSrc*CW-1:0] err_causes;
  logic [NumSrc*32-1:0] err_pcs, err_addrs;
  logic         units_idle, progress;
  logic [31:0]  watchdog_pc;

  npu_ctrl #(
    .NumSrc(NumSrc)
  ) u_ctrl (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .err_i            (err),
    .err_cause_i      (err_causes),
    .err_pc_i         (err_pcs),
    .err_addr_i       (err_addrs),
    .queue_overflow_i (queue_overflow),
    .soft_reset_i     (soft_reset),
    .all_idle_i       (units_idle && !fetch_active),
    .busy_i           (fetch_active),
    .progress_i       (progress),
    .watchdog_limit_i (watchdog_limit),
    .watchdog_pc_i    (watchdog_pc),
    .abort_o          (abort),
    .clear_o          (clear),
    .halted_o         (halted),
    .resetting_o      (resetting),
    .error_o          (error_pulse),
    .err_cause_o      (err_cause),
    .err_pc_o         (err_pc),
    .err_addr_o       (err_addr)
  );

  // ---------------------------------------------------------------------------
  // Fetch and the read-channel multiplexer.
  // ---------------------------------------------------------------------------
  logic             f_ar_valid, f_ar_ready, f_r_valid, f_r_ready;
  logic [31:0]      f_ar_addr;
  logic [7:0]       f_ar_len;
  logic [2:0]       f_ar_size;
  logic [1:0]       f_ar_burst, f_ar_id;
  logic             l_ar_valid, l_ar_ready, l_r_valid, l_r_ready;
  logic [31:0]      l_ar_addr;
  logic [7:0]       l_ar_len;
  logic [2:0]       l_ar_size;
  logic [1:0]       l_ar_burst, l_ar_id;
  localparam int unsigned NumUnits = npu_isa_pkg::NumUnits;
  logic [NumUnits-1:0]     q_valid, q_ready;
  logic [NumUnits*256-1:0] q_instr;
  logic [NumUnits*32-1:0]  q_pc;
  logic                    queues_empty, fetch_progress, fetch_stall, dispatch;

  npu_fetch #(
    .Dim       (Dim),
    .QueueDepth(QueueDepth),
    .AxiId     (2'd0)
  ) u_fetch (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .clear_i        (clear),
    .abort_i        (abort),
    .stream_valid_i (stream_valid),
    .stream_ready_o (stream_ready),
    .stream_addr_i  (stream_addr),
    .stream_len_i   (stream_len),
    .stream_done_o  (stream_done),
    .active_o       (fetch_active),
    .units_idle_i   (units_idle),
    .win_base_i     (win_base),
    .win_size_i     (win_size),
    .m_ar_valid_o   (f_ar_valid),
    .m_ar_ready_i   (f_ar_ready),
    .m_ar_addr_o    (f_ar_addr),
    .m_ar_len_o     (f_ar_len),
    .m_ar_size_o    (f_ar_size),
    .m_ar_burst_o   (f_ar_burst),
    .m_ar_id_o      (f_ar_id),
    .m_r_valid_i    (f_r_valid),
    .m_r_ready_o    (f_r_ready),
    .m_r_data_i     (m_axi_rdata_i),
    .m_r_resp_i     (m_axi_rresp_i),
    .m_r_last_i     (m_axi_rlast_i),
    .q_valid_o      (q_valid),
    .q_ready_i      (q_ready),
    .q_instr_o      (q_instr),
    .q_pc_o         (q_pc),
    .queues_empty_o (queues_empty),
    .err_o          (err[0]),
    .err_cause_o    (err_causes[0 +: CW]),
    .err_addr_o     (err_addrs[0 +: 32]),
    .err_pc_o       (err_pcs[0 +: 32]),
    .dispatch_o     (dispatch),
    .progress_o     (fetch_progress),
    .stall_o        (fetch_stall)
  );

  npu_axi_rd_mux u_rd_mux (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .f_ar_valid_i (f_ar_valid),
    .f_ar_ready_o (f_ar_ready),
    .f_ar_addr_i  (f_ar_addr),
    .f_ar_len_i   (f_ar_len),
    .f_ar_size_i  (f_ar_size),
    .f_ar_burst_i (f_ar_burst),
    .f_ar_id_i    (f_ar_id),
    .f_r_valid_o  (f_r_valid),
    .f_r_ready_i  (f_r_ready),
    .l_ar_valid_i (l_ar_valid),
    .l_ar_ready_o (l_ar_ready),
    .l_ar_addr_i  (l_ar_addr),
    .l_ar_len_i   (l_ar_len),
    .l_ar_size_i  (l_ar_size),
    .l_ar_burst_i (l_ar_burst),
    .l_ar_id_i    (l_ar_id),
    .l_r_valid_o  (l_r_valid),
    .l_r_ready_i  (l_r_ready),
    .m_ar_valid_o (m_axi_arvalid_o),
    .m_ar_ready_i (m_axi_arready_i),
    .m_ar_addr_o  (m_axi_araddr_o),
    .m_ar_len_o   (m_axi_arlen_o),
    .m_ar_size_o  (m_axi_arsize_o),
    .m_ar_burst_o (m_axi_arburst_o),
    .m_ar_id_o    (m_axi_arid_o),
    .m_r_valid_i  (m_axi_rvalid_i),
    .m_r_ready_o  (m_axi_rready_o),
    .m_r_id_i     (m_axi_rid_i)
  );

  // ---------------------------------------------------------------------------
  // Dependency tokens: one counter per queue of the token graph. Unit u's
  // wait / signal bit i maps to queue UnitInQueue / UnitOutQueue[u * DepW + i].
  // ---------------------------------------------------------------------------
  localparam int unsigned NumQueues = npu_isa_pkg::NumQueues;
  localparam int unsigned DepW = npu_isa_pkg::DepW;
  logic [NumQueues-1:0]     tok_give, tok_take, tok_avail;
  logic [NumUnits*DepW-1:0] unit_avail, unit_take, unit_give;

  for (genvar q = 0; q < NumQueues; q++) begin : gen_queue
    localparam int unsigned To = 32'(npu_isa_pkg::QueueTo[q*8 +: 8]);
    localparam int unsigned From = 32'(npu_isa_pkg::QueueFrom[q*8 +: 8]);
    logic [DepW-1:0] take_bits, give_bits;
    for (genvar i = 0; i < DepW; i++) begin : gen_bit
      assign take_bits[i] = npu_isa_pkg::UnitInValid[To*DepW+i] &&
                            (32'(npu_isa_pkg::UnitInQueue[(To*DepW+i)*8 +: 8]) == q) &&
                            unit_take[To*DepW+i];
      assign give_bits[i] = npu_isa_pkg::UnitOutValid[From*DepW+i] &&
                            (32'(npu_isa_pkg::UnitOutQueue[(From*DepW+i)*8 +: 8]) == q) &&
                            unit_give[From*DepW+i];
    end
    assign tok_take[q] = |take_bits;
    assign tok_give[q] = |give_bits;
  end

  for (genvar b = 0; b < NumUnits * DepW; b++) begin : gen_unit_avail
    localparam int unsigned Q = 32'(npu_isa_pkg::UnitInQueue[b*8 +: 8]);
    assign unit_avail[b] = npu_isa_pkg::UnitInValid[b] && tok_avail[Q];
  end

  npu_tokens u_tokens (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clear_i (clear),
    .give_i  (tok_give),
    .take_i  (tok_take),
    .avail_o (tok_avail)
  );

  // ---------------------------------------------------------------------------
  // Scratchpads and accumulator memory.
  // ---------------------------------------------------------------------------
  logic [2:0]       sp_we;
  logic [SpAw-1:0]  sp_waddr;
  logic [DataW-1:0] sp_wdata;
  logic             a_re, b_re, p_re;
  logic [AAw-1:0]   a_raddr;
  logic [BAw-1:0]   b_raddr;
  logic [PAw-1:0]   p_raddr;
  logic [DataW-1:0] a_rdata, b_rdata, p_rdata;

  npu_ram_2p #(.Width(DataW), .Depth(SpadARows)) u_spad_a (
    .clk_i   (clk_i),
    .we_i    (sp_we[0]),
    .waddr_i (sp_waddr[AAw-1:0]),
    .wdata_i (sp_wdata),
    .re_i    (a_re),
    .raddr_i (a_raddr),
    .rdata_o (a_rdata)
  );

  npu_ram_2p #(.Width(DataW), .Depth(SpadBRows)) u_spad_b (
    .clk_i   (clk_i),
    .we_i    (sp_we[1]),
    .waddr_i (sp_waddr[BAw-1:0]),
    .wdata_i (sp_wdata),
    .re_i    (b_re),
    .raddr_i (b_raddr),
    .rdata_o (b_rdata)
  );

  npu_ram_2p #(.Width(DataW), .Depth(SpadPRows)) u_spad_p (
    .clk_i   (clk_i),
    .we_i    (sp_we[2]),
    .waddr_i (sp_waddr[PAw-1:0]),
    .wdata_i (sp_wdata),
    .re_i    (p_re),
    .raddr_i (p_raddr),
    .rdata_o (p_rdata)
  );

  logic               acc_cmp_re, acc_cmp_we, acc_st_re, acc_st_gnt;
  logic [AccAw-1:0]   acc_cmp_raddr, acc_cmp_waddr, acc_st_raddr;
  logic [Dim*32-1:0]  acc_cmp_rdata, acc_cmp_wdata, acc_st_rdata;

  npu_acc_mem #(
    .Dim (Dim),
    .Rows(AccRows)
  ) u_acc (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .cmp_re_i    (acc_cmp_re),
    .cmp_raddr_i (acc_cmp_raddr),
    .cmp_rdata_o (acc_cmp_rdata),
    .cmp_we_i    (acc_cmp_we),
    .cmp_waddr_i (acc_cmp_waddr),
    .cmp_wdata_i (acc_cmp_wdata),
    .st_re_i     (acc_st_re),
    .st_raddr_i  (acc_st_raddr),
    .st_gnt_o    (acc_st_gnt),
    .st_rdata_o  (acc_st_rdata)
  );

  // ---------------------------------------------------------------------------
  // Execution units.
  // ---------------------------------------------------------------------------
  logic [NumUnits-1:0] unit_idle, unit_busy, unit_stall_dep;
  logic       load_stall_mem, store_stall_mem, compute_stall_hazard, row;

  npu_load #(
    .Dim      (Dim),
    .SpadARows(SpadARows),
    .SpadBRows(SpadBRows),
    .SpadPRows(SpadPRows),
    .MaxReads (MaxReads),
    .AxiId    (1)
  ) u_load (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .clear_i          (clear),
    .abort_i          (abort),
    .instr_valid_i    (q_valid[npu_isa_pkg::UnitLoad]),
    .instr_ready_o    (q_ready[npu_isa_pkg::UnitLoad]),
    .instr_i          (q_instr[npu_isa_pkg::UnitLoad*256 +: 256]),
    .pc_i             (q_pc[npu_isa_pkg::UnitLoad*32 +: 32]),
    .tok_avail_i      (unit_avail[npu_isa_pkg::UnitLoad*DepW +: DepW]),
    .tok_take_o       (unit_take[npu_isa_pkg::UnitLoad*DepW +: DepW]),
    .tok_give_o       (unit_give[npu_isa_pkg::UnitLoad*DepW +: DepW]),
    .win_base_i       (win_base),
    .win_size_i       (win_size),
    .m_ar_valid_o     (l_ar_valid),
    .m_ar_ready_i     (l_ar_ready),
    .m_ar_addr_o      (l_ar_addr),
    .m_ar_len_o       (l_ar_len),
    .m_ar_size_o      (l_ar_size),
    .m_ar_burst_o     (l_ar_burst),
    .m_ar_id_o        (l_ar_id),
    .m_r_valid_i      (l_r_valid),
    .m_r_ready_o      (l_r_ready),
    .m_r_data_i       (m_axi_rdata_i),
    .m_r_resp_i       (m_axi_rresp_i),
    .m_r_last_i       (m_axi_rlast_i),
    .sp_we_o          (sp_we),
    .sp_waddr_o       (sp_waddr),
    .sp_wdata_o       (sp_wdata),
    .idle_o           (unit_idle[npu_isa_pkg::UnitLoad]),
    .err_o            (err[1+npu_isa_pkg::UnitLoad]),
    .err_cause_o      (err_causes[(1+npu_isa_pkg::UnitLoad)*CW +: CW]),
    .err_addr_o       (err_addrs[(1+npu_isa_pkg::UnitLoad)*32 +: 32]),
    .err_pc_o         (err_pcs[(1+npu_isa_pkg::UnitLoad)*32 +: 32]),
    .busy_o           (unit_busy[npu_isa_pkg::UnitLoad]),
    .stall_dep_o      (unit_stall_dep[npu_isa_pkg::UnitLoad]),
    .stall_mem_o      (load_stall_mem)
  );

  npu_compute #(
    .Dim      (Dim),
    .SpadARows(SpadARows),
    .SpadBRows(SpadBRows),
    .AccRows  (AccRows)
  ) u_compute (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .clear_i          (clear),
    .abort_i          (abort),
    .instr_valid_i    (q_valid[npu_isa_pkg::UnitCompute]),
    .instr_ready_o    (q_ready[npu_isa_pkg::UnitCompute]),
    .instr_i          (q_instr[npu_isa_pkg::UnitCompute*256 +: 256]),
    .pc_i             (q_pc[npu_isa_pkg::UnitCompute*32 +: 32]),
    .tok_avail_i      (unit_avail[npu_isa_pkg::UnitCompute*DepW +: DepW]),
    .tok_take_o       (unit_take[npu_isa_pkg::UnitCompute*DepW +: DepW]),
    .tok_give_o       (unit_give[npu_isa_pkg::UnitCompute*DepW +: DepW]),
    .a_re_o           (a_re),
    .a_raddr_o        (a_raddr),
    .a_rdata_i        (a_rdata),
    .b_re_o           (b_re),
    .b_raddr_o        (b_raddr),
    .b_rdata_i        (b_rdata),
    .acc_re_o         (acc_cmp_re),
    .acc_raddr_o      (acc_cmp_raddr),
    .acc_rdata_i      (acc_cmp_rdata),
    .acc_we_o         (acc_cmp_we),
    .acc_waddr_o      (acc_cmp_waddr),
    .acc_wdata_o      (acc_cmp_wdata),
    .idle_o           (unit_idle[npu_isa_pkg::UnitCompute]),
    .err_o            (err[1+npu_isa_pkg::UnitCompute]),
    .err_cause_o      (err_causes[(1+npu_isa_pkg::UnitCompute)*CW +: CW]),
    .err_addr_o       (err_addrs[(1+npu_isa_pkg::UnitCompute)*32 +: 32]),
    .err_pc_o         (err_pcs[(1+npu_isa_pkg::UnitCompute)*32 +: 32]),
    .busy_o           (unit_busy[npu_isa_pkg::UnitCompute]),
    .stall_dep_o      (unit_stall_dep[npu_isa_pkg::UnitCompute]),
    .stall_hazard_o   (compute_stall_hazard),
    .row_o            (row)
  );

  logic             st_aw_valid, st_w_valid;
  logic [Dim-1:0]   st_w_strb;

  npu_store #(
    .Dim      (Dim),
    .SpadPRows(SpadPRows),
    .AccRows  (AccRows),
    .AxiId    (0)
  ) u_store (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .clear_i          (clear),
    .abort_i          (abort),
    .instr_valid_i    (q_valid[npu_isa_pkg::UnitStore]),
    .instr_ready_o    (q_ready[npu_isa_pkg::UnitStore]),
    .instr_i          (q_instr[npu_isa_pkg::UnitStore*256 +: 256]),
    .pc_i             (q_pc[npu_isa_pkg::UnitStore*32 +: 32]),
    .tok_avail_i      (unit_avail[npu_isa_pkg::UnitStore*DepW +: DepW]),
    .tok_take_o       (unit_take[npu_isa_pkg::UnitStore*DepW +: DepW]),
    .tok_give_o       (unit_give[npu_isa_pkg::UnitStore*DepW +: DepW]),
    .win_base_i       (win_base),
    .win_size_i       (win_size),
    .p_re_o           (p_re),
    .p_raddr_o        (p_raddr),
    .p_rdata_i        (p_rdata),
    .acc_re_o         (acc_st_re),
    .acc_raddr_o      (acc_st_raddr),
    .acc_gnt_i        (acc_st_gnt),
    .acc_rdata_i      (acc_st_rdata),
    .m_aw_valid_o     (st_aw_valid),
    .m_aw_ready_i     (m_axi_awready_i),
    .m_aw_addr_o      (m_axi_awaddr_o),
    .m_aw_len_o       (m_axi_awlen_o),
    .m_aw_size_o      (m_axi_awsize_o),
    .m_aw_burst_o     (m_axi_awburst_o),
    .m_aw_id_o        (m_axi_awid_o),
    .m_w_valid_o      (st_w_valid),
    .m_w_ready_i      (m_axi_wready_i),
    .m_w_data_o       (m_axi_wdata_o),
    .m_w_strb_o       (st_w_strb),
    .m_w_last_o       (m_axi_wlast_o),
    .m_b_valid_i      (m_axi_bvalid_i),
    .m_b_ready_o      (m_axi_bready_o),
    .m_b_resp_i       (m_axi_bresp_i),
    .idle_o           (unit_idle[npu_isa_pkg::UnitStore]),
    .err_o            (err[1+npu_isa_pkg::UnitStore]),
    .err_cause_o      (err_causes[(1+npu_isa_pkg::UnitStore)*CW +: CW]),
    .err_addr_o       (err_addrs[(1+npu_isa_pkg::UnitStore)*32 +: 32]),
    .err_pc_o         (err_pcs[(1+npu_isa_pkg::UnitStore)*32 +: 32]),
    .busy_o           (unit_busy[npu_isa_pkg::UnitStore]),
    .stall_dep_o      (unit_stall_dep[npu_isa_pkg::UnitStore]),
    .stall_mem_o      (store_stall_mem)
  );

  assign m_axi_awvalid_o = st_aw_valid;
  assign m_axi_wvalid_o  = st_w_valid;
  assign m_axi_wstrb_o   = st_w_strb;
  assign units_idle      = &unit_idle;

  // Queue occupancy is visible through the units' stall counters; the flag
  // itself is only needed inside fetch.
  logic unused_queues_empty;
  assign unused_queues_empty = queues_empty;

  // The write response ID is always the store unit's.
  logic unused_bid;
  assign unused_bid = ^m_axi_bid_i;

  // ---------------------------------------------------------------------------
  // Watchdog inputs and performance counters.
  // ---------------------------------------------------------------------------
  logic read_beat, write_beat;
  assign read_beat  = m_axi_rvalid_i && m_axi_rready_o;
  assign write_beat = m_axi_wvalid_o && m_axi_wready_i && (m_axi_wstrb_o != '0);
  assign progress   = fetch_progress || read_beat || (m_axi_wvalid_o && m_axi_wready_i) ||
                      (m_axi_arvalid_o && m_axi_arready_i) ||
                      (m_axi_awvalid_o && m_axi_awready_i) ||
                      (m_axi_bvalid_i && m_axi_bready_o) || row || (|sp_we) ||
                      (|tok_take) || (|tok_give) || (|(q_valid & q_ready));

  // Oldest instruction waiting at a queue head (reported on a watchdog stop).
  always_comb begin
    watchdog_pc = '1;
    for (int u = 0; u < NumUnits; u++) begin
      if (q_valid[u] && q_pc[u*32 +: 32] < watchdog_pc) begin
        watchdog_pc = q_pc[u*32 +: 32];
      end
    end
    if (watchdog_pc == '1) begin
      watchdog_pc = '0;
    end
  end

  // ---------------------------------------------------------------------------
  // Assertions (simulation only).
  // ---------------------------------------------------------------------------
  // AXI: a valid request or write beat stays, unchanged, until accepted.
  `NPU_ASSERT(ArStable_A, m_axi_arvalid_o && !m_axi_arready_i |=>
              m_axi_arvalid_o && $stable({m_axi_araddr_o, m_axi_arlen_o, m_axi_arid_o}),
              clk_i, rst_ni)
  `NPU_ASSERT(AwStable_A, m_axi_awvalid_o && !m_axi_awready_i |=>
              m_axi_awvalid_o && $stable({m_axi_awaddr_o, m_axi_awlen_o}), clk_i, rst_ni)
  `NPU_ASSERT(WStable_A, m_axi_wvalid_o && !m_axi_wready_i |=>
              m_axi_wvalid_o && $stable({m_axi_wdata_o, m_axi_wstrb_o, m_axi_wlast_o}),
              clk_i, rst_ni)
  // Only INCR bursts of full-width beats.
  `NPU_ASSERT(ArBurst_A, m_axi_arvalid_o |-> m_axi_arburst_o == 2'b01 &&
              m_axi_arsize_o == 3'($clog2(Dim)), clk_i, rst_ni)
  `NPU_ASSERT(AwBurst_A, m_axi_awvalid_o |-> m_axi_awburst_o == 2'b01 &&
              m_axi_awsize_o == 3'($clog2(Dim)), clk_i, rst_ni)
  // A unit takes no instruction while the NPU is stopping.
  `NPU_ASSERT_NEVER(NoDispatchOnAbort_A, abort && |(q_valid & q_ready), clk_i, rst_ni)

  logic [npu_reg_pkg::NumCounters-1:0] cnt_ev;
  always_comb begin
    cnt_ev = '0;
    cnt_ev[npu_reg_pkg::CntCycles]            = fetch_active;
    cnt_ev[npu_reg_pkg::CntMacs]              = row;
    cnt_ev[npu_reg_pkg::CntInstructions]      = dispatch;
    cnt_ev[npu_reg_pkg::CntFetchStall]        = fetch_stall;
    cnt_ev[npu_reg_pkg::CntBytesRead]         = read_beat;
    cnt_ev[npu_reg_pkg::CntBytesWritten]      = write_beat;
    cnt_ev[npu_reg_pkg::CntLoadBusy]          = unit_busy[npu_isa_pkg::UnitLoad];
    cnt_ev[npu_reg_pkg::CntLoadStallDep]      = unit_stall_dep[npu_isa_pkg::UnitLoad];
    cnt_ev[npu_reg_pkg::CntLoadStallMem]      = load_stall_mem;
    cnt_ev[npu_reg_pkg::CntComputeBusy]       = unit_busy[npu_isa_pkg::UnitCompute];
    cnt_ev[npu_reg_pkg::CntComputeStallDep]   = unit_stall_dep[npu_isa_pkg::UnitCompute];
    cnt_ev[npu_reg_pkg::CntComputeStallHazard] = compute_stall_hazard;
    cnt_ev[npu_reg_pkg::CntStoreBusy]         = unit_busy[npu_isa_pkg::UnitStore];
    cnt_ev[npu_reg_pkg::CntStoreStallDep]     = unit_stall_dep[npu_isa_pkg::UnitStore];
    cnt_ev[npu_reg_pkg::CntStoreStallMem]     = store_stall_mem;
  end

  npu_perf #(
    .Dim(Dim)
  ) u_perf (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .clear_i    (clear_counters),
    .ev_i       (cnt_ev),
    .amount_i   (npu_reg_pkg::CntAmountW'(Dim * Dim)),
    .counters_o (counters)
  );

endmodule
