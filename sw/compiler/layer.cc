#include "sw/compiler/layer.h"

#include <cstddef>
#include <stdexcept>
#include <string>

namespace npu::compiler {
namespace {

/// Largest extent of a padded input axis: window coordinates are signed
/// 16-bit instruction fields.
constexpr int kMaxExtent = 32767;

void Require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("conv layer: " + what);
}

std::string Str(long long v) { return std::to_string(v); }

}  // namespace

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
  return c;
}

}  // namespace npu::compiler
