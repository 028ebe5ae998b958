// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

`include "npu_assert.svh"

/// Control and status registers behind an AXI4-Lite slave.
///
/// The register map is generated from spec/regs.toml (npu_reg_pkg). This
/// block holds the host-writable configuration, the stream queue that the
/// doorbell fills, the interrupt status, and the read multiplexer; the error
/// state lives in npu_ctrl and the counters in npu_perf (under npu_counters).
module npu_csr #(
  parameter int unsigned Dim        = npu_config_pkg::DefaultDim,         ///< reported in HW_VERSION
  parameter int unsigned SpadARows  = npu_config_pkg::DefaultSpadARows,   ///< reported in HW_SPAD_A
  parameter int unsigned SpadBRows  = npu_config_pkg::DefaultSpadBRows,   ///< reported in HW_SPAD_B
  parameter int unsigned SpadPRows  = npu_config_pkg::DefaultSpadPRows,   ///< reported in HW_SPAD_P
  parameter int unsigned AccRows    = npu_config_pkg::DefaultAccRows,     ///< reported in HW_ACC
  parameter int unsigned WindowCols = npu_config_pkg::DefaultWindowCols,  ///< reported in HW_WINDOW_COLS
  parameter int unsigned WindowK    = npu_config_pkg::DefaultWindowK,     ///< reported in HW_WINDOW_K
  /// Streams the doorbell can queue.
  parameter int unsigned StreamQueueDepth = npu_config_pkg::StreamQueue,
  /// Width of the counter block from npu_perf; derived, do not override.
  parameter int unsigned CntW = 32 * npu_reg_pkg::CounterWords
) (
  input  logic        clk_i,             ///< clock
  input  logic        rst_ni,            ///< asynchronous reset, active low
  input  logic        clear_i,           ///< soft reset: empty the stream queue, clear IRQ status

  // AXI4-Lite slave.
  input  logic        s_axil_awvalid_i,  ///< write address valid
  output logic        s_axil_awready_o,  ///< write address ready
  input  logic [11:0] s_axil_awaddr_i,   ///< write byte offset
  input  logic        s_axil_wvalid_i,   ///< write data valid
  output logic        s_axil_wready_o,   ///< write data ready
  input  logic [31:0] s_axil_wdata_i,    ///< write data
  input  logic [3:0]  s_axil_wstrb_i,    ///< write strobes (only full-word writes take effect)
  output logic        s_axil_bvalid_o,   ///< write response valid
  input  logic        s_axil_bready_i,   ///< write response ready
  output logic [1:0]  s_axil_bresp_o,    ///< write response (always OKAY)
  input  logic        s_axil_arvalid_i,  ///< read address valid
  output logic        s_axil_arready_o,  ///< read address ready
  input  logic [11:0] s_axil_araddr_i,   ///< read byte offset
  output logic        s_axil_rvalid_o,   ///< read data valid
  input  logic        s_axil_rready_i,   ///< read data ready
  output logic [31:0] s_axil_rdata_o,    ///< read data
  output logic [1:0]  s_axil_rresp_o,    ///< read response (always OKAY; unmapped offsets read 0)

  // Stream queue towards npu_fetch.
  output logic        stream_valid_o,    ///< a stream is queued
  input  logic        stream_ready_i,    ///< fetch takes it
  output logic [31:0] stream_addr_o,     ///< its first instruction's address
  output logic [31:0] stream_len_o,      ///< its instruction count

  // Configuration to the datapath.
  output logic [31:0] win_base_o,        ///< permitted window base
  output logic [31:0] win_size_o,        ///< permitted window size
  output logic [31:0] watchdog_o,        ///< watchdog limit (0 = off)
  output logic        soft_reset_o,      ///< pulse: CTRL.soft_reset written
  output logic        clear_counters_o,  ///< pulse: CTRL.clear_counters written
  output logic        queue_overflow_o,  ///< pulse: doorbell while the queue was full

  // Status from the datapath.
  input  logic        busy_i,            ///< a stream is executing
  input  logic        halted_i,          ///< stopped on an error
  input  logic        resetting_i,       ///< soft reset in progress
  input  logic        stream_done_i,     ///< pulse: a stream completed
  input  logic        error_i,           ///< pulse: a new error stopped the NPU
  input  npu_reg_pkg::err_cause_t err_cause_i,  ///< sticky error causes
  input  logic [31:0] err_pc_i,          ///< first error's instruction index
  input  logic [31:0] err_addr_i,        ///< first error's address
  input  logic [CntW-1:0] counters_i,    ///< npu_perf's counter block, in register order from RegCntBase

  output logic        irq_o              ///< level interrupt
);

  localparam int unsigned NumWords = CntW / 32;
  localparam int unsigned WordW = $clog2(NumWords);
  localparam int unsigned QCntW = $clog2(StreamQueueDepth + 1);

  // ---------------------------------------------------------------------------
  // AXI4-Lite handshakes: a write is taken when address and data are both
  // valid and no response is pending; a read when no read data is pending.
  // ---------------------------------------------------------------------------
  logic        wr_en, rd_en;
  logic        bvalid_d, bvalid_q, rvalid_d, rvalid_q;
  logic [31:0] rdata_d, rdata_q;

  assign wr_en            = s_axil_awvalid_i & s_axil_wvalid_i & ~bvalid_q;
  assign rd_en            = s_axil_arvalid_i & ~rvalid_q;
  assign s_axil_awready_o = wr_en;
  assign s_axil_wready_o  = wr_en;
  assign s_axil_arready_o = rd_en;
  assign s_axil_bvalid_o  = bvalid_q;
  assign s_axil_bresp_o   = 2'b00;
  assign s_axil_rvalid_o  = rvalid_q;
  assign s_axil_rdata_o   = rdata_q;
  assign s_axil_rresp_o   = 2'b00;

  // Partial-word writes are ignored: every register is a full word.
  logic        wr_full;
  logic [11:0] waddr;
  assign wr_full = wr_en & (s_axil_wstrb_i == 4'hf);
  assign waddr   = {s_axil_awaddr_i[11:2], 2'b00};

  // Registers are word aligned: the byte-offset bits select nothing.
  logic unused_addr_bits;
  assign unused_addr_bits = ^{s_axil_awaddr_i[1:0], s_axil_araddr_i[1:0]};

  // ---------------------------------------------------------------------------
  // Writable registers.
  // ---------------------------------------------------------------------------
  logic        irq_done_en_d, irq_done_en_q, irq_err_en_d, irq_err_en_q;
  logic [31:0] stream_addr_d, stream_addr_q, stream_len_d, stream_len_q;
  logic [31:0] win_base_d, win_base_q, win_size_d, win_size_q;
  logic [31:0] watchdog_d, watchdog_q;
  logic        irq_done_d, irq_done_q, irq_error_d, irq_error_q;
  logic [31:0] streams_done_d, streams_done_q;
  logic        doorbell;

  // Write pulses, kept out of the register process so that the interrupt
  // path (doorbell -> queue overflow -> error -> IRQ status) is not a loop.
  assign doorbell         = wr_full && (waddr == npu_reg_pkg::RegDoorbell);
  assign soft_reset_o     = wr_full && (waddr == npu_reg_pkg::RegCtrl) &&
                            s_axil_wdata_i[npu_reg_pkg::CtrlSoftResetBit];
  assign clear_counters_o = wr_full && (waddr == npu_reg_pkg::RegCtrl) &&
                            s_axil_wdata_i[npu_reg_pkg::CtrlClearCountersBit];

  always_comb begin
    irq_done_en_d  = irq_done_en_q;
    irq_err_en_d   = irq_err_en_q;
    stream_addr_d  = stream_addr_q;
    stream_len_d   = stream_len_q;
    win_base_d     = win_base_q;
    win_size_d     = win_size_q;
    watchdog_d     = watchdog_q;
    irq_done_d     = irq_done_q | stream_done_i;
    irq_error_d    = irq_error_q | error_i;
    streams_done_d = streams_done_q + (stream_done_i ? 32'd1 : 32'd0);
    if (wr_full) begin
      unique case (waddr)
        npu_reg_pkg::RegCtrl: begin
          irq_done_en_d = s_axil_wdata_i[npu_reg_pkg::CtrlIrqDoneEnBit];
          irq_err_en_d  = s_axil_wdata_i[npu_reg_pkg::CtrlIrqErrEnBit];
        end
        npu_reg_pkg::RegIrqStatus: begin
          if (s_axil_wdata_i[npu_reg_pkg::IrqStatusDoneBit]) irq_done_d = stream_done_i;
          if (s_axil_wdata_i[npu_reg_pkg::IrqStatusErrorBit]) irq_error_d = error_i;
        end
        npu_reg_pkg::RegStreamAddr: stream_addr_d = s_axil_wdata_i;
        npu_reg_pkg::RegStreamLen:  stream_len_d  = s_axil_wdata_i;
        npu_reg_pkg::RegWinBase:    win_base_d    = s_axil_wdata_i;
        npu_reg_pkg::RegWinSize:    win_size_d    = s_axil_wdata_i;
        npu_reg_pkg::RegWatchdog:   watchdog_d    = s_axil_wdata_i;
        default: ;
      endcase
    end
    if (clear_i) begin
      irq_done_d  = 1'b0;
      irq_error_d = 1'b0;
    end
  end

  // ---------------------------------------------------------------------------
  // Stream queue.
  // ---------------------------------------------------------------------------
  logic             q_wready;
  logic [QCntW-1:0] q_count;

  npu_fifo #(
    .Width(64),
    .Depth(StreamQueueDepth)
  ) u_stream_queue (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .clear_i  (clear_i),
    .wvalid_i (doorbell),
    .wready_o (q_wready),
    .wdata_i  ({stream_len_q, stream_addr_q}),
    .rvalid_o (stream_valid_o),
    .rready_i (stream_ready_i),
    .rdata_o  ({stream_len_o, stream_addr_o}),
    .count_o  (q_count)
  );

  assign queue_overflow_o = doorbell & ~q_wready;
  assign win_base_o       = win_base_q;
  assign win_size_o       = win_size_q;
  assign watchdog_o       = watchdog_q;
  assign irq_o            = (irq_done_q & irq_done_en_q) | (irq_error_q & irq_err_en_q);

  // ---------------------------------------------------------------------------
  // Read multiplexer. Reading CNT_*_LO latches the matching _HI word so that
  // 64-bit counters read consistently.
  // ---------------------------------------------------------------------------
  logic [11:0] raddr;
  logic [31:0] hi_latch_d, hi_latch_q;
  logic [31:0] status;
  assign raddr = {s_axil_araddr_i[11:2], 2'b00};

  // Words of the counter block that are the low / high half of a 64-bit
  // counter: reading a low half latches its high half, reading a high half
  // returns the latch, so that the pair reads consistently.
  logic [NumWords-1:0] word_lo64, word_hi64;
  always_comb begin
    word_lo64 = '0;
    word_hi64 = '0;
    for (int unsigned c = 0; c < npu_reg_pkg::NumCounters; c++) begin
      if (npu_reg_pkg::CounterIs64[c]) begin
        word_lo64[WordW'(npu_reg_pkg::CounterWord[c*8 +: 8])]      = 1'b1;
        word_hi64[WordW'(32'(npu_reg_pkg::CounterWord[c*8 +: 8]) + 1)] = 1'b1;
      end
    end
  end

  logic             cnt_hit;
  logic [11:0]      cnt_off;
  logic [WordW-1:0] cnt_word;
  assign cnt_hit  = (raddr >= npu_reg_pkg::RegCntBase) &&
                    (raddr < npu_reg_pkg::RegCntBase + 12'(4 * NumWords));
  assign cnt_off  = raddr - npu_reg_pkg::RegCntBase;
  assign cnt_word = cnt_off[2 +: WordW];
  // Offsets inside the block are word aligned and below 4 * NumWords.
  logic unused_cnt_off;
  assign unused_cnt_off = ^{cnt_off[11:2+WordW], cnt_off[1:0]};

  always_comb begin
    status = '0;
    status[npu_reg_pkg::StatusBusyBit]      = busy_i;
    status[npu_reg_pkg::StatusQueueFullBit] = ~q_wready;
    status[npu_reg_pkg::StatusHaltedBit]    = halted_i;
    status[npu_reg_pkg::StatusResettingBit] = resetting_i;
    status[npu_reg_pkg::StatusQueuedLsb +: npu_reg_pkg::StatusQueuedW] =
        npu_reg_pkg::StatusQueuedW'(q_count);
  end

  always_comb begin
    rdata_d    = rdata_q;
    hi_latch_d = hi_latch_q;
    rvalid_d   = rvalid_q & ~s_axil_rready_i;
    bvalid_d   = (bvalid_q & ~s_axil_bready_i) | wr_en;
    if (rd_en) begin
      rvalid_d = 1'b1;
      rdata_d  = '0;
      if (cnt_hit) begin
        rdata_d = word_hi64[cnt_word] ? hi_latch_q : counters_i[32 * 32'(cnt_word) +: 32];
        if (word_lo64[cnt_word]) begin
          hi_latch_d = counters_i[32 * (32'(cnt_word) + 1) +: 32];
        end
      end else begin
        unique case (raddr)
          npu_reg_pkg::RegId:          rdata_d = npu_reg_pkg::Magic;
          npu_reg_pkg::RegHwVersion:   rdata_d = {16'd0, 8'(Dim), 8'(npu_isa_pkg::IsaVersion)};
          npu_reg_pkg::RegHwSpadA:     rdata_d = 32'(SpadARows);
          npu_reg_pkg::RegHwSpadB:     rdata_d = 32'(SpadBRows);
          npu_reg_pkg::RegHwSpadP:     rdata_d = 32'(SpadPRows);
          npu_reg_pkg::RegHwAcc:       rdata_d = 32'(AccRows);
          npu_reg_pkg::RegHwWindowCols: rdata_d = 32'(WindowCols);
          npu_reg_pkg::RegHwWindowK:    rdata_d = 32'(WindowK);
          npu_reg_pkg::RegCtrl:        rdata_d = {29'd0, irq_err_en_q, irq_done_en_q, 1'b0};
          npu_reg_pkg::RegStatus:      rdata_d = status;
          npu_reg_pkg::RegIrqStatus:   rdata_d = {30'd0, irq_error_q, irq_done_q};
          npu_reg_pkg::RegErrCause:    rdata_d = 32'(err_cause_i);
          npu_reg_pkg::RegErrPc:       rdata_d = err_pc_i;
          npu_reg_pkg::RegErrAddr:     rdata_d = err_addr_i;
          npu_reg_pkg::RegStreamAddr:  rdata_d = stream_addr_q;
          npu_reg_pkg::RegStreamLen:   rdata_d = stream_len_q;
          npu_reg_pkg::RegWinBase:     rdata_d = win_base_q;
          npu_reg_pkg::RegWinSize:     rdata_d = win_size_q;
          npu_reg_pkg::RegWatchdog:    rdata_d = watchdog_q;
          npu_reg_pkg::RegStreamsDone: rdata_d = streams_done_q;
          default:                     rdata_d = '0;
        endcase
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      irq_done_en_q  <= 1'b0;
      irq_err_en_q   <= 1'b0;
      stream_addr_q  <= '0;
      stream_len_q   <= '0;
      win_base_q     <= '0;
      win_size_q     <= '0;
      watchdog_q     <= npu_reg_pkg::RegWatchdogReset;
      irq_done_q     <= 1'b0;
      irq_error_q    <= 1'b0;
      streams_done_q <= '0;
      bvalid_q       <= 1'b0;
      rvalid_q       <= 1'b0;
      rdata_q        <= '0;
      hi_latch_q     <= '0;
    end else begin
      irq_done_en_q  <= irq_done_en_d;
      irq_err_en_q   <= irq_err_en_d;
      stream_addr_q  <= stream_addr_d;
      stream_len_q   <= stream_len_d;
      win_base_q     <= win_base_d;
      win_size_q     <= win_size_d;
      watchdog_q     <= watchdog_d;
      irq_done_q     <= irq_done_d;
      irq_error_q    <= irq_error_d;
      streams_done_q <= streams_done_d;
      bvalid_q       <= bvalid_d;
      rvalid_q       <= rvalid_d;
      rdata_q        <= rdata_d;
      hi_latch_q     <= hi_latch_d;
    end
  end

  // ---------------------------------------------------------------------------
  // Assertions on the AXI4-Lite slave (simulation only): a response stays,
  // unchanged, until taken, and there is none without its request.
  // ---------------------------------------------------------------------------
  `NPU_ASSERT(BHeld_A, s_axil_bvalid_o && !s_axil_bready_i |=> s_axil_bvalid_o, clk_i, rst_ni)
  `NPU_ASSERT(RHeld_A, s_axil_rvalid_o && !s_axil_rready_i |=>
              s_axil_rvalid_o && $stable(s_axil_rdata_o), clk_i, rst_ni)
  `NPU_ASSERT(BAfterWrite_A, $rose(s_axil_bvalid_o) |->
              $past(s_axil_awvalid_i && s_axil_awready_o && s_axil_wvalid_i && s_axil_wready_o),
              clk_i, rst_ni)
  `NPU_ASSERT(RAfterRead_A, $rose(s_axil_rvalid_o) |->
              $past(s_axil_arvalid_i && s_axil_arready_o), clk_i, rst_ni)
  // Nothing valid while in reset (checked on clock edges during reset too).
  `NPU_ASSERT(NoRespInReset_A, !rst_ni |-> !s_axil_bvalid_o && !s_axil_rvalid_o, clk_i, 1'b1)

endmodule
