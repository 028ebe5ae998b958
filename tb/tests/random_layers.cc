#include "tb/tests/random_layers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

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
  // One layer in eight takes its shifts from the corners (0, -1, <= -19,
  // >= 5) with any multiplier, one in twenty has non-positive multipliers.
  const bool corner_shifts = Uniform(rng, 0, 7) == 0;
  const bool non_positive = Uniform(rng, 0, 19) == 0;
  for (int c = 0; c < channels; ++c) {
    double real = base * std::exp2(std::uniform_real_distribution<double>(-3, 3)(rng));
    if (Uniform(rng, 0, 30) == 0)
      real = std::exp2(std::uniform_real_distribution<double>(0, 4)(rng));
    const auto q = QuantizeMultiplier(real);
    layer.multiplier[c] = q.multiplier;
    layer.shift[c] = std::clamp(q.shift, kMinShift, kMaxShift);
    if (corner_shifts) {
      static constexpr int kCorner[][2] = {{0, 0}, {-1, -1}, {kMinShift, -19}, {5, kMaxShift}};
      const auto& r = kCorner[Uniform(rng, 0, 3)];
      layer.shift[c] = Uniform(rng, r[0], r[1]);
      layer.multiplier[c] = Uniform(rng, 1 << 30, INT32_MAX);
    }
    if (non_positive) layer.multiplier[c] = Uniform(rng, 0, 3) ? -Uniform(rng, 0, INT32_MAX) : 0;
    int32_t bias = Uniform(rng, -2000 * std::max(1, k), 2000 * std::max(1, k));
    if (Uniform(rng, 0, 50) == 0)
      bias = Uniform(rng, 0, 1) ? INT32_MAX - Uniform(rng, 0, 5) : INT32_MIN + Uniform(rng, 0, 5);
    layer.bias[c] = bias;
  }
  if (per_tensor) {
    layer.multiplier.resize(1);
    layer.shift.resize(1);
  }
  if (Uniform(rng, 0, 7) == 0) layer.bias.clear();  // bias-less
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

// Activations: random, or one time in ten structured (all zero, all -128,
// all 127, or alternating -128 / 127).
std::vector<int8_t> RandomActivations(std::mt19937_64& rng, size_t n) {
  std::vector<int8_t> v = RandomInt8(rng, n, -128, 127);
  if (Uniform(rng, 0, 9) != 0) return v;
  const int kind = Uniform(rng, 0, 3);
  for (size_t i = 0; i < n; ++i) {
    v[i] = kind == 0 ? 0 : kind == 1 ? -128 : kind == 2 ? 127 : (i % 2 ? 127 : -128);
  }
  return v;
}

std::string DescribeAdd(const AddParams& p) {
  return fmt::format("zp1 {} zp2 {} out_zp {} mult {},{} {},{} {},{} act [{},{}]", -p.input1_offset,
                     -p.input2_offset, p.output_offset, p.input1.multiplier, p.input1.shift,
                     p.input2.multiplier, p.input2.shift, p.output.multiplier, p.output.shift,
                     p.act_min, p.act_max);
}

// Random activation clamp around @p zp: none, ReLU-like or an explicit range.
void RandomClamp(std::mt19937_64& rng, int32_t zp, int32_t& act_min, int32_t& act_max) {
  switch (Uniform(rng, 0, 3)) {
    case 0:
      act_min = -128;
      act_max = 127;
      break;
    case 1:
      act_min = zp;
      act_max = 127;
      break;
    case 2:
      act_min = zp;
      act_max = std::min(127, zp + Uniform(rng, 1, 120));
      break;
    default: {
      const int a = Uniform(rng, -128, 127), b = Uniform(rng, -128, 127);
      act_min = std::min(a, b);
      act_max = std::max(a, b);
    }
  }
}

// Kernel of a window layer: 3 half the time, else any of 1..max_k (2..7).
int RandomKernel(std::mt19937_64& rng, int max_k = 7) {
  return Uniform(rng, 0, 1) ? std::min(3, max_k) : Uniform(rng, 1, max_k);
}

// Stride: mostly 1 or 2, sometimes up to max_k (2..7).
int RandomStride(std::mt19937_64& rng, int max_k = 7) {
  const int r = Uniform(rng, 0, 9);
  return r < 6 ? 1 : r < 9 || max_k < 3 ? 2 : Uniform(rng, 3, max_k);
}

golden::Tensor4 Nhwc(int h, int w, int c, const std::vector<int8_t>& data) {
  golden::Tensor4 t(1, h, w, c);
  if (data.size() != t.data.size()) {
    throw std::invalid_argument(fmt::format("input has {} values, expected {}x{}x{} = {}",
                                            data.size(), h, w, c, t.data.size()));
  }
  t.data = data;
  return t;
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
    // Odd kernels mostly, any of 1..7 (even ones too) one time in four.
    const auto kernel = [&] {
      return Uniform(rng, 0, 3) ? kKernels[Uniform(rng, 0, 3)] : Uniform(rng, 1, 7);
    };
    c.kh = kernel();
    c.kw = Uniform(rng, 0, 3) == 0 ? kernel() : c.kh;
    c.stride_h = RandomStride(rng);
    c.stride_w = Uniform(rng, 0, 3) == 0 ? RandomStride(rng) : c.stride_h;
    // Padding below the kernel, one time in ten up to two beyond it.
    const int extra = Uniform(rng, 0, 9) == 0 ? 2 : 0;
    c.pad_top = Uniform(rng, 0, c.kh - 1 + extra);
    c.pad_bottom = Uniform(rng, 0, c.kh - 1 + extra);
    c.pad_left = Uniform(rng, 0, c.kw - 1 + extra);
    c.pad_right = Uniform(rng, 0, c.kw - 1 + extra);
    // Sizes log-uniform (1x1 inputs included), up to max_hw.
    c.h = LogUniform(rng, 1, limits.max_hw);
    c.w = LogUniform(rng, 1, limits.max_hw);
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
  return RandomActivations(rng, size_t(layer.h) * layer.w * layer.cin);
}

std::vector<int8_t> GoldenConv(const compiler::ConvLayer& layer, const std::vector<int8_t>& input) {
  if (layer.residual) {
    throw std::invalid_argument("GoldenConv: the layer has a residual; pass its input too");
  }
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
  std::string s = fmt::format(
      "conv {}x{}x{} -> {} k{}x{} s{},{} pad t{} l{} b{} r{} zp {} out_zp {} act [{},{}]", c.h, c.w,
      c.cin, c.cout, c.kh, c.kw, c.stride_h, c.stride_w, c.pad_top, c.pad_left, c.pad_bottom,
      c.pad_right, c.in_zp, c.out_zp, c.act_min, c.act_max);
  if (c.residual) s += " + residual (" + DescribeAdd(*c.residual) + ")";
  return s;
}

std::string Describe(const compiler::GemmLayer& g) {
  return fmt::format("gemm M={} N={} K={} a_zp {} out_zp {} act [{},{}]", g.m, g.n, g.k, g.a_zp,
                     g.out_zp, g.act_min, g.act_max);
}

AddParams RandomAddParams(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> e(-8, -2), near(-1.5, 1.5);
  const float s1 = static_cast<float>(std::exp2(e(rng)));
  const float s2 = static_cast<float>(s1 * std::exp2(near(rng)));
  const float s_out = static_cast<float>(std::max(s1, s2) * std::exp2(near(rng)));
  const int32_t zp_out = Uniform(rng, -128, 127);
  Activation act;
  RandomClamp(rng, zp_out, act.min, act.max);
  return QuantizeAddParams(s1, Uniform(rng, -128, 127), s2, Uniform(rng, -128, 127), s_out, zp_out,
                           act);
}

compiler::ConvLayer RandomResidualConv(std::mt19937_64& rng, const ConvLimits& limits) {
  compiler::ConvLayer c = RandomConv(rng, limits);
  c.residual = RandomAddParams(rng);
  return c;
}

std::vector<int8_t> RandomResidual(std::mt19937_64& rng, const compiler::ConvLayer& layer) {
  return RandomActivations(rng, size_t(layer.OutH()) * layer.OutW() * layer.cout);
}

std::vector<int8_t> GoldenConv(const compiler::ConvLayer& layer, const std::vector<int8_t>& input,
                               const std::vector<int8_t>& residual) {
  if (!layer.residual) throw std::invalid_argument("GoldenConv: the layer has no residual");
  compiler::ConvLayer plain = layer;
  plain.residual.reset();
  const golden::Tensor4 y = Nhwc(layer.OutH(), layer.OutW(), layer.cout, GoldenConv(plain, input));
  const golden::Tensor4 r = Nhwc(layer.OutH(), layer.OutW(), layer.cout, residual);
  return golden::Add(y, r, *layer.residual).data;
}

compiler::DepthwiseLayer RandomDepthwise(std::mt19937_64& rng, const DepthwiseLimits& limits) {
  compiler::DepthwiseLayer d;
  for (;;) {
    d.kh = RandomKernel(rng, limits.max_k);
    d.kw = Uniform(rng, 0, 3) == 0 ? RandomKernel(rng, limits.max_k) : d.kh;
    d.stride_h = RandomStride(rng, limits.max_k);
    d.stride_w = Uniform(rng, 0, 3) == 0 ? RandomStride(rng, limits.max_k) : d.stride_h;
    // Mostly below the kernel; one time in ten up to two beyond it.
    const int extra = Uniform(rng, 0, 9) == 0 ? 2 : 0;
    d.pad_top = Uniform(rng, 0, d.kh - 1 + extra);
    d.pad_bottom = Uniform(rng, 0, d.kh - 1 + extra);
    d.pad_left = Uniform(rng, 0, d.kw - 1 + extra);
    d.pad_right = Uniform(rng, 0, d.kw - 1 + extra);
    d.h = LogUniform(rng, 1, limits.max_hw);
    d.w = LogUniform(rng, 1, limits.max_hw);
    d.c = LogUniform(rng, 1, limits.max_channels);
    if (d.h + d.pad_top + d.pad_bottom < d.kh || d.w + d.pad_left + d.pad_right < d.kw) continue;
    const uint64_t macs = uint64_t(d.OutH()) * d.OutW() * d.c * d.kh * d.kw;
    if (macs <= limits.max_macs) break;
  }
  return RandomDepthwiseShape(rng, d);
}

compiler::DepthwiseLayer RandomDepthwiseShape(std::mt19937_64& rng,
                                              compiler::DepthwiseLayer shape) {
  compiler::DepthwiseLayer& d = shape;
  d.in_zp = Uniform(rng, -128, 127);
  d.weights = RandomInt8(rng, size_t(d.kh) * d.kw * d.c, -127, 127);
  RandomQuant(rng, d.c, d.kh * d.kw, d);
  return d;
}

std::vector<int8_t> RandomInput(std::mt19937_64& rng, const compiler::DepthwiseLayer& layer) {
  return RandomActivations(rng, size_t(layer.h) * layer.w * layer.c);
}

std::vector<int8_t> GoldenDepthwise(const compiler::DepthwiseLayer& layer,
                                    const std::vector<int8_t>& input) {
  golden::Tensor4 w(1, layer.kh, layer.kw, layer.c);
  w.data = layer.weights;
  golden::Conv2dGeometry g;
  g.stride_h = layer.stride_h;
  g.stride_w = layer.stride_w;
  g.pad_top = layer.pad_top;
  g.pad_left = layer.pad_left;
  g.pad_bottom = layer.pad_bottom;
  g.pad_right = layer.pad_right;
  return golden::DepthwiseConv2d(Nhwc(layer.h, layer.w, layer.c, input), layer.in_zp, w, layer.bias,
                                 g, Rq(layer))
      .data;
}

std::string Describe(const compiler::DepthwiseLayer& d) {
  return fmt::format(
      "depthwise {}x{}x{} k{}x{} s{},{} pad t{} l{} b{} r{} zp {} out_zp {} act [{},{}] {}{}", d.h,
      d.w, d.c, d.kh, d.kw, d.stride_h, d.stride_w, d.pad_top, d.pad_left, d.pad_bottom,
      d.pad_right, d.in_zp, d.out_zp, d.act_min, d.act_max,
      d.multiplier.size() == 1 ? "per-tensor" : "per-channel", d.bias.empty() ? ", no bias" : "");
}

compiler::PoolLayer RandomPool(std::mt19937_64& rng, const PoolLimits& limits) {
  compiler::PoolLayer p;
  p.kind = Uniform(rng, 0, 1) ? compiler::PoolKind::kAvg : compiler::PoolKind::kMax;
  for (;;) {
    p.kh = RandomKernel(rng, limits.max_k);
    p.kw = Uniform(rng, 0, 3) == 0 ? RandomKernel(rng, limits.max_k) : p.kh;
    const int s = Uniform(rng, 0, 2);  // the window, or a random stride
    p.stride_h = s == 0 ? p.kh : RandomStride(rng, limits.max_k);
    p.stride_w = s == 0                    ? p.kw
                 : Uniform(rng, 0, 3) == 0 ? RandomStride(rng, limits.max_k)
                                           : p.stride_h;
    p.pad_top = Uniform(rng, 0, p.kh - 1);
    p.pad_bottom = Uniform(rng, 0, p.kh - 1);
    p.pad_left = Uniform(rng, 0, p.kw - 1);
    p.pad_right = Uniform(rng, 0, p.kw - 1);
    p.h = LogUniform(rng, 1, limits.max_hw);
    p.w = LogUniform(rng, 1, limits.max_hw);
    p.c = LogUniform(rng, 1, limits.max_channels);
    if (p.h + p.pad_top + p.pad_bottom >= p.kh && p.w + p.pad_left + p.pad_right >= p.kw) break;
  }
  return RandomPoolShape(rng, p);
}

compiler::PoolLayer RandomPoolShape(std::mt19937_64& rng, compiler::PoolLayer shape) {
  compiler::PoolLayer& p = shape;
  p.in_zp = p.out_zp = 0;
  p.rescale = {1 << 30, 1};
  p.count_include_pad = false;
  if (p.kind == compiler::PoolKind::kAvg) {
    p.in_zp = Uniform(rng, -128, 127);
    if (Uniform(rng, 0, 1)) {
      p.out_zp = p.in_zp;  // TFLite: the output keeps the input's quantization
    } else {
      const auto q =
          QuantizeMultiplier(std::exp2(std::uniform_real_distribution<double>(-3, 2)(rng)));
      p.rescale = {q.multiplier, std::clamp(q.shift, kMinShift, kMaxShift)};
      p.out_zp = Uniform(rng, -128, 127);
    }
    p.count_include_pad = Uniform(rng, 0, 3) == 0;
  }
  RandomClamp(rng, p.kind == compiler::PoolKind::kAvg ? p.out_zp : 0, p.act_min, p.act_max);
  return p;
}

std::vector<int8_t> RandomInput(std::mt19937_64& rng, const compiler::PoolLayer& layer) {
  return RandomActivations(rng, size_t(layer.h) * layer.w * layer.c);
}

std::vector<int8_t> GoldenPool(const compiler::PoolLayer& layer, const std::vector<int8_t>& input) {
  golden::PoolGeometry g;
  g.kh = layer.kh;
  g.kw = layer.kw;
  g.stride_h = layer.stride_h;
  g.stride_w = layer.stride_w;
  g.pad_top = layer.pad_top;
  g.pad_left = layer.pad_left;
  g.pad_bottom = layer.pad_bottom;
  g.pad_right = layer.pad_right;
  const golden::Tensor4 x = Nhwc(layer.h, layer.w, layer.c, input);
  if (layer.kind == compiler::PoolKind::kMax) {
    return golden::MaxPool2d(x, g, layer.act_min, layer.act_max).data;
  }
  golden::AvgPoolQuant q;
  q.in_zp = layer.in_zp;
  q.rescale = layer.rescale;
  q.out_zp = layer.out_zp;
  q.act_min = layer.act_min;
  q.act_max = layer.act_max;
  q.count_include_pad = layer.count_include_pad;
  return golden::AvgPool2d(x, g, q).data;
}

std::string Describe(const compiler::PoolLayer& p) {
  std::string s = fmt::format("{} pool {}x{}x{} k{}x{} s{},{} pad t{} l{} b{} r{} act [{},{}]",
                              p.kind == compiler::PoolKind::kAvg ? "avg" : "max", p.h, p.w, p.c,
                              p.kh, p.kw, p.stride_h, p.stride_w, p.pad_top, p.pad_left,
                              p.pad_bottom, p.pad_right, p.act_min, p.act_max);
  if (p.kind == compiler::PoolKind::kAvg) {
    s += fmt::format(" zp {} rescale {},{} out_zp {}{}", p.in_zp, p.rescale.multiplier,
                     p.rescale.shift, p.out_zp, p.count_include_pad ? " count_include_pad" : "");
  }
  return s;
}

compiler::MeanLayer RandomMean(std::mt19937_64& rng, const MeanLimits& limits) {
  compiler::MeanLayer m;
  m.h = LogUniform(rng, 1, limits.max_hw);
  m.w = LogUniform(rng, 1, limits.max_hw);
  m.c = LogUniform(rng, 1, limits.max_channels);
  return RandomMeanShape(rng, m);
}

compiler::MeanLayer RandomMeanShape(std::mt19937_64& rng, compiler::MeanLayer shape) {
  compiler::MeanLayer& m = shape;
  m.in_zp = Uniform(rng, -128, 127);
  const float s_in =
      static_cast<float>(std::exp2(std::uniform_real_distribution<double>(-8, -2)(rng)));
  const float s_out =
      static_cast<float>(s_in * std::exp2(std::uniform_real_distribution<double>(-2, 2)(rng)));
  m.multiplier = MeanMultiplier(s_in, s_out, int64_t{m.h} * m.w);
  m.multiplier.shift = std::clamp(m.multiplier.shift, kMinShift, kMaxShift);
  m.out_zp = Uniform(rng, -128, 127);
  m.act_min = -128;
  m.act_max = 127;
  if (Uniform(rng, 0, 3) == 0) RandomClamp(rng, m.out_zp, m.act_min, m.act_max);
  return m;
}

std::vector<int8_t> RandomInput(std::mt19937_64& rng, const compiler::MeanLayer& layer) {
  return RandomActivations(rng, size_t(layer.h) * layer.w * layer.c);
}

std::vector<int8_t> GoldenMean(const compiler::MeanLayer& layer, const std::vector<int8_t>& input) {
  return golden::GlobalAvgPool(Nhwc(layer.h, layer.w, layer.c, input), layer.in_zp,
                               layer.multiplier, layer.out_zp, layer.act_min, layer.act_max)
      .data;
}

std::string Describe(const compiler::MeanLayer& m) {
  return fmt::format("mean {}x{}x{} zp {} mult {},{} out_zp {} act [{},{}]", m.h, m.w, m.c, m.in_zp,
                     m.multiplier.multiplier, m.multiplier.shift, m.out_zp, m.act_min, m.act_max);
}

compiler::AddLayer RandomAdd(std::mt19937_64& rng, const AddLimits& limits) {
  compiler::AddLayer a;
  a.h = LogUniform(rng, 1, limits.max_hw);
  a.w = LogUniform(rng, 1, limits.max_hw);
  a.c = LogUniform(rng, 1, limits.max_channels);
  a.params = RandomAddParams(rng);
  return a;
}

std::vector<std::vector<int8_t>> RandomInputs(std::mt19937_64& rng,
                                              const compiler::AddLayer& layer) {
  const size_t n = size_t(layer.h) * layer.w * layer.c;
  std::vector<std::vector<int8_t>> out;
  out.push_back(RandomActivations(rng, n));
  out.push_back(RandomActivations(rng, n));
  return out;
}

std::vector<int8_t> GoldenAdd(const compiler::AddLayer& layer, const std::vector<int8_t>& input1,
                              const std::vector<int8_t>& input2) {
  return golden::Add(Nhwc(layer.h, layer.w, layer.c, input1),
                     Nhwc(layer.h, layer.w, layer.c, input2), layer.params)
      .data;
}

std::string Describe(const compiler::AddLayer& a) {
  return fmt::format("add {}x{}x{} {}", a.h, a.w, a.c, DescribeAdd(a.params));
}

namespace {

void InputCorners(const std::vector<int8_t>& x, CaseCorners& out) {
  out.Note("all-zero input",
           !x.empty() && std::all_of(x.begin(), x.end(), [](int8_t v) { return v == 0; }));
  out.Note("all-extreme input", !x.empty() && std::all_of(x.begin(), x.end(), [](int8_t v) {
             return v == -128 || v == 127;
           }));
}

template <typename Layer>
void QuantCorners(const Layer& l, CaseCorners& out) {
  const auto any_shift = [&](auto pred) {
    return std::any_of(l.shift.begin(), l.shift.end(), pred);
  };
  out.Note("shift 0", any_shift([](int s) { return s == 0; }));
  out.Note("shift -1", any_shift([](int s) { return s == -1; }));
  out.Note("shift <= -19", any_shift([](int s) { return s <= -19; }));
  out.Note("shift >= 5", any_shift([](int s) { return s >= 5; }));
  out.Note("multiplier <= 0",
           std::any_of(l.multiplier.begin(), l.multiplier.end(), [](int32_t m) { return m <= 0; }));
  out.Note("no bias", l.bias.empty());
  out.Note("per-tensor", l.multiplier.size() == 1);
}

template <typename Layer>
void GeometryCorners(const Layer& l, CaseCorners& out) {
  out.Note("even kernel", l.kh % 2 == 0 || l.kw % 2 == 0);
  out.Note("stride >= 3", l.stride_h >= 3 || l.stride_w >= 3);
  out.Note("pad >= kernel",
           l.pad_top >= l.kh || l.pad_bottom >= l.kh || l.pad_left >= l.kw || l.pad_right >= l.kw);
  out.Note("1x1 input", l.h == 1 && l.w == 1);
  out.Note("H or W > 32", l.h > 32 || l.w > 32);
}

}  // namespace

void CaseCorners::Note(std::string name, bool reached) {
  checked.emplace_back(std::move(name), reached);
}

std::string CaseCorners::Reached() const {
  std::vector<std::string_view> names;
  for (const auto& [name, reached] : checked) {
    if (reached) names.push_back(name);
  }
  return fmt::format("[{}]", fmt::join(names, ", "));
}

CaseCorners Corners(const compiler::ConvLayer& l, const std::vector<int8_t>& input,
                    const HwConfig& hw) {
  CaseCorners out{"conv", {}};
  GeometryCorners(l, out);
  const int dim = int(hw.dim);
  out.Note("channels > 3*DIM", l.cin > 3 * dim || l.cout > 3 * dim);
  out.Note("> 255 channel blocks", (l.cin + dim - 1) / dim > 255);
  out.Note("K > 512", l.kh * l.kw * l.cin > 512);
  QuantCorners(l, out);
  out.Note("fused add", l.residual.has_value());
  InputCorners(input, out);
  return out;
}

CaseCorners Corners(const compiler::DepthwiseLayer& l, const std::vector<int8_t>& input,
                    const HwConfig& hw) {
  CaseCorners out{"dw", {}};
  GeometryCorners(l, out);
  const int dim = int(hw.dim);
  out.Note("channels > 3*DIM", l.c > 3 * dim);
  out.Note("> 255 channel blocks", (l.c + dim - 1) / dim > 255);
  QuantCorners(l, out);
  InputCorners(input, out);
  return out;
}

CaseCorners Corners(const compiler::PoolLayer& l, const std::vector<int8_t>& input,
                    const HwConfig& hw) {
  CaseCorners out{"pool", {}};
  GeometryCorners(l, out);
  out.Note("channels > 3*DIM", l.c > 3 * int(hw.dim));
  out.Note("count_include_pad", l.kind == compiler::PoolKind::kAvg && l.count_include_pad);
  out.Note("avg requantized", l.kind == compiler::PoolKind::kAvg &&
                                  (l.rescale.multiplier != (1 << 30) || l.rescale.shift != 1));
  InputCorners(input, out);
  return out;
}

CaseCorners Corners(const compiler::MeanLayer& l, const std::vector<int8_t>& input,
                    const HwConfig& hw) {
  CaseCorners out{"mean", {}};
  out.Note("1x1 input", l.h == 1 && l.w == 1);
  out.Note("H or W > 32", l.h > 32 || l.w > 32);
  out.Note("channels > 3*DIM", l.c > 3 * int(hw.dim));
  out.Note("plane split", uint64_t(l.h) * l.w > hw.spad_a / 2);
  InputCorners(input, out);
  return out;
}

CaseCorners Corners(const compiler::AddLayer& l, const std::vector<int8_t>& input,
                    const HwConfig& hw) {
  CaseCorners out{"add", {}};
  out.Note("1x1 input", l.h == 1 && l.w == 1);
  out.Note("H or W > 32", l.h > 32 || l.w > 32);
  out.Note("channels > 3*DIM", l.c > 3 * int(hw.dim));
  InputCorners(input, out);
  return out;
}

void CornerTally::Add(const CaseCorners& corners) {
  ++cases_[corners.op];
  for (const auto& [name, reached] : corners.checked) counts_[{corners.op, name}] += reached;
}

std::string CornerTally::Summary() const {
  if (cases_.empty()) return "";
  std::string s = "corners (cases that reached each, per operation):\n";
  std::string op;
  for (const auto& [key, n] : counts_) {
    if (key.first != op) {
      op = key.first;
      s += fmt::format("  {} ({} cases):\n", op, cases_.at(op));
    }
    s += fmt::format("    {:<24} {:>5}{}\n", key.second, n, n == 0 ? "  <- never reached" : "");
  }
  return s;
}

}  // namespace npu::testing
