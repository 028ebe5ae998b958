// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Compute unit: executes `compute` instructions (docs/gen/isa.md).
///
/// Five stages, each running ahead of the next: accept and generate
/// (npu_compute_front: one chunk descriptor per K chunk, checks, markers for
/// no-ops with signals), weight loader (npu_compute_wload: the chunk's Dim B
/// rows into the idle weight bank, bank rule), streamer, array and
/// accumulator read-modify-write (npu_compute_stream). While one chunk
/// streams, the next one's weights load into the other bank, so chunks
/// stream back to back when m >= 2 * Dim + 1.
///
/// abort_i flushes every instruction and chunk not yet streamed, starts no
/// new row, B read or instruction while high, and lets the rows already in
/// the array drain (they are still written); idle_o then rises. An illegal
/// instruction is reported (illegal_instr) and dropped; compute reports no
/// other error and err_addr_o is always 0.
module npu_compute #(
  parameter int unsigned Dim       = npu_config_pkg::DefaultDim,        ///< array size (Dim x Dim)
  parameter int unsigned SpadARows = npu_config_pkg::DefaultSpadARows,  ///< rows of scratchpad A
  parameter int unsigned SpadBRows = npu_config_pkg::DefaultSpadBRows,  ///< rows of scratchpad B
  parameter int unsigned AccRows   = npu_config_pkg::DefaultAccRows,    ///< accumulator rows
  /// A address width; derived, do not override.
  parameter int unsigned AAW = $clog2(SpadARows),
  /// B address width; derived, do not override.
  parameter int unsigned BAW = $clog2(SpadBRows),
  /// Accumulator address width; derived, do not override.
  parameter int unsigned CAW = $clog2(AccRows)
) (
  input  logic                          clk_i,           ///< clock
  input  logic                          rst_ni,          ///< asynchronous reset, active low
  input  logic                          clear_i,         ///< synchronous clear of all state (soft reset)
  input  logic                          abort_i,         ///< start nothing new, drain, then idle
  input  logic                          instr_valid_i,   ///< an instruction is at the queue head
  output logic                          instr_ready_o,   ///< the instruction is taken this cycle
  input  logic [255:0]                  instr_i,         ///< instruction at the head of the queue
  input  logic [31:0]                   pc_i,            ///< its index in the stream
  /// Per wait bit: a token is available in the queue it names (npu_isa_pkg::UnitInQueue).
  input  logic [npu_isa_pkg::DepW-1:0]  tok_avail_i,
  output logic [npu_isa_pkg::DepW-1:0]  tok_take_o,      ///< per wait bit: take one token
  output logic [npu_isa_pkg::DepW-1:0]  tok_give_o,      ///< per signal bit: give one token
  output logic                          a_re_o,          ///< A read enable
  output logic [AAW-1:0]                a_raddr_o,       ///< A read row
  input  logic [Dim*8-1:0]              a_rdata_i,       ///< A row, the cycle after a_re_o
  output logic                          b_re_o,          ///< B read enable
  output logic [BAW-1:0]                b_raddr_o,       ///< B read row
  input  logic [Dim*8-1:0]              b_rdata_i,       ///< B row, the cycle after b_re_o
  output logic                          acc_re_o,        ///< accumulator read enable
  output logic [CAW-1:0]                acc_raddr_o,     ///< accumulator read row
  input  logic [Dim*32-1:0]             acc_rdata_i,     ///< accumulator row, the cycle after acc_re_o
  output logic                          acc_we_o,        ///< accumulator write enable
  output logic [CAW-1:0]                acc_waddr_o,     ///< accumulator write row
  output logic [Dim*32-1:0]             acc_wdata_o,     ///< accumulator write data
  output logic                          idle_o,          ///< nothing in progress, pipeline empty
  output logic                          err_o,           ///< one-cycle error report
  output npu_reg_pkg::err_cause_t       err_cause_o,     ///< ERR_CAUSE bits (illegal_instr)
  output logic [31:0]                   err_addr_o,      ///< faulting address (always 0 here)
  output logic [31:0]                   err_pc_o,        ///< pc of the illegal instruction
  output logic                          busy_o,          ///< counter event: the unit holds work
  output logic                          stall_dep_o,     ///< counter event: waiting for a token
  output logic                          stall_hazard_o,  ///< counter event: hazard or weights
  output logic                          row_o            ///< a row entered the array (Dim * Dim MACs)
);

  localparam int unsigned RowW = (Dim > 1) ? $clog2(Dim) : 1;

  logic flush;
  assign flush = abort_i || clear_i;

  npu_compute_pkg::chunk_t chunk, ready;
  logic [npu_isa_pkg::DepW-1:0] chunk_rel, chunk_out, ready_rel, ready_out;
  logic                    chunk_valid, chunk_take, front_busy;
  logic                    ready_valid, ready_bank, ready_pop, release_row, release_bank;
  logic                    w_we, w_bank, wload_busy, loading, stream_busy, streaming, hazard;
  logic [RowW-1:0]         w_row;

  npu_compute_front #(
    .Dim      (Dim),
    .SpadARows(SpadARows),
    .SpadBRows(SpadBRows),
    .AccRows  (AccRows)
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
    .chunk_valid_o (chunk_valid),
    .chunk_o       (chunk),
    .chunk_rel_o   (chunk_rel),
    .chunk_out_o   (chunk_out),
    .chunk_take_i  (chunk_take),
    .busy_o        (front_busy),
    .err_o         (err_o),
    .err_cause_o   (err_cause_o),
    .err_pc_o      (err_pc_o),
    .stall_dep_o   (stall_dep_o)
  );

  npu_compute_wload #(
    .Dim      (Dim),
    .SpadBRows(SpadBRows)
  ) u_wload (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .clear_i        (clear_i),
    .flush_i        (flush),
    .chunk_valid_i  (chunk_valid),
    .chunk_i        (chunk),
    .chunk_rel_i    (chunk_rel),
    .chunk_out_i    (chunk_out),
    .chunk_take_o   (chunk_take),
    .b_re_o         (b_re_o),
    .b_raddr_o      (b_raddr_o),
    .w_we_o         (w_we),
    .w_row_o        (w_row),
    .w_bank_o       (w_bank),
    .ready_valid_o  (ready_valid),
    .ready_o        (ready),
    .ready_rel_o    (ready_rel),
    .ready_out_o    (ready_out),
    .ready_bank_o   (ready_bank),
    .ready_pop_i    (ready_pop),
    .release_i      (release_row),
    .release_bank_i (release_bank),
    .busy_o         (wload_busy),
    .loading_o      (loading)
  );

  npu_compute_stream #(
    .Dim      (Dim),
    .SpadARows(SpadARows),
    .AccRows  (AccRows)
  ) u_stream (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .clear_i        (clear_i),
    .flush_i        (flush),
    .ready_valid_i  (ready_valid),
    .ready_i        (ready),
    .ready_rel_i    (ready_rel),
    .ready_out_i    (ready_out),
    .ready_bank_i   (ready_bank),
    .ready_pop_o    (ready_pop),
    .release_o      (release_row),
    .release_bank_o (release_bank),
    .w_we_i         (w_we),
    .w_row_i        (w_row),
    .w_bank_i       (w_bank),
    .b_rdata_i      (b_rdata_i),
    .a_re_o         (a_re_o),
    .a_raddr_o      (a_raddr_o),
    .a_rdata_i      (a_rdata_i),
    .acc_re_o       (acc_re_o),
    .acc_raddr_o    (acc_raddr_o),
    .acc_rdata_i    (acc_rdata_i),
    .acc_we_o       (acc_we_o),
    .acc_waddr_o    (acc_waddr_o),
    .acc_wdata_o    (acc_wdata_o),
    .tok_give_o     (tok_give_o),
    .busy_o         (stream_busy),
    .streaming_o    (streaming),
    .hazard_o       (hazard),
    .row_o          (row_o)
  );

  assign err_addr_o = '0;
  assign idle_o     = !front_busy && !wload_busy && !ready_valid && !stream_busy;
  assign busy_o     = !idle_o;
  // Waiting on the hazard, or nothing to stream while the loader fills a bank.
  assign stall_hazard_o = hazard || (!streaming && !ready_valid && loading);

  // Parameter checks at elaboration.
  if (Dim < 2) begin : gen_param_check
    $error("npu_compute: Dim must be at least 2");
  end

endmodule
