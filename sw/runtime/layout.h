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

}  // namespace npu::runtime
