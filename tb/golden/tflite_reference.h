/// @file
/// A test-only transcription of TensorFlow Lite's int8 integer kernels, used
/// as an outside reference for sw/numerics and the golden model.
///
/// Every kernel below follows TFLite's code loop for loop (the file and
/// function each one follows is named on it), with TFLite's int32 arithmetic
/// and its own QuantizeMultiplier. The fixed-point steps call ONLY gemmlowp's
/// SaturatingRoundingDoublingHighMul and RoundingDivideByPOT (the functions
/// TFLite itself calls), never npu's numerics, so that agreement with the
/// golden model is evidence that both implement TFLite's arithmetic.
///
/// As in TFLite, an int32 overflow here is undefined behaviour: callers keep
/// to inputs for which TFLite's arithmetic is defined (int8 data, biases and
/// kernel sizes far from 2^31, left shifts that do not overflow). A failed
/// TFLITE_CHECK throws std::logic_error instead of aborting.
#pragma once

#include <gemmlowp/fixedpoint/fixedpoint.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace npu::tflite_ref {

/// TFLITE_CHECK: throws std::logic_error naming @p what unless @p ok.
inline void Check(bool ok, const char* what) {
  if (!ok) throw std::logic_error(std::string("TFLite check failed: ") + what);
}

// ---------------------------------------------------------------------------
// tensorflow/lite/kernels/internal/quantization_util.cc

/// QuantizeMultiplier (default build: std::frexp, TfLiteRound = std::round).
inline void QuantizeMultiplier(double double_multiplier, int32_t* quantized_multiplier,
                               int* shift) {
  if (double_multiplier == 0.) {
    *quantized_multiplier = 0;
    *shift = 0;
    return;
  }
  const double q = std::frexp(double_multiplier, shift);
  auto q_fixed = static_cast<int64_t>(std::round(q * (1LL << 31)));
  Check(q_fixed <= (1LL << 31), "q_fixed <= 2^31");
  if (q_fixed == (1LL << 31)) {
    q_fixed /= 2;
    ++*shift;
  }
  Check(q_fixed <= std::numeric_limits<int32_t>::max(), "q_fixed <= INT32_MAX");
  // Shifts below -31 flush the multiplier to zero.
  if (*shift < -31) {
    *shift = 0;
    q_fixed = 0;
  }
  *quantized_multiplier = static_cast<int32_t>(q_fixed);
}

/// QuantizeMultiplierSmallerThanOneExp.
inline void QuantizeMultiplierSmallerThanOneExp(double double_multiplier,
                                                int32_t* quantized_multiplier, int* left_shift) {
  Check(double_multiplier < 1., "double_multiplier < 1");
  Check(double_multiplier > 0., "double_multiplier > 0");
  int shift;
  QuantizeMultiplier(double_multiplier, quantized_multiplier, &shift);
  Check(shift <= 0, "shift <= 0");
  *left_shift = shift;
}

// ---------------------------------------------------------------------------
// tensorflow/lite/kernels/internal/common.h (default: not
// TFLITE_SINGLE_ROUNDING)

/// MultiplyByQuantizedMultiplier: TFLite's int32 left shift (undefined if it
/// overflows), then gemmlowp's two rounding steps.
inline int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t quantized_multiplier, int shift) {
  using gemmlowp::RoundingDivideByPOT;
  using gemmlowp::SaturatingRoundingDoublingHighMul;
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  return RoundingDivideByPOT(
      SaturatingRoundingDoublingHighMul(x * (1 << left_shift), quantized_multiplier), right_shift);
}

/// MultiplyByQuantizedMultiplierSmallerThanOneExp (left_shift <= 0).
inline int32_t MultiplyByQuantizedMultiplierSmallerThanOneExp(int32_t x,
                                                              int32_t quantized_multiplier,
                                                              int left_shift) {
  using gemmlowp::RoundingDivideByPOT;
  using gemmlowp::SaturatingRoundingDoublingHighMul;
  return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, quantized_multiplier),
                             -left_shift);
}

/// A 4-D shape (RuntimeShape with four dimensions).
struct Shape4 {
  std::array<int, 4> dims{};  ///< batch, height, width, depth.
  /// Dimension @p i.
  int Dims(int i) const { return dims[static_cast<size_t>(i)]; }
  /// Product of the dimensions.
  int FlatSize() const { return dims[0] * dims[1] * dims[2] * dims[3]; }
};

/// Offset(shape, i0, i1, i2, i3): row-major index.
inline int Offset(const Shape4& shape, int i0, int i1, int i2, int i3) {
  return ((i0 * shape.Dims(1) + i1) * shape.Dims(2) + i2) * shape.Dims(3) + i3;
}

/// PaddingValues: TFLite keeps only the top/left padding; the bottom/right
/// padding is implied by the output size.
struct PaddingValues {
  int width = 0;   ///< Columns of padding on the left.
  int height = 0;  ///< Rows of padding above.
};

// ---------------------------------------------------------------------------
// tensorflow/lite/kernels/padding.h

/// ComputeOutSize for SAME (true) or VALID (false) padding, dilation 1.
inline int ComputeOutSize(bool same, int image_size, int filter_size, int stride) {
  if (stride == 0) return 0;
  return same ? (image_size + stride - 1) / stride : (image_size + stride - filter_size) / stride;
}

/// ComputePaddingWithOffset, dilation 1: the padding before; *offset is
/// the extra padding after (total = 2 * before + offset).
inline int ComputePaddingWithOffset(int stride, int in_size, int filter_size, int out_size,
                                    int* offset) {
  int total_padding = (out_size - 1) * stride + filter_size - in_size;
  total_padding = total_padding > 0 ? total_padding : 0;
  *offset = total_padding % 2;
  return total_padding / 2;
}

// ---------------------------------------------------------------------------
// tensorflow/lite/kernels/internal/reference/integer_ops/pooling.h

/// PoolParams (the fields the int8 kernels read).
struct PoolParams {
  int stride_height = 1;                    ///< Vertical stride.
  int stride_width = 1;                     ///< Horizontal stride.
  int filter_height = 1;                    ///< Window height.
  int filter_width = 1;                     ///< Window width.
  PaddingValues padding_values;             ///< Top/left padding.
  int32_t quantized_activation_min = -128;  ///< Output clamp.
  int32_t quantized_activation_max = 127;   ///< Output clamp.
};

/// reference_integer_ops::AveragePool (int8). Returns false on an empty
/// window, as TFLite does.
inline bool AveragePool(const PoolParams& params, const Shape4& input_shape,
                        const int8_t* input_data, const Shape4& output_shape, int8_t* output_data) {
  Check(params.quantized_activation_min <= params.quantized_activation_max, "activation range");
  Check(input_shape.Dims(0) == output_shape.Dims(0), "batches");
  Check(input_shape.Dims(3) == output_shape.Dims(3), "depth");
  const int batches = input_shape.Dims(0);
  const int depth = input_shape.Dims(3);
  const int input_height = input_shape.Dims(1);
  const int input_width = input_shape.Dims(2);
  const int output_height = output_shape.Dims(1);
  const int output_width = output_shape.Dims(2);
  for (int batch = 0; batch < batches; ++batch) {
    for (int out_y = 0; out_y < output_height; ++out_y) {
      for (int out_x = 0; out_x < output_width; ++out_x) {
        for (int channel = 0; channel < depth; ++channel) {
          const int in_x_origin = out_x * params.stride_width - params.padding_values.width;
          const int in_y_origin = out_y * params.stride_height - params.padding_values.height;
          // The window clipped to the input.
          const int filter_x_start = std::max(0, -in_x_origin);
          const int filter_x_end = std::min(params.filter_width, input_width - in_x_origin);
          const int filter_y_start = std::max(0, -in_y_origin);
          const int filter_y_end = std::min(params.filter_height, input_height - in_y_origin);
          int32_t acc = 0;
          int filter_count = 0;
          for (int filter_y = filter_y_start; filter_y < filter_y_end; ++filter_y) {
            for (int filter_x = filter_x_start; filter_x < filter_x_end; ++filter_x) {
              const int in_x = in_x_origin + filter_x;
              const int in_y = in_y_origin + filter_y;
              acc += input_data[Offset(input_shape, batch, in_y, in_x, channel)];
              filter_count++;
            }
          }
          if (filter_count == 0) return false;
          // Round to the nearest integer, halves away from zero.
          acc = acc > 0 ? (acc + filter_count / 2) / filter_count
                        : (acc - filter_count / 2) / filter_count;
          acc = std::max(acc, params.quantized_activation_min);
          acc = std::min(acc, params.quantized_activation_max);
          output_data[Offset(output_shape, batch, out_y, out_x, channel)] =
              static_cast<int8_t>(acc);
        }
      }
    }
  }
  return true;
}

/// reference_integer_ops::MaxPool (int8).
inline void MaxPool(const PoolParams& params, const Shape4& input_shape, const int8_t* input_data,
                    const Shape4& output_shape, int8_t* output_data) {
  Check(params.quantized_activation_min <= params.quantized_activation_max, "activation range");
  Check(params.quantized_activation_min >= std::numeric_limits<int8_t>::min(), "activation min");
  Check(params.quantized_activation_max <= std::numeric_limits<int8_t>::max(), "activation max");
  Check(input_shape.Dims(0) == output_shape.Dims(0), "batches");
  Check(input_shape.Dims(3) == output_shape.Dims(3), "depth");
  const int batches = input_shape.Dims(0);
  const int depth = input_shape.Dims(3);
  const int input_height = input_shape.Dims(1);
  const int input_width = input_shape.Dims(2);
  const int output_height = output_shape.Dims(1);
  const int output_width = output_shape.Dims(2);
  for (int batch = 0; batch < batches; ++batch) {
    for (int out_y = 0; out_y < output_height; ++out_y) {
      for (int out_x = 0; out_x < output_width; ++out_x) {
        for (int channel = 0; channel < depth; ++channel) {
          const int in_x_origin = out_x * params.stride_width - params.padding_values.width;
          const int in_y_origin = out_y * params.stride_height - params.padding_values.height;
          const int filter_x_start = std::max(0, -in_x_origin);
          const int filter_x_end = std::min(params.filter_width, input_width - in_x_origin);
          const int filter_y_start = std::max(0, -in_y_origin);
          const int filter_y_end = std::min(params.filter_height, input_height - in_y_origin);
          int8_t max = std::numeric_limits<int8_t>::lowest();
          for (int filter_y = filter_y_start; filter_y < filter_y_end; ++filter_y) {
            for (int filter_x = filter_x_start; filter_x < filter_x_end; ++filter_x) {
              const int in_x = in_x_origin + filter_x;
              const int in_y = in_y_origin + filter_y;
              max = std::max(max, input_data[Offset(input_shape, batch, in_y, in_x, channel)]);
            }
          }
          max = std::max<int8_t>(max, static_cast<int8_t>(params.quantized_activation_min));
          max = std::min<int8_t>(max, static_cast<int8_t>(params.quantized_activation_max));
          output_data[Offset(output_shape, batch, out_y, out_x, channel)] = max;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------
// tensorflow/lite/kernels/internal/reference/integer_ops/depthwise_conv.h

/// DepthwiseParams (the fields the int8 per-channel kernel reads).
struct DepthwiseParams {
  int stride_width = 1;                     ///< Horizontal stride.
  int stride_height = 1;                    ///< Vertical stride.
  int dilation_width_factor = 1;            ///< Horizontal dilation.
  int dilation_height_factor = 1;           ///< Vertical dilation.
  PaddingValues padding_values;             ///< Top/left padding.
  int depth_multiplier = 1;                 ///< Output channels per input channel.
  int32_t input_offset = 0;                 ///< Minus the input zero point.
  int32_t output_offset = 0;                ///< Output zero point.
  int32_t quantized_activation_min = -128;  ///< Output clamp.
  int32_t quantized_activation_max = 127;   ///< Output clamp.
};

/// reference_integer_ops::DepthwiseConvPerChannel (int8 input, int32 bias).
/// @p bias_data may be null.
inline void DepthwiseConvPerChannel(const DepthwiseParams& params, const int32_t* output_multiplier,
                                    const int32_t* output_shift, const Shape4& input_shape,
                                    const int8_t* input_data, const Shape4& filter_shape,
                                    const int8_t* filter_data, const int32_t* bias_data,
                                    const Shape4& output_shape, int8_t* output_data) {
  const int stride_width = params.stride_width;
  const int stride_height = params.stride_height;
  const int dilation_width_factor = params.dilation_width_factor;
  const int dilation_height_factor = params.dilation_height_factor;
  const int pad_width = params.padding_values.width;
  const int pad_height = params.padding_values.height;
  const int depth_multiplier = params.depth_multiplier;
  const int32_t input_offset = params.input_offset;
  const int32_t output_offset = params.output_offset;
  const int32_t output_activation_min = params.quantized_activation_min;
  const int32_t output_activation_max = params.quantized_activation_max;
  Check(output_activation_min <= output_activation_max, "activation range");
  Check(input_shape.Dims(0) == output_shape.Dims(0), "batches");
  Check(filter_shape.Dims(3) == output_shape.Dims(3), "output depth");
  const int batches = input_shape.Dims(0);
  const int input_height = input_shape.Dims(1);
  const int input_width = input_shape.Dims(2);
  const int input_depth = input_shape.Dims(3);
  const int filter_height = filter_shape.Dims(1);
  const int filter_width = filter_shape.Dims(2);
  const int output_height = output_shape.Dims(1);
  const int output_width = output_shape.Dims(2);
  Check(output_shape.Dims(3) == input_depth * depth_multiplier, "depth multiplier");
  for (int batch = 0; batch < batches; ++batch) {
    for (int out_y = 0; out_y < output_height; ++out_y) {
      for (int out_x = 0; out_x < output_width; ++out_x) {
        for (int in_channel = 0; in_channel < input_depth; ++in_channel) {
          for (int m = 0; m < depth_multiplier; ++m) {
            const int output_channel = m + in_channel * depth_multiplier;
            const int in_x_origin = out_x * stride_width - pad_width;
            const int in_y_origin = out_y * stride_height - pad_height;
            int32_t acc = 0;
            for (int filter_y = 0; filter_y < filter_height; ++filter_y) {
              for (int filter_x = 0; filter_x < filter_width; ++filter_x) {
                const int in_x = in_x_origin + dilation_width_factor * filter_x;
                const int in_y = in_y_origin + dilation_height_factor * filter_y;
                // Padding is skipped (it would contribute (zp + offset) * w = 0).
                const bool is_point_inside_image =
                    in_x >= 0 && in_x < input_width && in_y >= 0 && in_y < input_height;
                if (is_point_inside_image) {
                  const int32_t input_val =
                      input_data[Offset(input_shape, batch, in_y, in_x, in_channel)];
                  const int32_t filter_val =
                      filter_data[Offset(filter_shape, 0, filter_y, filter_x, output_channel)];
                  acc += filter_val * (input_val + input_offset);
                }
              }
            }
            if (bias_data) acc += bias_data[output_channel];
            acc = MultiplyByQuantizedMultiplier(acc, output_multiplier[output_channel],
                                                output_shift[output_channel]);
            acc += output_offset;
            acc = std::max(acc, output_activation_min);
            acc = std::min(acc, output_activation_max);
            output_data[Offset(output_shape, batch, out_y, out_x, output_channel)] =
                static_cast<int8_t>(acc);
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------
// tensorflow/lite/kernels/internal/reference/integer_ops/add.h and the int8
// Prepare of tensorflow/lite/kernels/add.cc

/// ArithmeticParams (the fields int8 ADD reads).
struct ArithmeticParams {
  int32_t input1_offset = 0;                ///< Minus input 1's zero point.
  int32_t input2_offset = 0;                ///< Minus input 2's zero point.
  int32_t output_offset = 0;                ///< Output zero point.
  int32_t output_multiplier = 0;            ///< Q31 output multiplier.
  int output_shift = 0;                     ///< Output shift (<= 0).
  int left_shift = 0;                       ///< 20 for int8.
  int32_t input1_multiplier = 0;            ///< Q31 input 1 multiplier.
  int input1_shift = 0;                     ///< Input 1 shift (<= 0).
  int32_t input2_multiplier = 0;            ///< Q31 input 2 multiplier.
  int input2_shift = 0;                     ///< Input 2 shift (<= 0).
  int32_t quantized_activation_min = -128;  ///< Output clamp.
  int32_t quantized_activation_max = 127;   ///< Output clamp.
};

/// The int8 branch of add.cc's Prepare: offsets, left shift 20, and the
/// three multipliers from twice the larger input scale.
inline ArithmeticParams AddPrepare(float input1_scale, int32_t input1_zero_point,
                                   float input2_scale, int32_t input2_zero_point,
                                   float output_scale, int32_t output_zero_point,
                                   int32_t activation_min, int32_t activation_max) {
  ArithmeticParams data;
  data.input1_offset = -input1_zero_point;
  data.input2_offset = -input2_zero_point;
  data.output_offset = output_zero_point;
  data.left_shift = 20;
  // The types are TFLite's: float scales, 2 * float is a float product,
  // then widened to double.
  const double twice_max_input_scale = 2 * std::max(input1_scale, input2_scale);
  const double real_input1_multiplier = input1_scale / twice_max_input_scale;
  const double real_input2_multiplier = input2_scale / twice_max_input_scale;
  const double real_output_multiplier =
      twice_max_input_scale / ((1 << data.left_shift) * output_scale);
  QuantizeMultiplierSmallerThanOneExp(real_input1_multiplier, &data.input1_multiplier,
                                      &data.input1_shift);
  QuantizeMultiplierSmallerThanOneExp(real_input2_multiplier, &data.input2_multiplier,
                                      &data.input2_shift);
  QuantizeMultiplierSmallerThanOneExp(real_output_multiplier, &data.output_multiplier,
                                      &data.output_shift);
  data.quantized_activation_min = activation_min;
  data.quantized_activation_max = activation_max;
  return data;
}

/// CheckArithmeticParams (int8 ADD).
inline void CheckArithmeticParams(const ArithmeticParams& params) {
  Check(params.quantized_activation_min <= params.quantized_activation_max, "activation range");
  Check(-params.input1_offset >= std::numeric_limits<int8_t>::min(), "input1_offset");
  Check(-params.input2_offset >= std::numeric_limits<int8_t>::min(), "input2_offset");
  Check(-params.input1_offset <= std::numeric_limits<int8_t>::max(), "input1_offset");
  Check(-params.input2_offset <= std::numeric_limits<int8_t>::max(), "input2_offset");
}

/// AddFunc: one int8 output of ADD.
inline int8_t AddFunc(int8_t x, int8_t y, const ArithmeticParams& params) {
  const int32_t input1_val = params.input1_offset + x;
  const int32_t input2_val = params.input2_offset + y;
  const int32_t shifted_input1_val = input1_val * (1 << params.left_shift);
  const int32_t shifted_input2_val = input2_val * (1 << params.left_shift);
  const int32_t scaled_input1_val = MultiplyByQuantizedMultiplierSmallerThanOneExp(
      shifted_input1_val, params.input1_multiplier, params.input1_shift);
  const int32_t scaled_input2_val = MultiplyByQuantizedMultiplierSmallerThanOneExp(
      shifted_input2_val, params.input2_multiplier, params.input2_shift);
  const int32_t raw_sum = scaled_input1_val + scaled_input2_val;
  const int32_t raw_output = MultiplyByQuantizedMultiplierSmallerThanOneExp(
                                 raw_sum, params.output_multiplier, params.output_shift) +
                             params.output_offset;
  const int32_t clamped_output = std::min(params.quantized_activation_max,
                                          std::max(params.quantized_activation_min, raw_output));
  return static_cast<int8_t>(clamped_output);
}

/// AddElementwise (int8): AddFunc over @p size elements.
inline void AddElementwise(int size, const ArithmeticParams& params, const int8_t* input1_data,
                           const int8_t* input2_data, int8_t* output_data) {
  CheckArithmeticParams(params);
  for (int i = 0; i < size; ++i) output_data[i] = AddFunc(input1_data[i], input2_data[i], params);
}

// ---------------------------------------------------------------------------
// MEAN over height and width (int8). TFLite has had several integer
// algorithms for it; two are transcribed here. Both take the multiplier that
// reduce.cc's Prepare computes: QuantizeMultiplier(double(s_in) /
// double(s_out)).

/// reference_integer_ops::Mean (integer_ops/mean.h; the kernel TFLite Micro
/// and older TFLite use for a 4-D input reduced over axes 1 and 2 with
/// keep_dims): sum(x - zp), MultiplyByQuantizedMultiplier by s_in / s_out,
/// THEN a rounding division by the count, plus the output zero point,
/// clamped to the int8 range. Two roundings.
inline void Mean(int32_t multiplier, int32_t shift, const Shape4& input_shape,
                 const int8_t* input_data, int32_t input_zero_point, const Shape4& output_shape,
                 int8_t* output_data, int32_t output_zero_point) {
  const int output_batch = output_shape.Dims(0);
  const int output_height = output_shape.Dims(1);
  const int output_width = output_shape.Dims(2);
  const int output_depth = output_shape.Dims(3);
  const int input_height = input_shape.Dims(1);
  const int input_width = input_shape.Dims(2);
  const int num_elements_in_axis = input_width * input_height;
  Check(output_height == 1 && output_width == 1, "output is N x 1 x 1 x C");
  constexpr int32_t kMinInt8 = std::numeric_limits<int8_t>::min();
  constexpr int32_t kMaxInt8 = std::numeric_limits<int8_t>::max();
  for (int out_b = 0; out_b < output_batch; ++out_b) {
    for (int out_d = 0; out_d < output_depth; ++out_d) {
      int32_t acc = 0;
      for (int in_h = 0; in_h < input_height; ++in_h) {
        for (int in_w = 0; in_w < input_width; ++in_w) {
          acc += input_data[Offset(input_shape, out_b, in_h, in_w, out_d)] - input_zero_point;
        }
      }
      acc = MultiplyByQuantizedMultiplier(acc, multiplier, shift);
      acc = acc > 0 ? (acc + num_elements_in_axis / 2) / num_elements_in_axis
                    : (acc - num_elements_in_axis / 2) / num_elements_in_axis;
      acc += output_zero_point;
      acc = std::min(std::max(acc, kMinInt8), kMaxInt8);
      output_data[Offset(output_shape, out_b, 0, 0, out_d)] = static_cast<int8_t>(acc);
    }
  }
}

/// The multiplier folding of reference_ops::QuantizedMeanOrSum (reduce.h,
/// compute_sum false; current TFLite's reference int8 MEAN): with
/// s = min(floor(log2(count)), 32, 31 + shift), multiplier becomes
/// (multiplier << s) / count (int64, truncating) and shift becomes shift - s.
inline void FoldMeanCount(int64_t num_elements_in_axis, int32_t* output_multiplier,
                          int* output_shift) {
  Check(num_elements_in_axis > 0, "num_elements_in_axis > 0");
  int shift = 63 - std::countl_zero(static_cast<uint64_t>(num_elements_in_axis));
  shift = std::min(shift, 32);
  shift = std::min(shift, 31 + *output_shift);
  *output_multiplier = static_cast<int32_t>((static_cast<int64_t>(*output_multiplier) << shift) /
                                            num_elements_in_axis);
  *output_shift = *output_shift - shift;
}

/// reference_ops::QuantizedMeanOrSum (compute_sum false) for a 4-D input
/// reduced over axes 1 and 2: per (batch, channel) the int32 sum of x,
/// minus zp * count, ONE MultiplyByQuantizedMultiplier with the folded
/// multiplier, plus the output zero point, clamped to the int8 range.
inline void QuantizedMeanOverHeightWidth(const int8_t* input_data, int32_t input_zero_point,
                                         const Shape4& input_shape, int8_t* output_data,
                                         int32_t output_multiplier, int output_shift,
                                         int32_t output_zero_point) {
  const int batches = input_shape.Dims(0);
  const int height = input_shape.Dims(1);
  const int width = input_shape.Dims(2);
  const int depth = input_shape.Dims(3);
  const int64_t num_elements_in_axis = int64_t{height} * width;
  FoldMeanCount(num_elements_in_axis, &output_multiplier, &output_shift);
  constexpr int32_t kMinValue = std::numeric_limits<int8_t>::min();
  constexpr int32_t kMaxValue = std::numeric_limits<int8_t>::max();
  for (int b = 0; b < batches; ++b) {
    for (int c = 0; c < depth; ++c) {
      int32_t temp_sum = 0;  // ReduceSumImpl into an int32 accumulator
      for (int h = 0; h < height; ++h) {
        for (int w = 0; w < width; ++w) temp_sum += input_data[Offset(input_shape, b, h, w, c)];
      }
      const auto shifted_sum =
          static_cast<int32_t>(temp_sum - input_zero_point * num_elements_in_axis);
      int32_t output = MultiplyByQuantizedMultiplier(shifted_sum, output_multiplier, output_shift) +
                       output_zero_point;
      output = std::min(std::max(output, kMinValue), kMaxValue);
      output_data[b * depth + c] = static_cast<int8_t>(output);
    }
  }
}

}  // namespace npu::tflite_ref
