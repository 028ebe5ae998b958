// The load instruction: windows, padding, planes and strides, against the
// ISA pseudocode written out as plain loops.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "sw/iss/iss.h"
#include "sw/iss/iss_test_util.h"

namespace npu::iss {
namespace {

using testing::Cfg4;
using testing::kBase;
using testing::kData;
using testing::kMemSize;
using testing::RunProgram;

constexpr int8_t kSentinel = 0x5a;

/// Expected scratchpad after @p l on top of rows all kSentinel, straight from
/// the ISA pseudocode (docs/gen/isa.md).
std::vector<std::vector<int8_t>> ReferenceLoad(const isa::LoadInstr& l,
                                               const runtime::DeviceMemory& mem, uint32_t dim,
                                               uint32_t depth) {
  std::vector<std::vector<int8_t>> spad(depth, std::vector<int8_t>(dim, kSentinel));
  for (int64_t c = 0; c < l.nc; ++c) {
    for (int64_t y = 0; y < l.ny; ++y) {
      for (int64_t x = 0; x < l.nx; ++x) {
        const int64_t iy = l.y0 + y * l.sy, ix = l.x0 + x * l.sx;
        const int64_t row = l.dst_row + c * l.dst_c_stride + y * l.nx + x;
        for (uint32_t b = 0; b < dim; ++b) {
          if (0 <= iy && iy < l.h && 0 <= ix && ix < l.w) {
            const int64_t addr = l.src_addr + c * l.src_c_stride + iy * l.src_row_stride + ix * dim;
            spad[row][b] = static_cast<int8_t>(mem.Data()[addr - mem.Base() + b]);
          } else {
            spad[row][b] = static_cast<int8_t>(l.pad);
          }
        }
      }
    }
  }
  return spad;
}

struct WindowCase {
  std::string name;
  uint32_t nc, h, w, ny, nx, sy, sx, dst_row, dst_c_stride;
  int32_t y0, x0, pad;
};

class LoadWindowTest : public ::testing::TestWithParam<WindowCase> {};

TEST_P(LoadWindowTest, MatchesPseudocode) {
  const WindowCase& p = GetParam();
  const uint32_t dim = Cfg4().dim;
  runtime::DeviceMemory mem(kBase, kMemSize);
  std::mt19937 rng(7);
  testing::RandomFill(mem, kData, 0x4000, rng);
  Iss iss(Cfg4());
  const uint32_t rows = 256;
  for (uint32_t r = 0; r < rows; ++r) {
    for (int8_t& b : iss.SpadRow(Spad::kA, r)) b = kSentinel;
  }

  isa::LoadInstr l;
  l.spad = static_cast<Spad>(0), l.sy = p.sy, l.sx = p.sx, l.pad = p.pad, l.nc = p.nc;
  l.src_addr = kData + 0x40;
  l.src_row_stride = (p.w + 3) * dim;  // rows a little longer than w
  l.src_c_stride = l.src_row_stride * (p.h + 1);
  l.dst_row = p.dst_row, l.dst_c_stride = p.dst_c_stride;
  l.h = p.h, l.w = p.w, l.y0 = p.y0, l.x0 = p.x0, l.ny = p.ny, l.nx = p.nx;
  const auto result = RunProgram(iss, mem, {l.Encode()});
  ASSERT_TRUE(result.status.ok) << result.status.Describe();

  const auto expected = ReferenceLoad(l, mem, dim, rows);
  uint64_t in_bounds = 0;
  for (uint32_t r = 0; r < rows; ++r) {
    const auto got = iss.SpadRow(Spad::kA, r);
    EXPECT_EQ(std::vector<int8_t>(got.begin(), got.end()), expected[r]) << "row " << r;
  }
  for (int64_t y = 0; y < p.ny; ++y) {
    for (int64_t x = 0; x < p.nx; ++x) {
      const int64_t iy = p.y0 + y * p.sy, ix = p.x0 + x * p.sx;
      in_bounds += (0 <= iy && iy < p.h && 0 <= ix && ix < p.w) ? 1 : 0;
    }
  }
  EXPECT_EQ(result.stats.bytes_read, isa::kInstrBytes + in_bounds * p.nc * dim);
  EXPECT_EQ(result.stats.instructions, 1u);
  EXPECT_EQ(result.stats.bytes_written, 0u);
}

INSTANTIATE_TEST_SUITE_P(Windows, LoadWindowTest,
                         ::testing::Values(
                             //          name          nc  h  w ny nx sy sx dst  dcs  y0  x0 pad
                             WindowCase{"plain_rows", 1, 1, 9, 1, 9, 1, 1, 3, 0, 0, 0, 0},
                             WindowCase{"pad_all_sides", 1, 4, 5, 6, 7, 1, 1, 0, 0, -1, -1, -5},
                             WindowCase{"planes", 3, 3, 3, 3, 3, 1, 1, 2, 20, -1, -1, 17},
                             WindowCase{"stride2", 2, 7, 7, 4, 4, 2, 2, 0, 16, -1, -1, -128},
                             WindowCase{"stride_xy_differ", 1, 9, 8, 3, 5, 3, 2, 1, 0, 0, -2, 127},
                             WindowCase{"window_inside", 2, 8, 8, 2, 3, 1, 1, 0, 6, 3, 4, 1},
                             WindowCase{"right_bottom_pad", 1, 3, 3, 4, 4, 1, 1, 0, 0, 1, 1, 9},
                             WindowCase{"all_padding", 2, 3, 3, 2, 2, 1, 1, 0, 4, 5, -9, -7},
                             WindowCase{"wide_stride7", 1, 20, 30, 3, 5, 7, 7, 0, 0, -6, -6, 3},
                             WindowCase{"planes_overlapping_rows", 2, 2, 4, 2, 4, 1, 1, 0, 3, 0, 0,
                                        0}),
                         [](const auto& info) { return info.param.name; });

TEST(LoadTest, EachScratchpad) {
  const uint32_t dim = Cfg4().dim;
  runtime::DeviceMemory mem(kBase, kMemSize);
  std::mt19937 rng(3);
  testing::RandomFill(mem, kData, 0x100, rng);
  Iss iss(Cfg4());
  const auto result =
      RunProgram(iss, mem,
                 {testing::RowsLoad(Spad::kA, kData, 5, 2).Encode(),
                  testing::RowsLoad(Spad::kB, kData + 8, 0, 2).Encode(),
                  testing::RowsLoad(Spad::kP, kData + 16, Cfg4().spad_p - 1, 1).Encode()});
  ASSERT_TRUE(result.status.ok) << result.status.Describe();
  for (uint32_t b = 0; b < dim; ++b) {
    EXPECT_EQ(iss.SpadRow(Spad::kA, 5)[b], static_cast<int8_t>(mem.Data()[0x1000 + b]));
    EXPECT_EQ(iss.SpadRow(Spad::kA, 6)[b], static_cast<int8_t>(mem.Data()[0x1004 + b]));
    EXPECT_EQ(iss.SpadRow(Spad::kB, 0)[b], static_cast<int8_t>(mem.Data()[0x1008 + b]));
    EXPECT_EQ(iss.SpadRow(Spad::kB, 1)[b], static_cast<int8_t>(mem.Data()[0x100c + b]));
    EXPECT_EQ(iss.SpadRow(Spad::kP, Cfg4().spad_p - 1)[b],
              static_cast<int8_t>(mem.Data()[0x1010 + b]));
  }
  EXPECT_EQ(iss.SpadRow(Spad::kA, 4)[0], 0);
}

TEST(LoadTest, ZeroCountsAreNoOpsThatMoveTokens) {
  runtime::DeviceMemory mem(kBase, kMemSize);
  Iss iss(Cfg4());
  for (int8_t& b : iss.SpadRow(Spad::kA, 0)) b = kSentinel;
  std::vector<isa::Word> prog;
  for (int which = 0; which < 3; ++which) {
    isa::LoadInstr l = testing::RowsLoad(Spad::kA, 0xdeadbee1 /* never used */, 60000, 4);
    (which == 0 ? l.nc : which == 1 ? l.ny : l.nx) = 0;
    l.deps.signal = isa::LoadInstr::kSignalCompute;
    prog.push_back(l.Encode());
  }
  const auto result = RunProgram(iss, mem, prog);
  ASSERT_TRUE(result.status.ok) << result.status.Describe();
  EXPECT_EQ(iss.GetTokens()[isa::kQueueLoadToCompute], 3u);
  EXPECT_EQ(iss.SpadRow(Spad::kA, 0)[0], kSentinel);
  EXPECT_EQ(result.stats.bytes_read, 3u * isa::kInstrBytes);
}

TEST(LoadTest, SixteenByteRowsOnDefaultConfig) {
  const HwConfig& cfg = *FindHwConfig("16x16");
  runtime::DeviceMemory mem(kBase, kMemSize);
  std::mt19937 rng(5);
  testing::RandomFill(mem, kData, 0x2000, rng);
  Iss iss(cfg);
  isa::LoadInstr l;
  l.spad = static_cast<Spad>(1), l.sy = 2, l.sx = 1, l.pad = -1, l.nc = 2, l.src_addr = kData;
  l.src_c_stride = 0x800, l.src_row_stride = 0x100, l.dst_row = 100, l.dst_c_stride = 40;
  l.h = 5, l.w = 6, l.y0 = -1, l.x0 = -2, l.ny = 4, l.nx = 9;
  for (uint32_t r = 0; r < 256; ++r) {
    for (int8_t& b : iss.SpadRow(Spad::kB, r)) b = kSentinel;
  }
  ASSERT_TRUE(RunProgram(iss, mem, {l.Encode()}).status.ok);
  const auto expected = ReferenceLoad(l, mem, cfg.dim, 256);
  for (uint32_t r = 0; r < 256; ++r) {
    const auto got = iss.SpadRow(Spad::kB, r);
    EXPECT_EQ(std::vector<int8_t>(got.begin(), got.end()), expected[r]) << "row " << r;
  }
}

}  // namespace
}  // namespace npu::iss
