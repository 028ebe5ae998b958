// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_board.svh"

/// ULX3S (ECP5 LFE5U-85F): npu_fpga_top behind the board's PLL, which makes
/// the NPU clock from the 25 MHz oscillator (constraints/ulx3s/). The host
/// link is the FT231X USB-serial port; button 0 resets; LEDs 0-3 are
/// npu_fpga_top's, LED 7 shows the PLL locked.
module npu_ulx3s #(
  parameter int unsigned OscHz      = 25_000_000,                         ///< oscillator Hz (board.toml's clock_mhz)
  /// The PLL (EHXPLLL, feedback from CLKOP): the NPU clock is
  /// OscHz * PllFbDiv / PllRefDiv; the VCO runs PllOpDiv times faster.
  /// The flow sets them from constraints/ulx3s/board.toml (20 MHz).
  parameter int unsigned PllRefDiv   = 5,
  parameter int unsigned PllFbDiv    = 4,
  parameter int unsigned PllOpDiv    = 30,
  parameter int unsigned PllOpCphase = 15,
  `NPU_BOARD_PARAMS  // the configuration, memory and UART rate (npu_board.svh)
) (
  input  logic       clk_25mhz,   ///< 25 MHz oscillator
  input  logic       btn_pwr_n,   ///< button 0, active low
  input  logic       ftdi_txd,    ///< serial from the host
  output logic       ftdi_rxd,    ///< serial to the host
  output logic [7:0] led,         ///< LEDs, active high
  output logic       wifi_gpio0   ///< held high: the ESP32 leaves the FPGA alone
);

  localparam int unsigned ClockHz = OscHz / PllRefDiv * PllFbDiv;

  logic clk, locked;

  (* FREQUENCY_PIN_CLKI = "25" *)
  EHXPLLL #(
    .PLLRST_ENA     ("DISABLED"),
    .INTFB_WAKE     ("DISABLED"),
    .STDBY_ENABLE   ("DISABLED"),
    .DPHASE_SOURCE  ("DISABLED"),
    .OUTDIVIDER_MUXA("DIVA"),
    .OUTDIVIDER_MUXB("DIVB"),
    .OUTDIVIDER_MUXC("DIVC"),
    .OUTDIVIDER_MUXD("DIVD"),
    .CLKI_DIV       (PllRefDiv),
    .CLKOP_ENABLE   ("ENABLED"),
    .CLKOP_DIV      (PllOpDiv),
    .CLKOP_CPHASE   (PllOpCphase),
    .CLKOP_FPHASE   (0),
    .FEEDBK_PATH    ("CLKOP"),
    .CLKFB_DIV      (PllFbDiv)
  ) u_pll (
    .RST         (1'b0),
    .STDBY       (1'b0),
    .CLKI        (clk_25mhz),
    .CLKOP       (clk),
    .CLKFB       (clk),
    .CLKINTFB    (),
    .CLKOS       (),
    .CLKOS2      (),
    .CLKOS3      (),
    .PHASESEL0   (1'b0),
    .PHASESEL1   (1'b0),
    .PHASEDIR    (1'b1),
    .PHASESTEP   (1'b1),
    .PHASELOADREG(1'b1),
    .PLLWAKESYNC (1'b0),
    .ENCLKOP     (1'b0),
    .ENCLKOS     (1'b0),
    .ENCLKOS2    (1'b0),
    .ENCLKOS3    (1'b0),
    .LOCK        (locked),
    .INTLOCK     (),
    .REFCLK      ()
  );

  logic [3:0] status;

  npu_fpga_top #(
    `NPU_BOARD_TOP_PARAMS,
    .ClockHz   (ClockHz)
  ) u_top (
    .clk_i    (clk),
    .rst_ni   (btn_pwr_n && locked),
    .uart_rx_i(ftdi_txd),
    .uart_tx_o(ftdi_rxd),
    .led_o    (status)
  );

  assign led        = {locked, 3'b000, status};
  assign wifi_gpio0 = 1'b1;

endmodule
