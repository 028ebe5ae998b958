#include "tb/golden/golden.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "sw/numerics/numerics.h"

namespace npu::golden {

namespace {

using MatrixI64 = Eigen::Matrix<int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

[[noreturn]] void Fail(const std::string& where, const std::string& what) {
  throw std::invalid_argument(where + ": " + what);
}

std::string Shape(Eigen::Index rows, Eigen::Index cols) {
  return std::to_string(rows) + " x " + std::to_string(cols);
}

std::string Shape(const Tensor4& t) {
  return "[" + std::to_string(t.n) + ", " + std::to_string(t.h) + ", " + std::to_string(t.w) +
         ", " + std::to_string(t.c) + "]";
}

void CheckZeroPoint(const char* where, const char* name, int32_t zp) {
  if (zp < -128 || zp > 127) {
    Fail(where, std::string(name) + " " + std::to_string(zp) + " is outside [-128, 127]");
  }
}

void CheckBias(const char* where, const std::vector<int32_t>& bias, Eigen::Index channels) {
  if (!bias.empty() && static_cast<Eigen::Index>(bias.size()) != channels) {
    Fail(where, "bias has " + std::to_string(bias.size()) + " entries, expected " +
                    std::to_string(channels) + " (one per output channel) or none");
  }
}

void CheckRequant(const char* where, const RequantParams& rq, Eigen::Index channels) {
  const size_t count = rq.multiplier.size();
  if (count != 1 && static_cast<Eigen::Index>(count) != channels) {
    Fail(where, "requant has " + std::to_string(count) +
                    " multipliers, expected 1 (per tensor) or " + std::to_string(channels) +
                    " (per channel)");
  }
  if (rq.shift.size() != count) {
    Fail(where, "requant has " + std::to_string(rq.shift.size()) + " shifts but " +
                    std::to_string(count) + " multipliers");
  }
  for (size_t i = 0; i < count; ++i) {
    if (rq.shift[i] < kMinShift || rq.shift[i] > kMaxShift) {
      Fail(where, "shift[" + std::to_string(i) + "] = " + std::to_string(rq.shift[i]) +
                      " is outside [" + std::to_string(kMinShift) + ", " +
                      std::to_string(kMaxShift) + "]");
    }
  }
  CheckZeroPoint(where, "output zero point", rq.out_zp);
  if (rq.act_min < -128 || rq.act_max > 127 || rq.act_min > rq.act_max) {
    Fail(where, "activation range [" + std::to_string(rq.act_min) + ", " +
                    std::to_string(rq.act_max) + "] is not within [-128, 127] with min <= max");
  }
}

void CheckTensor(const char* where, const char* name, const Tensor4& t) {
  if (t.n <= 0 || t.h <= 0 || t.w <= 0 || t.c <= 0) {
    Fail(where, std::string(name) + " shape " + Shape(t) + " has a dimension < 1");
  }
  if (t.data.size() != t.Size()) {
    Fail(where, std::string(name) + " shape " + Shape(t) + " needs " + std::to_string(t.Size()) +
                    " values, data has " + std::to_string(t.data.size()));
  }
}

// Reduces an exact sum modulo 2^32 (two's complement).
int32_t Wrap32(int64_t v) {
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v)));
}

// im2col: one row per output pixel (n, oh, ow), columns in (kh, kw, ci)
// order to match OHWI weights. Padding positions hold the zero point.
MatrixI8 Im2Col(const Tensor4& x, int32_t x_zp, int kh, int kw, int oh, int ow,
                const Conv2dGeometry& g) {
  const Eigen::Index rows = Eigen::Index{x.n} * oh * ow;
  const Eigen::Index cols = Eigen::Index{kh} * kw * x.c;
  MatrixI8 m(rows, cols);
  m.setConstant(static_cast<int8_t>(x_zp));
  Eigen::Index r = 0;
  for (int n = 0; n < x.n; ++n) {
    for (int y = 0; y < oh; ++y) {
      for (int xo = 0; xo < ow; ++xo, ++r) {
        for (int ky = 0; ky < kh; ++ky) {
          const int iy = y * g.stride_h - g.pad_top + ky;
          if (iy < 0 || iy >= x.h) continue;
          for (int kx = 0; kx < kw; ++kx) {
            const int ix = xo * g.stride_w - g.pad_left + kx;
            if (ix < 0 || ix >= x.w) continue;
            const int8_t* src = &x.data[x.Index(n, iy, ix, 0)];
            const Eigen::Index col = (Eigen::Index{ky} * kw + kx) * x.c;
            for (int ci = 0; ci < x.c; ++ci) m(r, col + ci) = src[ci];
          }
        }
      }
    }
  }
  return m;
}

// The weights OHWI as a (KH*KW*Cin) x Cout matrix.
MatrixI8 WeightMatrix(const Tensor4& w) {
  const Eigen::Map<const MatrixI8> ohwi(w.data.data(), w.n, Eigen::Index{w.h} * w.w * w.c);
  return ohwi.transpose();
}

void CheckActivation(const char* where, int32_t act_min, int32_t act_max) {
  if (act_min < -128 || act_max > 127 || act_min > act_max) {
    Fail(where, "activation range [" + std::to_string(act_min) + ", " + std::to_string(act_max) +
                    "] is not within [-128, 127] with min <= max");
  }
}

void CheckShift(const char* where, const char* name, int shift, int min_shift, int max_shift) {
  if (shift < min_shift || shift > max_shift) {
    Fail(where, std::string(name) + " shift " + std::to_string(shift) + " is outside [" +
                    std::to_string(min_shift) + ", " + std::to_string(max_shift) + "]");
  }
}

void CheckDepthwise(const char* where, const Tensor4& x, int32_t x_zp, const Tensor4& w,
                    const std::vector<int32_t>& bias) {
  CheckTensor(where, "input", x);
  CheckTensor(where, "weights", w);
  CheckZeroPoint(where, "input zero point", x_zp);
  if (w.n != 1) {
    Fail(where, "weights " + Shape(w) + " must be 1 x KH x KW x C (TFLite's depthwise layout)");
  }
  if (x.c != w.c) {
    Fail(where, "input " + Shape(x) + " has " + std::to_string(x.c) + " channels but weights " +
                    Shape(w) + " have " + std::to_string(w.c) + " (channel multiplier 1)");
  }
  CheckBias(where, bias, w.c);
}

// The input rows [y0, y1) and columns [x0, x1) that a pooling window with
// origin (oy * stride - pad) covers, clipped to the input.
struct Window {
  int y0, y1, x0, x1;
  int Count() const { return (y1 - y0) * (x1 - x0); }
};

Window PoolWindow(const Tensor4& x, const PoolGeometry& g, int oy, int ox) {
  const int y = oy * g.stride_h - g.pad_top;
  const int xo = ox * g.stride_w - g.pad_left;
  return {std::max(y, 0), std::min(y + g.kh, x.h), std::max(xo, 0), std::min(xo + g.kw, x.w)};
}

void CheckConv(const char* where, const Tensor4& x, int32_t x_zp, const Tensor4& w,
               const std::vector<int32_t>& bias) {
  CheckTensor(where, "input", x);
  CheckTensor(where, "weights", w);
  CheckZeroPoint(where, "input zero point", x_zp);
  if (x.c != w.c) {
    Fail(where, "input " + Shape(x) + " has " + std::to_string(x.c) + " channels but weights " +
                    Shape(w) + " (OHWI) expect " + std::to_string(w.c));
  }
  CheckBias(where, bias, w.n);
}

}  // namespace

Tensor4::Tensor4(int n, int h, int w, int c, int8_t fill) : n(n), h(h), w(w), c(c) {
  if (n < 0 || h < 0 || w < 0 || c < 0) {
    Fail("Tensor4", "shape " + Shape(*this) + " has a negative dimension");
  }
  data.assign(Size(), fill);
}

size_t Tensor4::Size() const {
  if (n <= 0 || h <= 0 || w <= 0 || c <= 0) return 0;
  return static_cast<size_t>(n) * h * w * c;
}

int8_t& Tensor4::at(int in, int ih, int iw, int ic) {
  if (in < 0 || in >= n || ih < 0 || ih >= h || iw < 0 || iw >= w || ic < 0 || ic >= c) {
    throw std::out_of_range("Tensor4::at: index (" + std::to_string(in) + ", " +
                            std::to_string(ih) + ", " + std::to_string(iw) + ", " +
                            std::to_string(ic) + ") is outside shape " + Shape(*this));
  }
  return data.at(Index(in, ih, iw, ic));
}

int8_t Tensor4::at(int in, int ih, int iw, int ic) const {
  return const_cast<Tensor4*>(this)->at(in, ih, iw, ic);
}

MatrixI32 GemmAcc(const MatrixI8& a, int32_t a_zp, const MatrixI8& b,
                  const std::vector<int32_t>& bias) {
  constexpr const char* kWhere = "GemmAcc";
  if (a.cols() != b.rows()) {
    Fail(kWhere, "a is " + Shape(a.rows(), a.cols()) + " but b is " + Shape(b.rows(), b.cols()) +
                     " (inner dimensions differ)");
  }
  CheckZeroPoint(kWhere, "activation zero point", a_zp);
  CheckBias(kWhere, bias, b.cols());
  // Exact in int64: |term| <= 255 * 128, so K up to ~2.8e14 cannot overflow.
  const MatrixI64 a64 = (a.cast<int64_t>().array() - int64_t{a_zp}).matrix();
  const MatrixI64 sum = a64 * b.cast<int64_t>();
  MatrixI32 acc(sum.rows(), sum.cols());
  for (Eigen::Index m = 0; m < sum.rows(); ++m) {
    for (Eigen::Index n = 0; n < sum.cols(); ++n) {
      const int32_t v = Wrap32(sum(m, n));
      acc(m, n) = bias.empty() ? v : WrappingAdd(v, bias[n]);
    }
  }
  return acc;
}

MatrixI8 RequantizeColumns(const MatrixI32& acc, const std::vector<int32_t>& bias,
                           const RequantParams& rq) {
  constexpr const char* kWhere = "RequantizeColumns";
  CheckBias(kWhere, bias, acc.cols());
  CheckRequant(kWhere, rq, acc.cols());
  const bool per_tensor = rq.multiplier.size() == 1;
  MatrixI8 y(acc.rows(), acc.cols());
  for (Eigen::Index n = 0; n < acc.cols(); ++n) {
    const size_t ch = per_tensor ? 0 : static_cast<size_t>(n);
    const int32_t b = bias.empty() ? 0 : bias[n];
    for (Eigen::Index m = 0; m < acc.rows(); ++m) {
      y(m, n) = Requantize(acc(m, n), b, rq.multiplier[ch], rq.shift[ch], rq.out_zp, rq.act_min,
                           rq.act_max);
    }
  }
  return y;
}

MatrixI8 Gemm(const MatrixI8& a, int32_t a_zp, const MatrixI8& b, const std::vector<int32_t>& bias,
              const RequantParams& rq) {
  CheckRequant("Gemm", rq, b.cols());
  return RequantizeColumns(GemmAcc(a, a_zp, b, bias), {}, rq);
}

namespace {

std::pair<int, int> ConvOutputSize(const char* where, int h, int w, int kh, int kw,
                                   const Conv2dGeometry& g) {
  if (g.stride_h < 1 || g.stride_w < 1) {
    Fail(where, "strides (" + std::to_string(g.stride_h) + ", " + std::to_string(g.stride_w) +
                    ") must be >= 1");
  }
  if (g.pad_top < 0 || g.pad_left < 0 || g.pad_bottom < 0 || g.pad_right < 0) {
    Fail(where, "padding (top " + std::to_string(g.pad_top) + ", left " +
                    std::to_string(g.pad_left) + ", bottom " + std::to_string(g.pad_bottom) +
                    ", right " + std::to_string(g.pad_right) + ") must be >= 0");
  }
  if (h < 1 || w < 1 || kh < 1 || kw < 1) {
    Fail(where, "input " + std::to_string(h) + " x " + std::to_string(w) + " and kernel " +
                    std::to_string(kh) + " x " + std::to_string(kw) + " must be at least 1 x 1");
  }
  const int64_t ph = int64_t{h} + g.pad_top + g.pad_bottom;
  const int64_t pw = int64_t{w} + g.pad_left + g.pad_right;
  if (ph < kh || pw < kw) {
    Fail(where, "padded input " + std::to_string(ph) + " x " + std::to_string(pw) +
                    " is smaller than the kernel " + std::to_string(kh) + " x " +
                    std::to_string(kw));
  }
  return {static_cast<int>((ph - kh) / g.stride_h + 1),
          static_cast<int>((pw - kw) / g.stride_w + 1)};
}

}  // namespace

std::pair<int, int> Conv2dOutputSize(int h, int w, int kh, int kw, const Conv2dGeometry& g) {
  return ConvOutputSize("Conv2d", h, w, kh, kw, g);
}

MatrixI32 Conv2dAcc(const Tensor4& x, int32_t x_zp, const Tensor4& w,
                    const std::vector<int32_t>& bias, const Conv2dGeometry& g) {
  CheckConv("Conv2d", x, x_zp, w, bias);
  const auto [oh, ow] = Conv2dOutputSize(x.h, x.w, w.h, w.w, g);
  return GemmAcc(Im2Col(x, x_zp, w.h, w.w, oh, ow, g), x_zp, WeightMatrix(w), bias);
}

Tensor4 Conv2d(const Tensor4& x, int32_t x_zp, const Tensor4& w, const std::vector<int32_t>& bias,
               const Conv2dGeometry& g, const RequantParams& rq) {
  CheckConv("Conv2d", x, x_zp, w, bias);
  CheckRequant("Conv2d", rq, w.n);
  const auto [oh, ow] = Conv2dOutputSize(x.h, x.w, w.h, w.w, g);
  const MatrixI8 y = RequantizeColumns(Conv2dAcc(x, x_zp, w, bias, g), {}, rq);
  Tensor4 out(x.n, oh, ow, w.n);
  // y is row-major (N*OH*OW) x Cout, which is exactly NHWC.
  std::copy(y.data(), y.data() + y.size(), out.data.begin());
  return out;
}

MatrixI32 DepthwiseConv2dAcc(const Tensor4& x, int32_t x_zp, const Tensor4& w,
                             const std::vector<int32_t>& bias, const Conv2dGeometry& g) {
  constexpr const char* kWhere = "DepthwiseConv2d";
  CheckDepthwise(kWhere, x, x_zp, w, bias);
  const auto [oh, ow] = ConvOutputSize(kWhere, x.h, x.w, w.h, w.w, g);
  using RowI64 = Eigen::Array<int64_t, 1, Eigen::Dynamic>;
  using ConstRowI8 = Eigen::Map<const Eigen::Array<int8_t, 1, Eigen::Dynamic>>;
  const Eigen::Index channels = x.c;
  MatrixI32 acc(Eigen::Index{x.n} * oh * ow, channels);
  RowI64 sum(channels);
  Eigen::Index r = 0;
  for (int n = 0; n < x.n; ++n) {
    for (int y = 0; y < oh; ++y) {
      for (int xo = 0; xo < ow; ++xo, ++r) {
        // Exact in int64 (|term| <= 255 * 128); padding taps hold the zero
        // point and contribute nothing, so they are skipped.
        sum.setZero();
        for (int ky = 0; ky < w.h; ++ky) {
          const int iy = y * g.stride_h - g.pad_top + ky;
          if (iy < 0 || iy >= x.h) continue;
          for (int kx = 0; kx < w.w; ++kx) {
            const int ix = xo * g.stride_w - g.pad_left + kx;
            if (ix < 0 || ix >= x.w) continue;
            const ConstRowI8 xv(&x.data[x.Index(n, iy, ix, 0)], channels);
            const ConstRowI8 wv(&w.data[w.Index(0, ky, kx, 0)], channels);
            sum += (xv.cast<int64_t>() - int64_t{x_zp}) * wv.cast<int64_t>();
          }
        }
        for (Eigen::Index c = 0; c < channels; ++c) {
          const int32_t v = Wrap32(sum(c));
          acc(r, c) = bias.empty() ? v : WrappingAdd(v, bias[c]);
        }
      }
    }
  }
  return acc;
}

Tensor4 DepthwiseConv2d(const Tensor4& x, int32_t x_zp, const Tensor4& w,
                        const std::vector<int32_t>& bias, const Conv2dGeometry& g,
                        const RequantParams& rq) {
  constexpr const char* kWhere = "DepthwiseConv2d";
  CheckDepthwise(kWhere, x, x_zp, w, bias);
  CheckRequant(kWhere, rq, w.c);
  const auto [oh, ow] = ConvOutputSize(kWhere, x.h, x.w, w.h, w.w, g);
  const MatrixI8 y = RequantizeColumns(DepthwiseConv2dAcc(x, x_zp, w, bias, g), {}, rq);
  Tensor4 out(x.n, oh, ow, x.c);
  // y is row-major (N*OH*OW) x C, which is exactly NHWC.
  std::copy(y.data(), y.data() + y.size(), out.data.begin());
  return out;
}

std::pair<int, int> PoolOutputSize(int h, int w, const PoolGeometry& g) {
  constexpr const char* kWhere = "PoolOutputSize";
  if (h < 1 || w < 1 || g.kh < 1 || g.kw < 1) {
    Fail(kWhere, "input " + std::to_string(h) + " x " + std::to_string(w) + " and window " +
                     std::to_string(g.kh) + " x " + std::to_string(g.kw) +
                     " must be at least 1 x 1");
  }
  if (g.stride_h < 1 || g.stride_w < 1) {
    Fail(kWhere, "strides (" + std::to_string(g.stride_h) + ", " + std::to_string(g.stride_w) +
                     ") must be >= 1");
  }
  const std::string pads = "padding (top " + std::to_string(g.pad_top) + ", left " +
                           std::to_string(g.pad_left) + ", bottom " + std::to_string(g.pad_bottom) +
                           ", right " + std::to_string(g.pad_right) + ")";
  if (g.pad_top < 0 || g.pad_left < 0 || g.pad_bottom < 0 || g.pad_right < 0) {
    Fail(kWhere, pads + " must be >= 0");
  }
  if (g.pad_top >= g.kh || g.pad_bottom >= g.kh || g.pad_left >= g.kw || g.pad_right >= g.kw) {
    Fail(kWhere, pads + " must be smaller than the window " + std::to_string(g.kh) + " x " +
                     std::to_string(g.kw) + " (else a window could hold padding only)");
  }
  const int64_t ph = int64_t{h} + g.pad_top + g.pad_bottom;
  const int64_t pw = int64_t{w} + g.pad_left + g.pad_right;
  if (ph < g.kh || pw < g.kw) {
    Fail(kWhere, "padded input " + std::to_string(ph) + " x " + std::to_string(pw) +
                     " is smaller than the window " + std::to_string(g.kh) + " x " +
                     std::to_string(g.kw));
  }
  return {static_cast<int>((ph - g.kh) / g.stride_h + 1),
          static_cast<int>((pw - g.kw) / g.stride_w + 1)};
}

Tensor4 MaxPool2d(const Tensor4& x, const PoolGeometry& g, int32_t act_min, int32_t act_max) {
  constexpr const char* kWhere = "MaxPool2d";
  CheckTensor(kWhere, "input", x);
  CheckActivation(kWhere, act_min, act_max);
  const auto [oh, ow] = PoolOutputSize(x.h, x.w, g);
  Tensor4 out(x.n, oh, ow, x.c);
  for (int n = 0; n < x.n; ++n) {
    for (int y = 0; y < oh; ++y) {
      for (int xo = 0; xo < ow; ++xo) {
        const Window win = PoolWindow(x, g, y, xo);
        for (int c = 0; c < x.c; ++c) {
          int32_t m = -128;  // TFLite's initial value; every window is non-empty
          for (int iy = win.y0; iy < win.y1; ++iy) {
            for (int ix = win.x0; ix < win.x1; ++ix) {
              m = std::max<int32_t>(m, x.data[x.Index(n, iy, ix, c)]);
            }
          }
          out.data[out.Index(n, y, xo, c)] = static_cast<int8_t>(std::clamp(m, act_min, act_max));
        }
      }
    }
  }
  return out;
}

Tensor4 AvgPool2d(const Tensor4& x, const PoolGeometry& g, const AvgPoolQuant& q) {
  constexpr const char* kWhere = "AvgPool2d";
  CheckTensor(kWhere, "input", x);
  CheckZeroPoint(kWhere, "input zero point", q.in_zp);
  CheckZeroPoint(kWhere, "output zero point", q.out_zp);
  CheckShift(kWhere, "rescale", q.rescale.shift, kMinShift, kMaxShift);
  CheckActivation(kWhere, q.act_min, q.act_max);
  const auto [oh, ow] = PoolOutputSize(x.h, x.w, g);
  const int window = g.kh * g.kw;
  Tensor4 out(x.n, oh, ow, x.c);
  for (int n = 0; n < x.n; ++n) {
    for (int y = 0; y < oh; ++y) {
      for (int xo = 0; xo < ow; ++xo) {
        const Window win = PoolWindow(x, g, y, xo);
        const int inside = win.Count();
        for (int c = 0; c < x.c; ++c) {
          // |sum| <= 128 * kh * kw: exact in int64, and in int32 for any
          // window TFLite can express.
          int64_t sum = 0;
          for (int iy = win.y0; iy < win.y1; ++iy) {
            for (int ix = win.x0; ix < win.x1; ++ix) sum += x.data[x.Index(n, iy, ix, c)];
          }
          int count = inside;
          if (q.count_include_pad) {
            sum += int64_t{q.in_zp} * (window - inside);
            count = window;
          }
          const int32_t avg = RoundedAverage(Wrap32(sum), count);
          out.data[out.Index(n, y, xo, c)] = Requantize(
              avg, -q.in_zp, q.rescale.multiplier, q.rescale.shift, q.out_zp, q.act_min, q.act_max);
        }
      }
    }
  }
  return out;
}

Tensor4 GlobalAvgPool(const Tensor4& x, int32_t x_zp, const QuantizedMultiplier& m, int32_t out_zp,
                      int32_t act_min, int32_t act_max) {
  constexpr const char* kWhere = "GlobalAvgPool";
  CheckTensor(kWhere, "input", x);
  CheckZeroPoint(kWhere, "input zero point", x_zp);
  CheckZeroPoint(kWhere, "output zero point", out_zp);
  CheckShift(kWhere, "multiplier", m.shift, kMinShift, kMaxShift);
  CheckActivation(kWhere, act_min, act_max);
  // Column sums of each batch's (H*W) x C slice, exact in int64.
  const Eigen::Index pixels = Eigen::Index{x.h} * x.w;
  Tensor4 out(x.n, 1, 1, x.c);
  for (int n = 0; n < x.n; ++n) {
    const Eigen::Map<const MatrixI8> slice(&x.data[x.Index(n, 0, 0, 0)], pixels, x.c);
    const Eigen::Array<int64_t, 1, Eigen::Dynamic> sum =
        slice.cast<int64_t>().colwise().sum().array() - int64_t{x_zp} * pixels;
    for (int c = 0; c < x.c; ++c) {
      out.data[out.Index(n, 0, 0, c)] =
          Requantize(Wrap32(sum(c)), 0, m.multiplier, m.shift, out_zp, act_min, act_max);
    }
  }
  return out;
}

Tensor4 Add(const Tensor4& a, const Tensor4& b, const AddParams& p) {
  constexpr const char* kWhere = "Add";
  CheckTensor(kWhere, "input 1", a);
  CheckTensor(kWhere, "input 2", b);
  if (a.n != b.n || a.h != b.h || a.w != b.w || a.c != b.c) {
    Fail(kWhere, "input shapes " + Shape(a) + " and " + Shape(b) + " differ (no broadcasting)");
  }
  // The input offsets are minus the input zero points.
  for (const auto& [name, offset] :
       {std::pair{"input1_offset", p.input1_offset}, std::pair{"input2_offset", p.input2_offset}}) {
    if (offset < -127 || offset > 128) {
      Fail(kWhere, std::string(name) + " " + std::to_string(offset) +
                       " is outside [-127, 128] (minus an int8 zero point)");
    }
  }
  CheckZeroPoint(kWhere, "output_offset", p.output_offset);
  CheckShift(kWhere, "input 1", p.input1.shift, kMinShift, 0);
  CheckShift(kWhere, "input 2", p.input2.shift, kMinShift, 0);
  CheckShift(kWhere, "output", p.output.shift, kMinShift, 0);
  CheckActivation(kWhere, p.act_min, p.act_max);
  Tensor4 out(a.n, a.h, a.w, a.c);
  for (size_t i = 0; i < a.data.size(); ++i) out.data[i] = npu::Add(a.data[i], b.data[i], p);
  return out;
}

}  // namespace npu::golden
