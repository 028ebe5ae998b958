// compute and store against plain loops: K chunks, accumulate and overwrite,
// int32 wrapping, and the requantization of npu::Requantize.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "sw/iss/iss.h"
#include "sw/iss/iss_test_util.h"
#include "sw/numerics/numerics.h"

namespace npu::iss {
namespace {

using testing::Cfg4;
using testing::kBase;
using testing::kData;
using testing::kMemSize;
using testing::RunProgram;

/// Copies of the accumulator rows [0, rows).
std::vector<std::vector<int32_t>> AccSnapshot(const Iss& iss, uint32_t rows) {
  std::vector<std::vector<int32_t>> out;
  for (uint32_t r = 0; r < rows; ++r) {
    const auto row = iss.AccRow(r);
    out.emplace_back(row.begin(), row.end());
  }
  return out;
}

/// The compute pseudocode of docs/gen/isa.md applied to @p acc.
void ReferenceCompute(const Iss& iss, const isa::ComputeInstr& c,
                      std::vector<std::vector<int32_t>>& acc) {
  const uint32_t dim = iss.Config().dim;
  for (uint32_t k = 0; k < c.nk; ++k) {
    for (uint32_t i = 0; i < c.m; ++i) {
      const auto a = iss.SpadRow(Spad::kA, c.a_row + k * c.a_k_stride + i);
      for (uint32_t col = 0; col < dim; ++col) {
        uint32_t sum = 0;
        for (uint32_t r = 0; r < dim; ++r) {
          const int32_t w = iss.SpadRow(Spad::kB, c.b_row + k * dim + r)[col];
          sum += static_cast<uint32_t>(a[r] * w);
        }
        uint32_t& out = reinterpret_cast<uint32_t&>(acc[c.acc_row + i][col]);
        out = (k == 0 && !c.accumulate ? 0u : out) + sum;
      }
    }
  }
}

struct ComputeCase {
  const char* config;
  bool accumulate;
};

class ComputeTest : public ::testing::TestWithParam<ComputeCase> {};

TEST_P(ComputeTest, ChunksMatchLoops) {
  const HwConfig& cfg = *FindHwConfig(GetParam().config);
  const uint32_t dim = cfg.dim;
  Iss iss(cfg);
  std::mt19937 rng(11);
  testing::RandomSpad(iss, Spad::kA, 64, rng);
  testing::RandomSpad(iss, Spad::kB, 5 * dim, rng);
  for (uint32_t r = 0; r < 16; ++r) {
    for (int32_t& v : iss.AccRow(r)) v = static_cast<int32_t>(rng());
  }
  auto expected = AccSnapshot(iss, 16);
  const isa::ComputeInstr c = testing::Compute(2, dim, 4, 5, 3, 7, GetParam().accumulate);
  ReferenceCompute(iss, c, expected);

  runtime::DeviceMemory mem(kBase, kMemSize);
  const auto result = RunProgram(iss, mem, {c.Encode()});
  ASSERT_TRUE(result.status.ok) << result.status.Describe();
  EXPECT_EQ(AccSnapshot(iss, 16), expected);
  EXPECT_EQ(result.stats.macs, 5u * 3u * dim * dim);
  EXPECT_EQ(result.stats.instructions, 1u);
}

INSTANTIATE_TEST_SUITE_P(Configs, ComputeTest,
                         ::testing::Values(ComputeCase{"4x4", false}, ComputeCase{"4x4", true},
                                           ComputeCase{"8x8", true}, ComputeCase{"16x16", false},
                                           ComputeCase{"32x32", true}));

TEST(ComputeTest, HandWorkedSingleRow) {
  // dim 4: a = [1, 2, 3, 4], W[r][c] = r - c; acc[c] = sum_r a[r] * (r - c)
  // = 20 - 10c: [20, 10, 0, -10].
  Iss iss(Cfg4());
  const int8_t a[4] = {1, 2, 3, 4};
  std::memcpy(iss.SpadRow(Spad::kA, 0).data(), a, 4);
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) iss.SpadRow(Spad::kB, r)[c] = static_cast<int8_t>(r - c);
  }
  runtime::DeviceMemory mem(kBase, kMemSize);
  ASSERT_TRUE(RunProgram(iss, mem, {testing::Compute(0, 0, 0, 1, 1, 0, false).Encode()}).status.ok);
  EXPECT_EQ(AccSnapshot(iss, 1)[0], (std::vector<int32_t>{20, 10, 0, -10}));
  ASSERT_TRUE(RunProgram(iss, mem, {testing::Compute(0, 0, 0, 1, 1, 0, true).Encode()}).status.ok);
  EXPECT_EQ(AccSnapshot(iss, 1)[0], (std::vector<int32_t>{40, 20, 0, -20}));
}

TEST(ComputeTest, AccumulationWrapsModulo2To32) {
  Iss iss(Cfg4());
  for (int8_t& b : iss.SpadRow(Spad::kA, 0)) b = 127;
  for (int r = 0; r < 4; ++r) {
    for (int8_t& b : iss.SpadRow(Spad::kB, r)) b = 127;
  }
  iss.AccRow(0)[0] = std::numeric_limits<int32_t>::max();
  iss.AccRow(0)[1] = std::numeric_limits<int32_t>::min();
  runtime::DeviceMemory mem(kBase, kMemSize);
  ASSERT_TRUE(RunProgram(iss, mem, {testing::Compute(0, 0, 0, 1, 1, 0, true).Encode()}).status.ok);
  const int64_t add = 4 * 127 * 127;
  EXPECT_EQ(iss.AccRow(0)[0], static_cast<int32_t>(int64_t{std::numeric_limits<int32_t>::max()} +
                                                   add - (int64_t{1} << 32)));
  EXPECT_EQ(iss.AccRow(0)[1],
            static_cast<int32_t>(int64_t{std::numeric_limits<int32_t>::min()} + add));
}

TEST(ComputeTest, GenericDimPath) {
  // DIM = 2 is not a named configuration; it exercises the any-DIM kernel.
  const HwConfig cfg{"2x2", 2, 64, 64, 64, 32, 16, 4, 16, 7};
  Iss iss(cfg);
  std::mt19937 rng(2);
  testing::RandomSpad(iss, Spad::kA, 64, rng);
  testing::RandomSpad(iss, Spad::kB, 64, rng);
  auto expected = AccSnapshot(iss, 32);
  const isa::ComputeInstr c = testing::Compute(1, 3, 2, 9, 4, 10, false);
  ReferenceCompute(iss, c, expected);
  runtime::DeviceMemory mem(kBase, kMemSize);
  ASSERT_TRUE(RunProgram(iss, mem, {c.Encode()}).status.ok);
  EXPECT_EQ(AccSnapshot(iss, 32), expected);
}

TEST(ComputeTest, ZeroCountsAreNoOps) {
  Iss iss(Cfg4());
  iss.AccRow(0)[0] = 42;
  isa::ComputeInstr c = testing::Compute(0, 60000, 0, 0, 1, 0, false);  // m = 0
  isa::ComputeInstr d = testing::Compute(0, 60000, 0, 1, 0, 0, false);  // nk = 0
  c.deps.signal = d.deps.signal = isa::ComputeInstr::kSignalStore;
  runtime::DeviceMemory mem(kBase, kMemSize);
  const auto result = RunProgram(iss, mem, {c.Encode(), d.Encode()});
  ASSERT_TRUE(result.status.ok) << result.status.Describe();
  EXPECT_EQ(iss.AccRow(0)[0], 42);
  EXPECT_EQ(iss.GetTokens()[isa::kQueueComputeToStore], 2u);
  EXPECT_EQ(result.stats.macs, 0u);
}

// ---------------------------------------------------------------- store

/// Writes per-lane parameters into P rows p_row .. p_row + 8 as the ISA
/// lays them out: lane l's bias at bytes 4l..4l+3 of rows 0-3 concatenated
/// (little-endian), multipliers likewise in rows 4-7, shifts in row 8.
void WriteParams(Iss& iss, uint32_t p_row, const std::vector<int32_t>& bias,
                 const std::vector<int32_t>& mult, const std::vector<int8_t>& shift) {
  const uint32_t dim = iss.Config().dim;
  std::vector<uint8_t> bytes(9 * dim);
  for (uint32_t l = 0; l < dim; ++l) {
    for (int b = 0; b < 4; ++b) {
      bytes[4 * l + b] = static_cast<uint8_t>(static_cast<uint32_t>(bias[l]) >> (8 * b));
      bytes[4 * dim + 4 * l + b] = static_cast<uint8_t>(static_cast<uint32_t>(mult[l]) >> (8 * b));
    }
    bytes[8 * dim + l] = static_cast<uint8_t>(shift[l]);
  }
  for (uint32_t r = 0; r < 9; ++r) {
    std::memcpy(iss.SpadRow(Spad::kP, p_row + r).data(), bytes.data() + r * dim, dim);
  }
}

TEST(StoreTest, ParameterLayoutByHand) {
  // dim 4: lane 1's bias is bytes 4..7 of rows 0-3, i.e. all of P row 1.
  Iss iss(Cfg4());
  const int8_t row1[4] = {0x10, 0, 0, 0};  // bias lane 1 = 16
  std::memcpy(iss.SpadRow(Spad::kP, 1).data(), row1, 4);
  for (uint32_t r = 4; r < 8; ++r) {  // multipliers 2^30 (0.5) on every lane
    const int8_t m[4] = {0, 0, 0, 0x40};
    std::memcpy(iss.SpadRow(Spad::kP, r).data(), m, 4);
  }
  // Shifts 0 everywhere: out = round(0.5 * (acc + bias)).
  iss.AccRow(0)[0] = 7, iss.AccRow(0)[1] = 4, iss.AccRow(0)[2] = -7, iss.AccRow(0)[3] = 1000;
  runtime::DeviceMemory mem(kBase, kMemSize);
  const auto result = RunProgram(iss, mem, {testing::RowsStore(kData, 0, 0, 0, 1, 1).Encode()});
  ASSERT_TRUE(result.status.ok) << result.status.Describe();
  // 3.5 -> 4, (4 + 16) / 2 = 10, -3.5 -> -3 (the doubling high multiply rounds
  // ties toward +infinity), 500 -> 127.
  EXPECT_EQ(static_cast<int8_t>(mem.Data()[0x1000]), 4);
  EXPECT_EQ(static_cast<int8_t>(mem.Data()[0x1001]), 10);
  EXPECT_EQ(static_cast<int8_t>(mem.Data()[0x1002]), -3);
  EXPECT_EQ(static_cast<int8_t>(mem.Data()[0x1003]), 127);
  EXPECT_EQ(result.stats.bytes_written, 4u);
}

struct StoreCase {
  const char* config;
  int32_t out_zp, act_min, act_max;
};

class StoreRequantTest : public ::testing::TestWithParam<StoreCase> {};

TEST_P(StoreRequantTest, MatchesRequantize) {
  const HwConfig& cfg = *FindHwConfig(GetParam().config);
  const uint32_t dim = cfg.dim;
  Iss iss(cfg);
  std::mt19937 rng(21);
  std::vector<int32_t> bias(dim), mult(dim);
  std::vector<int8_t> shift(dim);
  for (uint32_t l = 0; l < dim; ++l) {
    bias[l] = static_cast<int32_t>(rng() % 20001) - 10000;
    mult[l] = static_cast<int32_t>((1u << 30) + rng() % (1u << 30)) * (l % 3 == 2 ? -1 : 1);
    shift[l] = static_cast<int8_t>(static_cast<int>(rng() % 20) - 14);
  }
  shift[0] = kMaxShift, shift[dim - 1] = kMinShift;
  const uint32_t p_row = 18;
  WriteParams(iss, p_row, bias, mult, shift);
  const uint32_t ny = 3, nx = 5, acc_row = 7;
  for (uint32_t r = 0; r < ny * nx; ++r) {
    for (int32_t& v : iss.AccRow(acc_row + r)) v = static_cast<int32_t>(rng()) >> (rng() % 24);
  }

  runtime::DeviceMemory mem(kBase, kMemSize);
  mem.Fill(kData, 0x1000, 0xee);
  isa::StoreInstr s = testing::RowsStore(kData, (nx + 2) * dim, acc_row, p_row, ny, nx);
  s.out_zp = GetParam().out_zp, s.act_min = GetParam().act_min, s.act_max = GetParam().act_max;
  const auto result = RunProgram(iss, mem, {s.Encode()});
  ASSERT_TRUE(result.status.ok) << result.status.Describe();
  EXPECT_EQ(result.stats.bytes_written, uint64_t{ny} * nx * dim);

  for (uint32_t y = 0; y < ny; ++y) {
    for (uint32_t x = 0; x < nx + 2; ++x) {
      for (uint32_t l = 0; l < dim; ++l) {
        const uint8_t got = mem.Data()[kData - kBase + y * s.dst_row_stride + x * dim + l];
        if (x >= nx) {
          EXPECT_EQ(got, 0xee) << "gap written at y " << y << " x " << x;
          continue;
        }
        const int32_t a = iss.AccRow(acc_row + y * nx + x)[l];
        const int8_t want =
            Requantize(a, bias[l], mult[l], shift[l], s.out_zp, s.act_min, s.act_max);
        EXPECT_EQ(static_cast<int8_t>(got), want) << "y " << y << " x " << x << " lane " << l;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Configs, StoreRequantTest,
                         ::testing::Values(StoreCase{"4x4", 0, -128, 127},
                                           StoreCase{"4x4", -3, -3, 127},
                                           StoreCase{"8x8", 10, -20, 40},
                                           StoreCase{"16x16", -128, -128, -128},
                                           StoreCase{"32x32", 127, 0, 127}));

TEST(StoreTest, ZeroCountsAreNoOps) {
  Iss iss(Cfg4());
  runtime::DeviceMemory mem(kBase, kMemSize);
  isa::StoreInstr s = testing::RowsStore(kData + 1 /* never checked */, 0, 60000, 60000, 0, 3);
  s.deps.signal = isa::StoreInstr::kSignalCompute;
  const auto result = RunProgram(iss, mem, {s.Encode()});
  ASSERT_TRUE(result.status.ok) << result.status.Describe();
  EXPECT_EQ(iss.GetTokens()[isa::kQueueStoreToCompute], 1u);
  EXPECT_EQ(result.stats.bytes_written, 0u);
}

}  // namespace
}  // namespace npu::iss
