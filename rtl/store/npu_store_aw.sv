// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_assert.svh"

/// AW engine of the store unit, with the bookkeeping of the write bursts.
///
/// Takes an output walk from the front end (start_i: ny rows of nx beats
/// from dst_addr, dst_stride apart) and announces its bursts on AW (INCR,
/// within one output row, split by npu_burst_split), one per cycle, each
/// checked against the window before its AW is loaded, while fewer than
/// MaxWrites bursts wait for their B response. AW runs ahead of the data.
/// Each accepted AW pushes its length for the W engine and its address and
/// pc for the B response; B is always ready, and a response other than OKAY
/// is offered as an error (b_err_o, with that burst's address and pc).
module npu_store_aw #(
  parameter int unsigned Dim       = npu_config_pkg::DefaultDim,   ///< bytes per beat
  parameter int unsigned MaxWrites = npu_config_pkg::StoreWrites,  ///< bursts without B response
  parameter int unsigned AxiId     = npu_config_pkg::AxiIdStore    ///< AWID
) (
  input  logic                    clk_i,          ///< clock
  input  logic                    rst_ni,         ///< asynchronous reset, active low
  input  logic                    clear_i,        ///< soft reset
  input  logic                    stop_i,         ///< announce nothing more, forget the walk
  input  logic                    hold_i,         ///< an error is reported this cycle: announce nothing
  input  logic                    flush_i,        ///< empty the burst FIFOs
  input  logic                    start_i,        ///< take a walk (only when busy_o is low)
  input  logic [31:0]             dst_addr_i,     ///< walk: first output row address
  input  logic [31:0]             dst_stride_i,   ///< walk: bytes between output rows
  input  logic [15:0]             ny_i,           ///< walk: output rows
  input  logic [15:0]             nx_i,           ///< walk: beats per output row
  input  logic [31:0]             pc_i,           ///< walk: the instruction's pc
  output logic                    busy_o,         ///< a walk is not fully announced
  input  logic [31:0]             win_base_i,     ///< permitted window base
  input  logic [31:0]             win_size_i,     ///< permitted window size
  output logic                    m_aw_valid_o,   ///< AXI AW valid
  input  logic                    m_aw_ready_i,   ///< AXI AW ready
  output logic [31:0]             m_aw_addr_o,    ///< AXI AW address
  output logic [7:0]              m_aw_len_o,     ///< AXI AW beats - 1
  output logic [2:0]              m_aw_size_o,    ///< AXI AW size, log2(Dim)
  output logic [1:0]              m_aw_burst_o,   ///< AXI AW burst (INCR)
  output logic [1:0]              m_aw_id_o,      ///< AXI AW id
  input  logic                    m_b_valid_i,    ///< AXI B valid
  output logic                    m_b_ready_o,    ///< AXI B ready (always)
  input  logic [1:0]              m_b_resp_i,     ///< AXI B response
  output logic                    wlen_valid_o,   ///< an announced burst awaits its beats
  output logic [7:0]              wlen_o,         ///< its length - 1
  input  logic                    wlen_pop_i,     ///< its last beat is sent
  output logic                    err_req_o,      ///< the next burst is outside the window
  output logic [31:0]             err_addr_o,     ///< its address
  output logic [31:0]             err_pc_o,       ///< its instruction
  output logic                    b_err_o,        ///< a B response other than OKAY
  output logic [31:0]             b_err_addr_o,   ///< that burst's address
  output logic [31:0]             b_err_pc_o,     ///< its instruction
  output logic                    drained_o,      ///< no AW shown, no burst without response
  output logic                    stall_aw_o      ///< counter event: AW shown, not accepted
);

  localparam int unsigned DimLog = $clog2(Dim);
  localparam int unsigned AW     = 52;  // byte addresses before range checks
  localparam int unsigned BCntW  = $clog2(MaxWrites + 1);

  logic          busy_d, busy_q;
  logic [31:0]   stride_q, pc_q;
  logic [15:0]   ny_q, nx_q, y_d, y_q, x_d, x_q;
  logic [AW-1:0] raddr_d, raddr_q;  // address of the current output row
  logic          aw_valid_d, aw_valid_q;
  logic [31:0]   aw_addr_d, aw_addr_q, aw_pc_d, aw_pc_q;
  logic [7:0]    aw_len_d, aw_len_q;

  // The next burst of the walk.
  logic [16:0]   rem_x, blen;
  logic [AW-1:0] baddr, bend;
  logic          win_ok, fire, aw_hs, b_hs, b_rvalid;
  logic [BCntW-1:0] b_count;

  assign rem_x = 17'(nx_q) - 17'(x_q);
  assign baddr = raddr_q + (AW'(x_q) << DimLog);
  assign bend  = baddr + (AW'(blen) << DimLog);

  npu_burst_split #(
    .Dim  (Dim),
    .AddrW(AW),
    .CntW (17)
  ) u_split (
    .addr_i  (baddr),
    .beats_i (rem_x),
    .beats_o (blen)
  );

  npu_win_check #(
    .AddrW(AW)
  ) u_win_check (
    .start_i    (baddr),
    .end_i      (bend),
    .win_base_i (win_base_i),
    .win_size_i (win_size_i),
    .ok_o       (win_ok)
  );

  always_comb begin
    err_req_o = 1'b0;
    fire      = 1'b0;
    if (busy_q && !stop_i) begin
      if (!win_ok) begin
        err_req_o = 1'b1;
      end else if (!hold_i && (!aw_valid_q || m_aw_ready_i) &&
                   ((32'(b_count) + 32'(aw_valid_q)) < 32'(MaxWrites))) begin
        fire = 1'b1;
      end
    end
  end
  assign err_addr_o = baddr[31:0];
  assign err_pc_o   = pc_q;

  always_comb begin
    busy_d     = busy_q;
    y_d        = y_q;
    x_d        = x_q;
    raddr_d    = raddr_q;
    aw_valid_d = aw_valid_q && !m_aw_ready_i;
    aw_addr_d  = aw_addr_q;
    aw_len_d   = aw_len_q;
    aw_pc_d    = aw_pc_q;
    if (start_i) begin
      busy_d  = 1'b1;
      y_d     = '0;
      x_d     = '0;
      raddr_d = AW'(dst_addr_i);
    end
    if (fire) begin
      aw_valid_d = 1'b1;
      aw_addr_d  = baddr[31:0];
      aw_len_d   = 8'(blen - 17'd1);
      aw_pc_d    = pc_q;
      x_d        = x_q + blen[15:0];
      if (17'(x_q) + blen == 17'(nx_q)) begin
        x_d     = '0;
        y_d     = y_q + 16'd1;
        raddr_d = raddr_q + AW'(stride_q);
        if (y_q == ny_q - 16'd1) begin
          busy_d = 1'b0;
        end
      end
    end
    if (stop_i || clear_i) begin
      busy_d = 1'b0;
    end
    if (clear_i) begin
      aw_valid_d = 1'b0;
    end
  end

  assign aw_hs        = aw_valid_q && m_aw_ready_i;
  assign m_aw_valid_o = aw_valid_q;
  assign m_aw_addr_o  = aw_addr_q;
  assign m_aw_len_o   = aw_len_q;
  assign m_aw_size_o  = 3'(DimLog);
  assign m_aw_burst_o = 2'b01;
  assign m_aw_id_o    = 2'(AxiId);
  assign busy_o       = busy_q;
  assign stall_aw_o   = aw_valid_q && !m_aw_ready_i;

  // Bursts accepted on AW: their lengths for the W engine ...
  logic [BCntW-1:0] unused_wlen_count;
  logic             unused_wlen_wready, unused_b_wready;  // room reserved before AW

  npu_fifo #(
    .Width (8),
    .Depth (MaxWrites),
    .Credit(1'b1)
  ) u_wlen_fifo (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .clear_i  (flush_i),
    .wvalid_i (aw_hs),
    .wready_o (unused_wlen_wready),
    .wdata_i  (aw_len_q),
    .rvalid_o (wlen_valid_o),
    .rready_i (wlen_pop_i),
    .rdata_o  (wlen_o),
    .count_o  (unused_wlen_count)
  );

  // ... and their address and pc for the B response (B follows the last W
  // beat, so this FIFO is never emptier than the length FIFO).
  npu_fifo #(
    .Width (64),
    .Depth (MaxWrites),
    .Credit(1'b1)
  ) u_b_fifo (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .clear_i  (flush_i),
    .wvalid_i (aw_hs),
    .wready_o (unused_b_wready),
    .wdata_i  ({aw_pc_q, aw_addr_q}),
    .rvalid_o (b_rvalid),
    .rready_i (b_hs),
    .rdata_o  ({b_err_pc_o, b_err_addr_o}),
    .count_o  (b_count)
  );

  // B: always ready; every response has its entry in the B FIFO.
  assign m_b_ready_o = 1'b1;
  assign b_hs        = m_b_valid_i && b_rvalid;
  assign b_err_o     = b_hs && (m_b_resp_i != 2'b00);
  assign drained_o   = !aw_valid_q && !wlen_valid_o && !b_rvalid;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q     <= 1'b0;
      y_q        <= '0;
      x_q        <= '0;
      raddr_q    <= '0;
      aw_valid_q <= 1'b0;
      aw_addr_q  <= '0;
      aw_len_q   <= '0;
      aw_pc_q    <= '0;
    end else begin
      busy_q     <= busy_d;
      y_q        <= y_d;
      x_q        <= x_d;
      raddr_q    <= raddr_d;
      aw_valid_q <= aw_valid_d;
      aw_addr_q  <= aw_addr_d;
      aw_len_q   <= aw_len_d;
      aw_pc_q    <= aw_pc_d;
    end
  end

  // The walk's fields: loaded with start_i, only meaningful while busy.
  always_ff @(posedge clk_i) begin
    if (start_i) begin
      stride_q <= dst_stride_i;
      ny_q     <= ny_i;
      nx_q     <= nx_i;
      pc_q     <= pc_i;
    end
  end

  // Bursts without response never exceed MaxWrites; a response always has
  // its burst.
  `NPU_ASSERT(BOutstanding_A, 32'(b_count) <= MaxWrites, clk_i, rst_ni)
  `NPU_ASSERT(BHasBurst_A, m_b_valid_i |-> b_rvalid, clk_i, rst_ni)
  `NPU_ASSERT(AwBoundary_A, m_aw_valid_o |->
              ((32'(m_aw_addr_o) % npu_config_pkg::Boundary) +
               ((32'(m_aw_len_o) + 1) << DimLog) <= npu_config_pkg::Boundary), clk_i, rst_ni)
  `NPU_ASSERT(StartWhenFree_A, start_i |-> !busy_q, clk_i, rst_ni)

endmodule
