// Test harness for the bus models: a small DMA engine with an AXI4-Lite
// register port and an AXI4 master port, named like the NPU's ports.
//
// Registers (32-bit): 0x00 SRC, 0x04 DST, 0x08 BEATS (beats to copy),
// 0x0C CTRL (write 1: start), 0x10 STATUS (bit 0 busy, bit 1 bus error,
// bits 31:16 bursts done). Other addresses answer SLVERR.
// Copies in bursts of up to 16 beats, never crossing 4 KiB; reads use
// ARID = 1, writes AWID = 0; the W beats of a burst start with its AW.
module npu_bus_test_dma #(
  parameter int DataWidth = 64
) (
  input  logic                     clk_i,
  input  logic                     rst_ni,
  // AXI4-Lite slave.
  input  logic                     s_axil_awvalid_i,
  output logic                     s_axil_awready_o,
  input  logic [31:0]              s_axil_awaddr_i,
  input  logic                     s_axil_wvalid_i,
  output logic                     s_axil_wready_o,
  input  logic [31:0]              s_axil_wdata_i,
  input  logic [3:0]               s_axil_wstrb_i,
  output logic                     s_axil_bvalid_o,
  input  logic                     s_axil_bready_i,
  output logic [1:0]               s_axil_bresp_o,
  input  logic                     s_axil_arvalid_i,
  output logic                     s_axil_arready_o,
  input  logic [31:0]              s_axil_araddr_i,
  output logic                     s_axil_rvalid_o,
  input  logic                     s_axil_rready_i,
  output logic [31:0]              s_axil_rdata_o,
  output logic [1:0]               s_axil_rresp_o,
  // AXI4 master.
  output logic                     m_axi_awvalid_o,
  input  logic                     m_axi_awready_i,
  output logic [31:0]              m_axi_awaddr_o,
  output logic [7:0]               m_axi_awlen_o,
  output logic [2:0]               m_axi_awsize_o,
  output logic [1:0]               m_axi_awburst_o,
  output logic [1:0]               m_axi_awid_o,
  output logic                     m_axi_wvalid_o,
  input  logic                     m_axi_wready_i,
  output logic [DataWidth-1:0]     m_axi_wdata_o,
  output logic [DataWidth/8-1:0]   m_axi_wstrb_o,
  output logic                     m_axi_wlast_o,
  input  logic                     m_axi_bvalid_i,
  output logic                     m_axi_bready_o,
  input  logic [1:0]               m_axi_bresp_i,
  input  logic [1:0]               m_axi_bid_i,
  output logic                     m_axi_arvalid_o,
  input  logic                     m_axi_arready_i,
  output logic [31:0]              m_axi_araddr_o,
  output logic [7:0]               m_axi_arlen_o,
  output logic [2:0]               m_axi_arsize_o,
  output logic [1:0]               m_axi_arburst_o,
  output logic [1:0]               m_axi_arid_o,
  input  logic                     m_axi_rvalid_i,
  output logic                     m_axi_rready_o,
  input  logic [DataWidth-1:0]     m_axi_rdata_i,
  input  logic [1:0]               m_axi_rresp_i,
  input  logic                     m_axi_rlast_i,
  input  logic [1:0]               m_axi_rid_i
);
  localparam int Bytes = DataWidth / 8;
  localparam int MaxBeats = 16;

  // ---------------------------------------------------------------- registers
  logic [31:0] src_q, dst_q, beats_q, done_q;
  logic        busy_q, err_q, start;
  logic [31:0] aw_addr_q, w_data_q;
  logic        aw_full_q, w_full_q;

  assign s_axil_awready_o = !aw_full_q;
  assign s_axil_wready_o  = !w_full_q;
  assign s_axil_arready_o = !s_axil_rvalid_o;
  assign start = aw_full_q && w_full_q && !s_axil_bvalid_o && aw_addr_q[7:0] == 8'h0c &&
                 w_data_q[0] && !busy_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_full_q <= 1'b0;
      w_full_q <= 1'b0;
      aw_addr_q <= '0;
      w_data_q <= '0;
      s_axil_bvalid_o <= 1'b0;
      s_axil_bresp_o <= 2'b00;
      s_axil_rvalid_o <= 1'b0;
      s_axil_rdata_o <= '0;
      s_axil_rresp_o <= 2'b00;
      src_q <= '0;
      dst_q <= '0;
    end else begin
      if (s_axil_awvalid_i && s_axil_awready_o) begin
        aw_full_q <= 1'b1;
        aw_addr_q <= s_axil_awaddr_i;
      end
      if (s_axil_wvalid_i && s_axil_wready_o) begin
        w_full_q <= 1'b1;
        w_data_q <= s_axil_wdata_i;
      end
      if (s_axil_bvalid_o && s_axil_bready_i) s_axil_bvalid_o <= 1'b0;
      if (aw_full_q && w_full_q && !s_axil_bvalid_o) begin
        aw_full_q <= 1'b0;
        w_full_q <= 1'b0;
        s_axil_bvalid_o <= 1'b1;
        s_axil_bresp_o <= aw_addr_q[31:5] != '0 ? 2'b10 : 2'b00;
        if (aw_addr_q == 32'h00) src_q <= w_data_q;
        if (aw_addr_q == 32'h04) dst_q <= w_data_q;
      end
      if (s_axil_rvalid_o && s_axil_rready_i) s_axil_rvalid_o <= 1'b0;
      if (s_axil_arvalid_i && s_axil_arready_o) begin
        s_axil_rvalid_o <= 1'b1;
        s_axil_rresp_o <= s_axil_araddr_i[31:5] != '0 ? 2'b10 : 2'b00;
        unique case (s_axil_araddr_i[4:0])
          5'h00: s_axil_rdata_o <= src_q;
          5'h04: s_axil_rdata_o <= dst_q;
          5'h08: s_axil_rdata_o <= beats_q;
          5'h10: s_axil_rdata_o <= {done_q[15:0], 14'b0, err_q, busy_q};
          default: s_axil_rdata_o <= '0;
        endcase
      end
    end
  end

  // ---------------------------------------------------------------- engine
  typedef enum logic [2:0] {Idle, ReadAddr, ReadData, Write, WriteResp} state_e;
  state_e state_q;
  logic [31:0] rd_q, wr_q, left_q;
  logic [7:0] len_q, beat_q;
  logic aw_done_q;
  logic [DataWidth-1:0] buf_q [MaxBeats];

  // Beats of the next burst: limited by 16, the beats left and both 4 KiB pages.
  function automatic logic [31:0] burst_beats(logic [11:0] rd, logic [11:0] wr,
                                               logic [31:0] left);
    logic [31:0] n;
    n = left < MaxBeats ? left : MaxBeats;
    if ((32'd4096 - {20'b0, rd}) / Bytes < n) n = (32'd4096 - {20'b0, rd}) / Bytes;
    if ((32'd4096 - {20'b0, wr}) / Bytes < n) n = (32'd4096 - {20'b0, wr}) / Bytes;
    burst_beats = n;
  endfunction

  assign m_axi_arvalid_o = state_q == ReadAddr;
  assign m_axi_araddr_o  = rd_q;
  assign m_axi_arlen_o   = len_q;
  assign m_axi_arsize_o  = 3'($clog2(Bytes));
  assign m_axi_arburst_o = 2'b01;
  assign m_axi_arid_o    = 2'd1;
  assign m_axi_rready_o  = state_q == ReadData;
  assign m_axi_awvalid_o = state_q == Write && !aw_done_q;
  assign m_axi_awaddr_o  = wr_q;
  assign m_axi_awlen_o   = len_q;
  assign m_axi_awsize_o  = 3'($clog2(Bytes));
  assign m_axi_awburst_o = 2'b01;
  assign m_axi_awid_o    = 2'd0;
  assign m_axi_wvalid_o  = state_q == Write && beat_q <= len_q;
  assign m_axi_wdata_o   = buf_q[beat_q[3:0]];
  assign m_axi_wstrb_o   = '1;
  assign m_axi_wlast_o   = beat_q == len_q;
  assign m_axi_bready_o  = state_q == WriteResp;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= Idle;
      busy_q <= 1'b0;
      err_q <= 1'b0;
      done_q <= '0;
      beats_q <= '0;
      rd_q <= '0;
      wr_q <= '0;
      left_q <= '0;
      len_q <= '0;
      beat_q <= '0;
      aw_done_q <= 1'b0;
    end else begin
      if (aw_full_q && w_full_q && !s_axil_bvalid_o && aw_addr_q == 32'h08) beats_q <= w_data_q;
      unique case (state_q)
        Idle: if (start) begin
          busy_q <= 1'b1;
          err_q <= 1'b0;
          done_q <= '0;
          rd_q <= src_q;
          wr_q <= dst_q;
          left_q <= beats_q;
          len_q <= 8'(burst_beats(src_q[11:0], dst_q[11:0], beats_q) - 1);
          state_q <= beats_q == 0 ? Idle : ReadAddr;
          if (beats_q == 0) busy_q <= 1'b0;
        end
        ReadAddr: if (m_axi_arready_i) begin
          beat_q <= '0;
          state_q <= ReadData;
        end
        ReadData: if (m_axi_rvalid_i) begin
          buf_q[beat_q[3:0]] <= m_axi_rdata_i;
          if (m_axi_rresp_i != 2'b00) err_q <= 1'b1;
          beat_q <= beat_q + 1;
          if (m_axi_rlast_i) begin
            beat_q <= '0;
            aw_done_q <= 1'b0;
            state_q <= Write;
          end
        end
        Write: begin
          if (m_axi_awvalid_o && m_axi_awready_i) aw_done_q <= 1'b1;
          if (m_axi_wvalid_o && m_axi_wready_i) beat_q <= beat_q + 1;
          if ((aw_done_q || m_axi_awready_i) &&
              (beat_q == len_q + 1 || (m_axi_wvalid_o && m_axi_wready_i && m_axi_wlast_o))) begin
            state_q <= WriteResp;
          end
        end
        WriteResp: if (m_axi_bvalid_i) begin
          if (m_axi_bresp_i != 2'b00) err_q <= 1'b1;
          done_q <= done_q + 1;
          rd_q <= rd_q + (32'(len_q) + 1) * Bytes;
          wr_q <= wr_q + (32'(len_q) + 1) * Bytes;
          left_q <= left_q - (32'(len_q) + 1);
          len_q <= 8'(burst_beats(12'(rd_q + (32'(len_q) + 1) * Bytes),
                                  12'(wr_q + (32'(len_q) + 1) * Bytes),
                                  left_q - (32'(len_q) + 1)) - 1);
          if (left_q == 32'(len_q) + 1 || err_q || m_axi_bresp_i != 2'b00) begin
            state_q <= Idle;
            busy_q <= 1'b0;
          end else begin
            state_q <= ReadAddr;
          end
        end
        default: state_q <= Idle;
      endcase
    end
  end

  logic unused;
  assign unused = ^{s_axil_wstrb_i, m_axi_bid_i, m_axi_rid_i};
endmodule
