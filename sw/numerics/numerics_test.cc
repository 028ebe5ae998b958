// Tests of the numerics contract against independent references written with
// exact (__int128) integer arithmetic and mathematical rounding definitions,
// not copies of the implementation.
#include "sw/numerics/numerics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tb/common/test_seed.h"

namespace npu {
namespace {

constexpr int32_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int32_t kInt32Max = std::numeric_limits<int32_t>::max();

// __int128 is a GCC/Clang extension; __extension__ keeps -Wpedantic quiet.
__extension__ typedef __int128 Int128;

// Seeds: random by default, NPU_SEED=<n> replays a run.
using ::npu::testing::MakeRng;

// ---------------------------------------------------------------------------
// Independent references.

// floor(n / d) for d > 0, exact.
Int128 FloorDiv(Int128 n, Int128 d) {
  Int128 q = n / d;
  if (n % d != 0 && n < 0) --q;
  return q;
}

int32_t Wrap32(Int128 v) {
  const auto u = static_cast<uint64_t>(v) & 0xffffffffu;
  return static_cast<int32_t>(u >= 0x80000000u ? static_cast<int64_t>(u) - (int64_t{1} << 32)
                                               : static_cast<int64_t>(u));
}

int32_t Saturate32(Int128 v) {
  if (v > kInt32Max) return kInt32Max;
  if (v < kInt32Min) return kInt32Min;
  return static_cast<int32_t>(v);
}

// 2ab / 2^32 rounded to nearest, ties toward +infinity, saturated to int32.
int32_t RefSrdhm(int32_t a, int32_t b) {
  const Int128 two_ab = Int128{2} * a * b;
  const Int128 two32 = Int128{1} << 32;
  return Saturate32(FloorDiv(two_ab + two32 / 2, two32));
}

// x / 2^e rounded to nearest, ties away from zero.
int32_t RefRdbpot(int32_t x, int e) {
  const Int128 d = Int128{1} << e;
  const Int128 mag = x < 0 ? -Int128{x} : Int128{x};
  // round(|x| / d) with ties up, as an exact floor of (2|x| + d) / 2d.
  const Int128 r = FloorDiv(2 * mag + d, 2 * d);
  return static_cast<int32_t>(x < 0 ? -r : r);
}

int32_t RefMbqm(int32_t x, int32_t m, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  const int32_t scaled = Wrap32(Int128{x} * (Int128{1} << left));
  return RefRdbpot(RefSrdhm(scaled, m), right);
}

// ---------------------------------------------------------------------------
// Value generators that favour the corners.

std::vector<int32_t> SpecialValues() {
  std::vector<int32_t> v = {0, 1, -1, 2, -2, kInt32Min, kInt32Max, kInt32Min + 1, kInt32Max - 1};
  for (int p = 0; p < 31; ++p) {
    const int32_t pw = int32_t{1} << p;
    for (int32_t d : {-1, 0, 1}) {
      v.push_back(pw + d);
      v.push_back(-pw + d);
    }
  }
  return v;
}

int32_t RandomInt32(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0: {  // small magnitudes
      const int bits = static_cast<int>(rng() % 32);
      return static_cast<int32_t>(static_cast<int64_t>(rng() >> (64 - bits - 1)) -
                                  (bits == 0 ? 0 : (int64_t{1} << bits)));
    }
    case 1: {  // near the extremes
      const auto d = static_cast<int32_t>(rng() % 1024);
      return (rng() & 1) ? kInt32Max - d : kInt32Min + d;
    }
    default:  // uniform
      return static_cast<int32_t>(static_cast<uint32_t>(rng()));
  }
}

// ---------------------------------------------------------------------------
// Wrapping.

TEST(WrappingTest, AddAndMulAreModulo2To32) {
  auto rng = MakeRng();
  EXPECT_EQ(WrappingAdd(kInt32Max, 1), kInt32Min);
  EXPECT_EQ(WrappingAdd(kInt32Min, -1), kInt32Max);
  EXPECT_EQ(WrappingMul(kInt32Min, -1), kInt32Min);
  EXPECT_EQ(WrappingMul(65536, 65536), 0);
  for (int i = 0; i < 1000000; ++i) {
    const int32_t a = RandomInt32(rng);
    const int32_t b = RandomInt32(rng);
    ASSERT_EQ(WrappingAdd(a, b), Wrap32(Int128{a} + b)) << a << " + " << b;
    ASSERT_EQ(WrappingMul(a, b), Wrap32(Int128{a} * b)) << a << " * " << b;
  }
}

// ---------------------------------------------------------------------------
// SaturatingRoundingDoublingHighMul.

TEST(SrdhmTest, KnownValues) {
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kInt32Min, kInt32Min), kInt32Max);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kInt32Min, kInt32Max), -kInt32Max);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kInt32Max, kInt32Max), kInt32Max - 1);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(100, int32_t{1} << 30), 50);
  // Exact halves: +0.5 -> 1, -0.5 -> 0, -1.5 -> -1 (ties toward +infinity).
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(1, int32_t{1} << 30), 1);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-1, int32_t{1} << 30), 0);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-3, int32_t{1} << 30), -1);
}

TEST(SrdhmTest, MatchesExactReferenceOnSpecialValues) {
  const auto special = SpecialValues();
  for (int32_t a : special) {
    for (int32_t b : special) {
      ASSERT_EQ(SaturatingRoundingDoublingHighMul(a, b), RefSrdhm(a, b)) << "a=" << a << " b=" << b;
    }
  }
}

TEST(SrdhmTest, MatchesExactReferenceOnRandomValues) {
  auto rng = MakeRng();
  for (int i = 0; i < 4000000; ++i) {
    const int32_t a = RandomInt32(rng);
    const int32_t b = RandomInt32(rng);
    ASSERT_EQ(SaturatingRoundingDoublingHighMul(a, b), RefSrdhm(a, b)) << "a=" << a << " b=" << b;
  }
}

TEST(SrdhmTest, MatchesExactReferenceOnTies) {
  // a * b = odd * 2^30 is exactly half way between two results.
  auto rng = MakeRng();
  for (int i = 0; i < 1000000; ++i) {
    const int p = static_cast<int>(rng() % 31);
    const int q = 30 - p;
    const auto odd_a = static_cast<int32_t>((rng() % (uint64_t{1} << (31 - p - 1))) | 1);
    const auto odd_b = static_cast<int32_t>((rng() % (uint64_t{1} << (31 - q - 1))) | 1);
    const int32_t a = (rng() & 1 ? -odd_a : odd_a) * (int32_t{1} << p);
    const int32_t b = (rng() & 1 ? -odd_b : odd_b) * (int32_t{1} << q);
    ASSERT_EQ(SaturatingRoundingDoublingHighMul(a, b), RefSrdhm(a, b)) << "a=" << a << " b=" << b;
  }
}

// ---------------------------------------------------------------------------
// RoundingDivideByPOT.

TEST(RdbpotTest, KnownValues) {
  EXPECT_EQ(RoundingDivideByPOT(5, 1), 3);    // 2.5 -> 3
  EXPECT_EQ(RoundingDivideByPOT(-5, 1), -3);  // -2.5 -> -3
  EXPECT_EQ(RoundingDivideByPOT(-6, 2), -2);  // -1.5 -> -2
  EXPECT_EQ(RoundingDivideByPOT(-5, 2), -1);  // -1.25 -> -1
  EXPECT_EQ(RoundingDivideByPOT(kInt32Min, 31), -1);
  EXPECT_EQ(RoundingDivideByPOT(kInt32Max, 31), 1);
  EXPECT_EQ(RoundingDivideByPOT(int32_t{1} << 29, 31), 0);
  EXPECT_EQ(RoundingDivideByPOT(int32_t{1} << 30, 31), 1);
  EXPECT_EQ(RoundingDivideByPOT(-(int32_t{1} << 30), 31), -1);
  EXPECT_EQ(RoundingDivideByPOT(kInt32Min, 0), kInt32Min);
}

TEST(RdbpotTest, MatchesExactReferenceForEveryExponent) {
  auto rng = MakeRng();
  const auto special = SpecialValues();
  for (int e = 0; e <= 31; ++e) {
    for (int32_t x : special) {
      ASSERT_EQ(RoundingDivideByPOT(x, e), RefRdbpot(x, e)) << "x=" << x << " e=" << e;
    }
    for (int i = 0; i < 200000; ++i) {
      const int32_t x = RandomInt32(rng);
      ASSERT_EQ(RoundingDivideByPOT(x, e), RefRdbpot(x, e)) << "x=" << x << " e=" << e;
    }
    if (e == 0) continue;
    // Values around the ties k * 2^e + 2^(e-1).
    for (int i = 0; i < 20000; ++i) {
      const int64_t k =
          static_cast<int64_t>(rng() % (uint64_t{1} << (32 - e))) - (int64_t{1} << (31 - e));
      for (int64_t d = -1; d <= 1; ++d) {
        const int64_t x = k * (int64_t{1} << e) + (int64_t{1} << (e - 1)) + d;
        if (x < kInt32Min || x > kInt32Max) continue;
        const auto x32 = static_cast<int32_t>(x);
        ASSERT_EQ(RoundingDivideByPOT(x32, e), RefRdbpot(x32, e)) << "x=" << x32 << " e=" << e;
      }
    }
  }
}

TEST(RdbpotTest, RejectsExponentOutOfRange) {
  EXPECT_THROW(RoundingDivideByPOT(1, -1), std::invalid_argument);
  EXPECT_THROW(RoundingDivideByPOT(1, 32), std::invalid_argument);
}

// ---------------------------------------------------------------------------
// MultiplyByQuantizedMultiplier.

TEST(MbqmTest, MatchesReferenceForEveryShift) {
  auto rng = MakeRng();
  const auto special = SpecialValues();
  for (int shift = kMinShift; shift <= kMaxShift; ++shift) {
    for (int32_t x : special) {
      for (int32_t m :
           {int32_t{1} << 30, kInt32Max, kInt32Min, 0, 1, -1, (int32_t{1} << 30) + 12345}) {
        ASSERT_EQ(MultiplyByQuantizedMultiplier(x, m, shift), RefMbqm(x, m, shift))
            << "x=" << x << " m=" << m << " shift=" << shift;
      }
    }
    for (int i = 0; i < 100000; ++i) {
      const int32_t x = RandomInt32(rng);
      const int32_t m = RandomInt32(rng);
      ASSERT_EQ(MultiplyByQuantizedMultiplier(x, m, shift), RefMbqm(x, m, shift))
          << "x=" << x << " m=" << m << " shift=" << shift;
    }
  }
}

TEST(MbqmTest, CloseToRealProductWithoutOverflow) {
  // With no wrap or saturation, the double rounding is within one unit of
  // the exact product x * m * 2^(shift - 31).
  auto rng = MakeRng();
  for (int shift = kMinShift; shift <= kMaxShift; ++shift) {
    for (int i = 0; i < 20000; ++i) {
      const auto m = static_cast<int32_t>((int64_t{1} << 30) + rng() % (uint64_t{1} << 30));
      const int max_bits = shift > 0 ? 31 - shift : 31;
      const int32_t x = static_cast<int32_t>(
          static_cast<int64_t>(rng() % (uint64_t{1} << max_bits)) - (int64_t{1} << (max_bits - 1)));
      const long double exact = std::ldexp(static_cast<long double>(x) * m, shift - 31);
      const int32_t got = MultiplyByQuantizedMultiplier(x, m, shift);
      ASSERT_LE(std::fabs(static_cast<long double>(got) - exact), 1.0L)
          << "x=" << x << " m=" << m << " shift=" << shift;
    }
  }
}

TEST(MbqmTest, LeftShiftWraps) {
  // 2^30 * 2^1 wraps to INT32_MIN before the multiply.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(int32_t{1} << 30, int32_t{1} << 30, 1),
            SaturatingRoundingDoublingHighMul(kInt32Min, int32_t{1} << 30));
  EXPECT_EQ(MultiplyByQuantizedMultiplier(3, kInt32Max, 30),
            SaturatingRoundingDoublingHighMul(WrappingMul(3, int32_t{1} << 30), kInt32Max));
}

TEST(MbqmTest, RejectsShiftOutOfRange) {
  EXPECT_THROW(MultiplyByQuantizedMultiplier(1, 1 << 30, kMinShift - 1), std::invalid_argument);
  EXPECT_THROW(MultiplyByQuantizedMultiplier(1, 1 << 30, kMaxShift + 1), std::invalid_argument);
  EXPECT_NO_THROW(MultiplyByQuantizedMultiplier(1, 1 << 30, kMinShift));
  EXPECT_NO_THROW(MultiplyByQuantizedMultiplier(1, 1 << 30, kMaxShift));
}

// ---------------------------------------------------------------------------
// QuantizeMultiplier.

double Reconstruct(const QuantizedMultiplier& q) {
  return std::ldexp(static_cast<double>(q.multiplier), q.shift - 31);
}

TEST(QuantizeMultiplierTest, EdgeCases) {
  EXPECT_EQ(QuantizeMultiplier(0.0), (QuantizedMultiplier{0, 0}));
  EXPECT_EQ(QuantizeMultiplier(1.0), (QuantizedMultiplier{1 << 30, 1}));
  EXPECT_EQ(QuantizeMultiplier(0.5), (QuantizedMultiplier{1 << 30, 0}));
  EXPECT_EQ(QuantizeMultiplier(0.75), (QuantizedMultiplier{3 << 29, 0}));
  EXPECT_EQ(QuantizeMultiplier(-0.5), (QuantizedMultiplier{-(1 << 30), 0}));
  // q rounds up to 2^31: renormalised to 2^30 with the next shift.
  EXPECT_EQ(QuantizeMultiplier(1.0 - std::ldexp(1.0, -40)), (QuantizedMultiplier{1 << 30, 1}));
  // TFLite has no fixup for the negative side: -q rounding to -1 gives
  // INT32_MIN.
  EXPECT_EQ(QuantizeMultiplier(-1.0 + std::ldexp(1.0, -40)),
            (QuantizedMultiplier{std::numeric_limits<int32_t>::min(), 0}));
  EXPECT_EQ(QuantizeMultiplier(std::nextafter(0.5, 0.0)), (QuantizedMultiplier{1 << 30, 0}));
  // Smallest representable: 2^-32 = 0.5 * 2^-31.
  EXPECT_EQ(QuantizeMultiplier(std::ldexp(1.0, -32)), (QuantizedMultiplier{1 << 30, -31}));
  // Tiny multipliers flush to zero.
  EXPECT_EQ(QuantizeMultiplier(std::ldexp(1.0, -33)), (QuantizedMultiplier{0, 0}));
  EXPECT_EQ(QuantizeMultiplier(1e-300), (QuantizedMultiplier{0, 0}));
  EXPECT_EQ(QuantizeMultiplier(std::numeric_limits<double>::denorm_min()),
            (QuantizedMultiplier{0, 0}));
  // Huge multipliers keep their shift (rejected later by the multiply).
  const QuantizedMultiplier huge = QuantizeMultiplier(std::ldexp(1.0, 40));
  EXPECT_EQ(huge, (QuantizedMultiplier{1 << 30, 41}));
  EXPECT_THROW(MultiplyByQuantizedMultiplier(1, huge.multiplier, huge.shift),
               std::invalid_argument);
  EXPECT_EQ(QuantizeMultiplier(std::ldexp(1.0, 29)), (QuantizedMultiplier{1 << 30, 30}));
  EXPECT_THROW(QuantizeMultiplier(std::nan("")), std::invalid_argument);
  EXPECT_THROW(QuantizeMultiplier(INFINITY), std::invalid_argument);
}

TEST(QuantizeMultiplierTest, RoundTripsWithin2ToMinus31Relative) {
  auto rng = MakeRng();
  std::uniform_real_distribution<double> mantissa(0.5, 1.0);
  for (int i = 0; i < 1000000; ++i) {
    const int exp = static_cast<int>(rng() % 61) - 30;  // shift in [-30, 30]
    const double real = std::ldexp(mantissa(rng), exp) * ((rng() & 1) ? -1 : 1);
    const QuantizedMultiplier q = QuantizeMultiplier(real);
    ASSERT_GE(q.shift, kMinShift) << real;
    ASSERT_LE(q.shift, kMaxShift) << real;
    const int64_t mag = q.multiplier < 0 ? -int64_t{q.multiplier} : q.multiplier;
    ASSERT_GE(mag, int64_t{1} << 30) << real;
    ASSERT_LE(mag, int64_t{1} << 31) << real;
    ASSERT_LE(std::fabs(Reconstruct(q) - real), std::ldexp(std::fabs(real), -31)) << real;
  }
}

// ---------------------------------------------------------------------------
// Requantize.

TEST(RequantizeTest, ComposesTheSteps) {
  auto rng = MakeRng();
  for (int i = 0; i < 1000000; ++i) {
    const int32_t acc = RandomInt32(rng);
    const int32_t bias = RandomInt32(rng);
    const auto m = static_cast<int32_t>((int64_t{1} << 30) + rng() % (uint64_t{1} << 30));
    const int shift = static_cast<int>(rng() % 62) + kMinShift;
    const auto zp = static_cast<int32_t>(rng() % 256) - 128;
    auto lo = static_cast<int32_t>(rng() % 256) - 128;
    auto hi = static_cast<int32_t>(rng() % 256) - 128;
    if (lo > hi) std::swap(lo, hi);
    Int128 v = RefMbqm(Wrap32(Int128{acc} + bias), m, shift);
    v = Wrap32(v + zp);
    const auto expected = static_cast<int8_t>(v < lo ? lo : v > hi ? hi : v);
    ASSERT_EQ(Requantize(acc, bias, m, shift, zp, lo, hi), expected)
        << "acc=" << acc << " bias=" << bias << " m=" << m << " shift=" << shift << " zp=" << zp
        << " range=[" << lo << ", " << hi << "]";
  }
}

TEST(RequantizeTest, ClampsToActivationRange) {
  const int32_t half = 1 << 30;  // 0.5 with shift 0, 1.0 with shift 1
  EXPECT_EQ(Requantize(1000, 0, half, 1, 0, -128, 127), 127);
  EXPECT_EQ(Requantize(-1000, 0, half, 1, 0, -128, 127), -128);
  EXPECT_EQ(Requantize(10, 5, half, 1, 3, -128, 127), 18);
  EXPECT_EQ(Requantize(10, 5, half, 1, 3, -128, 17), 17);
  EXPECT_EQ(Requantize(-10, 0, half, 1, 3, 3, 127), 3);  // ReLU at zp = 3
  EXPECT_EQ(Requantize(-10, 0, half, 1, 3, 5, 5), 5);    // degenerate range
  EXPECT_EQ(Requantize(0, 0, 0, 0, -128, -128, 127), -128);
  // out_zp is added with wrapping: SRDHM(INT32_MIN, INT32_MIN) = INT32_MAX,
  // + 1 wraps to INT32_MIN -> -128.
  EXPECT_EQ(Requantize(kInt32Min, 0, kInt32Min, 0, 1, -128, 127), -128);
  // acc + bias wraps before the multiply: INT32_MAX + 1 -> INT32_MIN, * 0.5.
  EXPECT_EQ(Requantize(kInt32Max, 1, half, 0, 0, -128, 127), -128);
  // The left shift wraps too: INT32_MIN * 2 -> 0.
  EXPECT_EQ(Requantize(kInt32Max, 1, half, 1, 0, -128, 127), 0);
}

TEST(RequantizeTest, RejectsBadRanges) {
  const int32_t half = 1 << 30;
  EXPECT_THROW(Requantize(0, 0, half, 0, 0, -129, 127), std::invalid_argument);
  EXPECT_THROW(Requantize(0, 0, half, 0, 0, -128, 128), std::invalid_argument);
  EXPECT_THROW(Requantize(0, 0, half, 0, 0, 10, 9), std::invalid_argument);
  EXPECT_THROW(Requantize(0, 0, half, 31, 0, -128, 127), std::invalid_argument);
  EXPECT_THROW(Requantize(0, 0, half, -32, 0, -128, 127), std::invalid_argument);
}

// ---------------------------------------------------------------------------
// ActivationRange.

TEST(ActivationRangeTest, FollowsTfLite) {
  using K = ActivationKind;
  EXPECT_EQ(ActivationRange(K::kNone, 0.1f, 5), (Activation{-128, 127}));
  EXPECT_EQ(ActivationRange(K::kRelu, 0.1f, 5), (Activation{5, 127}));
  EXPECT_EQ(ActivationRange(K::kRelu, 0.1f, -128), (Activation{-128, 127}));
  // 6 / 0.05 = 120: -128 + 120.
  EXPECT_EQ(ActivationRange(K::kRelu6, 0.05f, -128), (Activation{-128, -8}));
  // Saturates at 127 when 6 / scale is large.
  EXPECT_EQ(ActivationRange(K::kRelu6, 0.01f, 0), (Activation{0, 127}));
  EXPECT_EQ(ActivationRange(K::kRelu6, 6.0f / 255.0f, -128), (Activation{-128, 127}));
  EXPECT_EQ(ActivationRange(K::kRelu6, 1e-30f, 0), (Activation{0, 127}));
  // round(6 / 0.4) = round(15) and round(6 / 0.16) = round(37.5) = 38 (half
  // away).
  EXPECT_EQ(ActivationRange(K::kRelu6, 0.4f, 10), (Activation{10, 25}));
  EXPECT_EQ(ActivationRange(K::kRelu6, 0.16f, 0),
            (Activation{0, static_cast<int32_t>(std::round(6.0f / 0.16f))}));
  EXPECT_EQ(ActivationRange(K::kReluN1To1, 0.1f, 0), (Activation{-10, 10}));
  EXPECT_EQ(ActivationRange(K::kReluN1To1, 0.001f, 100), (Activation{-128, 127}));
}

TEST(ActivationRangeTest, RejectsBadParameters) {
  EXPECT_THROW(ActivationRange(ActivationKind::kRelu, 0.0f, 0), std::invalid_argument);
  EXPECT_THROW(ActivationRange(ActivationKind::kRelu, -1.0f, 0), std::invalid_argument);
  EXPECT_THROW(ActivationRange(ActivationKind::kRelu, NAN, 0), std::invalid_argument);
  EXPECT_THROW(ActivationRange(ActivationKind::kRelu, 1.0f, 128), std::invalid_argument);
  EXPECT_THROW(ActivationRange(ActivationKind::kRelu, 1.0f, -129), std::invalid_argument);
}

}  // namespace
}  // namespace npu
