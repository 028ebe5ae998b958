// Copyright npu contributors.
// SPDX-License-Identifier: Apache-2.0
//
// What every board top (npu_<board>.sv) passes through to npu_fpga_top,
// written once: the configuration (spec/configs.toml, set by the FPGA flow
// from the board's or the given configuration), the post-processing and window lanes,
// the system memory and the UART rate (constraints/<board>/board.toml). A board top declares
// `NPU_BOARD_PARAMS last in its parameter list and passes
// `NPU_BOARD_TOP_PARAMS, then its clock, to npu_fpga_top.

`ifndef NPU_BOARD_SVH
`define NPU_BOARD_SVH

`define NPU_BOARD_PARAMS \
  parameter int unsigned Dim        = npu_config_pkg::DefaultDim, \
  parameter int unsigned SpadARows  = npu_config_pkg::DefaultSpadARows, \
  parameter int unsigned SpadBRows  = npu_config_pkg::DefaultSpadBRows, \
  parameter int unsigned SpadPRows  = npu_config_pkg::DefaultSpadPRows, \
  parameter int unsigned AccRows    = npu_config_pkg::DefaultAccRows, \
  parameter int unsigned MaxReads   = npu_config_pkg::DefaultMaxReads, \
  parameter int unsigned QueueDepth = npu_config_pkg::DefaultQueueDepth, \
  parameter int unsigned WindowCols = npu_config_pkg::DefaultWindowCols, \
  parameter int unsigned WindowK    = npu_config_pkg::DefaultWindowK, \
  parameter int unsigned PostLanes  = Dim, \
  parameter int unsigned WindowLanes = Dim, \
  parameter int unsigned MemBytes   = 65536, \
  parameter int unsigned Baud       = 1_000_000

`define NPU_BOARD_TOP_PARAMS \
    .Dim       (Dim), \
    .SpadARows (SpadARows), \
    .SpadBRows (SpadBRows), \
    .SpadPRows (SpadPRows), \
    .AccRows   (AccRows), \
    .MaxReads  (MaxReads), \
    .QueueDepth(QueueDepth), \
    .WindowCols(WindowCols), \
    .WindowK   (WindowK), \
    .PostLanes (PostLanes), \
    .WindowLanes(WindowLanes), \
    .MemBytes  (MemBytes), \
    .Baud      (Baud)

`endif  // NPU_BOARD_SVH
