// Tests of the numerics contract against independent references written with
// exact (__int128) integer arithmetic and mathematical rounding definitions,
// not copies of the implementation.
#include "sw/numerics/numerics.h"

#include <gtest/gtest.h>

#include <algorithm>
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

// ClampRange: explicit ranges (ONNX Clip, a fused ReLU), one-sided and
// empty ones.
TEST(ActivationRangeTest, ClampRangeOfExplicitBounds) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(ClampRange(-inf, inf, 0.1f, 5), (Activation{-128, 127}));
  EXPECT_EQ(ClampRange(0.0f, inf, 0.1f, 5), (Activation{5, 127}));
  EXPECT_EQ(ClampRange(-inf, 2.0f, 0.1f, 5), (Activation{-128, 25}));
  EXPECT_EQ(ClampRange(-0.5f, 0.5f, 0.1f, 0), (Activation{-5, 5}));
  // lo > hi: ONNX Clip gives hi everywhere.
  EXPECT_EQ(ClampRange(1.0f, 0.5f, 0.1f, 0), (Activation{5, 5}));
  EXPECT_EQ(ClampRange(1.0f, -100.0f, 0.1f, 0), (Activation{-128, -128}));
  EXPECT_THROW(ClampRange(std::nanf(""), 1.0f, 0.1f, 0), std::invalid_argument);
}

TEST(ActivationRangeTest, RejectsBadParameters) {
  EXPECT_THROW(ActivationRange(ActivationKind::kRelu, 0.0f, 0), std::invalid_argument);
  EXPECT_THROW(ActivationRange(ActivationKind::kRelu, -1.0f, 0), std::invalid_argument);
  EXPECT_THROW(ActivationRange(ActivationKind::kRelu, NAN, 0), std::invalid_argument);
  EXPECT_THROW(ActivationRange(ActivationKind::kRelu, 1.0f, 128), std::invalid_argument);
  EXPECT_THROW(ActivationRange(ActivationKind::kRelu, 1.0f, -129), std::invalid_argument);
}

// ---------------------------------------------------------------------------
// QuantizeMultiplierSmallerThanOne.

TEST(QuantizeMultiplierSmallerThanOneTest, AcceptsOnlyTheOpenUnitInterval) {
  EXPECT_EQ(QuantizeMultiplierSmallerThanOne(0.5), (QuantizedMultiplier{1 << 30, 0}));
  EXPECT_EQ(QuantizeMultiplierSmallerThanOne(0.75), (QuantizedMultiplier{3 << 29, 0}));
  EXPECT_EQ(QuantizeMultiplierSmallerThanOne(0.25), (QuantizedMultiplier{1 << 30, -1}));
  EXPECT_EQ(QuantizeMultiplierSmallerThanOne(std::ldexp(1.0, -32)),
            (QuantizedMultiplier{1 << 30, -31}));
  // Below 2^-32 the multiplier flushes to {0, 0}, as in TFLite.
  EXPECT_EQ(QuantizeMultiplierSmallerThanOne(std::ldexp(1.0, -33)), (QuantizedMultiplier{0, 0}));
  // 1 - 2^-32 still rounds below 2^31 ... (2^31 - 1/2 rounds half away to 2^31)
  EXPECT_EQ(QuantizeMultiplierSmallerThanOne(1.0 - std::ldexp(1.0, -31)),
            (QuantizedMultiplier{kInt32Max, 0}));
  for (double bad :
       {0.0, -0.0, 1.0, -0.5, -1.0, 1.5, 2.0, std::nan(""), std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity()}) {
    EXPECT_THROW(QuantizeMultiplierSmallerThanOne(bad), std::invalid_argument) << bad;
  }
  // Values within 2^-32 of 1 round up to {2^30, 1}: rejected, as TFLite's
  // TFLITE_CHECK_LE(shift, 0) does.
  EXPECT_THROW(QuantizeMultiplierSmallerThanOne(1.0 - std::ldexp(1.0, -40)), std::invalid_argument);
  EXPECT_THROW(QuantizeMultiplierSmallerThanOne(std::nextafter(1.0, 0.0)), std::invalid_argument);
  try {
    QuantizeMultiplierSmallerThanOne(1.25);
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("1.25"), std::string::npos) << e.what();
  }
}

TEST(QuantizeMultiplierSmallerThanOneTest, EqualsQuantizeMultiplierWithShiftAtMostZero) {
  auto rng = MakeRng();
  std::uniform_real_distribution<double> mantissa(0.5, 1.0);
  for (int i = 0; i < 200000; ++i) {
    const double real = std::ldexp(mantissa(rng), -static_cast<int>(rng() % 40));
    if (!(real < 1.0 - std::ldexp(1.0, -32))) continue;
    const QuantizedMultiplier q = QuantizeMultiplierSmallerThanOne(real);
    ASSERT_EQ(q, QuantizeMultiplier(real)) << real;
    ASSERT_LE(q.shift, 0) << real;
  }
}

// ---------------------------------------------------------------------------
// RoundedAverage.

// sum / count rounded to nearest, ties away from zero, exactly.
int32_t RefRoundedAverage(int64_t sum, int64_t count) {
  const Int128 mag = sum < 0 ? -Int128{sum} : Int128{sum};
  const Int128 r = FloorDiv(2 * mag + count, 2 * Int128{count});
  return static_cast<int32_t>(sum < 0 ? -r : r);
}

TEST(RoundedAverageTest, KnownValues) {
  EXPECT_EQ(RoundedAverage(5, 2), 3);    // 2.5 -> 3
  EXPECT_EQ(RoundedAverage(-5, 2), -3);  // -2.5 -> -3
  EXPECT_EQ(RoundedAverage(3, 2), 2);    // 1.5 -> 2
  EXPECT_EQ(RoundedAverage(-3, 2), -2);
  EXPECT_EQ(RoundedAverage(1, 3), 0);
  EXPECT_EQ(RoundedAverage(2, 3), 1);
  EXPECT_EQ(RoundedAverage(-2, 3), -1);
  EXPECT_EQ(RoundedAverage(-1, 2), -1);  // -0.5 -> -1
  EXPECT_EQ(RoundedAverage(0, 9), 0);
  EXPECT_EQ(RoundedAverage(-128 * 9, 9), -128);
  EXPECT_EQ(RoundedAverage(kInt32Max, 1), kInt32Max);
  EXPECT_EQ(RoundedAverage(kInt32Min, 1), kInt32Min);
  // 2^30 / (2^31 - 1) is just above 1/2, 2^30 - 1 just below.
  EXPECT_EQ(RoundedAverage(int32_t{1} << 30, kInt32Max), 1);
  EXPECT_EQ(RoundedAverage((int32_t{1} << 30) - 1, kInt32Max), 0);
  EXPECT_EQ(RoundedAverage(-(int32_t{1} << 30), kInt32Max), -1);
  // The +- count / 2 wraps where TFLite's int32 expression would overflow.
  EXPECT_EQ(RoundedAverage(kInt32Max, 2), kInt32Min / 2);
  EXPECT_EQ(RoundedAverage(kInt32Min, 4), WrappingAdd(kInt32Min, -2) / 4);
  EXPECT_EQ(RoundedAverage(kInt32Max, kInt32Max),
            WrappingAdd(kInt32Max, kInt32Max / 2) / kInt32Max);
}

TEST(RoundedAverageTest, MatchesExactRoundingExhaustively) {
  // Every window sum of up to 64 int8 values (and more), every count 1..64.
  for (int32_t count = 1; count <= 64; ++count) {
    for (int32_t sum = -64 * 128; sum <= 64 * 128; ++sum) {
      ASSERT_EQ(RoundedAverage(sum, count), RefRoundedAverage(sum, count))
          << "sum=" << sum << " count=" << count;
    }
  }
}

TEST(RoundedAverageTest, MatchesExactRoundingNearInt32Limits) {
  // Without overflow: sum + count / 2 <= INT32_MAX for sum > 0 and
  // sum - count / 2 >= INT32_MIN for sum <= 0.
  auto rng = MakeRng();
  int checked = 0;
  for (int i = 0; i < 2000000; ++i) {
    const int32_t count = (rng() & 1)
                              ? static_cast<int32_t>(1 + rng() % 4096)
                              : static_cast<int32_t>(1 + rng() % static_cast<uint64_t>(kInt32Max));
    const int64_t half = count / 2;
    const int64_t d = static_cast<int64_t>(rng() % 4096);
    int64_t sum = 0;
    switch (rng() % 3) {
      case 0:
        sum = kInt32Max - half - d;  // the largest sums that do not overflow
        break;
      case 1:
        sum = int64_t{kInt32Min} + half + d;
        break;
      default:
        sum = static_cast<int32_t>(static_cast<uint32_t>(rng()));
    }
    if (sum > 0 ? sum + half > kInt32Max : sum - half < kInt32Min) continue;
    ++checked;
    const auto s32 = static_cast<int32_t>(sum);
    ASSERT_EQ(RoundedAverage(s32, count), RefRoundedAverage(sum, count))
        << "sum=" << sum << " count=" << count;
  }
  EXPECT_GT(checked, 1000000);
}

TEST(RoundedAverageTest, RejectsCountBelowOne) {
  EXPECT_THROW(RoundedAverage(1, 0), std::invalid_argument);
  EXPECT_THROW(RoundedAverage(1, -1), std::invalid_argument);
  EXPECT_THROW(RoundedAverage(1, kInt32Min), std::invalid_argument);
}

// ---------------------------------------------------------------------------
// MeanMultiplier.

TEST(MeanMultiplierTest, FoldsTheCountIn) {
  EXPECT_EQ(MeanMultiplier(1.0f, 1.0f, 1), (QuantizedMultiplier{1 << 30, 1}));
  // 0.5 / (0.25 * 4) = 0.5.
  EXPECT_EQ(MeanMultiplier(0.5f, 0.25f, 4), (QuantizedMultiplier{1 << 30, 0}));
  // 1 / 49 = (64 / 49) * 2^-6 = 0.653... * 2^-5: round(2^31 * 32 / 49) =
  // round(1402438300.73) = 1402438301.
  EXPECT_EQ(MeanMultiplier(1.0f, 1.0f, 49), (QuantizedMultiplier{1402438301, -5}));
  // 3 / (2 * 3) = 0.5 for any scale pair in that ratio.
  EXPECT_EQ(MeanMultiplier(3.0f, 2.0f, 3), (QuantizedMultiplier{1 << 30, 0}));
  // The scales are widened to double before the division.
  const float s_in = 0.0235294122f, s_out = 0.0117647061f;
  EXPECT_EQ(MeanMultiplier(s_in, s_out, 7 * 7),
            QuantizeMultiplier(static_cast<double>(s_in) / (static_cast<double>(s_out) * 49.0)));
  // Huge counts flush to zero below 2^-32.
  EXPECT_EQ(MeanMultiplier(1.0f, 1.0f, int64_t{1} << 33), (QuantizedMultiplier{0, 0}));
  EXPECT_EQ(MeanMultiplier(1.0f, 1.0f, int64_t{1} << 32), (QuantizedMultiplier{1 << 30, -31}));
}

TEST(MeanMultiplierTest, RejectsBadArguments) {
  EXPECT_THROW(MeanMultiplier(1.0f, 1.0f, 0), std::invalid_argument);
  EXPECT_THROW(MeanMultiplier(1.0f, 1.0f, -4), std::invalid_argument);
  EXPECT_THROW(MeanMultiplier(0.0f, 1.0f, 4), std::invalid_argument);
  EXPECT_THROW(MeanMultiplier(1.0f, -1.0f, 4), std::invalid_argument);
  EXPECT_THROW(MeanMultiplier(NAN, 1.0f, 4), std::invalid_argument);
  EXPECT_THROW(MeanMultiplier(1.0f, INFINITY, 4), std::invalid_argument);
}

// ---------------------------------------------------------------------------
// QuantizeAddParams.

TEST(QuantizeAddParamsTest, EqualScales) {
  // twice_max = 1: inputs 0.5 = {2^30, 0}; output 1 / (2^20 * 1) = 2^-20 =
  // 0.5 * 2^-19 = {2^30, -19}.
  const AddParams p = QuantizeAddParams(0.5f, 3, 0.5f, -7, 1.0f, 10, Activation{});
  EXPECT_EQ(p.input1_offset, -3);
  EXPECT_EQ(p.input2_offset, 7);
  EXPECT_EQ(p.input1, (QuantizedMultiplier{1 << 30, 0}));
  EXPECT_EQ(p.input2, (QuantizedMultiplier{1 << 30, 0}));
  EXPECT_EQ(p.output, (QuantizedMultiplier{1 << 30, -19}));
  EXPECT_EQ(p.output_offset, 10);
  EXPECT_EQ(p.act_min, -128);
  EXPECT_EQ(p.act_max, 127);
}

TEST(QuantizeAddParamsTest, OneScaleFourTimesTheOther) {
  // s1 = 0.25, s2 = 1: twice_max = 2; input 1: 0.125 = 0.5 * 2^-2; input 2:
  // 0.5; output 2 / (2^20 * 0.5) = 2^-18 = 0.5 * 2^-17.
  const AddParams p = QuantizeAddParams(0.25f, 0, 1.0f, 0, 0.5f, -128, Activation{-128, 0});
  EXPECT_EQ(p.input1, (QuantizedMultiplier{1 << 30, -2}));
  EXPECT_EQ(p.input2, (QuantizedMultiplier{1 << 30, 0}));
  EXPECT_EQ(p.output, (QuantizedMultiplier{1 << 30, -17}));
  EXPECT_EQ(p.output_offset, -128);
  EXPECT_EQ(p.act_min, -128);
  EXPECT_EQ(p.act_max, 0);
  // Swapped: the larger scale still gets 0.5.
  const AddParams q = QuantizeAddParams(1.0f, 0, 0.25f, 0, 0.5f, 0, Activation{});
  EXPECT_EQ(q.input1, p.input2);
  EXPECT_EQ(q.input2, p.input1);
  EXPECT_EQ(q.output, p.output);
}

TEST(QuantizeAddParamsTest, NonPowerOfTwoRatio) {
  // s1 = 1, s2 = 3: twice_max = 6; input 1: 1/6 = (2/3) * 2^-2,
  // round(2^31 * 2/3) = round(1431655765.33) = 1431655765; input 2: 0.5;
  // output 6 / (2^20 * 3) = 2^-19 = 0.5 * 2^-18.
  const AddParams p = QuantizeAddParams(1.0f, 0, 3.0f, 0, 3.0f, 0, Activation{});
  EXPECT_EQ(p.input1, (QuantizedMultiplier{1431655765, -2}));
  EXPECT_EQ(p.input2, (QuantizedMultiplier{1 << 30, 0}));
  EXPECT_EQ(p.output, (QuantizedMultiplier{1 << 30, -18}));
}

TEST(QuantizeAddParamsTest, RejectsOutputMultiplierOfOneOrMore) {
  // 2 max(s1, s2) / (2^20 s_out) = 2 / (2^20 * 2^-20) = 2.
  EXPECT_THROW(QuantizeAddParams(1.0f, 0, 1.0f, 0, std::ldexp(1.0f, -20), 0, Activation{}),
               std::invalid_argument);
  // Exactly 1.
  EXPECT_THROW(QuantizeAddParams(1.0f, 0, 1.0f, 0, std::ldexp(1.0f, -19), 0, Activation{}),
               std::invalid_argument);
  // Just below 1 is accepted: s_out one float ulp above 2^-19.
  const float s_out = std::nextafter(std::ldexp(1.0f, -19), 1.0f);
  const AddParams p = QuantizeAddParams(1.0f, 0, 1.0f, 0, s_out, 0, Activation{});
  EXPECT_EQ(p.output.shift, 0);
  try {
    QuantizeAddParams(1.0f, 0, 1.0f, 0, std::ldexp(1.0f, -20), 0, Activation{});
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("output multiplier"), std::string::npos) << e.what();
  }
}

TEST(QuantizeAddParamsTest, RejectsBadArguments) {
  const Activation all{};
  EXPECT_THROW(QuantizeAddParams(0.0f, 0, 1.0f, 0, 1.0f, 0, all), std::invalid_argument);
  EXPECT_THROW(QuantizeAddParams(1.0f, 0, -1.0f, 0, 1.0f, 0, all), std::invalid_argument);
  EXPECT_THROW(QuantizeAddParams(1.0f, 0, 1.0f, 0, NAN, 0, all), std::invalid_argument);
  EXPECT_THROW(QuantizeAddParams(INFINITY, 0, 1.0f, 0, 1.0f, 0, all), std::invalid_argument);
  EXPECT_THROW(QuantizeAddParams(1.0f, 128, 1.0f, 0, 1.0f, 0, all), std::invalid_argument);
  EXPECT_THROW(QuantizeAddParams(1.0f, 0, 1.0f, -129, 1.0f, 0, all), std::invalid_argument);
  EXPECT_THROW(QuantizeAddParams(1.0f, 0, 1.0f, 0, 1.0f, 200, all), std::invalid_argument);
  EXPECT_THROW(QuantizeAddParams(1.0f, 0, 1.0f, 0, 1.0f, 0, Activation{5, 4}),
               std::invalid_argument);
  EXPECT_THROW(QuantizeAddParams(1.0f, 0, 1.0f, 0, 1.0f, 0, Activation{-129, 0}),
               std::invalid_argument);
}

// ---------------------------------------------------------------------------
// Add.

// TFLite's ADD written with exact integers: nothing can overflow for int8
// inputs, so no wrapping is needed.
int8_t RefAdd(int32_t x1, int32_t x2, const AddParams& p) {
  const int32_t v1 = static_cast<int32_t>((Int128{x1} + p.input1_offset) << kAddLeftShift);
  const int32_t v2 = static_cast<int32_t>((Int128{x2} + p.input2_offset) << kAddLeftShift);
  const Int128 sum = Int128{RefMbqm(v1, p.input1.multiplier, p.input1.shift)} +
                     RefMbqm(v2, p.input2.multiplier, p.input2.shift);
  const Int128 y = Int128{RefMbqm(static_cast<int32_t>(sum), p.output.multiplier, p.output.shift)} +
                   p.output_offset;
  return static_cast<int8_t>(y < p.act_min ? p.act_min : y > p.act_max ? p.act_max : y);
}

// Parameter sets: edge cases and random scales through QuantizeAddParams,
// plus arbitrary multipliers and shifts in the legal range.
std::vector<AddParams> AddParameterSets(std::mt19937_64& rng) {
  std::vector<AddParams> sets;
  const Activation all{};
  sets.push_back(QuantizeAddParams(0.5f, 0, 0.5f, 0, 1.0f, 0, all));
  sets.push_back(QuantizeAddParams(0.25f, 0, 1.0f, 0, 0.5f, 0, all));
  sets.push_back(QuantizeAddParams(0.1f, -128, 0.1f, -128, 0.2f, -128, all));
  sets.push_back(QuantizeAddParams(0.1f, 127, 0.1f, 127, 0.2f, 127, all));
  sets.push_back(QuantizeAddParams(0.1f, -128, 0.1f, 127, 0.05f, 0, all));
  // Output scale far smaller than the inputs' (saturates at once) and far
  // larger (everything rounds to the zero point).
  sets.push_back(QuantizeAddParams(1.0f, 0, 1.0f, 0, 1e-5f, 0, all));
  sets.push_back(QuantizeAddParams(1e-3f, 5, 1e-3f, -5, 10.0f, 3, all));
  // One input negligible next to the other (its multiplier flushes to 0).
  sets.push_back(QuantizeAddParams(1.0f, 0, 1e-12f, 0, 1.0f, 0, all));
  // Ratios with inexact mantissas, activation ranges.
  sets.push_back(QuantizeAddParams(0.0235294f, -10, 0.0117647f, 20, 0.0392157f, -3, {-3, 127}));
  sets.push_back(QuantizeAddParams(1.0f / 3, 1, 1.0f / 7, 2, 1.0f / 11, 3, {-50, 50}));
  sets.push_back(QuantizeAddParams(0.02f, 0, 0.02f, 0, 0.02f, 0,
                                   ActivationRange(ActivationKind::kRelu6, 0.02f, 0)));
  std::uniform_real_distribution<double> log_scale(-12.0, 2.0);
  for (int i = 0; i < 40; ++i) {
    const auto s1 = static_cast<float>(std::exp2(log_scale(rng)));
    const auto s2 =
        static_cast<float>(s1 * std::exp2(std::uniform_real_distribution<double>(-6, 6)(rng)));
    const auto s_out = static_cast<float>(
        std::max(s1, s2) * std::exp2(std::uniform_real_distribution<double>(-4, 4)(rng)));
    const auto zp = [&] { return static_cast<int32_t>(rng() % 256) - 128; };
    auto lo = zp(), hi = zp();
    if (lo > hi) std::swap(lo, hi);
    if (rng() % 2) lo = -128, hi = 127;
    sets.push_back(QuantizeAddParams(s1, zp(), s2, zp(), s_out, zp(), Activation{lo, hi}));
  }
  for (int i = 0; i < 10; ++i) {
    AddParams p;
    p.input1_offset = -(static_cast<int32_t>(rng() % 256) - 128);
    p.input2_offset = -(static_cast<int32_t>(rng() % 256) - 128);
    p.input1 = {static_cast<int32_t>((int64_t{1} << 30) + rng() % (uint64_t{1} << 30)),
                -static_cast<int>(rng() % 32)};
    p.input2 = {static_cast<int32_t>((int64_t{1} << 30) + rng() % (uint64_t{1} << 30)),
                -static_cast<int>(rng() % 32)};
    p.output = {static_cast<int32_t>((int64_t{1} << 30) + rng() % (uint64_t{1} << 30)),
                -static_cast<int>(rng() % 32)};
    p.output_offset = static_cast<int32_t>(rng() % 256) - 128;
    sets.push_back(p);
  }
  return sets;
}

TEST(AddTest, MatchesExactReferenceExhaustively) {
  auto rng = MakeRng();
  const auto sets = AddParameterSets(rng);
  for (size_t s = 0; s < sets.size(); ++s) {
    const AddParams& p = sets[s];
    for (int32_t x1 = -128; x1 <= 127; ++x1) {
      for (int32_t x2 = -128; x2 <= 127; ++x2) {
        ASSERT_EQ(Add(x1, x2, p), RefAdd(x1, x2, p))
            << "set " << s << " x1=" << x1 << " x2=" << x2 << " m1=" << p.input1.multiplier << "/"
            << p.input1.shift << " m2=" << p.input2.multiplier << "/" << p.input2.shift
            << " mo=" << p.output.multiplier << "/" << p.output.shift;
      }
    }
  }
}

TEST(AddTest, WithinOneOfTheRealSum) {
  // Three roundings, each far below one output step except the last two
  // (the output multiply's), so the result is within 1 of the exact value.
  auto rng = MakeRng();
  std::uniform_real_distribution<double> log_scale(-10.0, 0.0);
  for (int i = 0; i < 200; ++i) {
    const auto s1 = static_cast<float>(std::exp2(log_scale(rng)));
    const auto s2 = static_cast<float>(std::exp2(log_scale(rng)));
    const auto s_out = static_cast<float>(
        std::max(s1, s2) * std::exp2(std::uniform_real_distribution<double>(-2, 2)(rng)));
    const auto zp1 = static_cast<int32_t>(rng() % 256) - 128;
    const auto zp2 = static_cast<int32_t>(rng() % 256) - 128;
    const auto zpo = static_cast<int32_t>(rng() % 256) - 128;
    const AddParams p = QuantizeAddParams(s1, zp1, s2, zp2, s_out, zpo, Activation{});
    for (int k = 0; k < 2000; ++k) {
      const auto x1 = static_cast<int32_t>(rng() % 256) - 128;
      const auto x2 = static_cast<int32_t>(rng() % 256) - 128;
      const double real = (double{s1} * (x1 - zp1) + double{s2} * (x2 - zp2)) / s_out + zpo;
      const double want = std::clamp(real, -128.0, 127.0);
      ASSERT_LE(std::fabs(Add(x1, x2, p) - want), 1.0)
          << "s1=" << s1 << " s2=" << s2 << " s_out=" << s_out << " x1=" << x1 << " x2=" << x2;
    }
  }
}

TEST(AddTest, SaturatesAndRejectsBadParameters) {
  const AddParams p = QuantizeAddParams(1.0f, 0, 1.0f, 0, 1.0f, 0, Activation{});
  EXPECT_EQ(Add(100, 100, p), 127);
  EXPECT_EQ(Add(-100, -100, p), -128);
  EXPECT_EQ(Add(100, -100, p), 0);
  EXPECT_EQ(Add(3, 4, p), 7);
  AddParams bad = p;
  bad.input1.shift = 1;
  EXPECT_THROW(Add(0, 0, bad), std::invalid_argument);
  bad = p;
  bad.output.shift = -32;
  EXPECT_THROW(Add(0, 0, bad), std::invalid_argument);
  bad = p;
  bad.act_min = 1;
  bad.act_max = 0;
  EXPECT_THROW(Add(0, 0, bad), std::invalid_argument);
}

}  // namespace
}  // namespace npu
