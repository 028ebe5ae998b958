// npu_board_sim: the simulated FPGA board (tb/fpga/board_sim.h) as a
// program. It prints the pseudo-terminal to open, e.g.
//
//   npu_board_sim --link /tmp/board.tty &
//   npu run model.onnx --backend fpga --port /tmp/board.tty ...
//
// and clocks the board until it is interrupted (SIGINT, SIGTERM).
#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <exception>

#include "tb/fpga/board_sim.h"

namespace {
std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The simulated npu FPGA board behind a pseudo-terminal"};
  npu::fpga_tb::BoardSimOptions opt;
  app.add_option("--link", opt.link_path, "also make the terminal reachable as this symbolic link");
  app.add_option("--trace", opt.trace_path, "write an FST waveform of the board");
  CLI11_PARSE(app, argc, argv);
  try {
    npu::fpga_tb::BoardSim board(opt);
    std::signal(SIGINT, OnSignal);
    std::signal(SIGTERM, OnSignal);
    std::printf("npu_board_sim: npu_fpga_top %s on %s%s%s\n", board.Config(), board.Port().c_str(),
                opt.link_path.empty() ? "" : " = ", opt.link_path.c_str());
    std::fflush(stdout);
    board.Run(g_stop);
    std::printf("npu_board_sim: stopped after %llu cycles\n",
                static_cast<unsigned long long>(board.Cycles()));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "npu_board_sim: %s\n", e.what());
    return 1;
  }
  return 0;
}
