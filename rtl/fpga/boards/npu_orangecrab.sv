// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_board.svh"

/// OrangeCrab r0.2 (ECP5 LFE5U-25F): npu_fpga_top on the 48 MHz oscillator
/// (constraints/orangecrab/). The host link is a USB-serial adapter on the
/// Feather header's UART pins; the user button resets; the RGB LED shows
/// the heartbeat (green), the NPU's interrupt (blue) and a host command in
/// progress (red).
module npu_orangecrab #(
  parameter int unsigned OscHz      = 48_000_000,                         ///< oscillator Hz (board.toml's clock_mhz)
  `NPU_BOARD_PARAMS  // the configuration, memory and UART rate (npu_board.svh)
) (
  input  logic       clk48,         ///< 48 MHz oscillator
  input  logic       usr_btn_n,     ///< user button, active low
  input  logic       uart_rx,       ///< serial from the host
  output logic       uart_tx,       ///< serial to the host
  output logic [2:0] rgb_led_n      ///< {blue, green, red}, active low
);

  logic [3:0] status;

  npu_fpga_top #(
    `NPU_BOARD_TOP_PARAMS,
    .ClockHz   (OscHz)
  ) u_top (
    .clk_i    (clk48),
    .rst_ni   (usr_btn_n),
    .uart_rx_i(uart_rx),
    .uart_tx_o(uart_tx),
    .led_o    (status)
  );

  assign rgb_led_n = ~{status[1], status[0], status[2]};

  logic unused_status;
  assign unused_status = status[3];

endmodule
