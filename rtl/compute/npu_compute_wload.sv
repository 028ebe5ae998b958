// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_assert.svh"

/// Weight loader of the compute unit (stage 3) and the weight-bank rule.
///
/// Takes a chunk from the front, reads its Dim weight rows from B (one per
/// cycle) into the idle weight bank of the array (the array registers the
/// write a cycle later), then queues the chunk, with its bank, in a 2-entry
/// ready queue for the streamer. Banks alternate chunk by chunk (across
/// instructions; only clear_i resets the choice to bank 0). A bank is in use
/// from the first B read for it until the streamer issues the last row of
/// the chunk that uses it (release_i), then held for BankHold cycles; the
/// loader starts on a bank only when it is neither in use nor held. The
/// array allows row r of a bank to be rewritten Cols - 1 + r cycles after the
/// last row using the old contents was presented; with the one-cycle
/// register on both the A row and the weight write, Dim - 2 would be exact
/// and BankHold = Dim - 1 keeps one cycle of margin. A marker chunk skips
/// the B reads.
module npu_compute_wload #(
  parameter int unsigned Dim       = npu_config_pkg::DefaultDim,       ///< array size
  parameter int unsigned SpadBRows = npu_config_pkg::DefaultSpadBRows, ///< rows of scratchpad B
  /// B address width; derived, do not override.
  parameter int unsigned BAW = $clog2(SpadBRows),
  /// Weight row counter width; derived, do not override.
  parameter int unsigned RowW = (Dim > 1) ? $clog2(Dim) : 1
) (
  input  logic                    clk_i,          ///< clock
  input  logic                    rst_ni,         ///< asynchronous reset, active low
  input  logic                    clear_i,        ///< soft reset (the array is cleared too)
  input  logic                    flush_i,        ///< abort or clear: drop every chunk
  input  logic                    chunk_valid_i,  ///< the front offers a chunk
  input  npu_compute_pkg::chunk_t chunk_i,        ///< the chunk
  input  logic [npu_isa_pkg::DepW-1:0] chunk_rel_i,  ///< its signals after the last A read
  input  logic [npu_isa_pkg::DepW-1:0] chunk_out_i,  ///< its signals with the last row written
  output logic                    chunk_take_o,   ///< take it
  output logic                    b_re_o,         ///< B read enable
  output logic [BAW-1:0]          b_raddr_o,      ///< B read row
  output logic                    w_we_o,         ///< array weight write (B data arrive now)
  output logic [RowW-1:0]         w_row_o,        ///< array row written
  output logic                    w_bank_o,       ///< bank written
  output logic                    ready_valid_o,  ///< a chunk's weights are loaded
  output npu_compute_pkg::chunk_t ready_o,        ///< that chunk
  output logic [npu_isa_pkg::DepW-1:0] ready_rel_o,  ///< its signals after the last A read
  output logic [npu_isa_pkg::DepW-1:0] ready_out_o,  ///< its signals with the last row written
  output logic                    ready_bank_o,   ///< its bank
  input  logic                    ready_pop_i,    ///< the streamer takes it
  input  logic                    release_i,      ///< the last row of a chunk was issued
  input  logic                    release_bank_i, ///< on this bank
  output logic                    busy_o,         ///< a chunk is held
  output logic                    loading_o       ///< weights of a held chunk are loading
);

  localparam int unsigned BankHold = Dim - 1;
  localparam int unsigned HoldW    = $clog2(BankHold + 1);
  localparam int unsigned DepW     = npu_isa_pkg::DepW;
  localparam int unsigned EntryW   = 1 + 2 * DepW + npu_compute_pkg::ChunkW;

  npu_compute_pkg::chunk_t ld_q;
  logic [DepW-1:0]         rel_q, out_q;
  logic            valid_d, valid_q, started_d, started_q, bank_d, bank_q;
  logic [RowW-1:0] row_d, row_q;
  logic            issue, push, last_row, fifo_wready;

  logic [1:0]         use_d, use_q, use_set, use_clr, hold_set, free;
  logic [2*HoldW-1:0] hold_d, hold_q;

  for (genvar b = 0; b < 2; b++) begin : gen_bank_free
    assign free[b] = !use_q[b] && (hold_q[b*HoldW +: HoldW] == '0);
  end

  assign last_row     = (row_q == RowW'(Dim - 1));
  assign chunk_take_o = chunk_valid_i && (!valid_q || push) && !flush_i;

  always_comb begin
    issue     = 1'b0;
    push      = 1'b0;
    row_d     = row_q;
    started_d = started_q;
    bank_d    = bank_q;
    use_set   = '0;
    b_re_o    = 1'b0;
    b_raddr_o = BAW'(ld_q.b_row) + BAW'(row_q);
    if (valid_q && !flush_i) begin
      if (ld_q.marker) begin
        push = fifo_wready;
      end else begin
        // Wait for the bank to be free before the first row; hold the last
        // row until the ready queue has room (B reads are side-effect free).
        issue = (started_q || free[bank_q]) && (!last_row || fifo_wready);
        if (issue) begin
          b_re_o           = 1'b1;
          started_d        = 1'b1;
          row_d            = row_q + RowW'(1);
          use_set[bank_q]  = 1'b1;
          if (last_row) begin
            push      = 1'b1;
            row_d     = '0;
            started_d = 1'b0;
            bank_d    = ~bank_q;
          end
        end
      end
    end
    if (flush_i) begin
      row_d     = '0;
      started_d = 1'b0;
    end
    if (clear_i) begin
      bank_d = 1'b0;
    end
  end

  always_comb begin
    valid_d = valid_q;
    if (push || flush_i) begin
      valid_d = 1'b0;
    end
    if (chunk_take_o) begin
      valid_d = 1'b1;
    end
  end

  // Bank bookkeeping: in use from the first weight read until the last row
  // of its chunk is issued, then held for BankHold cycles.
  always_comb begin
    use_clr  = '0;
    hold_set = '0;
    use_clr[release_bank_i]  = release_i;
    hold_set[release_bank_i] = release_i;
    use_d = (use_q | use_set) & ~use_clr;
    for (int b = 0; b < 2; b++) begin
      hold_d[b*HoldW +: HoldW] = hold_q[b*HoldW +: HoldW];
      if (hold_q[b*HoldW +: HoldW] != '0) begin
        hold_d[b*HoldW +: HoldW] = hold_q[b*HoldW +: HoldW] - HoldW'(1);
      end
      if (hold_set[b]) begin
        hold_d[b*HoldW +: HoldW] = HoldW'(BankHold);
      end
    end
    if (flush_i) begin
      // Rows of a flushed chunk may still be in the array: protect both banks.
      use_d  = '0;
      hold_d = {2{HoldW'(BankHold)}};
    end
    if (clear_i) begin
      // The array is cleared too: nothing left to protect.
      hold_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q   <= 1'b0;
      row_q     <= '0;
      started_q <= 1'b0;
      bank_q    <= 1'b0;
      use_q     <= '0;
      hold_q    <= '0;
      w_we_o    <= 1'b0;
    end else begin
      valid_q   <= valid_d;
      row_q     <= row_d;
      started_q <= started_d;
      bank_q    <= bank_d;
      use_q     <= use_d;
      hold_q    <= hold_d;
      w_we_o    <= issue;
    end
  end

  // The chunk held and the weight-write address: qualified by valid_q and
  // w_we_o, no reset.
  always_ff @(posedge clk_i) begin
    if (chunk_take_o) begin
      ld_q  <= chunk_i;
      rel_q <= chunk_rel_i;
      out_q <= chunk_out_i;
    end
    w_row_o  <= row_q;
    w_bank_o <= bank_q;
  end

  logic [EntryW-1:0] fifo_rdata;

  npu_fifo #(
    .Width(EntryW),
    .Depth(2)
  ) u_ready_q (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clear_i (flush_i),
    .wvalid_i(push),
    .wready_o(fifo_wready),
    .wdata_i ({bank_q, rel_q, out_q, ld_q}),
    .rvalid_o(ready_valid_o),
    .rready_i(ready_pop_i),
    .rdata_o (fifo_rdata),
    /* verilator lint_off PINCONNECTEMPTY */
    // The occupancy is not needed: rvalid/wready say all there is to know.
    .count_o ()
    /* verilator lint_on PINCONNECTEMPTY */
  );

  assign {ready_bank_o, ready_rel_o, ready_out_o, ready_o} = fifo_rdata;
  assign busy_o    = valid_q;
  assign loading_o = valid_q && !ld_q.marker;

  // A bank is released only after it was used.
  `NPU_ASSERT(ReleaseUsed_A, release_i |-> use_q[release_bank_i], clk_i, rst_ni)
  // Cover points (make cov): the weight-bank hazard (a chunk's first row
  // waits for its bank, in use or held), the ready queue full at a chunk's
  // last row, and a flush with a chunk in progress.
  `NPU_COVER(BankBusy_C, valid_q && !ld_q.marker && !started_q && !free[bank_q] && !flush_i,
             clk_i, rst_ni)
  `NPU_COVER(BankHeld_C, valid_q && !ld_q.marker && !started_q && !use_q[bank_q] && !free[bank_q] &&
             !flush_i, clk_i, rst_ni)
  `NPU_COVER(ReadyQueueFull_C, valid_q && !ld_q.marker && last_row && !fifo_wready, clk_i, rst_ni)
  `NPU_COVER(FlushMidChunk_C, flush_i && valid_q && started_q, clk_i, rst_ni)

endmodule
