#include "sw/runtime/layout.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace npu::runtime {
namespace {

void CheckShape(int h, int w, int c, int dim) {
  if (h < 1 || w < 1 || c < 1 || dim < 1) {
    throw std::invalid_argument("activation shape " + std::to_string(h) + "x" + std::to_string(w) +
                                "x" + std::to_string(c) + " (dim " + std::to_string(dim) +
                                ") must be positive");
  }
}

}  // namespace

size_t BlockedBytes(int h, int w, int c, int dim) {
  CheckShape(h, w, c, dim);
  return static_cast<size_t>((c + dim - 1) / dim) * h * w * dim;
}

std::vector<uint8_t> PackActivations(std::span<const int8_t> nhwc, int h, int w, int c, int dim) {
  const size_t bytes = BlockedBytes(h, w, c, dim);
  const size_t pixels = static_cast<size_t>(h) * w;
  if (nhwc.size() != pixels * c) {
    throw std::invalid_argument("activations have " + std::to_string(nhwc.size()) +
                                " values, expected h*w*c = " + std::to_string(pixels * c));
  }
  std::vector<uint8_t> out(bytes, 0);
  for (size_t px = 0; px < pixels; ++px) {
    for (int ch = 0; ch < c; ++ch) {
      const size_t blk = static_cast<size_t>(ch / dim);
      out[(blk * pixels + px) * dim + ch % dim] = static_cast<uint8_t>(nhwc[px * c + ch]);
    }
  }
  return out;
}

std::vector<int8_t> UnpackActivations(std::span<const uint8_t> blocked, int h, int w, int c,
                                      int dim) {
  const size_t bytes = BlockedBytes(h, w, c, dim);
  if (blocked.size() < bytes) {
    throw std::invalid_argument("channel-blocked tensor has " + std::to_string(blocked.size()) +
                                " bytes, expected at least " + std::to_string(bytes));
  }
  const size_t pixels = static_cast<size_t>(h) * w;
  std::vector<int8_t> out(pixels * c);
  for (size_t px = 0; px < pixels; ++px) {
    for (int ch = 0; ch < c; ++ch) {
      const size_t blk = static_cast<size_t>(ch / dim);
      out[px * c + ch] = static_cast<int8_t>(blocked[(blk * pixels + px) * dim + ch % dim]);
    }
  }
  return out;
}

std::vector<int8_t> FoldTaps(std::span<const int8_t> nhwc, const TapFold& f, int out_h, int out_w,
                             int8_t pad) {
  CheckShape(f.h, f.w, f.c, 1);
  CheckShape(out_h, out_w, f.FoldedChannels(), 1);
  if (f.stride_h < 1 || f.stride_w < 1)
    throw std::invalid_argument("fold strides must be positive");
  if (nhwc.size() != static_cast<size_t>(f.h) * f.w * f.c) {
    throw std::invalid_argument(
        "activations have " + std::to_string(nhwc.size()) +
        " values, expected h*w*c = " + std::to_string(static_cast<size_t>(f.h) * f.w * f.c));
  }
  const size_t fc = static_cast<size_t>(f.FoldedChannels());
  std::vector<int8_t> out(static_cast<size_t>(out_h) * out_w * fc, pad);
  for (int oy = 0; oy < out_h; ++oy) {
    for (int ox = 0; ox < out_w; ++ox) {
      int8_t* px = out.data() + (static_cast<size_t>(oy) * out_w + ox) * fc;
      for (int ky = 0; ky < f.kh; ++ky) {
        const int y = oy * f.stride_h - f.pad_top + ky;
        if (y < 0 || y >= f.h) continue;
        for (int kx = 0; kx < f.kw; ++kx) {
          const int x = ox * f.stride_w - f.pad_left + kx;
          if (x < 0 || x >= f.w) continue;
          const int8_t* src = nhwc.data() + (static_cast<size_t>(y) * f.w + x) * f.c;
          std::copy(src, src + f.c, px + (static_cast<size_t>(ky) * f.kw + kx) * f.c);
        }
      }
    }
  }
  return out;
}

}  // namespace npu::runtime
