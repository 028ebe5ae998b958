// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_assert.svh"

/// Synchronous first-word-fall-through FIFO built from flops.
///
/// rdata_o shows the oldest entry whenever rvalid_o is high. Writes and
/// reads may happen in the same cycle; a write while full is refused
/// (wready_o low) even when a read frees an entry in that cycle.
module npu_fifo #(
  parameter int unsigned Width = 8,  ///< bits per entry
  parameter int unsigned Depth = 4,  ///< entries (>= 2)
  /// 1: a credit FIFO. The writer reserves room before it pushes and the
  /// reader pops only entries it knows are there, so neither looks at
  /// wready_o or rvalid_o; a push while full (an entry lost) or a pop while
  /// empty (an entry invented) is then a bug, and asserted.
  parameter bit          Credit = 1'b0,
  /// Count width; derived, do not override.
  parameter int unsigned CntW = $clog2(Depth + 1)
) (
  input  logic             clk_i,     ///< clock
  input  logic             rst_ni,    ///< asynchronous reset, active low
  input  logic             clear_i,   ///< synchronous flush
  input  logic             wvalid_i,  ///< push request
  output logic             wready_o,  ///< not full
  input  logic [Width-1:0] wdata_i,   ///< pushed entry
  output logic             rvalid_o,  ///< not empty
  input  logic             rready_i,  ///< pop request
  output logic [Width-1:0] rdata_o,   ///< oldest entry
  output logic [CntW-1:0]  count_o    ///< entries held
);

  localparam int unsigned PtrW = (Depth > 1) ? $clog2(Depth) : 1;

  logic [Width-1:0] mem_q [Depth];
  logic [PtrW-1:0]  rptr_d, rptr_q, wptr_d, wptr_q;
  logic [CntW-1:0]  count_d, count_q;
  logic             push, pop;

  assign wready_o = (count_q != CntW'(Depth));
  assign rvalid_o = (count_q != '0);
  assign rdata_o  = mem_q[rptr_q];
  assign count_o  = count_q;
  assign push     = wvalid_i & wready_o;
  assign pop      = rready_i & rvalid_o;

  // Advance a pointer with wrap-around at Depth (which need not be a power of two).
  function automatic logic [PtrW-1:0] next_ptr(logic [PtrW-1:0] p);
    next_ptr = (p == PtrW'(Depth - 1)) ? '0 : p + PtrW'(1);
  endfunction

  always_comb begin
    rptr_d  = rptr_q;
    wptr_d  = wptr_q;
    count_d = count_q;
    if (push) begin
      wptr_d = next_ptr(wptr_q);
    end
    if (pop) begin
      rptr_d = next_ptr(rptr_q);
    end
    unique case ({push, pop})
      2'b10:   count_d = count_q + CntW'(1);
      2'b01:   count_d = count_q - CntW'(1);
      default: count_d = count_q;
    endcase
    if (clear_i) begin
      rptr_d  = '0;
      wptr_d  = '0;
      count_d = '0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rptr_q  <= '0;
      wptr_q  <= '0;
      count_q <= '0;
    end else begin
      rptr_q  <= rptr_d;
      wptr_q  <= wptr_d;
      count_q <= count_d;
    end
  end

  // Storage: data only, no reset needed.
  always_ff @(posedge clk_i) begin
    if (push) begin
      mem_q[wptr_q] <= wdata_i;
    end
  end

  // The count stays within the depth (the handshake prevents overflow and
  // underflow); the parameters are checked at elaboration.
  `NPU_ASSERT(CountBound_A, count_q <= CntW'(Depth), clk_i, rst_ni)
  if (Credit) begin : gen_credit_check
    `NPU_ASSERT_NEVER(CreditOverflow_A, wvalid_i && !wready_o && !clear_i, clk_i, rst_ni)
    `NPU_ASSERT_NEVER(CreditUnderflow_A, rready_i && !rvalid_o && !clear_i, clk_i, rst_ni)
  end
  // Cover points (make cov): a push refused while full, a push and a pop in
  // one cycle while full, a flush of a non-empty FIFO.
  `NPU_COVER(PushWhileFull_C, wvalid_i && !wready_o, clk_i, rst_ni)
  `NPU_COVER(PushPopFull_C, !wready_o && rready_i, clk_i, rst_ni)
  `NPU_COVER(ClearNonEmpty_C, clear_i && rvalid_o, clk_i, rst_ni)
  if (Depth < 2) begin : gen_depth_check
    $error("npu_fifo: Depth must be at least 2");
  end

endmodule
