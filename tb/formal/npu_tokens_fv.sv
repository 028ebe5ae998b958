// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Formal wrapper of npu_tokens (tb/formal/npu_tokens.sby).
///
/// Environment (assumed), the contract npu_tokens documents and asserts in
/// simulation: no take or give bit towards no queue (UnitIn/OutValid); no
/// take from an empty counter without a give in the same cycle
/// (Underflow_A); no give into a full counter (all ones) without a take in
/// the same cycle (Overflow_A). Everything else is free, reset and clear_i
/// included; the first cycle is in reset.
///
/// Proven, per queue q, against a reference count kept here one bit wider
/// (so that a wrap of the RTL counter would show):
///   - the RTL counter equals the reference: it never overflows or
///     underflows, within 0 .. 2^Width - 1;
///   - one step: give and take in one cycle keep the count, give alone adds
///     one, take alone removes one, neither keeps it, clear_i empties;
///   - nothing available in or right after reset, or after a clear;
///   - avail_o[b] (the grant a unit waits for) is high exactly when wait bit
///     b exists and the queue it names holds a token (count > 0);
///   - the token graph routes: the reference decodes take_i / give_i by
///     scanning every unit's bits for queue q (UnitIn/OutQueue), not through
///     QueueTo / QueueFrom as the RTL does, so a mismatch of the tables of
///     spec/isa.toml would show.
///
/// The RTL counters are read through probe_cnt (no driver here; the .sby
/// script connects it to u_dut.gen_counter[q].cnt_q, Yosys `connect -set`).
module npu_tokens_fv #(
  parameter int unsigned Width = npu_config_pkg::TokenBits
) (
  input logic                                               clk_i,
  input logic                                               rst_ni,
  input logic                                               clear_i,
  input logic [npu_isa_pkg::NumUnits*npu_isa_pkg::DepW-1:0] take_i,
  input logic [npu_isa_pkg::NumUnits*npu_isa_pkg::DepW-1:0] give_i
);

  localparam int unsigned NumQueues = npu_isa_pkg::NumQueues;
  localparam int unsigned NumBits   = npu_isa_pkg::NumUnits * npu_isa_pkg::DepW;
  localparam logic [Width:0] Max    = {1'b0, {Width{1'b1}}};

  logic [NumBits-1:0] avail;

  npu_tokens #(
    .Width(Width)
  ) u_dut (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .clear_i (clear_i),
    .take_i  (take_i),
    .give_i  (give_i),
    .avail_o (avail)
  );

`ifdef FORMAL
  (* keep *) logic [NumQueues*Width-1:0] probe_cnt;  ///< queue q at [q*Width +: Width]

  logic f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @(*) if (!f_past_valid) StartInReset_M: assume (!rst_ni);

  // Reference decoding of the request bits, per queue.
  logic [NumQueues-1:0] f_take, f_give;
  always @(*) begin
    f_take = '0;
    f_give = '0;
    for (int b = 0; b < NumBits; b++) begin
      for (int q = 0; q < NumQueues; q++) begin
        if (npu_isa_pkg::UnitInValid[b] && take_i[b] &&
            npu_isa_pkg::UnitInQueue[b*8 +: 8] == 8'(q)) f_take[q] = 1'b1;
        if (npu_isa_pkg::UnitOutValid[b] && give_i[b] &&
            npu_isa_pkg::UnitOutQueue[b*8 +: 8] == 8'(q)) f_give[q] = 1'b1;
      end
    end
  end

  // Per queue: a reference count one bit wider than the RTL's, the
  // environment, and the properties. (Yosys takes no labels on assertions
  // in loops: the names are in comments, a failure shows the line.)
  for (genvar q = 0; q < NumQueues; q++) begin : g_queue
    logic [Width:0]   ref_cnt;
    logic [Width-1:0] rtl_cnt;
    assign rtl_cnt = probe_cnt[q*Width +: Width];

    always @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) ref_cnt <= '0;
      else if (clear_i) ref_cnt <= '0;
      else ref_cnt <= ref_cnt + (Width+1)'(f_give[q]) - (Width+1)'(f_take[q]);
    end

    // Environment: the contract of Underflow_A / Overflow_A.
    always @(*) begin
      assume (!(f_take[q] && !f_give[q] && ref_cnt == '0));  // NoTakeFromEmpty_M
      assume (!(f_give[q] && !f_take[q] && ref_cnt == Max));  // NoGiveIntoFull_M
    end

    always @(*) begin
      if (!rst_ni) begin
        assert (rtl_cnt == '0);  // EmptyInReset_A
      end else begin
        assert (ref_cnt <= Max);  // RefBound_A
        assert ({1'b0, rtl_cnt} == ref_cnt);  // CountExact_A: no wrap either way
      end
    end

    always @(posedge clk_i) begin
      if (f_past_valid && rst_ni) begin
        if (!$past(rst_ni) || $past(clear_i)) begin
          assert (rtl_cnt == '0);  // Emptied_A
        end else if ($past(f_give[q]) && $past(f_take[q])) begin
          assert (rtl_cnt == $past(rtl_cnt));  // GiveTakeKeeps_A
        end else if ($past(f_give[q])) begin
          assert (rtl_cnt == $past(rtl_cnt) + Width'(1));  // GiveAddsOne_A
        end else if ($past(f_take[q])) begin
          assert (rtl_cnt == $past(rtl_cnt) - Width'(1));  // TakeRemovesOne_A
        end else begin
          assert (rtl_cnt == $past(rtl_cnt));  // IdleKeeps_A
        end
      end
    end
  end

  // Grants: wait bit b is granted exactly when its queue holds a token.
  for (genvar b = 0; b < NumBits; b++) begin : g_bit
    localparam int unsigned Q = 32'(npu_isa_pkg::UnitInQueue[b*8 +: 8]);
    always @(*) begin
      assert (avail[b] == (npu_isa_pkg::UnitInValid[b] &&  // Avail_A
                           probe_cnt[Q*Width +: Width] != '0));
    end
  end

  // Environment: no request bit towards no queue.
  always @(*) begin
    NoTakeMissing_M: assume ((take_i & ~npu_isa_pkg::UnitInValid) == '0);
    NoGiveMissing_M: assume ((give_i & ~npu_isa_pkg::UnitOutValid) == '0);
    if (!rst_ni) NoneAvailInReset_A: assert (avail == '0);
  end
  always @(posedge clk_i) begin
    if (f_past_valid && rst_ni && (!$past(rst_ni) || $past(clear_i))) begin
      NoneAvailAfterClear_A: assert (avail == '0);
    end
  end

  // Reachability (sby task cover).
  always @(posedge clk_i) begin
    if (f_past_valid && rst_ni) begin
      cover (probe_cnt[0 +: Width] == Width'(2));               // two tokens queued
      cover (f_take[0] && f_give[0] && probe_cnt[0 +: Width] == Width'(1));  // give and take at once
      cover ($past(clear_i && avail != '0 && rst_ni));          // clear with tokens queued
      cover (avail == '1);                                      // every wait bit granted
    end
  end
`endif

endmodule
