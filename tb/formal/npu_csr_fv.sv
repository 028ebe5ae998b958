// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Formal wrapper of npu_csr (tb/formal/npu_csr.sby): its AXI4-Lite slave.
///
/// Environment (assumed): a legal AXI4-Lite master. AWVALID, WVALID and
/// ARVALID are low in reset; once raised, a valid stays high, with its
/// payload (AWADDR; WDATA, WSTRB; ARADDR) unchanged, until its ready (or a
/// reset). BREADY, RREADY, every non-bus input, clear_i and reset are free;
/// the first cycle is in reset.
///
/// Proven (slave side, and the contract of docs/architecture.md):
///   - nothing valid in reset; BVALID / RVALID, once high, stay high with
///     BRESP / RDATA, RRESP unchanged until BREADY / RREADY;
///   - no response without a request: counting AW, W and AR handshakes
///     against B and R handshakes, BVALID is high exactly when an AW and a W
///     were taken and not answered, RVALID exactly when an AR was; at most
///     one of each is outstanding (so none is lost or answered twice);
///   - a write is taken (AWREADY and WREADY, together) exactly when AW and W
///     are both valid and no B is pending; a read (ARREADY) exactly when AR
///     is valid and no R is pending;
///   - BRESP and RRESP are OKAY; the R data answer the AR they belong to:
///     ID reads the magic value and unmapped offsets (and write-only
///     DOORBELL) read 0, whatever ARADDR[1:0];
///   - WATCHDOG, WIN_BASE, WIN_SIZE change only through a full-word
///     (WSTRB = 0xF) write to their offset, and then hold the written data.
module npu_csr_fv (
  input logic        clk_i,
  input logic        rst_ni,
  input logic        clear_i,
  // AXI4-Lite master side (constrained below).
  input logic        awvalid_i,
  input logic [11:0] awaddr_i,
  input logic        wvalid_i,
  input logic [31:0] wdata_i,
  input logic [3:0]  wstrb_i,
  input logic        bready_i,
  input logic        arvalid_i,
  input logic [11:0] araddr_i,
  input logic        rready_i,
  // Everything else: free.
  input logic        stream_ready_i,
  input logic        busy_i,
  input logic        halted_i,
  input logic        resetting_i,
  input logic        stream_done_i,
  input logic        error_i,
  input npu_reg_pkg::err_cause_t err_cause_i,
  input logic [31:0] err_pc_i,
  input logic [31:0] err_addr_i,
  input logic [32*npu_reg_pkg::CounterWords-1:0] counters_i
);

  logic        awready, wready, bvalid, arready, rvalid;
  logic [1:0]  bresp, rresp;
  logic [31:0] rdata;
  logic [31:0] win_base, win_size, watchdog;

  npu_csr u_dut (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .clear_i          (clear_i),
    .s_axil_awvalid_i (awvalid_i),
    .s_axil_awready_o (awready),
    .s_axil_awaddr_i  (awaddr_i),
    .s_axil_wvalid_i  (wvalid_i),
    .s_axil_wready_o  (wready),
    .s_axil_wdata_i   (wdata_i),
    .s_axil_wstrb_i   (wstrb_i),
    .s_axil_bvalid_o  (bvalid),
    .s_axil_bready_i  (bready_i),
    .s_axil_bresp_o   (bresp),
    .s_axil_arvalid_i (arvalid_i),
    .s_axil_arready_o (arready),
    .s_axil_araddr_i  (araddr_i),
    .s_axil_rvalid_o  (rvalid),
    .s_axil_rready_i  (rready_i),
    .s_axil_rdata_o   (rdata),
    .s_axil_rresp_o   (rresp),
    .stream_valid_o   (),
    .stream_ready_i   (stream_ready_i),
    .stream_addr_o    (),
    .stream_len_o     (),
    .win_base_o       (win_base),
    .win_size_o       (win_size),
    .watchdog_o       (watchdog),
    .soft_reset_o     (),
    .clear_counters_o (),
    .queue_overflow_o (),
    .busy_i           (busy_i),
    .halted_i         (halted_i),
    .resetting_i      (resetting_i),
    .stream_done_i    (stream_done_i),
    .error_i          (error_i),
    .err_cause_i      (err_cause_i),
    .err_pc_i         (err_pc_i),
    .err_addr_i       (err_addr_i),
    .counters_i       (counters_i),
    .irq_o            ()
  );

`ifdef FORMAL
  localparam logic [1:0] Okay = 2'b00;

  logic f_past_valid = 1'b0;
  always @(posedge clk_i) f_past_valid <= 1'b1;
  always @(*) if (!f_past_valid) StartInReset_M: assume (!rst_ni);

  logic aw_hs, w_hs, b_hs, ar_hs, r_hs;
  assign aw_hs = awvalid_i && awready;
  assign w_hs  = wvalid_i && wready;
  assign b_hs  = bvalid && bready_i;
  assign ar_hs = arvalid_i && arready;
  assign r_hs  = rvalid && rready_i;

  // ---------------------------------------------------------------------------
  // Master: legal AXI4-Lite.
  // ---------------------------------------------------------------------------
  always @(*) begin
    if (!rst_ni) NoValidInReset_M: assume (!awvalid_i && !wvalid_i && !arvalid_i);
  end

  always @(posedge clk_i) begin
    if (f_past_valid && rst_ni && $past(rst_ni)) begin
      if ($past(awvalid_i && !awready)) AwHeld_M: assume (awvalid_i && awaddr_i == $past(awaddr_i));
      if ($past(wvalid_i && !wready)) begin
        WHeld_M: assume (wvalid_i && wdata_i == $past(wdata_i) && wstrb_i == $past(wstrb_i));
      end
      if ($past(arvalid_i && !arready)) ArHeld_M: assume (arvalid_i && araddr_i == $past(araddr_i));
    end
  end

  // ---------------------------------------------------------------------------
  // Outstanding requests: taken and not yet answered.
  // ---------------------------------------------------------------------------
  logic [1:0]  f_aw_out, f_w_out, f_ar_out;
  logic [11:0] f_raddr;  ///< ARADDR of the last read taken

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      f_aw_out <= '0;
      f_w_out  <= '0;
      f_ar_out <= '0;
      f_raddr  <= '0;
    end else begin
      f_aw_out <= f_aw_out + 2'(aw_hs) - 2'(b_hs);
      f_w_out  <= f_w_out + 2'(w_hs) - 2'(b_hs);
      f_ar_out <= f_ar_out + 2'(ar_hs) - 2'(r_hs);
      if (ar_hs) f_raddr <= araddr_i;
    end
  end

  // Offsets that read 0: unmapped, or the write-only DOORBELL.
  logic [11:0] f_rword;
  logic        f_reads_zero;
  assign f_rword = {f_raddr[11:2], 2'b00};
  always @(*) begin
    unique case (f_rword)
      npu_reg_pkg::RegId, npu_reg_pkg::RegHwVersion, npu_reg_pkg::RegHwSpadA,
      npu_reg_pkg::RegHwSpadB, npu_reg_pkg::RegHwSpadP, npu_reg_pkg::RegHwAcc,
      npu_reg_pkg::RegHwWindowCols, npu_reg_pkg::RegHwWindowK, npu_reg_pkg::RegCtrl,
      npu_reg_pkg::RegStatus, npu_reg_pkg::RegIrqStatus, npu_reg_pkg::RegErrCause,
      npu_reg_pkg::RegErrPc, npu_reg_pkg::RegErrAddr, npu_reg_pkg::RegStreamAddr,
      npu_reg_pkg::RegStreamLen, npu_reg_pkg::RegWinBase, npu_reg_pkg::RegWinSize,
      npu_reg_pkg::RegWatchdog, npu_reg_pkg::RegStreamsDone: f_reads_zero = 1'b0;
      default: f_reads_zero = !(f_rword >= npu_reg_pkg::RegCntBase &&
                                f_rword < npu_reg_pkg::RegCntBase +
                                          12'(4 * npu_reg_pkg::CounterWords));
    endcase
  end

  // ---------------------------------------------------------------------------
  // Slave properties.
  // ---------------------------------------------------------------------------
  always @(*) begin
    if (!rst_ni) begin
      NoRespInReset_A: assert (!bvalid && !rvalid);
    end else begin
      // Responses exactly for the requests taken, one at a time.
      OneOutstanding_A: assert (f_aw_out <= 2'd1 && f_w_out <= 2'd1 && f_ar_out <= 2'd1);
      BForWrite_A: assert (bvalid == (f_aw_out != '0 && f_w_out != '0));
      AwWTogether_A: assert (f_aw_out == f_w_out);
      RForRead_A: assert (rvalid == (f_ar_out != '0));
      // When requests are taken (docs/architecture.md, npu_csr).
      WriteTaken_A: assert (awready == (awvalid_i && wvalid_i && !bvalid));
      WreadyAwready_A: assert (wready == awready);
      ReadTaken_A: assert (arready == (arvalid_i && !rvalid));
      // Response codes and read data.
      if (bvalid) BrespOkay_A: assert (bresp == Okay);
      if (rvalid) begin
        RrespOkay_A: assert (rresp == Okay);
        if (f_rword == npu_reg_pkg::RegId) ReadId_A: assert (rdata == npu_reg_pkg::Magic);
        if (f_reads_zero) ReadZero_A: assert (rdata == '0);
      end
    end
  end

  always @(posedge clk_i) begin
    if (f_past_valid && rst_ni && $past(rst_ni)) begin
      // A response stays, unchanged, until taken.
      if ($past(bvalid && !bready_i)) BHeld_A: assert (bvalid && bresp == $past(bresp));
      if ($past(rvalid && !rready_i)) begin
        RHeld_A: assert (rvalid && rdata == $past(rdata) && rresp == $past(rresp));
      end
      // Configuration registers: only a full-word write to their offset.
      if (watchdog != $past(watchdog)) begin
        WatchdogOnlyByWrite_A: assert ($past(aw_hs && w_hs && wstrb_i == 4'hf &&
                                             awaddr_i[11:2] == npu_reg_pkg::RegWatchdog[11:2]));
      end
      if ($past(aw_hs && w_hs && wstrb_i == 4'hf &&
                awaddr_i[11:2] == npu_reg_pkg::RegWatchdog[11:2])) begin
        WatchdogWritten_A: assert (watchdog == $past(wdata_i));
      end
      if (win_base != $past(win_base)) begin
        WinBaseOnlyByWrite_A: assert ($past(aw_hs && w_hs && wstrb_i == 4'hf &&
                                            awaddr_i[11:2] == npu_reg_pkg::RegWinBase[11:2]));
      end
      if (win_size != $past(win_size)) begin
        WinSizeOnlyByWrite_A: assert ($past(aw_hs && w_hs && wstrb_i == 4'hf &&
                                            awaddr_i[11:2] == npu_reg_pkg::RegWinSize[11:2]));
      end
    end
  end

  // Reachability (sby task cover).
  always @(posedge clk_i) begin
    if (f_past_valid && rst_ni) begin
      cover (b_hs);                                          // a write answered
      cover (bvalid && !bready_i && awvalid_i && wvalid_i);  // next write waits for B
      cover (r_hs && f_rword == npu_reg_pkg::RegId);         // ID read
      cover (r_hs && f_reads_zero && f_raddr[1:0] != 2'b00); // unaligned unmapped read
      cover ($past(rvalid && !rready_i) && rvalid);          // R held
      cover (watchdog != $past(watchdog) && $past(rst_ni));  // WATCHDOG written
    end
  end
`endif

endmodule
