// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Performance counters.
///
/// One counter per entry of the counter list of spec/regs.toml (the whole
/// NPU's counters, then each unit's): npu_reg_pkg::Cnt<Name> is its event
/// input, CounterWord its first 32-bit word in counters_o, CounterIs64 its
/// width and CounterStep what one event adds (one, Dim bytes, or amount_i).
/// Counters wrap; clear_i zeroes them all.
module npu_perf #(
  parameter int unsigned Dim = npu_config_pkg::DefaultDim  ///< bytes per bus beat
) (
  input  logic                                    clk_i,     ///< clock
  input  logic                                    rst_ni,    ///< asynchronous reset, active low
  input  logic                                    clear_i,   ///< zero every counter
  input  logic [npu_reg_pkg::NumCounters-1:0]     ev_i,      ///< per counter: its event this cycle
  input  logic [npu_reg_pkg::CntAmountW-1:0]      amount_i,  ///< what an `amount` counter's event adds
  output logic [npu_reg_pkg::CounterWords*32-1:0] counters_o ///< counter block, register order
);

  for (genvar c = 0; c < npu_reg_pkg::NumCounters; c++) begin : gen_counter
    localparam int unsigned Word = 32'(npu_reg_pkg::CounterWord[c*8 +: 8]);
    localparam int unsigned Step = 32'(npu_reg_pkg::CounterStep[c*8 +: 8]);
    localparam int unsigned W    = npu_reg_pkg::CounterIs64[c] ? 64 : 32;

    logic [W-1:0] inc, cnt_d, cnt_q;

    if (Step == 0) begin : gen_one
      assign inc = W'(1);
    end else if (Step == 1) begin : gen_dim
      assign inc = W'(Dim);
    end else begin : gen_amount
      assign inc = W'(amount_i);
    end

    always_comb begin
      cnt_d = cnt_q + (ev_i[c] ? inc : '0);
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

    assign counters_o[Word*32 +: W] = cnt_q;
  end

endmodule
