// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_assert.svh"

/// npu: int8 inference accelerator top level: the register file (npu_csr)
/// and the core (npu_core).
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
  /// Columns of the window unit's line buffers (widest tile it slides over).
  parameter int unsigned WindowCols = npu_config_pkg::DefaultWindowCols,
  /// Largest window kernel side and stride (2 to 7).
  parameter int unsigned WindowK    = npu_config_pkg::DefaultWindowK,
  /// Lanes of the store unit's post-processing (divides Dim). A
  /// microarchitecture choice, not part of a configuration: Dim lanes take a
  /// row per cycle; an FPGA build with fewer saves their multipliers and
  /// takes Dim / PostLanes cycles per output row (docs/fpga.md).
  parameter int unsigned PostLanes  = Dim,
  /// Lanes of the window unit's ALU (divides Dim), the same kind of choice:
  /// Dim lanes take a 3 x 3 block of every channel per cycle, fewer take
  /// Dim / WindowLanes cycles per block.
  parameter int unsigned WindowLanes = Dim,
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

  // Register file <-> core.
  logic                    stream_valid, stream_ready, soft_reset, clear_counters, queue_overflow;
  logic                    clear, busy, halted, resetting, stream_done, error_pulse;
  logic [31:0]             stream_addr, stream_len, win_base, win_size, watchdog;
  npu_reg_pkg::err_cause_t err_cause;
  logic [31:0]             err_pc, err_addr;
  logic [npu_reg_pkg::CounterWords*32-1:0] counters;

  npu_csr #(
    .Dim      (Dim),
    .SpadARows(SpadARows),
    .SpadBRows(SpadBRows),
    .SpadPRows (SpadPRows),
    .AccRows   (AccRows),
    .WindowCols(WindowCols),
    .WindowK   (WindowK)
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
    .watchdog_o       (watchdog),
    .soft_reset_o     (soft_reset),
    .clear_counters_o (clear_counters),
    .queue_overflow_o (queue_overflow),
    .busy_i           (busy),
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

  npu_core #(
    .Dim       (Dim),
    .SpadARows (SpadARows),
    .SpadBRows (SpadBRows),
    .SpadPRows (SpadPRows),
    .AccRows   (AccRows),
    .MaxReads  (MaxReads),
    .QueueDepth(QueueDepth),
    .WindowCols(WindowCols),
    .WindowK   (WindowK),
    .PostLanes (PostLanes),
    .WindowLanes(WindowLanes)
  ) u_core (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .stream_valid_i   (stream_valid),
    .stream_ready_o   (stream_ready),
    .stream_addr_i    (stream_addr),
    .stream_len_i     (stream_len),
    .win_base_i       (win_base),
    .win_size_i       (win_size),
    .watchdog_i       (watchdog),
    .soft_reset_i     (soft_reset),
    .clear_counters_i (clear_counters),
    .queue_overflow_i (queue_overflow),
    .clear_o          (clear),
    .busy_o           (busy),
    .halted_o         (halted),
    .resetting_o      (resetting),
    .stream_done_o    (stream_done),
    .error_o          (error_pulse),
    .err_cause_o      (err_cause),
    .err_pc_o         (err_pc),
    .err_addr_o       (err_addr),
    .counters_o       (counters),
    .m_axi_awvalid_o  (m_axi_awvalid_o),
    .m_axi_awready_i  (m_axi_awready_i),
    .m_axi_awaddr_o   (m_axi_awaddr_o),
    .m_axi_awlen_o    (m_axi_awlen_o),
    .m_axi_awsize_o   (m_axi_awsize_o),
    .m_axi_awburst_o  (m_axi_awburst_o),
    .m_axi_awid_o     (m_axi_awid_o),
    .m_axi_wvalid_o   (m_axi_wvalid_o),
    .m_axi_wready_i   (m_axi_wready_i),
    .m_axi_wdata_o    (m_axi_wdata_o),
    .m_axi_wstrb_o    (m_axi_wstrb_o),
    .m_axi_wlast_o    (m_axi_wlast_o),
    .m_axi_bvalid_i   (m_axi_bvalid_i),
    .m_axi_bready_o   (m_axi_bready_o),
    .m_axi_bresp_i    (m_axi_bresp_i),
    .m_axi_bid_i      (m_axi_bid_i),
    .m_axi_arvalid_o  (m_axi_arvalid_o),
    .m_axi_arready_i  (m_axi_arready_i),
    .m_axi_araddr_o   (m_axi_araddr_o),
    .m_axi_arlen_o    (m_axi_arlen_o),
    .m_axi_arsize_o   (m_axi_arsize_o),
    .m_axi_arburst_o  (m_axi_arburst_o),
    .m_axi_arid_o     (m_axi_arid_o),
    .m_axi_rvalid_i   (m_axi_rvalid_i),
    .m_axi_rready_o   (m_axi_rready_o),
    .m_axi_rdata_i    (m_axi_rdata_i),
    .m_axi_rresp_i    (m_axi_rresp_i),
    .m_axi_rlast_i    (m_axi_rlast_i),
    .m_axi_rid_i      (m_axi_rid_i)
  );

  // ---------------------------------------------------------------------------
  // Assertions on the memory port (simulation only).
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
  // Only INCR bursts of full-width beats, never across a 4 KiB boundary.
  `NPU_ASSERT(ArBurst_A, m_axi_arvalid_o |-> m_axi_arburst_o == 2'b01 &&
              m_axi_arsize_o == 3'($clog2(Dim)), clk_i, rst_ni)
  `NPU_ASSERT(AwBurst_A, m_axi_awvalid_o |-> m_axi_awburst_o == 2'b01 &&
              m_axi_awsize_o == 3'($clog2(Dim)), clk_i, rst_ni)
  `NPU_ASSERT(Ar4k_A, m_axi_arvalid_o |-> (32'(m_axi_araddr_o[11:0]) +
              ((32'(m_axi_arlen_o) + 1) << $clog2(Dim)) <= 32'd4096), clk_i, rst_ni)
  `NPU_ASSERT(Aw4k_A, m_axi_awvalid_o |-> (32'(m_axi_awaddr_o[11:0]) +
              ((32'(m_axi_awlen_o) + 1) << $clog2(Dim)) <= 32'd4096), clk_i, rst_ni)
  // Nothing valid while in reset (checked on clock edges during reset too).
  `NPU_ASSERT(NoValidInReset_A, !rst_ni |-> !m_axi_arvalid_o && !m_axi_awvalid_o &&
              !m_axi_wvalid_o, clk_i, 1'b1)

  // Cover points (make cov): a stopping error or a soft reset while a read
  // or a write burst is half done (the bursts must still complete), and
  // each error response.
  `NPU_COVER(HaltMidReadBurst_C, halted && m_axi_rvalid_i && !m_axi_rlast_i, clk_i, rst_ni)
  `NPU_COVER(HaltMidWriteBurst_C, halted && m_axi_wvalid_o && !m_axi_wlast_o, clk_i, rst_ni)
  `NPU_COVER(ResetMidReadBurst_C, resetting && m_axi_rvalid_i && !m_axi_rlast_i, clk_i, rst_ni)
  `NPU_COVER(ResetMidWriteBurst_C, resetting && m_axi_wvalid_o && !m_axi_wlast_o, clk_i, rst_ni)
  `NPU_COVER(ReadSlverr_C, m_axi_rvalid_i && m_axi_rresp_i == 2'b10, clk_i, rst_ni)
  `NPU_COVER(ReadDecerr_C, m_axi_rvalid_i && m_axi_rresp_i == 2'b11, clk_i, rst_ni)
  `NPU_COVER(WriteSlverr_C, m_axi_bvalid_i && m_axi_bresp_i == 2'b10, clk_i, rst_ni)
  `NPU_COVER(WriteDecerr_C, m_axi_bvalid_i && m_axi_bresp_i == 2'b11, clk_i, rst_ni)

`ifndef SYNTHESIS
  // WLAST closes each W burst after exactly AWLEN + 1 beats, the bursts in
  // AW order. W beats may run ahead of their AW, so the burst lengths of both
  // channels are queued and compared as soon as both are known. (Assertion
  // bookkeeping: simulation only.)
  int unsigned aw_lens[$], w_lens[$];
  int unsigned w_beats;
  always_ff @(posedge clk_i or negedge rst_ni) begin : wlast_check
    if (!rst_ni) begin
      aw_lens.delete();
      w_lens.delete();
      w_beats <= 0;
    end else begin
      if (m_axi_awvalid_o && m_axi_awready_i) aw_lens.push_back(32'(m_axi_awlen_o) + 1);
      if (m_axi_wvalid_o && m_axi_wready_i) begin
        if (m_axi_wlast_o) begin
          w_lens.push_back(w_beats + 1);
          w_beats <= 0;
        end else begin
          w_beats <= w_beats + 1;
        end
      end
      if (aw_lens.size() > 0 && w_lens.size() > 0) begin
        WlastPos_A: assert (aw_lens[0] == w_lens[0])
          else $error("assertion %m failed: a W burst of %0d beats for AWLEN + 1 = %0d",
                      w_lens[0], aw_lens[0]);
        void'(aw_lens.pop_front());
        void'(w_lens.pop_front());
      end
    end
  end

  // Bursts in flight on the bus, counted from the handshakes, within each
  // requester's limit: instruction fetch FetchBursts, the load unit MaxReads,
  // the store unit's residual reads ResBursts (per ARID), and the store's
  // write bursts StoreWrites (AW accepted, B not yet). A read id outside the
  // three is a bug of the read arbiter.
  localparam logic [1:0] IdF = 2'(npu_config_pkg::AxiIdFetch);
  localparam logic [1:0] IdL = 2'(npu_config_pkg::AxiIdLoad);
  localparam logic [1:0] IdS = 2'(npu_config_pkg::AxiIdStore);
  logic ar_hs, r_end;
  int   rd_fetch, rd_load, rd_store, wr_store;
  assign ar_hs = m_axi_arvalid_o && m_axi_arready_i;
  assign r_end = m_axi_rvalid_i && m_axi_rready_o && m_axi_rlast_i;
  always_ff @(posedge clk_i or negedge rst_ni) begin : inflight_count
    if (!rst_ni) begin
      rd_fetch <= 0;
      rd_load  <= 0;
      rd_store <= 0;
      wr_store <= 0;
    end else begin
      rd_fetch <= rd_fetch + int'(ar_hs && m_axi_arid_o == IdF) - int'(r_end && m_axi_rid_i == IdF);
      rd_load  <= rd_load + int'(ar_hs && m_axi_arid_o == IdL) - int'(r_end && m_axi_rid_i == IdL);
      rd_store <= rd_store + int'(ar_hs && m_axi_arid_o == IdS) - int'(r_end && m_axi_rid_i == IdS);
      wr_store <= wr_store + int'(m_axi_awvalid_o && m_axi_awready_i) -
                  int'(m_axi_bvalid_i && m_axi_bready_o);
    end
  end
  `NPU_ASSERT(ArId_A, m_axi_arvalid_o |-> m_axi_arid_o == IdF || m_axi_arid_o == IdL ||
              m_axi_arid_o == IdS, clk_i, rst_ni)
  `NPU_ASSERT(FetchReadsInFlight_A, rd_fetch <= int'(npu_config_pkg::FetchBursts), clk_i, rst_ni)
  `NPU_ASSERT(LoadReadsInFlight_A, rd_load <= int'(MaxReads), clk_i, rst_ni)
  `NPU_ASSERT(StoreReadsInFlight_A, rd_store <= int'(npu_config_pkg::ResBursts), clk_i, rst_ni)
  `NPU_ASSERT(WritesInFlight_A, wr_store <= int'(npu_config_pkg::StoreWrites), clk_i, rst_ni)
`endif

endmodule
