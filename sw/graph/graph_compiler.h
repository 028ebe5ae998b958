/// @file
/// The graph compiler: fuses the IR (a residual add onto the convolution
/// that feeds it), lowers every op to the layer compiler
/// (sw/compiler/compiler.h) with the real scales turned into Q31
/// multipliers and shifts (docs/numerics.md), plans the activations in a
/// static arena that reuses buffers, and lays out one device memory image:
/// every layer's program and constants, then the arena. The result runs
/// without the compiler (sw/runtime/model.h).
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "sw/compiler/layer.h"
#include "sw/gen/npu_configs.h"
#include "sw/graph/ir.h"
#include "sw/runtime/model.h"

namespace npu::graph {

/// A graph the compiler cannot lower for the configuration, or one that
/// does not fit its memory window. The message names the layer.
class CompileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Options of CompileGraph.
struct CompileOptions {
  uint32_t base = 0x8000'0000u;        ///< First byte of the device memory window.
  uint64_t memory_bytes = 256u << 20;  ///< Size of the window the model must fit.
  bool fuse = true;                    ///< Fuse residual adds into convolutions.
  bool fold_input_taps = true;         ///< FoldInputTaps.
  std::string source;                  ///< Recorded in the model (the file name).
};

/// One buffer of the activation plan.
struct PlannedBuffer {
  int value = -1;      ///< Graph value.
  uint32_t addr = 0;   ///< Device address.
  uint32_t bytes = 0;  ///< Size (aligned).
  int first = 0;       ///< Op that writes it (-1: the host).
  int last = 0;        ///< Last op that reads it (ops.size(): read by the host).
};

/// What the compiler decided, for reports.
struct CompileReport {
  std::vector<PlannedBuffer> buffers;  ///< The activation plan.
  uint64_t activation_sum = 0;         ///< Bytes without reuse.
  std::vector<std::string> fused;      ///< "conv 'a' + add 'b'" for each fusion.
  std::vector<std::string> folded;     ///< One line per FoldInputTaps fold.
};

/// Fuses every Add whose one input is a convolution's output read by
/// nothing else into that convolution (its residual), when the other input
/// is already computed when the convolution runs and @p fits (if set)
/// accepts the fused convolution (the compiler asks the layer compiler: a
/// convolution with as many output channels as the parameter scratchpad
/// holds has no room for the add's parameters, and its add then runs as a
/// layer of its own). Returns a line per fusion.
std::vector<std::string> FuseResidualAdds(
    Graph& g, const std::function<bool(const Graph&, const Op&)>& fits = {});

/// Folds the window of a convolution that reads a graph input into the
/// input's channels (runtime::TapFold, an im2col the host does while it
/// quantizes and lays out the input), when the input has so few channels
/// that the reduction dimension would leave most rows of the DIM x DIM
/// array idle: the convolution becomes a 1x1 convolution over kh * kw * c
/// channels with the same weights. Done where it takes fewer DIM-channel
/// blocks of the reduction (ceil(kh*kw*c / DIM) < kh*kw * ceil(c / DIM)) and
/// the convolution is the input's only reader. Returns a line per fold.
std::vector<std::string> FoldInputTaps(Graph& g, int dim);

/// A layer as the layer compiler takes it.
using LayerDesc = std::variant<compiler::ConvLayer, compiler::DepthwiseLayer, compiler::PoolLayer,
                               compiler::MeanLayer, compiler::AddLayer>;

/// The layer of @p op with the real scales turned into the contract's
/// integer parameters: Q31 multipliers and shifts (QuantizeMultiplier of
/// s_in * s_w[c] / s_out, computed in double), clamps from ReLU/Clip
/// (zp + round(f / scale) in float, as TFLite), average-pool rescale
/// s_in / s_out, MEAN multiplier MeanMultiplier(s_in, s_out, H * W), ADD
/// parameters QuantizeAddParams. The golden model runs these same layers.
LayerDesc LayerOf(const Graph& g, const Op& op);

/// Compiles @p g for @p hw. @throws CompileError naming the layer that does
/// not fit the configuration, or when the image exceeds the memory window.
runtime::CompiledModel CompileGraph(Graph g, const HwConfig& hw, const CompileOptions& options,
                                    CompileReport* report = nullptr);

/// A table of the layers (kind, shapes, tiling, MACs, estimate) and the
/// memory plan.
std::string DescribeModel(const runtime::CompiledModel& m);

}  // namespace npu::graph
