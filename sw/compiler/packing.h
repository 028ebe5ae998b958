/// @file
/// Constant packing for the layer compiler: weights pre-tiled for the
/// systolic array and post-processing parameter rows (docs/architecture.md,
/// "Memory layout seen by the hardware").
#pragma once

#include <cstdint>
#include <vector>

#include "sw/compiler/layer.h"

namespace npu::compiler {

/// Number of DIM-wide groups needed for @p channels channels.
inline int Groups(int channels, int dim) { return (channels + dim - 1) / dim; }

/// Packs OHWI weights as [NG][KC][dim (k)][dim (n)] bytes, NG = ceil(cout/dim),
/// KC = kh*kw*CC, CC = ceil(cin/dim). Chunk j = (ky*kw + kx)*CC + cc; row r of
/// chunk j is input channel cc*dim + r, column c of group g is output channel
/// g*dim + c; entries outside the layer are zero.
std::vector<uint8_t> PackWeights(const ConvLayer& layer, int dim);

/// Bias with the input zero point folded in:
/// bias[n] - in_zp * sum over (ky, kx, ci) of w[n][ky][kx][ci], modulo 2^32.
std::vector<int32_t> FoldedBias(const ConvLayer& layer);

/// Packs the post-processing parameters: one `requant` parameter block
/// (isa::param, docs/gen/isa.md) per group of @p dim output channels, holding
/// the folded biases, the multipliers and the shifts; padded channels are all
/// zero.
std::vector<uint8_t> PackParams(const ConvLayer& layer, int dim);

}  // namespace npu::compiler
