// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Formal wrapper of npu_fifo (tb/formal/npu_fifo.sby).
///
/// The environment is free: push and pop requests, data, flush and reset
/// may come in any cycle (the first cycle is in reset). Proven:
///   - the interface contract: count_o <= Depth, wready_o = not full,
///     rvalid_o = not empty, so no push is taken when full and no pop when
///     empty; the count moves by exactly push - pop;
///   - nothing valid in or right after reset; a flush empties the FIFO;
///   - order and data: one tracked entry, any push the solver picks
///     (f_track_i) with its data, leaves after exactly the entries that were
///     in front of it, with its data on rdata_o when it leaves.
///
/// Internal state, needed to make k-induction close, is read through the
/// probe_* wires: they have no driver in this file; the .sby script connects
/// them to the flattened DUT signals (Yosys `connect -set`) because Yosys'
/// read_verilog has no hierarchical references.
module npu_fifo_fv #(
  parameter int unsigned Width = 8,
  parameter int unsigned Depth = 4
) (
  input logic             clk_i,
  input logic             rst_ni,
  input logic             clear_i,
  input logic             wvalid_i,
  input logic [Width-1:0] wdata_i,
  input logic             rready_i,
  input logic             f_track_i  ///< free: track the entry pushed now
);

  localparam int unsigned CntW = $clog2(Depth + 1);
  localparam int unsigned PtrW = (Depth > 1) ? $clog2(Depth) : 1;

  logic             wready, rvalid;
  logic [Width-1:0] rdata;
  logic [CntW-1:0]  count;

  npu_fifo #(
    .Width(Width),
    .Depth(Depth)
  ) u_dut (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .clear_i  (clear_i),
    .wvalid_i (wvalid_i),
    .wready_o (wready),
    .wdata_i  (wdata_i),
    .rvalid_o (rvalid),
    .rready_i (rready_i),
    .rdata_o  (rdata),
    .count_o  (count)
  );

`ifdef FORMAL
  // Probes of DUT state (connected by the .sby script).
  (* keep *) logic [PtrW-1:0]        probe_rptr, probe_wptr;
  (* keep *) logic [Depth*Width-1:0] probe_mem;  ///< entry i at [i*Width +: Width]

  logic f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @(*) if (!f_past_valid) StartInReset_M: assume (!rst_ni);

  logic push, pop;
  assign push = wvalid_i && wready;
  assign pop  = rready_i && rvalid;

  // ---------------------------------------------------------------------------
  // Interface contract.
  // ---------------------------------------------------------------------------
  always @(*) begin
    CountBound_A: assert (count <= CntW'(Depth));
    WreadyNotFull_A: assert (wready == (count != CntW'(Depth)));  // full: no push taken
    RvalidNotEmpty_A: assert (rvalid == (count != '0));            // empty: no pop taken
    // In reset (asynchronous): empty, nothing valid.
    if (!rst_ni) EmptyInReset_A: assert (count == '0 && !rvalid);
  end

  always @(posedge clk_i) begin
    if (f_past_valid && rst_ni) begin
      if (!$past(rst_ni)) begin
        EmptyAfterReset_A: assert (count == '0 && !rvalid);  // first cycle out of reset
      end else if ($past(clear_i)) begin
        EmptyAfterFlush_A: assert (count == '0 && !rvalid);  // flushed
      end else begin
        CountStep_A: assert (count == $past(count) + CntW'($past(push)) - CntW'($past(pop)));
      end
    end
  end

  // ---------------------------------------------------------------------------
  // Order and data: one tracked entry.
  // ---------------------------------------------------------------------------
  logic             f_tracking;
  logic [Width-1:0] f_data;
  logic [CntW-1:0]  f_ahead;  ///< entries in front of the tracked one

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_tracking <= 1'b0;
      f_data     <= '0;
      f_ahead    <= '0;
    end else if (clear_i) begin
      f_tracking <= 1'b0;
    end else if (f_tracking) begin
      if (pop) begin
        if (f_ahead == '0) f_tracking <= 1'b0;  // leaves now (checked below)
        else f_ahead <= f_ahead - CntW'(1);
      end
    end else if (push && f_track_i) begin
      f_tracking <= 1'b1;
      f_data     <= wdata_i;
      f_ahead    <= count - CntW'(pop);
    end
  end

  // Where the tracked entry must be stored: (rptr + f_ahead) mod Depth. Small
  // widths and no division, so that the solver's job stays small.
  localparam int unsigned SumW = CntW + 1;
  logic [SumW-1:0]  f_sum, f_slot, f_wsum, f_wexp;
  logic [Width-1:0] f_slot_data;
  always @(*) begin
    f_sum  = SumW'(probe_rptr) + SumW'(f_ahead);
    f_slot = (f_sum >= SumW'(Depth)) ? f_sum - SumW'(Depth) : f_sum;
    f_wsum = SumW'(probe_rptr) + SumW'(count);
    f_wexp = (f_wsum >= SumW'(Depth)) ? f_wsum - SumW'(Depth) : f_wsum;
    f_slot_data = '0;
    for (int i = 0; i < Depth; i++) begin
      if (f_slot == SumW'(i)) f_slot_data = probe_mem[i*Width +: Width];
    end
  end

  always @(*) begin
    if (rst_ni && f_tracking) begin
      TrackedInside_A: assert (f_ahead < count);  // still inside
      if (f_ahead == '0) TrackedOut_A: assert (rdata == f_data);  // at the head: shown, right data
      TrackedStored_A: assert (f_slot_data == f_data);  // stored where the pointers say
    end
    // Pointer invariants (internal, for induction): both in range, and the
    // write pointer count entries after the read pointer.
    if (rst_ni) begin
      PtrRange_A: assert (SumW'(probe_rptr) < SumW'(Depth) && SumW'(probe_wptr) < SumW'(Depth));
      PtrDistance_A: assert (SumW'(probe_wptr) == f_wexp);
    end
  end

  // Reachability (sby task cover): the properties above are not vacuous.
  always @(posedge clk_i) begin
    if (f_past_valid && rst_ni) begin
      cover (!wready);                                      // full
      cover (!wready && rready_i && wvalid_i);              // push refused, pop taken
      cover (f_tracking && f_ahead == CntW'(Depth - 1));    // tracked entry at the tail of a full FIFO
      cover (f_tracking && pop && f_ahead == '0 && !clear_i);  // it leaves
      cover ($past(clear_i && rvalid && rst_ni));           // flush of a non-empty FIFO
    end
  end
`endif

endmodule
