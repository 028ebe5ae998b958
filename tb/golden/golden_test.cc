// Tests of the golden model against naive loop references that share nothing
// with it but the (separately tested) scalar Requantize.
#include "tb/golden/golden.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "sw/numerics/numerics.h"
#include "tb/common/test_seed.h"

namespace npu::golden {
namespace {

// Seeds: random by default, NPU_SEED=<n> replays a run.
using ::npu::testing::MakeRng;

int Uniform(std::mt19937_64& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

int8_t RandomI8(std::mt19937_64& rng, int lo = -128, int hi = 127) {
  return static_cast<int8_t>(Uniform(rng, lo, hi));
}

// Weights follow the contract: int8 in [-127, 127].
MatrixI8 RandomMatrix(std::mt19937_64& rng, int rows, int cols, int lo = -128, int hi = 127) {
  MatrixI8 m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = RandomI8(rng, lo, hi);
  return m;
}

Tensor4 RandomTensor(std::mt19937_64& rng, int n, int h, int w, int c, int lo = -128,
                     int hi = 127) {
  Tensor4 t(n, h, w, c);
  for (auto& v : t.data) v = RandomI8(rng, lo, hi);
  return t;
}

std::vector<int32_t> RandomBias(std::mt19937_64& rng, int n) {
  std::vector<int32_t> b(n);
  for (auto& v : b) v = Uniform(rng, -100000, 100000);
  return b;
}

// Realistic scales (so outputs spread over the int8 range) or, sometimes,
// arbitrary multipliers and shifts over the whole legal range.
RequantParams RandomRequant(std::mt19937_64& rng, int channels) {
  RequantParams rq;
  const int count = (rng() % 3 == 0) ? 1 : channels;
  const bool wild = rng() % 8 == 0;
  for (int i = 0; i < count; ++i) {
    if (wild) {
      rq.multiplier.push_back(static_cast<int32_t>(static_cast<uint32_t>(rng())));
      rq.shift.push_back(Uniform(rng, kMinShift, kMaxShift));
    } else {
      const double real = std::exp2(std::uniform_real_distribution<double>(-14, -5)(rng));
      const QuantizedMultiplier q = QuantizeMultiplier(real);
      rq.multiplier.push_back(q.multiplier);
      rq.shift.push_back(q.shift);
    }
  }
  rq.out_zp = Uniform(rng, -128, 127);
  rq.act_min = Uniform(rng, -128, 127);
  rq.act_max = Uniform(rng, rq.act_min, 127);
  if (rng() % 2) {
    rq.act_min = -128;
    rq.act_max = 127;
  }
  return rq;
}

// ---------------------------------------------------------------------------
// Naive references.

int32_t Wrap32(int64_t v) {
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v)));
}

int8_t RequantizeChannel(int32_t acc, int32_t bias, const RequantParams& rq, int ch) {
  const size_t i = rq.multiplier.size() == 1 ? 0 : static_cast<size_t>(ch);
  return Requantize(acc, bias, rq.multiplier[i], rq.shift[i], rq.out_zp, rq.act_min, rq.act_max);
}

MatrixI8 NaiveGemm(const MatrixI8& a, int32_t a_zp, const MatrixI8& b,
                   const std::vector<int32_t>& bias, const RequantParams& rq) {
  MatrixI8 y(a.rows(), b.cols());
  for (int m = 0; m < a.rows(); ++m) {
    for (int n = 0; n < b.cols(); ++n) {
      int64_t sum = 0;
      for (int k = 0; k < a.cols(); ++k) sum += (int64_t{a(m, k)} - a_zp) * b(k, n);
      y(m, n) = RequantizeChannel(Wrap32(sum), bias.empty() ? 0 : bias[n], rq, n);
    }
  }
  return y;
}

// Direct 7-loop convolution; out-of-range taps read the zero point.
MatrixI32 NaiveConvAcc(const Tensor4& x, int32_t x_zp, const Tensor4& w,
                       const std::vector<int32_t>& bias, const Conv2dGeometry& g) {
  const int oh = (x.h + g.pad_top + g.pad_bottom - w.h) / g.stride_h + 1;
  const int ow = (x.w + g.pad_left + g.pad_right - w.w) / g.stride_w + 1;
  MatrixI32 acc(x.n * oh * ow, w.n);
  for (int n = 0; n < x.n; ++n) {
    for (int y = 0; y < oh; ++y) {
      for (int xo = 0; xo < ow; ++xo) {
        for (int co = 0; co < w.n; ++co) {
          int64_t sum = 0;
          for (int ky = 0; ky < w.h; ++ky) {
            for (int kx = 0; kx < w.w; ++kx) {
              for (int ci = 0; ci < w.c; ++ci) {
                const int iy = y * g.stride_h - g.pad_top + ky;
                const int ix = xo * g.stride_w - g.pad_left + kx;
                const bool inside = iy >= 0 && iy < x.h && ix >= 0 && ix < x.w;
                const int32_t xv = inside ? x.at(n, iy, ix, ci) : x_zp;
                sum += int64_t{xv - x_zp} * w.at(co, ky, kx, ci);
              }
            }
          }
          acc((n * oh + y) * ow + xo, co) = WrappingAdd(Wrap32(sum), bias.empty() ? 0 : bias[co]);
        }
      }
    }
  }
  return acc;
}

Tensor4 NaiveConv(const Tensor4& x, int32_t x_zp, const Tensor4& w,
                  const std::vector<int32_t>& bias, const Conv2dGeometry& g,
                  const RequantParams& rq) {
  const MatrixI32 acc = NaiveConvAcc(x, x_zp, w, bias, g);
  const int oh = (x.h + g.pad_top + g.pad_bottom - w.h) / g.stride_h + 1;
  const int ow = (x.w + g.pad_left + g.pad_right - w.w) / g.stride_w + 1;
  Tensor4 out(x.n, oh, ow, w.n);
  for (int n = 0; n < x.n; ++n)
    for (int y = 0; y < oh; ++y)
      for (int xo = 0; xo < ow; ++xo)
        for (int co = 0; co < w.n; ++co)
          out.at(n, y, xo, co) = RequantizeChannel(acc((n * oh + y) * ow + xo, co), 0, rq, co);
  return out;
}

std::string Describe(const Tensor4& x, const Tensor4& w, const Conv2dGeometry& g) {
  return "x=[" + std::to_string(x.n) + "," + std::to_string(x.h) + "," + std::to_string(x.w) + "," +
         std::to_string(x.c) + "] w=[" + std::to_string(w.n) + "," + std::to_string(w.h) + "," +
         std::to_string(w.w) + "," + std::to_string(w.c) + "] stride=(" +
         std::to_string(g.stride_h) + "," + std::to_string(g.stride_w) + ") pad(t,l,b,r)=(" +
         std::to_string(g.pad_top) + "," + std::to_string(g.pad_left) + "," +
         std::to_string(g.pad_bottom) + "," + std::to_string(g.pad_right) + ")";
}

// ---------------------------------------------------------------------------
// Gemm.

TEST(GemmTest, HandComputedExample) {
  MatrixI8 a(1, 2);
  a << 3, -2;
  MatrixI8 b(2, 2);
  b << 1, 2, 3, 4;
  // a - zp(=1) = [2, -3]; acc = [2 - 9, 4 - 12] = [-7, -8]; + bias [7, 100].
  const MatrixI32 acc = GemmAcc(a, 1, b, {7, 100});
  EXPECT_EQ(acc(0, 0), 0);
  EXPECT_EQ(acc(0, 1), 92);
  // Multiplier 0.5 (2^30, shift 0) then + 10.
  RequantParams rq{{1 << 30}, {0}, 10, -128, 127};
  const MatrixI8 y = Gemm(a, 1, b, {7, 100}, rq);
  EXPECT_EQ(y(0, 0), 10);
  EXPECT_EQ(y(0, 1), 56);
}

TEST(GemmTest, MatchesNaiveReference) {
  auto rng = MakeRng();
  for (int iter = 0; iter < 300; ++iter) {
    const int m = Uniform(rng, 1, 40), k = Uniform(rng, 1, 300), n = Uniform(rng, 1, 40);
    const MatrixI8 a = RandomMatrix(rng, m, k);
    const MatrixI8 b = RandomMatrix(rng, k, n, -127, 127);
    const int32_t a_zp = RandomI8(rng);
    const auto bias = (iter % 5 == 0) ? std::vector<int32_t>{} : RandomBias(rng, n);
    const RequantParams rq = RandomRequant(rng, n);
    const MatrixI8 got = Gemm(a, a_zp, b, bias, rq);
    const MatrixI8 want = NaiveGemm(a, a_zp, b, bias, rq);
    ASSERT_EQ(got, want) << "iter " << iter << " M=" << m << " K=" << k << " N=" << n;
  }
}

TEST(GemmTest, AccumulatorWrapsModulo2To32) {
  // (-128 - 127) * -127 * K exceeds INT32_MAX for K = 70000.
  const int k = 70000;
  MatrixI8 a = MatrixI8::Constant(1, k, -128);
  MatrixI8 b = MatrixI8::Constant(k, 2, -127);
  b(0, 1) = 127;
  const MatrixI32 acc = GemmAcc(a, 127, b, {5, 0});
  const int64_t exact0 = int64_t{255} * 127 * k;
  const int64_t exact1 = int64_t{255} * 127 * (k - 1) - int64_t{255} * 127;
  EXPECT_EQ(acc(0, 0), WrappingAdd(Wrap32(exact0), 5));
  EXPECT_EQ(acc(0, 1), Wrap32(exact1));
  EXPECT_LT(acc(0, 0), 0);  // wrapped
  RequantParams rq{{1 << 30}, {-20}, 0, -128, 127};
  EXPECT_EQ(Gemm(a, 127, b, {5, 0}, rq), NaiveGemm(a, 127, b, {5, 0}, rq));
}

TEST(GemmTest, EmptyBiasEqualsZeroBias) {
  auto rng = MakeRng();
  const MatrixI8 a = RandomMatrix(rng, 7, 13);
  const MatrixI8 b = RandomMatrix(rng, 13, 5, -127, 127);
  const RequantParams rq = RandomRequant(rng, 5);
  EXPECT_EQ(Gemm(a, -3, b, {}, rq), Gemm(a, -3, b, std::vector<int32_t>(5, 0), rq));
}

TEST(GemmTest, RejectsInconsistentShapes) {
  const MatrixI8 a = MatrixI8::Zero(2, 3);
  const MatrixI8 b = MatrixI8::Zero(3, 4);
  const RequantParams ok{{1 << 30}, {0}};
  EXPECT_NO_THROW(Gemm(a, 0, b, {}, ok));
  EXPECT_THROW(Gemm(a, 0, MatrixI8::Zero(4, 4), {}, ok), std::invalid_argument);
  EXPECT_THROW(Gemm(a, 0, b, {1, 2, 3}, ok), std::invalid_argument);
  EXPECT_THROW(Gemm(a, 128, b, {}, ok), std::invalid_argument);
  EXPECT_THROW(Gemm(a, 0, b, {}, RequantParams{{1, 2}, {0, 0}}), std::invalid_argument);
  EXPECT_THROW(Gemm(a, 0, b, {}, RequantParams{{1 << 30}, {0, 0}}), std::invalid_argument);
  EXPECT_THROW(Gemm(a, 0, b, {}, RequantParams{{}, {}}), std::invalid_argument);
  EXPECT_THROW(Gemm(a, 0, b, {}, RequantParams{{1 << 30}, {31}}), std::invalid_argument);
  EXPECT_THROW(Gemm(a, 0, b, {}, RequantParams{{1 << 30}, {0}, 200}), std::invalid_argument);
  EXPECT_THROW(Gemm(a, 0, b, {}, RequantParams{{1 << 30}, {0}, 0, 5, 4}), std::invalid_argument);
  try {
    Gemm(a, 0, MatrixI8::Zero(4, 4), {}, ok);
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("2 x 3"), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------------------
// Conv2d.

TEST(Conv2dTest, MatchesNaiveReference) {
  auto rng = MakeRng();
  const int kernels[] = {1, 3, 5, 7};
  const int channels[] = {1, 3, 17, 8, 32};
  for (int iter = 0; iter < 250; ++iter) {
    const int kh = kernels[rng() % 4];
    const int kw = (rng() % 4 == 0) ? kernels[rng() % 4] : kh;  // sometimes rectangular
    Conv2dGeometry g;
    g.stride_h = Uniform(rng, 1, 2);
    g.stride_w = (rng() % 4 == 0) ? Uniform(rng, 1, 3) : g.stride_h;
    g.pad_top = Uniform(rng, 0, kh / 2 + 1);
    g.pad_bottom = Uniform(rng, 0, kh / 2 + 1);
    g.pad_left = Uniform(rng, 0, kw / 2 + 1);
    g.pad_right = Uniform(rng, 0, kw / 2 + 1);
    const int h = std::max(1, Uniform(rng, kh - g.pad_top - g.pad_bottom, kh + 9));
    const int w = std::max(1, Uniform(rng, kw - g.pad_left - g.pad_right, kw + 9));
    const int cin = (rng() % 2) ? channels[rng() % 5] : Uniform(rng, 1, 20);
    const int cout = (rng() % 2) ? channels[rng() % 5] : Uniform(rng, 1, 20);
    const int n = Uniform(rng, 1, 2);
    const Tensor4 x = RandomTensor(rng, n, h, w, cin);
    const Tensor4 wt = RandomTensor(rng, cout, kh, kw, cin, -127, 127);
    const int32_t x_zp = RandomI8(rng);
    const auto bias = (iter % 5 == 0) ? std::vector<int32_t>{} : RandomBias(rng, cout);
    const RequantParams rq = RandomRequant(rng, cout);
    ASSERT_EQ(Conv2dAcc(x, x_zp, wt, bias, g), NaiveConvAcc(x, x_zp, wt, bias, g))
        << "iter " << iter << " " << Describe(x, wt, g);
    const Tensor4 got = Conv2d(x, x_zp, wt, bias, g, rq);
    const Tensor4 want = NaiveConv(x, x_zp, wt, bias, g, rq);
    ASSERT_EQ(got.n, want.n);
    ASSERT_EQ(got.h, want.h);
    ASSERT_EQ(got.w, want.w);
    ASSERT_EQ(got.c, cout);
    ASSERT_EQ(got.data, want.data) << "iter " << iter << " " << Describe(x, wt, g);
  }
}

TEST(Conv2dTest, OutputSize) {
  EXPECT_EQ(Conv2dOutputSize(224, 224, 7, 7, {2, 2, 3, 3, 3, 3}), std::make_pair(112, 112));
  EXPECT_EQ(Conv2dOutputSize(56, 56, 3, 3, {1, 1, 1, 1, 1, 1}), std::make_pair(56, 56));
  // TFLite SAME with stride 2 on an even input pads bottom/right only.
  EXPECT_EQ(Conv2dOutputSize(8, 8, 3, 3, {2, 2, 0, 0, 1, 1}), std::make_pair(4, 4));
  EXPECT_EQ(Conv2dOutputSize(5, 4, 5, 4, {}), std::make_pair(1, 1));
  EXPECT_EQ(Conv2dOutputSize(1, 1, 3, 3, {1, 1, 1, 1, 1, 1}), std::make_pair(1, 1));
}

TEST(Conv2dTest, ZeroPointPaddingEqualsExplicitlyPaddedInput) {
  auto rng = MakeRng();
  for (int iter = 0; iter < 50; ++iter) {
    const int k = 2 * Uniform(rng, 0, 3) + 1;
    Conv2dGeometry g;
    g.stride_h = Uniform(rng, 1, 2);
    g.stride_w = Uniform(rng, 1, 2);
    g.pad_top = Uniform(rng, 0, 4);
    g.pad_left = Uniform(rng, 0, 4);
    g.pad_bottom = Uniform(rng, 0, 4);
    g.pad_right = Uniform(rng, 0, 4);
    const int h = Uniform(rng, std::max(1, k - g.pad_top - g.pad_bottom), 12);
    const int w = Uniform(rng, std::max(1, k - g.pad_left - g.pad_right), 12);
    const int cin = Uniform(rng, 1, 9), cout = Uniform(rng, 1, 9);
    const int32_t x_zp = RandomI8(rng);
    const Tensor4 x = RandomTensor(rng, 1, h, w, cin);
    const Tensor4 wt = RandomTensor(rng, cout, k, k, cin, -127, 127);
    const auto bias = RandomBias(rng, cout);
    const RequantParams rq = RandomRequant(rng, cout);

    Tensor4 padded(1, h + g.pad_top + g.pad_bottom, w + g.pad_left + g.pad_right, cin,
                   static_cast<int8_t>(x_zp));
    for (int y = 0; y < h; ++y)
      for (int xo = 0; xo < w; ++xo)
        for (int c = 0; c < cin; ++c)
          padded.at(0, y + g.pad_top, xo + g.pad_left, c) = x.at(0, y, xo, c);
    const Conv2dGeometry no_pad{g.stride_h, g.stride_w, 0, 0, 0, 0};

    ASSERT_EQ(Conv2d(x, x_zp, wt, bias, g, rq), Conv2d(padded, x_zp, wt, bias, no_pad, rq))
        << "iter " << iter << " " << Describe(x, wt, g) << " zp=" << x_zp;
  }
}

TEST(Conv2dTest, PaddingIsNotZero) {
  // A 3x3 all-ones kernel on a 1x1 input of value zp with zp = 50 and pad 1:
  // zero-point padding gives acc 0; padding with 0 would give -8 * 50.
  const Tensor4 x(1, 1, 1, 1, 50);
  const Tensor4 w(1, 3, 3, 1, 1);
  const MatrixI32 acc = Conv2dAcc(x, 50, w, {}, {1, 1, 1, 1, 1, 1});
  ASSERT_EQ(acc.rows(), 1);
  EXPECT_EQ(acc(0, 0), 0);
}

TEST(Conv2dTest, OneByOneEqualsGemm) {
  auto rng = MakeRng();
  const Tensor4 x = RandomTensor(rng, 2, 5, 6, 17);
  const Tensor4 w = RandomTensor(rng, 9, 1, 1, 17, -127, 127);
  const auto bias = RandomBias(rng, 9);
  const RequantParams rq = RandomRequant(rng, 9);
  const Eigen::Map<const MatrixI8> a(x.data.data(), 2 * 5 * 6, 17);
  const MatrixI8 b = Eigen::Map<const MatrixI8>(w.data.data(), 9, 17).transpose();
  const MatrixI8 y = Gemm(a, 7, b, bias, rq);
  const Tensor4 out = Conv2d(x, 7, w, bias, {}, rq);
  EXPECT_EQ(out.data, std::vector<int8_t>(y.data(), y.data() + y.size()));
}

TEST(Conv2dTest, RejectsInconsistentShapes) {
  const Tensor4 x(1, 5, 5, 3);
  const Tensor4 w(4, 3, 3, 3);
  const RequantParams rq{{1 << 30}, {0}};
  EXPECT_NO_THROW(Conv2d(x, 0, w, {}, {}, rq));
  EXPECT_THROW(Conv2d(x, 0, Tensor4(4, 3, 3, 2), {}, {}, rq), std::invalid_argument);
  EXPECT_THROW(Conv2d(x, 0, w, {1, 2, 3}, {}, rq), std::invalid_argument);
  EXPECT_THROW(Conv2d(x, 0, w, {}, {}, RequantParams{{1, 2}, {0, 0}}), std::invalid_argument);
  EXPECT_THROW(Conv2d(x, -129, w, {}, {}, rq), std::invalid_argument);
  EXPECT_THROW(Conv2d(x, 0, Tensor4(4, 7, 3, 3), {}, {}, rq), std::invalid_argument);
  EXPECT_THROW(Conv2d(x, 0, w, {}, {0, 1, 0, 0, 0, 0}, rq), std::invalid_argument);
  EXPECT_THROW(Conv2d(x, 0, w, {}, {1, 1, -1, 0, 0, 0}, rq), std::invalid_argument);
  EXPECT_THROW(Conv2d(Tensor4(0, 5, 5, 3), 0, w, {}, {}, rq), std::invalid_argument);
  Tensor4 short_data = x;
  short_data.data.pop_back();
  EXPECT_THROW(Conv2d(short_data, 0, w, {}, {}, rq), std::invalid_argument);
  EXPECT_THROW(Tensor4(1, -1, 1, 1), std::invalid_argument);
  // Padding makes a kernel larger than the input legal.
  EXPECT_NO_THROW(Conv2d(x, 0, Tensor4(4, 7, 7, 3), {}, {1, 1, 1, 1, 1, 1}, rq));
  try {
    Conv2d(x, 0, Tensor4(4, 3, 3, 2), {}, {}, rq);
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("channels"), std::string::npos) << e.what();
  }
}

TEST(Tensor4Test, AtIsRangeChecked) {
  Tensor4 t(1, 2, 3, 4);
  t.at(0, 1, 2, 3) = 9;
  EXPECT_EQ(t.data.back(), 9);
  EXPECT_EQ(t.Index(0, 1, 2, 3), t.Size() - 1);
  EXPECT_THROW(t.at(1, 0, 0, 0), std::out_of_range);
  EXPECT_THROW(t.at(0, 0, 3, 0), std::out_of_range);
  EXPECT_THROW(static_cast<const Tensor4&>(t).at(0, 0, 0, -1), std::out_of_range);
}

// ---------------------------------------------------------------------------
// DepthwiseConv2d.

// Direct loops; out-of-range taps read the zero point.
MatrixI32 NaiveDepthwiseAcc(const Tensor4& x, int32_t x_zp, const Tensor4& w,
                            const std::vector<int32_t>& bias, const Conv2dGeometry& g) {
  const int oh = (x.h + g.pad_top + g.pad_bottom - w.h) / g.stride_h + 1;
  const int ow = (x.w + g.pad_left + g.pad_right - w.w) / g.stride_w + 1;
  MatrixI32 acc(x.n * oh * ow, x.c);
  for (int n = 0; n < x.n; ++n) {
    for (int y = 0; y < oh; ++y) {
      for (int xo = 0; xo < ow; ++xo) {
        for (int c = 0; c < x.c; ++c) {
          int64_t sum = 0;
          for (int ky = 0; ky < w.h; ++ky) {
            for (int kx = 0; kx < w.w; ++kx) {
              const int iy = y * g.stride_h - g.pad_top + ky;
              const int ix = xo * g.stride_w - g.pad_left + kx;
              const bool inside = iy >= 0 && iy < x.h && ix >= 0 && ix < x.w;
              const int32_t xv = inside ? x.at(n, iy, ix, c) : x_zp;
              sum += int64_t{xv - x_zp} * w.at(0, ky, kx, c);
            }
          }
          acc((n * oh + y) * ow + xo, c) = WrappingAdd(Wrap32(sum), bias.empty() ? 0 : bias[c]);
        }
      }
    }
  }
  return acc;
}

Tensor4 NaiveDepthwise(const Tensor4& x, int32_t x_zp, const Tensor4& w,
                       const std::vector<int32_t>& bias, const Conv2dGeometry& g,
                       const RequantParams& rq) {
  const MatrixI32 acc = NaiveDepthwiseAcc(x, x_zp, w, bias, g);
  const int oh = (x.h + g.pad_top + g.pad_bottom - w.h) / g.stride_h + 1;
  const int ow = (x.w + g.pad_left + g.pad_right - w.w) / g.stride_w + 1;
  Tensor4 out(x.n, oh, ow, x.c);
  for (int r = 0; r < acc.rows(); ++r)
    for (int c = 0; c < x.c; ++c) out.data[r * x.c + c] = RequantizeChannel(acc(r, c), 0, rq, c);
  return out;
}

TEST(DepthwiseConv2dTest, HandComputedExample) {
  // 1 x 2 x 2 x 2 input, zero point 1, 3 x 3 kernel, padding 1, stride 1.
  // Channel 0 is x - 1 = [[1, 2], [3, 4]] with an all-ones kernel: every
  // output sees all four inputs, acc = 10. Channel 1 is x - 1 =
  // [[-1, 0], [0, 1]] with kernel k[ky][kx] = 3 * ky + kx (centre 4):
  // output (0, 0) sees k[1][1] * -1 + k[1][2] * 0 + k[2][1] * 0 + k[2][2] * 1
  // = -4 + 8 = 4.
  Tensor4 x(1, 2, 2, 2);
  x.at(0, 0, 0, 0) = 2, x.at(0, 0, 1, 0) = 3, x.at(0, 1, 0, 0) = 4, x.at(0, 1, 1, 0) = 5;
  x.at(0, 0, 0, 1) = 0, x.at(0, 0, 1, 1) = 1, x.at(0, 1, 0, 1) = 1, x.at(0, 1, 1, 1) = 2;
  Tensor4 w(1, 3, 3, 2);
  for (int ky = 0; ky < 3; ++ky) {
    for (int kx = 0; kx < 3; ++kx) {
      w.at(0, ky, kx, 0) = 1;
      w.at(0, ky, kx, 1) = static_cast<int8_t>(3 * ky + kx);
    }
  }
  const Conv2dGeometry g{1, 1, 1, 1, 1, 1};
  const MatrixI32 acc = DepthwiseConv2dAcc(x, 1, w, {100, -4}, g);
  ASSERT_EQ(acc.rows(), 4);
  ASSERT_EQ(acc.cols(), 2);
  EXPECT_EQ(acc(0, 0), 110);
  EXPECT_EQ(acc(3, 0), 110);
  EXPECT_EQ(acc(0, 1), 0);  // 4 + bias -4
  // Output (1, 1) sees k[0][0] * -1 + k[1][1] * 1 = 0 + 4 = 4.
  EXPECT_EQ(acc(3, 1), 0);
  // Multiplier 0.5 (2^30, shift 0), zero point 3: 110 -> 58, 0 -> 3.
  const Tensor4 y = DepthwiseConv2d(x, 1, w, {100, -4}, g, RequantParams{{1 << 30}, {0}, 3});
  EXPECT_EQ(y.at(0, 0, 0, 0), 58);
  EXPECT_EQ(y.at(0, 1, 1, 1), 3);
}

TEST(DepthwiseConv2dTest, MatchesNaiveReference) {
  auto rng = MakeRng();
  for (int iter = 0; iter < 300; ++iter) {
    const int kh = Uniform(rng, 1, 7), kw = (rng() % 3 == 0) ? Uniform(rng, 1, 7) : kh;
    Conv2dGeometry g;
    g.stride_h = Uniform(rng, 1, 4);
    g.stride_w = (rng() % 3 == 0) ? Uniform(rng, 1, 4) : g.stride_h;
    g.pad_top = Uniform(rng, 0, kh - 1);
    g.pad_bottom = Uniform(rng, 0, kh - 1);
    g.pad_left = Uniform(rng, 0, kw - 1);
    g.pad_right = Uniform(rng, 0, kw - 1);
    const int h = std::max(1, Uniform(rng, kh - g.pad_top - g.pad_bottom, kh + 8));
    const int w = std::max(1, Uniform(rng, kw - g.pad_left - g.pad_right, kw + 8));
    const int c = Uniform(rng, 1, 37);
    const Tensor4 x = RandomTensor(rng, Uniform(rng, 1, 2), h, w, c);
    const Tensor4 wt = RandomTensor(rng, 1, kh, kw, c, -127, 127);
    const int32_t x_zp = RandomI8(rng);
    const auto bias = (iter % 5 == 0) ? std::vector<int32_t>{} : RandomBias(rng, c);
    const RequantParams rq = RandomRequant(rng, c);
    const Tensor4 wt4 = wt;
    ASSERT_EQ(DepthwiseConv2dAcc(x, x_zp, wt4, bias, g), NaiveDepthwiseAcc(x, x_zp, wt4, bias, g))
        << "iter " << iter << " " << Describe(x, wt, g);
    ASSERT_EQ(DepthwiseConv2d(x, x_zp, wt, bias, g, rq), NaiveDepthwise(x, x_zp, wt, bias, g, rq))
        << "iter " << iter << " " << Describe(x, wt, g);
  }
}

TEST(DepthwiseConv2dTest, EqualsOneConvolutionPerChannel) {
  // Channel c of a depthwise convolution is a one-channel Conv2d of input
  // channel c with the kernel slice c.
  auto rng = MakeRng();
  const int c = 5;
  const Tensor4 x = RandomTensor(rng, 1, 9, 7, c);
  const Tensor4 w = RandomTensor(rng, 1, 3, 3, c, -127, 127);
  const auto bias = RandomBias(rng, c);
  const Conv2dGeometry g{2, 1, 1, 0, 1, 2};
  RequantParams rq = RandomRequant(rng, c);
  const Tensor4 y = DepthwiseConv2d(x, -5, w, bias, g, rq);
  for (int ch = 0; ch < c; ++ch) {
    Tensor4 xc(1, x.h, x.w, 1), wc(1, 3, 3, 1);
    for (int i = 0; i < x.h; ++i)
      for (int j = 0; j < x.w; ++j) xc.at(0, i, j, 0) = x.at(0, i, j, ch);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) wc.at(0, i, j, 0) = w.at(0, i, j, ch);
    const size_t k = rq.multiplier.size() == 1 ? 0 : static_cast<size_t>(ch);
    const RequantParams rc{{rq.multiplier[k]}, {rq.shift[k]}, rq.out_zp, rq.act_min, rq.act_max};
    const Tensor4 yc = Conv2d(xc, -5, wc, {bias[ch]}, g, rc);
    ASSERT_EQ(yc.h, y.h);
    ASSERT_EQ(yc.w, y.w);
    for (int i = 0; i < y.h; ++i)
      for (int j = 0; j < y.w; ++j)
        ASSERT_EQ(y.at(0, i, j, ch), yc.at(0, i, j, 0)) << "channel " << ch;
  }
}

TEST(DepthwiseConv2dTest, PaddingIsNotZero) {
  // As for Conv2d: an input equal to the zero point gives acc 0 with padding.
  const Tensor4 x(1, 1, 1, 3, -20);
  const Tensor4 w(1, 3, 3, 3, 7);
  const MatrixI32 acc = DepthwiseConv2dAcc(x, -20, w, {}, {1, 1, 1, 1, 1, 1});
  EXPECT_EQ(acc, MatrixI32::Zero(1, 3));
}

TEST(DepthwiseConv2dTest, RejectsInconsistentShapes) {
  const Tensor4 x(1, 5, 5, 3);
  const Tensor4 w(1, 3, 3, 3);
  const RequantParams rq{{1 << 30}, {0}};
  EXPECT_NO_THROW(DepthwiseConv2d(x, 0, w, {}, {}, rq));
  EXPECT_THROW(DepthwiseConv2d(x, 0, Tensor4(2, 3, 3, 3), {}, {}, rq), std::invalid_argument);
  EXPECT_THROW(DepthwiseConv2d(x, 0, Tensor4(1, 3, 3, 4), {}, {}, rq), std::invalid_argument);
  EXPECT_THROW(DepthwiseConv2d(x, 0, w, {1, 2}, {}, rq), std::invalid_argument);
  EXPECT_THROW(DepthwiseConv2d(x, 0, w, {}, {}, RequantParams{{1, 2}, {0, 0}}),
               std::invalid_argument);
  EXPECT_THROW(DepthwiseConv2d(x, 128, w, {}, {}, rq), std::invalid_argument);
  EXPECT_THROW(DepthwiseConv2d(x, 0, Tensor4(1, 6, 3, 3), {}, {}, rq), std::invalid_argument);
  EXPECT_THROW(DepthwiseConv2dAcc(x, 0, w, {}, {0, 1, 0, 0, 0, 0}), std::invalid_argument);
  try {
    DepthwiseConv2d(x, 0, Tensor4(2, 3, 3, 3), {}, {}, rq);
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("1 x KH x KW x C"), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------------------
// Pooling.

std::string Describe(const Tensor4& x, const PoolGeometry& g) {
  return "x=[" + std::to_string(x.n) + "," + std::to_string(x.h) + "," + std::to_string(x.w) + "," +
         std::to_string(x.c) + "] k=" + std::to_string(g.kh) + "x" + std::to_string(g.kw) +
         " stride=(" + std::to_string(g.stride_h) + "," + std::to_string(g.stride_w) +
         ") pad(t,l,b,r)=(" + std::to_string(g.pad_top) + "," + std::to_string(g.pad_left) + "," +
         std::to_string(g.pad_bottom) + "," + std::to_string(g.pad_right) + ")";
}

PoolGeometry RandomPoolGeometry(std::mt19937_64& rng) {
  PoolGeometry g;
  g.kh = Uniform(rng, 1, 7);
  g.kw = (rng() % 3 == 0) ? Uniform(rng, 1, 7) : g.kh;
  g.stride_h = Uniform(rng, 1, 7);
  g.stride_w = (rng() % 3 == 0) ? Uniform(rng, 1, 7) : g.stride_h;
  g.pad_top = Uniform(rng, 0, g.kh - 1);
  g.pad_bottom = Uniform(rng, 0, g.kh - 1);
  g.pad_left = Uniform(rng, 0, g.kw - 1);
  g.pad_right = Uniform(rng, 0, g.kw - 1);
  return g;
}

// A random input the geometry accepts (sometimes 1 x 1).
Tensor4 RandomPoolInput(std::mt19937_64& rng, const PoolGeometry& g) {
  const int min_h = std::max(1, g.kh - g.pad_top - g.pad_bottom);
  const int min_w = std::max(1, g.kw - g.pad_left - g.pad_right);
  const bool tiny = rng() % 8 == 0 && min_h == 1 && min_w == 1;
  const int h = tiny ? 1 : Uniform(rng, min_h, min_h + 12);
  const int w = tiny ? 1 : Uniform(rng, min_w, min_w + 12);
  Tensor4 x = RandomTensor(rng, Uniform(rng, 1, 2), h, w, Uniform(rng, 1, 19));
  switch (rng() % 8) {
    case 0:
      std::fill(x.data.begin(), x.data.end(), int8_t{-128});
      break;
    case 1:
      std::fill(x.data.begin(), x.data.end(), int8_t{127});
      break;
    case 2:
      std::fill(x.data.begin(), x.data.end(), int8_t{0});
      break;
    case 3:
      for (auto& v : x.data) v = (rng() & 1) ? int8_t{127} : int8_t{-128};
      break;
    default:
      break;
  }
  return x;
}

// Naive pooling: visits every window position and skips padding.
template <typename F>
Tensor4 NaivePool(const Tensor4& x, const PoolGeometry& g, F&& reduce) {
  const int oh = (x.h + g.pad_top + g.pad_bottom - g.kh) / g.stride_h + 1;
  const int ow = (x.w + g.pad_left + g.pad_right - g.kw) / g.stride_w + 1;
  Tensor4 out(x.n, oh, ow, x.c);
  for (int n = 0; n < x.n; ++n) {
    for (int y = 0; y < oh; ++y) {
      for (int xo = 0; xo < ow; ++xo) {
        for (int c = 0; c < x.c; ++c) {
          std::vector<int32_t> inside;
          for (int ky = 0; ky < g.kh; ++ky) {
            for (int kx = 0; kx < g.kw; ++kx) {
              const int iy = y * g.stride_h - g.pad_top + ky;
              const int ix = xo * g.stride_w - g.pad_left + kx;
              if (iy >= 0 && iy < x.h && ix >= 0 && ix < x.w) inside.push_back(x.at(n, iy, ix, c));
            }
          }
          out.at(n, y, xo, c) = reduce(inside);
        }
      }
    }
  }
  return out;
}

// Round half away from zero of a / b, b > 0, in exact integers.
int32_t RoundHalfAway(int64_t a, int64_t b) {
  const int64_t mag = a < 0 ? -a : a;
  const int64_t r = (2 * mag + b) / (2 * b);
  return static_cast<int32_t>(a < 0 ? -r : r);
}

TEST(PoolOutputSizeTest, FormulaAndRejections) {
  EXPECT_EQ(PoolOutputSize(112, 112, {3, 3, 2, 2, 0, 0, 1, 1}), std::make_pair(56, 56));
  EXPECT_EQ(PoolOutputSize(7, 7, {7, 7, 1, 1, 0, 0, 0, 0}), std::make_pair(1, 1));
  EXPECT_EQ(PoolOutputSize(1, 1, {3, 3, 1, 1, 1, 1, 1, 1}), std::make_pair(1, 1));
  EXPECT_EQ(PoolOutputSize(5, 8, {2, 3, 2, 3, 0, 0, 0, 0}), std::make_pair(2, 2));
  EXPECT_THROW(PoolOutputSize(0, 5, {}), std::invalid_argument);
  EXPECT_THROW(PoolOutputSize(5, 5, {0, 1}), std::invalid_argument);
  EXPECT_THROW(PoolOutputSize(5, 5, {1, 1, 0, 1}), std::invalid_argument);
  EXPECT_THROW(PoolOutputSize(5, 5, {3, 3, 1, 1, -1, 0, 0, 0}), std::invalid_argument);
  // Pads must be smaller than the window: a pad of 3 on a 3-wide window
  // could make a window of padding only.
  EXPECT_THROW(PoolOutputSize(5, 5, {3, 3, 1, 1, 3, 0, 0, 0}), std::invalid_argument);
  EXPECT_THROW(PoolOutputSize(5, 5, {3, 3, 1, 1, 0, 0, 0, 3}), std::invalid_argument);
  EXPECT_THROW(PoolOutputSize(2, 5, {4, 1, 1, 1, 1, 0, 0, 0}), std::invalid_argument);
  try {
    PoolOutputSize(5, 5, {3, 3, 1, 1, 3, 0, 0, 0});
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("top 3"), std::string::npos) << e.what();
  }
}

TEST(MaxPool2dTest, PaddingNeverWins) {
  // 3 x 3 input of negative values, 3 x 3 window, padding 1: padding (as 0
  // or as anything else) would win every window; the result is the maximum
  // of the in-bounds values only.
  Tensor4 x(1, 3, 3, 1);
  const int8_t v[9] = {-9, -8, -7, -6, -5, -4, -3, -2, -100};
  std::copy(v, v + 9, x.data.begin());
  const Tensor4 y = MaxPool2d(x, {3, 3, 1, 1, 1, 1, 1, 1});
  ASSERT_EQ(y.h, 3);
  ASSERT_EQ(y.w, 3);
  const int8_t want[9] = {-5, -4, -4, -2, -2, -2, -2, -2, -2};
  EXPECT_EQ(y.data, std::vector<int8_t>(want, want + 9));
  // All -128 stays -128.
  const Tensor4 low(1, 2, 2, 3, -128);
  EXPECT_EQ(MaxPool2d(low, {2, 2, 1, 1, 1, 1, 0, 0}), Tensor4(1, 2, 2, 3, -128));
}

TEST(MaxPool2dTest, ClampsToActivationRange) {
  Tensor4 x(1, 2, 2, 1);
  x.data = {-50, 10, 20, 100};
  EXPECT_EQ(MaxPool2d(x, {2, 2, 2, 2}, -10, 50).data, std::vector<int8_t>{50});
  EXPECT_EQ(MaxPool2d(x, {1, 1, 1, 1}, 0, 127).data, (std::vector<int8_t>{0, 10, 20, 100}));
  EXPECT_THROW(MaxPool2d(x, {1, 1}, 5, 4), std::invalid_argument);
  EXPECT_THROW(MaxPool2d(x, {1, 1}, -129, 4), std::invalid_argument);
  EXPECT_THROW(MaxPool2d(x, {3, 3}), std::invalid_argument);
}

TEST(MaxPool2dTest, MatchesNaiveReference) {
  auto rng = MakeRng();
  for (int iter = 0; iter < 500; ++iter) {
    const PoolGeometry g = RandomPoolGeometry(rng);
    const Tensor4 x = RandomPoolInput(rng, g);
    int32_t lo = RandomI8(rng), hi = RandomI8(rng);
    if (lo > hi) std::swap(lo, hi);
    if (rng() % 2) lo = -128, hi = 127;
    const Tensor4 want = NaivePool(x, g, [&](const std::vector<int32_t>& in) {
      return static_cast<int8_t>(std::clamp(*std::max_element(in.begin(), in.end()), lo, hi));
    });
    ASSERT_EQ(MaxPool2d(x, g, lo, hi), want) << "iter " << iter << " " << Describe(x, g);
  }
}

TEST(AvgPool2dTest, BorderWindowsCountInBoundsElementsOnly) {
  // 3 x 3 input, 3 x 3 window, stride 1, padding 1: the corner windows hold
  // 4 elements, the edge windows 6, the centre 9.
  Tensor4 x(1, 3, 3, 1);
  x.data = {1, 2, 3, 4, 5, 6, 7, 8, 10};
  const Tensor4 y = AvgPool2d(x, {3, 3, 1, 1, 1, 1, 1, 1});
  // Top-left (1 + 2 + 4 + 5) / 4 = 3; top (1+2+3+4+5+6) / 6 = 3.5 -> 4;
  // centre 46 / 9 = 5.11 -> 5; bottom-right (5 + 6 + 8 + 10) / 4 = 7.25 -> 7.
  EXPECT_EQ(y.at(0, 0, 0, 0), 3);
  EXPECT_EQ(y.at(0, 0, 1, 0), 4);
  EXPECT_EQ(y.at(0, 1, 1, 0), 5);
  EXPECT_EQ(y.at(0, 2, 2, 0), 7);
  // Negative halves round away from zero: (-1 - 2 - 4 - 5) / 4 = -3,
  // (-1 - 2) / 2 = -1.5 -> -2.
  Tensor4 neg(1, 1, 2, 1);
  neg.data = {-1, -2};
  EXPECT_EQ(AvgPool2d(neg, {1, 2, 1, 1}).data, std::vector<int8_t>{-2});
  neg.data = {1, 2};
  EXPECT_EQ(AvgPool2d(neg, {1, 2, 1, 1}).data, std::vector<int8_t>{2});
}

TEST(AvgPool2dTest, CountIncludePadCountsPaddingAsTheZeroPoint) {
  // Corner window of a 3 x 3 window with padding 1 on a 2 x 2 input of 10s:
  // 4 in-bounds elements and 5 padding positions at in_zp = -2:
  // (40 - 10) / 9 = 3.33 -> 3; then 3 - (-2) = 5 requantized by 1, + 0.
  const Tensor4 x(1, 2, 2, 1, 10);
  AvgPoolQuant q;
  q.in_zp = -2;
  q.rescale = QuantizeMultiplier(1.0);
  q.out_zp = 0;
  q.count_include_pad = true;
  const Tensor4 y = AvgPool2d(x, {3, 3, 1, 1, 1, 1, 1, 1}, q);
  EXPECT_EQ(y.data, std::vector<int8_t>(4, 5));
  // Without count_include_pad the average is 10, 10 + 2 = 12.
  q.count_include_pad = false;
  EXPECT_EQ(AvgPool2d(x, {3, 3, 1, 1, 1, 1, 1, 1}, q).data, std::vector<int8_t>(4, 12));
}

TEST(AvgPool2dTest, IdentityRescaleIsExact) {
  // QuantizeMultiplier(1.0) = {2^30, 1}, and MultiplyByQuantizedMultiplier
  // by it is the identity on every value the average pooling can produce
  // (avg - in_zp in [-255, 255]) and far beyond.
  ASSERT_EQ(QuantizeMultiplier(1.0), (QuantizedMultiplier{1 << 30, 1}));
  for (int32_t v = -(1 << 20); v <= (1 << 20); ++v) {
    ASSERT_EQ(MultiplyByQuantizedMultiplier(v, 1 << 30, 1), v) << v;
  }
  // Hence equal input and output quantization reproduces TFLite's kernel
  // (the default AvgPoolQuant) exactly.
  auto rng = MakeRng();
  for (int iter = 0; iter < 200; ++iter) {
    const PoolGeometry g = RandomPoolGeometry(rng);
    const Tensor4 x = RandomPoolInput(rng, g);
    AvgPoolQuant tflite;
    tflite.act_min = Uniform(rng, -128, 0);
    tflite.act_max = Uniform(rng, 0, 127);
    AvgPoolQuant same = tflite;
    same.in_zp = same.out_zp = RandomI8(rng);
    same.rescale = QuantizeMultiplier(1.0);
    ASSERT_EQ(AvgPool2d(x, g, same), AvgPool2d(x, g, tflite))
        << "iter " << iter << " " << Describe(x, g) << " zp=" << same.in_zp;
  }
}

TEST(AvgPool2dTest, MatchesNaiveReference) {
  auto rng = MakeRng();
  for (int iter = 0; iter < 500; ++iter) {
    const PoolGeometry g = RandomPoolGeometry(rng);
    const Tensor4 x = RandomPoolInput(rng, g);
    AvgPoolQuant q;
    if (rng() % 4 != 0) {
      q.in_zp = RandomI8(rng);
      q.out_zp = RandomI8(rng);
      q.rescale = QuantizeMultiplier(std::exp2(std::uniform_real_distribution<double>(-3, 3)(rng)));
      q.count_include_pad = rng() % 2;
    }
    q.act_min = Uniform(rng, -128, 127);
    q.act_max = Uniform(rng, q.act_min, 127);
    if (rng() % 2) q.act_min = -128, q.act_max = 127;
    const Tensor4 want = NaivePool(x, g, [&](const std::vector<int32_t>& in) {
      int64_t sum = 0;
      for (int32_t v : in) sum += v;
      int64_t count = static_cast<int64_t>(in.size());
      if (q.count_include_pad) {
        sum += int64_t{q.in_zp} * (g.kh * g.kw - count);
        count = g.kh * g.kw;
      }
      const int32_t avg = RoundHalfAway(sum, count);
      return Requantize(avg - q.in_zp, 0, q.rescale.multiplier, q.rescale.shift, q.out_zp,
                        q.act_min, q.act_max);
    });
    ASSERT_EQ(AvgPool2d(x, g, q), want) << "iter " << iter << " " << Describe(x, g);
  }
}

TEST(AvgPool2dTest, RejectsBadQuantization) {
  const Tensor4 x(1, 3, 3, 1);
  AvgPoolQuant q;
  q.in_zp = 128;
  EXPECT_THROW(AvgPool2d(x, {2, 2}, q), std::invalid_argument);
  q = {};
  q.out_zp = -129;
  EXPECT_THROW(AvgPool2d(x, {2, 2}, q), std::invalid_argument);
  q = {};
  q.rescale.shift = 31;
  EXPECT_THROW(AvgPool2d(x, {2, 2}, q), std::invalid_argument);
  q = {};
  q.act_min = 3;
  q.act_max = 2;
  EXPECT_THROW(AvgPool2d(x, {2, 2}, q), std::invalid_argument);
  EXPECT_THROW(AvgPool2d(Tensor4(1, 0, 3, 1), {1, 1}), std::invalid_argument);
}

// ---------------------------------------------------------------------------
// GlobalAvgPool.

TEST(GlobalAvgPoolTest, HandComputedExample) {
  // 1 x 2 x 2 x 2 input, zero point 1. Channel 0 holds {2, 3, 4, 6}, so
  // x - 1 = {1, 2, 3, 5} sums to 11; channel 1 holds -128 everywhere, so the
  // sum is 4 * -129 = -516. MeanMultiplier(1, 1, 4) = 1/4 = {2^30, -1}:
  // 11 / 4 = 2.75 -> 3 and -516 / 4 = -129; plus out_zp 2: 5 and -127.
  Tensor4 x(1, 2, 2, 2);
  const int8_t ch0[4] = {2, 3, 4, 6};
  for (int i = 0; i < 4; ++i) {
    x.data[2 * i] = ch0[i];
    x.data[2 * i + 1] = -128;
  }
  const QuantizedMultiplier m = MeanMultiplier(1.0f, 1.0f, 4);
  ASSERT_EQ(m, (QuantizedMultiplier{1 << 30, -1}));
  const Tensor4 y = GlobalAvgPool(x, 1, m, 2);
  ASSERT_EQ(y.n, 1);
  ASSERT_EQ(y.h, 1);
  ASSERT_EQ(y.w, 1);
  EXPECT_EQ(y.data, (std::vector<int8_t>{5, -127}));
  // Clamped to the activation range.
  EXPECT_EQ(GlobalAvgPool(x, 1, m, 2, 0, 4).data, (std::vector<int8_t>{4, 0}));
}

TEST(GlobalAvgPoolTest, MatchesNaiveReference) {
  auto rng = MakeRng();
  for (int iter = 0; iter < 300; ++iter) {
    const int h = Uniform(rng, 1, 16), w = Uniform(rng, 1, 16);
    Tensor4 x = RandomTensor(rng, Uniform(rng, 1, 3), h, w, Uniform(rng, 1, 40));
    if (iter % 10 == 0) std::fill(x.data.begin(), x.data.end(), int8_t{-128});
    if (iter % 10 == 1) std::fill(x.data.begin(), x.data.end(), int8_t{127});
    const int32_t x_zp = RandomI8(rng), out_zp = RandomI8(rng);
    const auto s_in =
        static_cast<float>(std::exp2(std::uniform_real_distribution<double>(-8, 0)(rng)));
    const auto s_out =
        static_cast<float>(s_in * std::exp2(std::uniform_real_distribution<double>(-2, 2)(rng)));
    const QuantizedMultiplier m = MeanMultiplier(s_in, s_out, int64_t{h} * w);
    const Tensor4 got = GlobalAvgPool(x, x_zp, m, out_zp);
    ASSERT_EQ(got.h, 1);
    ASSERT_EQ(got.w, 1);
    for (int n = 0; n < x.n; ++n) {
      for (int c = 0; c < x.c; ++c) {
        int64_t sum = 0;
        for (int i = 0; i < h; ++i)
          for (int j = 0; j < w; ++j) sum += x.at(n, i, j, c) - x_zp;
        ASSERT_EQ(got.at(n, 0, 0, c), Requantize(static_cast<int32_t>(sum), 0, m.multiplier,
                                                 m.shift, out_zp, -128, 127))
            << "iter " << iter << " n=" << n << " c=" << c;
      }
    }
  }
}

TEST(GlobalAvgPoolTest, RejectsBadParameters) {
  const Tensor4 x(1, 2, 2, 1);
  const QuantizedMultiplier m{1 << 30, -1};
  EXPECT_THROW(GlobalAvgPool(x, 128, m, 0), std::invalid_argument);
  EXPECT_THROW(GlobalAvgPool(x, 0, m, -129), std::invalid_argument);
  EXPECT_THROW(GlobalAvgPool(x, 0, {1 << 30, 31}, 0), std::invalid_argument);
  EXPECT_THROW(GlobalAvgPool(x, 0, m, 0, 1, 0), std::invalid_argument);
  EXPECT_THROW(GlobalAvgPool(Tensor4(1, 2, 0, 1), 0, m, 0), std::invalid_argument);
}

// ---------------------------------------------------------------------------
// Add.

TEST(AddTensorTest, SaturatesAtBothClampEnds) {
  // Equal scales 1, output scale 1, zero points 0: y = clamp(a + b).
  const AddParams p = QuantizeAddParams(1.0f, 0, 1.0f, 0, 1.0f, 0, Activation{});
  Tensor4 a(1, 1, 2, 3), b(1, 1, 2, 3);
  a.data = {100, -100, 3, 127, -128, 0};
  b.data = {100, -100, -5, 127, -128, 0};
  EXPECT_EQ(Add(a, b, p).data, (std::vector<int8_t>{127, -128, -2, 127, -128, 0}));
  // With an activation range [-10, 10] (and output zero point 5: y = a + b + 5).
  const AddParams q = QuantizeAddParams(1.0f, 0, 1.0f, 0, 1.0f, 5, Activation{-10, 10});
  EXPECT_EQ(Add(a, b, q).data, (std::vector<int8_t>{10, -10, 3, 10, -10, 5}));
}

TEST(AddTensorTest, HandComputedRescaling) {
  // s1 = 0.5, zp1 = 10; s2 = 0.25, zp2 = -4; s_out = 1, zp_out = -1:
  // y = 0.5 (a - 10) + 0.25 (b + 4) - 1. a = 20, b = 8: 5 + 3 - 1 = 7.
  // a = 11, b = -2: 0.5 + 0.5 - 1 = 0. a = 13, b = -4: 0.5 * 3 = 1.5 rounds
  // to 2 (the output multiply rounds halves up), then - 1 = 1.
  const AddParams p = QuantizeAddParams(0.5f, 10, 0.25f, -4, 1.0f, -1, Activation{});
  Tensor4 a(1, 1, 1, 3), b(1, 1, 1, 3);
  a.data = {20, 11, 13};
  b.data = {8, -2, -4};
  EXPECT_EQ(Add(a, b, p).data, (std::vector<int8_t>{7, 0, 1}));
}

TEST(AddTensorTest, RejectsBadArguments) {
  const AddParams p = QuantizeAddParams(1.0f, 0, 1.0f, 0, 1.0f, 0, Activation{});
  const Tensor4 a(1, 2, 2, 3);
  EXPECT_NO_THROW(Add(a, a, p));
  EXPECT_THROW(Add(a, Tensor4(1, 2, 3, 2), p), std::invalid_argument);
  EXPECT_THROW(Add(Tensor4(0, 2, 2, 3), Tensor4(0, 2, 2, 3), p), std::invalid_argument);
  AddParams bad = p;
  bad.input1_offset = -128;  // a zero point of 128
  EXPECT_THROW(Add(a, a, bad), std::invalid_argument);
  bad = p;
  bad.output_offset = 128;
  EXPECT_THROW(Add(a, a, bad), std::invalid_argument);
  bad = p;
  bad.input2.shift = 1;
  EXPECT_THROW(Add(a, a, bad), std::invalid_argument);
  bad = p;
  bad.act_max = 128;
  EXPECT_THROW(Add(a, a, bad), std::invalid_argument);
  try {
    Add(a, Tensor4(1, 2, 3, 2), p);
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("[1, 2, 3, 2]"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace npu::golden
