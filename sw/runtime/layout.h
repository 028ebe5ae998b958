/// @file
/// Activation layouts: NHWC int8 tensors (batch 1) to and from the
/// channel-blocked layout the hardware reads and writes,
/// [ceil(C/DIM)][H][W][DIM] (docs/architecture.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace npu::runtime {

/// Bytes of a channel-blocked tensor: ceil(c/dim) * h * w * dim.
size_t BlockedBytes(int h, int w, int c, int dim);

/// Packs an H x W x C NHWC tensor into the channel-blocked layout for
/// @p dim; padded lanes (channels >= C of the last block) are zero.
/// @throws std::invalid_argument if a dimension is not positive or
/// nhwc.size() != h*w*c.
std::vector<uint8_t> PackActivations(std::span<const int8_t> nhwc, int h, int w, int c, int dim);

/// Unpacks a channel-blocked tensor (at least BlockedBytes(h, w, c, dim)
/// bytes) into H x W x C NHWC, dropping the padded lanes.
/// @throws std::invalid_argument if a dimension is not positive or
/// @p blocked is too short.
std::vector<int8_t> UnpackActivations(std::span<const uint8_t> blocked, int h, int w, int c,
                                      int dim);

/// The taps of a convolution window folded into the channels (im2col of
/// one image): pixel (oy, ox) of the folded tensor holds, for every tap
/// (ky, kx) in row-major order, the @ref c channels of input pixel
/// (oy * stride_h - pad_top + ky, ox * stride_w - pad_left + kx), or the
/// padding value where that lies outside the h x w input. A convolution
/// with OHWI weights [cout][kh][kw][c] is then the 1x1 convolution of the
/// folded tensor with the same weights read as [cout][kh * kw * c]. The
/// graph compiler folds a network input this way when the input has few
/// channels (the stem), so that the reduction dimension fills the array.
struct TapFold {
  int kh = 1, kw = 1;              ///< Window.
  int stride_h = 1, stride_w = 1;  ///< Strides.
  int pad_top = 0, pad_left = 0;   ///< Leading padding.
  int h = 0, w = 0, c = 0;         ///< The input before folding (0: no fold).

  /// True when a tensor is folded (an input of h x w x c).
  bool Active() const { return c > 0; }
  /// Channels of the folded tensor: kh * kw * c.
  int FoldedChannels() const { return kh * kw * c; }
  bool operator==(const TapFold&) const = default;
};

/// Folds the H x W x C NHWC tensor @p nhwc (f.h x f.w x f.c) into the
/// out_h x out_w x f.FoldedChannels() NHWC tensor of @p f, with @p pad
/// (the input's zero point) outside the input.
/// @throws std::invalid_argument if a dimension is not positive or
/// nhwc.size() != f.h * f.w * f.c.
std::vector<int8_t> FoldTaps(std::span<const int8_t> nhwc, const TapFold& f, int out_h, int out_w,
                             int8_t pad);

}  // namespace npu::runtime
