// Block test of npu_postproc (Dim = 16 lanes of npu_requant): millions of
// random and corner-case values, bit for bit against the numerics contract.
// Each value is checked twice: against npu::Requantize (sw/numerics) and
// against an independent formulation written here (sign-magnitude rounding
// instead of gemmlowp's nudge/mask formulation), so a shared misreading of
// the contract would have to be made twice in different ways.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "Vnpu_postproc.h"
#include "sw/numerics/numerics.h"
#include "tb/block/common/block_util.h"
#include "tb/common/test_seed.h"
#include "verilated.h"

namespace {

using npu::testing::Seed;

constexpr int kDim = 16;
constexpr int kLatency = 4;
constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();

// Independent model: round(ab / 2^31) with ties toward +infinity is
// floor((ab + 2^30) / 2^31); the rounding divide rounds |p| half up and
// restores the sign (ties away from zero).
int8_t Reference(int32_t acc, int32_t bias, int32_t mult, int shift, int zp, int lo, int hi) {
  const auto v = static_cast<uint32_t>(acc) + static_cast<uint32_t>(bias);
  const uint32_t x_u = shift > 0 ? v << shift : v;
  const auto x = static_cast<int32_t>(x_u);
  int64_t p;
  if (x == kMin && mult == kMin) {
    p = kMax;
  } else {
    const int64_t ab = int64_t{x} * int64_t{mult};
    // |ab| <= 2^62, so adding 2^30 cannot overflow; >> floors (C++20).
    p = (ab + (int64_t{1} << 30)) >> 31;
  }
  const int e = shift < 0 ? -shift : 0;
  int64_t r = p;
  if (e > 0) {
    const int64_t mag = p < 0 ? -p : p;
    const int64_t rm = (mag + (int64_t{1} << (e - 1))) >> e;
    r = p < 0 ? -rm : rm;
  }
  const auto y = static_cast<int32_t>(static_cast<uint32_t>(r) + static_cast<uint32_t>(zp));
  if (y < lo) return static_cast<int8_t>(lo);
  if (hi < y) return static_cast<int8_t>(hi);
  return static_cast<int8_t>(y);
}

struct Lane {
  int32_t acc, bias, mult;
  int shift;
};

struct Row {
  std::array<Lane, kDim> lane;
  int zp, lo, hi;
};

class PostprocHarness {
 public:
  PostprocHarness() : ctx_(std::make_unique<VerilatedContext>()) {
    dut_ = std::make_unique<Vnpu_postproc>(ctx_.get());
    dut_->en_i = 0;
    dut_->valid_i = 0;
    dut_->clear_i = 0;
    npu::block::Reset(*dut_);
  }

  // One clock cycle: drive en/valid/row, check an output consumed at this
  // edge, then clock.
  void Cycle(bool en, const Row* row) {
    dut_->en_i = en;
    dut_->valid_i = row != nullptr;
    if (row) {
      for (int l = 0; l < kDim; ++l) {
        dut_->acc_i[l] = static_cast<uint32_t>(row->lane[l].acc);
        dut_->bias_i[l] = static_cast<uint32_t>(row->lane[l].bias);
        dut_->mult_i[l] = static_cast<uint32_t>(row->lane[l].mult);
      }
      for (int w = 0; w < kDim / 4; ++w) {
        uint32_t s = 0;
        for (int b = 0; b < 4; ++b) {
          s |= (static_cast<uint32_t>(row->lane[w * 4 + b].shift) & 0xFF) << (8 * b);
        }
        dut_->shift_i[w] = s;
      }
      dut_->out_zp_i = static_cast<uint8_t>(row->zp);
      dut_->act_min_i = static_cast<uint8_t>(row->lo);
      dut_->act_max_i = static_cast<uint8_t>(row->hi);
    }
    npu::block::ClockLow(*dut_);
    if (en && dut_->valid_o) Check();
    if (en && row) pending_.push_back(*row);
    npu::block::ClockHigh(*dut_);
    ++cycle_;
  }

  void Drain() {
    for (int i = 0; i < kLatency + 2; ++i) Cycle(true, nullptr);
    EXPECT_TRUE(pending_.empty());
  }

  uint64_t checked() const { return checked_; }
  uint64_t errors() const { return errors_; }

 private:
  void Check() {
    ASSERT_FALSE(pending_.empty()) << "valid_o without an input at cycle " << cycle_;
    const Row row = pending_.front();
    pending_.pop_front();
    // Latency: the row entered exactly kLatency enabled cycles ago, which the
    // queue depth shows (pending_ holds the rows inside the pipeline).
    EXPECT_LE(pending_.size(), static_cast<size_t>(kLatency - 1));
    for (int l = 0; l < kDim; ++l) {
      const Lane& in = row.lane[l];
      const auto got = static_cast<int8_t>((dut_->out_o[l / 4] >> (8 * (l % 4))) & 0xFF);
      const int8_t want =
          npu::Requantize(in.acc, in.bias, in.mult, in.shift, row.zp, row.lo, row.hi);
      const int8_t mine = Reference(in.acc, in.bias, in.mult, in.shift, row.zp, row.lo, row.hi);
      ++checked_;
      if (want != mine) {
        ADD_FAILURE() << "numerics.h and the test's model disagree: acc=" << in.acc
                      << " bias=" << in.bias << " mult=" << in.mult << " shift=" << in.shift
                      << " zp=" << row.zp << " [" << row.lo << "," << row.hi << "] " << int{want}
                      << " vs " << int{mine};
      }
      if (got != want && ++errors_ <= 20) {
        ADD_FAILURE() << "lane " << l << ": acc=" << in.acc << " bias=" << in.bias
                      << " mult=" << in.mult << " shift=" << in.shift << " zp=" << row.zp << " ["
                      << row.lo << "," << row.hi << "]: rtl " << int{got} << ", contract "
                      << int{want};
      }
    }
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vnpu_postproc> dut_;
  std::deque<Row> pending_;
  uint64_t cycle_ = 0, checked_ = 0, errors_ = 0;
};

const std::vector<int32_t> kSpecial = {kMin, kMin + 1, -65536, -2,      -1,       0,
                                       1,    2,        65535,  1 << 30, kMax - 1, kMax};
const std::vector<int32_t> kSpecialMult = {kMin, kMin + 1, -(1 << 30), -1,  0,
                                           1,    1 << 30,  1518500250, kMax};

int32_t RandomI32(std::mt19937_64& rng) {
  switch (rng() % 8) {
    case 0:
      return kSpecial[rng() % kSpecial.size()];
    case 1:
      return static_cast<int32_t>(rng() % 2001) - 1000;
    case 2:
      return static_cast<int32_t>(rng() % 2000001) - 1000000;
    default:
      return static_cast<int32_t>(rng());
  }
}

int32_t RandomMult(std::mt19937_64& rng) {
  switch (rng() % 6) {
    case 0:
      return kSpecialMult[rng() % kSpecialMult.size()];
    case 1:
      return static_cast<int32_t>(rng());
    default: {
      // The range QuantizeMultiplier produces: |m| in [2^30, 2^31).
      const auto m = static_cast<int32_t>((uint32_t{1} << 30) + (rng() % (uint32_t{1} << 30)));
      return (rng() & 1) ? m : -m;
    }
  }
}

void RandomClamp(std::mt19937_64& rng, Row& row) {
  row.zp = static_cast<int>(rng() % 256) - 128;
  switch (rng() % 4) {
    case 0:
      row.lo = -128;
      row.hi = 127;
      break;
    case 1:
      row.lo = row.zp;
      row.hi = 127;
      break;
    default: {
      int a = static_cast<int>(rng() % 256) - 128, b = static_cast<int>(rng() % 256) - 128;
      row.lo = std::min(a, b);
      row.hi = std::max(a, b);
    }
  }
}

// Every shift in [-31, 30] against every combination of corner values.
TEST(Requant, CornerCasesEveryShift) {
  PostprocHarness h;
  std::mt19937_64 rng(Seed());
  Row row{};
  int fill = 0;
  for (int shift = -31; shift <= 30; ++shift) {
    for (int32_t acc : kSpecial) {
      for (int32_t bias : kSpecial) {
        for (int32_t mult : kSpecialMult) {
          row.lane[fill] = {acc, bias, mult, shift};
          if (++fill == kDim) {
            RandomClamp(rng, row);
            h.Cycle(true, &row);
            fill = 0;
          }
        }
      }
    }
  }
  h.Drain();
  std::printf("corner values checked: %llu\n", static_cast<unsigned long long>(h.checked()));
  EXPECT_EQ(h.errors(), 0u);
}

// Millions of random values, random shifts per lane, random pipeline stalls.
TEST(Requant, RandomMillions) {
  PostprocHarness h;
  std::mt19937_64 rng(Seed());
  const int rows = 1000000;  // x 16 lanes = 16 million values
  Row row{};
  for (int i = 0; i < rows; ++i) {
    for (auto& lane : row.lane) {
      lane = {RandomI32(rng), RandomI32(rng), RandomMult(rng), static_cast<int>(rng() % 62) - 31};
    }
    RandomClamp(rng, row);
    // Stalls (en low) and bubbles (valid low) in about one cycle in eight.
    while (rng() % 8 == 0) h.Cycle(false, &row);
    if (rng() % 8 == 0) h.Cycle(true, nullptr);
    h.Cycle(true, &row);
  }
  h.Drain();
  std::printf("random values checked: %llu\n", static_cast<unsigned long long>(h.checked()));
  EXPECT_EQ(h.checked(), static_cast<uint64_t>(rows) * kDim);
  EXPECT_EQ(h.errors(), 0u);
}

}  // namespace
