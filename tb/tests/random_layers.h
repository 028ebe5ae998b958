/// @file random_layers.h
/// @brief Random GEMM and conv2d layers with golden outputs, for tests.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "sw/compiler/layer.h"

namespace npu::testing {

/// Limits of a random GEMM. Each of M, N, K is drawn log-uniformly in
/// [1, max_dim]; shapes whose M*N*K exceeds max_macs are redrawn, so large
/// single dimensions still appear.
struct GemmLimits {
  int max_dim = 512;
  uint64_t max_macs = uint64_t{1} << 22;
};

/// Limits of a random conv2d: kernels 1/3/5/7, strides 1/2, asymmetric
/// zero-point padding up to kernel-1, channels not tied to the array size.
struct ConvLimits {
  int max_hw = 20;
  int max_channels = 40;
  uint64_t max_macs = uint64_t{1} << 22;
};

/// A random GEMM expressed as the 1x1 convolution the compiler lowers it to
/// (h = 1, w = M, cin = K, cout = N), with random zero points, per-channel
/// requantization from random real scales, bias and activation clamp.
compiler::GemmLayer RandomGemm(std::mt19937_64& rng, const GemmLimits& limits);
/// A random GEMM of the given shape (weights, zero points, requantization).
compiler::GemmLayer RandomGemmShape(std::mt19937_64& rng, int m, int n, int k);
/// A random conv2d layer.
compiler::ConvLayer RandomConv(std::mt19937_64& rng, const ConvLimits& limits);
/// Random contents for the conv2d geometry given in `shape` (h, w, cin, cout,
/// kernel, strides and padding are kept): input zero point, weights,
/// requantization, bias and activation clamp, drawn as RandomConv draws them.
compiler::ConvLayer RandomConvShape(std::mt19937_64& rng, compiler::ConvLayer shape);
/// A random input tensor for `layer` (NHWC, h x w x cin).
std::vector<int8_t> RandomInput(std::mt19937_64& rng, const compiler::ConvLayer& layer);
/// The golden model's output for `layer` on `input` (NHWC).
std::vector<int8_t> GoldenConv(const compiler::ConvLayer& layer, const std::vector<int8_t>& input);
/// The golden model's output for a GEMM (input is A, M x K row-major; output M x N).
std::vector<int8_t> GoldenGemm(const compiler::GemmLayer& layer, const std::vector<int8_t>& a);
/// One-line description ("conv 13x9x17 -> 5 k3x3 s2 pad 1,0,2,1 zp -3").
std::string Describe(const compiler::ConvLayer& layer);
/// One-line description of a GEMM.
std::string Describe(const compiler::GemmLayer& layer);

}  // namespace npu::testing
