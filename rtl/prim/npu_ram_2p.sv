// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Simple dual-port RAM: one write port, one read port, one clock.
///
/// Generic body, inferred as block RAM by FPGA flows and kept as a memory
/// macro by the ASIC-style synthesis script. Reads have one cycle of latency:
/// rdata_o holds the row addressed by the last re_i from the next cycle on.
/// A read of the row written in the same cycle returns the old contents.
/// The contents are not reset.
module npu_ram_2p #(
  parameter int unsigned Width = 32,   ///< bits per row
  parameter int unsigned Depth = 256,  ///< rows
  /// Address width; derived, do not override.
  parameter int unsigned AddrW = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  logic             clk_i,    ///< clock
  input  logic             we_i,     ///< write enable
  input  logic [AddrW-1:0] waddr_i,  ///< write row
  input  logic [Width-1:0] wdata_i,  ///< write data
  input  logic             re_i,     ///< read enable
  input  logic [AddrW-1:0] raddr_i,  ///< read row
  output logic [Width-1:0] rdata_o   ///< read data, one cycle after re_i
);

  logic [Width-1:0] mem_q [Depth];

  // Memory array: no reset by design (RAM macros have none).
  always_ff @(posedge clk_i) begin
    if (we_i) begin
      mem_q[waddr_i] <= wdata_i;
    end
  end

  always_ff @(posedge clk_i) begin
    if (re_i) begin
      rdata_o <= mem_q[raddr_i];
    end
  end

endmodule
