// Top-level tests of npu_top: the verilated RTL driven through its AXI ports
// by the coroutine harness, checked bit for bit against the Eigen golden
// model and against the instruction-level simulator (ISS).
//
// One binary per hardware configuration (NPU_TB_CONFIG). Every random case
// prints its seed; a failing case prints the line that replays it alone.
// The memory model runs with random latency and backpressure on every
// channel, seeded per case.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "sw/compiler/compiler.h"
#include "sw/gen/npu_isa.h"
#include "sw/gen/npu_regs.h"
#include "sw/isa/disasm.h"
#include "sw/isa/params.h"
#include "sw/isa/serialize.h"
#include "sw/iss/iss.h"
#include "sw/runtime/layout.h"
#include "sw/runtime/runner.h"
#include "tb/dut/lock_step.h"
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

// The memory model of a case: the default one (random latency and
// backpressure) mostly, the ideal one (no latency, no backpressure) and the
// stress one (heavy backpressure, latency up to 100) one case in ten each.
const char* MemoryProfile(const TestContext& ctx) {
  const uint64_t r = (ctx.seed >> 17) % 10;
  return r == 0 ? "ideal memory" : r == 1 ? "stress memory" : "default memory";
}

dut::RtlBackendOptions RtlOptions(const TestContext& ctx) {
  dut::RtlBackendOptions o;
  const std::string profile = MemoryProfile(ctx);
  o.harness.mem = profile == "ideal memory"    ? bus::AxiMemoryConfig::Ideal(ctx.seed)
                  : profile == "stress memory" ? bus::AxiMemoryConfig::Stress(ctx.seed)
                                               : bus::AxiMemoryConfig::Default(ctx.seed);
  o.harness.trace_path = ctx.trace_path;
  o.max_cycles = 50000000;
  return o;
}

constexpr uint32_t kIsaImage = 1u << 20;
constexpr uint32_t kIsaParams = kBase + 0x7000;  // parameter rows (after the program)
constexpr uint32_t kIsaData = kBase + 0x8000;    // random bytes
constexpr uint32_t kIsaDataSize = 0x78000;
constexpr uint32_t kIsaOut = kBase + 0x80000;  // outputs (poisoned)
constexpr uint8_t kPoison = 0xa5;

// A load without tokens of `rows` consecutive memory rows (one burst of
// `rows` beats from `src`) into scratchpad A rows dst_row, dst_row + 1, ...
isa::LoadInstr RowLoad(uint32_t src, uint32_t dst_row, uint32_t rows) {
  isa::LoadInstr ld;
  ld.spad = isa::Spad::kA;
  ld.sy = ld.sx = 1;
  ld.nc = 1;
  ld.src_addr = src;
  ld.src_c_stride = ld.src_row_stride = rows * Hw().dim;
  ld.dst_row = dst_row;
  ld.dst_c_stride = rows;
  ld.h = ld.ny = 1;
  ld.w = ld.nx = rows;
  return ld;
}

// The time counters of a run the RTL completed (docs/gen/regs.md): each
// unit's busy cycles, and the cycles its queue head waits for a token
// (stall_dep, while the unit is idle or busy), lie within the stream's
// cycles; its other stalls (memory, hazard, port) are waits of work in
// progress and lie within its busy cycles; fetch stalls lie within the
// stream's cycles. The units and their counters come from the register map.
void CheckTimeCounters(const std::string& what, const runtime::RunStats& stats) {
  const auto& c = stats.counters;
  const auto within = [&](const std::string& name, const std::string& bound) {
    NPU_CHECK(c.at(name) <= c.at(bound))
        << what << fmt::format(": {} {} > {} {}", name, c.at(name), bound, c.at(bound));
  };
  within("fetch_stall", "cycles");
  for (std::string_view u : isa::kUnitNames) {
    const std::string unit(u), busy = unit + "_busy";
    NPU_CHECK(c.contains(busy)) << what << ": no counter " << busy;
    within(busy, "cycles");
    for (const auto& [name, v] : c) {
      if (!name.starts_with(unit + "_stall_")) continue;
      within(name, name == unit + "_stall_dep" ? "cycles" : busy);
    }
  }
}

// The status, the counters the ISS models and the whole memory image of two
// runs must agree.
void CheckSameRun(const std::string& what, const RunResult& ref, const DeviceMemory& m_ref,
                  const RunResult& got, const DeviceMemory& m_got) {
  NPU_CHECK_EQ(got.status.ok, ref.status.ok)
      << what << ": RTL " << got.status.Describe() << ", ISS " << ref.status.Describe();
  NPU_CHECK_EQ(got.status.err_cause, ref.status.err_cause)
      << what << ": RTL " << got.status.Describe() << ", ISS " << ref.status.Describe();
  NPU_CHECK_EQ(got.status.err_pc, ref.status.err_pc) << what << ": error pc differs";
  NPU_CHECK_EQ(got.status.err_addr, ref.status.err_addr) << what << ": error address differs";
  if (ref.status.ok) {
    NPU_CHECK_EQ(got.stats.instructions, ref.stats.instructions) << what << ": instructions";
    NPU_CHECK_EQ(got.stats.macs, ref.stats.macs) << what << ": MACs";
    NPU_CHECK_EQ(got.stats.bytes_read, ref.stats.bytes_read) << what << ": bytes read";
    NPU_CHECK_EQ(got.stats.bytes_written, ref.stats.bytes_written) << what << ": bytes written";
    CheckTimeCounters(what, got.stats);
  }
  const auto a = m_ref.Data(), b = m_got.Data();
  for (size_t i = 0; i < a.size(); ++i) {
    NPU_CHECK_EQ(int(b[i]), int(a[i]))
        << what << fmt::format(": memory differs at 0x{:08x} (RTL vs ISS)", m_ref.Base() + i);
  }
}

// The corners the random cases of this run reached (printed at the end).
testing::CornerTally& Tally() {
  static testing::CornerTally tally;
  return tally;
}

// Counts a random case's corners, its memory profile included, under the
// operation @p op, and returns those reached for its report line.
std::string NoteCorners(const TestContext& ctx, const char* op, testing::CaseCorners corners) {
  corners.op = op;
  const std::string profile = MemoryProfile(ctx);
  for (const char* p : {"ideal memory", "stress memory"}) corners.Note(p, profile == p);
  Tally().Add(corners);
  return corners.Reached();
}

// Random GEMM/conv limits that keep one case to well under a second of
// simulation on this configuration.
uint64_t MacBudget() { return uint64_t{1} << (Hw().dim <= 4 ? 21 : Hw().dim <= 8 ? 23 : 25); }

// Runs a compiled layer on the ISS and the RTL from the same memory image,
// its output region poisoned, in lock step (tb/dut/lock_step.h: every
// scratchpad, accumulator and memory write of each unit must be the ISS's):
// both must agree on the whole image and on every counter the ISS models,
// and the output must be the golden one. Returns the RTL's run.
RunResult CheckCompiled(const TestContext& ctx, const CompiledLayer& cl,
                        std::span<const std::vector<int8_t>> inputs,
                        const std::vector<int8_t>& golden, const std::string& what) {
  const uint32_t n = uint32_t(cl.program.size());
  iss::Iss iss(Hw());
  DeviceMemory m_iss = runtime::BuildImage(cl, inputs, kPoison);
  DeviceMemory m_rtl = m_iss;
  dut::LockStep lock_step(Hw(), cl.program);
  iss.SetObserver(&lock_step);
  const RunResult ref = iss.Run(m_iss, cl.program_addr, n);
  NPU_CHECK(ref.status.ok) << what << ": ISS stopped: " << ref.status.Describe();
  dut::RtlBackendOptions o = RtlOptions(ctx);
  o.lock_step = &lock_step;
  dut::RtlBackend rtl(Hw(), o);
  const RunResult got = rtl.Run(m_rtl, cl.program_addr, n);
  const std::string departure = lock_step.Verdict(got.status.ok);
  NPU_CHECK(departure.empty()) << what << ": lock step: " << departure;
  CheckSameRun(what, ref, m_iss, got, m_rtl);
  const std::vector<int8_t> out = runtime::ReadOutput(cl, m_iss);
  NPU_CHECK_EQ(out.size(), golden.size()) << what;
  for (size_t i = 0; i < golden.size(); ++i) {
    NPU_CHECK_EQ(int(out[i]), int(golden[i])) << what << ": output differs from golden at " << i;
  }
  return got;
}

// CheckCompiled for a convolution (or GEMM), reporting MAC utilization.
void CheckLayer(const TestContext& ctx, const ConvLayer& layer,
                std::span<const std::vector<int8_t>> inputs, const std::vector<int8_t>& golden,
                const std::string& what) {
  const CompiledLayer cl = compiler::Compile(layer, Hw(), kBase);
  const RunResult got = CheckCompiled(ctx, cl, inputs, golden, what);
  const double util =
      got.stats.cycles ? double(cl.macs) / (double(got.stats.cycles) * Hw().dim * Hw().dim) : 0;
  fmt::print("  {}: PASS, {} cycles, {:.1f}% MAC utilization\n", what, got.stats.cycles,
             100 * util);
}

void CheckLayer(const TestContext& ctx, const ConvLayer& layer, const std::vector<int8_t>& input,
                const std::vector<int8_t>& golden, const std::string& what) {
  CheckLayer(ctx, layer, std::span<const std::vector<int8_t>>(&input, 1), golden, what);
}

// CheckCompiled for a window or elementwise layer, reporting input elements
// per cycle.
template <typename Layer>
void CheckOp(const TestContext& ctx, const Layer& layer,
             const std::vector<std::vector<int8_t>>& inputs, const std::vector<int8_t>& golden,
             const std::string& what) {
  const CompiledLayer cl = compiler::Compile(layer, Hw(), kBase);
  const RunResult got = CheckCompiled(ctx, cl, inputs, golden, what);
  const double elems = double(inputs[0].size());
  fmt::print("  {}: PASS, {} cycles, {:.2f} input elements/cycle\n", what, got.stats.cycles,
             got.stats.cycles ? elems / double(got.stats.cycles) : 0.0);
}

void RandomGemmCase(const TestContext& ctx) {
  auto rng = ctx.MakeRng();
  testing::GemmLimits lim;
  lim.max_macs = MacBudget();
  lim.max_dim = 1100;  // K above 512, and above 255 * DIM on 4x4
  const GemmLayer g = testing::RandomGemm(rng, lim);
  const auto a = testing::RandomInput(rng, g.ToConv());
  CheckLayer(
      ctx, g.ToConv(), a, testing::GoldenGemm(g, a),
      testing::Describe(g) + " " + NoteCorners(ctx, "gemm", testing::Corners(g.ToConv(), a, Hw())));
}

void RandomConvCase(const TestContext& ctx) {
  auto rng = ctx.MakeRng();
  testing::ConvLimits lim;
  lim.max_macs = MacBudget();
  lim.max_channels = 5 * Hw().dim;
  lim.max_hw = 64;
  ConvLayer c = testing::RandomConv(rng, lim);
  if (ctx.index % 20 == 7) {
    // More than 255 channel blocks: the loads split their planes.
    ConvLayer wide;
    wide.h = std::uniform_int_distribution<int>(1, 3)(rng);
    wide.w = std::uniform_int_distribution<int>(1, 3)(rng);
    wide.kh = wide.kw = std::min(wide.h, wide.w) >= 3 ? 3 : 1;
    wide.pad_top = wide.pad_left = wide.pad_bottom = wide.pad_right = wide.kh / 2;
    wide.cin = int(255 * Hw().dim) + std::uniform_int_distribution<int>(1, 2 * int(Hw().dim))(rng);
    wide.cout = std::uniform_int_distribution<int>(1, int(Hw().dim))(rng);
    c = testing::RandomConvShape(rng, wide);
  }
  const auto x = testing::RandomInput(rng, c);
  CheckLayer(ctx, c, x, testing::GoldenConv(c, x),
             testing::Describe(c) + " " + NoteCorners(ctx, "conv", testing::Corners(c, x, Hw())));
}

NPU_SIM_TEST_CASES(gemm_random, 300) { RandomGemmCase(ctx); }

NPU_SIM_TEST_CASES(conv_random, 200) { RandomConvCase(ctx); }

// The window and elementwise operations, random shapes and quantization
// (tb/tests/random_layers.h says which corners each generator reaches).
NPU_SIM_TEST_CASES(dw_random, 40) {
  auto rng = ctx.MakeRng();
  testing::DepthwiseLimits lim;
  lim.max_macs = MacBudget() / 4;
  lim.max_channels = 5 * Hw().dim;
  lim.max_hw = 40;
  lim.max_k = int(Hw().window_k);
  const compiler::DepthwiseLayer l = testing::RandomDepthwise(rng, lim);
  const auto x = testing::RandomInput(rng, l);
  CheckOp(ctx, l, {x}, testing::GoldenDepthwise(l, x),
          testing::Describe(l) + " " + NoteCorners(ctx, "dw", testing::Corners(l, x, Hw())));
}

NPU_SIM_TEST_CASES(pool_random, 40) {
  auto rng = ctx.MakeRng();
  testing::PoolLimits lim;
  lim.max_channels = 5 * Hw().dim;
  lim.max_hw = 40;
  lim.max_k = int(Hw().window_k);
  const compiler::PoolLayer l = testing::RandomPool(rng, lim);
  const auto x = testing::RandomInput(rng, l);
  CheckOp(ctx, l, {x}, testing::GoldenPool(l, x),
          testing::Describe(l) + " " + NoteCorners(ctx, "pool", testing::Corners(l, x, Hw())));
}

NPU_SIM_TEST_CASES(mean_random, 20) {
  auto rng = ctx.MakeRng();
  testing::MeanLimits lim;
  lim.max_channels = 5 * Hw().dim;
  lim.max_hw = 48;
  compiler::MeanLayer l = testing::RandomMean(rng, lim);
  if (ctx.index % 5 == 2) {
    // A plane larger than half of A: the compiler splits it into partial
    // sums carried from one window instruction to the next.
    compiler::MeanLayer shape;
    const int side = int(std::sqrt(double(Hw().spad_a / 2))) + 1;
    shape.h = side + std::uniform_int_distribution<int>(0, 4)(rng);
    shape.w = side + std::uniform_int_distribution<int>(0, 4)(rng);
    shape.c = std::uniform_int_distribution<int>(1, 2 * int(Hw().dim))(rng);
    l = testing::RandomMeanShape(rng, shape);
  }
  const auto x = testing::RandomInput(rng, l);
  CheckOp(ctx, l, {x}, testing::GoldenMean(l, x),
          testing::Describe(l) + " " + NoteCorners(ctx, "mean", testing::Corners(l, x, Hw())));
}

NPU_SIM_TEST_CASES(add_random, 20) {
  auto rng = ctx.MakeRng();
  testing::AddLimits lim;
  lim.max_channels = 5 * Hw().dim;
  lim.max_hw = 40;
  const compiler::AddLayer l = testing::RandomAdd(rng, lim);
  const auto xs = testing::RandomInputs(rng, l);
  CheckOp(ctx, l, xs, testing::GoldenAdd(l, xs[0], xs[1]),
          testing::Describe(l) + " " + NoteCorners(ctx, "add", testing::Corners(l, xs[0], Hw())));
}

NPU_SIM_TEST_CASES(residual_random, 20) {
  auto rng = ctx.MakeRng();
  testing::ConvLimits lim;
  lim.max_macs = MacBudget() / 2;
  lim.max_channels = 3 * Hw().dim;
  const ConvLayer c = testing::RandomResidualConv(rng, lim);
  const std::vector<std::vector<int8_t>> xs{testing::RandomInput(rng, c),
                                            testing::RandomResidual(rng, c)};
  CheckLayer(
      ctx, c, xs, testing::GoldenConv(c, xs[0], xs[1]),
      testing::Describe(c) + " " + NoteCorners(ctx, "residual", testing::Corners(c, xs[0], Hw())));
}

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

// Every address bit at 0 and at 1 on the fetch, load and store paths: one
// random GEMM compiled at bases across the 32-bit space (at 0, with the
// image ending just below 4 GiB, and at the two alternating bit patterns).
NPU_SIM_TEST(gemm_address_bits) {
  auto rng = ctx.MakeRng();
  testing::GemmLimits lim;
  lim.max_dim = 3 * int(Hw().dim);
  lim.max_macs = 1 << 14;
  const GemmLayer g = testing::RandomGemm(rng, lim);
  std::vector<int8_t> a(size_t(g.m) * g.k);
  for (auto& x : a) x = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
  const std::vector<int8_t> golden = testing::GoldenGemm(g, a);
  const uint64_t size = compiler::Compile(g.ToConv(), Hw(), 0).size;
  const uint32_t top = uint32_t((uint64_t{1} << 32) - size) & ~0xfffu;
  for (const uint32_t base : {0u, top, 0x55555000u, 0xaaaaa000u}) {
    const CompiledLayer cl = compiler::Compile(g.ToConv(), Hw(), base);
    const std::vector<int8_t> inputs[] = {a};
    CheckCompiled(ctx, cl, inputs, golden,
                  fmt::format("{} at 0x{:08x}", testing::Describe(g), base));
  }
  fmt::print("  {} at 0x00000000, 0x{:08x}, 0x55555000, 0xaaaaa000: ok\n", testing::Describe(g),
             top);
}

// ---------------------------------------------------------------------------
// The window unit and the store's add, instruction by instruction: random
// programs (load, window, store with and without add) on random data, run on
// the ISS and the RTL from the same memory image.
// ---------------------------------------------------------------------------

struct IsaProgram {
  std::string what;
  std::vector<isa::Word> program;
  DeviceMemory image{kBase, kIsaImage};
};

int Pick(std::mt19937_64& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

bool Chance(std::mt19937_64& rng, double p) { return std::bernoulli_distribution(p)(rng); }

// A random aligned address in the data region for `bytes` bytes.
uint32_t DataAddr(std::mt19937_64& rng, uint64_t bytes) {
  const uint32_t dim = Hw().dim;
  const uint64_t room = kIsaDataSize - std::min<uint64_t>(bytes, kIsaDataSize);
  return kIsaData + uint32_t(std::uniform_int_distribution<uint64_t>(0, room / dim)(rng)) * dim;
}

// A random start of `n` rows in [0, total) that avoids [lo, hi), or -1.
int FreeSpot(std::mt19937_64& rng, uint32_t total, uint32_t lo, uint32_t hi, uint32_t n) {
  std::vector<std::pair<uint32_t, uint32_t>> gaps;  // [first, last] starts
  if (lo >= n) gaps.push_back({0, lo - n});
  if (total >= n && hi <= total - n) gaps.push_back({hi, total - n});
  if (gaps.empty()) return -1;
  const auto& g = gaps[size_t(Pick(rng, 0, int(gaps.size()) - 1))];
  return Pick(rng, int(g.first), int(g.second));
}

// A plain copy of `nc` planes of `rows` rows from memory into a scratchpad.
isa::LoadInstr CopyRows(isa::Spad spad, uint32_t src, uint32_t src_c_stride, uint32_t nc,
                        uint32_t rows, uint32_t dst_row, uint32_t dst_c_stride) {
  isa::LoadInstr l;
  l.spad = spad;
  l.sy = 1;
  l.sx = 1;
  l.nc = nc;
  l.src_addr = src;
  l.src_c_stride = src_c_stride;
  l.src_row_stride = rows * Hw().dim;
  l.dst_row = dst_row;
  l.dst_c_stride = dst_c_stride;
  l.h = 1;
  l.w = rows;
  l.ny = 1;
  l.nx = rows;
  return l;
}

// Random requant and add parameter blocks at P rows 0 and kRequantRows.
std::vector<uint8_t> RandomParamRows(std::mt19937_64& rng, isa::WindowMode mode, int taps) {
  namespace param = isa::param;
  const int dim = int(Hw().dim);
  std::vector<uint8_t> rows(size_t(param::kRequantRows + param::kAddRows) * dim);
  std::span<uint8_t> rq(rows.data(), size_t(param::kRequantRows) * dim);
  std::span<uint8_t> ad(rows.data() + rq.size(), size_t(param::kAddRows) * dim);
  const bool identity = mode != isa::WindowMode::kDw && Chance(rng, 0.7);
  for (int l = 0; l < dim; ++l) {
    if (identity) {
      param::Set(rq, dim, param::kRequantBias, l, 0);
      param::Set(rq, dim, param::kRequantMult, l, 1 << 30);
      param::Set(rq, dim, param::kRequantShift, l, 1);
    } else {
      // Scale the window's range (dw: up to taps * 2^14) into int8, sometimes
      // with extreme shifts and non-positive multipliers.
      const int scale = mode == isa::WindowMode::kDw    ? 7 + int(std::log2(std::max(1, taps))) / 2
                        : mode == isa::WindowMode::kSum ? 6
                                                        : 0;
      param::Set(rq, dim, param::kRequantBias, l, Pick(rng, -300, 300));
      param::Set(rq, dim, param::kRequantMult, l,
                 Chance(rng, 0.1) ? Pick(rng, std::numeric_limits<int32_t>::min(), 0)
                                  : Pick(rng, 1 << 30, std::numeric_limits<int32_t>::max()));
      param::Set(
          rq, dim, param::kRequantShift, l,
          Chance(rng, 0.1) ? Pick(rng, -31, 30) : std::clamp(-scale + Pick(rng, -1, 1), -31, 30));
    }
    param::Set(ad, dim, param::kAddIn1Mult, l,
               Pick(rng, 1 << 30, std::numeric_limits<int32_t>::max()));
    param::Set(ad, dim, param::kAddIn2Mult, l,
               Pick(rng, 1 << 30, std::numeric_limits<int32_t>::max()));
    param::Set(ad, dim, param::kAddOutMult, l,
               Pick(rng, 1 << 30, std::numeric_limits<int32_t>::max()));
    param::Set(ad, dim, param::kAddIn1Shift, l, Pick(rng, -3, 0));
    param::Set(ad, dim, param::kAddIn2Shift, l, Pick(rng, -3, 0));
    param::Set(ad, dim, param::kAddOutShift, l, Pick(rng, -22, -17));
    param::Set(ad, dim, param::kAddIn1Zp, l, Pick(rng, -128, 127));
    param::Set(ad, dim, param::kAddIn2Zp, l, Pick(rng, -128, 127));
    param::Set(ad, dim, param::kAddOutZp, l, Pick(rng, -128, 127));
    const int lo = Pick(rng, -128, 127), hi = Pick(rng, -128, 127);
    param::Set(ad, dim, param::kAddActMin, l, Chance(rng, 0.7) ? -128 : std::min(lo, hi));
    param::Set(ad, dim, param::kAddActMax, l, Chance(rng, 0.7) ? 127 : std::max(lo, hi));
  }
  return rows;
}

// `out_base`: where its stores write (episodes of one stream write apart).
IsaProgram RandomWindowProgram(std::mt19937_64& rng, uint32_t out_base = kIsaOut) {
  using isa::WindowMode;
  const HwConfig& hw = Hw();
  const uint32_t dim = hw.dim;
  IsaProgram p;
  for (uint8_t& b : p.image.Data()) b = uint8_t(rng());
  p.image.Fill(kIsaOut, kBase + kIsaImage - kIsaOut, kPoison);

  // The window instruction.
  isa::WindowInstr w;
  const int m = Pick(rng, 0, 99);
  w.mode = m < 35   ? WindowMode::kDw
           : m < 60 ? WindowMode::kMax
           : m < 85 ? WindowMode::kAvg
                    : WindowMode::kSum;
  const bool sum = w.mode == WindowMode::kSum;
  const auto small = [&](int max) {
    return Chance(rng, 0.6) ? Pick(rng, 1, 3) : Pick(rng, 1, max);
  };
  const int k = int(hw.window_k);
  w.kh = uint32_t(small(k));
  w.kw = uint32_t(small(k));
  w.sy = uint32_t(Chance(rng, 0.7) ? Pick(rng, 1, 2) : Pick(rng, 1, k));
  w.sx = uint32_t(Chance(rng, 0.7) ? Pick(rng, 1, 2) : Pick(rng, 1, k));
  w.nc = uint32_t(Chance(rng, 0.8) ? Pick(rng, 1, 3) : Pick(rng, 1, 12));
  const uint32_t a_half = hw.spad_a / 2, acc_half = hw.acc / 2;
  if (sum) {
    w.ih = uint32_t(Pick(rng, 1, 24));
    w.iw = uint32_t(Pick(rng, 1, Chance(rng, 0.2) ? 200 : 24));
    w.oh = w.ow = 1;
    w.carry_in = Chance(rng, 0.3);
    w.carry_out = Chance(rng, 0.3);
  } else {
    // The carry bits mean nothing outside sum: both models ignore them.
    w.carry_in = Chance(rng, 0.15);
    w.carry_out = Chance(rng, 0.15);
    const uint32_t max_ow = (hw.window_cols - w.kw) / w.sx + 1;
    w.oh = uint32_t(Pick(rng, 1, 12));
    w.ow = uint32_t(std::min<int>(int(max_ow),
                                  Chance(rng, 0.2) ? Pick(rng, 1, int(max_ow)) : Pick(rng, 1, 12)));
    w.ih = (w.oh - 1) * w.sy + w.kh + uint32_t(Chance(rng, 0.3) ? Pick(rng, 1, 3) : 0);
    w.iw = std::min(hw.window_cols,
                    (w.ow - 1) * w.sx + w.kw + uint32_t(Chance(rng, 0.3) ? Pick(rng, 1, 3) : 0));
  }
  // Shrink until one plane fits half of A, then until the plane set fits
  // half of A and of the accumulators.
  while (w.ih * w.iw > a_half || w.oh * w.ow > acc_half) {
    if (sum) {
      w.ih = std::max(1u, w.ih / 2);
      w.iw = w.ih == 1 ? std::max(1u, w.iw / 2) : w.iw;
    } else if (w.oh > 1) {
      w.ih -= w.sy * (w.oh - (w.oh + 1) / 2);
      w.oh = (w.oh + 1) / 2;
    } else {
      w.iw -= w.sx * (w.ow - (w.ow + 1) / 2);
      w.ow = (w.ow + 1) / 2;
    }
  }
  const uint32_t plane = w.ih * w.iw;
  while (w.nc > 1 && (w.nc * plane > a_half || w.nc * w.oh * w.ow > acc_half)) --w.nc;
  w.a_c_stride = plane + uint32_t(Chance(rng, 0.3) ? Pick(rng, 0, 5) : 0);
  w.a_row = uint32_t(Pick(rng, 0, int(hw.spad_a - (w.nc - 1) * w.a_c_stride - plane)));
  const uint32_t outs = sum ? 1 : w.oh * w.ow;
  w.acc_c_stride =
      sum && Chance(rng, 0.5) ? 1 : outs + uint32_t(Chance(rng, 0.3) ? Pick(rng, 0, 3) : 0);
  w.acc_row = uint32_t(Pick(rng, 0, int(hw.acc - (w.nc - 1) * w.acc_c_stride - outs)));
  const uint32_t taps = w.kh * w.kw;
  w.b_c_stride = taps + uint32_t(Chance(rng, 0.3) ? Pick(rng, 0, 4) : 0);
  w.b_row = uint32_t(Pick(rng, 0, int(hw.spad_b - (w.nc - 1) * w.b_c_stride - taps)));
  // The in-bounds rectangle of avg (sometimes empty or beyond the tile).
  const auto span = [&](uint32_t n, uint32_t& lo, uint32_t& hi) {
    lo = uint32_t(Chance(rng, 0.5) ? 0 : Pick(rng, 0, int(n)));
    hi = uint32_t(Chance(rng, 0.5) ? n : Pick(rng, 0, int(n) + 2));
  };
  span(w.ih, w.y_lo, w.y_hi);
  span(w.iw, w.x_lo, w.x_hi);
  // With a window_k below 7, one broken window in four is a kernel or stride
  // above it.
  const bool broken = Chance(rng, k < 7 ? 0.2 : 0.05);
  if (broken) {
    switch (Pick(rng, 0, k < 7 && !sum ? 3 : 2)) {
      case 0:
        w.iw = hw.window_cols + 1;
        w.mode = WindowMode::kMax;
        break;
      case 1:
        w.kh = 0;
        break;
      case 3:  // a kernel side or stride above window_k, the rest legal
        if (w.iw > uint32_t(k) && Chance(rng, 0.5)) {
          w.kw = uint32_t(Pick(rng, k + 1, std::min(7, int(w.iw))));
          w.ow = 1;
        } else {
          w.sy = uint32_t(Pick(rng, k + 1, 7));
          w.oh = 1;
        }
        break;
      default:
        w.a_row = hw.spad_a - 1;
        break;
    }
  }

  // Loads: parameters, A planes, dw weights; then the window and the stores.
  const auto params = RandomParamRows(rng, w.mode, int(taps));
  p.image.Write(kIsaParams, params);
  std::vector<isa::LoadInstr> loads;
  loads.push_back(CopyRows(isa::Spad::kP, kIsaParams, 0, 1, uint32_t(params.size() / dim), 0, 0));
  const uint32_t a_src = DataAddr(rng, uint64_t{w.nc} * plane * dim);
  if (!broken || w.a_row + plane <= hw.spad_a) {
    loads.push_back(
        CopyRows(isa::Spad::kA, a_src, plane * dim, w.nc, plane, w.a_row, w.a_c_stride));
  }
  if (w.mode == WindowMode::kDw) {
    const uint32_t b_src = DataAddr(rng, uint64_t{w.nc} * taps * dim);
    loads.push_back(CopyRows(isa::Spad::kB, b_src, taps * dim, w.nc, taps, w.b_row, w.b_c_stride));
  }
  loads.back().deps.signal = isa::LoadInstr::kSignalWindow;
  w.deps.wait = isa::WindowInstr::kWaitLoad;

  std::vector<isa::WindowInstr> windows{w};
  if (sum && w.carry_out && Chance(rng, 0.7)) {
    // A second sum that continues the kept one on the same tile.
    isa::WindowInstr w2 = w;
    w2.deps.wait = 0;
    w2.carry_in = 1;
    w2.carry_out = 0;
    windows.push_back(w2);
  }
  windows.back().deps.signal = isa::WindowInstr::kSignalStore;

  std::vector<isa::StoreInstr> stores;
  uint32_t out = out_base;
  for (size_t k = 0; k < windows.size(); ++k) {
    const isa::WindowInstr& wi = windows[k];
    for (uint32_t c = 0; c < wi.nc; ++c) {
      if (sum && wi.carry_out && c == wi.nc - 1) continue;  // kept, not written
      isa::StoreInstr st;
      st.out_zp = Pick(rng, -20, 20);
      st.act_min = Chance(rng, 0.8) ? -128 : Pick(rng, -128, 0);
      st.act_max = Chance(rng, 0.8) ? 127 : Pick(rng, 0, 127);
      st.acc_row = wi.acc_row + c * wi.acc_c_stride;
      st.ny = sum ? 1 : wi.oh;
      st.nx = sum ? 1 : wi.ow;
      st.dst_row_stride = st.nx * dim + (Chance(rng, 0.3) ? dim * uint32_t(Pick(rng, 1, 3)) : 0);
      st.dst_addr = out;
      out += st.ny * st.dst_row_stride;
      st.p_row = 0;
      if (Chance(rng, 0.4)) {
        st.add = 1;
        st.add_p_row = isa::param::kRequantRows;
        st.res_row_stride = st.nx * dim + (Chance(rng, 0.3) ? dim * uint32_t(Pick(rng, 1, 9)) : 0);
        st.res_addr = DataAddr(rng, uint64_t{st.ny} * st.res_row_stride);
      }
      stores.push_back(st);
    }
  }
  if (stores.empty()) {
    // Nothing written: the window's token is taken by an empty store.
    stores.emplace_back();
  }
  stores.front().deps.wait = isa::StoreInstr::kWaitWindow;

  // Sometimes a GEMM runs on the compute unit meanwhile, on rows of its own:
  // the two units then share the A and B read ports and the accumulator
  // banks' write ports.
  std::vector<isa::ComputeInstr> gemm;
  if (!broken && Chance(rng, 0.5)) {
    const uint32_t m = uint32_t(Pick(rng, 1, 48)), nk = uint32_t(Pick(rng, 1, 2));
    const uint32_t a_end = w.a_row + (w.nc - 1) * w.a_c_stride + plane;
    const uint32_t b_end = w.b_row + (w.nc - 1) * w.b_c_stride + taps;
    const uint32_t acc_end = w.acc_row + (w.nc - 1) * w.acc_c_stride + outs;
    const int a_at = FreeSpot(rng, hw.spad_a, w.a_row, a_end, nk * m);
    const int b_at = FreeSpot(rng, hw.spad_b, w.b_row, b_end, nk * dim);
    const int acc_at = FreeSpot(rng, hw.acc, w.acc_row, acc_end, m);
    if (a_at >= 0 && b_at >= 0 && acc_at >= 0) {
      loads.push_back(CopyRows(isa::Spad::kA, DataAddr(rng, uint64_t{nk} * m * dim), 0, 1, nk * m,
                               uint32_t(a_at), 0));
      loads.push_back(CopyRows(isa::Spad::kB, DataAddr(rng, uint64_t{nk} * dim * dim), 0, 1,
                               nk * dim, uint32_t(b_at), 0));
      loads.back().deps.signal = isa::LoadInstr::kSignalCompute;
      isa::ComputeInstr c;
      c.a_row = uint32_t(a_at);
      c.b_row = uint32_t(b_at);
      c.acc_row = uint32_t(acc_at);
      c.m = m;
      c.nk = nk;
      c.a_k_stride = m;
      c.deps.wait = isa::ComputeInstr::kWaitLoad;
      c.deps.signal = isa::ComputeInstr::kSignalStore;
      gemm.push_back(c);
      isa::StoreInstr st;
      st.act_min = -128;
      st.act_max = 127;
      st.acc_row = uint32_t(acc_at);
      st.ny = 1;
      st.nx = m;
      st.dst_addr = out;
      st.dst_row_stride = m * dim;
      st.deps.wait = isa::StoreInstr::kWaitCompute;
      stores.push_back(st);
    }
  }

  for (const auto& l : loads) p.program.push_back(l.Encode());
  for (const auto& x : windows) p.program.push_back(x.Encode());
  for (const auto& c : gemm) p.program.push_back(c.Encode());
  for (const auto& st : stores) p.program.push_back(st.Encode());
  const auto bytes = isa::Serialize(p.program);
  p.image.Write(kBase, bytes);
  p.what = fmt::format("{} {}x{} s{}x{} nc {} tile {}x{} -> {}x{}{}{}, {} stores{}{}",
                       isa::kWindowModeValues[size_t(w.mode)].name, w.kh, w.kw, w.sy, w.sx, w.nc,
                       w.ih, w.iw, w.oh, w.ow, windows.size() > 1 ? ", carried" : "",
                       sum && w.carry_in ? ", carry in" : "", stores.size(),
                       gemm.empty() ? "" : ", with a GEMM", broken ? ", illegal" : "");
  return p;
}

// The first `n` instructions of `p` run on the ISS and on the RTL, each from
// its own copy of p's memory image, in lock step where the ISS completes.
struct BothRuns {
  RunResult iss, rtl;
  DeviceMemory m_iss, m_rtl;
  std::string lock_step;      ///< the lock step's first departure ("" if none or not run)
  uint64_t lock_matched = 0;  ///< writes and instruction starts the lock step matched
};
BothRuns RunBoth(const TestContext& ctx, const IsaProgram& p, size_t n) {
  iss::Iss iss(Hw());
  dut::LockStep lock_step(Hw(), std::span(p.program).first(n));
  iss.SetObserver(&lock_step);
  BothRuns r{{}, {}, p.image, p.image, {}};
  r.iss = iss.Run(r.m_iss, kBase, uint32_t(n));
  // Lock step only where the ISS completes (after an error the RTL's other
  // units may have run instructions the ISS never started).
  dut::RtlBackendOptions o = RtlOptions(ctx);
  if (r.iss.status.ok) o.lock_step = &lock_step;
  dut::RtlBackend rtl(Hw(), o);
  r.rtl = rtl.Run(r.m_rtl, kBase, uint32_t(n));
  if (r.iss.status.ok) r.lock_step = lock_step.Verdict(r.rtl.status.ok);
  r.lock_matched = lock_step.Matched();
  return r;
}

// Every field of every instruction at each corner (0, 1, all ones, the
// signed maximum and minimum), one field at a time with the others 0: a
// one-instruction stream each, run on the ISS and on the RTL, which must
// agree (the lock step compares every write where the ISS completes). Most
// are no-ops or illegal; the point is that both models decode every
// field's extremes alike.
NPU_SIM_TEST(isa_field_corners) {
  int runs = 0, stopped = 0;
  for (const isa::InstrInfo& in : isa::kInstrs) {
    for (const isa::FieldInfo& f : in.fields) {
      const uint64_t ones = (uint64_t{1} << f.width) - 1;
      const uint64_t top = f.is_signed ? ones >> 1 : ones;
      std::set<uint64_t> corners{0, 1, ones, top, (top + 1) & ones};
      for (const uint64_t v : corners) {
        IsaProgram p;
        isa::Word w{};
        isa::SetField(w, f.lsb, f.width, v, "corner");
        isa::SetField(w, isa::field::kOpcodeLsb, isa::field::kOpcodeWidth, uint32_t(in.opcode),
                      "op");
        p.program = {w};
        p.image.Write(kBase, isa::Serialize(p.program));
        p.what = fmt::format("{}.{} = {:#x} ({})", in.name, f.name, v, isa::Disassemble(w));
        const BothRuns r = RunBoth(ctx, p, 1);
        NPU_CHECK(r.lock_step.empty()) << p.what << ": lock step: " << r.lock_step;
        CheckSameRun(p.what, r.iss, r.m_iss, r.rtl, r.m_rtl);
        ++runs;
        stopped += !r.rtl.status.ok;
      }
    }
  }
  fmt::print("  {} one-field corners, {} of them stopped by an error: RTL and ISS agree\n", runs,
             stopped);
}

NPU_SIM_TEST_CASES(isa_window_random, 120) {
  auto rng = ctx.MakeRng();
  IsaProgram p = RandomWindowProgram(rng);
  const BothRuns r = RunBoth(ctx, p, p.program.size());
  const RunResult& r_rtl = r.rtl;
  NPU_CHECK(r.lock_step.empty()) << p.what << ": lock step: " << r.lock_step;
  CheckSameRun(p.what, r.iss, r.m_iss, r.rtl, r.m_rtl);
  fmt::print("  {}: {} (RTL and ISS agree), {} cycles\n", p.what,
             r_rtl.status.ok ? "ok" : r_rtl.status.Describe(), r_rtl.stats.cycles);
}

// ---------------------------------------------------------------------------
// Random instruction streams over all four units: several random episodes
// (each a RandomWindowProgram: loads into A, B and P, a window of any mode, a
// GEMM on the compute unit beside it half the time, stores with and without
// add; one in five or so illegal) joined by token barriers, with random
// reserved bits, run on the ISS and the RTL from the same memory image. A
// difference names the first instruction at which the two diverge.
// ---------------------------------------------------------------------------

// The bits of an instruction of opcode `op` that no field uses.
isa::Word ReservedBits(uint32_t op) {
  isa::Word used{};
  const auto mark = [&](int lsb, int width) {
    for (int b = lsb; b < lsb + width; ++b) used[size_t(b / 32)] |= 1u << (b % 32);
  };
  mark(0, 8);  // opcode, wait and signal masks
  if (const isa::InstrInfo* in = isa::FindInstr(op)) {
    for (const isa::FieldInfo& f : in->fields) mark(f.lsb, f.width);
  }
  for (uint32_t& w : used) w = ~w;
  return used;
}

// A random stream over all four units (isa_stream_random). `probe`: whether
// it may end in the probe below; `probed` tells whether it does (the probe is
// then the last instruction).
IsaProgram RandomStream(std::mt19937_64& rng, int& episodes, int& noisy, bool probe, bool& probed) {
  probed = false;
  episodes = Pick(rng, 2, 6);
  noisy = 0;
  IsaProgram p;
  for (int e = 0; e < episodes; ++e) {
    IsaProgram ep = RandomWindowProgram(rng, kIsaOut + uint32_t(e) * 0x10000);
    if (e > 0) {
      // Barrier: the previous episode's last store (stores run in order, each
      // after the window or GEMM it writes out) signals the compute unit; a
      // compute no-op passes the token on to the load unit, whose first load
      // of this episode waits for it.
      isa::Word& last = p.program.back();
      NPU_CHECK_EQ(isa::OpcodeOf(last), uint32_t(isa::Opcode::kStore));
      isa::StoreInstr st = isa::StoreInstr::Decode(last);
      st.deps.signal |= isa::StoreInstr::kSignalCompute;
      last = st.Encode();
      isa::ComputeInstr bar;  // m = 0: moves tokens only
      bar.deps.wait = isa::ComputeInstr::kWaitStore;
      bar.deps.signal = isa::ComputeInstr::kSignalLoad;
      p.program.push_back(bar.Encode());
      isa::LoadInstr first = isa::LoadInstr::Decode(ep.program.front());
      first.deps.wait |= isa::LoadInstr::kWaitCompute;
      ep.program.front() = first.Encode();
    }
    p.what += fmt::format("{}[{}]", e ? "; " : "", ep.what);
    p.program.insert(p.program.end(), ep.program.begin(), ep.program.end());
    // The last episode's image holds the data and parameters every episode
    // reads (any bytes do: both models read the same image).
    if (e == episodes - 1) p.image = std::move(ep.image);
  }
  // The probe: one instruction of a random unit after the last episode,
  // ordered after all of it by tokens, every field at a corner (0, 1, all
  // ones, the signed minimum and maximum) or small or random: mostly
  // illegal, and then both models must stop at it alike.
  if (Chance(rng, 0.5) && probe) {
    probed = true;
    isa::Word& last = p.program.back();  // the last episode's last store
    isa::StoreInstr st = isa::StoreInstr::Decode(last);
    const isa::InstrInfo& in = isa::kInstrs[size_t(Pick(rng, 0, int(isa::kInstrs.size()) - 1))];
    uint32_t wait = 0;
    if (in.unit == isa::Unit::kLoad) {
      st.deps.signal |= isa::StoreInstr::kSignalCompute;
      isa::ComputeInstr bar;
      bar.deps.wait = isa::ComputeInstr::kWaitStore;
      bar.deps.signal = isa::ComputeInstr::kSignalLoad;
      last = st.Encode();
      p.program.push_back(bar.Encode());
      wait = isa::LoadInstr::kWaitCompute;
    } else if (in.unit == isa::Unit::kCompute) {
      st.deps.signal |= isa::StoreInstr::kSignalCompute;
      last = st.Encode();
      wait = isa::ComputeInstr::kWaitStore;
    } else if (in.unit == isa::Unit::kWindow) {
      st.deps.signal |= isa::StoreInstr::kSignalWindow;
      last = st.Encode();
      wait = isa::WindowInstr::kWaitStore;
    }  // a store follows the last store in order
    isa::Word w{};
    for (const isa::FieldInfo& f : in.fields) {
      const uint64_t ones = (uint64_t{1} << f.width) - 1;
      const uint64_t top = f.is_signed ? ones >> 1 : ones;  // the largest value
      const uint64_t corners[] = {0, 1, ones, top, top + 1, uint64_t(Pick(rng, 1, 4)), rng()};
      isa::SetField(w, f.lsb, f.width, corners[size_t(Pick(rng, 0, 6))] & ones, "probe");
    }
    isa::SetField(w, isa::field::kOpcodeLsb, isa::field::kOpcodeWidth, uint32_t(in.opcode), "op");
    isa::SetField(w, isa::field::kWaitMaskLsb, isa::field::kWaitMaskWidth, wait, "wait");
    isa::SetField(w, isa::field::kSignalMaskLsb, isa::field::kSignalMaskWidth,
                  uint32_t(Pick(rng, 0, 3)), "signal");
    p.program.push_back(w);
    p.what += fmt::format("; probe {}", isa::Disassemble(w));
  }
  // Sometimes first a window no-op without tokens (it touches nothing).
  if (Chance(rng, 0.2)) {
    isa::WindowInstr nop;  // nc = 0
    nop.mode = isa::WindowMode(Pick(rng, 0, 3));
    nop.kh = nop.kw = nop.sy = nop.sx = 1;
    p.program.insert(p.program.begin(), nop.Encode());
  }
  // Bits no field uses are ignored by both models: set some at random.
  for (isa::Word& w : p.program) {
    if (!Chance(rng, 0.15)) continue;
    const isa::Word rsvd = ReservedBits(isa::OpcodeOf(w));
    for (size_t i = 0; i < w.size(); ++i) w[i] |= rsvd[i] & uint32_t(rng());
    ++noisy;
  }
  NPU_CHECK(p.program.size() * size_t(isa::kInstrBytes) <= size_t(kIsaParams - kBase))
      << p.program.size() << " instructions do not fit before the parameters";
  p.image.Write(kBase, isa::Serialize(p.program));
  return p;
}

// Where the RTL's run of `p` departs from the ISS's: "" if nowhere. Both
// must end alike (status, cause, pc, address). After a clean run the
// instruction, MAC and byte counters and every byte of memory must be equal; after an error every
// byte must hold the ISS's value or its value before the run, since the RTL drops the writes still
// in flight when it stops (a store gives its token once it has read the
// accumulators, before its data reach memory), while the ISS runs each
// instruction whole.
std::string Departure(const IsaProgram& p, const RunResult& ref, const DeviceMemory& m_ref,
                      const RunResult& got, const DeviceMemory& m_got) {
  if (got.status.ok != ref.status.ok || got.status.err_cause != ref.status.err_cause ||
      got.status.err_pc != ref.status.err_pc || got.status.err_addr != ref.status.err_addr) {
    return fmt::format("RTL {}, ISS {}", got.status.Describe(), ref.status.Describe());
  }
  if (ref.status.ok) {
    const runtime::RunStats &r = ref.stats, &g = got.stats;
    if (g.instructions != r.instructions || g.macs != r.macs || g.bytes_read != r.bytes_read ||
        g.bytes_written != r.bytes_written) {
      return fmt::format(
          "counters: instructions {} / {}, MACs {} / {}, bytes read {} / {}, written {} / {} "
          "(RTL / ISS)",
          g.instructions, r.instructions, g.macs, r.macs, g.bytes_read, r.bytes_read,
          g.bytes_written, r.bytes_written);
    }
  }
  const auto a = m_ref.Data(), b = m_got.Data(), before = p.image.Data();
  for (size_t i = 0; i < a.size(); ++i) {
    if (b[i] != a[i] && (ref.status.ok || b[i] != before[i])) {
      return fmt::format("memory at 0x{:08x}: RTL 0x{:02x}, ISS 0x{:02x}, before 0x{:02x}",
                         m_ref.Base() + i, b[i], a[i], before[i]);
    }
  }
  return "";
}

// The shortest prefix of `p`'s program on which the RTL departs from the
// ISS, by bisection; 0 if even the whole program agrees. Every prefix is a
// program of its own: each wait's token is given earlier.
size_t FirstDivergence(const TestContext& ctx, const IsaProgram& p) {
  const auto differs = [&](size_t n) {
    const BothRuns r = RunBoth(ctx, p, n);
    return !r.lock_step.empty() || !Departure(p, r.iss, r.m_iss, r.rtl, r.m_rtl).empty();
  };
  size_t lo = 0, hi = p.program.size();  // prefix lo agrees, hi differs
  if (!differs(hi)) return 0;
  while (hi - lo > 1) {
    const size_t mid = (lo + hi) / 2;
    (differs(mid) ? hi : lo) = mid;
  }
  return hi;
}

NPU_SIM_TEST_CASES(isa_stream_random, 100) {
  auto rng = ctx.MakeRng();
  int episodes = 0, noisy = 0;
  bool probed = false;
  IsaProgram p = RandomStream(rng, episodes, noisy, true, probed);
#ifdef NPU_X_RANDOM
  // A legal probe may read scratchpad or accumulator rows the stream never
  // wrote, whose contents the architecture leaves undefined (RAMs are not
  // cleared): zeros in the ISS, random values in this build's RTL. Here only a
  // probe the ISS stops at (one that reads nothing) is kept; the same draw
  // without the probe replaces the others.
  if (probed) {
    iss::Iss iss(Hw());
    DeviceMemory m = p.image;
    const RunStatus st = iss.Run(m, kBase, uint32_t(p.program.size())).status;
    if (st.ok || st.err_pc + 1 != p.program.size()) {
      rng = ctx.MakeRng();
      p = RandomStream(rng, episodes, noisy, false, probed);
    }
  }
#endif
  const size_t n = p.program.size();
  const BothRuns r = RunBoth(ctx, p, n);
  const RunResult& r_rtl = r.rtl;
  // The lock step names the first write that departs; where it does not run
  // (the ISS stops on an error) the end states are compared, and bisection
  // finds the first instruction after which they differ.
  NPU_CHECK(r.lock_step.empty()) << p.what << ": lock step: " << r.lock_step;
  const std::string departure = Departure(p, r.iss, r.m_iss, r.rtl, r.m_rtl);
  if (!departure.empty()) {
    const size_t k = FirstDivergence(ctx, p);
    std::string where = "(the bisection found no prefix that departs)";
    if (k > 0) {
      const isa::Word& w = p.program[k - 1];
      const auto unit = isa::TryUnitOf(isa::OpcodeOf(w));
      where = fmt::format("first departs after instruction {} ({} unit): {}", k - 1,
                          unit ? isa::UnitName(*unit) : "no", isa::Disassemble(w));
    }
    NPU_CHECK(false) << p.what << ": " << departure << "; " << where;
  }
  // After an error, the instructions before the failing one run again, in
  // lock step (every prefix is a program of its own).
  uint64_t matched = r.lock_matched;
  if (!r.iss.status.ok && r.iss.status.err_pc > 0) {
    const BothRuns pre = RunBoth(ctx, p, r.iss.status.err_pc);
    NPU_CHECK(pre.lock_step.empty())
        << p.what
        << fmt::format(": the {} instructions before the error: lock step: ", r.iss.status.err_pc)
        << pre.lock_step;
    matched = pre.lock_matched;
  }
  fmt::print(
      "  {} instructions, {} episodes, {} with reserved bits set: {}, {} cycles, {} events "
      "in lock step\n",
      n, episodes, noisy, r_rtl.status.ok ? "ok" : r_rtl.status.Describe(), r_rtl.stats.cycles,
      matched);
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
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kHwWindowCols), Hw().window_cols);
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kHwWindowK), Hw().window_k);
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

// Runs layer `s` on the device of `harness` as an earlier test step left it
// (after an error, a watchdog or a soft reset): its image is written into
// the same memory model, one stream runs, the output must be the golden one.
void RunLayerOnSameDevice(dut::NpuHarness& harness, const SmallLayer& s, const std::string& what) {
  const DeviceMemory img = runtime::BuildImage(s.cl, s.input);
  harness.Mem().Write(img.Base(), img.Data());
  harness.Run([&](dut::NpuHarness& h) -> sim::Task<> {
    const dut::StreamOutcome out = co_await h.RunStream(img.Base(), img.Size(), s.cl.program_addr,
                                                        uint32_t(s.cl.program.size()), 10000000);
    NPU_CHECK(out.status.ok) << what << ": " << out.status.Describe();
    NPU_CHECK(OutputIn(h, s.cl) == s.golden) << what << ": wrong output";
  });
}

int FindOpcode(const CompiledLayer& cl, isa::Opcode op, int nth = 0) {
  for (size_t i = 0; i < cl.program.size(); ++i) {
    if (isa::OpcodeOf(cl.program[i]) == static_cast<uint32_t>(op) && nth-- == 0) return int(i);
  }
  throw std::logic_error("program has no such instruction");
}

// After a run stopped by an error, every byte of memory either kept its
// value from `before` or holds what the correct program writes there
// (`good`): an NPU that stops never writes anything else.
void CheckStoppedMemory(const std::string& what, const char* who, const DeviceMemory& before,
                        const DeviceMemory& good, const DeviceMemory& now) {
  const auto b = before.Data(), g = good.Data(), n = now.Data();
  for (size_t i = 0; i < n.size(); ++i) {
    NPU_CHECK(n[i] == b[i] || n[i] == g[i])
        << what
        << fmt::format(": {} wrote 0x{:02x} at 0x{:08x} (was 0x{:02x}, correct 0x{:02x})", who,
                       n[i], before.Base() + i, b[i], g[i]);
  }
}

// Runs a (broken) program on the ISS and on the RTL from the same image (the
// output poisoned), compares the reported errors and the memory they leave,
// then checks that the RTL recovers and runs a correct layer.
void CheckError(const TestContext& ctx, const std::string& what, uint32_t expect_cause,
                const std::function<void(CompiledLayer&)>& breaker, uint32_t stream_offset = 0,
                std::pair<uint32_t, uint32_t> bus_error = {0, 0},
                bus::Resp resp = bus::Resp::kSlvErr) {
  auto rng = ctx.MakeRng();
  SmallLayer s = MakeSmallLayer(rng);
  CompiledLayer broken = s.cl;
  breaker(broken);
  const uint32_t n = uint32_t(broken.program.size());

  // What the correct program leaves in memory.
  DeviceMemory good = runtime::BuildImage(s.cl, s.input, kPoison);
  {
    iss::Iss ref(Hw());
    NPU_CHECK(ref.Run(good, s.cl.program_addr, uint32_t(s.cl.program.size())).status.ok);
  }

  iss::Iss iss(Hw());
  dut::RtlBackend rtl(Hw(), RtlOptions(ctx));
  if (bus_error.second > bus_error.first) {
    iss.AddBusError(bus_error.first, bus_error.second);
    rtl.Harness().Mem().AddError(bus_error.first, bus_error.second, resp);
  }
  const DeviceMemory before = runtime::BuildImage(broken, s.input, kPoison);
  DeviceMemory m_iss = before, m_rtl = before;
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
  CheckStoppedMemory(what, "the ISS", before, good, m_iss);
  CheckStoppedMemory(what, "the RTL", before, good, m_rtl);
  fmt::print("  {}: {} (RTL and ISS agree)\n", what, r_rtl.status.Describe());

  // Recovery: the harness soft-reset the NPU; a different layer with fresh
  // data now runs correctly on the same device (the same layer again could
  // hide state the error left behind).
  rtl.Harness().Mem().ClearErrors();
  const SmallLayer next = MakeSmallLayer(rng);
  const runtime::RunOutput ok = runtime::Run(rtl, next.cl, next.input);
  NPU_CHECK(ok.result.status.ok) << what << ": after soft reset: " << ok.result.status.Describe();
  NPU_CHECK(ok.outputs[0] == next.golden) << what << ": wrong output after soft reset";
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
  // On a random lane other than 0, too high or too low: the range check must
  // look at every lane (a check of lane 0 only passed the lane-0 version).
  std::mt19937_64 pick(ctx.seed ^ 0x5eedULL);
  const bool high = std::bernoulli_distribution(0.5)(pick);
  const int lane = std::uniform_int_distribution<int>(1, int(Hw().dim) - 1)(pick);
  CheckError(ctx, fmt::format("requantization shift {} on lane {}", high ? 40 : -40, lane),
             kIllegal, [&](CompiledLayer& cl) {
               // Row 8 of the first parameter group holds the int8 shifts.
               const size_t at =
                   (cl.params_addr - cl.const_addr) + 8 * size_t(cl.dim) + size_t(lane);
               cl.constants[0].bytes.at(at) = uint8_t(int8_t(high ? 40 : -40));
             });
}

// Two illegal instructions of different units released by one token event,
// in both orders in the stream: each variant's run must report illegal_instr
// with the pc of `unit`'s instruction (`pc`) and no address.
struct ErrVariant {
  const char* what;
  std::vector<isa::Word> program;
  uint32_t pc;
};
void CheckWinner(const TestContext& ctx, const char* unit,
                 const std::vector<ErrVariant>& variants) {
  for (const ErrVariant& v : variants) {
    DeviceMemory image{kBase, kIsaImage};
    image.Write(kBase, isa::Serialize(v.program));
    dut::RtlBackend rtl(Hw(), RtlOptions(ctx));
    const RunResult r = rtl.Run(image, kBase, uint32_t(v.program.size()));
    NPU_CHECK(!r.status.ok) << v.what;
    NPU_CHECK_EQ(r.status.err_cause, kIllegal) << v.what << ": " << r.status.Describe();
    NPU_CHECK_EQ(r.status.err_pc, v.pc)
        << v.what << ": the " << unit << " unit's report must win (" << r.status.Describe() << ")";
    NPU_CHECK_EQ(r.status.err_addr, 0u) << v.what << ": " << r.status.Describe();
    fmt::print("  {}: {}\n", v.what, r.status.Describe());
  }
}

// Two units failing in the same cycle: a load no-op gives a token to the
// compute and the window unit at once, whose queue heads wait for it, so both
// start, check and report in one cycle (both check in their first cycle).
// The architecture's rule (docs/architecture.md, Errors): every cause
// accumulates into ERR_CAUSE, and the lowest-numbered source (fetch, load,
// compute, window, store) provides ERR_PC and ERR_ADDR: here the compute
// unit, in either order of the two instructions in the stream, so the
// reported one is neither simply the first nor the last. (The ISS runs one
// instruction at a time and cannot say this; the load and store units check
// a cycle apart, so they cannot be made to fail together this way.)
NPU_SIM_TEST(err_two_units_same_cycle) {
  isa::ComputeInstr bad_compute;  // a row out of range
  bad_compute.a_row = Hw().spad_a - 1;
  bad_compute.m = 2;
  bad_compute.nk = 1;
  bad_compute.deps.wait = isa::ComputeInstr::kWaitLoad;
  isa::WindowInstr bad_window;  // a zero kernel
  bad_window.mode = isa::WindowMode::kMax;
  bad_window.kh = 0;
  bad_window.kw = bad_window.sy = bad_window.sx = 1;
  bad_window.nc = bad_window.ih = bad_window.iw = bad_window.oh = bad_window.ow = 1;
  bad_window.deps.wait = isa::WindowInstr::kWaitLoad;
  isa::LoadInstr give;  // zero counts: moves tokens only
  give.sy = give.sx = 1;
  give.deps.signal = isa::LoadInstr::kSignalCompute | isa::LoadInstr::kSignalWindow;
  CheckWinner(
      ctx, "compute",
      {{"compute, then window", {bad_compute.Encode(), bad_window.Encode(), give.Encode()}, 0},
       {"window, then compute", {bad_window.Encode(), bad_compute.Encode(), give.Encode()}, 1}});
}

// An illegal load and an illegal store, released by one compute no-op that
// gives both their tokens. The load unit checks before the store unit, so
// the load's report is the first stopping one and provides ERR_PC in either
// order of the two in the stream; the abort then stops the store before it
// reports (docs/architecture.md, Errors: the first stopping report wins).
// The ISS, which runs the lowest pc first, names the store when it comes
// first in the stream: where the first report is a matter of timing, the
// RTL's rule is the architecture's, as in err_two_units_same_cycle.
NPU_SIM_TEST(err_first_report_wins) {
  isa::LoadInstr bad_load = RowLoad(kIsaData, Hw().spad_a - 1, 2);  // rows out of range
  bad_load.deps.wait = isa::LoadInstr::kWaitCompute;
  isa::StoreInstr bad_store;  // act_min > act_max
  bad_store.ny = bad_store.nx = 1;
  bad_store.act_min = 10;
  bad_store.act_max = -10;
  bad_store.dst_addr = kIsaOut;
  bad_store.dst_row_stride = Hw().dim;
  bad_store.deps.wait = isa::StoreInstr::kWaitCompute;
  isa::ComputeInstr give;  // zero counts: moves tokens only
  give.deps.signal = isa::ComputeInstr::kSignalLoad | isa::ComputeInstr::kSignalStore;
  CheckWinner(ctx, "load",
              {{"load, then store", {bad_load.Encode(), bad_store.Encode(), give.Encode()}, 0},
               {"store, then load", {bad_store.Encode(), bad_load.Encode(), give.Encode()}, 1}});
}

// ---------------------------------------------------------------------------
// Error reports in neighbouring cycles. The core's probes show every report
// reaching npu_ctrl (and every lost doorbell); each run is checked against
// the rule of docs/architecture.md (Errors) applied to what they saw:
// ERR_CAUSE is every reported cause, also one reported while the NPU is
// already halted; ERR_PC and ERR_ADDR are those of the lowest-numbered
// source reporting in the first report's cycle.
// ---------------------------------------------------------------------------

struct SeenReport {
  uint64_t cycle;
  uint32_t sources;  // bit 0 fetch, bit 1 + unit
};

// Records the error reports and the lost doorbells of `h`, cycle by cycle.
class ReportWatch {
 public:
  void Start(dut::NpuHarness& h) {
    h.Kernel().StartSoon(
        [this, &h]() -> sim::Task<> {
          const dut::CoreProbes& p = h.Model().Probes();
          for (;;) {
            co_await sim::ReadOnly();
            if (const auto e = uint32_t(p.err.Get())) reports.push_back({h.Cycles(), e});
            if (p.queue_overflow.Get()) overflows.push_back(h.Cycles());
            co_await sim::RisingEdge(h.Clock());
          }
        },
        "report_watch");
  }
  std::vector<SeenReport> reports;
  std::vector<uint64_t> overflows;
};

// A harness whose memory answers every request exactly `latency` cycles
// later, with no backpressure: runs that are the same cycle for cycle.
dut::HarnessOptions FixedLatency(const TestContext& ctx, int latency = 5) {
  dut::HarnessOptions o;
  o.mem = bus::AxiMemoryConfig::Ideal(ctx.seed);
  o.mem.min_latency = o.mem.max_latency = latency;
  o.trace_path = ctx.trace_path;
  return o;
}

// An illegal load at pc 0, and a bus error on one beat of the instructions
// behind it, swept beat by beat. The fetch reports in the cycle the beat
// arrives, the load one cycle after its check, so across the sweep the
// fetch reports first, both report in one cycle, and the load reports in
// the cycle after the fetch, when the NPU is already halted. The sweep
// must contain the last two.
NPU_SIM_TEST(err_report_sweep) {
  const uint32_t dim = Hw().dim, beats = isa::kInstrBytes / dim;
  const uint32_t behind = std::max<uint32_t>(3, 32 / beats);  // instructions swept
  std::vector<isa::Word> program{
      RowLoad(kIsaData, Hw().spad_a - 1, 2).Encode()};  // rows out of range
  for (uint32_t i = 0; i < behind; ++i) program.push_back(RowLoad(kIsaData, 0, 1).Encode());
  DeviceMemory img(kBase, kIsaImage);
  img.Write(kBase, isa::Serialize(program));
  int same_cycle = 0, while_halted = 0, fetch_won = 0, load_won = 0;
  for (uint32_t b = 0; b < behind * beats; ++b) {
    const uint32_t pc = 1 + b / beats, beat = kBase + isa::kInstrBytes + b * dim;
    const std::string what = fmt::format("bus error on beat {} of pc {}", b % beats, pc);
    dut::NpuHarness h(NPU_TB_CONFIG, FixedLatency(ctx));
    h.Mem().Write(img.Base(), img.Data());
    h.Mem().AddError(beat, beat + dim, b % 2 ? bus::Resp::kSlvErr : bus::Resp::kDecErr);
    ReportWatch w;
    dut::StreamOutcome out;
    h.Run([&](dut::NpuHarness& h) -> sim::Task<> {
      w.Start(h);
      out = co_await h.RunStream(img.Base(), img.Size(), kBase, uint32_t(program.size()), 100000);
    });
    NPU_CHECK(!w.reports.empty()) << what << ": no report seen";
    uint32_t cause = 0;
    for (const SeenReport& r : w.reports) {
      NPU_CHECK_EQ(r.sources & ~3u, 0u) << what << ": a report from a unit without a fault";
      cause |= (r.sources & 1 ? kResp : 0) | (r.sources & 2 ? kIllegal : 0);
    }
    const SeenReport& first = w.reports.front();
    const bool fetch_first = first.sources & 1;
    NPU_CHECK_EQ(out.status.err_cause, cause) << what << ": " << out.status.Describe();
    NPU_CHECK_EQ(out.status.err_pc, fetch_first ? pc : 0u) << what << ": " << out.status.Describe();
    NPU_CHECK_EQ(out.status.err_addr, fetch_first ? kBase + pc * isa::kInstrBytes : 0u)
        << what << ": " << out.status.Describe();
    same_cycle += first.sources == 3;
    while_halted += w.reports.size() > 1 && w.reports[1].cycle == first.cycle + 1;
    (fetch_first ? fetch_won : load_won)++;
  }
  fmt::print(
      "  {} runs: fetch first {}, load first {}, both in one cycle {}, one while halted {}\n",
      behind * beats, fetch_won, load_won, same_cycle, while_halted);
  NPU_CHECK(same_cycle > 0) << "no run had both reports in one cycle";
  NPU_CHECK(while_halted > 0) << "no run had a report in the cycle after the first";
}

// A doorbell lost around the cycle an error is reported, on either side and
// in that very cycle: the stream queue is full behind a stream that ends in
// an illegal load, and one more doorbell is written. Both causes are
// reported, ERR_PC names the illegal load (a lost doorbell does not stop
// the NPU and names no instruction), and each run loses that doorbell only.
NPU_SIM_TEST(err_overflow_race) {
  isa::LoadInstr nop;  // zero counts: touches nothing
  nop.sy = nop.sx = 1;
  std::vector<isa::Word> program(40, nop.Encode());
  program.push_back(RowLoad(kIsaData, Hw().spad_a - 1, 2).Encode());
  const uint32_t bad_pc = uint32_t(program.size() - 1);
  DeviceMemory img(kBase, kIsaImage);
  img.Write(kBase, isa::Serialize(program));
  struct Seen {
    uint64_t filled = 0, error = 0;  // relative to the first doorbell
    std::vector<uint64_t> overflows;
    RunStatus status;
  };
  // The stream, then kStreamQueue doorbells that fill the queue, then one
  // more doorbell written `at` cycles after the first (none if negative).
  const auto run = [&](int64_t at) {
    dut::NpuHarness h(NPU_TB_CONFIG, FixedLatency(ctx));
    h.Mem().Write(img.Base(), img.Data());
    ReportWatch w;
    Seen seen;
    uint64_t t0 = 0;
    h.Run([&](dut::NpuHarness& h) -> sim::Task<> {
      w.Start(h);
      co_await h.StartStream(img.Base(), img.Size(), kBase, uint32_t(program.size()));
      t0 = h.Cycles();
      co_await sim::ClockCycles(h.Clock(), 8);  // fetch takes the stream off the queue
      for (uint32_t i = 0; i < arch::kStreamQueue; ++i) co_await h.WriteReg(regs::kDoorbell, 1);
      seen.filled = h.Cycles() - t0;
      if (at >= 0) {
        NPU_CHECK(h.Cycles() - t0 <= uint64_t(at))
            << "the doorbell at " << at << " comes too early";
        co_await sim::ClockCycles(h.Clock(), uint64_t(at) - (h.Cycles() - t0));
        co_await h.WriteReg(regs::kDoorbell, 1);
      }
      // The lost doorbell raises the interrupt too: wait for the error.
      for (int i = 0; i < 100000 && w.reports.empty(); ++i) co_await sim::RisingEdge(h.Clock());
      co_await sim::ClockCycles(h.Clock(), 10);
      seen.status = (co_await h.Collect()).status;
    });
    NPU_CHECK(!w.reports.empty()) << "no error report (" << seen.status.Describe() << ", "
                                  << w.overflows.size() << " doorbells lost, queue filled in "
                                  << seen.filled << " cycles)";
    seen.error = w.reports.front().cycle - t0;
    for (uint64_t c : w.overflows) seen.overflows.push_back(c - t0);
    return seen;
  };
  const Seen ref = run(-1);
  NPU_CHECK(ref.overflows.empty()) << "a doorbell was lost while the queue filled";
  NPU_CHECK_EQ(ref.status.err_cause, kIllegal) << ref.status.Describe();
  NPU_CHECK(ref.error > ref.filled + 20) << "the error comes before the queue is full";
  // The doorbell's latency from its write to the lost-doorbell pulse.
  const Seen probe = run(int64_t(ref.filled) + 2);
  NPU_CHECK_EQ(probe.overflows.size(), 1u);
  const int64_t latency = int64_t(probe.overflows[0]) - (int64_t(ref.filled) + 2);
  int same = 0;
  for (int64_t d = -4; d <= 4; ++d) {
    const int64_t at = int64_t(ref.error) - latency + d;
    const Seen s = run(at);
    const std::string what = fmt::format("doorbell lost {:+} cycles from the error", d);
    NPU_CHECK_EQ(s.error, ref.error) << what << ": the error moved";
    NPU_CHECK_EQ(s.overflows.size(), 1u) << what;
    NPU_CHECK_EQ(int64_t(s.overflows[0]) - int64_t(s.error), d) << what;
    NPU_CHECK_EQ(s.status.err_cause, kIllegal | regs::kErrCauseQueueOverflowMask)
        << what << ": " << s.status.Describe();
    NPU_CHECK_EQ(s.status.err_pc, bad_pc) << what << ": " << s.status.Describe();
    NPU_CHECK_EQ(s.status.err_addr, 0u) << what << ": " << s.status.Describe();
    same += d == 0;
  }
  fmt::print(
      "  the error {} cycles after the doorbell, a lost doorbell's pulse {} cycles after "
      "its write; 9 timings from -4 to +4 agree\n",
      ref.error, latency);
  NPU_CHECK_EQ(same, 1);
}

// Streams long enough that every pc register reaches bit 14: 2^14 to
// 3 * 2^13 no-ops spread over the four units, then one faulty instruction,
// at a random stream address. Case k % 5 puts the fault in the fetch (a bus
// error on the last instruction's beats) or in the load, compute, window or
// store unit (an illegal instruction, a random address outside the window
// for the load, a random misaligned one for the store). ERR_PC is the last
// pc, and cause, pc and address are those of the ISS.
NPU_SIM_TEST_CASES(err_pc_high, 5) {
  auto rng = ctx.MakeRng();
  const int who = ctx.index % 5;
  const uint32_t dim = Hw().dim, n = (1u << 14) + uint32_t(rng() % (1u << 13));
  const uint32_t size = ((n + 1) * isa::kInstrBytes + 0xffff) & ~0xfffu;
  const uint32_t base = 0x1000'0000u + (uint32_t(rng() % 0xd0000) << 12);
  isa::LoadInstr load_nop;
  load_nop.sy = load_nop.sx = 1;
  isa::WindowInstr window_nop;  // nc = 0
  window_nop.mode = isa::WindowMode::kMax;
  window_nop.kh = window_nop.kw = window_nop.sy = window_nop.sx = 1;
  const isa::Word nops[] = {load_nop.Encode(), isa::ComputeInstr{}.Encode(), window_nop.Encode(),
                            isa::StoreInstr{}.Encode()};
  std::vector<isa::Word> program;
  program.reserve(n + 1);
  for (uint32_t i = 0; i < n; ++i) program.push_back(nops[i % 4]);
  uint32_t outside;  // an aligned address whose row is outside the window
  do {
    outside = uint32_t(rng()) & ~(dim - 1);
  } while (uint64_t{outside} + dim > base && outside < uint64_t{base} + size);
  const char* unit = "";
  switch (who) {
    case 0: {
      unit = "fetch";
      program.push_back(nops[0]);
      break;
    }
    case 1: {
      unit = "load";
      program.push_back(RowLoad(outside, 0, 1).Encode());
      break;
    }
    case 2: {
      unit = "compute";
      isa::ComputeInstr c;  // rows out of range
      c.a_row = Hw().spad_a - 1;
      c.m = 2;
      c.nk = 1;
      program.push_back(c.Encode());
      break;
    }
    case 3: {
      unit = "window";
      isa::WindowInstr w = window_nop;  // a zero kernel
      w.kh = 0;
      w.nc = w.ih = w.iw = w.oh = w.ow = 1;
      program.push_back(w.Encode());
      break;
    }
    default: {
      unit = "store";
      isa::StoreInstr s;
      s.ny = s.nx = 1;
      // Misaligned: found before the parameter block is read, which this
      // stream never loads (P holds whatever it held).
      s.dst_addr = outside + 1 + uint32_t(rng() % (dim - 1));
      s.dst_row_stride = dim;
      program.push_back(s.Encode());
      break;
    }
  }
  const std::string what = fmt::format("{} fault at pc {} of a stream at {:#010x}", unit, n, base);
  DeviceMemory image(base, size);
  image.Write(base, isa::Serialize(program));
  const uint32_t last = base + n * isa::kInstrBytes;
  iss::Iss iss(Hw());
  dut::RtlBackend rtl(Hw(), RtlOptions(ctx));
  if (who == 0) {
    iss.AddBusError(last, last + isa::kInstrBytes);
    rtl.Harness().Mem().AddError(last, last + isa::kInstrBytes, bus::Resp::kSlvErr);
  }
  DeviceMemory m_iss = image, m_rtl = image;
  const RunResult r_iss = iss.Run(m_iss, base, n + 1);
  const RunResult r_rtl = rtl.Run(m_rtl, base, n + 1);
  NPU_CHECK(!r_iss.status.ok) << what << ": the ISS reported no error";
  NPU_CHECK_EQ(r_iss.status.err_pc, n) << what << ": the ISS: " << r_iss.status.Describe();
  NPU_CHECK_EQ(r_rtl.status.err_cause, r_iss.status.err_cause)
      << what << ": RTL " << r_rtl.status.Describe() << ", ISS " << r_iss.status.Describe();
  NPU_CHECK_EQ(r_rtl.status.err_pc, n) << what << ": " << r_rtl.status.Describe();
  NPU_CHECK_EQ(r_rtl.status.err_addr, r_iss.status.err_addr)
      << what << ": RTL " << r_rtl.status.Describe() << ", ISS " << r_iss.status.Describe();
  if (who == 0) {
    NPU_CHECK_EQ(r_rtl.status.err_addr, last) << what;
  }
  fmt::print("  {}: {} (RTL and ISS agree), {} cycles\n", what, r_rtl.status.Describe(),
             r_rtl.stats.cycles);
}

// The compute unit's weight loader with its 2-entry ready queue full: GEMM
// chunks X and A, two compute no-ops with signals (markers) and a chunk L.
// While X streams, A's weights load into the other bank and A and the first
// marker fill the queue; when X ends, A starts streaming and the second
// marker takes its place, so L's last weight row waits for room while A
// streams. The run matches the ISS in lock step, and a store of the
// accumulator rows matches it in memory. Then a soft reset at every cycle
// around L's weight load (the loader flushed mid-chunk, or not): each time
// the program then runs again on the same device and stores the same bytes.
NPU_SIM_TEST(compute_ready_queue_full) {
  const uint32_t dim = Hw().dim, mx = 3 * dim, ma = 6 * dim;
  IsaProgram p;
  p.what = "two chunks, two markers and a third chunk on the compute unit";
  // A rows 0 .. ma - 1 and three weight tiles in B from random bytes, a
  // requant block in P (bias 0, multiplier 2^30, shift 0).
  std::vector<uint8_t> data(size_t{ma + 3 * dim} * dim);
  auto rng = ctx.MakeRng();
  for (uint8_t& b : data) b = uint8_t(rng());
  p.image.Write(kIsaData, data);
  std::vector<uint8_t> params(size_t{isa::param::kRequantRows} * dim, 0);
  for (uint32_t l = 0; l < dim; ++l) {
    const int32_t mult = 1 << 30;
    std::memcpy(&params[size_t{4} * dim + 4 * l], &mult, 4);
  }
  p.image.Write(kIsaParams, params);
  const isa::LoadInstr la = RowLoad(kIsaData, 0, ma);
  isa::LoadInstr lp = RowLoad(kIsaParams, 0, isa::param::kRequantRows);
  lp.spad = isa::Spad::kP;
  isa::LoadInstr lb = RowLoad(kIsaData + ma * dim, 0, 3 * dim);
  lb.spad = isa::Spad::kB;
  lb.deps.signal = isa::LoadInstr::kSignalCompute;
  isa::ComputeInstr x;
  x.nk = 1;
  x.m = mx;
  x.deps.wait = isa::ComputeInstr::kWaitLoad;
  isa::ComputeInstr a = x;
  a.deps = {};
  a.b_row = dim;
  a.m = ma;
  isa::ComputeInstr marker;
  marker.deps.signal = isa::ComputeInstr::kSignalStore;
  isa::ComputeInstr l = a;
  l.b_row = 2 * dim;
  l.m = dim;
  l.deps.signal = isa::ComputeInstr::kSignalStore;
  isa::StoreInstr noop;  // a no-op taking a marker's token
  noop.deps.wait = isa::StoreInstr::kWaitCompute;
  isa::StoreInstr st = noop;
  st.act_min = -128;
  st.act_max = 127;
  st.ny = 1;
  st.nx = ma;
  st.dst_addr = kIsaOut;
  st.dst_row_stride = ma * dim;
  p.program = {la.Encode(),   lp.Encode(),     lb.Encode(),     x.Encode(),
               a.Encode(),    marker.Encode(), marker.Encode(), l.Encode(),
               noop.Encode(), noop.Encode(),   st.Encode()};
  const uint32_t l_pc = 7;
  p.image.Write(kBase, isa::Serialize(p.program));
  const BothRuns r = RunBoth(ctx, p, p.program.size());
  NPU_CHECK(r.lock_step.empty()) << p.what << ": lock step: " << r.lock_step;
  CheckSameRun(p.what, r.iss, r.m_iss, r.rtl, r.m_rtl);
  std::vector<uint8_t> want(size_t{ma} * dim);
  r.m_iss.Read(kIsaOut, want);

  // Soft resets from 8 cycles before the compute unit takes L to 8 * dim
  // after, which spans L's weight load (it waits for X's bank); the runs are
  // cycle for cycle the same up to the reset (fixed latencies, no random
  // stalls). Without reset_at: no reset. Returns the cycle L was taken.
  const auto run = [&](std::optional<uint64_t> reset_at) {
    dut::NpuHarness h(NPU_TB_CONFIG, FixedLatency(ctx));
    h.Mem().Write(p.image.Base(), p.image.Data());
    uint64_t taken = 0;
    h.Run([&](dut::NpuHarness& h) -> sim::Task<> {
      const dut::CoreProbes& probes = h.Model().Probes();
      const uint32_t cu = uint32_t(isa::Unit::kCompute);
      h.Kernel().StartSoon(
          [&]() -> sim::Task<> {
            std::vector<uint8_t> pcs(probes.q_pc.ValueBytes());
            for (;;) {
              co_await sim::ReadOnly();
              if ((probes.q_valid.Get() & probes.q_ready.Get()) >> cu & 1) {
                probes.q_pc.GetBytes(pcs);
                uint32_t pc;
                std::memcpy(&pc, &pcs[4 * cu], 4);
                if (pc == l_pc && taken == 0) taken = h.Cycles();
              }
              co_await sim::RisingEdge(h.Clock());
            }
          },
          "take_watch");
      co_await h.StartStream(p.image.Base(), p.image.Size(), kBase, uint32_t(p.program.size()));
      dut::StreamOutcome out;
      if (reset_at) {
        while (h.Cycles() < *reset_at) co_await sim::RisingEdge(h.Clock());
        co_await h.SoftReset();
        // The first run may have stored already: poison its output.
        h.Mem().Write(kIsaOut, std::vector<uint8_t>(want.size(), kPoison));
        out = co_await h.RunStream(p.image.Base(), p.image.Size(), kBase,
                                   uint32_t(p.program.size()), 1000000);
      } else {
        co_await h.WaitIrq(1000000);
        out = co_await h.Collect();
      }
      NPU_CHECK(out.status.ok) << "soft reset in cycle " << reset_at.value_or(0) << ": "
                               << out.status.Describe();
    });
    std::vector<uint8_t> got(want.size());
    h.Mem().Read(kIsaOut, got);
    NPU_CHECK(got == want) << "soft reset in cycle " << reset_at.value_or(0)
                           << ": the stored rows differ from the ISS's";
    return taken;
  };
  const uint64_t take = run(std::nullopt);
  NPU_CHECK(take > 8) << "the compute unit never took L";
  for (uint64_t c = take - 8; c <= take + 8 * dim; ++c) run(c);
  fmt::print(
      "  lock step and memory agree; L taken in cycle {}; {} soft resets around its "
      "weight load recover\n",
      take, 8 * dim + 9);
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

// A bus error on one beat of a random region of a random layer (its
// instructions, its constants, its input or its output), on the region's
// first beat, last beat or one in between, SLVERR or DECERR: the RTL and
// the ISS report the same cause, pc and address and leave memory alike, and
// the same device then runs another layer.
NPU_SIM_TEST_CASES(err_bus_error_random, 24) {
  auto rng = ctx.MakeRng();
  const SmallLayer s = MakeSmallLayer(rng);
  const CompiledLayer& cl = s.cl;
  const uint32_t dim = uint32_t(cl.dim);
  struct Region {
    const char* name;
    uint32_t addr, bytes;
  };
  const Region regions[] = {
      {"instructions", cl.program_addr, uint32_t(cl.program.size()) * isa::kInstrBytes},
      {"constants", cl.constants[0].addr, uint32_t(cl.constants[0].bytes.size())},
      {"input", cl.inputs[0].addr,
       uint32_t(runtime::BlockedBytes(cl.inputs[0].h, cl.inputs[0].w, cl.inputs[0].c, cl.dim))},
      {"output", cl.outputs[0].addr,
       uint32_t(runtime::BlockedBytes(cl.outputs[0].h, cl.outputs[0].w, cl.outputs[0].c, cl.dim))},
  };
  const Region& r = regions[std::uniform_int_distribution<size_t>(0, 3)(rng)];
  const uint32_t beats = r.bytes / dim;
  const int where = std::uniform_int_distribution<int>(0, 2)(rng);
  const uint32_t beat = where == 0   ? 0
                        : where == 2 ? beats - 1
                                     : std::uniform_int_distribution<uint32_t>(0, beats - 1)(rng);
  const uint32_t at = r.addr + beat * dim;
  const bool dec = std::bernoulli_distribution(0.5)(rng);
  const std::string what = fmt::format("{} on beat {} of {} of the {} (0x{:08x})",
                                       dec ? "DECERR" : "SLVERR", beat, beats, r.name, at);
  const bus::Resp resp = dec ? bus::Resp::kDecErr : bus::Resp::kSlvErr;

  // A beat the program never reads or writes (padding between tensors,
  // constant rows no instruction loads) raises nothing: then both complete,
  // leaving the same memory.
  iss::Iss probe(Hw());
  probe.AddBusError(at, at + dim);
  DeviceMemory m_iss = runtime::BuildImage(cl, s.input, kPoison);
  const DeviceMemory before = m_iss;
  if (probe.Run(m_iss, cl.program_addr, uint32_t(cl.program.size())).status.ok) {
    dut::RtlBackend rtl(Hw(), RtlOptions(ctx));
    rtl.Harness().Mem().AddError(at, at + dim, resp);
    DeviceMemory m_rtl = before;
    const RunResult r = rtl.Run(m_rtl, cl.program_addr, uint32_t(cl.program.size()));
    NPU_CHECK(r.status.ok) << what << ": the ISS never touches the beat, the RTL reported "
                           << r.status.Describe();
    NPU_CHECK(std::ranges::equal(m_rtl.Data(), m_iss.Data()))
        << what << ": the RTL left memory unlike the ISS";
    fmt::print("  {}: never accessed, RTL and ISS complete alike\n", what);
    return;
  }
  CheckError(
      ctx, what, kResp, [](CompiledLayer&) {}, 0, {at, at + dim}, resp);
}

// Layer `s` with its final store replaced by a compute that waits for a load
// token: every load token has been taken by the real computes before it, so
// the program deadlocks.
CompiledLayer Deadlocked(const SmallLayer& s) {
  CompiledLayer cl = s.cl;
  isa::ComputeInstr c;
  c.deps.wait = isa::ComputeInstr::kWaitLoad;
  c.m = 1;
  c.nk = 1;
  cl.program.back() = c.Encode();
  return cl;
}

NPU_SIM_TEST(err_watchdog_deadlock) {
  // The watchdog stops the deadlocked NPU, reporting the oldest blocked
  // instruction.
  auto rng = ctx.MakeRng();
  SmallLayer s = MakeSmallLayer(rng);
  const CompiledLayer cl = Deadlocked(s);
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
  RunLayerOnSameDevice(*h, MakeSmallLayer(rng), "another layer after the watchdog");
}

// The same deadlock with WATCHDOG = 0: the watchdog is off, so the NPU waits
// (busy, no error, no interrupt) far longer than a watchdog of any small
// value would allow; a soft reset frees it and another layer then runs.
NPU_SIM_TEST(watchdog_zero_never_fires) {
  auto rng = ctx.MakeRng();
  SmallLayer s = MakeSmallLayer(rng);
  const CompiledLayer cl = Deadlocked(s);
  const DeviceMemory m = runtime::BuildImage(cl, s.input);
  auto h = HarnessWith(ctx, m);
  constexpr uint64_t kLook = 200000;
  h->Run([&](dut::NpuHarness& h) -> sim::Task<> {
    co_await h.WriteReg(regs::kWatchdog, 0);
    co_await h.StartStream(m.Base(), m.Size(), cl.program_addr, uint32_t(cl.program.size()));
    const uint64_t start = h.Cycles();
    while (h.Cycles() - start < kLook) {
      co_await sim::ClockCycles(h.Clock(), 1000);
      NPU_CHECK(!h.Model().Irq()) << "irq_o rose with WATCHDOG = 0";
    }
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kErrCause), 0u) << "an error with WATCHDOG = 0";
    NPU_CHECK(co_await h.ReadReg(regs::kStatus) & regs::kStatusBusyMask)
        << "the deadlocked stream is no longer running";
    co_await h.SoftReset();
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kStatus), 0u) << "soft reset left the NPU busy";
    co_await h.WriteReg(regs::kWatchdog, regs::kWatchdogReset);
  });
  fmt::print("  WATCHDOG = 0: no error in {} cycles of deadlock\n", kLook);
  RunLayerOnSameDevice(*h, MakeSmallLayer(rng), "another layer after WATCHDOG = 0");
}

// Under the Stress memory profile (latencies up to 100 cycles, ready and
// valid withheld half the time, reordered responses) a watchdog of 2000
// cycles, 500 times below the reset value, never fires on a correct layer.
NPU_SIM_TEST(watchdog_quiet_under_stress) {
  auto rng = ctx.MakeRng();
  const SmallLayer s = MakeSmallLayer(rng);
  const DeviceMemory img = runtime::BuildImage(s.cl, s.input);
  dut::HarnessOptions o;
  o.mem = bus::AxiMemoryConfig::Stress(ctx.seed);
  o.trace_path = ctx.trace_path;
  dut::NpuHarness harness(NPU_TB_CONFIG, o);
  harness.Mem().Write(img.Base(), img.Data());
  harness.Run([&](dut::NpuHarness& h) -> sim::Task<> {
    co_await h.WriteReg(regs::kWatchdog, 2000);
    const dut::StreamOutcome out = co_await h.RunStream(img.Base(), img.Size(), s.cl.program_addr,
                                                        uint32_t(s.cl.program.size()), 10000000);
    NPU_CHECK(out.status.ok) << "WATCHDOG = 2000 under Stress: " << out.status.Describe();
    NPU_CHECK(OutputIn(h, s.cl) == s.golden) << "wrong output under Stress";
    fmt::print("  Stress, WATCHDOG = 2000: ok in {} cycles\n", out.stats.cycles);
  });
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
    // The protocol monitor watched all of it and saw the bus end quiet.
    NPU_CHECK(h.Monitor() && h.Monitor()->stats().ar > 0 && h.Monitor()->stats().w > 0)
        << "no AXI monitor on the memory port";
    NPU_CHECK(h.Monitor()->Idle()) << "the AXI monitor sees transactions outstanding";
  });
  RunLayerOnSameDevice(*h, MakeSmallLayer(rng), "another layer after the soft reset");
}

// A soft or a hardware reset at a random cycle of a running layer (before
// it starts, inside read and write bursts, after it ends): the NPU ends idle
// with no error and the bus quiet, memory holds only what it held before or
// what the layer writes there, and a different layer with fresh data then
// runs correctly on the same device.
NPU_SIM_TEST_CASES(reset_random_cycle, 24) {
  auto rng = ctx.MakeRng();
  const SmallLayer s = MakeSmallLayer(rng);
  const DeviceMemory before = runtime::BuildImage(s.cl, s.input, kPoison);
  DeviceMemory good = before;
  iss::Iss iss(Hw());
  const uint32_t n = uint32_t(s.cl.program.size());
  NPU_CHECK(iss.Run(good, s.cl.program_addr, n).status.ok);
  const bool hard = Chance(rng, 0.5);
  const uint64_t at = std::uniform_int_distribution<uint64_t>(0, s.cl.est_cycles * 5 / 4 + 50)(rng);
  const std::string what =
      fmt::format("{} reset at cycle {} of {} (about {} cycles)", hard ? "hardware" : "soft", at,
                  testing::Describe(s.gemm), s.cl.est_cycles);
  auto h = HarnessWith(ctx, before);
  h->Run([&](dut::NpuHarness& h) -> sim::Task<> {
    co_await h.StartStream(before.Base(), before.Size(), s.cl.program_addr, n);
    co_await sim::ClockCycles(h.Clock(), at);
    if (hard) {
      co_await h.HardReset();
      NPU_CHECK_EQ(co_await h.ReadReg(regs::kStreamsDone), 0u) << what << ": registers not reset";
    } else {
      co_await h.SoftReset();
    }
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kStatus), 0u) << what << ": not idle";
    NPU_CHECK_EQ(co_await h.ReadReg(regs::kErrCause), 0u) << what;
    co_await sim::ClockCycles(h.Clock(), 4);
    NPU_CHECK(h.Mem().Idle()) << what << ": bus transactions outstanding";
    NPU_CHECK(h.Monitor()->Idle()) << what << ": the AXI monitor sees transactions outstanding";
  });
  DeviceMemory now(before.Base(), before.Size());
  h->Mem().Read(now.Base(), now.Data());
  CheckStoppedMemory(what, "the RTL", before, good, now);
  RunLayerOnSameDevice(*h, MakeSmallLayer(rng), what + ", then another layer");
  fmt::print("  {}: idle, bus quiet, memory clean, another layer ok\n", what);
}

// ---------------------------------------------------------------------------
// Faults while every unit is busy.
// ---------------------------------------------------------------------------

// A GEMM layer whose program keeps every unit busy: after every two of its
// instructions come three without tokens, a max-pooling window, a load and a
// GEMM, whose results go to scratchpad and accumulator rows the layer does
// not use, so its results do not change (the ISS checks that). The program
// is placed after the layer's image, which grows to hold it.
struct BusyLayer {
  SmallLayer s;
  std::vector<isa::Word> program;
  DeviceMemory image{0, 0};
  uint32_t program_addr = 0;
};

BusyLayer MakeBusyLayer(std::mt19937_64& rng) {
  BusyLayer b;
  // Enough row tiles, column tiles and K chunks that loads, GEMMs and
  // stores overlap.
  const int d = int(Hw().dim);
  b.s.gemm = testing::RandomGemmShape(rng, Pick(rng, 12 * d, 16 * d), Pick(rng, 4 * d, 6 * d),
                                      Pick(rng, 2 * d, 4 * d));
  b.s.input.resize(size_t(b.s.gemm.m) * b.s.gemm.k);
  for (auto& x : b.s.input)
    x = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
  b.s.golden = testing::GoldenGemm(b.s.gemm, b.s.input);
  b.s.cl = compiler::Compile(b.s.gemm.ToConv(), Hw(), kBase);
  const CompiledLayer& cl = b.s.cl;

  // The A rows and accumulator rows the layer uses end below these.
  uint32_t a_used = 0, acc_used = 0;
  for (const isa::Word& w : cl.program) {
    if (isa::OpcodeOf(w) == uint32_t(isa::Opcode::kLoad)) {
      const auto l = isa::LoadInstr::Decode(w);
      if (l.spad == isa::Spad::kA && l.nc > 0) {
        a_used = std::max(a_used, l.dst_row + (l.nc - 1) * l.dst_c_stride + l.ny * l.nx);
      }
    } else if (isa::OpcodeOf(w) == uint32_t(isa::Opcode::kCompute)) {
      const auto c = isa::ComputeInstr::Decode(w);
      acc_used = std::max(acc_used, c.acc_row + c.m);
    } else if (isa::OpcodeOf(w) == uint32_t(isa::Opcode::kStore)) {
      const auto st = isa::StoreInstr::Decode(w);
      acc_used = std::max(acc_used, st.acc_row + st.ny * st.nx);
    }
  }
  constexpr uint32_t kRows = 16;  // rows each extra load and GEMM writes
  isa::WindowInstr win;
  win.mode = isa::WindowMode::kMax;
  win.kh = win.kw = win.sy = win.sx = 2;
  win.ih = win.iw = 8;
  win.oh = win.ow = 4;
  const uint32_t per_plane = win.oh * win.ow;
  win.nc = std::min<uint32_t>(8, (Hw().acc - acc_used) / per_plane);
  NPU_CHECK(win.nc >= 1 && Hw().acc - acc_used >= kRows)
      << fmt::format("no accumulator rows free above row {}", acc_used);
  NPU_CHECK(Hw().spad_a - a_used >= kRows) << fmt::format("no A rows free above row {}", a_used);
  win.a_c_stride = win.ih * win.iw;
  win.acc_row = Hw().acc - win.nc * per_plane;
  win.acc_c_stride = per_plane;
  const isa::LoadInstr ld = RowLoad(cl.base, Hw().spad_a - kRows, kRows);
  isa::ComputeInstr gemm;
  gemm.acc_row = Hw().acc - kRows;
  gemm.m = kRows;
  gemm.nk = 1;
  gemm.a_k_stride = kRows;
  for (size_t i = 0; i < cl.program.size(); ++i) {
    if (i % 2 == 0) {
      for (const isa::Word& w : {win.Encode(), ld.Encode(), gemm.Encode()}) b.program.push_back(w);
    }
    b.program.push_back(cl.program[i]);
  }
  const std::vector<uint8_t> code = isa::Serialize(b.program);
  b.program_addr = cl.base + cl.size;
  b.image = DeviceMemory(cl.base, cl.size + uint32_t((code.size() + 4095) / 4096 * 4096));
  const DeviceMemory layer = runtime::BuildImage(cl, b.s.input, kPoison);
  b.image.Write(layer.Base(), layer.Data());
  b.image.Write(b.program_addr, code);
  return b;
}

// A bus error on the first, a middle or the last beat of a burst that
// starts while all four units are busy (the harness reads their busy flags
// inside the model), on whichever burst starts then: an instruction fetch,
// a load or a store. The NPU reports an axi_resp error with the failing
// beat's address (a write: its burst's; a fetch: the instruction's) and an
// instruction of the unit that owns the burst (a fetch: the instruction the
// beat holds), leaves the bus
// quiet and legal and memory holding only what completed, and then runs
// another layer on the same device.
NPU_SIM_TEST_CASES(err_bus_error_all_busy, 16) {
  auto rng = ctx.MakeRng();
  const BusyLayer b = MakeBusyLayer(rng);
  const uint32_t n = uint32_t(b.program.size());
  const std::string layer = testing::Describe(b.s.gemm);
  DeviceMemory good = b.image;
  {
    iss::Iss iss(Hw());
    const RunResult r = iss.Run(good, b.program_addr, n);
    NPU_CHECK(r.status.ok) << layer << ": ISS: " << r.status.Describe();
    NPU_CHECK(runtime::ReadOutput(b.s.cl, good) == b.s.golden)
        << layer << ": the window instructions changed the layer's output on the ISS";
  }
  const uint32_t dim = Hw().dim;
  const bool dec = Chance(rng, 0.5);
  const int where = Pick(rng, 0, 2);  // first, middle or last beat

  // Runs the layer on a fresh NPU (the same memory timing every time). With
  // `skip` >= 0 it injects the error into the first burst that starts in an
  // all-busy cycle once `skip` of them have passed; without, it lists the
  // all-busy cycles in which a burst starts (`starts`).
  struct Injected {
    bool done = false, write = false;
    uint32_t id = 0, burst = 0, beats = 0, beat = 0, addr = 0;
  };
  struct Busy {
    std::unique_ptr<dut::NpuHarness> h;
    dut::StreamOutcome out;
    uint64_t all_busy = 0;
    std::vector<uint64_t> starts;
    Injected inj;
  };
  const auto run = [&](int64_t skip) {
    Busy r;
    r.h = HarnessWith(ctx, b.image);
    r.h->Run([&](dut::NpuHarness& h) -> sim::Task<> {
      const bus::AxiPort port = h.Model().MemPort();
      h.Kernel().StartSoon(
          [&]() -> sim::Task<> {
            for (;;) {
              co_await sim::ReadOnly();
              if (h.Model().Probes().unit_busy.Get() == (1u << isa::kNumUnits) - 1) {
                const uint64_t index = r.all_busy++;
                const bool ar = port.arvalid.Get() && port.arready.Get();
                const bool aw = port.awvalid.Get() && port.awready.Get();
                if ((ar || aw) && skip < 0) {
                  r.starts.push_back(index);
                } else if ((ar || aw) && int64_t(index) >= skip && !r.inj.done) {
                  Injected& inj = r.inj;
                  inj.write = aw && (!ar || Chance(rng, 0.5));
                  inj.burst = uint32_t(inj.write ? port.awaddr.Get() : port.araddr.Get());
                  inj.beats = uint32_t(inj.write ? port.awlen.Get() : port.arlen.Get()) + 1;
                  inj.id = inj.write ? arch::kAxiIdStore : uint32_t(port.arid.Get());
                  inj.beat = where == 0   ? 0
                             : where == 2 ? inj.beats - 1
                                          : uint32_t(Pick(rng, 0, int(inj.beats) - 1));
                  inj.addr = inj.burst + inj.beat * dim;
                  h.Mem().AddError(inj.addr, inj.addr + dim,
                                   dec ? bus::Resp::kDecErr : bus::Resp::kSlvErr);
                  inj.done = true;
                }
              }
              co_await sim::RisingEdge(h.Clock());
            }
          },
          "inject");
      r.out = co_await h.RunStream(b.image.Base(), b.image.Size(), b.program_addr, n, 10000000);
      co_await sim::ClockCycles(h.Clock(), 4);
      NPU_CHECK(h.Mem().Idle()) << layer << ": bus transactions outstanding at the end";
      NPU_CHECK(h.Monitor()->Idle()) << layer << ": the AXI monitor sees transactions outstanding";
    });
    return r;
  };

  // Without a fault the layer, windows included, runs correctly, and shows
  // how many cycles had every unit busy.
  const Busy clean = run(-1);
  NPU_CHECK(clean.out.status.ok) << layer << ": " << clean.out.status.Describe();
  NPU_CHECK(OutputIn(*clean.h, b.s.cl) == b.s.golden) << layer << ": wrong output";
  NPU_CHECK(!clean.starts.empty()) << layer << ": no burst started while all four units were busy";

  // One of the bursts that start while every unit is busy (a random cycle
  // could fall after the last of them).
  const int64_t skip = int64_t(clean.starts[size_t(Pick(rng, 0, int(clean.starts.size()) - 1))]);
  Busy f = run(skip);
  const Injected& inj = f.inj;
  NPU_CHECK(inj.done) << layer
                      << fmt::format(
                             ": no burst started in the {} all-busy cycles after the first {}",
                             clean.all_busy - uint64_t(skip), skip);
  const char* owner = inj.write                     ? "store write"
                      : inj.id == arch::kAxiIdFetch ? "fetch"
                      : inj.id == arch::kAxiIdLoad  ? "load"
                                                    : "store read";
  const std::string what = fmt::format(
      "{}: {} on beat {} of {} of a {} burst at 0x{:08x}, after {} of {} all-busy cycles", layer,
      dec ? "DECERR" : "SLVERR", inj.beat, inj.beats, owner, inj.burst, skip, clean.all_busy);
  const RunStatus& st = f.out.status;
  NPU_CHECK(!st.ok) << what << ": no error reported";
  NPU_CHECK_EQ(st.err_cause, kResp) << what << ": " << st.Describe();
  // A data read reports its failing beat, a write its burst (one response
  // for all of it), a fetch the instruction the beat holds.
  const bool fetch = inj.id == arch::kAxiIdFetch && !inj.write;
  const uint32_t instr_addr = inj.addr - (inj.addr - b.program_addr) % isa::kInstrBytes;
  NPU_CHECK_EQ(st.err_addr, inj.write ? inj.burst
                            : fetch   ? instr_addr
                                      : inj.addr)
      << what << ": " << st.Describe();
  NPU_CHECK(st.err_pc < n) << what << ": " << st.Describe();
  if (fetch) {
    NPU_CHECK_EQ(st.err_pc, (inj.addr - b.program_addr) / isa::kInstrBytes)
        << what << ": the pc is not the instruction the failing beat holds";
  } else {
    const isa::Opcode want =
        inj.id == arch::kAxiIdLoad && !inj.write ? isa::Opcode::kLoad : isa::Opcode::kStore;
    NPU_CHECK(isa::OpcodeOf(b.program[st.err_pc]) == uint32_t(want))
        << what << ": the pc names " << isa::Disassemble(b.program[st.err_pc]);
  }
  DeviceMemory now(b.image.Base(), b.image.Size());
  f.h->Mem().Read(now.Base(), now.Data());
  CheckStoppedMemory(what, "the RTL", b.image, good, now);
  f.h->Mem().ClearErrors();
  RunLayerOnSameDevice(*f.h, MakeSmallLayer(rng), what + ", then another layer");
  fmt::print("  {}: {}; bus quiet, memory clean, another layer ok\n", what, st.Describe());
}

// ---------------------------------------------------------------------------
// Time counters.
// ---------------------------------------------------------------------------

// Runs `program` (at kBase, random data at kIsaData) on a fresh NPU whose
// memory answers every read and write exactly `latency` cycles after the
// request, with no backpressure, and returns what the stream reports.
dut::StreamOutcome RunWithLatency(const TestContext& ctx, const std::vector<isa::Word>& program,
                                  int latency, uint32_t watchdog = regs::kWatchdogReset) {
  dut::NpuHarness h(NPU_TB_CONFIG, FixedLatency(ctx, latency));
  DeviceMemory img(kBase, kIsaImage);
  img.Write(kBase, isa::Serialize(program));
  h.Mem().Write(img.Base(), img.Data());
  dut::StreamOutcome out;
  h.Run([&](dut::NpuHarness& h) -> sim::Task<> {
    co_await h.WriteReg(regs::kWatchdog, watchdog);
    out = co_await h.RunStream(img.Base(), img.Size(), kBase, uint32_t(program.size()), 1000000);
  });
  return out;
}

// Exact time counters. Each stream runs twice, its memory answering after
// L and then L + d cycles; a wait on memory adds exactly d to the counters
// that name it and nothing to the others (docs/gen/regs.md):
// - one load: the fetch and then the load wait for memory, so cycles grows
//   by 2d; fetch_stall (every queue empty, an instruction still to come),
//   load_busy and load_stall_mem by d;
// - a load, then a compute that waits for its token: the same, and the
//   compute's stall_dep grows by d (its queue head waits for the load; the
//   unit is idle meanwhile, so compute_busy does not grow);
// - a load that waits for a token nobody gives, stopped by the watchdog:
//   with WATCHDOG raised by d, cycles and load_stall_dep grow by d and
//   nothing else changes.
// Counters of units with nothing to do stay 0.
NPU_SIM_TEST(counters_time_exact) {
  const isa::LoadInstr ld = RowLoad(kIsaData, 0, 8);
  isa::ComputeInstr cmp;
  cmp.m = 8;
  cmp.nk = 1;
  cmp.a_k_stride = 8;
  cmp.deps.wait = isa::ComputeInstr::kWaitLoad;
  isa::LoadInstr ld_signal = ld;
  ld_signal.deps.signal = isa::LoadInstr::kSignalCompute;
  isa::LoadInstr ld_blocked = ld;
  ld_blocked.deps.wait = isa::LoadInstr::kWaitCompute;

  using Delta = std::map<std::string, int64_t>;
  const auto check = [&](const char* what, const std::vector<isa::Word>& program, int l0, int l1,
                         uint32_t w0, uint32_t w1, const Delta& want, bool ok) {
    const dut::StreamOutcome a = RunWithLatency(ctx, program, l0, w0);
    const dut::StreamOutcome b = RunWithLatency(ctx, program, l1, w1);
    NPU_CHECK_EQ(a.status.ok, ok) << what << ": " << a.status.Describe();
    NPU_CHECK_EQ(b.status.ok, ok) << what << ": " << b.status.Describe();
    std::string line;
    for (const auto& [name, v0] : a.stats.counters) {
      if (name == "macs" || name == "instructions" || name.starts_with("bytes_")) continue;
      const int64_t d = int64_t(b.stats.counters.at(name)) - int64_t(v0);
      const auto it = want.find(name);
      const int64_t expect = it == want.end() ? 0 : it->second;
      NPU_CHECK_EQ(d, expect) << what << fmt::format(": {} went from {} to {}", name, v0, v0 + d);
      if (v0 != 0) line += fmt::format(" {}={}{:+}", name, v0, d);
    }
    // In a completed run a unit with no work has every counter 0 (an
    // aborted one counts the cycle its load and store units drain).
    for (const auto& [name, v0] : a.stats.counters) {
      const bool idle_unit = !std::ranges::any_of(program, [&](const isa::Word& w) {
        const auto u = isa::TryUnitOf(isa::OpcodeOf(w));
        return u && name.starts_with(std::string(isa::UnitName(*u)) + "_");
      });
      const bool unit_counter = std::ranges::any_of(isa::kUnitNames, [&](std::string_view u) {
        return name.starts_with(std::string(u) + "_");
      });
      if (ok && unit_counter && idle_unit) {
        NPU_CHECK_EQ(v0, 0u) << what << ": " << name;
      }
    }
    fmt::print("  {}:{}\n", what, line);
  };
  constexpr int kL = 6, kD = 20;
  check("one load", {ld.Encode()}, kL, kL + kD, regs::kWatchdogReset, regs::kWatchdogReset,
        {{"cycles", 2 * kD}, {"fetch_stall", kD}, {"load_busy", kD}, {"load_stall_mem", kD}}, true);
  check("a load, then a compute waiting for it", {ld_signal.Encode(), cmp.Encode()}, kL, kL + kD,
        regs::kWatchdogReset, regs::kWatchdogReset,
        {{"cycles", 2 * kD},
         {"fetch_stall", kD},
         {"load_busy", kD},
         {"load_stall_mem", kD},
         {"compute_stall_dep", kD}},
        true);
  check("a load waiting for a token nobody gives, WATCHDOG 500 and 500 + d", {ld_blocked.Encode()},
        kL, kL, 500, 500 + kD, {{"cycles", kD}, {"load_stall_dep", kD}}, false);
}

// ---------------------------------------------------------------------------
// IRQ_STATUS write-1-to-clear racing the event that sets the bit.
// ---------------------------------------------------------------------------

// A host clears IRQ_STATUS.done (or .error) with a write that the slave
// accepts a few cycles before, in the same cycle as, or after the stream
// completes (or fails). The bit must survive a clear accepted before or in
// the cycle of its event (setting wins: no interrupt is lost), and a clear
// accepted once the interrupt is visible removes it. Each timing runs on a
// fresh NPU with fixed latencies, so the event's cycle is the reference
// run's; the sweep must include the clear in the event's own cycle.
NPU_SIM_TEST(irq_w1c_race) {
  const isa::LoadInstr ld = RowLoad(kIsaData, 0, 4);
  struct Kind {
    const char* what;
    std::vector<isa::Word> program;
    uint32_t mask;
  };
  const Kind kinds[] = {{"done", {ld.Encode()}, regs::kIrqStatusDoneMask},
                        {"error", {isa::Word{}}, regs::kIrqStatusErrorMask}};
  for (const Kind& k : kinds) {
    DeviceMemory img(kBase, kIsaImage);
    img.Write(kBase, isa::Serialize(k.program));
    // Runs the stream, clearing the bit with a write started `start`
    // cycles after the doorbell (none if negative). Returns the cycle the
    // interrupt rose (-1: never), the cycle the clear was accepted, and
    // IRQ_STATUS and irq_o at the end, all relative to the doorbell.
    struct Seen {
      int64_t irq = -1, clear = -1;
      uint32_t status = 0;
      bool irq_end = false;
    };
    const auto run = [&](int64_t start) {
      dut::NpuHarness h(NPU_TB_CONFIG, FixedLatency(ctx));
      h.Mem().Write(img.Base(), img.Data());
      Seen seen;
      h.Run([&](dut::NpuHarness& h) -> sim::Task<> {
        const bus::AxiLitePort csr = h.Model().CsrPort();
        co_await h.StartStream(img.Base(), img.Size(), kBase, uint32_t(k.program.size()));
        const uint64_t t0 = h.Cycles();
        h.Kernel().StartSoon(
            [&]() -> sim::Task<> {
              for (;;) {
                co_await sim::ReadOnly();
                const int64_t t = int64_t(h.Cycles() - t0);
                if (seen.irq < 0 && h.Model().Irq()) seen.irq = t;
                if (csr.awvalid.Get() && csr.awready.Get() && csr.wvalid.Get() &&
                    csr.awaddr.Get() == regs::kIrqStatus) {
                  seen.clear = t;
                }
                co_await sim::RisingEdge(h.Clock());
              }
            },
            "watch");
        if (start >= 0) {
          co_await sim::ClockCycles(h.Clock(), uint64_t(start));
          co_await h.WriteReg(regs::kIrqStatus, k.mask);
        }
        co_await sim::ClockCycles(h.Clock(), 200);
        seen.status = co_await h.ReadReg(regs::kIrqStatus);
        seen.irq_end = h.Model().Irq();
      });
      return seen;
    };
    const Seen ref = run(-1);
    NPU_CHECK(ref.irq > 0) << k.what << ": no interrupt without a clear";
    NPU_CHECK_EQ(ref.status & k.mask, k.mask) << k.what;
    // The event sets the bit at the clock edge before the interrupt shows.
    const int64_t event = ref.irq - 1;
    std::set<int64_t> offsets;
    for (int64_t start = std::max<int64_t>(0, ref.irq - 12); start <= ref.irq + 4; ++start) {
      const Seen s = run(start);
      NPU_CHECK(s.clear >= 0) << k.what << ": the clear was never accepted";
      const int64_t rel = s.clear - event;
      offsets.insert(rel);
      const std::string at = fmt::format("{}: clear accepted {} cycle(s) {} the event", k.what,
                                         std::abs(rel), rel < 0 ? "before" : "after");
      NPU_CHECK_EQ(s.irq, ref.irq) << at << ": the interrupt did not rise when it should";
      const bool survives = rel <= 0;
      NPU_CHECK_EQ((s.status & k.mask) != 0, survives) << at;
      NPU_CHECK_EQ(s.irq_end, survives) << at << ": irq_o at the end";
    }
    for (int64_t rel : {-2, -1, 0, 1, 2}) {
      NPU_CHECK(offsets.contains(rel))
          << k.what << ": the sweep missed a clear " << rel << " cycle(s) from the event";
    }
    fmt::print(
        "  {}: interrupt {} cycles after the doorbell; clears from {} to {} cycles around it\n",
        k.what, ref.irq, *offsets.begin(), *offsets.rbegin());
  }
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

int main(int argc, char** argv) {
  const int status = npu::sim::RunTests(argc, argv);
  fmt::print("{}", npu::Tally().Summary());
  return status;
}
