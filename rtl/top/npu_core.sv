// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_assert.svh"

/// The npu without its register file: fetch, the execution units, the
/// scratchpads and accumulator memory, the token counters, error control and
/// the performance counters, on one AXI4 master.
///
/// Every per-unit signal is an array indexed by npu_isa_pkg::Unit* (sized
/// from the spec): queue heads, token bits (DepW per unit), idle/busy and
/// dependency-stall events; error reports are indexed 0 = fetch, 1 + unit.
/// Adding a unit means instantiating it here and wiring its slots; fetch,
/// the token counters, the error control and the counters follow the spec.
module npu_core #(
  parameter int unsigned Dim        = npu_config_pkg::DefaultDim,        ///< array size, bus bytes
  parameter int unsigned SpadARows  = npu_config_pkg::DefaultSpadARows,  ///< rows of scratchpad A
  parameter int unsigned SpadBRows  = npu_config_pkg::DefaultSpadBRows,  ///< rows of scratchpad B
  parameter int unsigned SpadPRows  = npu_config_pkg::DefaultSpadPRows,  ///< rows of scratchpad P
  parameter int unsigned AccRows    = npu_config_pkg::DefaultAccRows,    ///< accumulator rows
  parameter int unsigned MaxReads   = npu_config_pkg::DefaultMaxReads,   ///< load bursts in flight
  parameter int unsigned QueueDepth = npu_config_pkg::DefaultQueueDepth, ///< per-unit queue entries
  parameter int unsigned WindowCols = npu_config_pkg::DefaultWindowCols, ///< window line buffer columns
  parameter int unsigned WindowK    = npu_config_pkg::DefaultWindowK,    ///< largest window kernel and stride
  parameter int unsigned PostLanes  = Dim,                               ///< store post-processing lanes
  parameter int unsigned WindowLanes = Dim,                              ///< window ALU lanes
  /// Bus data width; derived, do not override.
  parameter int unsigned DataW      = 8 * Dim
) (
  input  logic                    clk_i,              ///< clock
  input  logic                    rst_ni,             ///< asynchronous reset, active low

  // From and to the register file.
  input  logic                    stream_valid_i,     ///< a stream is queued
  output logic                    stream_ready_o,     ///< fetch takes it
  input  logic [31:0]             stream_addr_i,      ///< its first instruction
  input  logic [31:0]             stream_len_i,       ///< its instruction count
  input  logic [31:0]             win_base_i,         ///< permitted window base
  input  logic [31:0]             win_size_i,         ///< permitted window size
  input  logic [31:0]             watchdog_i,         ///< watchdog limit (0 = off)
  input  logic                    soft_reset_i,       ///< pulse: CTRL.soft_reset
  input  logic                    clear_counters_i,   ///< pulse: CTRL.clear_counters
  input  logic                    queue_overflow_i,   ///< pulse: doorbell lost
  output logic                    clear_o,            ///< pulse: soft reset completes
  output logic                    busy_o,             ///< a stream runs (STATUS.busy)
  output logic                    halted_o,           ///< stopped on an error
  output logic                    resetting_o,        ///< soft reset in progress
  output logic                    stream_done_o,      ///< pulse: a stream completed
  output logic                    error_o,            ///< pulse: a new error
  output npu_reg_pkg::err_cause_t err_cause_o,        ///< sticky error causes
  output logic [31:0]             err_pc_o,           ///< first error's instruction
  output logic [31:0]             err_addr_o,         ///< first error's address
  /// The counter block, register order from RegCntBase.
  output logic [npu_reg_pkg::CounterWords*32-1:0] counters_o,

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
  input  logic [1:0]       m_axi_rid_i        ///< read id
);

  localparam int unsigned NumUnits = npu_isa_pkg::NumUnits;
  localparam int unsigned DepW     = npu_isa_pkg::DepW;
  localparam int unsigned CW       = npu_reg_pkg::ErrCauseW;
  localparam int unsigned NumSrc   = 1 + NumUnits;  // error sources: fetch, then the units
  localparam int unsigned AAw      = $clog2(SpadARows);
  localparam int unsigned BAw      = $clog2(SpadBRows);
  localparam int unsigned PAw      = $clog2(SpadPRows);
  localparam int unsigned AccAw    = $clog2(AccRows);
  localparam int unsigned SpAw     = (AAw > BAw) ? ((AAw > PAw) ? AAw : PAw)
                                                 : ((BAw > PAw) ? BAw : PAw);
  localparam int unsigned UL = npu_isa_pkg::UnitLoad;
  localparam int unsigned UC = npu_isa_pkg::UnitCompute;
  localparam int unsigned UW = npu_isa_pkg::UnitWindow;
  localparam int unsigned US = npu_isa_pkg::UnitStore;

  // Elaboration-time checks of the configuration.
  if (Dim != 4 && Dim != 8 && Dim != 16 && Dim != 32) begin : gen_dim_check
    $error("npu_core: Dim must be 4, 8, 16 or 32");
  end
  if ((SpadARows & (SpadARows - 1)) != 0 || (SpadBRows & (SpadBRows - 1)) != 0 ||
      (AccRows & (AccRows - 1)) != 0) begin : gen_pow2_check
    $error("npu_core: SpadARows, SpadBRows and AccRows must be powers of two");
  end

  // ---------------------------------------------------------------------------
  // Per-unit arrays.
  // ---------------------------------------------------------------------------
  logic [NumUnits-1:0]      q_valid, q_ready, unit_idle, unit_busy, unit_stall_dep;
  logic [NumUnits*256-1:0]  q_instr;
  logic [NumUnits*32-1:0]   q_pc;
  logic [NumUnits*DepW-1:0] tok_avail, tok_take, tok_give;
  logic [NumSrc-1:0]        err;
  logic [NumSrc*CW-1:0]     err_causes;
  logic [NumSrc*32-1:0]     err_pcs, err_addrs;
  logic                     abort, clear;

  assign clear_o = clear;

  // ---------------------------------------------------------------------------
  // Error control, watchdog and soft reset.
  // ---------------------------------------------------------------------------
  logic fetch_active, fetch_progress, row, read_beat;
  logic [2:0] sp_we;

  // What counts as progress for the watchdog: a fetch AR accepted, an
  // instruction beat received or dispatched; any R or W beat; an AR, AW or
  // B handshake; a row entering the array; a scratchpad write; a window
  // unit read or accumulator write; a token taken or given; an instruction
  // taken from a unit queue.
  localparam int unsigned NumProgress = 11;
  logic [NumProgress-1:0] progress;
  assign progress = {fetch_progress, win_a_gnt || win_b_gnt || acc_win_gnt,
                     read_beat, m_axi_wvalid_o && m_axi_wready_i,
                     m_axi_arvalid_o && m_axi_arready_i,
                     m_axi_awvalid_o && m_axi_awready_i, m_axi_bvalid_i && m_axi_bready_o, row,
                     |sp_we, |{tok_take, tok_give}, |(q_valid & q_ready)};

  npu_ctrl #(
    .NumSrc     (NumSrc),
    .NumProgress(NumProgress),
    .NumUnits   (NumUnits)
  ) u_ctrl (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .err_i            (err),
    .err_cause_i      (err_causes),
    .err_pc_i         (err_pcs),
    .err_addr_i       (err_addrs),
    .queue_overflow_i (queue_overflow_i),
    .soft_reset_i     (soft_reset_i),
    .all_idle_i       ((&unit_idle) && !fetch_active),
    .busy_i           (fetch_active),
    .progress_i       (progress),
    .watchdog_limit_i (watchdog_i),
    .q_valid_i        (q_valid),
    .q_pc_i           (q_pc),
    .abort_o          (abort),
    .clear_o          (clear),
    .halted_o         (halted_o),
    .resetting_o      (resetting_o),
    .error_o          (error_o),
    .err_cause_o      (err_cause_o),
    .err_pc_o         (err_pc_o),
    .err_addr_o       (err_addr_o)
  );

  // ---------------------------------------------------------------------------
  // Fetch and the shared read channel (requesters: fetch, load, store).
  // ---------------------------------------------------------------------------
  localparam int unsigned NumRd = 3;
  localparam int unsigned RdFetch = 0, RdLoad = 1, RdStore = 2;
  localparam logic [NumRd*2-1:0] RdIds = {2'(npu_config_pkg::AxiIdStore),
                                          2'(npu_config_pkg::AxiIdLoad),
                                          2'(npu_config_pkg::AxiIdFetch)};

  logic [NumRd-1:0]    rd_ar_valid, rd_ar_ready, rd_r_valid, rd_r_ready;
  logic [NumRd*32-1:0] rd_ar_addr;
  logic [NumRd*8-1:0]  rd_ar_len;
  logic [NumRd*3-1:0]  rd_ar_size;
  logic [NumRd*2-1:0]  rd_ar_burst, rd_ar_id;
  logic                queues_empty, fetch_stall, dispatch;

  npu_fetch #(
    .Dim       (Dim),
    .QueueDepth(QueueDepth),
    .AxiId     (2'(npu_config_pkg::AxiIdFetch))
  ) u_fetch (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .clear_i        (clear),
    .abort_i        (abort),
    .stream_valid_i (stream_valid_i),
    .stream_ready_o (stream_ready_o),
    .stream_addr_i  (stream_addr_i),
    .stream_len_i   (stream_len_i),
    .stream_done_o  (stream_done_o),
    .active_o       (fetch_active),
    .units_idle_i   (&unit_idle),
    .win_base_i     (win_base_i),
    .win_size_i     (win_size_i),
    .m_ar_valid_o   (rd_ar_valid[RdFetch]),
    .m_ar_ready_i   (rd_ar_ready[RdFetch]),
    .m_ar_addr_o    (rd_ar_addr[RdFetch*32 +: 32]),
    .m_ar_len_o     (rd_ar_len[RdFetch*8 +: 8]),
    .m_ar_size_o    (rd_ar_size[RdFetch*3 +: 3]),
    .m_ar_burst_o   (rd_ar_burst[RdFetch*2 +: 2]),
    .m_ar_id_o      (rd_ar_id[RdFetch*2 +: 2]),
    .m_r_valid_i    (rd_r_valid[RdFetch]),
    .m_r_ready_o    (rd_r_ready[RdFetch]),
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

  npu_axi_rd_arb #(
    .N  (NumRd),
    .Ids(RdIds)
  ) u_rd_arb (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .ar_valid_i   (rd_ar_valid),
    .ar_ready_o   (rd_ar_ready),
    .ar_addr_i    (rd_ar_addr),
    .ar_len_i     (rd_ar_len),
    .ar_size_i    (rd_ar_size),
    .ar_burst_i   (rd_ar_burst),
    .r_valid_o    (rd_r_valid),
    .r_ready_i    (rd_r_ready),
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

  // Each requester drives the ARID it owns; the arbiter shows that one.
  logic unused_rd_ids, unused_queues_empty, unused_bid;
  assign unused_rd_ids       = ^rd_ar_id;
  assign unused_queues_empty = queues_empty;  // the stall counters show queue occupancy
  assign unused_bid          = ^m_axi_bid_i;  // the store unit is the only writer

  // ---------------------------------------------------------------------------
  // Dependency tokens.
  // ---------------------------------------------------------------------------
  npu_tokens u_tokens (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clear_i (clear),
    .take_i  (tok_take),
    .give_i  (tok_give),
    .avail_o (tok_avail)
  );

  // ---------------------------------------------------------------------------
  // Scratchpads (written only by the load unit; A and B read by compute and,
  // when compute does not, by window) and accumulator memory.
  // ---------------------------------------------------------------------------
  logic [SpAw-1:0]  sp_waddr;
  logic [DataW-1:0] sp_wdata;
  logic             cmp_a_re, cmp_b_re, win_a_req, win_b_req, win_a_gnt, win_b_gnt, p_re;
  logic [AAw-1:0]   cmp_a_raddr, win_a_raddr;
  logic [BAw-1:0]   cmp_b_raddr, win_b_raddr;
  logic [PAw-1:0]   p_raddr;
  logic [DataW-1:0] a_rdata, b_rdata, p_rdata;

  npu_spads #(
    .Dim      (Dim),
    .SpadARows(SpadARows),
    .SpadBRows(SpadBRows),
    .SpadPRows(SpadPRows)
  ) u_spads (
    .clk_i         (clk_i),
    .we_i          (sp_we),
    .waddr_i       (sp_waddr),
    .wdata_i       (sp_wdata),
    .cmp_a_re_i    (cmp_a_re),
    .cmp_a_raddr_i (cmp_a_raddr),
    .cmp_b_re_i    (cmp_b_re),
    .cmp_b_raddr_i (cmp_b_raddr),
    .win_a_req_i   (win_a_req),
    .win_a_raddr_i (win_a_raddr),
    .win_a_gnt_o   (win_a_gnt),
    .win_b_req_i   (win_b_req),
    .win_b_raddr_i (win_b_raddr),
    .win_b_gnt_o   (win_b_gnt),
    .a_rdata_o     (a_rdata),
    .b_rdata_o     (b_rdata),
    .p_re_i        (p_re),
    .p_raddr_i     (p_raddr),
    .p_rdata_o     (p_rdata)
  );

  logic              acc_cmp_re, acc_cmp_we, acc_st_re, acc_st_gnt, acc_win_we, acc_win_gnt;
  logic [AccAw-1:0]  acc_cmp_raddr, acc_cmp_waddr, acc_st_raddr, acc_win_waddr;
  logic [Dim*32-1:0] acc_cmp_rdata, acc_cmp_wdata, acc_st_rdata, acc_win_wdata;

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
    .win_we_i    (acc_win_we),
    .win_waddr_i (acc_win_waddr),
    .win_wdata_i (acc_win_wdata),
    .win_gnt_o   (acc_win_gnt),
    .st_re_i     (acc_st_re),
    .st_raddr_i  (acc_st_raddr),
    .st_gnt_o    (acc_st_gnt),
    .st_rdata_o  (acc_st_rdata)
  );

  // ---------------------------------------------------------------------------
  // Execution units.
  // ---------------------------------------------------------------------------
  logic load_stall_mem, compute_stall_hazard, store_stall_mem, window_stall_port, win_mac;
  logic [5:0] win_mac_taps;

  npu_load #(
    .Dim      (Dim),
    .SpadARows(SpadARows),
    .SpadBRows(SpadBRows),
    .SpadPRows(SpadPRows),
    .MaxReads (MaxReads),
    .AxiId    (npu_config_pkg::AxiIdLoad)
  ) u_load (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .clear_i       (clear),
    .abort_i       (abort),
    .instr_valid_i (q_valid[UL]),
    .instr_ready_o (q_ready[UL]),
    .instr_i       (q_instr[UL*256 +: 256]),
    .pc_i          (q_pc[UL*32 +: 32]),
    .tok_avail_i   (tok_avail[UL*DepW +: DepW]),
    .tok_take_o    (tok_take[UL*DepW +: DepW]),
    .tok_give_o    (tok_give[UL*DepW +: DepW]),
    .win_base_i    (win_base_i),
    .win_size_i    (win_size_i),
    .m_ar_valid_o  (rd_ar_valid[RdLoad]),
    .m_ar_ready_i  (rd_ar_ready[RdLoad]),
    .m_ar_addr_o   (rd_ar_addr[RdLoad*32 +: 32]),
    .m_ar_len_o    (rd_ar_len[RdLoad*8 +: 8]),
    .m_ar_size_o   (rd_ar_size[RdLoad*3 +: 3]),
    .m_ar_burst_o  (rd_ar_burst[RdLoad*2 +: 2]),
    .m_ar_id_o     (rd_ar_id[RdLoad*2 +: 2]),
    .m_r_valid_i   (rd_r_valid[RdLoad]),
    .m_r_ready_o   (rd_r_ready[RdLoad]),
    .m_r_data_i    (m_axi_rdata_i),
    .m_r_resp_i    (m_axi_rresp_i),
    .m_r_last_i    (m_axi_rlast_i),
    .sp_we_o       (sp_we),
    .sp_waddr_o    (sp_waddr),
    .sp_wdata_o    (sp_wdata),
    .idle_o        (unit_idle[UL]),
    .err_o         (err[1+UL]),
    .err_cause_o   (err_causes[(1+UL)*CW +: CW]),
    .err_addr_o    (err_addrs[(1+UL)*32 +: 32]),
    .err_pc_o      (err_pcs[(1+UL)*32 +: 32]),
    .busy_o        (unit_busy[UL]),
    .stall_dep_o   (unit_stall_dep[UL]),
    .stall_mem_o   (load_stall_mem)
  );

  npu_compute #(
    .Dim      (Dim),
    .SpadARows(SpadARows),
    .SpadBRows(SpadBRows),
    .AccRows  (AccRows)
  ) u_compute (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .clear_i        (clear),
    .abort_i        (abort),
    .instr_valid_i  (q_valid[UC]),
    .instr_ready_o  (q_ready[UC]),
    .instr_i        (q_instr[UC*256 +: 256]),
    .pc_i           (q_pc[UC*32 +: 32]),
    .tok_avail_i    (tok_avail[UC*DepW +: DepW]),
    .tok_take_o     (tok_take[UC*DepW +: DepW]),
    .tok_give_o     (tok_give[UC*DepW +: DepW]),
    .a_re_o         (cmp_a_re),
    .a_raddr_o      (cmp_a_raddr),
    .a_rdata_i      (a_rdata),
    .b_re_o         (cmp_b_re),
    .b_raddr_o      (cmp_b_raddr),
    .b_rdata_i      (b_rdata),
    .acc_re_o       (acc_cmp_re),
    .acc_raddr_o    (acc_cmp_raddr),
    .acc_rdata_i    (acc_cmp_rdata),
    .acc_we_o       (acc_cmp_we),
    .acc_waddr_o    (acc_cmp_waddr),
    .acc_wdata_o    (acc_cmp_wdata),
    .idle_o         (unit_idle[UC]),
    .err_o          (err[1+UC]),
    .err_cause_o    (err_causes[(1+UC)*CW +: CW]),
    .err_addr_o     (err_addrs[(1+UC)*32 +: 32]),
    .err_pc_o       (err_pcs[(1+UC)*32 +: 32]),
    .busy_o         (unit_busy[UC]),
    .stall_dep_o    (unit_stall_dep[UC]),
    .stall_hazard_o (compute_stall_hazard),
    .row_o          (row)
  );

  npu_window #(
    .Dim       (Dim),
    .SpadARows (SpadARows),
    .SpadBRows (SpadBRows),
    .AccRows   (AccRows),
    .WindowCols(WindowCols),
    .WindowK   (WindowK),
    .AluLanes  (WindowLanes)
  ) u_window (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .clear_i       (clear),
    .abort_i       (abort),
    .instr_valid_i (q_valid[UW]),
    .instr_ready_o (q_ready[UW]),
    .instr_i       (q_instr[UW*256 +: 256]),
    .pc_i          (q_pc[UW*32 +: 32]),
    .tok_avail_i   (tok_avail[UW*DepW +: DepW]),
    .tok_take_o    (tok_take[UW*DepW +: DepW]),
    .tok_give_o    (tok_give[UW*DepW +: DepW]),
    .a_req_o       (win_a_req),
    .a_raddr_o     (win_a_raddr),
    .a_gnt_i       (win_a_gnt),
    .a_rdata_i     (a_rdata),
    .b_req_o       (win_b_req),
    .b_raddr_o     (win_b_raddr),
    .b_gnt_i       (win_b_gnt),
    .b_rdata_i     (b_rdata),
    .acc_we_o      (acc_win_we),
    .acc_waddr_o   (acc_win_waddr),
    .acc_wdata_o   (acc_win_wdata),
    .acc_gnt_i     (acc_win_gnt),
    .idle_o        (unit_idle[UW]),
    .err_o         (err[1+UW]),
    .err_cause_o   (err_causes[(1+UW)*CW +: CW]),
    .err_addr_o    (err_addrs[(1+UW)*32 +: 32]),
    .err_pc_o      (err_pcs[(1+UW)*32 +: 32]),
    .busy_o        (unit_busy[UW]),
    .stall_dep_o   (unit_stall_dep[UW]),
    .stall_port_o  (window_stall_port),
    .mac_o         (win_mac),
    .mac_taps_o    (win_mac_taps)
  );

  npu_store #(
    .Dim      (Dim),
    .SpadPRows(SpadPRows),
    .AccRows  (AccRows),
    .AxiId    (npu_config_pkg::AxiIdStore),
    .PostLanes(PostLanes)
  ) u_store (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .clear_i       (clear),
    .abort_i       (abort),
    .instr_valid_i (q_valid[US]),
    .instr_ready_o (q_ready[US]),
    .instr_i       (q_instr[US*256 +: 256]),
    .pc_i          (q_pc[US*32 +: 32]),
    .tok_avail_i   (tok_avail[US*DepW +: DepW]),
    .tok_take_o    (tok_take[US*DepW +: DepW]),
    .tok_give_o    (tok_give[US*DepW +: DepW]),
    .win_base_i    (win_base_i),
    .win_size_i    (win_size_i),
    .p_re_o        (p_re),
    .p_raddr_o     (p_raddr),
    .p_rdata_i     (p_rdata),
    .acc_re_o      (acc_st_re),
    .acc_raddr_o   (acc_st_raddr),
    .acc_gnt_i     (acc_st_gnt),
    .acc_rdata_i   (acc_st_rdata),
    .m_ar_valid_o  (rd_ar_valid[RdStore]),
    .m_ar_ready_i  (rd_ar_ready[RdStore]),
    .m_ar_addr_o   (rd_ar_addr[RdStore*32 +: 32]),
    .m_ar_len_o    (rd_ar_len[RdStore*8 +: 8]),
    .m_ar_size_o   (rd_ar_size[RdStore*3 +: 3]),
    .m_ar_burst_o  (rd_ar_burst[RdStore*2 +: 2]),
    .m_ar_id_o     (rd_ar_id[RdStore*2 +: 2]),
    .m_r_valid_i   (rd_r_valid[RdStore]),
    .m_r_ready_o   (rd_r_ready[RdStore]),
    .m_r_data_i    (m_axi_rdata_i),
    .m_r_resp_i    (m_axi_rresp_i),
    .m_r_last_i    (m_axi_rlast_i),
    .m_aw_valid_o  (m_axi_awvalid_o),
    .m_aw_ready_i  (m_axi_awready_i),
    .m_aw_addr_o   (m_axi_awaddr_o),
    .m_aw_len_o    (m_axi_awlen_o),
    .m_aw_size_o   (m_axi_awsize_o),
    .m_aw_burst_o  (m_axi_awburst_o),
    .m_aw_id_o     (m_axi_awid_o),
    .m_w_valid_o   (m_axi_wvalid_o),
    .m_w_ready_i   (m_axi_wready_i),
    .m_w_data_o    (m_axi_wdata_o),
    .m_w_strb_o    (m_axi_wstrb_o),
    .m_w_last_o    (m_axi_wlast_o),
    .m_b_valid_i   (m_axi_bvalid_i),
    .m_b_ready_o   (m_axi_bready_o),
    .m_b_resp_i    (m_axi_bresp_i),
    .idle_o        (unit_idle[US]),
    .err_o         (err[1+US]),
    .err_cause_o   (err_causes[(1+US)*CW +: CW]),
    .err_addr_o    (err_addrs[(1+US)*32 +: 32]),
    .err_pc_o      (err_pcs[(1+US)*32 +: 32]),
    .busy_o        (unit_busy[US]),
    .stall_dep_o   (unit_stall_dep[US]),
    .stall_mem_o   (store_stall_mem)
  );

  // ---------------------------------------------------------------------------
  // Performance counters.
  // ---------------------------------------------------------------------------
  assign busy_o    = fetch_active;
  assign read_beat = m_axi_rvalid_i && m_axi_rready_o;

  npu_counters #(
    .Dim(Dim)
  ) u_counters (
    .clk_i                  (clk_i),
    .rst_ni                 (rst_ni),
    .clear_i                (clear_counters_i),
    .active_i               (fetch_active),
    .dispatch_i             (dispatch),
    .fetch_stall_i          (fetch_stall),
    .read_beat_i            (read_beat),
    .write_beat_i           (m_axi_wvalid_o && m_axi_wready_i && (m_axi_wstrb_o != '0)),
    .row_i                  (row),
    .win_mac_i              (win_mac),
    .win_mac_taps_i         (win_mac_taps),
    .busy_i                 (unit_busy),
    .stall_dep_i            (unit_stall_dep),
    .load_stall_mem_i       (load_stall_mem),
    .compute_stall_hazard_i (compute_stall_hazard),
    .window_stall_port_i    (window_stall_port),
    .store_stall_mem_i      (store_stall_mem),
    .counters_o             (counters_o)
  );

  // ---------------------------------------------------------------------------
  // Assertions (simulation only).
  // ---------------------------------------------------------------------------
  // A unit takes no instruction while the NPU is stopping.
  `NPU_ASSERT_NEVER(NoDispatchOnAbort_A, abort && |(q_valid & q_ready), clk_i, rst_ni)

  // Unit interfaces. An instruction offered to a unit stays, unchanged, until
  // the unit takes it (or a soft reset empties the queues).
  for (genvar u = 0; u < NumUnits; u++) begin : gen_queue_check
    `NPU_ASSERT(QueueHeadHeld_A, q_valid[u] && !q_ready[u] && !clear |=>
                q_valid[u] && $stable({q_pc[u*32 +: 32], q_instr[u*256 +: 256]}), clk_i, rst_ni)
  end
  // One scratchpad written per cycle; a refused accumulator write (window)
  // or read (store) is offered again, unchanged, unless the NPU stops.
  `NPU_ASSERT(OneSpadWrite_A, $onehot0(sp_we), clk_i, rst_ni)
  `NPU_ASSERT(AccWinWriteHeld_A, acc_win_we && !acc_win_gnt && !abort |=>
              abort || clear || (acc_win_we && $stable({acc_win_waddr, acc_win_wdata})),
              clk_i, rst_ni)
  `NPU_ASSERT(AccStReadHeld_A, acc_st_re && !acc_st_gnt && !abort |=>
              abort || clear || (acc_st_re && $stable(acc_st_raddr)), clk_i, rst_ni)
  // An error source names exactly one ERR_CAUSE bit.
  for (genvar e = 0; e < NumSrc; e++) begin : gen_err_check
    `NPU_ASSERT(OneCause_A, err[e] |-> $onehot(err_causes[e*CW +: CW]), clk_i, rst_ni)
  end
  // A read beat goes to one requester at most (the one its id names).
  `NPU_ASSERT(OneReadRoute_A, $onehot0(rd_r_valid), clk_i, rst_ni)

endmodule
