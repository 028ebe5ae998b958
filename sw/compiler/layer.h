/// @file
/// Layer descriptions accepted by the layer compiler: a 2-D convolution
/// (NHWC activations, OHWI weights, batch 1, one group) and a GEMM, which is
/// lowered to a 1x1 convolution. Quantization follows the numerics contract
/// (docs/numerics.md): asymmetric int8 activations, symmetric int8 weights,
/// int32 bias, per-channel or per-tensor Q31 multipliers and shifts.
#pragma once

#include <cstdint>
#include <vector>

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

  /// Output height: (h + pad_top + pad_bottom - kh) / stride_h + 1.
  int OutH() const;
  /// Output width: (w + pad_left + pad_right - kw) / stride_w + 1.
  int OutW() const;
  /// Checks shapes, sizes and ranges.
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

  /// The equivalent 1x1 convolution: h = 1, w = m, cin = k, cout = n, the
  /// weights transposed to OHWI.
  /// @throws std::invalid_argument if the weights do not have k * n entries.
  ConvLayer ToConv() const;
};

}  // namespace npu::compiler
