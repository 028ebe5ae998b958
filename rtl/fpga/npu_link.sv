// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// The host link of the FPGA build: a UART bridge through which a host reads
/// and writes the board's memory (npu_fpga_mem's host port) and the NPU's
/// registers (an AXI4-Lite master on npu_top's control port).
///
/// The byte protocol is docs/gen/link.md (spec/link.toml, npu_link_pkg):
/// a command byte and its little-endian argument words in, one status byte
/// and the reply out. A command whose bytes stop arriving for ResyncCycles
/// is abandoned.
module npu_link #(
  parameter int unsigned ClksPerBit   = 16,             ///< UART clock cycles per bit
  parameter int unsigned MemBytes     = 65536,          ///< bytes of the board's memory
  parameter logic [31:0] MemBase      = 32'h8000_0000,  ///< its first device address
  parameter int unsigned ClockHz      = 100_000_000,    ///< reported by `info`
  /// Cycles without a byte after which a partial command is dropped.
  parameter int unsigned ResyncCycles = 100_000
) (
  input  logic        clk_i,             ///< clock
  input  logic        rst_ni,            ///< asynchronous reset, active low
  input  logic        uart_rx_i,         ///< serial line from the host
  output logic        uart_tx_o,         ///< serial line to the host

  output logic        host_req_o,        ///< memory access this cycle
  output logic        host_we_o,         ///< write (else read)
  output logic [31:0] host_addr_o,       ///< byte offset from MemBase
  output logic [7:0]  host_wdata_o,      ///< byte written
  input  logic        host_rvalid_i,     ///< host_rdata_i holds the byte read
  input  logic [7:0]  host_rdata_i,      ///< byte read

  output logic        m_axil_awvalid_o,  ///< write address valid
  input  logic        m_axil_awready_i,  ///< write address ready
  output logic [11:0] m_axil_awaddr_o,   ///< write address
  output logic        m_axil_wvalid_o,   ///< write data valid
  input  logic        m_axil_wready_i,   ///< write data ready
  output logic [31:0] m_axil_wdata_o,    ///< write data
  input  logic        m_axil_bvalid_i,   ///< write response valid
  output logic        m_axil_bready_o,   ///< write response ready
  input  logic [1:0]  m_axil_bresp_i,    ///< write response
  output logic        m_axil_arvalid_o,  ///< read address valid
  input  logic        m_axil_arready_i,  ///< read address ready
  output logic [11:0] m_axil_araddr_o,   ///< read address
  input  logic        m_axil_rvalid_i,   ///< read data valid
  output logic        m_axil_rready_o,   ///< read data ready
  input  logic [31:0] m_axil_rdata_i,    ///< read data
  input  logic [1:0]  m_axil_rresp_i,    ///< read response

  output logic        busy_o             ///< a command is in progress (for a LED)
);

  localparam int unsigned Baud   = ClockHz / ClksPerBit;
  localparam int unsigned TimerW = $clog2(ResyncCycles + 1);

  typedef enum logic [3:0] {
    Cmd, Args, Exec, WrData, SendStatus, SendWord, RdReq, RdWait, RdSend, RegWrite, RegRead
  } state_e;

  state_e      state_q;
  logic [7:0]  cmd_q, rx_data, tx_data, status_q, byte_q;
  logic        rx_valid, tx_valid, tx_ready;
  logic [2:0]  nargs_q, argn_q;     // argument bytes expected, received
  logic [63:0] args_q;
  logic [31:0] addr_q, left_q, word_q;
  logic [1:0]  wbyte_q;             // byte of word_q being sent
  logic [2:0]  info_q;              // info word being sent
  logic        more_q;              // after the status: send word_q (or the info words)
  logic        aw_q, w_q;           // AXI-Lite write handshakes still pending
  logic [TimerW-1:0] idle_q;

  npu_uart_rx #(.ClksPerBit(ClksPerBit)) u_rx (
    .clk_i, .rst_ni, .rx_i(uart_rx_i), .valid_o(rx_valid), .data_o(rx_data)
  );
  npu_uart_tx #(.ClksPerBit(ClksPerBit)) u_tx (
    .clk_i, .rst_ni, .valid_i(tx_valid), .ready_o(tx_ready), .data_i(tx_data), .tx_o(uart_tx_o)
  );

  function automatic logic [31:0] info_word(logic [2:0] i);
    unique case (32'(i))
      npu_link_pkg::InfoMagic:    info_word = npu_link_pkg::LinkMagic;
      npu_link_pkg::InfoVersion:  info_word = 32'(npu_link_pkg::LinkVersion);
      npu_link_pkg::InfoMemBase:  info_word = MemBase;
      npu_link_pkg::InfoMemBytes: info_word = 32'(MemBytes);
      npu_link_pkg::InfoClockHz:  info_word = 32'(ClockHz);
      npu_link_pkg::InfoBaud:     info_word = 32'(Baud);
      default:      info_word = '0;
    endcase
  endfunction

  // [addr, addr + len) inside the memory.
  function automatic logic mem_ok(logic [31:0] addr, logic [31:0] len);
    logic [32:0] off;
    off    = {1'b0, addr} - {1'b0, MemBase};
    mem_ok = !off[32] && off <= 33'(MemBytes) && off + {1'b0, len} <= 33'(MemBytes);
  endfunction

  logic [31:0] arg0, arg1;
  assign arg0 = args_q[31:0];
  assign arg1 = args_q[63:32];

  assign tx_valid = (state_q == SendStatus || state_q == SendWord || state_q == RdSend) && tx_ready;
  assign tx_data  = (state_q == SendStatus) ? status_q :
                    (state_q == SendWord)   ? word_q[8*wbyte_q +: 8] : byte_q;

  assign host_req_o   = (state_q == WrData && rx_valid && status_q == npu_link_pkg::StatusOk) ||
                        (state_q == RdReq);
  assign host_we_o    = (state_q == WrData);
  assign host_addr_o  = addr_q - MemBase;
  assign host_wdata_o = rx_data;

  assign m_axil_awvalid_o = (state_q == RegWrite) && aw_q;
  assign m_axil_awaddr_o  = arg0[11:0];
  assign m_axil_wvalid_o  = (state_q == RegWrite) && w_q;
  assign m_axil_wdata_o   = arg1;
  assign m_axil_bready_o  = (state_q == RegWrite) && !aw_q && !w_q;
  assign m_axil_arvalid_o = (state_q == RegRead) && aw_q;
  assign m_axil_araddr_o  = arg0[11:0];
  assign m_axil_rready_o  = (state_q == RegRead) && !aw_q;

  assign busy_o = (state_q != Cmd);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= Cmd;
      cmd_q    <= '0;
      status_q <= '0;
      byte_q   <= '0;
      nargs_q  <= '0;
      argn_q   <= '0;
      args_q   <= '0;
      addr_q   <= '0;
      left_q   <= '0;
      word_q   <= '0;
      wbyte_q  <= '0;
      info_q   <= '0;
      more_q   <= 1'b0;
      aw_q     <= 1'b0;
      w_q      <= 1'b0;
      idle_q   <= '0;
    end else begin
      // The resync timer runs while a command waits for its bytes.
      if (rx_valid || !(state_q == Args || state_q == WrData)) begin
        idle_q <= '0;
      end else if (idle_q == TimerW'(ResyncCycles)) begin
        state_q <= Cmd;
      end else begin
        idle_q <= idle_q + TimerW'(1);
      end

      unique case (state_q)
        Cmd: if (rx_valid) begin
          cmd_q  <= rx_data;
          argn_q <= '0;
          more_q <= 1'b0;
          info_q <= '0;
          unique case (rx_data)
            npu_link_pkg::CmdInfo:                           state_q <= Exec;
            npu_link_pkg::CmdMemWrite, npu_link_pkg::CmdMemRead, npu_link_pkg::CmdRegWrite: begin nargs_q <= 3'd7; state_q <= Args; end
            npu_link_pkg::CmdRegRead:                        begin nargs_q <= 3'd3; state_q <= Args; end
            default: begin status_q <= npu_link_pkg::StatusUnknown; state_q <= SendStatus; end
          endcase
        end
        Args: if (rx_valid) begin
          args_q[8*argn_q +: 8] <= rx_data;
          argn_q <= argn_q + 3'd1;
          if (argn_q == nargs_q) state_q <= Exec;
        end
        Exec: begin
          addr_q   <= arg0;
          left_q   <= arg1;
          status_q <= npu_link_pkg::StatusOk;
          unique case (cmd_q)
            npu_link_pkg::CmdInfo: begin
              word_q  <= info_word(3'd0);
              more_q  <= 1'b1;
              state_q <= SendStatus;
            end
            npu_link_pkg::CmdMemWrite: begin
              if (!mem_ok(arg0, arg1)) status_q <= npu_link_pkg::StatusRange;
              state_q <= (arg1 == '0) ? SendStatus : WrData;
            end
            npu_link_pkg::CmdMemRead: begin
              if (!mem_ok(arg0, arg1)) status_q <= npu_link_pkg::StatusRange;
              more_q  <= 1'b0;
              state_q <= SendStatus;
            end
            npu_link_pkg::CmdRegWrite, npu_link_pkg::CmdRegRead: begin
              if (arg0[31:12] != '0) begin
                status_q <= npu_link_pkg::StatusRange;
                state_q  <= SendStatus;
              end else begin
                aw_q    <= 1'b1;
                w_q     <= 1'b1;
                state_q <= (cmd_q == npu_link_pkg::CmdRegWrite) ? RegWrite : RegRead;
              end
            end
            default: state_q <= Cmd;
          endcase
        end
        WrData: if (rx_valid) begin
          addr_q <= addr_q + 32'd1;
          left_q <= left_q - 32'd1;
          if (left_q == 32'd1) state_q <= SendStatus;
        end
        RegWrite: begin
          if (m_axil_awready_i) aw_q <= 1'b0;
          if (m_axil_wready_i) w_q <= 1'b0;
          if (!aw_q && !w_q && m_axil_bvalid_i) begin
            if (m_axil_bresp_i != 2'b00) status_q <= npu_link_pkg::StatusRange;
            state_q <= SendStatus;
          end
        end
        RegRead: begin
          if (m_axil_arready_i) aw_q <= 1'b0;
          if (!aw_q && m_axil_rvalid_i) begin
            if (m_axil_rresp_i != 2'b00) status_q <= npu_link_pkg::StatusRange;
            else more_q <= 1'b1;
            word_q  <= m_axil_rdata_i;
            state_q <= SendStatus;
          end
        end
        SendStatus: if (tx_ready) begin
          wbyte_q <= '0;
          if (more_q) state_q <= SendWord;
          else if (cmd_q == npu_link_pkg::CmdMemRead && status_q == npu_link_pkg::StatusOk && left_q != '0) state_q <= RdReq;
          else state_q <= Cmd;
        end
        SendWord: if (tx_ready) begin
          wbyte_q <= wbyte_q + 2'd1;
          if (wbyte_q == 2'd3) begin
            if (cmd_q == npu_link_pkg::CmdInfo && 32'(info_q) + 1 < npu_link_pkg::InfoWords) begin
              info_q <= info_q + 3'd1;
              word_q <= info_word(info_q + 3'd1);
            end else begin
              state_q <= Cmd;
            end
          end
        end
        RdReq: state_q <= RdWait;
        RdWait: if (host_rvalid_i) begin
          byte_q  <= host_rdata_i;
          addr_q  <= addr_q + 32'd1;
          left_q  <= left_q - 32'd1;
          state_q <= RdSend;
        end
        RdSend: if (tx_ready) state_q <= (left_q == '0) ? Cmd : RdReq;
        default: state_q <= Cmd;
      endcase
    end
  end

endmodule
