#include "sw/numerics/numerics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace npu {

namespace {

constexpr int32_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int32_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int32_t kInt8Min = -128;
constexpr int32_t kInt8Max = 127;

}  // namespace

QuantizedMultiplier QuantizeMultiplier(double real_multiplier) {
  if (!std::isfinite(real_multiplier)) {
    throw std::invalid_argument("QuantizeMultiplier: real multiplier " +
                                std::to_string(real_multiplier) + " is not finite");
  }
  if (real_multiplier == 0.0) return {0, 0};
  int shift = 0;
  const double q = std::frexp(real_multiplier, &shift);  // |q| in [0.5, 1)
  // std::round rounds half away from zero, as TfLiteRound does.
  auto q_fixed = static_cast<int64_t>(std::round(q * (int64_t{1} << 31)));
  if (q_fixed == (int64_t{1} << 31)) {
    q_fixed /= 2;
    ++shift;
  }
  // Below 2^-31 every result would round to zero; TFLite flushes to {0, 0}.
  if (shift < -31) {
    shift = 0;
    q_fixed = 0;
  }
  // q_fixed is in [-2^31, 2^31 - 1] here, so the conversion is exact.
  return {static_cast<int32_t>(q_fixed), shift};
}

int32_t WrappingAdd(int32_t a, int32_t b) {
  // Unsigned arithmetic wraps; the conversion back is modular in C++20.
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

int32_t WrappingMul(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) * static_cast<uint32_t>(b));
}

int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  if (a == kInt32Min && b == kInt32Min) return kInt32Max;
  const int64_t ab = int64_t{a} * int64_t{b};
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  // Integer division truncates toward zero, as in gemmlowp. The quotient
  // fits in int32 for every pair except the one saturated above.
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  if (exponent < 0 || exponent > 31) {
    throw std::invalid_argument("RoundingDivideByPOT: exponent " + std::to_string(exponent) +
                                " is outside [0, 31]");
  }
  const auto mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  // >> on a negative int32 is an arithmetic shift in C++20.
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t multiplier, int shift) {
  if (shift < kMinShift || shift > kMaxShift) {
    throw std::invalid_argument("MultiplyByQuantizedMultiplier: shift " + std::to_string(shift) +
                                " is outside [" + std::to_string(kMinShift) + ", " +
                                std::to_string(kMaxShift) + "]");
  }
  const int left_shift = std::max(shift, 0);
  const int right_shift = std::max(-shift, 0);
  return RoundingDivideByPOT(
      SaturatingRoundingDoublingHighMul(WrappingMul(x, int32_t{1} << left_shift), multiplier),
      right_shift);
}

int8_t Requantize(int32_t acc, int32_t bias, int32_t multiplier, int shift, int32_t out_zp,
                  int32_t act_min, int32_t act_max) {
  if (act_min < kInt8Min || act_max > kInt8Max || act_min > act_max) {
    throw std::invalid_argument("Requantize: activation range [" + std::to_string(act_min) + ", " +
                                std::to_string(act_max) +
                                "] is not within [-128, 127] with min <= max");
  }
  int32_t v = MultiplyByQuantizedMultiplier(WrappingAdd(acc, bias), multiplier, shift);
  v = WrappingAdd(v, out_zp);
  return static_cast<int8_t>(std::clamp(v, act_min, act_max));
}

Activation ActivationRange(ActivationKind kind, float out_scale, int32_t out_zp) {
  if (!std::isfinite(out_scale) || !(out_scale > 0.0f)) {
    throw std::invalid_argument("ActivationRange: output scale " + std::to_string(out_scale) +
                                " is not finite and positive");
  }
  if (out_zp < kInt8Min || out_zp > kInt8Max) {
    throw std::invalid_argument("ActivationRange: output zero point " + std::to_string(out_zp) +
                                " is outside [-128, 127]");
  }
  // zp + round(f / scale) in float as TFLite computes it; clamped to the int8
  // range before any integer conversion, so huge quotients cannot overflow.
  const auto quantize = [&](float f) -> int32_t {
    const double v = static_cast<double>(out_zp) + static_cast<double>(std::round(f / out_scale));
    return static_cast<int32_t>(std::clamp(v, double{kInt8Min} - 1, double{kInt8Max} + 1));
  };
  Activation r;
  switch (kind) {
    case ActivationKind::kNone:
      break;
    case ActivationKind::kRelu:
      r.min = std::max(kInt8Min, quantize(0.0f));
      break;
    case ActivationKind::kRelu6:
      r.min = std::max(kInt8Min, quantize(0.0f));
      r.max = std::min(kInt8Max, quantize(6.0f));
      break;
    case ActivationKind::kReluN1To1:
      r.min = std::max(kInt8Min, quantize(-1.0f));
      r.max = std::min(kInt8Max, quantize(1.0f));
      break;
  }
  return r;
}

}  // namespace npu
