#include "tb/fpga/board_sim.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>
#include <verilated.h>
#include <verilated_fst_c.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "Vnpu_fpga_top.h"
#include "sw/gen/npu_link.h"
#include "tb/cov/coverage_sink.h"
#include "tb/fpga/uart_model.h"

namespace npu::fpga_tb {

namespace {

// Without a byte either way for this many cycles, the loop waits on the
// terminal instead of clocking an idle board.
constexpr uint64_t kIdleCycles = 200000;

}  // namespace

struct BoardSim::Impl {
  std::unique_ptr<VerilatedContext> ctx = std::make_unique<VerilatedContext>();
  std::unique_ptr<Vnpu_fpga_top> top;
  std::unique_ptr<VerilatedFstC> trace;
  int master = -1;
  int slave = -1;  // kept open so that the terminal survives hosts coming and going
  std::string link;
  UartDriver to_board{link::kSimBoardClksPerBit};
  UartSampler from_board{link::kSimBoardClksPerBit};
  uint64_t time = 0;

  void Tick() {
    top->clk_i = 0;
    top->eval();
    if (trace) trace->dump(time);
    time += 5;
    top->clk_i = 1;
    top->eval();
    if (trace) trace->dump(time);
    time += 5;
  }
};

BoardSim::BoardSim(const BoardSimOptions& options) : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.ctx->randReset(0);
  s.top = std::make_unique<Vnpu_fpga_top>(s.ctx.get(), "board");
  if (!options.trace_path.empty()) {
    s.ctx->traceEverOn(true);
    s.trace = std::make_unique<VerilatedFstC>();
    s.top->trace(s.trace.get(), 99);
    s.trace->open(options.trace_path.c_str());
  }
  s.master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (s.master < 0 || ::grantpt(s.master) != 0 || ::unlockpt(s.master) != 0) {
    throw std::runtime_error(
        fmt::format("cannot make a pseudo-terminal: {}", std::strerror(errno)));
  }
  port_ = ::ptsname(s.master);
  s.slave = ::open(port_.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  termios tio{};
  if (s.slave < 0 || ::tcgetattr(s.slave, &tio) != 0) {
    throw std::runtime_error(fmt::format("cannot open {}: {}", port_, std::strerror(errno)));
  }
  ::cfmakeraw(&tio);
  ::tcsetattr(s.slave, TCSANOW, &tio);
  ::fcntl(s.master, F_SETFL, ::fcntl(s.master, F_GETFL) | O_NONBLOCK);
  if (!options.link_path.empty()) {
    std::filesystem::remove(options.link_path);
    std::filesystem::create_symlink(port_, options.link_path);
    s.link = options.link_path;
  }
  // Power-on reset.
  s.top->uart_rx_i = 1;
  s.top->rst_ni = 0;
  for (int i = 0; i < 5; ++i) s.Tick();
  s.top->rst_ni = 1;
  for (int i = 0; i < 5; ++i) s.Tick();
}

BoardSim::~BoardSim() {
  Stop();
  Impl& s = *impl_;
  if (s.trace) s.trace->close();
  s.top->final();
  cov::CollectCoverage(*s.ctx);  // make cov
  if (!s.link.empty()) std::filesystem::remove(s.link);
  if (s.slave >= 0) ::close(s.slave);
  if (s.master >= 0) ::close(s.master);
}

const char* BoardSim::Config() { return link::kSimBoardConfig; }

void BoardSim::Start() {
  stop_ = false;
  thread_ = std::thread([this] { Run(stop_); });
}

void BoardSim::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void BoardSim::Run(const std::atomic<bool>& stop) {
  Impl& s = *impl_;
  uint64_t quiet = 0;
  std::vector<uint8_t> out;
  uint8_t buf[4096];
  while (!stop.load(std::memory_order_relaxed)) {
    // Bytes from the host, read when the driver runs dry.
    if (s.to_board.Idle()) {
      const int timeout_ms = quiet >= kIdleCycles ? 20 : 0;
      pollfd p{s.master, POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) > 0 && (p.revents & POLLIN)) {
        const ssize_t n = ::read(s.master, buf, sizeof buf);
        for (ssize_t i = 0; i < n; ++i) s.to_board.Push(buf[i]);
        if (n > 0) quiet = 0;
      }
      if (quiet >= kIdleCycles && s.to_board.Idle()) continue;
    }
    // A batch of cycles.
    for (int i = 0; i < 64; ++i) {
      s.top->uart_rx_i = s.to_board.Step();
      s.Tick();
      if (const auto byte = s.from_board.Step(s.top->uart_tx_o)) out.push_back(*byte);
    }
    cycles_.fetch_add(64, std::memory_order_relaxed);
    if (!out.empty()) {
      size_t done = 0;
      while (done < out.size()) {
        const ssize_t n = ::write(s.master, out.data() + done, out.size() - done);
        if (n > 0)
          done += size_t(n);
        else if (errno != EAGAIN && errno != EINTR)
          break;
      }
      out.clear();
      quiet = 0;
    } else if (s.to_board.Idle() && s.from_board.Idle()) {
      quiet += 64;
    } else {
      quiet = 0;
    }
  }
}

}  // namespace npu::fpga_tb
