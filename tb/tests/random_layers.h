/// @file random_layers.h
/// @brief Random layers (GEMM, conv2d with or without a fused residual add,
/// depthwise conv2d, max and average pooling, MEAN, elementwise add) with
/// golden outputs, for tests.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "sw/compiler/layer.h"
#include "sw/gen/npu_configs.h"

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
/// One-line description ("conv 13x9x17 -> 5 k3x3 s2 pad 1,0,2,1 zp -3"),
/// with the residual's zero points when the layer has one.
std::string Describe(const compiler::ConvLayer& layer);
/// One-line description of a GEMM.
std::string Describe(const compiler::GemmLayer& layer);

/// Random TFLite int8 ADD parameters (QuantizeAddParams) from random scales
/// within a few powers of two of each other, random zero points and
/// activation clamp.
AddParams RandomAddParams(std::mt19937_64& rng);
/// RandomConv plus a fused residual add (random RandomAddParams): the
/// layer then has a second input of its output's shape.
compiler::ConvLayer RandomResidualConv(std::mt19937_64& rng, const ConvLimits& limits);
/// A random residual (input 2) for a conv layer with a residual:
/// OutH x OutW x cout NHWC.
std::vector<int8_t> RandomResidual(std::mt19937_64& rng, const compiler::ConvLayer& layer);
/// The golden model's output for a conv layer with a residual:
/// golden::Add(GoldenConv of the layer without it, residual, *layer.residual).
/// @throws std::invalid_argument if the layer has no residual.
std::vector<int8_t> GoldenConv(const compiler::ConvLayer& layer, const std::vector<int8_t>& input,
                               const std::vector<int8_t>& residual);

/// Limits of a random depthwise convolution: kernels 1..max_k (even ones too),
/// strides mostly 1 or 2 and now and then up to max_k, padding mostly below the
/// kernel and now and then beyond it, channels not tied to the array size.
struct DepthwiseLimits {
  int max_hw = 24;
  int max_channels = 80;
  uint64_t max_macs = uint64_t{1} << 22;
  int max_k = 7;  ///< largest kernel side and stride (a configuration's window_k)
};

/// A random depthwise convolution: random zero points, weights,
/// requantization (per channel or, one time in five, per tensor), bias and
/// activation clamp (as RandomConv draws them).
compiler::DepthwiseLayer RandomDepthwise(std::mt19937_64& rng, const DepthwiseLimits& limits);
/// Random contents for the depthwise geometry given in `shape` (h, w, c,
/// kernel, strides and padding are kept).
compiler::DepthwiseLayer RandomDepthwiseShape(std::mt19937_64& rng, compiler::DepthwiseLayer shape);
/// A random input (NHWC, h x w x c).
std::vector<int8_t> RandomInput(std::mt19937_64& rng, const compiler::DepthwiseLayer& layer);
/// The golden model's output (golden::DepthwiseConv2d) for `layer` on `input`.
std::vector<int8_t> GoldenDepthwise(const compiler::DepthwiseLayer& layer,
                                    const std::vector<int8_t>& input);
/// One-line description of a depthwise convolution.
std::string Describe(const compiler::DepthwiseLayer& layer);

/// Limits of a random pooling: windows 1..max_k, strides 1..max_k (mostly 1, 2
/// or the window), every pad below the window.
struct PoolLimits {
  int max_hw = 24;
  int max_channels = 80;
  int max_k = 7;  ///< largest kernel side and stride (a configuration's window_k)
};

/// A random max or average pooling (each half the time); an average pooling
/// has a random zero point, half the time TFLite's identity requantization
/// and otherwise a random rescale and output zero point, and one time in
/// four count_include_pad.
compiler::PoolLayer RandomPool(std::mt19937_64& rng, const PoolLimits& limits);
/// Random quantization for the pooling given in `shape` (kind and geometry
/// are kept).
compiler::PoolLayer RandomPoolShape(std::mt19937_64& rng, compiler::PoolLayer shape);
/// A random input (NHWC, h x w x c).
std::vector<int8_t> RandomInput(std::mt19937_64& rng, const compiler::PoolLayer& layer);
/// The golden model's output (golden::MaxPool2d or golden::AvgPool2d).
std::vector<int8_t> GoldenPool(const compiler::PoolLayer& layer, const std::vector<int8_t>& input);
/// One-line description of a pooling.
std::string Describe(const compiler::PoolLayer& layer);

/// Limits of a random MEAN (global average pooling).
struct MeanLimits {
  int max_hw = 24;
  int max_channels = 80;
};

/// A random MEAN: random zero points, MeanMultiplier of random scales and,
/// one time in four, a random activation clamp.
compiler::MeanLayer RandomMean(std::mt19937_64& rng, const MeanLimits& limits);
/// Random quantization for the MEAN of the shape given in `shape`.
compiler::MeanLayer RandomMeanShape(std::mt19937_64& rng, compiler::MeanLayer shape);
/// A random input (NHWC, h x w x c).
std::vector<int8_t> RandomInput(std::mt19937_64& rng, const compiler::MeanLayer& layer);
/// The golden model's output (golden::GlobalAvgPool), 1 x 1 x c.
std::vector<int8_t> GoldenMean(const compiler::MeanLayer& layer, const std::vector<int8_t>& input);
/// One-line description of a MEAN.
std::string Describe(const compiler::MeanLayer& layer);

/// Limits of a random elementwise add.
struct AddLimits {
  int max_hw = 24;
  int max_channels = 80;
};

/// A random elementwise add (RandomAddParams).
compiler::AddLayer RandomAdd(std::mt19937_64& rng, const AddLimits& limits);
/// Two random inputs (NHWC, h x w x c each), in the order of the compiled
/// layer's inputs.
std::vector<std::vector<int8_t>> RandomInputs(std::mt19937_64& rng,
                                              const compiler::AddLayer& layer);
/// The golden model's output (golden::Add).
std::vector<int8_t> GoldenAdd(const compiler::AddLayer& layer, const std::vector<int8_t>& input1,
                              const std::vector<int8_t>& input2);
/// One-line description of an elementwise add.
std::string Describe(const compiler::AddLayer& layer);

/// The corners one random case was checked for, reached or not.
struct CaseCorners {
  /// The operation, which keys the tally ("conv", "dw", "pool", "mean",
  /// "add"; a test may rename it, e.g. "gemm").
  std::string op;
  /// Every corner checked, in order, with whether the case reached it.
  std::vector<std::pair<std::string, bool>> checked;

  void Note(std::string name, bool reached);
  /// The corners reached, "[a, b, ...]", for a case's report line.
  std::string Reached() const;
};

/// The corners of the regression's list that a layer and its (first) input
/// reach on @p hw: "even kernel", "stride >= 3", "pad >= kernel", "1x1
/// input", "H or W > 32", "channels > 3*DIM", "> 255 channel blocks", "K >
/// 512", "shift 0", "shift -1", "shift <= -19", "shift >= 5", "multiplier <=
/// 0", "no bias", "per-tensor", "all-zero input", "all-extreme input" (every
/// value -128 or 127), "fused add", and for the window layers
/// "count_include_pad", "avg requantized", "plane split" (a MEAN plane
/// larger than half of A). Each overload checks those that apply to it.
CaseCorners Corners(const compiler::ConvLayer& layer, const std::vector<int8_t>& input,
                    const HwConfig& hw);
CaseCorners Corners(const compiler::DepthwiseLayer& layer, const std::vector<int8_t>& input,
                    const HwConfig& hw);
CaseCorners Corners(const compiler::PoolLayer& layer, const std::vector<int8_t>& input,
                    const HwConfig& hw);
CaseCorners Corners(const compiler::MeanLayer& layer, const std::vector<int8_t>& input,
                    const HwConfig& hw);
CaseCorners Corners(const compiler::AddLayer& layer, const std::vector<int8_t>& input,
                    const HwConfig& hw);

/// How many cases of a run reached each corner, per operation. A corner
/// that was checked but never reached is listed with 0, so a generator that
/// stopped reaching it shows.
class CornerTally {
 public:
  /// Counts one case.
  void Add(const CaseCorners& corners);
  /// Per operation, its number of cases and one line per corner checked
  /// with the number of cases that reached it; empty if none was added.
  std::string Summary() const;

 private:
  std::map<std::pair<std::string, std::string>, int> counts_;  // (op, corner) -> cases
  std::map<std::string, int> cases_;                           // op -> cases
};

}  // namespace npu::testing
