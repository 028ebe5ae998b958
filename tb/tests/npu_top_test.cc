// Top-level tests of npu_top: the verilated RTL driven through its AXI ports
// by the coroutine harness, checked bit for bit against the Eigen golden
// model and against the instruction-level simulator (ISS).
//
// One binary per hardware configuration (NPU_TB_CONFIG). Every random case
// prints its seed; a failing case prints the line that replays it alone.
// The memory model runs with random latency and backpressure on every
// channel, seeded per case.

#include <fmt/format.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "sw/compiler/compiler.h"
#include "sw/gen/npu_isa.h"
#include "sw/gen/npu_regs.h"
#include "sw/iss/iss.h"
#include "sw/runtime/layout.h"
#include "sw/runtime/runner.h"
#include "tb/dut/rtl_backend.h"
#include "tb/sim/sim.h"
#include "tb/tests/random_layers.h"

#ifndef NPU_TB_CONFIG
#error "NPU_TB_CONFIG must name the hardware configuration"
#endif

namespace npu {
namespace {

using compiler::CompiledLayer;
using compiler::ConvLayer;
using compiler::GemmLayer;
using runtime::DeviceMemory;
using runtime::RunResult;
using runtime::RunStatus;
using sim::TestContext;

constexpr uint32_t kBase = 0x10000000;

const HwConfig& Hw() {
  static const HwConfig* hw = FindHwConfig(NPU_TB_CONFIG);
  return *hw;
}

dut::RtlBackendOptions RtlOptions(const TestContext& ctx) {
  dut::RtlBackendOptions o;
  o.harness.mem = bus::AxiMemoryConfig::Default(ctx.seed);
  o.harness.trace_path = ctx.trace_path;
  o.max_cycles = 50000000;
  return o;
}

// Random GEMM/conv limits that keep one case to well under a second of
// simulation on this configuration.
uint64_t MacBudget() { return uint64_t{1} << (Hw().dim <= 4 ? 21 : Hw().dim <= 8 ? 23 : 25); }

// Runs `layer` on the ISS and the RTL; checks both against the golden output
// and each other; reports cycles and MAC utilization.
void CheckLayer(const TestContext& ctx, const ConvLayer& layer, const std::vector<int8_t>& input,
                const std::vector<int8_t>& golden, const std::string& what) {
  const CompiledLayer cl = compiler::Compile(layer, Hw(), kBase);
  iss::Iss iss(Hw());
  const runtime::RunOutput ref = runtime::Run(iss, cl, input);
  NPU_CHECK(ref.result.status.ok) << what << ": ISS stopped: " << ref.result.status.Describe();
  dut::RtlBackend rtl(Hw(), RtlOptions(ctx));
  const runtime::RunOutput got = runtime::Run(rtl, cl, input);
  NPU_CHECK(got.result.status.ok) << what << ": RTL stopped: " << got.result.status.Describe();
  NPU_CHECK_EQ(ref.outputs[0].size(), golden.size()) << what;
  NPU_CHECK_EQ(got.outputs[0].size(), golden.size()) << what;
  for (size_t i = 0; i < golden.size(); ++i) {
    NPU_CHECK_EQ(int(ref.outputs[0][i]), int(golden[i]))
        << what << ": ISS differs from golden at " << i;
    NPU_CHECK_EQ(int(got.outputs[0][i]), int(golden[i]))
        << what << ": RTL differs from golden at " << i;
  }
  NPU_CHECK_EQ(got.result.stats.macs, ref.result.stats.macs) << what << ": MAC counters differ";
  const double util =
      got.result.stats.cycles
          ? double(cl.macs) / (double(got.result.stats.cycles) * Hw().dim * Hw().dim)
          : 0;
  fmt::print("  {}: PASS, {} cycles, {:.1f}% MAC utilization\n", what, got.result.stats.cycles,
             100 * util);
}

void RandomGemmCase(const TestContext& ctx) {
  auto rng = ctx.MakeRng();
  testing::GemmLimits lim;
  lim.max_macs = MacBudget();
  const GemmLayer g = testing::RandomGemm(rng, lim);
  std::vector<int8_t> a(size_t(g.m) * g.k);
  for (auto& x : a) x = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
  CheckLayer(ctx, g.ToConv(), a, testing::GoldenGemm(g, a), testing::Describe(g));
}

void RandomConvCase(const TestContext& ctx) {
  auto rng = ctx.MakeRng();
  testing::ConvLimits lim;
  lim.max_macs = MacBudget();
  lim.max_channels = 3 * Hw().dim;
  const ConvLayer c = testing::RandomConv(rng, lim);
  const auto x = testing::RandomInput(rng, c);
  CheckLayer(ctx, c, x, testing::GoldenConv(c, x), testing::Describe(c));
}

NPU_SIM_TEST_CASES(gemm_random, 300) { RandomGemmCase(ctx); }

NPU_SIM_TEST_CASES(conv_random, 200) { RandomConvCase(ctx); }

// Shapes at the edges: single rows/columns, sizes around the array size,
// and each dimension at 512.
NPU_SIM_TEST(gemm_edges) {
  auto rng = ctx.MakeRng();
  const int d = int(Hw().dim);
  const int shapes[][3] = {
      {1, 1, 1},   {1, d, 1},   {d, 1, d},   {d - 1, d + 1, d}, {d + 1, d - 1, 2 * d + 1},
      {512, 3, 5}, {2, 512, 3}, {3, 2, 512}, {512, d, d}};
  for (const auto& s : shapes) {
    const GemmLayer g =
        testing::RandomGemmShape(rng, std::max(1, s[0]), std::max(1, s[1]), std::max(1, s[2]));
    std::vector<int8_t> a(size_t(g.m) * g.k);
    for (auto& x : a) x = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
    CheckLayer(ctx, g.ToConv(), a, testing::GoldenGemm(g, a), testing::Describe(g));
  }
}

// ---------------------------------------------------------------------------
// Registers.
// ---------------------------------------------------------------------------

NPU_SIM_TEST(csr_identity_and_reset_values) {
  dut::HarnessOptions o;
  o.trace_path = ctx.trace_path;
  o.csr = bus::AxiLiteMasterConfig{};
  o.csr.seed = ctx.seed;
  dut::NpuHarness h(NPU_TB_CONFIG, o);
  h.Run([&](dut::NpuHarness& h) -> sim::Task<> {
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kId), regs::kMagic);
    const uint32_t ver = co_await h.ReadReg(regs::kHwVersion);
    NPU_CHECK_EQ((ver & regs::kHwVersionDimMask) >> regs::kHwVersionDimLsb, Hw().dim);
    NPU_CHECK_EQ(ver & regs::kHwVersionIsaVersionMask, uint32_t(isa::kIsaVersion));
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kHwSpadA), Hw().spad_a);
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kHwSpadB), Hw().spad_b);
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kHwSpadP), Hw().spad_p);
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kHwAcc), Hw().acc);
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kWatchdog), regs::kWatchdogReset);
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kStatus), 0u);
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kErrCause), 0u);
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kIrqStatus), 0u);
    NPU_CHECK_EQ(co_await h.ReadReg(0xffc), 0u) << "unmapped offsets read 0";
    // Read/write registers hold what is written.
    auto rng = ctx.MakeRng();
    for (uint32_t off :
         {regs::kStreamAddr, regs::kStreamLen, regs::kWinBase, regs::kWinSize, regs::kWatchdog}) {
      const uint32_t v = static_cast<uint32_t>(rng());
      co_await h.WriteReg(off, v);
      NPU_CHECK_EQ(co_await h.ReadReg(off), v) << fmt::format("register 0x{:03x}", off);
    }
    // Write-only and read-only registers ignore writes.
    co_await h.WriteReg(regs::kId, 0);
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kId), regs::kMagic);
    co_await h.WriteReg(regs::kCtrl, regs::kCtrlIrqDoneEnMask);
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kCtrl), regs::kCtrlIrqDoneEnMask);
    NPU_CHECK(!h.Model().Irq());
  });
}

// ---------------------------------------------------------------------------
// Errors: each cause stops the NPU cleanly, is reported with the same cause,
// instruction index and address as the ISS, raises the interrupt, and a soft
// reset brings the NPU back (a correct layer runs right after).
// ---------------------------------------------------------------------------

struct SmallLayer {
  GemmLayer gemm;
  CompiledLayer cl;
  std::vector<int8_t> input, golden;
};

SmallLayer MakeSmallLayer(std::mt19937_64& rng) {
  SmallLayer s;
  testing::GemmLimits lim;
  lim.max_dim = 40;
  lim.max_macs = 1 << 14;
  do {
    s.gemm = testing::RandomGemm(rng, lim);
  } while (s.gemm.m < 2 || s.gemm.n < 2);
  s.input.resize(size_t(s.gemm.m) * s.gemm.k);
  for (auto& x : s.input)
    x = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
  s.golden = testing::GoldenGemm(s.gemm, s.input);
  s.cl = compiler::Compile(s.gemm.ToConv(), Hw(), kBase);
  return s;
}

// A harness on this configuration with the default (seeded, random-timing)
// memory model holding `image`.
std::unique_ptr<dut::NpuHarness> HarnessWith(const TestContext& ctx, const DeviceMemory& image) {
  dut::HarnessOptions o;
  o.mem = bus::AxiMemoryConfig::Default(ctx.seed);
  o.trace_path = ctx.trace_path;
  auto h = std::make_unique<dut::NpuHarness>(NPU_TB_CONFIG, o);
  h->Mem().Write(image.Base(), image.Data());
  return h;
}

// The layer output currently in the harness's memory model.
std::vector<int8_t> OutputIn(dut::NpuHarness& h, const CompiledLayer& cl) {
  DeviceMemory now(cl.base, cl.size);
  std::vector<uint8_t> bytes(cl.size);
  h.Mem().Read(cl.base, bytes);
  now.Write(cl.base, bytes);
  return runtime::ReadOutput(cl, now);
}

int FindOpcode(const CompiledLayer& cl, isa::Opcode op, int nth = 0) {
  for (size_t i = 0; i < cl.program.size(); ++i) {
    if (isa::OpcodeOf(cl.program[i]) == static_cast<uint32_t>(op) && nth-- == 0) return int(i);
  }
  throw std::logic_error("program has no such instruction");
}

// Runs a (broken) program on the ISS and on the RTL, compares the reported
// errors, then checks that the RTL recovers and runs a correct layer.
void CheckError(const TestContext& ctx, const std::string& what, uint32_t expect_cause,
                const std::function<void(CompiledLayer&)>& breaker, uint32_t stream_offset = 0,
                std::pair<uint32_t, uint32_t> bus_error = {0, 0},
                bus::Resp resp = bus::Resp::kSlvErr) {
  auto rng = ctx.MakeRng();
  SmallLayer s = MakeSmallLayer(rng);
  CompiledLayer broken = s.cl;
  breaker(broken);
  const uint32_t n = uint32_t(broken.program.size());

  iss::Iss iss(Hw());
  dut::RtlBackend rtl(Hw(), RtlOptions(ctx));
  if (bus_error.second > bus_error.first) {
    iss.AddBusError(bus_error.first, bus_error.second);
    rtl.Harness().Mem().AddError(bus_error.first, bus_error.second, resp);
  }
  DeviceMemory m_iss = runtime::BuildImage(broken, s.input);
  DeviceMemory m_rtl = runtime::BuildImage(broken, s.input);
  const RunResult r_iss = iss.Run(m_iss, broken.program_addr + stream_offset, n);
  const RunResult r_rtl = rtl.Run(m_rtl, broken.program_addr + stream_offset, n);
  NPU_CHECK(!r_iss.status.ok) << what << ": the ISS did not report an error";
  NPU_CHECK(!r_rtl.status.ok) << what << ": the RTL did not report an error";
  NPU_CHECK_EQ(r_rtl.status.err_cause, expect_cause)
      << what << ": RTL reported " << r_rtl.status.Describe();
  NPU_CHECK_EQ(r_iss.status.err_cause, expect_cause)
      << what << ": ISS reported " << r_iss.status.Describe();
  NPU_CHECK_EQ(r_rtl.status.err_pc, r_iss.status.err_pc) << what << ": error pc differs";
  NPU_CHECK_EQ(r_rtl.status.err_addr, r_iss.status.err_addr) << what << ": error address differs";
  fmt::print("  {}: {} (RTL and ISS agree)\n", what, r_rtl.status.Describe());

  // Recovery: the harness soft-reset the NPU; a correct layer now runs.
  rtl.Harness().Mem().ClearErrors();
  const runtime::RunOutput ok = runtime::Run(rtl, s.cl, s.input);
  NPU_CHECK(ok.result.status.ok) << what << ": after soft reset: " << ok.result.status.Describe();
  NPU_CHECK(ok.outputs[0] == s.golden) << what << ": wrong output after soft reset";
}

constexpr uint32_t kIllegal = regs::kErrCauseIllegalInstrMask;
constexpr uint32_t kAddr = regs::kErrCauseAddrRangeMask;
constexpr uint32_t kResp = regs::kErrCauseAxiRespMask;

NPU_SIM_TEST(err_illegal_opcode) {
  CheckError(ctx, "illegal opcode", kIllegal, [](CompiledLayer& cl) {
    const int pc = int(cl.program.size()) / 2;
    isa::SetField(cl.program[pc], isa::field::kOpcodeLsb, isa::field::kOpcodeWidth, 0xe, "opcode");
  });
}

NPU_SIM_TEST(err_zero_instruction) {
  CheckError(ctx, "all-zero instruction", kIllegal,
             [](CompiledLayer& cl) { cl.program[cl.program.size() - 1] = isa::Word{}; });
}

NPU_SIM_TEST(err_illegal_dependency) {
  CheckError(ctx, "load waits on a queue it does not have", kIllegal, [](CompiledLayer& cl) {
    const int pc = FindOpcode(cl, isa::Opcode::kLoad, 1);
    const uint32_t missing = ((1u << isa::kDepBits) - 1) & ~isa::LegalWaitMask(isa::Unit::kLoad);
    NPU_CHECK(missing != 0) << "every wait bit of load names a queue";
    isa::SetField(cl.program[pc], isa::field::kWaitMaskLsb, isa::kDepBits, missing, "wait");
  });
}

NPU_SIM_TEST(err_spad_range) {
  CheckError(ctx, "compute row out of range", kIllegal, [](CompiledLayer& cl) {
    const int pc = FindOpcode(cl, isa::Opcode::kCompute);
    auto c = isa::ComputeInstr::Decode(cl.program[pc]);
    c.a_row = Hw().spad_a - 1;
    c.m = 2;
    cl.program[pc] = c.Encode();
  });
}

NPU_SIM_TEST(err_shift_out_of_range) {
  CheckError(ctx, "requantization shift out of range", kIllegal, [](CompiledLayer& cl) {
    // Row 8 of the first parameter group holds the int8 shifts.
    const size_t at = (cl.params_addr - cl.const_addr) + 8 * size_t(cl.dim);
    cl.constants[0].bytes.at(at) = 40;
  });
}

NPU_SIM_TEST(err_empty_clamp_range) {
  CheckError(ctx, "store with act_min > act_max", kIllegal, [](CompiledLayer& cl) {
    const int pc = FindOpcode(cl, isa::Opcode::kStore);
    auto s = isa::StoreInstr::Decode(cl.program[pc]);
    s.act_min = 10;
    s.act_max = -10;
    cl.program[pc] = s.Encode();
  });
}

NPU_SIM_TEST(err_load_outside_window) {
  CheckError(ctx, "load outside the window", kAddr, [](CompiledLayer& cl) {
    const int pc = FindOpcode(cl, isa::Opcode::kLoad, 1);
    auto l = isa::LoadInstr::Decode(cl.program[pc]);
    l.src_addr = cl.base + cl.size + 4096;
    cl.program[pc] = l.Encode();
  });
}

NPU_SIM_TEST(err_store_outside_window) {
  CheckError(ctx, "store outside the window", kAddr, [](CompiledLayer& cl) {
    const int pc = FindOpcode(cl, isa::Opcode::kStore);
    auto s = isa::StoreInstr::Decode(cl.program[pc]);
    s.dst_addr = cl.base - 4096;
    cl.program[pc] = s.Encode();
  });
}

NPU_SIM_TEST(err_misaligned_load) {
  CheckError(ctx, "misaligned load address", kAddr, [](CompiledLayer& cl) {
    const int pc = FindOpcode(cl, isa::Opcode::kLoad, 1);
    auto l = isa::LoadInstr::Decode(cl.program[pc]);
    l.src_addr += 1;
    cl.program[pc] = l.Encode();
  });
}

NPU_SIM_TEST(err_fetch_outside_window) {
  // The stream starts right after the end of the permitted window.
  auto rng = ctx.MakeRng();
  const SmallLayer s = MakeSmallLayer(rng);
  CheckError(
      ctx, "fetch outside the window", kAddr, [](CompiledLayer&) {},
      s.cl.size - (s.cl.program_addr - s.cl.base));
}

NPU_SIM_TEST(err_misaligned_stream) {
  CheckError(
      ctx, "misaligned stream address", kAddr, [](CompiledLayer&) {}, 16);
}

NPU_SIM_TEST(err_load_bus_error) {
  auto rng = ctx.MakeRng();
  SmallLayer s = MakeSmallLayer(rng);
  CheckError(ctx, "SLVERR on a load", kResp, [](CompiledLayer&) {}, 0,
             {s.cl.inputs[0].addr, s.cl.inputs[0].addr + 1});
}

NPU_SIM_TEST(err_store_bus_error) {
  auto rng = ctx.MakeRng();
  SmallLayer s = MakeSmallLayer(rng);
  CheckError(ctx, "SLVERR on a store", kResp, [](CompiledLayer&) {}, 0,
             {s.cl.outputs[0].addr, s.cl.outputs[0].addr + 1});
}

NPU_SIM_TEST(err_load_decerr) {
  auto rng = ctx.MakeRng();
  SmallLayer s = MakeSmallLayer(rng);
  CheckError(
      ctx, "DECERR on a load", kResp, [](CompiledLayer&) {}, 0,
      {s.cl.const_addr, s.cl.const_addr + 1}, bus::Resp::kDecErr);
}

NPU_SIM_TEST(err_store_decerr) {
  auto rng = ctx.MakeRng();
  SmallLayer s = MakeSmallLayer(rng);
  CheckError(
      ctx, "DECERR on a store", kResp, [](CompiledLayer&) {}, 0,
      {s.cl.outputs[0].addr, s.cl.outputs[0].addr + 1}, bus::Resp::kDecErr);
}

NPU_SIM_TEST(err_fetch_bus_error) {
  auto rng = ctx.MakeRng();
  SmallLayer s = MakeSmallLayer(rng);
  const uint32_t at = s.cl.program_addr + isa::kInstrBytes * uint32_t(s.cl.program.size() / 2);
  CheckError(ctx, "SLVERR on an instruction fetch", kResp, [](CompiledLayer&) {}, 0, {at, at + 1});
}

NPU_SIM_TEST(err_watchdog_deadlock) {
  // A compute waits for a load token that no load ever gives: the watchdog
  // stops the NPU, reporting the oldest blocked instruction.
  auto rng = ctx.MakeRng();
  SmallLayer s = MakeSmallLayer(rng);
  CompiledLayer cl = s.cl;
  isa::ComputeInstr c;
  c.deps.wait = isa::ComputeInstr::kWaitLoad;
  c.m = 1;
  c.nk = 1;
  // Replace the final store by a compute that waits for a load token: every
  // load token has been taken by the real computes before it.
  cl.program.back() = c.Encode();
  DeviceMemory m_rtl = runtime::BuildImage(cl, s.input);
  DeviceMemory m_iss = runtime::BuildImage(cl, s.input);
  iss::Iss iss(Hw());
  const RunResult r_iss = iss.Run(m_iss, cl.program_addr, uint32_t(cl.program.size()));
  auto h = HarnessWith(ctx, m_rtl);
  h->Run([&](dut::NpuHarness& h) -> sim::Task<> {
    co_await h.WriteReg(regs::kWatchdog, 3000);
    dut::StreamOutcome out = co_await h.RunStream(m_rtl.Base(), m_rtl.Size(), cl.program_addr,
                                                  uint32_t(cl.program.size()), 1000000);
    NPU_CHECK_EQ(out.status.err_cause, regs::kErrCauseWatchdogMask) << out.status.Describe();
    NPU_CHECK_EQ(r_iss.status.err_cause, regs::kErrCauseWatchdogMask) << r_iss.status.Describe();
    NPU_CHECK_EQ(out.status.err_pc, r_iss.status.err_pc);
    fmt::print("  watchdog: {} (RTL and ISS agree)\n", out.status.Describe());
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kStatus), 0u) << "soft reset left the NPU busy";
  });
  // Recovery through the same device.
  dut::RtlBackend rtl(Hw(), RtlOptions(ctx));
  const runtime::RunOutput ok = runtime::Run(rtl, s.cl, s.input);
  NPU_CHECK(ok.result.status.ok && ok.outputs[0] == s.golden);
}

NPU_SIM_TEST(soft_reset_mid_stream_and_queued_streams) {
  // Two streams queued back to back both complete; a soft reset in the
  // middle of a third stops it with the bus left legal (the memory model
  // checks the protocol) and nothing else written; the NPU then runs again.
  auto rng = ctx.MakeRng();
  SmallLayer s = MakeSmallLayer(rng);
  const DeviceMemory mem = runtime::BuildImage(s.cl, s.input);
  auto h = HarnessWith(ctx, mem);
  const uint32_t n = uint32_t(s.cl.program.size());
  h->Run([&](dut::NpuHarness& h) -> sim::Task<> {
    co_await h.StartStream(mem.Base(), mem.Size(), s.cl.program_addr, n);
    co_await h.WriteReg(regs::kDoorbell, 1);  // the same stream again, queued
    for (int i = 0; i < 10000000; ++i) {
      if (co_await h.ReadReg(regs::kStreamsDone) == 2) break;
      co_await sim::ClockCycles(h.Clock(), 16);
    }
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kStreamsDone), 2u);
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kErrCause), 0u);
    NPU_CHECK(OutputIn(h, s.cl) == s.golden) << "queued streams computed wrongly";
    co_await h.WriteReg(regs::kIrqStatus, 3);
    // Output after two identical runs.
    // Third run, interrupted.
    co_await h.StartStream(mem.Base(), mem.Size(), s.cl.program_addr, n);
    co_await sim::ClockCycles(h.Clock(), 40);
    co_await h.SoftReset();
    const uint32_t status = co_await h.ReadReg(regs::kStatus);
    NPU_CHECK_EQ(status, 0u) << "NPU not idle after soft reset";
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kErrCause), 0u);
    NPU_CHECK(h.Mem().Idle()) << "bus transactions outstanding after soft reset";
  });
  dut::RtlBackend rtl(Hw(), RtlOptions(ctx));
  const runtime::RunOutput ok = runtime::Run(rtl, s.cl, s.input);
  NPU_CHECK(ok.result.status.ok && ok.outputs[0] == s.golden);
}

NPU_SIM_TEST(err_queue_overflow) {
  // Ringing the doorbell with the stream queue full loses that stream and
  // reports queue_overflow with the error interrupt, but does not stop the
  // streams already queued; a soft reset clears the cause.
  auto rng = ctx.MakeRng();
  SmallLayer s = MakeSmallLayer(rng);
  const DeviceMemory mem = runtime::BuildImage(s.cl, s.input);
  auto h = HarnessWith(ctx, mem);
  const uint32_t n = uint32_t(s.cl.program.size());
  h->Run([&](dut::NpuHarness& h) -> sim::Task<> {
    co_await h.StartStream(mem.Base(), mem.Size(), s.cl.program_addr, n);  // runs
    uint32_t rung = 1;
    // Fill the queue behind the running stream, then one more.
    while (((co_await h.ReadReg(regs::kStatus)) & regs::kStatusQueueFullMask) == 0) {
      co_await h.WriteReg(regs::kDoorbell, 1);
      ++rung;
    }
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kErrCause), 0u);
    co_await h.WriteReg(regs::kDoorbell, 1);  // lost
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kErrCause), regs::kErrCauseQueueOverflowMask);
    NPU_CHECK(h.Model().Irq()) << "queue overflow raises the error interrupt";
    // Every accepted stream still completes.
    for (int i = 0; i < 1000000; ++i) {
      if (co_await h.ReadReg(regs::kStreamsDone) == rung) break;
      co_await sim::ClockCycles(h.Clock(), 16);
    }
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kStreamsDone), rung);
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kStatus), 0u);
    co_await h.SoftReset();
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kErrCause), 0u);
    fmt::print("  queue overflow: {} streams accepted, the next one reported and lost\n", rung);
  });
  NPU_CHECK(OutputIn(*h, s.cl) == s.golden) << "queued streams computed wrongly";
}

}  // namespace
}  // namespace npu

int main(int argc, char** argv) { return npu::sim::RunTests(argc, argv); }
