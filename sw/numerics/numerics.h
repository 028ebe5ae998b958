/// @file
/// The npu numerics contract: TFLite's integer-only requantization (default,
/// double-rounding variant) and the scalar steps of its int8 pooling, mean
/// and add kernels, with every C++ undefined behaviour replaced by explicit
/// two's-complement wrapping. The RTL requantization unit, the
/// instruction-level simulator, the golden model and the compiler all agree
/// with these functions bit for bit. See docs/numerics.md.
#pragma once

#include <cstdint>

namespace npu {

/// A real multiplier M_real ~= multiplier * 2^(shift - 31).
struct QuantizedMultiplier {
  /// Q31 fixed-point mantissa: |multiplier| in [2^30, 2^31), or 0, or
  /// -2^31 (a negative real whose mantissa rounds to -1).
  int32_t multiplier = 0;
  /// Power-of-two exponent; shift > 0 shifts left, shift < 0 shifts right.
  int shift = 0;

  friend bool operator==(const QuantizedMultiplier&, const QuantizedMultiplier&) = default;
};

/// Smallest shift accepted by MultiplyByQuantizedMultiplier.
inline constexpr int kMinShift = -31;
/// Largest shift accepted by MultiplyByQuantizedMultiplier.
inline constexpr int kMaxShift = 30;

/// TFLite's QuantizeMultiplier: frexp, round half away from zero to Q31,
/// q == 2^31 becomes 2^30 with shift + 1, shift < -31 flushes to {0, 0},
/// real == 0 gives {0, 0}. The shift is not range-checked here (TFLite does
/// not either); MultiplyByQuantizedMultiplier rejects shifts outside
/// [kMinShift, kMaxShift].
/// @throws std::invalid_argument if @p real_multiplier is not finite.
QuantizedMultiplier QuantizeMultiplier(double real_multiplier);

/// TFLite's QuantizeMultiplierSmallerThanOneExp: QuantizeMultiplier for a
/// real multiplier in (0, 1); the shift is <= 0. A multiplier below 2^-32
/// flushes to {0, 0} as in QuantizeMultiplier.
/// @throws std::invalid_argument if @p real_multiplier is not in (0, 1), or
/// if it rounds up to 1 (a Q31 mantissa of 2^31, shift 1), which TFLite
/// rejects too.
QuantizedMultiplier QuantizeMultiplierSmallerThanOne(double real_multiplier);

/// a + b modulo 2^32 (two's complement, never undefined).
int32_t WrappingAdd(int32_t a, int32_t b);

/// a * b modulo 2^32 (two's complement, never undefined).
int32_t WrappingMul(int32_t a, int32_t b);

/// gemmlowp's SaturatingRoundingDoublingHighMul: the high 32 bits of 2*a*b,
/// i.e. (a*b + nudge) / 2^31 with nudge = 2^30 if a*b >= 0 else 1 - 2^30 and
/// the division truncating toward zero (equivalently, a*b / 2^31 rounded to
/// nearest with ties toward +infinity). INT32_MIN * INT32_MIN saturates to
/// INT32_MAX.
int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b);

/// gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded to nearest with
/// ties away from zero.
/// @throws std::invalid_argument if @p exponent is outside [0, 31].
int32_t RoundingDivideByPOT(int32_t x, int exponent);

/// TFLite's MultiplyByQuantizedMultiplier (double rounding):
/// RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(
///     WrappingMul(x, 2^max(shift, 0)), multiplier), max(-shift, 0)).
/// @throws std::invalid_argument if @p shift is outside [kMinShift, kMaxShift].
int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t multiplier, int shift);

/// The requantization of one output value:
/// v = MultiplyByQuantizedMultiplier(WrappingAdd(acc, bias), multiplier,
/// shift); v = WrappingAdd(v, out_zp); clamp v to [act_min, act_max].
/// @throws std::invalid_argument if the shift is out of range, or unless
/// -128 <= act_min <= act_max <= 127.
int8_t Requantize(int32_t acc, int32_t bias, int32_t multiplier, int shift, int32_t out_zp,
                  int32_t act_min, int32_t act_max);

/// The fused activation functions of TFLite's quantized kernels.
enum class ActivationKind {
  kNone,   ///< [-128, 127]
  kRelu,   ///< [max(-128, zp), 127]
  kRelu6,  ///< [max(-128, zp), min(127, zp + round(6 / scale))]
  /// [max(-128, zp + round(-1 / scale)), min(127, zp + round(1 / scale))]
  kReluN1To1,
};

/// An int8 activation (clamp) range, min <= max.
struct Activation {
  int32_t min = -128;  ///< Lowest output value.
  int32_t max = 127;   ///< Highest output value.

  friend bool operator==(const Activation&, const Activation&) = default;
};

/// TFLite's CalculateActivationRangeQuantized for an int8 output. As in
/// TFLite, the bound for a real value f is zp + round(f / scale) computed in
/// single precision (float division, std::round), then clamped to
/// [-128, 127].
/// @throws std::invalid_argument if @p out_scale is not finite and positive
/// or @p out_zp is outside [-128, 127].
Activation ActivationRange(ActivationKind kind, float out_scale, int32_t out_zp);

/// The clamp of an explicit real range [lo, hi] (ONNX Clip, or ReLU with
/// lo = 0 and hi = +inf), each bound as ActivationRange computes it; an
/// infinite bound leaves that side at the int8 limit. When lo > hi every
/// output is hi (ONNX Clip: min(max(x, lo), hi)), so min = max = hi's bound.
/// ActivationRange(kind, ...) is ClampRange of kind's real range.
/// @throws std::invalid_argument as ActivationRange, or if lo or hi is NaN.
Activation ClampRange(float lo, float hi, float out_scale, int32_t out_zp);

/// TFLite AVERAGE_POOL_2D's rounding division of a window sum by its element
/// count: sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count,
/// with C++ truncating division, i.e. sum / count rounded half away from
/// zero. The addition of count / 2 wraps modulo 2^32 (only reachable for
/// |sum| within count / 2 of the int32 limits, never for int8 windows).
/// @throws std::invalid_argument unless @p count >= 1.
int32_t RoundedAverage(int32_t sum, int32_t count);

/// QuantizeMultiplier(double(s_in) / (double(s_out) * count)): the contract's
/// multiplier for TFLite MEAN (global average pooling over count = H * W
/// elements) with the element count folded in. Current TFLite folds the count
/// into QuantizeMultiplier(s_in / s_out) by integer division instead; the
/// two are equal for power-of-two counts and can differ in the last bits
/// otherwise (docs/numerics.md, "Global average pooling").
/// @throws std::invalid_argument if a scale is not finite and positive or
/// @p count < 1.
QuantizedMultiplier MeanMultiplier(float s_in, float s_out, int64_t count);

/// The left shift TFLite's int8 ADD applies to both inputs.
inline constexpr int kAddLeftShift = 20;

/// Parameters of TFLite's int8 ADD kernel (ArithmeticParams of
/// tensorflow/lite/kernels/add.cc).
struct AddParams {
  int32_t input1_offset = 0;   ///< Minus input 1's zero point.
  int32_t input2_offset = 0;   ///< Minus input 2's zero point.
  QuantizedMultiplier input1;  ///< s1 / (2 max(s1, s2)), shift <= 0.
  QuantizedMultiplier input2;  ///< s2 / (2 max(s1, s2)), shift <= 0.
  QuantizedMultiplier output;  ///< 2 max(s1, s2) / (2^20 s_out), shift <= 0.
  int32_t output_offset = 0;   ///< Output zero point.
  int32_t act_min = -128;      ///< Lowest output value.
  int32_t act_max = 127;       ///< Highest output value.

  friend bool operator==(const AddParams&, const AddParams&) = default;
};

/// TFLite's Prepare of int8 ADD: twice_max = 2 * max(s1, s2) (the product in
/// float, the divisions in double, as in tensorflow/lite/kernels/add.cc),
/// each real multiplier through QuantizeMultiplierSmallerThanOne, offsets
/// -zp1, -zp2 and zp_out, activation range @p act.
/// @throws std::invalid_argument on a non-finite or non-positive scale, a zero
/// point outside [-128, 127], an activation range not within [-128, 127]
/// with min <= max, or an output multiplier 2 max(s1, s2) / (2^20 s_out)
/// that is not below 1 (TFLite rejects it too).
AddParams QuantizeAddParams(float s1, int32_t zp1, float s2, int32_t zp2, float s_out,
                            int32_t zp_out, Activation act);

/// One output of TFLite's int8 ADD (reference_integer_ops::AddElementwise):
///   v1 = WrappingMul(WrappingAdd(x1, input1_offset), 2^20), v2 likewise;
///   a1 = MultiplyByQuantizedMultiplier(v1, input1), a2 likewise (shifts
///   <= 0, where TFLite's MultiplyByQuantizedMultiplierSmallerThanOneExp is
///   the same function);
///   y = MultiplyByQuantizedMultiplier(WrappingAdd(a1, a2), output) plus
///   output_offset (wrapping), clamped to [act_min, act_max] (that is
///   Requantize with acc = a1 and bias = a2).
/// For int8 inputs nothing wraps: |v| <= 255 * 2^20 < 2^28.
/// @throws std::invalid_argument if a shift is outside [-31, 0] or unless
/// -128 <= act_min <= act_max <= 127.
int8_t Add(int32_t x1, int32_t x2, const AddParams& p);

}  // namespace npu
