// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_assert.svh"

/// Window unit: executes `window` instructions (docs/gen/isa.md):
/// depthwise convolution, max and average pooling, and whole-plane sums for
/// global pooling.
///
/// Four stages, each running ahead of the next:
///
/// - front (npu_window_front): accept, check, and the scratchpad reads, one
///   A row per cycle, through the pixel FIFO;
/// - slide (npu_window_slide): line buffers and the window register; issues
///   each complete window in 3 x 3 blocks (one cycle for a 3 x 3 window);
/// - ALU (npu_window_alu): int32 per lane per window;
/// - writer: the output FIFO into the accumulator memory, one row per cycle
///   when granted (compute's writes to the same bank win).
///
/// The unit shares the A and B read ports with the compute unit, which has
/// priority (a_gnt_i, b_gnt_i), and reads each tile row once, so a stride-1
/// 3 x 3 window produces about one output row per cycle. abort_i drops
/// everything at once (the unit has no bus transaction to finish); an
/// illegal instruction is reported (illegal_instr) and dropped, the only
/// error the unit reports, and err_addr_o is always 0.
module npu_window #(
  parameter int unsigned Dim        = npu_config_pkg::DefaultDim,         ///< lanes
  parameter int unsigned SpadARows  = npu_config_pkg::DefaultSpadARows,   ///< rows of scratchpad A
  parameter int unsigned SpadBRows  = npu_config_pkg::DefaultSpadBRows,   ///< rows of scratchpad B
  parameter int unsigned AccRows    = npu_config_pkg::DefaultAccRows,     ///< accumulator rows
  parameter int unsigned WindowCols = npu_config_pkg::DefaultWindowCols,  ///< line buffer columns
  parameter int unsigned WindowK    = npu_config_pkg::DefaultWindowK,     ///< largest kernel and stride
  parameter int unsigned AluLanes   = Dim,                                ///< ALU lanes (divides Dim)
  /// A address width; derived, do not override.
  parameter int unsigned AAW = $clog2(SpadARows),
  /// B address width; derived, do not override.
  parameter int unsigned BAW = $clog2(SpadBRows),
  /// Accumulator address width; derived, do not override.
  parameter int unsigned CAW = $clog2(AccRows)
) (
  input  logic                          clk_i,          ///< clock
  input  logic                          rst_ni,         ///< asynchronous reset, active low
  input  logic                          clear_i,        ///< synchronous clear of all state (soft reset)
  input  logic                          abort_i,        ///< drop everything, then idle
  input  logic                          instr_valid_i,  ///< an instruction is at the queue head
  output logic                          instr_ready_o,  ///< the instruction is taken this cycle
  input  logic [255:0]                  instr_i,        ///< instruction at the head of the queue
  input  logic [31:0]                   pc_i,           ///< its index in the stream
  /// Per wait bit: a token is available in the queue it names (npu_isa_pkg::UnitInQueue).
  input  logic [npu_isa_pkg::DepW-1:0]  tok_avail_i,
  output logic [npu_isa_pkg::DepW-1:0]  tok_take_o,     ///< per wait bit: take one token
  output logic [npu_isa_pkg::DepW-1:0]  tok_give_o,     ///< per signal bit: give one token
  output logic                          a_req_o,        ///< A read request
  output logic [AAW-1:0]                a_raddr_o,      ///< A read row
  input  logic                          a_gnt_i,        ///< the A read happens this cycle
  input  logic [Dim*8-1:0]              a_rdata_i,      ///< A row, the cycle after a grant
  output logic                          b_req_o,        ///< B read request
  output logic [BAW-1:0]                b_raddr_o,      ///< B read row
  input  logic                          b_gnt_i,        ///< the B read happens this cycle
  input  logic [Dim*8-1:0]              b_rdata_i,      ///< B row, the cycle after a grant
  output logic                          acc_we_o,       ///< accumulator write request
  output logic [CAW-1:0]                acc_waddr_o,    ///< accumulator write row
  output logic [Dim*32-1:0]             acc_wdata_o,    ///< accumulator write data
  input  logic                          acc_gnt_i,      ///< the write happens this cycle
  output logic                          idle_o,         ///< nothing in progress, pipeline empty
  output logic                          err_o,          ///< one-cycle error report
  output npu_reg_pkg::err_cause_t       err_cause_o,    ///< ERR_CAUSE bits (illegal_instr)
  output logic [31:0]                   err_addr_o,     ///< faulting address (always 0 here)
  output logic [31:0]                   err_pc_o,       ///< pc of the illegal instruction
  output logic                          busy_o,         ///< counter event: the unit holds work
  output logic                          stall_dep_o,    ///< counter event: waiting for a token
  output logic                          stall_port_o,   ///< counter event: waiting for a port
  output logic                          mac_o,          ///< a dw window is issued
  output logic [5:0]                    mac_taps_o      ///< its taps (kh * kw; Dim MACs each)
);

  localparam int unsigned DepW     = npu_isa_pkg::DepW;
  localparam int unsigned RowW     = Dim * 8;
  localparam int unsigned Slots    = 9;
  localparam int unsigned PxDepth  = 4;
  localparam int unsigned PxW      = npu_window_pkg::TagW + DepW + RowW;
  localparam int unsigned OutDepth = 8;  // covers the ALU's latency at one window per cycle
  localparam int unsigned OutW     = 1 + DepW + 16 + Dim * 32;
  localparam int unsigned PxCntW   = $clog2(PxDepth + 1);
  localparam int unsigned OutCntW  = $clog2(OutDepth + 1);

  logic flush;
  assign flush = abort_i || clear_i;

  // ---------------------------------------------------------------------------
  // Front and the pixel FIFO.
  // ---------------------------------------------------------------------------
  logic                 px_push, px_valid, px_pop, front_busy, slide_idle, front_stall_port;
  logic [PxCntW-1:0]    px_count;
  npu_window_pkg::tag_t push_tag, head_tag;
  logic [DepW-1:0]      push_sig, head_sig, tok_rel;
  logic [RowW-1:0]      push_data, head_data;
  logic                 w_we;
  logic [2:0]           w_ky, w_kx;
  logic [RowW-1:0]      w_data;

  npu_window_front #(
    .Dim       (Dim),
    .SpadARows (SpadARows),
    .SpadBRows (SpadBRows),
    .AccRows   (AccRows),
    .WindowCols(WindowCols),
    .WindowK   (WindowK),
    .PxDepth   (PxDepth)
  ) u_front (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .clear_i       (clear_i),
    .flush_i       (flush),
    .instr_valid_i (instr_valid_i),
    .instr_ready_o (instr_ready_o),
    .instr_i       (instr_i),
    .pc_i          (pc_i),
    .tok_avail_i   (tok_avail_i),
    .tok_take_o    (tok_take_o),
    .tok_rel_o     (tok_rel),
    .a_req_o       (a_req_o),
    .a_addr_o      (a_raddr_o),
    .a_gnt_i       (a_gnt_i),
    .a_rdata_i     (a_rdata_i),
    .b_req_o       (b_req_o),
    .b_addr_o      (b_raddr_o),
    .b_gnt_i       (b_gnt_i),
    .b_rdata_i     (b_rdata_i),
    .px_count_i    (px_count),
    .px_valid_o    (px_push),
    .px_tag_o      (push_tag),
    .px_sig_o      (push_sig),
    .px_data_o     (push_data),
    .w_we_o        (w_we),
    .w_ky_o        (w_ky),
    .w_kx_o        (w_kx),
    .w_data_o      (w_data),
    .slide_idle_i  (slide_idle),
    .busy_o        (front_busy),
    .err_o         (err_o),
    .err_cause_o   (err_cause_o),
    .err_pc_o      (err_pc_o),
    .stall_dep_o   (stall_dep_o),
    .stall_port_o  (front_stall_port)
  );

  logic unused_px_wready;  // a credit FIFO: it asserts the room itself

  npu_fifo #(
    .Width(PxW),
    .Depth(PxDepth),
    .Credit(1'b1)
  ) u_px_fifo (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clear_i (flush),
    .wvalid_i(px_push),
    .wready_o(unused_px_wready),
    .wdata_i ({push_tag, push_sig, push_data}),
    .rvalid_o(px_valid),
    .rready_i(px_pop),
    .rdata_o ({head_tag, head_sig, head_data}),
    .count_o (px_count)
  );

  // ---------------------------------------------------------------------------
  // Slide and ALU.
  // ---------------------------------------------------------------------------
  logic                   alu_valid, alu_first, alu_last, alu_empty, alu_room, alu_ready;
  logic [1:0]             alu_mode;
  logic [5:0]             alu_cnt;
  logic [15:0]            alu_row, res_row, o_row;
  logic [Slots-1:0]       alu_mask;
  logic [Slots*RowW-1:0]  alu_px, alu_wt;
  logic                   res_valid, o_valid, o_marker, out_ready;
  logic [2:0]             alu_windows;
  logic [DepW-1:0]        o_sig;
  logic [Dim*32-1:0]      res_data, o_data;
  logic [OutCntW-1:0]     out_count;

  assign alu_room = 32'(out_count) + 32'(alu_windows) < OutDepth;

  npu_window_slide #(
    .Dim       (Dim),
    .WindowCols(WindowCols),
    .Kmax      (WindowK)
  ) u_slide (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .clear_i     (clear_i),
    .flush_i     (flush),
    .px_valid_i  (px_valid),
    .px_tag_i    (head_tag),
    .px_sig_i    (head_sig),
    .px_data_i   (head_data),
    .px_pop_o    (px_pop),
    .w_we_i      (w_we),
    .w_ky_i      (w_ky),
    .w_kx_i      (w_kx),
    .w_data_i    (w_data),
    .alu_empty_i (alu_empty),
    .alu_room_i  (alu_room),
    .alu_ready_i (alu_ready),
    .alu_valid_o (alu_valid),
    .alu_first_o (alu_first),
    .alu_last_o  (alu_last),
    .alu_mode_o  (alu_mode),
    .alu_cnt_o   (alu_cnt),
    .alu_row_o   (alu_row),
    .alu_mask_o  (alu_mask),
    .alu_px_o    (alu_px),
    .alu_wt_o    (alu_wt),
    .o_valid_o   (o_valid),
    .o_ready_i   (out_ready),
    .o_marker_o  (o_marker),
    .o_sig_o     (o_sig),
    .o_row_o     (o_row),
    .o_data_o    (o_data),
    .mac_o       (mac_o),
    .mac_taps_o  (mac_taps_o),
    .idle_o      (slide_idle)
  );

  npu_window_alu #(
    .Dim  (Dim),
    .Lanes(AluLanes)
  ) u_alu (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .flush_i     (flush),
    .in_ready_o  (alu_ready),
    .in_valid_i  (alu_valid),
    .in_first_i  (alu_first),
    .in_last_i   (alu_last),
    .in_mode_i   (alu_mode),
    .in_cnt_i    (alu_cnt),
    .in_row_i    (alu_row),
    .in_mask_i   (alu_mask),
    .in_px_i     (alu_px),
    .in_wt_i     (alu_wt),
    .out_valid_o (res_valid),
    .out_row_o   (res_row),
    .out_data_o  (res_data),
    .empty_o     (alu_empty),
    .windows_o   (alu_windows)
  );

  // ---------------------------------------------------------------------------
  // Output FIFO and the accumulator writer. The slide pushes (sums, markers)
  // only while the ALU is empty, so the two pushes never meet.
  // ---------------------------------------------------------------------------
  logic              out_valid, out_pop, out_marker;
  logic [DepW-1:0]   out_sig;
  logic [15:0]       out_row;
  logic [Dim*32-1:0] out_data;

  npu_fifo #(
    .Width(OutW),
    .Depth(OutDepth),
    .Credit(1'b1)
  ) u_out_fifo (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clear_i (flush),
    .wvalid_i(res_valid || o_valid),
    .wready_o(out_ready),
    .wdata_i (res_valid ? {1'b0, DepW'(0), res_row, res_data}
                        : {o_marker, o_sig, o_row, o_data}),
    .rvalid_o(out_valid),
    .rready_i(out_pop),
    .rdata_o ({out_marker, out_sig, out_row, out_data}),
    .count_o (out_count)
  );

  assign acc_we_o    = out_valid && !out_marker && !flush;
  assign acc_waddr_o = CAW'(out_row);
  assign acc_wdata_o = out_data;
  assign out_pop     = out_valid && (out_marker || acc_gnt_i) && !flush;
  assign tok_give_o  = tok_rel | ((out_valid && out_marker && !flush) ? out_sig : '0);

  assign idle_o       = !front_busy && !px_valid && slide_idle && alu_empty && !out_valid;
  assign busy_o       = !idle_o;
  assign stall_port_o = front_stall_port || (acc_we_o && !acc_gnt_i);
  assign err_addr_o   = '0;

  // Rows in range fit CAW bits (the front checks the last row).
  logic unused_row;
  assign unused_row = ^out_row[15:CAW];

  // ---------------------------------------------------------------------------
  // Assertions (simulation only).
  // ---------------------------------------------------------------------------
  // (u_px_fifo and u_out_fifo are credit FIFOs and assert their room.)
  `NPU_ASSERT_NEVER(OutCollide_A, res_valid && o_valid, clk_i, rst_ni)
  `NPU_ASSERT_NEVER(GntWithoutReq_A, (a_gnt_i && !a_req_o) || (b_gnt_i && !b_req_o),
                    clk_i, rst_ni)

endmodule
