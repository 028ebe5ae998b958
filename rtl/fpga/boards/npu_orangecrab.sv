// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// OrangeCrab r0.2 (ECP5 LFE5U-25F): npu_fpga_top on the 48 MHz oscillator
/// (constraints/orangecrab/). The host link is a USB-serial adapter on the
/// Feather header's UART pins; the user button resets; the RGB LED shows
/// the heartbeat (green), the NPU's interrupt (blue) and a host command in
/// progress (red).
module npu_orangecrab #(
  parameter int unsigned Dim        = npu_config_pkg::DefaultDim,         ///< array rows = columns
  parameter int unsigned SpadARows  = npu_config_pkg::DefaultSpadARows,   ///< activation scratchpad rows
  parameter int unsigned SpadBRows  = npu_config_pkg::DefaultSpadBRows,   ///< weight scratchpad rows
  parameter int unsigned SpadPRows  = npu_config_pkg::DefaultSpadPRows,   ///< parameter scratchpad rows
  parameter int unsigned AccRows    = npu_config_pkg::DefaultAccRows,     ///< accumulator rows
  parameter int unsigned MaxReads   = npu_config_pkg::DefaultMaxReads,    ///< load bursts in flight
  parameter int unsigned QueueDepth = npu_config_pkg::DefaultQueueDepth,  ///< unit queue depth
  parameter int unsigned WindowCols = npu_config_pkg::DefaultWindowCols,  ///< window line buffer columns
  parameter int unsigned OscHz      = 48_000_000,                         ///< oscillator Hz (board.toml's clock_mhz)
  parameter int unsigned MemBytes   = 65536,                              ///< system memory bytes
  parameter int unsigned Baud       = 1_000_000                           ///< UART bit rate
) (
  input  logic       clk48,         ///< 48 MHz oscillator
  input  logic       usr_btn_n,     ///< user button, active low
  input  logic       uart_rx,       ///< serial from the host
  output logic       uart_tx,       ///< serial to the host
  output logic [2:0] rgb_led_n      ///< {blue, green, red}, active low
);

  logic [3:0] status;

  npu_fpga_top #(
    .Dim       (Dim),
    .SpadARows (SpadARows),
    .SpadBRows (SpadBRows),
    .SpadPRows (SpadPRows),
    .AccRows   (AccRows),
    .MaxReads  (MaxReads),
    .QueueDepth(QueueDepth),
    .WindowCols(WindowCols),
    .MemBytes  (MemBytes),
    .Baud      (Baud),
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
