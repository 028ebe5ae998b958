// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// UART transmitter, 8N1, LSB first: a start bit, eight data bits and one
/// stop bit, each ClksPerBit cycles.
module npu_uart_tx #(
  parameter int unsigned ClksPerBit = 16  ///< clock cycles per bit (>= 2)
) (
  input  logic       clk_i,    ///< clock
  input  logic       rst_ni,   ///< asynchronous reset, active low
  input  logic       valid_i,  ///< send data_i
  output logic       ready_o,  ///< idle: valid_i is taken
  input  logic [7:0] data_i,   ///< byte to send
  output logic       tx_o      ///< serial line, idle high
);

  localparam int unsigned CntW = $clog2(ClksPerBit);

  logic [CntW-1:0] cnt_q;
  logic [3:0]      bits_q;   // bits left to send, the current one included
  logic [9:0]      shift_q;  // {stop, data, start}, sent from bit 0

  assign ready_o = (bits_q == 4'd0);
  assign tx_o    = ready_o ? 1'b1 : shift_q[0];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cnt_q   <= '0;
      bits_q  <= '0;
      shift_q <= '1;
    end else if (ready_o) begin
      if (valid_i) begin
        shift_q <= {1'b1, data_i, 1'b0};
        bits_q  <= 4'd10;
        cnt_q   <= '0;
      end
    end else if (cnt_q == CntW'(ClksPerBit - 1)) begin
      cnt_q   <= '0;
      shift_q <= {1'b1, shift_q[9:1]};
      bits_q  <= bits_q - 4'd1;
    end else begin
      cnt_q <= cnt_q + CntW'(1);
    end
  end

endmodule
