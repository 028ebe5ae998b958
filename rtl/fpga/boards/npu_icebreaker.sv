// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_board.svh"

/// iCEBreaker (iCE40 UltraPlus UP5K): npu_fpga_top on the 12 MHz oscillator
/// (constraints/icebreaker/). The host link is the FT2232H's second channel;
/// the user button resets; the green LED blinks with the clock, the red one
/// shows the NPU's interrupt.
module npu_icebreaker #(
  parameter int unsigned OscHz      = 12_000_000,                         ///< oscillator Hz (board.toml's clock_mhz)
  `NPU_BOARD_PARAMS  // the configuration, memory and UART rate (npu_board.svh)
) (
  input  logic clk_12mhz,    ///< 12 MHz oscillator
  input  logic btn_n,        ///< user button, active low
  input  logic uart_rx,      ///< serial from the host
  output logic uart_tx,      ///< serial to the host
  output logic led_red_n,    ///< active low
  output logic led_green_n   ///< active low
);

  logic [3:0] status;

  npu_fpga_top #(
    `NPU_BOARD_TOP_PARAMS,
    .ClockHz   (OscHz)
  ) u_top (
    .clk_i    (clk_12mhz),
    .rst_ni   (btn_n),
    .uart_rx_i(uart_rx),
    .uart_tx_o(uart_tx),
    .led_o    (status)
  );

  assign led_green_n = ~status[0];
  assign led_red_n   = ~status[1];

  logic unused_status;
  assign unused_status = ^status[3:2];

endmodule
