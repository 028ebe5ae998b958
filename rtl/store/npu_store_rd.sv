// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_assert.svh"

/// Residual reader of the store unit: reads the second input of a store with
/// `add` (ny rows of nx beats from res_addr, res_stride apart) with AXI INCR
/// bursts of at most ResBurst beats that do not cross 4 KiB (npu_burst_split),
/// each checked against the window before its AR, into a FIFO of rows that
/// the post-processing pipeline pops in order. A burst is issued only if
/// the FIFO has room for it and every beat still in flight (credits), so
/// RREADY is always high while the reader runs; at most ResBursts bursts are
/// outstanding. It runs ahead of the accumulator reads.
///
/// An R beat with an error response is offered as an error (err_req_o with
/// that beat's address and the instruction's pc) and not pushed. While the
/// unit stops (stop_i) nothing is issued, beats still arriving are accepted
/// and dropped, and flush_i empties the FIFO once nothing is outstanding.
module npu_store_rd #(
  parameter int unsigned Dim       = npu_config_pkg::DefaultDim,  ///< bytes per beat
  parameter int unsigned ResBurst  = npu_config_pkg::ResBurst,    ///< beats per burst at most
  parameter int unsigned ResBursts = npu_config_pkg::ResBursts,   ///< bursts outstanding at most
  parameter int unsigned AxiId     = npu_config_pkg::AxiIdStore,  ///< ARID
  /// Rows the FIFO holds; derived, do not override.
  parameter int unsigned Depth = ResBurst * ResBursts,
  /// FIFO count width; derived, do not override.
  parameter int unsigned CntW = $clog2(Depth + 1)
) (
  input  logic             clk_i,          ///< clock
  input  logic             rst_ni,         ///< asynchronous reset, active low
  input  logic             clear_i,        ///< soft reset
  input  logic             stop_i,         ///< issue nothing more, drop arriving beats
  input  logic             flush_i,        ///< empty the FIFO
  input  logic             start_i,        ///< take a walk (only when busy_o is low)
  input  logic [31:0]      addr_i,         ///< walk: first row address
  input  logic [31:0]      stride_i,       ///< walk: bytes between rows
  input  logic [15:0]      ny_i,           ///< walk: rows
  input  logic [15:0]      nx_i,           ///< walk: beats per row
  input  logic [31:0]      pc_i,           ///< walk: the instruction's pc
  output logic             busy_o,         ///< a walk is not fully requested
  input  logic [31:0]      win_base_i,     ///< permitted window base
  input  logic [31:0]      win_size_i,     ///< permitted window size
  output logic             m_ar_valid_o,   ///< AXI AR valid
  input  logic             m_ar_ready_i,   ///< AXI AR ready
  output logic [31:0]      m_ar_addr_o,    ///< AXI AR address
  output logic [7:0]       m_ar_len_o,     ///< AXI AR beats - 1
  output logic [2:0]       m_ar_size_o,    ///< AXI AR size, log2(Dim)
  output logic [1:0]       m_ar_burst_o,   ///< AXI AR burst (INCR)
  output logic [1:0]       m_ar_id_o,      ///< AXI AR id
  input  logic             m_r_valid_i,    ///< AXI R valid (this id)
  output logic             m_r_ready_o,    ///< AXI R ready (always)
  input  logic [Dim*8-1:0] m_r_data_i,     ///< AXI R data
  input  logic [1:0]       m_r_resp_i,     ///< AXI R response
  input  logic             m_r_last_i,     ///< AXI R last beat of a burst
  output logic [CntW-1:0]  count_o,        ///< rows in the FIFO
  output logic [Dim*8-1:0] head_o,         ///< the oldest row
  input  logic             pop_i,          ///< take it
  output logic             err_req_o,      ///< the next burst is outside the window, or an R error
  output logic             err_resp_o,     ///< ... and it is an R error (axi_resp, else addr_range)
  output logic [31:0]      err_addr_o,     ///< the burst's or the beat's address
  output logic [31:0]      err_pc_o,       ///< the instruction
  output logic             drained_o,      ///< no AR shown, no beat outstanding
  output logic             stall_r_o       ///< counter event: AR shown not accepted
);

  localparam int unsigned DimLog = $clog2(Dim);
  localparam int unsigned AW     = 52;  // byte addresses before range checks
  localparam int unsigned BCntW  = $clog2(ResBursts + 1);

  logic          busy_d, busy_q;
  logic [31:0]   stride_q, pc_q;
  logic [15:0]   ny_q, nx_q, y_d, y_q, x_d, x_q;
  logic [AW-1:0] raddr_d, raddr_q;
  logic          ar_valid_d, ar_valid_q;
  logic [31:0]   ar_addr_d, ar_addr_q;
  logic [7:0]    ar_len_d, ar_len_q;
  logic [CntW-1:0]  beats_d, beats_q;     // beats requested, not yet arrived
  logic [BCntW-1:0] bursts_d, bursts_q;   // bursts requested, last beat not arrived

  // The next burst of the walk.
  logic [16:0]   rem_x, blen;
  logic [AW-1:0] baddr, bend;
  logic          win_ok, fire, room, r_beat, r_err, r_push;
  logic [31:0]   cur_addr;     // address of the R beat arriving now, for error reports

  assign rem_x = 17'(nx_q) - 17'(x_q);
  assign baddr = raddr_q + (AW'(x_q) << DimLog);
  assign bend  = baddr + (AW'(blen) << DimLog);

  npu_burst_split #(
    .Dim     (Dim),
    .AddrW   (AW),
    .CntW    (17),
    .MaxBeats(ResBurst)
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

  // Room for the burst's beats besides every beat in flight and queued.
  assign room = (32'(beats_q) + 32'(count_o) + 32'(blen) <= Depth) &&
                (32'(bursts_q) < ResBursts) && (!ar_valid_q || m_ar_ready_i);

  always_comb begin
    fire     = 1'b0;
    err_req_o  = 1'b0;
    err_resp_o = 1'b0;
    err_addr_o = baddr[31:0];
    if (r_err) begin
      // An older request than the next burst: it reports first.
      err_req_o  = 1'b1;
      err_resp_o = 1'b1;
      err_addr_o = cur_addr;
    end else if (busy_q && !stop_i) begin
      if (!win_ok) begin
        err_req_o = 1'b1;
      end else if (room) begin
        fire = 1'b1;
      end
    end
  end
  assign err_pc_o = pc_q;

  always_comb begin
    busy_d     = busy_q;
    y_d        = y_q;
    x_d        = x_q;
    raddr_d    = raddr_q;
    ar_valid_d = ar_valid_q && !m_ar_ready_i;
    ar_addr_d  = ar_addr_q;
    ar_len_d   = ar_len_q;
    if (start_i) begin
      busy_d  = 1'b1;
      y_d     = '0;
      x_d     = '0;
      raddr_d = AW'(addr_i);
    end
    if (fire) begin
      ar_valid_d = 1'b1;
      ar_addr_d  = baddr[31:0];
      ar_len_d   = 8'(blen - 17'd1);
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
      ar_valid_d = 1'b0;
    end
  end

  // R beats: always accepted; pushed unless stopping or answered with an error.
  assign m_r_ready_o = 1'b1;
  assign r_beat      = m_r_valid_i;
  assign r_err       = r_beat && (m_r_resp_i != 2'b00) && !stop_i;
  assign r_push      = r_beat && !r_err && !stop_i;

  always_comb begin
    beats_d  = beats_q + (fire ? CntW'(blen) : '0) - CntW'(r_beat);
    bursts_d = bursts_q + BCntW'(fire) - BCntW'(r_beat && m_r_last_i);
    if (clear_i) begin
      beats_d  = '0;
      bursts_d = '0;
    end
  end

  assign m_ar_valid_o = ar_valid_q;
  assign m_ar_addr_o  = ar_addr_q;
  assign m_ar_len_o   = ar_len_q;
  assign m_ar_size_o  = 3'(DimLog);
  assign m_ar_burst_o = 2'b01;
  assign m_ar_id_o    = 2'(AxiId);
  assign busy_o       = busy_q;
  assign drained_o    = !ar_valid_q && (bursts_q == '0);
  assign stall_r_o    = ar_valid_q && !m_ar_ready_i;

  // The beat addresses of the bursts in flight, in order (R data of one ID
  // arrive in order).
  logic [31:0] addr_head;
  logic        addr_valid, addr_pop;
  logic [BCntW-1:0] unused_addr_count;
  logic        unused_addr_wready;  // at most ResBursts bursts are in flight

  npu_fifo #(
    .Width (32),
    .Depth (ResBursts),
    .Credit(1'b1)
  ) u_addr_fifo (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .clear_i  (clear_i),
    .wvalid_i (fire),
    .wready_o (unused_addr_wready),
    .wdata_i  (baddr[31:0]),
    .rvalid_o (addr_valid),
    .rready_i (addr_pop),
    .rdata_o  (addr_head),
    .count_o  (unused_addr_count)
  );

  // The first beat of a burst takes the burst's address from the FIFO; the
  // next ones count on from it.
  logic [31:0] beat_addr_d, beat_addr_q;
  logic        in_burst_d, in_burst_q;
  assign cur_addr = in_burst_q ? beat_addr_q : addr_head;
  assign addr_pop = r_beat && !in_burst_q;
  always_comb begin
    beat_addr_d = beat_addr_q;
    in_burst_d  = in_burst_q;
    if (r_beat) begin
      beat_addr_d = cur_addr + 32'(Dim);
      in_burst_d  = !m_r_last_i;
    end
    if (clear_i) begin
      in_burst_d = 1'b0;
    end
  end

  // The FIFO of residual rows.
  logic unused_wready, unused_rvalid;  // room is reserved before each burst; count_o tells
  npu_fifo #(
    .Width (Dim * 8),
    .Depth (Depth),
    .Credit(1'b1)
  ) u_rows (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .clear_i  (flush_i),
    .wvalid_i (r_push),
    .wready_o (unused_wready),
    .wdata_i  (m_r_data_i),
    .rvalid_o (unused_rvalid),
    .rready_i (pop_i),
    .rdata_o  (head_o),
    .count_o  (count_o)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q      <= 1'b0;
      y_q         <= '0;
      x_q         <= '0;
      raddr_q     <= '0;
      ar_valid_q  <= 1'b0;
      ar_addr_q   <= '0;
      ar_len_q    <= '0;
      beats_q     <= '0;
      bursts_q    <= '0;
      beat_addr_q <= '0;
      in_burst_q  <= 1'b0;
    end else begin
      busy_q      <= busy_d;
      y_q         <= y_d;
      x_q         <= x_d;
      raddr_q     <= raddr_d;
      ar_valid_q  <= ar_valid_d;
      ar_addr_q   <= ar_addr_d;
      ar_len_q    <= ar_len_d;
      beats_q     <= beats_d;
      bursts_q    <= bursts_d;
      beat_addr_q <= beat_addr_d;
      in_burst_q  <= in_burst_d;
    end
  end

  // The walk's fields: loaded with start_i, only meaningful while busy.
  always_ff @(posedge clk_i) begin
    if (start_i) begin
      stride_q <= stride_i;
      ny_q     <= ny_i;
      nx_q     <= nx_i;
      pc_q     <= pc_i;
    end
  end

  `NPU_ASSERT(RowsFit_A, 32'(beats_q) + 32'(count_o) <= Depth, clk_i, rst_ni)
  `NPU_ASSERT(StartWhenFree_A, start_i |-> !busy_q, clk_i, rst_ni)
  `NPU_ASSERT(BeatHasBurst_A, m_r_valid_i |-> (bursts_q != '0) && (in_burst_q || addr_valid),
              clk_i, rst_ni)

endmodule
