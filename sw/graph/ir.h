/// @file
/// The graph compiler's IR: a quantized network as the importer recognised
/// it, independent of the ONNX form it came in (QOperator or QDQ). Values
/// are int8 activation tensors with one scale and zero point; operations
/// are the layers the hardware runs, each with its real-valued
/// quantization still attached (the lowering turns it into Q31 multipliers
/// and shifts, sw/graph/graph_compiler.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sw/runtime/layout.h"

namespace npu::graph {

/// Scale and zero point of an int8 tensor.
struct QParams {
  float scale = 1.0f;  ///< Real value of one step.
  int32_t zp = 0;      ///< Zero point, in [-128, 127].

  friend bool operator==(const QParams&, const QParams&) = default;
};

/// An int8 activation tensor (batch 1), held on the device as a
/// channel-blocked h x w x c tensor.
struct Value {
  std::string name;   ///< ONNX name of the tensor.
  int c = 0;          ///< Channels.
  int h = 0;          ///< Height.
  int w = 0;          ///< Width.
  QParams q;          ///< Quantization.
  int producer = -1;  ///< Index of the op that writes it; -1 for a graph input.
  /// A part of a channel concatenation: the value it is a slice of, and its
  /// first channel there (-1: a value of its own). The parts share the
  /// concatenation's buffer, so a Concat moves no data; every part but the
  /// last must then have a multiple of DIM channels.
  int part_of = -1;
  int channel_offset = 0;  ///< First channel in part_of.
};

/// The kinds of operation.
enum class OpKind {
  kConv,       ///< Convolution (and a fully connected layer as a convolution).
  kDepthwise,  ///< Depthwise convolution (group = channels).
  kMaxPool,    ///< Max pooling.
  kAvgPool,    ///< Average pooling.
  kMean,       ///< Global average pooling.
  kAdd,        ///< Elementwise add.
};

/// The name of @p kind as the reports print it ("conv", "depthwise", ...).
const char* OpKindName(OpKind kind);

/// One layer.
struct Op {
  OpKind kind = OpKind::kConv;
  std::string name;         ///< The ONNX node(s) it was made of, joined by '+'.
  std::string op_type;      ///< The ONNX op type(s), joined by '+'.
  std::vector<int> inputs;  ///< Value indices (the add: two).
  int output = -1;          ///< Value index.
  // Window geometry (convolutions and pooling).
  int kh = 1, kw = 1, stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool count_include_pad = false;  ///< Average pooling.
  /// Convolution: OHWI int8 [cout][kh][kw][cin]; depthwise: [kh][kw][c].
  std::vector<int8_t> weights;
  std::vector<float> weight_scale;  ///< Per output channel, or one.
  std::vector<int32_t> bias;        ///< Per output channel at s_in * s_w, or empty.
  /// Clamp of the output in real values (ReLU: [0, inf)); none when unset.
  std::optional<float> clamp_lo, clamp_hi;
  /// A fused residual add (convolutions): the value added to the
  /// convolution's output, and the quantization the convolution's own output
  /// has before the add (its Q node in the model).
  int residual = -1;
  QParams pre_add;
  std::optional<float> pre_clamp_lo, pre_clamp_hi;  ///< The convolution's own clamp.
  bool dead = false;                                ///< Fused into another op.
};

/// A graph input or output as the host exchanges it.
struct GraphIo {
  int value = -1;        ///< The int8 value.
  std::string name;      ///< The ONNX tensor name on the graph's edge.
  bool is_float = true;  ///< Float32 (a QuantizeLinear / DequantizeLinear at the edge) or int8.
  std::vector<int64_t> shape;  ///< The ONNX shape on the edge.
  /// Inputs: the taps of the convolution that reads it, folded into its
  /// channels on the host (FoldInputTaps); inactive by default.
  runtime::TapFold fold;
};

/// How the importer treated one ONNX node.
struct NodeReport {
  std::string name;     ///< Node name (or "#<index>" when it has none).
  std::string op_type;  ///< ONNX op type.
  bool supported = true;
  std::string note;  ///< What it became, or why it is not supported.
};

/// A network ready for lowering.
struct Graph {
  std::string name;               ///< The model's graph name.
  std::vector<Value> values;      ///< Activation tensors.
  std::vector<Op> ops;            ///< In execution order.
  std::vector<GraphIo> inputs;    ///< Graph inputs.
  std::vector<GraphIo> outputs;   ///< Graph outputs.
  std::vector<NodeReport> nodes;  ///< One per ONNX node, in order.
  std::string form;               ///< "QDQ", "QOperator" or "mixed".
};

}  // namespace npu::graph
