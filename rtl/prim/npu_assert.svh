// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0
//
// Assertion macros, in the style of lowRISC's prim_assert.sv: concurrent
// assertions that stay on in simulation (Verilator --assert) and vanish in
// synthesis (Yosys defines SYNTHESIS).
//
//   `NPU_ASSERT(Name_A, prop, clk, rst_n)   prop holds at every clock edge
//                                           outside reset
//   `NPU_ASSERT_NEVER(Name_A, prop, clk, rst_n)
//   `NPU_COVER(Name_C, prop, clk, rst_n)    counts the clock edges outside
//                                           reset at which prop holds (a
//                                           cover point of make cov; each
//                                           must be hit, docs/testbench.md)

`ifndef NPU_ASSERT_SVH
`define NPU_ASSERT_SVH

`ifndef SYNTHESIS
`define NPU_ASSERT(__name, __prop, __clk, __rst_n) \
  __name: assert property (@(posedge __clk) disable iff (!(__rst_n)) (__prop)) \
    else $error("assertion %m failed");
`define NPU_COVER(__name, __prop, __clk, __rst_n) \
  __name: cover property (@(posedge __clk) disable iff (!(__rst_n)) (__prop));
`else
`define NPU_ASSERT(__name, __prop, __clk, __rst_n)
`define NPU_COVER(__name, __prop, __clk, __rst_n)
`endif

`define NPU_ASSERT_NEVER(__name, __prop, __clk, __rst_n) \
  `NPU_ASSERT(__name, !(__prop), __clk, __rst_n)

`endif  // NPU_ASSERT_SVH
