// Block test of npu_systolic_array: random activation rows switching weight
// banks row by row, random valid gaps, both banks rewritten at the earliest
// cycle the array contract allows, int8 extremes. Every output lane is
// compared bit for bit with a C++ model (int32 wrapping), as are the valid
// and the tag, at exactly Latency = Rows + Cols + 1 cycles.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include NPU_MODEL_H
#include "tb/block/common/block_util.h"
#include "tb/common/test_seed.h"
#include "verilated.h"

namespace {

using npu::block::GetLane;
using npu::block::SetLane;
using npu::testing::Seed;

constexpr int kRows = NPU_ROWS;
constexpr int kCols = NPU_COLS;
constexpr int kLatency = kRows + kCols + 1;
using Model = NPU_MODEL;

struct Expected {
  std::array<uint32_t, kCols> out;
  uint32_t tag;
};

class ArrayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_ = std::make_unique<VerilatedContext>();
    dut_ = std::make_unique<Model>(ctx_.get());
    dut_->clear_i = 0;
    dut_->a_valid_i = 0;
    dut_->w_we_i = 0;
    npu::block::Reset(*dut_);
  }

  // One clock cycle with the inputs set now; afterwards the outputs show the
  // state of the next cycle.
  void Tick() {
    npu::block::Step(*dut_);
    ++cycle_;
  }

  int8_t RandomInt8(std::mt19937_64& rng) {
    const int pick = static_cast<int>(rng() % 8);
    if (pick == 0) return -128;
    if (pick == 1) return 127;
    return static_cast<int8_t>(rng() & 0xff);
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> dut_;
  int64_t cycle_ = 0;
};

TEST_F(ArrayTest, RandomRowsBanksAndWeightRewrites) {
  std::mt19937_64 rng(Seed());
  std::printf("array %dx%d, latency %d\n", kRows, kCols, kLatency);

  int8_t w[2][kRows][kCols] = {};
  bool ready[2] = {false, false};        // bank holds defined weights
  int64_t last_use[2] = {-1000, -1000};  // presentation cycle of the last row on it
  int writing = 0;                       // bank being rewritten, or -1
  int next_row = 0;
  std::map<int64_t, Expected> expect;  // keyed by the cycle the result is due
  int64_t rows_checked = 0, rewrites = 0;
  const int64_t kCycles = 30000;

  for (int64_t u = 0; u < kCycles + kLatency + 2; ++u) {
    const bool drive = u < kCycles;
    // Start rewriting a bank now and then.
    if (drive && writing < 0 && rng() % 64 == 0) {
      writing = static_cast<int>(rng() & 1);
      next_row = 0;
    }
    // Present a row (never on the bank being rewritten).
    dut_->a_valid_i = 0;
    if (drive && rng() % 4 != 0) {
      int bank = static_cast<int>(rng() & 1);
      if (writing >= 0) bank = 1 - writing;
      if (ready[bank]) {
        const int style = static_cast<int>(rng() % 16);
        std::array<int8_t, kRows> a;
        for (int r = 0; r < kRows; ++r) {
          a[r] = style == 0 ? int8_t{-128} : style == 1 ? int8_t{127} : RandomInt8(rng);
          SetLane(dut_->a_i, r, 8, static_cast<uint8_t>(a[r]));
        }
        Expected e;
        for (int c = 0; c < kCols; ++c) {
          uint32_t acc = 0;
          for (int r = 0; r < kRows; ++r) {
            acc += static_cast<uint32_t>(int32_t{a[r]} * int32_t{w[bank][r][c]});
          }
          e.out[c] = acc;
        }
        e.tag = static_cast<uint32_t>(rng() & 0xffff);
        dut_->a_valid_i = 1;
        dut_->a_bank_i = bank;
        dut_->tag_i = e.tag;
        last_use[bank] = u;
        expect[u + kLatency] = e;
      }
    }
    // Write the next weight row of the bank being rewritten, at the earliest
    // cycle the contract allows or later (random gaps).
    dut_->w_we_i = 0;
    if (drive && writing >= 0 && u >= last_use[writing] + kCols - 1 + next_row && rng() % 4 != 0) {
      const int style = static_cast<int>(rng() % 10);
      dut_->w_we_i = 1;
      dut_->w_bank_i = writing;
      dut_->w_row_i = next_row;
      for (int c = 0; c < kCols; ++c) {
        const int8_t v = style == 0 ? int8_t{-128} : style == 1 ? int8_t{127} : RandomInt8(rng);
        w[writing][next_row][c] = v;
        SetLane(dut_->w_i, c, 8, static_cast<uint8_t>(v));
      }
      if (++next_row == kRows) {
        ready[writing] = true;
        writing = (!ready[0]) ? 0 : (!ready[1]) ? 1 : -1;
        next_row = 0;
        ++rewrites;
      }
    }
    Tick();
    // Outputs now show cycle u + 1.
    const auto it = expect.find(u + 1);
    const bool want = it != expect.end();
    ASSERT_EQ(dut_->out_valid_o, want ? 1 : 0) << "cycle " << u + 1;
    if (want) {
      ASSERT_EQ(dut_->tag_o, it->second.tag) << "cycle " << u + 1;
      for (int c = 0; c < kCols; ++c) {
        ASSERT_EQ(GetLane(dut_->out_o, c, 32), it->second.out[c])
            << "lane " << c << " cycle " << u + 1;
      }
      expect.erase(it);
      ++rows_checked;
    }
  }
  EXPECT_TRUE(expect.empty());
  EXPECT_GT(rows_checked, kCycles / 2);
  EXPECT_GT(rewrites, 10);
  std::printf("%lld rows checked, %lld bank rewrites\n", static_cast<long long>(rows_checked),
              static_cast<long long>(rewrites));
}

// Extremes everywhere: all weights and activations at -128 or 127 give the
// largest sums the array can produce.
TEST_F(ArrayTest, Extremes) {
  const int8_t vals[2] = {-128, 127};
  for (int wb = 0; wb < 2; ++wb) {
    for (int r = 0; r < kRows; ++r) {
      dut_->w_we_i = 1;
      dut_->w_bank_i = wb;
      dut_->w_row_i = r;
      for (int c = 0; c < kCols; ++c) SetLane(dut_->w_i, c, 8, static_cast<uint8_t>(vals[wb]));
      Tick();
    }
  }
  dut_->w_we_i = 0;
  for (int i = 0; i < 4; ++i) {
    const int bank = i & 1;
    const int8_t a = vals[i >> 1];
    dut_->a_valid_i = 1;
    dut_->a_bank_i = bank;
    dut_->tag_i = i;
    for (int r = 0; r < kRows; ++r) SetLane(dut_->a_i, r, 8, static_cast<uint8_t>(a));
    Tick();
    dut_->a_valid_i = 0;
    for (int k = 1; k < kLatency; ++k) Tick();
    ASSERT_EQ(dut_->out_valid_o, 1);
    ASSERT_EQ(dut_->tag_o, static_cast<uint32_t>(i));
    const int32_t want = kRows * int32_t{a} * int32_t{vals[bank]};
    for (int c = 0; c < kCols; ++c) {
      EXPECT_EQ(static_cast<int32_t>(GetLane(dut_->out_o, c, 32)), want) << "lane " << c;
    }
    Tick();
    EXPECT_EQ(dut_->out_valid_o, 0);
  }
}

// clear_i drops the rows in flight.
TEST_F(ArrayTest, ClearDropsRowsInFlight) {
  for (int i = 0; i < kLatency - 1; ++i) {
    dut_->a_valid_i = 1;
    dut_->a_bank_i = 0;
    Tick();
  }
  dut_->a_valid_i = 0;
  dut_->clear_i = 1;
  Tick();
  dut_->clear_i = 0;
  for (int i = 0; i < 2 * kLatency; ++i) {
    EXPECT_EQ(dut_->out_valid_o, 0) << "cycle " << i;
    Tick();
  }
}

}  // namespace
