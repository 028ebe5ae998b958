#include "sw/runtime/layout.h"

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

}  // namespace npu::runtime
