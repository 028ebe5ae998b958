// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// The next burst of a contiguous run of full-width beats: as many of the
/// remaining beats as fit in one AXI4 INCR burst (at most MaxBeats) without
/// crossing a Boundary-byte boundary.
///
/// The one definition of the burst-splitting rule used by the load unit, the
/// store unit's write bursts and its residual reads.
module npu_burst_split #(
  parameter int unsigned Dim      = npu_config_pkg::DefaultDim,  ///< bytes per beat (power of two)
  parameter int unsigned AddrW    = 32,   ///< width of addr_i (wider for unchecked sums)
  parameter int unsigned CntW     = 17,   ///< width of the beat counts
  parameter int unsigned MaxBeats = npu_config_pkg::MaxBurst,  ///< beats per burst at most
  parameter int unsigned Boundary = npu_config_pkg::Boundary   ///< bytes; never crossed
) (
  input  logic [AddrW-1:0] addr_i,   ///< first byte of the run (beat aligned)
  input  logic [CntW-1:0]  beats_i,  ///< beats left in the run (> 0)
  output logic [CntW-1:0]  beats_o   ///< beats of the next burst (1 .. beats_i)
);

  localparam int unsigned DimLog = $clog2(Dim);
  localparam int unsigned BndLog = $clog2(Boundary);

  logic [BndLog:0]  left_bytes, left_beats;
  logic [CntW-1:0]  to_boundary;

  // Beats from addr_i up to the next multiple of Boundary.
  assign left_bytes  = (BndLog+1)'(Boundary) - {1'b0, addr_i[BndLog-1:0]};
  assign left_beats  = left_bytes >> DimLog;
  assign to_boundary = CntW'(left_beats);

  always_comb begin
    beats_o = beats_i;
    if (CntW'(MaxBeats) < beats_o) beats_o = CntW'(MaxBeats);
    if (to_boundary < beats_o) beats_o = to_boundary;
  end

  // Only the offset inside a Boundary block matters.
  logic unused_addr;
  assign unused_addr = ^addr_i[AddrW-1:BndLog];

  if ((1 << DimLog) != Dim || (1 << BndLog) != Boundary || Boundary < Dim) begin : gen_param_check
    $error("npu_burst_split: Dim and Boundary must be powers of two, Boundary >= Dim");
  end

endmodule
