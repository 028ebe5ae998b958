/// @file
/// Layer descriptions accepted by the layer compiler: a 2-D convolution
/// (NHWC activations, OHWI weights, batch 1, one group, optionally with a
/// fused residual add), a GEMM, which is lowered to a 1x1 convolution, a
/// depthwise convolution, max and average pooling, global average pooling
/// (MEAN over H and W) and an elementwise add. Quantization follows the
/// numerics contract (docs/numerics.md): asymmetric int8 activations,
/// symmetric int8 weights, int32 bias, per-channel or per-tensor Q31
/// multipliers and shifts.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sw/numerics/numerics.h"

namespace npu::compiler {

/// A quantized 2-D convolution (dilation 1, one group, batch 1).
struct ConvLayer {
  int h = 0;           ///< Input height.
  int w = 0;           ///< Input width.
  int cin = 0;         ///< Input channels.
  int cout = 0;        ///< Output channels.
  int kh = 1;          ///< Kernel height.
  int kw = 1;          ///< Kernel width.
  int stride_h = 1;    ///< Vertical stride, 1..7.
  int stride_w = 1;    ///< Horizontal stride, 1..7.
  int pad_top = 0;     ///< Rows of input-zero-point padding above.
  int pad_left = 0;    ///< Columns of padding on the left.
  int pad_bottom = 0;  ///< Rows of padding below.
  int pad_right = 0;   ///< Columns of padding on the right.
  int32_t in_zp = 0;   ///< Input zero point, in [-128, 127].
  /// Weights, OHWI: [cout][kh][kw][cin].
  std::vector<int8_t> weights;
  /// cout biases, or empty for none.
  std::vector<int32_t> bias;
  /// Q31 multipliers: cout entries (per channel) or 1 (per tensor).
  std::vector<int32_t> multiplier;
  /// Shifts (> 0 left) in [-31, 30], as many as @ref multiplier.
  std::vector<int> shift;
  int32_t out_zp = 0;      ///< Output zero point, in [-128, 127].
  int32_t act_min = -128;  ///< Lower clamp of the output.
  int32_t act_max = 127;   ///< Upper clamp of the output.
  /// Fused residual add: when set, the layer has a second input of the
  /// output's shape (OutH x OutW x cout) and its result is
  /// npu::Add(conv output, input 2, *residual) element by element (TFLite
  /// int8 ADD of the requantized and clamped convolution output as input 1).
  std::optional<AddParams> residual;

  /// Output height: (h + pad_top + pad_bottom - kh) / stride_h + 1.
  int OutH() const;
  /// Output width: (w + pad_left + pad_right - kw) / stride_w + 1.
  int OutW() const;
  /// Checks shapes, sizes and ranges (and the residual's parameters, as
  /// ValidateAddParams).
  /// @throws std::invalid_argument naming the first thing that is wrong.
  void Validate() const;
};

/// A quantized GEMM: y[m][n] = requant(sum_k (a[m][k] - a_zp) * w[k][n] + bias[n]).
struct GemmLayer {
  int m = 0;         ///< Rows of A and of the output.
  int n = 0;         ///< Output columns (channels).
  int k = 0;         ///< Reduction length.
  int32_t a_zp = 0;  ///< Zero point of A, in [-128, 127].
  /// Weights [k][n], row-major.
  std::vector<int8_t> weights;
  /// n biases, or empty for none.
  std::vector<int32_t> bias;
  /// Q31 multipliers: n entries or 1.
  std::vector<int32_t> multiplier;
  /// Shifts, as many as @ref multiplier.
  std::vector<int> shift;
  int32_t out_zp = 0;      ///< Output zero point.
  int32_t act_min = -128;  ///< Lower clamp.
  int32_t act_max = 127;   ///< Upper clamp.
  /// Fused residual add with a second m x n input (ConvLayer::residual).
  std::optional<AddParams> residual;

  /// The equivalent 1x1 convolution: h = 1, w = m, cin = k, cout = n, the
  /// weights transposed to OHWI, the residual kept.
  /// @throws std::invalid_argument if the weights do not have k * n entries.
  ConvLayer ToConv() const;
};

/// A quantized depthwise 2-D convolution with channel multiplier 1 (TFLite
/// DEPTHWISE_CONV_2D, batch 1): every channel is convolved with its own
/// kh x kw kernel (docs/numerics.md, "Depthwise convolution").
struct DepthwiseLayer {
  int h = 0;           ///< Input height.
  int w = 0;           ///< Input width.
  int c = 0;           ///< Channels (input and output).
  int kh = 1;          ///< Kernel height, 1..7.
  int kw = 1;          ///< Kernel width, 1..7.
  int stride_h = 1;    ///< Vertical stride, 1..7.
  int stride_w = 1;    ///< Horizontal stride, 1..7.
  int pad_top = 0;     ///< Rows of input-zero-point padding above (any >= 0).
  int pad_left = 0;    ///< Columns of padding on the left.
  int pad_bottom = 0;  ///< Rows of padding below.
  int pad_right = 0;   ///< Columns of padding on the right.
  int32_t in_zp = 0;   ///< Input zero point, in [-128, 127].
  /// Weights [kh][kw][c] (TFLite's 1 x KH x KW x C layout).
  std::vector<int8_t> weights;
  /// c biases, or empty for none.
  std::vector<int32_t> bias;
  /// Q31 multipliers: c entries (per channel) or 1 (per tensor).
  std::vector<int32_t> multiplier;
  /// Shifts (> 0 left) in [-31, 30], as many as @ref multiplier.
  std::vector<int> shift;
  int32_t out_zp = 0;      ///< Output zero point, in [-128, 127].
  int32_t act_min = -128;  ///< Lower clamp of the output.
  int32_t act_max = 127;   ///< Upper clamp of the output.

  /// Output height: (h + pad_top + pad_bottom - kh) / stride_h + 1.
  int OutH() const;
  /// Output width: (w + pad_left + pad_right - kw) / stride_w + 1.
  int OutW() const;
  /// Checks shapes, sizes and ranges.
  /// @throws std::invalid_argument naming the first thing that is wrong.
  void Validate() const;
};

/// The kind of a pooling.
enum class PoolKind {
  kMax,  ///< Max pooling (TFLite MAX_POOL_2D; golden::MaxPool2d).
  kAvg,  ///< Average pooling (TFLite AVERAGE_POOL_2D; golden::AvgPool2d).
};

/// A max or average pooling (batch 1), with the geometry of
/// golden::PoolGeometry: every pad smaller than the window in its direction.
struct PoolLayer {
  PoolKind kind = PoolKind::kMax;  ///< Max or average.
  int h = 0;                       ///< Input height.
  int w = 0;                       ///< Input width.
  int c = 0;                       ///< Channels.
  int kh = 1;                      ///< Window height, 1..7.
  int kw = 1;                      ///< Window width, 1..7.
  int stride_h = 1;                ///< Vertical stride, 1..7.
  int stride_w = 1;                ///< Horizontal stride, 1..7.
  int pad_top = 0;                 ///< Rows of padding above, in [0, kh - 1].
  int pad_left = 0;                ///< Columns of padding on the left, in [0, kw - 1].
  int pad_bottom = 0;              ///< Rows of padding below, in [0, kh - 1].
  int pad_right = 0;               ///< Columns of padding on the right, in [0, kw - 1].
  int32_t act_min = -128;          ///< Lower clamp of the output.
  int32_t act_max = 127;           ///< Upper clamp of the output.
  /// Average only (golden::AvgPoolQuant): input zero point, in [-128, 127].
  int32_t in_zp = 0;
  /// Average only: QuantizeMultiplier(s_in / s_out); {2^30, 1} is exactly 1.
  QuantizedMultiplier rescale{1 << 30, 1};
  /// Average only: output zero point, in [-128, 127].
  int32_t out_zp = 0;
  /// Average only: padding positions count and contribute in_zp each
  /// (ONNX AveragePool's count_include_pad).
  bool count_include_pad = false;

  /// Output height: (h + pad_top + pad_bottom - kh) / stride_h + 1.
  int OutH() const;
  /// Output width: (w + pad_left + pad_right - kw) / stride_w + 1.
  int OutW() const;
  /// Checks shapes, sizes and ranges (the average-only fields only for kAvg).
  /// @throws std::invalid_argument naming the first thing that is wrong.
  void Validate() const;
};

/// Global average pooling as TFLite MEAN over H and W (batch 1): output
/// 1 x 1 x c, y = Requantize(sum over h, w of (x - in_zp), 0, multiplier,
/// out_zp, act_min, act_max) (golden::GlobalAvgPool).
struct MeanLayer {
  int h = 0;          ///< Input height.
  int w = 0;          ///< Input width.
  int c = 0;          ///< Channels.
  int32_t in_zp = 0;  ///< Input zero point, in [-128, 127].
  /// Requantization multiplier, normally MeanMultiplier(s_in, s_out, h * w);
  /// shift in [-31, 30].
  QuantizedMultiplier multiplier{1 << 30, 1};
  int32_t out_zp = 0;      ///< Output zero point, in [-128, 127].
  int32_t act_min = -128;  ///< Lower clamp of the output.
  int32_t act_max = 127;   ///< Upper clamp of the output.

  /// Checks shapes and ranges.
  /// @throws std::invalid_argument naming the first thing that is wrong.
  void Validate() const;
};

/// Elementwise add of two int8 tensors of the same shape h x w x c (TFLite
/// int8 ADD without broadcasting, golden::Add).
struct AddLayer {
  int h = 0;         ///< Height of both inputs and the output.
  int w = 0;         ///< Width.
  int c = 0;         ///< Channels.
  AddParams params;  ///< Quantization (QuantizeAddParams).

  /// Checks the shape and the parameters (ValidateAddParams).
  /// @throws std::invalid_argument naming the first thing that is wrong.
  void Validate() const;
};

/// Checks the parameters of an int8 ADD as the hardware's `add` parameter
/// block holds them: input offsets in [-127, 128] (minus an int8 zero
/// point), output offset in [-128, 127], every shift in [-31, 0] and
/// -128 <= act_min <= act_max <= 127.
/// @param what prefix of the message, e.g. "add layer".
/// @throws std::invalid_argument naming the first thing that is wrong.
void ValidateAddParams(const AddParams& params, const char* what);

}  // namespace npu::compiler
