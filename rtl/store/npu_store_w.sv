// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// W engine of the store unit.
///
/// Sends the beats of the oldest announced burst through an output register
/// (WLAST on its last beat, all strobes set), taking post-processed rows from
/// the output FIFO. Once the unit stops (stop_i, or an error found this
/// cycle) the remaining beats of every announced burst are fillers with
/// WSTRB = 0, so that the write bursts complete legally; a beat already shown
/// stays unchanged until accepted.
module npu_store_w #(
  parameter int unsigned Dim = npu_config_pkg::DefaultDim  ///< bytes per beat
) (
  input  logic             clk_i,          ///< clock
  input  logic             rst_ni,         ///< asynchronous reset, active low
  input  logic             clear_i,        ///< soft reset
  input  logic             stop_i,         ///< send fillers from the next beat on
  input  logic             wlen_valid_i,   ///< an announced burst awaits its beats
  input  logic [7:0]       wlen_i,         ///< its length - 1
  output logic             wlen_pop_o,     ///< its last beat is loaded
  input  logic             out_valid_i,    ///< a post-processed row is ready
  input  logic [Dim*8-1:0] out_data_i,     ///< the row
  output logic             out_pop_o,      ///< it is loaded
  output logic             m_w_valid_o,    ///< AXI W valid
  input  logic             m_w_ready_i,    ///< AXI W ready
  output logic [Dim*8-1:0] m_w_data_o,     ///< AXI W data
  output logic [Dim-1:0]   m_w_strb_o,     ///< AXI W strobes (0 on fillers)
  output logic             m_w_last_o,     ///< AXI W last beat of a burst
  output logic             idle_o          ///< no beat shown
);

  logic [7:0]       beat_d, beat_q;
  logic             valid_d, valid_q, last_d, last_q, strb_d, strb_q;
  logic [Dim*8-1:0] data_d, data_q;
  logic             load, src;

  always_comb begin
    src        = wlen_valid_i && (stop_i || out_valid_i);
    load       = src && (!valid_q || m_w_ready_i);
    out_pop_o  = load && !stop_i;
    wlen_pop_o = load && (beat_q == wlen_i);
    beat_d     = beat_q;
    valid_d    = valid_q && !m_w_ready_i;
    data_d     = data_q;
    strb_d     = strb_q;
    last_d     = last_q;
    if (load) begin
      beat_d  = wlen_pop_o ? 8'd0 : beat_q + 8'd1;
      valid_d = 1'b1;
      data_d  = stop_i ? '0 : out_data_i;
      strb_d  = !stop_i;
      last_d  = wlen_pop_o;
    end
    if (clear_i) begin
      beat_d  = '0;
      valid_d = 1'b0;
    end
  end

  assign m_w_valid_o = valid_q;
  assign m_w_data_o  = data_q;
  assign m_w_strb_o  = {Dim{strb_q}};
  assign m_w_last_o  = last_q;
  assign idle_o      = !valid_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      beat_q  <= '0;
      valid_q <= 1'b0;
      data_q  <= '0;
      strb_q  <= 1'b0;
      last_q  <= 1'b0;
    end else begin
      beat_q  <= beat_d;
      valid_q <= valid_d;
      data_q  <= data_d;
      strb_q  <= strb_d;
      last_q  <= last_d;
    end
  end

endmodule
