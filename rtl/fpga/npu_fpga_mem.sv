// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_assert.svh"

/// The system memory of the FPGA build: MemBytes of block RAM, one row of
/// Dim bytes per address, behind an AXI4 slave (the NPU's memory master)
/// and a byte-wide host port (the UART bridge).
///
/// The AXI4 slave takes one read burst and one write burst at a time (in
/// order, whatever the ids), INCR bursts of full-width beats. A burst that
/// does not lie wholly inside [MemBase, MemBase + MemBytes) is answered
/// DECERR on every beat and touches nothing. Reads stream at one beat per
/// cycle through a four-entry output queue.
///
/// The host port has priority: in a cycle it reads or writes, the AXI side
/// waits. Host reads return host_rdata_o one cycle later (host_rvalid_o).
module npu_fpga_mem #(
  parameter int unsigned Dim      = 4,             ///< bytes per row (bus beat)
  parameter int unsigned MemBytes = 65536,         ///< bytes (a power of two)
  parameter logic [31:0] MemBase  = 32'h8000_0000, ///< device address of byte 0
  /// Derived, do not override.
  parameter int unsigned DataW    = 8 * Dim
) (
  input  logic             clk_i,             ///< clock
  input  logic             rst_ni,            ///< asynchronous reset, active low

  input  logic             s_axi_awvalid_i,   ///< write address valid
  output logic             s_axi_awready_o,   ///< write address ready
  input  logic [31:0]      s_axi_awaddr_i,    ///< write address
  input  logic [7:0]       s_axi_awlen_i,     ///< write burst length - 1
  input  logic [1:0]       s_axi_awid_i,      ///< write id
  input  logic             s_axi_wvalid_i,    ///< write data valid
  output logic             s_axi_wready_o,    ///< write data ready
  input  logic [DataW-1:0] s_axi_wdata_i,     ///< write data
  input  logic [Dim-1:0]   s_axi_wstrb_i,     ///< write strobes
  input  logic             s_axi_wlast_i,     ///< last write beat
  output logic             s_axi_bvalid_o,    ///< write response valid
  input  logic             s_axi_bready_i,    ///< write response ready
  output logic [1:0]       s_axi_bresp_o,     ///< write response
  output logic [1:0]       s_axi_bid_o,       ///< write response id
  input  logic             s_axi_arvalid_i,   ///< read address valid
  output logic             s_axi_arready_o,   ///< read address ready
  input  logic [31:0]      s_axi_araddr_i,    ///< read address
  input  logic [7:0]       s_axi_arlen_i,     ///< read burst length - 1
  input  logic [1:0]       s_axi_arid_i,      ///< read id
  output logic             s_axi_rvalid_o,    ///< read data valid
  input  logic             s_axi_rready_i,    ///< read data ready
  output logic [DataW-1:0] s_axi_rdata_o,     ///< read data
  output logic [1:0]       s_axi_rresp_o,     ///< read response
  output logic             s_axi_rlast_o,     ///< last read beat
  output logic [1:0]       s_axi_rid_o,       ///< read id

  input  logic             host_req_i,        ///< host access this cycle
  input  logic             host_we_i,         ///< write (else read)
  input  logic [31:0]      host_addr_i,       ///< byte offset from MemBase (< MemBytes)
  input  logic [7:0]       host_wdata_i,      ///< byte written
  output logic             host_rvalid_o,     ///< host_rdata_o holds the byte read
  output logic [7:0]       host_rdata_o       ///< byte read
);

  localparam int unsigned Rows   = MemBytes / Dim;
  localparam int unsigned RowW   = $clog2(Rows);
  localparam int unsigned LaneW  = $clog2(Dim);
  localparam logic [1:0]  Okay   = 2'b00;
  localparam logic [1:0]  DecErr = 2'b11;
  localparam int unsigned QDepth = 4;
  localparam int unsigned QW     = DataW + 2 + 2 + 1;  // data, id, resp, last

  // Whether a burst of len+1 beats at addr lies inside the memory.
  function automatic logic in_range(logic [31:0] addr, logic [7:0] len);
    logic [32:0] off, last;
    off      = {1'b0, addr} - {1'b0, MemBase};
    last     = off + 33'(({24'd0, len} + 32'd1) * Dim);
    in_range = !off[32] && off < 33'(MemBytes) && last <= 33'(MemBytes);
  endfunction

  function automatic logic [RowW-1:0] row_of(logic [31:0] addr);
    row_of = RowW'((addr - MemBase) >> LaneW);
  endfunction

  // ---- The RAM: one write port with byte enables, one read port.
  logic [DataW-1:0] mem_q [Rows];
  logic             ram_we, ram_re;
  logic [RowW-1:0]  ram_waddr, ram_raddr;
  logic [DataW-1:0] ram_wdata, ram_rdata;
  logic [Dim-1:0]   ram_wstrb;

  always_ff @(posedge clk_i) begin
    if (ram_we) begin
      for (int unsigned b = 0; b < Dim; b++) begin
        if (ram_wstrb[b]) mem_q[ram_waddr][8*b +: 8] <= ram_wdata[8*b +: 8];
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (ram_re) ram_rdata <= mem_q[ram_raddr];
  end

  logic host_rd, host_wr;
  assign host_rd = host_req_i && !host_we_i;
  assign host_wr = host_req_i && host_we_i;

  // ---- Write channel: AW, the W beats, then B.
  typedef enum logic [1:0] {WIdle, WData, WResp} wstate_e;
  wstate_e         wstate_q;
  logic [RowW-1:0] wrow_q;
  logic            wbad_q;
  logic [1:0]      wid_q;

  assign s_axi_awready_o = (wstate_q == WIdle);
  assign s_axi_wready_o  = (wstate_q == WData) && !host_wr;
  assign s_axi_bvalid_o  = (wstate_q == WResp);
  assign s_axi_bresp_o   = wbad_q ? DecErr : Okay;
  assign s_axi_bid_o     = wid_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wstate_q <= WIdle;
      wrow_q   <= '0;
      wbad_q   <= 1'b0;
      wid_q    <= '0;
    end else begin
      unique case (wstate_q)
        WIdle: if (s_axi_awvalid_i) begin
          wrow_q   <= row_of(s_axi_awaddr_i);
          wbad_q   <= !in_range(s_axi_awaddr_i, s_axi_awlen_i);
          wid_q    <= s_axi_awid_i;
          wstate_q <= WData;
        end
        WData: if (s_axi_wvalid_i && s_axi_wready_o) begin
          wrow_q <= wrow_q + RowW'(1);
          if (s_axi_wlast_i) wstate_q <= WResp;
        end
        WResp: if (s_axi_bready_i) wstate_q <= WIdle;
        default: wstate_q <= WIdle;
      endcase
    end
  end

  // ---- Read channel: AR, then one RAM read per beat while the output
  // queue has room for it and the beats already in flight.
  logic            rbusy_q, rbad_q;
  logic [RowW-1:0] rrow_q;
  logic [7:0]      rleft_q;
  logic [1:0]      rid_q;
  logic            issue;
  // The beat read from the RAM last cycle: {id, resp, last} and whether the
  // RAM's output is the host's.
  logic            beat_q, host_beat_q;
  logic [4:0]      beat_tag_q;
  logic [LaneW-1:0] host_lane_q;
  logic [$clog2(QDepth+1)-1:0] q_count;
  logic            q_wready;
  logic [QW-1:0]   q_rdata;

  assign s_axi_arready_o = !rbusy_q;
  assign issue = rbusy_q && !host_rd && (32'(q_count) + 32'(beat_q) < QDepth);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rbusy_q     <= 1'b0;
      rbad_q      <= 1'b0;
      rrow_q      <= '0;
      rleft_q     <= '0;
      rid_q       <= '0;
      beat_q      <= 1'b0;
      beat_tag_q  <= '0;
      host_beat_q <= 1'b0;
      host_lane_q <= '0;
    end else begin
      beat_q      <= issue;
      host_beat_q <= host_rd;
      if (host_rd) host_lane_q <= host_addr_i[LaneW-1:0];
      if (!rbusy_q) begin
        if (s_axi_arvalid_i) begin
          rbusy_q <= 1'b1;
          rrow_q  <= row_of(s_axi_araddr_i);
          rbad_q  <= !in_range(s_axi_araddr_i, s_axi_arlen_i);
          rleft_q <= s_axi_arlen_i;
          rid_q   <= s_axi_arid_i;
        end
      end else if (issue) begin
        beat_tag_q <= {rid_q, rbad_q ? DecErr : Okay, rleft_q == 8'd0};
        rrow_q     <= rrow_q + RowW'(1);
        rleft_q    <= rleft_q - 8'd1;
        if (rleft_q == 8'd0) rbusy_q <= 1'b0;
      end
    end
  end

  npu_fifo #(.Width(QW), .Depth(QDepth)) u_rq (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clear_i (1'b0),
    .wvalid_i(beat_q),
    .wready_o(q_wready),
    .wdata_i ({(beat_tag_q[2:1] == Okay) ? ram_rdata : '0, beat_tag_q}),
    .rvalid_o(s_axi_rvalid_o),
    .rready_i(s_axi_rready_i),
    .rdata_o (q_rdata),
    .count_o (q_count)
  );
  assign {s_axi_rdata_o, s_axi_rid_o, s_axi_rresp_o, s_axi_rlast_o} = q_rdata;

  // ---- RAM ports: the host first.
  always_comb begin
    ram_we    = 1'b0;
    ram_waddr = wrow_q;
    ram_wdata = s_axi_wdata_i;
    ram_wstrb = s_axi_wstrb_i;
    if (host_wr) begin
      ram_we    = 1'b1;
      ram_waddr = host_addr_i[LaneW +: RowW];
      ram_wdata = {Dim{host_wdata_i}};
      ram_wstrb = Dim'(1) << host_addr_i[LaneW-1:0];
    end else if (wstate_q == WData && s_axi_wvalid_i && !wbad_q) begin
      ram_we = 1'b1;
    end
    ram_re    = host_rd || (issue && !rbad_q);
    ram_raddr = host_rd ? host_addr_i[LaneW +: RowW] : rrow_q;
  end

  // Offsets are below MemBytes (the link checks its ranges).
  logic unused_host_addr;
  assign unused_host_addr = ^host_addr_i[31:LaneW+RowW];

  assign host_rvalid_o = host_beat_q;
  assign host_rdata_o  = ram_rdata[8*host_lane_q +: 8];

  // The queue never overflows: a beat is issued only with room for it.
  `NPU_ASSERT(RqNoOverflow, beat_q |-> q_wready, clk_i, rst_ni)

endmodule
