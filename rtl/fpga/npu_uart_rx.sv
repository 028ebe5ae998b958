// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// UART receiver, 8N1, LSB first. The line is synchronised by two flops;
/// a start bit is confirmed at its middle and every bit is sampled at its
/// middle. A byte whose stop bit is low is dropped (a framing error, or a
/// break). No flow control: the consumer takes every byte in the cycle
/// valid_o is high.
module npu_uart_rx #(
  parameter int unsigned ClksPerBit = 16  ///< clock cycles per bit (>= 4)
) (
  input  logic       clk_i,    ///< clock
  input  logic       rst_ni,   ///< asynchronous reset, active low
  input  logic       rx_i,     ///< serial line, idle high (asynchronous)
  output logic       valid_o,  ///< a byte arrived (one cycle)
  output logic [7:0] data_o    ///< the byte, held until the next one
);

  localparam int unsigned CntW = $clog2(ClksPerBit);

  typedef enum logic [1:0] {Idle, Start, Data, Stop} state_e;

  state_e          state_q;
  logic [1:0]      sync_q;
  logic [CntW-1:0] cnt_q;
  logic [2:0]      bit_q;
  logic [7:0]      shift_q;
  logic            line;

  assign line = sync_q[1];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sync_q  <= 2'b11;
      state_q <= Idle;
      cnt_q   <= '0;
      bit_q   <= '0;
      shift_q <= '0;
      valid_o <= 1'b0;
      data_o  <= '0;
    end else begin
      sync_q  <= {sync_q[0], rx_i};
      valid_o <= 1'b0;
      unique case (state_q)
        Idle: begin
          cnt_q <= '0;
          if (!line) state_q <= Start;
        end
        Start: begin  // to the middle of the start bit
          if (cnt_q == CntW'(ClksPerBit / 2 - 1)) begin
            cnt_q   <= '0;
            bit_q   <= '0;
            state_q <= line ? Idle : Data;  // a glitch, not a start bit
          end else begin
            cnt_q <= cnt_q + CntW'(1);
          end
        end
        Data: begin
          if (cnt_q == CntW'(ClksPerBit - 1)) begin
            cnt_q   <= '0;
            shift_q <= {line, shift_q[7:1]};
            bit_q   <= bit_q + 3'd1;
            if (bit_q == 3'd7) state_q <= Stop;
          end else begin
            cnt_q <= cnt_q + CntW'(1);
          end
        end
        Stop: begin
          if (cnt_q == CntW'(ClksPerBit - 1)) begin
            cnt_q   <= '0;
            state_q <= Idle;
            if (line) begin
              valid_o <= 1'b1;
              data_o  <= shift_q;
            end
          end else begin
            cnt_q <= cnt_q + CntW'(1);
          end
        end
        default: state_q <= Idle;
      endcase
    end
  end

endmodule
