// Smoke-test DUT for the simulation kernel: an 8-bit counter.
module npu_sim_counter (
  input  logic       clk_i,    // clock
  input  logic       rst_ni,   // asynchronous reset, active low
  input  logic       en_i,     // count this cycle
  output logic [7:0] count_o,  // current count
  output logic       wrap_o    // count_o is at its maximum
);
  logic [7:0] count_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) count_q <= '0;
    else if (en_i) count_q <= count_q + 8'd1;
  end
  assign count_o = count_q;
  assign wrap_o  = (count_q == 8'hff);
endmodule
