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
/// zero. With a residual, the `add` block of the residual follows
/// (PackAddBlock).
std::vector<uint8_t> PackParams(const ConvLayer& layer, int dim);

/// Packs depthwise weights as [ceil(c/dim)][kh][kw][dim] bytes: one row of
/// @p dim lanes per channel block and tap (lane = channel within the block),
/// the window unit's `dw` layout; padded channels are zero.
std::vector<uint8_t> PackDepthwiseWeights(const DepthwiseLayer& layer, int dim);

/// Depthwise bias with the input zero point folded in:
/// bias[c] - in_zp * sum over (ky, kx) of w[ky][kx][c], modulo 2^32.
std::vector<int32_t> FoldedBias(const DepthwiseLayer& layer);

/// One `requant` block per channel block of a depthwise layer (folded bias,
/// multiplier, shift); padded channels all zero.
std::vector<uint8_t> PackParams(const DepthwiseLayer& layer, int dim);

/// One `requant` block whose every lane holds @p bias and @p m.
std::vector<uint8_t> PackRequantBlock(int32_t bias, const QuantizedMultiplier& m, int dim);

/// The identity requantization {bias 0, multiplier 2^30, shift 1}: with
/// out_zp 0 and the clamp [-128, 127] it passes any int8 accumulator through
/// unchanged.
std::vector<uint8_t> PackIdentityRequant(int dim);

/// One `add` block whose every lane holds @p p (zero points stored as zero
/// points: in1_zp = -input1_offset, in2_zp = -input2_offset).
std::vector<uint8_t> PackAddBlock(const AddParams& p, int dim);

/// The dim x dim identity weight tile (row r, column r is 1), dim * dim bytes.
std::vector<uint8_t> PackIdentityWeights(int dim);

/// The bias of a MEAN: -(h * w) * in_zp, modulo 2^32.
int32_t MeanBias(const MeanLayer& layer);

}  // namespace npu::compiler
