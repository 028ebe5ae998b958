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

}  // namespace
}  // namespace npu::golden
