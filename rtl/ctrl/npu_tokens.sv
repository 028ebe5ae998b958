// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_assert.svh"

/// Dependency-token counters: the token graph of spec/isa.toml.
///
/// One counter per queue (npu_isa_pkg::Queue*). Unit u's wait bit i names
/// queue UnitInQueue[u * DepW + i] and its signal bit i queue
/// UnitOutQueue[u * DepW + i] (bits towards no queue, UnitIn/OutValid low,
/// do not exist; fetch rejects instructions that set them). A unit takes
/// tokens when it starts an instruction with wait bits and gives tokens when
/// an instruction with signal bits completes, as VTA does. A token given in
/// cycle t can be taken from t + 1. The compiler balances them; taking from
/// an empty counter or overflowing one is a bug the assertions catch.
module npu_tokens #(
  parameter int unsigned Width = npu_config_pkg::TokenBits  ///< counter width
) (
  input  logic                                              clk_i,    ///< clock
  input  logic                                              rst_ni,   ///< asynchronous reset, active low
  input  logic                                              clear_i,  ///< soft reset: empty every counter
  /// Per unit and wait bit (u * DepW + i): take one token.
  input  logic [npu_isa_pkg::NumUnits*npu_isa_pkg::DepW-1:0] take_i,
  /// Per unit and signal bit: give one token.
  input  logic [npu_isa_pkg::NumUnits*npu_isa_pkg::DepW-1:0] give_i,
  /// Per unit and wait bit: the queue it names holds a token.
  output logic [npu_isa_pkg::NumUnits*npu_isa_pkg::DepW-1:0] avail_o
);

  localparam int unsigned NumQueues = npu_isa_pkg::NumQueues;
  localparam int unsigned DepW      = npu_isa_pkg::DepW;
  localparam int unsigned NumBits   = npu_isa_pkg::NumUnits * DepW;

  logic [NumQueues-1:0] avail;

  for (genvar q = 0; q < NumQueues; q++) begin : gen_counter
    localparam int unsigned To   = 32'(npu_isa_pkg::QueueTo[q*8 +: 8]);
    localparam int unsigned From = 32'(npu_isa_pkg::QueueFrom[q*8 +: 8]);

    // The one wait bit of the consumer and signal bit of the producer that
    // name this queue.
    logic [DepW-1:0]  take_bits, give_bits;
    logic             take, give;
    logic [Width-1:0] cnt_d, cnt_q;

    for (genvar i = 0; i < DepW; i++) begin : gen_bit
      assign take_bits[i] = npu_isa_pkg::UnitInValid[To*DepW+i] &&
                            (32'(npu_isa_pkg::UnitInQueue[(To*DepW+i)*8 +: 8]) == q) &&
                            take_i[To*DepW+i];
      assign give_bits[i] = npu_isa_pkg::UnitOutValid[From*DepW+i] &&
                            (32'(npu_isa_pkg::UnitOutQueue[(From*DepW+i)*8 +: 8]) == q) &&
                            give_i[From*DepW+i];
    end
    assign take = |take_bits;
    assign give = |give_bits;

    always_comb begin
      cnt_d = cnt_q + (give ? Width'(1) : '0) - (take ? Width'(1) : '0);
      if (clear_i) begin
        cnt_d = '0;
      end
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        cnt_q <= '0;
      end else begin
        cnt_q <= cnt_d;
      end
    end

    assign avail[q] = (cnt_q != '0);

    `NPU_ASSERT_NEVER(Underflow_A, take && !give && cnt_q == '0, clk_i, rst_ni)
    `NPU_ASSERT_NEVER(Overflow_A, give && !take && cnt_q == '1, clk_i, rst_ni)
    // Cover points (make cov): a token given and taken in one cycle, tokens
    // queued up (the producer ahead by two or more).
    `NPU_COVER(GiveAndTake_C, give && take, clk_i, rst_ni)
    `NPU_COVER(Queued_C, cnt_q >= Width'(2), clk_i, rst_ni)
  end

  for (genvar b = 0; b < NumBits; b++) begin : gen_avail
    localparam int unsigned Q = 32'(npu_isa_pkg::UnitInQueue[b*8 +: 8]);
    assign avail_o[b] = npu_isa_pkg::UnitInValid[b] && avail[Q];
  end

  // A bit towards no queue is never set (fetch rejects such instructions).
  `NPU_ASSERT_NEVER(TakeMissing_A, |(take_i & ~npu_isa_pkg::UnitInValid), clk_i, rst_ni)
  `NPU_ASSERT_NEVER(GiveMissing_A, |(give_i & ~npu_isa_pkg::UnitOutValid), clk_i, rst_ni)

endmodule
