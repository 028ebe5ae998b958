#include "tb/tests/random_layers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "sw/numerics/numerics.h"
#include "tb/golden/golden.h"

namespace npu::testing {
namespace {

int LogUniform(std::mt19937_64& rng, int lo, int hi) {
  std::uniform_real_distribution<double> u(std::log(lo), std::log(hi + 1.0));
  return std::clamp(static_cast<int>(std::exp(u(rng))), lo, hi);
}

int Uniform(std::mt19937_64& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

// Per-channel requantization from random real scales, mostly small (the
// usual case) and sometimes above 1 (positive shifts); random bias, zero
// point and activation clamp.
template <typename Layer>
void RandomQuant(std::mt19937_64& rng, int channels, int k, Layer& layer) {
  layer.bias.resize(channels);
  layer.multiplier.resize(channels);
  layer.shift.resize(channels);
  const bool per_tensor = Uniform(rng, 0, 4) == 0;
  // Typical scale: 1 / (K * 128) so outputs spread over the int8 range.
  const double base = 1.0 / (std::max(1, k) * 40.0);
  for (int c = 0; c < channels; ++c) {
    double real = base * std::exp2(std::uniform_real_distribution<double>(-3, 3)(rng));
    if (Uniform(rng, 0, 30) == 0)
      real = std::exp2(std::uniform_real_distribution<double>(0, 4)(rng));
    const auto q = QuantizeMultiplier(real);
    layer.multiplier[c] = q.multiplier;
    layer.shift[c] = std::clamp(q.shift, kMinShift, kMaxShift);
    int32_t bias = Uniform(rng, -2000 * std::max(1, k), 2000 * std::max(1, k));
    if (Uniform(rng, 0, 50) == 0)
      bias = Uniform(rng, 0, 1) ? INT32_MAX - Uniform(rng, 0, 5) : INT32_MIN + Uniform(rng, 0, 5);
    layer.bias[c] = bias;
  }
  if (per_tensor) {
    layer.multiplier.resize(1);
    layer.shift.resize(1);
  }
  layer.out_zp = Uniform(rng, -128, 127);
  switch (Uniform(rng, 0, 3)) {
    case 0:  // none
      layer.act_min = -128;
      layer.act_max = 127;
      break;
    case 1:  // ReLU
      layer.act_min = layer.out_zp;
      layer.act_max = 127;
      break;
    case 2:  // ReLU6-like
      layer.act_min = layer.out_zp;
      layer.act_max = std::min(127, layer.out_zp + Uniform(rng, 1, 120));
      break;
    default: {  // explicit range
      const int a = Uniform(rng, -128, 127), b = Uniform(rng, -128, 127);
      layer.act_min = std::min(a, b);
      layer.act_max = std::max(a, b);
    }
  }
}

std::vector<int8_t> RandomInt8(std::mt19937_64& rng, size_t n, int lo, int hi) {
  std::vector<int8_t> v(n);
  std::uniform_int_distribution<int> d(lo, hi);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

golden::RequantParams Rq(const auto& layer) {
  golden::RequantParams rq;
  rq.multiplier = layer.multiplier;
  rq.shift = layer.shift;
  rq.out_zp = layer.out_zp;
  rq.act_min = layer.act_min;
  rq.act_max = layer.act_max;
  return rq;
}

}  // namespace

compiler::GemmLayer RandomGemm(std::mt19937_64& rng, const GemmLimits& limits) {
  int m, n, k;
  do {
    m = LogUniform(rng, 1, limits.max_dim);
    n = LogUniform(rng, 1, limits.max_dim);
    k = LogUniform(rng, 1, limits.max_dim);
  } while (uint64_t(m) * n * k > limits.max_macs);
  return RandomGemmShape(rng, m, n, k);
}

compiler::GemmLayer RandomGemmShape(std::mt19937_64& rng, int m, int n, int k) {
  compiler::GemmLayer g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.a_zp = Uniform(rng, -128, 127);
  g.weights = RandomInt8(rng, size_t(g.k) * g.n, -127, 127);
  RandomQuant(rng, g.n, g.k, g);
  return g;
}

compiler::ConvLayer RandomConv(std::mt19937_64& rng, const ConvLimits& limits) {
  static constexpr int kKernels[] = {1, 3, 5, 7};
  compiler::ConvLayer c;
  for (;;) {
    c.kh = kKernels[Uniform(rng, 0, 3)];
    c.kw = Uniform(rng, 0, 3) == 0 ? kKernels[Uniform(rng, 0, 3)] : c.kh;
    c.stride_h = Uniform(rng, 1, 2);
    c.stride_w = Uniform(rng, 0, 3) == 0 ? 3 - c.stride_h : c.stride_h;
    c.pad_top = Uniform(rng, 0, c.kh - 1);
    c.pad_bottom = Uniform(rng, 0, c.kh - 1);
    c.pad_left = Uniform(rng, 0, c.kw - 1);
    c.pad_right = Uniform(rng, 0, c.kw - 1);
    c.h = Uniform(rng, 1, limits.max_hw);
    c.w = Uniform(rng, 1, limits.max_hw);
    c.cin = LogUniform(rng, 1, limits.max_channels);
    c.cout = LogUniform(rng, 1, limits.max_channels);
    if (c.h + c.pad_top + c.pad_bottom < c.kh || c.w + c.pad_left + c.pad_right < c.kw) continue;
    const uint64_t macs = uint64_t(c.OutH()) * c.OutW() * c.cout * c.kh * c.kw * c.cin;
    if (macs <= limits.max_macs) break;
  }
  return RandomConvShape(rng, c);
}

compiler::ConvLayer RandomConvShape(std::mt19937_64& rng, compiler::ConvLayer shape) {
  compiler::ConvLayer& c = shape;
  c.in_zp = Uniform(rng, -128, 127);
  c.weights = RandomInt8(rng, size_t(c.cout) * c.kh * c.kw * c.cin, -127, 127);
  RandomQuant(rng, c.cout, c.kh * c.kw * c.cin, c);
  return c;
}

std::vector<int8_t> RandomInput(std::mt19937_64& rng, const compiler::ConvLayer& layer) {
  return RandomInt8(rng, size_t(layer.h) * layer.w * layer.cin, -128, 127);
}

std::vector<int8_t> GoldenConv(const compiler::ConvLayer& layer, const std::vector<int8_t>& input) {
  golden::Tensor4 x(1, layer.h, layer.w, layer.cin);
  x.data = input;
  golden::Tensor4 w(layer.cout, layer.kh, layer.kw, layer.cin);
  w.data = layer.weights;
  golden::Conv2dGeometry g;
  g.stride_h = layer.stride_h;
  g.stride_w = layer.stride_w;
  g.pad_top = layer.pad_top;
  g.pad_left = layer.pad_left;
  g.pad_bottom = layer.pad_bottom;
  g.pad_right = layer.pad_right;
  return golden::Conv2d(x, layer.in_zp, w, layer.bias, g, Rq(layer)).data;
}

std::vector<int8_t> GoldenGemm(const compiler::GemmLayer& layer, const std::vector<int8_t>& a) {
  golden::MatrixI8 am = Eigen::Map<const golden::MatrixI8>(a.data(), layer.m, layer.k);
  golden::MatrixI8 bm = Eigen::Map<const golden::MatrixI8>(layer.weights.data(), layer.k, layer.n);
  golden::MatrixI8 y = golden::Gemm(am, layer.a_zp, bm, layer.bias, Rq(layer));
  return std::vector<int8_t>(y.data(), y.data() + y.size());
}

std::string Describe(const compiler::ConvLayer& c) {
  return fmt::format(
      "conv {}x{}x{} -> {} k{}x{} s{},{} pad t{} l{} b{} r{} zp {} out_zp {} act [{},{}]", c.h, c.w,
      c.cin, c.cout, c.kh, c.kw, c.stride_h, c.stride_w, c.pad_top, c.pad_left, c.pad_bottom,
      c.pad_right, c.in_zp, c.out_zp, c.act_min, c.act_max);
}

std::string Describe(const compiler::GemmLayer& g) {
  return fmt::format("gemm M={} N={} K={} a_zp {} out_zp {} act [{},{}]", g.m, g.n, g.k, g.a_zp,
                     g.out_zp, g.act_min, g.act_max);
}

}  // namespace npu::testing
