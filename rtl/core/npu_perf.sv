// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Performance counters.
///
/// Counts per-cycle events from the units while the NPU is busy. The output
/// is a flat vector of 32-bit words in register-map order from CNT_CYCLES_LO
/// (0x100): cycles and MACs are 64 bits wide (low word first), the others
/// 32 bits and wrap.
module npu_perf #(
  parameter int unsigned Dim = 16  ///< array size: one streamed row is Dim*Dim MACs
) (
  input  logic         clk_i,                 ///< clock
  input  logic         rst_ni,                ///< asynchronous reset, active low
  input  logic         clear_i,               ///< zero every counter
  input  logic         busy_i,                ///< a stream runs: count cycles
  input  logic         row_i,                 ///< a row entered the array
  input  logic         load_busy_i,           ///< load unit executes
  input  logic         load_stall_dep_i,      ///< load unit waits for a token
  input  logic         load_stall_mem_i,      ///< load unit waits for memory
  input  logic         compute_busy_i,        ///< compute unit streams
  input  logic         compute_stall_dep_i,   ///< compute unit waits for a token
  input  logic         compute_stall_hazard_i,  ///< compute unit waits on a hazard
  input  logic         store_busy_i,          ///< store unit executes
  input  logic         store_stall_dep_i,     ///< store unit waits for a token
  input  logic         store_stall_mem_i,     ///< store unit waits for memory
  input  logic         fetch_stall_i,         ///< every queue empty while fetching
  input  logic         read_beat_i,           ///< an AXI read beat was accepted
  input  logic         write_beat_i,          ///< an AXI write beat with strobes was accepted
  output logic [511:0] counters_o             ///< 16 words, register order
);

  localparam int unsigned NumEv = 12;

  logic [63:0] cycles_d, cycles_q, macs_d, macs_q;
  logic [NumEv-1:0] ev;
  logic [31:0] cnt_d [NumEv];
  logic [31:0] cnt_q [NumEv];

  assign ev = {write_beat_i, read_beat_i, fetch_stall_i, store_stall_mem_i, store_stall_dep_i,
               store_busy_i, compute_stall_hazard_i, compute_stall_dep_i, compute_busy_i,
               load_stall_mem_i, load_stall_dep_i, load_busy_i};

  always_comb begin
    cycles_d = cycles_q + (busy_i ? 64'd1 : 64'd0);
    macs_d   = macs_q + (row_i ? 64'(Dim * Dim) : 64'd0);
    for (int unsigned i = 0; i < NumEv; i++) begin
      // Byte counters advance by a whole beat.
      if (i >= 10) begin
        cnt_d[i] = cnt_q[i] + (ev[i] ? 32'(Dim) : 32'd0);
      end else begin
        cnt_d[i] = cnt_q[i] + (ev[i] ? 32'd1 : 32'd0);
      end
    end
    if (clear_i) begin
      cycles_d = '0;
      macs_d   = '0;
      for (int unsigned i = 0; i < NumEv; i++) begin
        cnt_d[i] = '0;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cycles_q <= '0;
      macs_q   <= '0;
      for (int unsigned i = 0; i < NumEv; i++) begin
        cnt_q[i] <= '0;
      end
    end else begin
      cycles_q <= cycles_d;
      macs_q   <= macs_d;
      for (int unsigned i = 0; i < NumEv; i++) begin
        cnt_q[i] <= cnt_d[i];
      end
    end
  end

  assign counters_o[63:0]   = cycles_q;
  assign counters_o[127:64] = macs_q;
  for (genvar i = 0; i < NumEv; i++) begin : gen_out
    assign counters_o[128 + 32 * i +: 32] = cnt_q[i];
  end

endmodule
