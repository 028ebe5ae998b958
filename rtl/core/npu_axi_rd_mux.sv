// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Shares the AXI read channels between instruction fetch and the load unit.
///
/// AR requests are granted round-robin; a grant is held while the chosen
/// request waits for ARREADY, so the address channel stays stable as AXI
/// requires. Read data are routed back by RID (0 = fetch, 1 = load) and
/// RREADY is taken from the requester the beat belongs to (the load unit may
/// hold it low while it writes padding rows).
module npu_axi_rd_mux (
  input  logic             clk_i,         ///< clock
  input  logic             rst_ni,        ///< asynchronous reset, active low
  // Requester 0: fetch.
  input  logic             f_ar_valid_i,  ///< fetch AR valid
  output logic             f_ar_ready_o,  ///< fetch AR ready
  input  logic [31:0]      f_ar_addr_i,   ///< fetch AR address
  input  logic [7:0]       f_ar_len_i,    ///< fetch AR length
  input  logic [2:0]       f_ar_size_i,   ///< fetch AR size
  input  logic [1:0]       f_ar_burst_i,  ///< fetch AR burst
  input  logic [1:0]       f_ar_id_i,     ///< fetch AR id (0)
  output logic             f_r_valid_o,   ///< fetch R valid
  input  logic             f_r_ready_i,   ///< fetch R ready
  // Requester 1: load.
  input  logic             l_ar_valid_i,  ///< load AR valid
  output logic             l_ar_ready_o,  ///< load AR ready
  input  logic [31:0]      l_ar_addr_i,   ///< load AR address
  input  logic [7:0]       l_ar_len_i,    ///< load AR length
  input  logic [2:0]       l_ar_size_i,   ///< load AR size
  input  logic [1:0]       l_ar_burst_i,  ///< load AR burst
  input  logic [1:0]       l_ar_id_i,     ///< load AR id (1)
  output logic             l_r_valid_o,   ///< load R valid
  input  logic             l_r_ready_i,   ///< load R ready
  // Memory side.
  output logic             m_ar_valid_o,  ///< AR valid
  input  logic             m_ar_ready_i,  ///< AR ready
  output logic [31:0]      m_ar_addr_o,   ///< AR address
  output logic [7:0]       m_ar_len_o,    ///< AR length
  output logic [2:0]       m_ar_size_o,   ///< AR size
  output logic [1:0]       m_ar_burst_o,  ///< AR burst
  output logic [1:0]       m_ar_id_o,     ///< AR id
  input  logic             m_r_valid_i,   ///< R valid
  output logic             m_r_ready_o,   ///< R ready
  input  logic [1:0]       m_r_id_i       ///< R id
);

  logic sel_d, sel_q;      // requester currently granted
  logic lock_d, lock_q;    // grant held: request shown but not yet accepted
  logic sel;

  // Round-robin: prefer the requester that was not served last, unless the
  // current grant is locked.
  always_comb begin
    if (lock_q) begin
      sel = sel_q;
    end else if (f_ar_valid_i && l_ar_valid_i) begin
      sel = ~sel_q;
    end else begin
      sel = l_ar_valid_i;
    end
  end

  assign m_ar_valid_o = sel ? l_ar_valid_i : f_ar_valid_i;
  assign m_ar_addr_o  = sel ? l_ar_addr_i : f_ar_addr_i;
  assign m_ar_len_o   = sel ? l_ar_len_i : f_ar_len_i;
  assign m_ar_size_o  = sel ? l_ar_size_i : f_ar_size_i;
  assign m_ar_burst_o = sel ? l_ar_burst_i : f_ar_burst_i;
  assign m_ar_id_o    = sel ? l_ar_id_i : f_ar_id_i;
  assign f_ar_ready_o = !sel && m_ar_ready_i;
  assign l_ar_ready_o = sel && m_ar_ready_i;

  always_comb begin
    sel_d  = sel;
    lock_d = m_ar_valid_o && !m_ar_ready_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sel_q  <= 1'b1;
      lock_q <= 1'b0;
    end else begin
      sel_q  <= sel_d;
      lock_q <= lock_d;
    end
  end

  // Read data routing by ID.
  assign f_r_valid_o = m_r_valid_i && (m_r_id_i == 2'd0);
  assign l_r_valid_o = m_r_valid_i && (m_r_id_i != 2'd0);
  assign m_r_ready_o = (m_r_id_i == 2'd0) ? f_r_ready_i : l_r_ready_i;

endmodule
