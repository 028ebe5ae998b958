#include "sw/compiler/layer.h"

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

namespace npu::compiler {
namespace {

/// Largest extent of a padded input axis: window coordinates are signed
/// 16-bit instruction fields.
constexpr int kMaxExtent = 32767;
/// Largest window kernel and stride of the window unit (and stride of the
/// load unit's window): 3-bit instruction fields.
constexpr int kMaxWindow = 7;

void Require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("conv layer: " + what);
}

std::string Str(long long v) { return std::to_string(v); }

/// Checks of one layer kind: throws std::invalid_argument("<kind>: <what>").
class Checker {
 public:
  explicit Checker(const char* kind) : kind_(kind) {}
  void operator()(bool ok, const std::string& what) const {
    if (!ok) throw std::invalid_argument(std::string(kind_) + ": " + what);
  }
  void Size(int h, int w, int c) const {
    (*this)(h >= 1 && w >= 1, "input size " + Str(h) + "x" + Str(w) + " must be positive");
    (*this)(c >= 1, "c = " + Str(c) + " must be positive");
  }
  void ZeroPoint(const char* name, int32_t zp) const {
    (*this)(zp >= -128 && zp <= 127, std::string(name) + " = " + Str(zp) + " outside [-128, 127]");
  }
  void Activation(int32_t act_min, int32_t act_max) const {
    (*this)(act_min >= -128 && act_min <= act_max && act_max <= 127,
            "activation range [" + Str(act_min) + ", " + Str(act_max) +
                "] not within -128 <= act_min <= act_max <= 127");
  }
  void Shift(const std::string& name, int shift) const {
    (*this)(shift >= kMinShift && shift <= kMaxShift,
            name + " = " + Str(shift) + " outside [-31, 30]");
  }
  /// Kernel, strides and padding of a window layer.
  void Window(int h, int w, int kh, int kw, int sy, int sx, int pt, int pl, int pb, int pr) const {
    (*this)(kh >= 1 && kh <= kMaxWindow && kw >= 1 && kw <= kMaxWindow,
            "kernel " + Str(kh) + "x" + Str(kw) +
                " outside [1, 7] (the largest window of the window unit)");
    (*this)(sy >= 1 && sy <= kMaxWindow,
            "stride_h = " + Str(sy) + " outside [1, 7] (the window unit's stride)");
    (*this)(sx >= 1 && sx <= kMaxWindow,
            "stride_w = " + Str(sx) + " outside [1, 7] (the window unit's stride)");
    (*this)(pt >= 0 && pl >= 0 && pb >= 0 && pr >= 0, "padding must not be negative");
    (*this)(static_cast<long long>(h) + pt + pb <= kMaxExtent &&
                static_cast<long long>(w) + pl + pr <= kMaxExtent,
            "padded input larger than " + Str(kMaxExtent));
    (*this)(h + pt + pb >= kh && w + pl + pr >= kw,
            "padded input " + Str(h + pt + pb) + "x" + Str(w + pl + pr) +
                " smaller than the kernel " + Str(kh) + "x" + Str(kw));
  }
  /// Per-channel or per-tensor requantization and bias of @p channels channels.
  void Requant(size_t channels, const std::vector<int32_t>& bias,
               const std::vector<int32_t>& multiplier, const std::vector<int>& shift) const {
    (*this)(bias.empty() || bias.size() == channels,
            "bias has " + Str(static_cast<long long>(bias.size())) + " entries, expected 0 or " +
                Str(static_cast<long long>(channels)));
    (*this)(multiplier.size() == 1 || multiplier.size() == channels,
            "multiplier has " + Str(static_cast<long long>(multiplier.size())) +
                " entries, expected 1 or " + Str(static_cast<long long>(channels)));
    (*this)(shift.size() == multiplier.size(),
            "shift has " + Str(static_cast<long long>(shift.size())) + " entries, expected " +
                Str(static_cast<long long>(multiplier.size())) + " (as multiplier)");
    for (size_t i = 0; i < shift.size(); ++i) {
      Shift("shift[" + Str(static_cast<long long>(i)) + "]", shift[i]);
    }
  }

 private:
  const char* kind_;
};

}  // namespace

void ValidateAddParams(const AddParams& p, const char* what) {
  const Checker check(what);
  check(p.input1_offset >= -127 && p.input1_offset <= 128,
        "input1_offset = " + Str(p.input1_offset) +
            " outside [-127, 128] (minus an int8 zero point)");
  check(p.input2_offset >= -127 && p.input2_offset <= 128,
        "input2_offset = " + Str(p.input2_offset) +
            " outside [-127, 128] (minus an int8 zero point)");
  check.ZeroPoint("output_offset", p.output_offset);
  for (const auto& [name, q] : {std::pair{"input1", p.input1}, std::pair{"input2", p.input2},
                                std::pair{"output", p.output}}) {
    check(q.shift >= kMinShift && q.shift <= 0,
          std::string(name) + " shift = " + Str(q.shift) + " outside [-31, 0] (TFLite's ADD)");
  }
  check.Activation(p.act_min, p.act_max);
}

int ConvLayer::OutH() const { return (h + pad_top + pad_bottom - kh) / stride_h + 1; }

int ConvLayer::OutW() const { return (w + pad_left + pad_right - kw) / stride_w + 1; }

void ConvLayer::Validate() const {
  Require(h >= 1 && w >= 1, "input size " + Str(h) + "x" + Str(w) + " must be positive");
  Require(cin >= 1, "cin = " + Str(cin) + " must be positive");
  Require(cout >= 1, "cout = " + Str(cout) + " must be positive");
  Require(kh >= 1 && kw >= 1, "kernel " + Str(kh) + "x" + Str(kw) + " must be positive");
  Require(stride_h >= 1 && stride_h <= 7,
          "stride_h = " + Str(stride_h) + " outside [1, 7] (the load window's step)");
  Require(stride_w >= 1 && stride_w <= 7,
          "stride_w = " + Str(stride_w) + " outside [1, 7] (the load window's step)");
  Require(pad_top >= 0 && pad_left >= 0 && pad_bottom >= 0 && pad_right >= 0,
          "padding must not be negative");
  Require(static_cast<long long>(h) + pad_top + pad_bottom <= kMaxExtent &&
              static_cast<long long>(w) + pad_left + pad_right <= kMaxExtent,
          "padded input larger than " + Str(kMaxExtent));
  Require(h + pad_top + pad_bottom >= kh && w + pad_left + pad_right >= kw,
          "padded input " + Str(h + pad_top + pad_bottom) + "x" + Str(w + pad_left + pad_right) +
              " smaller than the kernel " + Str(kh) + "x" + Str(kw));
  Require(in_zp >= -128 && in_zp <= 127, "in_zp = " + Str(in_zp) + " outside [-128, 127]");
  Require(out_zp >= -128 && out_zp <= 127, "out_zp = " + Str(out_zp) + " outside [-128, 127]");
  Require(act_min >= -128 && act_min <= act_max && act_max <= 127,
          "activation range [" + Str(act_min) + ", " + Str(act_max) +
              "] not within -128 <= act_min <= act_max <= 127");
  const size_t n_weights = static_cast<size_t>(cout) * kh * kw * cin;
  Require(weights.size() == n_weights,
          "weights have " + Str(static_cast<long long>(weights.size())) +
              " entries, expected cout*kh*kw*cin = " + Str(static_cast<long long>(n_weights)));
  Require(bias.empty() || bias.size() == static_cast<size_t>(cout),
          "bias has " + Str(static_cast<long long>(bias.size())) + " entries, expected 0 or " +
              Str(cout));
  Require(multiplier.size() == 1 || multiplier.size() == static_cast<size_t>(cout),
          "multiplier has " + Str(static_cast<long long>(multiplier.size())) +
              " entries, expected 1 or " + Str(cout));
  Require(shift.size() == multiplier.size(),
          "shift has " + Str(static_cast<long long>(shift.size())) + " entries, expected " +
              Str(static_cast<long long>(multiplier.size())) + " (as multiplier)");
  for (size_t i = 0; i < shift.size(); ++i) {
    Require(shift[i] >= -31 && shift[i] <= 30, "shift[" + Str(static_cast<long long>(i)) +
                                                   "] = " + Str(shift[i]) + " outside [-31, 30]");
  }
  if (residual) ValidateAddParams(*residual, "conv layer: residual");
}

ConvLayer GemmLayer::ToConv() const {
  if (m < 1 || n < 1 || k < 1) {
    throw std::invalid_argument("gemm layer: m, n, k = " + std::to_string(m) + ", " +
                                std::to_string(n) + ", " + std::to_string(k) + " must be positive");
  }
  if (weights.size() != static_cast<size_t>(k) * n) {
    throw std::invalid_argument(
        "gemm layer: weights have " + std::to_string(weights.size()) +
        " entries, expected k*n = " + std::to_string(static_cast<size_t>(k) * n));
  }
  ConvLayer c;
  c.h = 1;
  c.w = m;
  c.cin = k;
  c.cout = n;
  c.in_zp = a_zp;
  c.weights.resize(weights.size());
  for (int kk = 0; kk < k; ++kk) {
    for (int nn = 0; nn < n; ++nn) {
      c.weights[static_cast<size_t>(nn) * k + kk] = weights[static_cast<size_t>(kk) * n + nn];
    }
  }
  c.bias = bias;
  c.multiplier = multiplier;
  c.shift = shift;
  c.out_zp = out_zp;
  c.act_min = act_min;
  c.act_max = act_max;
  c.residual = residual;
  return c;
}

int DepthwiseLayer::OutH() const { return (h + pad_top + pad_bottom - kh) / stride_h + 1; }

int DepthwiseLayer::OutW() const { return (w + pad_left + pad_right - kw) / stride_w + 1; }

void DepthwiseLayer::Validate() const {
  const Checker check("depthwise layer");
  check.Size(h, w, c);
  check.Window(h, w, kh, kw, stride_h, stride_w, pad_top, pad_left, pad_bottom, pad_right);
  check.ZeroPoint("in_zp", in_zp);
  check.ZeroPoint("out_zp", out_zp);
  check.Activation(act_min, act_max);
  const size_t n_weights = static_cast<size_t>(kh) * kw * c;
  check(weights.size() == n_weights,
        "weights have " + Str(static_cast<long long>(weights.size())) +
            " entries, expected kh*kw*c = " + Str(static_cast<long long>(n_weights)));
  check.Requant(static_cast<size_t>(c), bias, multiplier, shift);
}

int PoolLayer::OutH() const { return (h + pad_top + pad_bottom - kh) / stride_h + 1; }

int PoolLayer::OutW() const { return (w + pad_left + pad_right - kw) / stride_w + 1; }

void PoolLayer::Validate() const {
  const Checker check(kind == PoolKind::kAvg ? "avg pool layer" : "max pool layer");
  check(kind == PoolKind::kMax || kind == PoolKind::kAvg, "unknown pool kind");
  check.Size(h, w, c);
  check.Window(h, w, kh, kw, stride_h, stride_w, pad_top, pad_left, pad_bottom, pad_right);
  check(pad_top < kh && pad_bottom < kh && pad_left < kw && pad_right < kw,
        "padding (top " + Str(pad_top) + ", left " + Str(pad_left) + ", bottom " + Str(pad_bottom) +
            ", right " + Str(pad_right) + ") must be smaller than the window " + Str(kh) + "x" +
            Str(kw) + " (else a window could hold padding only)");
  check.Activation(act_min, act_max);
  if (kind == PoolKind::kAvg) {
    check.ZeroPoint("in_zp", in_zp);
    check.ZeroPoint("out_zp", out_zp);
    check.Shift("rescale shift", rescale.shift);
  }
}

void MeanLayer::Validate() const {
  const Checker check("mean layer");
  check.Size(h, w, c);
  check.ZeroPoint("in_zp", in_zp);
  check.ZeroPoint("out_zp", out_zp);
  check.Shift("multiplier shift", multiplier.shift);
  check.Activation(act_min, act_max);
}

void AddLayer::Validate() const {
  const Checker check("add layer");
  check.Size(h, w, c);
  ValidateAddParams(params, "add layer");
}

}  // namespace npu::compiler
