// The board path end to end: the fpga backend (sw/fpga) over a
// pseudo-terminal to the simulated board (board_sim.h): host runtime, link
// protocol, UART at the bit level, bridge, NPU, block-RAM memory and back.
// Random conv layers must equal the golden model and the simulator bit for
// bit; the trained digits model must equal the simulator. Bad ports, a
// silent board, a model too big and protocol errors give clear errors.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "sw/compiler/compiler.h"
#include "sw/fpga/fpga_backend.h"
#include "sw/gen/npu_configs.h"
#include "sw/gen/npu_link.h"
#include "sw/graph/graph_compiler.h"
#include "sw/graph/onnx_import.h"
#include "sw/iss/iss.h"
#include "sw/runtime/model.h"
#include "sw/runtime/npy.h"
#include "sw/runtime/runner.h"
#include "tb/common/test_seed.h"
#include "tb/fpga/board_sim.h"
#include "tb/tests/random_layers.h"

namespace npu {
namespace {

using fpga::FpgaBackend;
using fpga::FpgaOptions;
using fpga::LinkError;

const std::string kDigits = NPU_SOURCE_DIR "/models/digits/";

// The simulated board shifts every UART bit through the RTL: a 4 KiB write
// takes about a second of wall time, more on a loaded machine, so the reply
// timeout meant for a real board (2 s) would fail these tests spuriously. The
// timeout itself is tested by FpgaErrors.SilentBoard.
constexpr std::chrono::seconds kSimReplyTimeout{60};

class Board : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    board_ = new fpga_tb::BoardSim();
    board_->Start();
  }
  static void TearDownTestSuite() {
    delete board_;
    board_ = nullptr;
  }
  static FpgaOptions Options() {
    FpgaOptions o;
    o.port = board_->Port();
    o.timeout = kSimReplyTimeout;
    return o;
  }
  static fpga_tb::BoardSim* board_;
};
fpga_tb::BoardSim* Board::board_ = nullptr;

TEST_F(Board, IdentifiesItself) {
  FpgaBackend be(Options());
  EXPECT_EQ(be.Config().name, fpga_tb::BoardSim::Config());
  EXPECT_EQ(be.Board().mem_base, 0x8000'0000u);
  EXPECT_GT(be.Board().mem_bytes, 0u);
  EXPECT_EQ(be.Name(), "fpga-" + std::string(fpga_tb::BoardSim::Config()));
}

// Runs a compiled layer on the board and on the simulator from the same
// image: the whole memory afterwards and every counter the simulator models
// must agree, and the output must be the golden one. False (nothing run) if
// the layer does not fit the board's memory.
bool RunOnBoardAndSimulator(FpgaBackend& be, const compiler::CompiledLayer& cl,
                            const std::vector<std::vector<int8_t>>& inputs,
                            const std::vector<int8_t>& golden, const std::string& what) {
  if (cl.size > be.Board().mem_bytes) return false;
  runtime::DeviceMemory m_iss = runtime::BuildImage(cl, inputs, 0x5a);
  runtime::DeviceMemory m_fpga = m_iss;
  iss::Iss sim(be.Config());
  const auto n = static_cast<uint32_t>(cl.program.size());
  const runtime::RunResult ref = sim.Run(m_iss, cl.program_addr, n);
  const runtime::RunResult got = be.Run(m_fpga, cl.program_addr, n);
  EXPECT_TRUE(ref.status.ok) << what << ": " << ref.status.Describe();
  EXPECT_TRUE(got.status.ok) << what << ": " << got.status.Describe();
  EXPECT_TRUE(std::equal(m_iss.Data().begin(), m_iss.Data().end(), m_fpga.Data().begin()))
      << what << ": the board's memory differs from the simulator's";
  EXPECT_EQ(got.stats.macs, ref.stats.macs) << what;
  EXPECT_EQ(got.stats.instructions, ref.stats.instructions) << what;
  EXPECT_GT(got.stats.cycles, 0u) << what;
  EXPECT_EQ(runtime::ReadOutput(cl, m_fpga), golden) << what;
  return true;
}

// Random conv layers, every other one with a fused residual add (the store
// unit's add lanes, shared by the channels as the boards build them).
TEST_F(Board, ConvLayersBitExact) {
  FpgaBackend be(Options());
  std::mt19937_64 rng = testing::MakeRng();
  testing::ConvLimits lim;
  lim.max_hw = 10;
  lim.max_channels = 12;
  lim.max_macs = uint64_t{1} << 15;
  int ran = 0;
  for (int i = 0; ran < 4 && i < 50 && !HasFailure(); ++i) {
    const bool residual = ran % 2 == 1;
    const compiler::ConvLayer layer =
        residual ? testing::RandomResidualConv(rng, lim) : testing::RandomConv(rng, lim);
    std::vector<std::vector<int8_t>> xs{testing::RandomInput(rng, layer)};
    if (residual) xs.push_back(testing::RandomResidual(rng, layer));
    const std::vector<int8_t> golden =
        residual ? testing::GoldenConv(layer, xs[0], xs[1]) : testing::GoldenConv(layer, xs[0]);
    ran += RunOnBoardAndSimulator(be, compiler::Compile(layer, be.Config(), be.Board().mem_base),
                                  xs, golden, testing::Describe(layer));
  }
  EXPECT_EQ(ran, 4);
}

// Random depthwise convolutions and poolings: the window unit, its ALU lanes
// shared by the channels as the boards build them.
TEST_F(Board, WindowLayersBitExact) {
  FpgaBackend be(Options());
  const uint32_t base = be.Board().mem_base;
  std::mt19937_64 rng = testing::MakeRng();
  testing::DepthwiseLimits dl;
  dl.max_hw = 10;
  dl.max_channels = 12;
  dl.max_k = static_cast<int>(be.Config().window_k);
  testing::PoolLimits pl;
  pl.max_hw = 10;
  pl.max_channels = 12;
  pl.max_k = dl.max_k;
  int ran = 0;
  for (int i = 0; ran < 4 && i < 50 && !HasFailure(); ++i) {
    if (ran % 2 == 0) {
      const compiler::DepthwiseLayer layer = testing::RandomDepthwise(rng, dl);
      const std::vector<int8_t> in = testing::RandomInput(rng, layer);
      ran += RunOnBoardAndSimulator(be, compiler::Compile(layer, be.Config(), base), {in},
                                    testing::GoldenDepthwise(layer, in), testing::Describe(layer));
    } else {
      const compiler::PoolLayer layer = testing::RandomPool(rng, pl);
      const std::vector<int8_t> in = testing::RandomInput(rng, layer);
      ran += RunOnBoardAndSimulator(be, compiler::Compile(layer, be.Config(), base), {in},
                                    testing::GoldenPool(layer, in), testing::Describe(layer));
    }
  }
  EXPECT_EQ(ran, 4);
}

// The trained digits CNN, compiled for the board's memory, gives the
// simulator's logits on the first images.
TEST_F(Board, DigitsModelMatchesSimulator) {
  FpgaBackend be(Options());
  graph::CompileOptions co;
  co.base = be.Board().mem_base;
  co.memory_bytes = be.Board().mem_bytes;
  const runtime::CompiledModel m =
      graph::CompileGraph(graph::ImportOnnxFile(kDigits + "digits_qdq.onnx"), be.Config(), co);
  const runtime::NpyArray images = runtime::ReadNpy(kDigits + "test_images.npy");
  iss::Iss sim(be.Config());
  for (int64_t i = 0; i < 3; ++i) {
    const std::vector<runtime::NpyArray> in = {runtime::BatchItem(images, i)};
    const runtime::ModelRunResult a = runtime::RunModel(sim, m, in);
    const runtime::ModelRunResult b = runtime::RunModel(be, m, in);
    ASSERT_TRUE(b.status.ok) << b.status.Describe();
    ASSERT_EQ(a.outputs[0].data, b.outputs[0].data) << "image " << i;
    for (const auto& l : b.layers) EXPECT_GT(l.result.stats.cycles, 0u) << l.name;
  }
}

TEST_F(Board, ModelTooBigForTheBoard) {
  FpgaBackend be(Options());
  runtime::DeviceMemory mem(be.Board().mem_base, be.Board().mem_bytes + 256);
  try {
    be.Run(mem, be.Board().mem_base, 1);
    FAIL() << "no error";
  } catch (const fpga::BoardMemoryError& e) {
    EXPECT_NE(std::string(e.what()).find("the board on"), std::string::npos) << e.what();
  }
}

// The link itself: an unknown command, a range error, and a command cut
// short, after which the board listens again.
TEST_F(Board, LinkErrorsAndResync) {
  fpga::SerialPort port(board_->Port(), 1000000);
  const std::chrono::milliseconds t(kSimReplyTimeout);
  const std::array<uint8_t, 1> bad = {0x00};
  port.Write(bad);
  uint8_t status = 0;
  port.Read(std::span(&status, 1), t, "status");
  EXPECT_EQ(status, link::kStatusUnknown);

  fpga::LinkClient client(port, t);
  const fpga::BoardInfo info = client.Info();
  std::vector<uint8_t> data(8, 1);
  EXPECT_THROW(client.MemWrite(info.mem_base + info.mem_bytes - 4, data), LinkError);
  EXPECT_THROW(client.RegRead(0x1000), LinkError);

  // A write of 100 bytes that stops after 3: the board drops it after its
  // resync time, then answers the next command.
  const std::array<uint8_t, 12> cut = {link::kCmdMemWrite, 0, 0, 0, 0x80, 100, 0, 0, 0, 1, 2, 3};
  port.Write(cut);
  const uint64_t from = board_->Cycles();
  while (board_->Cycles() < from + 4 * link::kSimBoardResyncCycles) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(client.Info().mem_bytes, info.mem_bytes);
  client.MemWrite(info.mem_base, data);
  std::vector<uint8_t> back(8);
  client.MemRead(info.mem_base, back);
  EXPECT_EQ(back, data);
}

TEST(FpgaErrors, AbsentPort) {
  FpgaOptions o;
  o.port = "/dev/npu-no-such-port";
  try {
    FpgaBackend be(o);
    FAIL() << "no error";
  } catch (const LinkError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open serial port /dev/npu-no-such-port"),
              std::string::npos)
        << e.what();
  }
}

// A terminal with nothing behind it: the backend gives up after its timeout.
TEST(FpgaErrors, SilentBoard) {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(::grantpt(master), 0);
  ASSERT_EQ(::unlockpt(master), 0);
  FpgaOptions o;
  o.port = ::ptsname(master);
  o.timeout = std::chrono::milliseconds(200);
  try {
    FpgaBackend be(o);
    FAIL() << "no error";
  } catch (const LinkError& e) {
    EXPECT_NE(std::string(e.what()).find("did not answer within 200 ms"), std::string::npos)
        << e.what();
  }
  ::close(master);
}

}  // namespace
}  // namespace npu
