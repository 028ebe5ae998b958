// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Write-back side of the load unit.
///
/// Pops the address generator's segments in order and writes scratchpad
/// rows in program order: a padding run one row per cycle (the pad byte in
/// every lane), a read burst one row per R beat as the beats arrive. A
/// marker (cnt 0) gives its signal tokens once every row before it is
/// written. RREADY is high only while the head segment is a burst, so the
/// shared R channel is held only by beats this side can take; while the unit
/// stops (drop_i) every beat is accepted and dropped. An R beat with an
/// error response is not written and offered as an error (err_req_o).
module npu_load_wb #(
  parameter int unsigned Dim  = npu_config_pkg::DefaultDim,  ///< bytes per row and beat
  parameter int unsigned SpW  = 13                           ///< scratchpad row address width
) (
  input  logic                          clk_i,        ///< clock
  input  logic                          rst_ni,       ///< asynchronous reset, active low
  input  logic                          clear_i,      ///< soft reset
  input  logic                          abort_i,      ///< write nothing, give nothing
  input  logic                          drop_i,       ///< stopping: accept and drop R beats
  input  logic                          desc_valid_i, ///< a segment is at the FIFO head
  input  npu_load_pkg::desc_t           desc_i,       ///< the head segment
  input  logic [npu_isa_pkg::DepW-1:0]  desc_sig_i,   ///< its signal bits (a marker's)
  output logic                          desc_pop_o,   ///< pop it (its last row is done)
  input  logic                          m_r_valid_i,  ///< AXI R valid (this unit's id)
  output logic                          m_r_ready_o,  ///< AXI R ready
  input  logic [Dim*8-1:0]              m_r_data_i,   ///< AXI R data
  input  logic [1:0]                    m_r_resp_i,   ///< AXI R response
  output logic [2:0]                    sp_we_o,      ///< scratchpad write, one-hot A, B, P
  output logic [SpW-1:0]                sp_waddr_o,   ///< scratchpad row
  output logic [Dim*8-1:0]              sp_wdata_o,   ///< scratchpad row data
  output logic [npu_isa_pkg::DepW-1:0]  tok_give_o,   ///< per signal bit: give one token
  output logic                          err_req_o,    ///< an R beat answered with an error
  output logic [31:0]                   err_addr_o,   ///< that beat's address
  output logic [31:0]                   err_pc_o,     ///< its instruction
  output logic                          stall_r_o     ///< counter event: waiting for an R beat
);

  localparam int unsigned DimLog = $clog2(Dim);

  logic [15:0] idx_d, idx_q;  // rows of the head segment already written

  always_comb begin
    idx_d       = idx_q;
    desc_pop_o  = 1'b0;
    m_r_ready_o = 1'b0;
    sp_we_o     = '0;
    sp_waddr_o  = SpW'(desc_i.row + idx_q);
    sp_wdata_o  = {Dim{desc_i.pad}};
    tok_give_o  = '0;
    err_req_o   = 1'b0;
    err_addr_o  = desc_i.addr + ({16'd0, idx_q} << DimLog);
    if (drop_i) begin
      m_r_ready_o = 1'b1;  // accept and drop
    end else if (desc_valid_i) begin
      if (desc_i.burst) begin
        m_r_ready_o = 1'b1;
        sp_wdata_o  = m_r_data_i;
        if (m_r_valid_i) begin
          if (m_r_resp_i != 2'b00) begin
            err_req_o = 1'b1;
          end else begin
            sp_we_o[desc_i.spad] = 1'b1;
          end
        end
      end else if (desc_i.cnt != '0) begin
        sp_we_o[desc_i.spad] = 1'b1;
      end
      if (!desc_i.burst || m_r_valid_i) begin
        idx_d = idx_q + 16'd1;
        if ((desc_i.cnt == '0) || (idx_q == desc_i.cnt - 16'd1)) begin
          desc_pop_o = 1'b1;
          idx_d      = '0;
          tok_give_o = desc_sig_i;
        end
      end
    end
    if (abort_i) begin
      sp_we_o    = '0;
      tok_give_o = '0;
    end
    if (clear_i) begin
      idx_d = '0;
    end
  end

  assign err_pc_o  = desc_i.pc;
  assign stall_r_o = !drop_i && desc_valid_i && desc_i.burst && !m_r_valid_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      idx_q <= '0;
    end else begin
      idx_q <= idx_d;
    end
  end

endmodule
