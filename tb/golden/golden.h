/// @file
/// The golden model: int8 GEMM, 2-D and depthwise convolution, max, average
/// and global average pooling and elementwise add under the numerics contract
/// (sw/numerics/numerics.h, docs/numerics.md), with Eigen doing the matrix
/// arithmetic. Every other implementation (RTL, instruction-level
/// simulator, compiler constant folding) is checked against these functions.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "sw/numerics/numerics.h"

namespace npu::golden {

/// Row-major int8 matrix (activations M x K, weights K x N, outputs M x N).
using MatrixI8 = Eigen::Matrix<int8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
/// Row-major int32 matrix (accumulators).
using MatrixI32 = Eigen::Matrix<int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Requantization parameters of a layer's output channels.
struct RequantParams {
  /// Q31 multipliers, one per output channel, or one for the whole tensor.
  std::vector<int32_t> multiplier;
  /// Shifts (> 0 left), same length as @ref multiplier, each in [-31, 30].
  std::vector<int> shift;
  /// Output zero point, in [-128, 127].
  int32_t out_zp = 0;
  /// Activation clamp, -128 <= act_min <= act_max <= 127.
  int32_t act_min = -128;
  int32_t act_max = 127;  ///< See @ref act_min.
};

/// Accumulators of an int8 GEMM: acc[m][n] = WrappingAdd(wrap32(sum_k
/// (a[m][k] - a_zp) * b[k][n]), bias[n]). The sum is exact (int64) and then
/// reduced modulo 2^32, which is what an int32 wrapping accumulator computes.
/// @param a M x K activations.
/// @param a_zp activation zero point, in [-128, 127].
/// @param b K x N weights.
/// @param bias N entries, or empty for no bias.
/// @throws std::invalid_argument on inconsistent shapes or a bad zero point.
MatrixI32 GemmAcc(const MatrixI8& a, int32_t a_zp, const MatrixI8& b,
                  const std::vector<int32_t>& bias = {});

/// Requantizes accumulators column by column (column n = output channel n):
/// y[m][n] = Requantize(acc[m][n], bias[n], multiplier[n], shift[n], ...).
/// @param bias acc.cols() entries, or empty for no bias.
/// @throws std::invalid_argument on inconsistent sizes or bad parameters.
MatrixI8 RequantizeColumns(const MatrixI32& acc, const std::vector<int32_t>& bias,
                           const RequantParams& rq);

/// int8 GEMM: y[m][n] = Requantize(sum_k (a[m][k] - a_zp) * b[k][n], bias[n],
/// multiplier[n], shift[n], out_zp, act_min, act_max), the sum wrapped to
/// int32 before the bias is added.
/// @param a M x K activations.
/// @param a_zp activation zero point, in [-128, 127].
/// @param b K x N weights.
/// @param bias N entries, or empty for no bias.
/// @param rq per-channel (N entries) or per-tensor (1 entry) requantization.
/// @throws std::invalid_argument on inconsistent shapes or bad parameters.
MatrixI8 Gemm(const MatrixI8& a, int32_t a_zp, const MatrixI8& b, const std::vector<int32_t>& bias,
              const RequantParams& rq);

/// A dense int8 4-D tensor, row-major over (n, h, w, c). Activations are NHWC;
/// convolution weights use the same struct as OHWI (n = output channels,
/// h = kernel height, w = kernel width, c = input channels).
struct Tensor4 {
  int n = 0;                 ///< Batch (or output channels for weights).
  int h = 0;                 ///< Height.
  int w = 0;                 ///< Width.
  int c = 0;                 ///< Channels (innermost).
  std::vector<int8_t> data;  ///< n * h * w * c values.

  Tensor4() = default;
  /// A tensor of the given shape filled with @p fill.
  /// @throws std::invalid_argument if a dimension is negative.
  Tensor4(int n, int h, int w, int c, int8_t fill = 0);

  /// Number of elements implied by the shape.
  size_t Size() const;
  /// Flat index of (in, ih, iw, ic); not range-checked.
  size_t Index(int in, int ih, int iw, int ic) const {
    return ((static_cast<size_t>(in) * h + ih) * w + iw) * c + ic;
  }
  /// Element (in, ih, iw, ic).
  /// @throws std::out_of_range if an index is outside the shape.
  int8_t& at(int in, int ih, int iw, int ic);
  /// Element (in, ih, iw, ic).
  /// @throws std::out_of_range if an index is outside the shape.
  int8_t at(int in, int ih, int iw, int ic) const;

  friend bool operator==(const Tensor4&, const Tensor4&) = default;
};

/// Convolution geometry (dilation 1, one group).
struct Conv2dGeometry {
  int stride_h = 1;    ///< Vertical stride, >= 1.
  int stride_w = 1;    ///< Horizontal stride, >= 1.
  int pad_top = 0;     ///< Rows of padding above, >= 0.
  int pad_left = 0;    ///< Columns of padding on the left, >= 0.
  int pad_bottom = 0;  ///< Rows of padding below, >= 0.
  int pad_right = 0;   ///< Columns of padding on the right, >= 0.
};

/// Output height and width of a convolution:
/// OH = (H + pad_top + pad_bottom - KH) / stride_h + 1, likewise OW.
/// @throws std::invalid_argument if the geometry is invalid or the padded
/// input is smaller than the kernel.
std::pair<int, int> Conv2dOutputSize(int h, int w, int kh, int kw, const Conv2dGeometry& g);

/// int8 2-D convolution, NHWC in and out, weights OHWI. Padding positions
/// take the input zero point, so they contribute 0 to the accumulators.
/// Computed as im2col (rows = N*OH*OW output pixels, columns = KH*KW*Cin in
/// (kh, kw, ci) order) times the OHWI weights reshaped to (KH*KW*Cin) x Cout,
/// then requantized per output channel exactly as Gemm.
/// @param x input, N x H x W x Cin.
/// @param x_zp input zero point, in [-128, 127].
/// @param w weights, Cout x KH x KW x Cin.
/// @param bias Cout entries, or empty for no bias.
/// @param g strides and padding.
/// @param rq per-channel (Cout entries) or per-tensor (1 entry) requantization.
/// @return output, N x OH x OW x Cout.
/// @throws std::invalid_argument on inconsistent shapes or bad parameters.
Tensor4 Conv2d(const Tensor4& x, int32_t x_zp, const Tensor4& w, const std::vector<int32_t>& bias,
               const Conv2dGeometry& g, const RequantParams& rq);

/// The accumulators of Conv2d before requantization (bias included), as an
/// (N*OH*OW) x Cout matrix whose row r is output pixel (n, oh, ow) in
/// row-major order.
/// @throws std::invalid_argument as Conv2d.
MatrixI32 Conv2dAcc(const Tensor4& x, int32_t x_zp, const Tensor4& w,
                    const std::vector<int32_t>& bias, const Conv2dGeometry& g);

/// Depthwise 2-D convolution with channel multiplier 1 (TFLite's
/// reference_integer_ops::DepthwiseConvPerChannel): for every channel c,
/// acc = sum over the in-bounds taps of (x - x_zp) * w[0][ky][kx][c] (wrapped
/// to int32) + bias[c] (wrapping), then Requantize per channel exactly as
/// Conv2d. Padding takes the input zero point, so it contributes 0.
/// @param x input, N x H x W x C.
/// @param x_zp input zero point, in [-128, 127].
/// @param w weights, 1 x KH x KW x C (TFLite's depthwise layout).
/// @param bias C entries, or empty for no bias.
/// @param g strides and padding.
/// @param rq per-channel (C entries) or per-tensor (1 entry) requantization.
/// @return output, N x OH x OW x C.
/// @throws std::invalid_argument on inconsistent shapes or bad parameters.
Tensor4 DepthwiseConv2d(const Tensor4& x, int32_t x_zp, const Tensor4& w,
                        const std::vector<int32_t>& bias, const Conv2dGeometry& g,
                        const RequantParams& rq);

/// The int32 accumulators of DepthwiseConv2d (bias included), as an
/// (N*OH*OW) x C matrix whose row r is output pixel (n, oh, ow) in row-major
/// order.
/// @throws std::invalid_argument as DepthwiseConv2d.
MatrixI32 DepthwiseConv2dAcc(const Tensor4& x, int32_t x_zp, const Tensor4& w,
                             const std::vector<int32_t>& bias, const Conv2dGeometry& g);

/// Window geometry of a pooling: kernel, strides and explicit padding.
struct PoolGeometry {
  int kh = 1;          ///< Window height, >= 1.
  int kw = 1;          ///< Window width, >= 1.
  int stride_h = 1;    ///< Vertical stride, >= 1.
  int stride_w = 1;    ///< Horizontal stride, >= 1.
  int pad_top = 0;     ///< Rows of padding above, in [0, kh - 1].
  int pad_left = 0;    ///< Columns of padding on the left, in [0, kw - 1].
  int pad_bottom = 0;  ///< Rows of padding below, in [0, kh - 1].
  int pad_right = 0;   ///< Columns of padding on the right, in [0, kw - 1].
};

/// Output height and width of a pooling:
/// OH = (H + pad_top + pad_bottom - kh) / stride_h + 1, likewise OW.
/// Every pad must be smaller than the window in its direction, which makes
/// every window hold at least one input element (TFLite's SAME padding
/// always does; TFLite's AVERAGE_POOL_2D fails on an empty window and ONNX
/// Runtime rejects pads >= kernel).
/// @throws std::invalid_argument if a dimension, window or stride is < 1, a
/// pad is negative or not smaller than the window, or the padded input is
/// smaller than the window.
std::pair<int, int> PoolOutputSize(int h, int w, const PoolGeometry& g);

/// Max pooling (TFLite's reference_integer_ops::MaxPool): the maximum of the
/// in-bounds elements of each window (padding never wins), clamped to
/// [act_min, act_max].
/// @param x input, N x H x W x C.
/// @return output, N x OH x OW x C.
/// @throws std::invalid_argument on a bad tensor, geometry or activation
/// range.
Tensor4 MaxPool2d(const Tensor4& x, const PoolGeometry& g, int32_t act_min = -128,
                  int32_t act_max = 127);

/// Output quantization of an average pooling. The defaults are the identity,
/// i.e. TFLite's AVERAGE_POOL_2D kernel, whose output shares the input's
/// quantization.
struct AvgPoolQuant {
  /// Input zero point, in [-128, 127].
  int32_t in_zp = 0;
  /// QuantizeMultiplier(s_in / s_out); {2^30, 1} is exactly 1.
  QuantizedMultiplier rescale{1 << 30, 1};
  /// Output zero point, in [-128, 127].
  int32_t out_zp = 0;
  /// Activation clamp, -128 <= act_min <= act_max <= 127.
  int32_t act_min = -128;
  int32_t act_max = 127;  ///< See @ref act_min.
  /// ONNX AveragePool's count_include_pad: padding positions count and
  /// contribute in_zp (real zero) each; the count is then kh * kw.
  bool count_include_pad = false;
};

/// Average pooling (TFLite's reference_integer_ops::AveragePool plus one
/// documented requantization): avg = RoundedAverage(sum of the in-bounds
/// elements, their count) (with count_include_pad: sum += in_zp for every
/// padding position and count = kh * kw), then
/// y = clamp(MultiplyByQuantizedMultiplier(avg - in_zp, rescale) + out_zp,
/// act_min, act_max), i.e. Requantize(avg, -in_zp, rescale, out_zp, ...).
/// With the default @p q (or equal input and output quantization) y equals
/// TFLite's kernel clamped to [act_min, act_max].
/// @param x input, N x H x W x C.
/// @return output, N x OH x OW x C.
/// @throws std::invalid_argument on a bad tensor, geometry or quantization.
Tensor4 AvgPool2d(const Tensor4& x, const PoolGeometry& g, const AvgPoolQuant& q = {});

/// Global average pooling as TFLite MEAN over H and W: for every (n, c),
/// acc = sum over h, w of (x - x_zp) (wrapped to int32), then
/// y = Requantize(acc, 0, m, out_zp, act_min, act_max) with m normally
/// MeanMultiplier(s_in, s_out, H * W).
/// @param x input, N x H x W x C.
/// @param x_zp input zero point, in [-128, 127].
/// @param m requantization multiplier, shift in [-31, 30].
/// @param out_zp output zero point, in [-128, 127].
/// @return output, N x 1 x 1 x C.
/// @throws std::invalid_argument on a bad tensor or parameter.
Tensor4 GlobalAvgPool(const Tensor4& x, int32_t x_zp, const QuantizedMultiplier& m, int32_t out_zp,
                      int32_t act_min = -128, int32_t act_max = 127);

/// Elementwise add of two tensors of the same shape (TFLite int8 ADD without
/// broadcasting): y[i] = npu::Add(a[i], b[i], p).
/// @throws std::invalid_argument on different or bad shapes, a zero point
/// (offset) outside the int8 range, a shift outside [-31, 0] or a bad
/// activation range.
Tensor4 Add(const Tensor4& a, const Tensor4& b, const AddParams& p);

}  // namespace npu::golden
