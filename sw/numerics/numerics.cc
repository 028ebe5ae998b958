#include "sw/numerics/numerics.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

namespace npu {

namespace {

constexpr int32_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int32_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int32_t kInt8Min = -128;
constexpr int32_t kInt8Max = 127;

// Enough digits to tell apart values that std::to_string would print alike.
std::string Decimal(double v) {
  std::ostringstream s;
  s << std::setprecision(17) << v;
  return s.str();
}

void CheckScale(const char* where, const char* name, float scale) {
  if (!std::isfinite(scale) || !(scale > 0.0f)) {
    throw std::invalid_argument(std::string(where) + ": " + name + " " + Decimal(scale) +
                                " is not finite and positive");
  }
}

void CheckZeroPoint(const char* where, const char* name, int32_t zp) {
  if (zp < kInt8Min || zp > kInt8Max) {
    throw std::invalid_argument(std::string(where) + ": " + name + " " + std::to_string(zp) +
                                " is outside [-128, 127]");
  }
}

void CheckActivation(const char* where, int32_t act_min, int32_t act_max) {
  if (act_min < kInt8Min || act_max > kInt8Max || act_min > act_max) {
    throw std::invalid_argument(std::string(where) + ": activation range [" +
                                std::to_string(act_min) + ", " + std::to_string(act_max) +
                                "] is not within [-128, 127] with min <= max");
  }
}

void CheckAddShift(const char* name, int shift) {
  if (shift < kMinShift || shift > 0) {
    throw std::invalid_argument(std::string("Add: ") + name + " shift " + std::to_string(shift) +
                                " is outside [" + std::to_string(kMinShift) + ", 0]");
  }
}

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

QuantizedMultiplier QuantizeMultiplierSmallerThanOne(double real_multiplier) {
  // Written so that NaN fails the test too.
  if (!(real_multiplier > 0.0 && real_multiplier < 1.0)) {
    throw std::invalid_argument("QuantizeMultiplierSmallerThanOne: real multiplier " +
                                Decimal(real_multiplier) + " is not in (0, 1)");
  }
  const QuantizedMultiplier q = QuantizeMultiplier(real_multiplier);
  // Only a multiplier within 2^-32 of 1 gets here: its mantissa rounds to
  // 2^31 and is renormalised to {2^30, 1}.
  if (q.shift > 0) {
    throw std::invalid_argument("QuantizeMultiplierSmallerThanOne: real multiplier " +
                                Decimal(real_multiplier) + " rounds to 1 (shift " +
                                std::to_string(q.shift) + " > 0)");
  }
  return q;
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
  CheckActivation("Requantize", act_min, act_max);
  int32_t v = MultiplyByQuantizedMultiplier(WrappingAdd(acc, bias), multiplier, shift);
  v = WrappingAdd(v, out_zp);
  return static_cast<int8_t>(std::clamp(v, act_min, act_max));
}

Activation ClampRange(float lo, float hi, float out_scale, int32_t out_zp) {
  CheckScale("ClampRange", "output scale", out_scale);
  CheckZeroPoint("ClampRange", "output zero point", out_zp);
  if (std::isnan(lo) || std::isnan(hi)) throw std::invalid_argument("ClampRange: a bound is NaN");
  // zp + round(f / scale) in float as TFLite computes it; clamped to the int8
  // range before any integer conversion, so huge quotients cannot overflow.
  const auto quantize = [&](float f) -> int32_t {
    const double v = static_cast<double>(out_zp) + static_cast<double>(std::round(f / out_scale));
    return static_cast<int32_t>(std::clamp(v, double{kInt8Min} - 1, double{kInt8Max} + 1));
  };
  Activation r;
  if (std::isfinite(lo)) r.min = std::max(kInt8Min, quantize(lo));
  if (std::isfinite(hi)) r.max = std::min(kInt8Max, quantize(hi));
  if (r.min > r.max) {
    r.min = std::isfinite(hi) ? std::clamp(quantize(hi), kInt8Min, kInt8Max) : kInt8Max;
    r.max = r.min;
  }
  return r;
}

Activation ActivationRange(ActivationKind kind, float out_scale, int32_t out_zp) {
  const float inf = std::numeric_limits<float>::infinity();
  switch (kind) {
    case ActivationKind::kNone:
      return ClampRange(-inf, inf, out_scale, out_zp);
    case ActivationKind::kRelu:
      return ClampRange(0.0f, inf, out_scale, out_zp);
    case ActivationKind::kRelu6:
      return ClampRange(0.0f, 6.0f, out_scale, out_zp);
    case ActivationKind::kReluN1To1:
      return ClampRange(-1.0f, 1.0f, out_scale, out_zp);
  }
  throw std::invalid_argument("ActivationRange: unknown kind");
}

int32_t RoundedAverage(int32_t sum, int32_t count) {
  if (count < 1) {
    throw std::invalid_argument("RoundedAverage: count " + std::to_string(count) + " is not >= 1");
  }
  // TFLite's expression; the +- count / 2 wraps instead of overflowing, and
  // the quotient of a 32-bit value by count >= 1 always fits.
  const int32_t half = count / 2;
  return sum > 0 ? WrappingAdd(sum, half) / count : WrappingAdd(sum, -half) / count;
}

QuantizedMultiplier MeanMultiplier(float s_in, float s_out, int64_t count) {
  CheckScale("MeanMultiplier", "input scale", s_in);
  CheckScale("MeanMultiplier", "output scale", s_out);
  if (count < 1) {
    throw std::invalid_argument("MeanMultiplier: count " + std::to_string(count) + " is not >= 1");
  }
  return QuantizeMultiplier(static_cast<double>(s_in) /
                            (static_cast<double>(s_out) * static_cast<double>(count)));
}

AddParams QuantizeAddParams(float s1, int32_t zp1, float s2, int32_t zp2, float s_out,
                            int32_t zp_out, Activation act) {
  constexpr const char* kWhere = "QuantizeAddParams";
  CheckScale(kWhere, "input 1 scale", s1);
  CheckScale(kWhere, "input 2 scale", s2);
  CheckScale(kWhere, "output scale", s_out);
  CheckZeroPoint(kWhere, "input 1 zero point", zp1);
  CheckZeroPoint(kWhere, "input 2 zero point", zp2);
  CheckZeroPoint(kWhere, "output zero point", zp_out);
  CheckActivation(kWhere, act.min, act.max);
  // As tensorflow/lite/kernels/add.cc: 2 * max(float, float) and
  // 2^20 * s_out are float products (exact: powers of two, unless they
  // overflow to infinity, which then fails the range checks below); the
  // divisions are in double.
  const double twice_max_input_scale = 2 * std::max(s1, s2);
  const double real_input1 = s1 / twice_max_input_scale;
  const double real_input2 = s2 / twice_max_input_scale;
  const double real_output =
      twice_max_input_scale / (static_cast<float>(1 << kAddLeftShift) * s_out);
  if (!(real_output < 1.0)) {
    throw std::invalid_argument(std::string(kWhere) + ": output multiplier 2 max(s1, s2) / " +
                                "(2^20 s_out) = " + Decimal(real_output) + " is not below 1 (s1 " +
                                Decimal(s1) + ", s2 " + Decimal(s2) + ", s_out " + Decimal(s_out) +
                                ")");
  }
  AddParams p;
  p.input1_offset = -zp1;
  p.input2_offset = -zp2;
  p.input1 = QuantizeMultiplierSmallerThanOne(real_input1);
  p.input2 = QuantizeMultiplierSmallerThanOne(real_input2);
  p.output = QuantizeMultiplierSmallerThanOne(real_output);
  p.output_offset = zp_out;
  p.act_min = act.min;
  p.act_max = act.max;
  return p;
}

int8_t Add(int32_t x1, int32_t x2, const AddParams& p) {
  CheckAddShift("input 1", p.input1.shift);
  CheckAddShift("input 2", p.input2.shift);
  CheckAddShift("output", p.output.shift);
  CheckActivation("Add", p.act_min, p.act_max);
  constexpr int32_t kScale = int32_t{1} << kAddLeftShift;
  const int32_t v1 = WrappingMul(WrappingAdd(x1, p.input1_offset), kScale);
  const int32_t v2 = WrappingMul(WrappingAdd(x2, p.input2_offset), kScale);
  const int32_t a1 = MultiplyByQuantizedMultiplier(v1, p.input1.multiplier, p.input1.shift);
  const int32_t a2 = MultiplyByQuantizedMultiplier(v2, p.input2.multiplier, p.input2.shift);
  return Requantize(a1, a2, p.output.multiplier, p.output.shift, p.output_offset, p.act_min,
                    p.act_max);
}

}  // namespace npu
