// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// The FPGA build of the npu, board-independent: npu_top, its system memory
/// (npu_fpga_mem: block RAM behind an AXI4 slave) and the host link
/// (npu_link: a UART bridge to that memory and to the NPU's registers).
/// The board tops (rtl/fpga/boards/) add the clock and the pins.
///
/// LEDs: 0 blinks while the clock runs, 1 shows the NPU's interrupt (a
/// stream done or an error waits for the host), 2 a host command in
/// progress, 3 the NPU busy.
module npu_fpga_top #(
  parameter int unsigned Dim        = npu_config_pkg::DefaultDim,         ///< array rows = columns
  parameter int unsigned SpadARows  = npu_config_pkg::DefaultSpadARows,   ///< activation scratchpad rows
  parameter int unsigned SpadBRows  = npu_config_pkg::DefaultSpadBRows,   ///< weight scratchpad rows
  parameter int unsigned SpadPRows  = npu_config_pkg::DefaultSpadPRows,   ///< parameter scratchpad rows
  parameter int unsigned AccRows    = npu_config_pkg::DefaultAccRows,     ///< accumulator rows
  parameter int unsigned MaxReads   = npu_config_pkg::DefaultMaxReads,    ///< load bursts in flight
  parameter int unsigned QueueDepth = npu_config_pkg::DefaultQueueDepth,  ///< unit queue depth
  parameter int unsigned WindowCols = npu_config_pkg::DefaultWindowCols,  ///< window line buffer columns
  parameter int unsigned WindowK    = npu_config_pkg::DefaultWindowK,     ///< largest window kernel and stride
  parameter int unsigned PostLanes  = Dim,                                ///< store post-processing lanes
  parameter int unsigned WindowLanes = Dim,                               ///< window ALU lanes
  parameter int unsigned MemBytes   = 65536,                              ///< system memory bytes
  parameter logic [31:0] MemBase    = 32'h8000_0000,                      ///< its device address
  parameter int unsigned ClockHz    = 100_000_000,                        ///< clk_i frequency
  parameter int unsigned Baud       = 1_000_000,                          ///< UART bit rate
  /// Cycles without a byte after which the link drops a partial command.
  parameter int unsigned ResyncCycles = ClockHz / 1_000_000 * npu_link_pkg::ResyncUs,
  /// LED 0 toggles every 2^HeartbeatBit cycles.
  parameter int unsigned HeartbeatBit = 25
) (
  input  logic       clk_i,      ///< clock
  input  logic       rst_ni,     ///< reset, active low (asynchronous; released synchronously)
  input  logic       uart_rx_i,  ///< serial line from the host
  output logic       uart_tx_o,  ///< serial line to the host
  output logic [3:0] led_o       ///< status LEDs, active high
);

  localparam int unsigned DataW = 8 * Dim;

  // Reset: asserted asynchronously, released two cycles after rst_ni.
  logic [1:0] rst_sync_q;
  logic       rst_n;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) rst_sync_q <= 2'b00;
    else         rst_sync_q <= {rst_sync_q[0], 1'b1};
  end
  assign rst_n = rst_sync_q[1];

  // NPU control port <-> link.
  logic        awvalid, awready, wvalid, wready, bvalid, bready, arvalid, arready, rvalid, rready;
  logic [11:0] awaddr, araddr;
  logic [31:0] wdata, rdata;
  logic [1:0]  bresp, rresp;
  // NPU memory port <-> memory.
  logic             m_awvalid, m_awready, m_wvalid, m_wready, m_wlast, m_bvalid, m_bready;
  logic             m_arvalid, m_arready, m_rvalid, m_rready, m_rlast;
  logic [31:0]      m_awaddr, m_araddr;
  logic [7:0]       m_awlen, m_arlen;
  logic [2:0]       m_awsize, m_arsize;
  logic [1:0]       m_awburst, m_arburst, m_awid, m_arid, m_bresp, m_bid, m_rresp, m_rid;
  logic [DataW-1:0] m_wdata, m_rdata;
  logic [Dim-1:0]   m_wstrb;
  // Link <-> memory host port.
  logic        host_req, host_we, host_rvalid;
  logic [31:0] host_addr;
  logic [7:0]  host_wdata, host_rdata;
  logic        irq, link_busy;

  npu_top #(
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
  ) u_npu (
    .clk_i           (clk_i),
    .rst_ni          (rst_n),
    .s_axil_awvalid_i(awvalid),
    .s_axil_awready_o(awready),
    .s_axil_awaddr_i (awaddr),
    .s_axil_wvalid_i (wvalid),
    .s_axil_wready_o (wready),
    .s_axil_wdata_i  (wdata),
    .s_axil_wstrb_i  (4'hf),
    .s_axil_bvalid_o (bvalid),
    .s_axil_bready_i (bready),
    .s_axil_bresp_o  (bresp),
    .s_axil_arvalid_i(arvalid),
    .s_axil_arready_o(arready),
    .s_axil_araddr_i (araddr),
    .s_axil_rvalid_o (rvalid),
    .s_axil_rready_i (rready),
    .s_axil_rdata_o  (rdata),
    .s_axil_rresp_o  (rresp),
    .m_axi_awvalid_o (m_awvalid),
    .m_axi_awready_i (m_awready),
    .m_axi_awaddr_o  (m_awaddr),
    .m_axi_awlen_o   (m_awlen),
    .m_axi_awsize_o  (m_awsize),
    .m_axi_awburst_o (m_awburst),
    .m_axi_awid_o    (m_awid),
    .m_axi_wvalid_o  (m_wvalid),
    .m_axi_wready_i  (m_wready),
    .m_axi_wdata_o   (m_wdata),
    .m_axi_wstrb_o   (m_wstrb),
    .m_axi_wlast_o   (m_wlast),
    .m_axi_bvalid_i  (m_bvalid),
    .m_axi_bready_o  (m_bready),
    .m_axi_bresp_i   (m_bresp),
    .m_axi_bid_i     (m_bid),
    .m_axi_arvalid_o (m_arvalid),
    .m_axi_arready_i (m_arready),
    .m_axi_araddr_o  (m_araddr),
    .m_axi_arlen_o   (m_arlen),
    .m_axi_arsize_o  (m_arsize),
    .m_axi_arburst_o (m_arburst),
    .m_axi_arid_o    (m_arid),
    .m_axi_rvalid_i  (m_rvalid),
    .m_axi_rready_o  (m_rready),
    .m_axi_rdata_i   (m_rdata),
    .m_axi_rresp_i   (m_rresp),
    .m_axi_rlast_i   (m_rlast),
    .m_axi_rid_i     (m_rid),
    .irq_o           (irq)
  );

  npu_fpga_mem #(
    .Dim     (Dim),
    .MemBytes(MemBytes),
    .MemBase (MemBase)
  ) u_mem (
    .clk_i          (clk_i),
    .rst_ni         (rst_n),
    .s_axi_awvalid_i(m_awvalid),
    .s_axi_awready_o(m_awready),
    .s_axi_awaddr_i (m_awaddr),
    .s_axi_awlen_i  (m_awlen),
    .s_axi_awid_i   (m_awid),
    .s_axi_wvalid_i (m_wvalid),
    .s_axi_wready_o (m_wready),
    .s_axi_wdata_i  (m_wdata),
    .s_axi_wstrb_i  (m_wstrb),
    .s_axi_wlast_i  (m_wlast),
    .s_axi_bvalid_o (m_bvalid),
    .s_axi_bready_i (m_bready),
    .s_axi_bresp_o  (m_bresp),
    .s_axi_bid_o    (m_bid),
    .s_axi_arvalid_i(m_arvalid),
    .s_axi_arready_o(m_arready),
    .s_axi_araddr_i (m_araddr),
    .s_axi_arlen_i  (m_arlen),
    .s_axi_arid_i   (m_arid),
    .s_axi_rvalid_o (m_rvalid),
    .s_axi_rready_i (m_rready),
    .s_axi_rdata_o  (m_rdata),
    .s_axi_rresp_o  (m_rresp),
    .s_axi_rlast_o  (m_rlast),
    .s_axi_rid_o    (m_rid),
    .host_req_i     (host_req),
    .host_we_i      (host_we),
    .host_addr_i    (host_addr),
    .host_wdata_i   (host_wdata),
    .host_rvalid_o  (host_rvalid),
    .host_rdata_o   (host_rdata)
  );

  npu_link #(
    .ClksPerBit  (ClockHz / Baud),
    .MemBytes    (MemBytes),
    .MemBase     (MemBase),
    .ClockHz     (ClockHz),
    .ResyncCycles(ResyncCycles)
  ) u_link (
    .clk_i           (clk_i),
    .rst_ni          (rst_n),
    .uart_rx_i       (uart_rx_i),
    .uart_tx_o       (uart_tx_o),
    .host_req_o      (host_req),
    .host_we_o       (host_we),
    .host_addr_o     (host_addr),
    .host_wdata_o    (host_wdata),
    .host_rvalid_i   (host_rvalid),
    .host_rdata_i    (host_rdata),
    .m_axil_awvalid_o(awvalid),
    .m_axil_awready_i(awready),
    .m_axil_awaddr_o (awaddr),
    .m_axil_wvalid_o (wvalid),
    .m_axil_wready_i (wready),
    .m_axil_wdata_o  (wdata),
    .m_axil_bvalid_i (bvalid),
    .m_axil_bready_o (bready),
    .m_axil_bresp_i  (bresp),
    .m_axil_arvalid_o(arvalid),
    .m_axil_arready_i(arready),
    .m_axil_araddr_o (araddr),
    .m_axil_rvalid_i (rvalid),
    .m_axil_rready_o (rready),
    .m_axil_rdata_i  (rdata),
    .m_axil_rresp_i  (rresp),
    .busy_o          (link_busy)
  );

  // LEDs.
  logic [HeartbeatBit:0] beat_q;
  logic                  npu_busy_q;
  always_ff @(posedge clk_i or negedge rst_n) begin
    if (!rst_n) begin
      beat_q     <= '0;
      npu_busy_q <= 1'b0;
    end else begin
      beat_q     <= beat_q + 1'b1;
      npu_busy_q <= m_arvalid || m_awvalid || m_rvalid || m_wvalid;
    end
  end
  assign led_o = {npu_busy_q, link_busy, irq, beat_q[HeartbeatBit]};

  // The NPU issues full-width INCR bursts only; the memory relies on it.
  logic unused_axi;
  assign unused_axi = ^{m_awsize, m_awburst, m_arsize, m_arburst};

endmodule
