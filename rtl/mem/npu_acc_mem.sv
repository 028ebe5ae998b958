// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0

/// Accumulator memory: two banks of Rows / 2 rows of Dim int32 lanes.
///
/// The top row-address bit selects the bank, so the compiler double-buffers
/// by computing into one half while the store unit drains the other. Each
/// bank is an npu_ram_2p. The compute unit's read and write ports are always
/// granted; the store unit's read port shares each bank's read port and is
/// refused (st_gnt_o low) in a cycle where the compute unit reads the same
/// bank; likewise the window unit's write port shares each bank's write port
/// and is refused (win_gnt_o low) in a cycle where the compute unit writes
/// the same bank. Read data appear the cycle after the (granted) request;
/// each read port remembers which bank it read so that its data are steered
/// correctly whatever the other port does meanwhile.
module npu_acc_mem #(
  parameter int unsigned Dim  = 16,    ///< int32 lanes per row
  parameter int unsigned Rows = 2048,  ///< rows over both banks (a power of two, >= 2)
  /// Row address width; derived, do not override.
  parameter int unsigned AddrW = $clog2(Rows)
) (
  input  logic               clk_i,        ///< clock
  input  logic               rst_ni,       ///< asynchronous reset, active low
  input  logic               cmp_re_i,     ///< compute read request (always granted)
  input  logic [AddrW-1:0]   cmp_raddr_i,  ///< compute read row
  output logic [Dim*32-1:0]  cmp_rdata_o,  ///< compute read data, the cycle after cmp_re_i
  input  logic               cmp_we_i,     ///< compute write (always granted)
  input  logic [AddrW-1:0]   cmp_waddr_i,  ///< compute write row
  input  logic [Dim*32-1:0]  cmp_wdata_i,  ///< compute write data
  input  logic               win_we_i,     ///< window write request
  input  logic [AddrW-1:0]   win_waddr_i,  ///< window write row
  input  logic [Dim*32-1:0]  win_wdata_i,  ///< window write data
  output logic               win_gnt_o,    ///< window write granted this cycle
  input  logic               st_re_i,      ///< store read request
  input  logic [AddrW-1:0]   st_raddr_i,   ///< store read row
  output logic               st_gnt_o,     ///< store read granted this cycle
  output logic [Dim*32-1:0]  st_rdata_o    ///< store read data, the cycle after a grant
);

  localparam int unsigned BankAW = AddrW - 1;
  localparam int unsigned BankRows = Rows / 2;
  localparam int unsigned RowBits = Dim * 32;

  logic                 cmp_rbank, st_rbank, cmp_wbank, win_wbank;
  logic                 cmp_rbank_q, st_rbank_q;
  logic [2*RowBits-1:0] bank_rdata;

  assign cmp_rbank = cmp_raddr_i[AddrW-1];
  assign st_rbank  = st_raddr_i[AddrW-1];
  assign cmp_wbank = cmp_waddr_i[AddrW-1];
  assign win_wbank = win_waddr_i[AddrW-1];

  // The store read loses only against a compute read of the same bank.
  assign st_gnt_o = st_re_i && !(cmp_re_i && (cmp_rbank == st_rbank));
  // The window write loses only against a compute write of the same bank.
  assign win_gnt_o = win_we_i && !(cmp_we_i && (cmp_wbank == win_wbank));

  for (genvar b = 0; b < 2; b++) begin : gen_bank
    logic              cmp_hit, st_hit, re, cmp_whit, win_whit;
    logic [BankAW-1:0] raddr;

    assign cmp_hit = cmp_re_i && (cmp_rbank == 1'(b));
    assign st_hit  = st_gnt_o && (st_rbank == 1'(b));
    assign re      = cmp_hit || st_hit;
    assign raddr   = cmp_hit ? cmp_raddr_i[BankAW-1:0] : st_raddr_i[BankAW-1:0];
    assign cmp_whit = cmp_we_i && (cmp_wbank == 1'(b));
    assign win_whit = win_gnt_o && (win_wbank == 1'(b));

    npu_ram_2p #(
      .Width(RowBits),
      .Depth(BankRows)
    ) u_ram (
      .clk_i  (clk_i),
      .we_i   (cmp_whit || win_whit),
      .waddr_i(cmp_whit ? cmp_waddr_i[BankAW-1:0] : win_waddr_i[BankAW-1:0]),
      .wdata_i(cmp_whit ? cmp_wdata_i : win_wdata_i),
      .re_i   (re),
      .raddr_i(raddr),
      .rdata_o(bank_rdata[b*RowBits +: RowBits])
    );
  end

  // Which bank each port read last; only used to steer the data, so holding
  // the old value when there is no read is harmless.
  logic cmp_rbank_d, st_rbank_d;

  always_comb begin
    cmp_rbank_d = cmp_rbank_q;
    st_rbank_d  = st_rbank_q;
    if (cmp_re_i) begin
      cmp_rbank_d = cmp_rbank;
    end
    if (st_gnt_o) begin
      st_rbank_d = st_rbank;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cmp_rbank_q <= 1'b0;
      st_rbank_q  <= 1'b0;
    end else begin
      cmp_rbank_q <= cmp_rbank_d;
      st_rbank_q  <= st_rbank_d;
    end
  end

  assign cmp_rdata_o = cmp_rbank_q ? bank_rdata[RowBits +: RowBits] : bank_rdata[0 +: RowBits];
  assign st_rdata_o  = st_rbank_q ? bank_rdata[RowBits +: RowBits] : bank_rdata[0 +: RowBits];

  // Parameter checks at elaboration.
  if (Rows < 2 || (Rows & (Rows - 1)) != 0) begin : gen_param_check
    $error("npu_acc_mem: Rows must be a power of two, at least 2");
  end

endmodule
