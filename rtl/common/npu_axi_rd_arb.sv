// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_assert.svh"

/// Shares the AXI read channels among N requesters.
///
/// AR requests are granted round-robin (the requester after the last one
/// served goes first); a grant is held while the chosen request waits for
/// ARREADY, so the address channel stays stable as AXI requires. Read data
/// are routed back by RID: requester i owns ID Ids[i], and RREADY is taken
/// from the requester the current beat belongs to (a requester may hold it
/// low, e.g. the load unit while it writes padding rows).
module npu_axi_rd_arb #(
  parameter int unsigned      N   = 2,         ///< requesters (2..4)
  parameter logic [N*2-1:0]   Ids = 4'b01_00   ///< requester i's ARID, bits [2i +: 2]
) (
  input  logic             clk_i,          ///< clock
  input  logic             rst_ni,         ///< asynchronous reset, active low
  input  logic [N-1:0]     ar_valid_i,     ///< per requester: AR valid
  output logic [N-1:0]     ar_ready_o,     ///< per requester: AR ready
  input  logic [N*32-1:0]  ar_addr_i,      ///< per requester: AR address
  input  logic [N*8-1:0]   ar_len_i,       ///< per requester: AR length
  input  logic [N*3-1:0]   ar_size_i,      ///< per requester: AR size
  input  logic [N*2-1:0]   ar_burst_i,     ///< per requester: AR burst
  output logic [N-1:0]     r_valid_o,      ///< per requester: R beat for it
  input  logic [N-1:0]     r_ready_i,      ///< per requester: R ready
  output logic             m_ar_valid_o,   ///< AR valid
  input  logic             m_ar_ready_i,   ///< AR ready
  output logic [31:0]      m_ar_addr_o,    ///< AR address
  output logic [7:0]       m_ar_len_o,     ///< AR length
  output logic [2:0]       m_ar_size_o,    ///< AR size
  output logic [1:0]       m_ar_burst_o,   ///< AR burst
  output logic [1:0]       m_ar_id_o,      ///< AR id (the granted requester's)
  input  logic             m_r_valid_i,    ///< R valid
  output logic             m_r_ready_o,    ///< R ready
  input  logic [1:0]       m_r_id_i        ///< R id
);

  localparam int unsigned SelW = (N > 1) ? $clog2(N) : 1;

  logic [SelW-1:0] last_d, last_q;  // requester served last
  logic [SelW-1:0] sel, sel_q;      // requester shown on AR this cycle / the last
  logic            lock_d, lock_q;  // the shown request waits for ARREADY

  // Round-robin from the requester after the last one served; a locked
  // grant stays.
  always_comb begin
    sel = lock_q ? sel_q : last_q;
    if (!lock_q) begin
      for (int unsigned k = N; k >= 1; k--) begin
        if (ar_valid_i[(32'(last_q) + k) % N]) begin
          sel = SelW'((32'(last_q) + k) % N);
        end
      end
    end
  end

  assign m_ar_valid_o = ar_valid_i[sel];
  assign m_ar_addr_o  = ar_addr_i[32'(sel)*32 +: 32];
  assign m_ar_len_o   = ar_len_i[32'(sel)*8 +: 8];
  assign m_ar_size_o  = ar_size_i[32'(sel)*3 +: 3];
  assign m_ar_burst_o = ar_burst_i[32'(sel)*2 +: 2];
  assign m_ar_id_o    = Ids[32'(sel)*2 +: 2];

  always_comb begin
    ar_ready_o      = '0;
    ar_ready_o[sel] = m_ar_ready_i;
  end

  assign last_d = (m_ar_valid_o && m_ar_ready_i) ? sel : last_q;
  assign lock_d = m_ar_valid_o && !m_ar_ready_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      last_q <= SelW'(N - 1);
      sel_q  <= '0;
      lock_q <= 1'b0;
    end else begin
      last_q <= last_d;
      sel_q  <= sel;
      lock_q <= lock_d;
    end
  end

  // Read data routing by ID.
  always_comb begin
    r_valid_o   = '0;
    m_r_ready_o = 1'b0;
    for (int unsigned i = 0; i < N; i++) begin
      if (m_r_id_i == Ids[i*2 +: 2]) begin
        r_valid_o[i] = m_r_valid_i;
        m_r_ready_o  = r_ready_i[i];
      end
    end
  end

  // A held request stays shown until accepted (AXI): the lock keeps it.
  `NPU_ASSERT(ArGrantHeld_A, lock_q |-> m_ar_valid_o, clk_i, rst_ni)
  if (N < 2 || N > 4) begin : gen_param_check
    $error("npu_axi_rd_arb: N must be 2..4 (2-bit IDs)");
  end

endmodule
