/// @file
/// A compiled model: the whole device memory image of a network (every
/// layer's program and constants), one instruction stream per layer, the
/// static activation plan and how the graph's inputs and outputs are
/// exchanged with the host. `npu compile` writes it as a `.npub` file
/// (docs/model-format.md); the runtime loads, validates and runs it without
/// the compiler.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "sw/runtime/backend.h"
#include "sw/runtime/executable.h"
#include "sw/runtime/layout.h"
#include "sw/runtime/npy.h"

namespace npu::runtime {

/// Version of the `.npub` format this runtime reads and writes.
inline constexpr uint32_t kModelFormatVersion = 2;

/// A malformed, corrupt or incompatible compiled model, or inputs that do
/// not match it. The message names the file or tensor and what is wrong.
class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A graph input or output as the host sees it. The device holds it as the
/// int8 tensor @ref region (channel-blocked h x w x c); the host exchanges
/// it as @ref shape in NCHW order (rank 4: [1, c, h, w]; any other rank:
/// the elements of the NCHW tensor [1, c, h, w] in C order). A float32
/// tensor is quantized on the host with (@ref scale, @ref zero_point) on
/// the way in and dequantized on the way out (docs/numerics.md). An input
/// with an active @ref fold is h x w x c on the host (the fold's) and its
/// taps folded into the channels on the device (FoldTaps, padded with the
/// zero point).
struct ModelIo {
  std::string name;               ///< The ONNX graph's name of the tensor.
  DType dtype = DType::kFloat32;  ///< kFloat32 or kInt8.
  std::vector<int64_t> shape;     ///< The ONNX shape.
  float scale = 1.0f;             ///< Scale of the int8 tensor.
  int32_t zero_point = 0;         ///< Zero point of the int8 tensor.
  TensorRegion region;            ///< The device tensor.
  TapFold fold;                   ///< Inputs: the taps folded on the host, if active.
};

/// One layer of the model: one instruction stream.
struct ModelLayer {
  std::string name;          ///< The ONNX node(s) it was made of, joined by '+'.
  std::string kind;          ///< "conv", "depthwise", "max pool", "avg pool", "mean", "add".
  std::string summary;       ///< Shapes and tiling, one line.
  uint32_t stream_addr = 0;  ///< First instruction.
  uint32_t num_instr = 0;    ///< Instructions.
  uint64_t macs = 0;         ///< Useful multiply-accumulates.
  uint64_t est_cycles = 0;   ///< The tiler's estimate.
  std::string output;        ///< The graph value it writes (ONNX tensor name).
  TensorRegion out_region;   ///< Where it writes it (for layer-by-layer checks).
};

/// A compiled model.
struct CompiledModel {
  std::string config;              ///< The hardware configuration's name.
  uint32_t dim = 0;                ///< Its DIM.
  std::string source;              ///< What it was compiled from (file name).
  uint32_t base = 0;               ///< First byte of the device memory window.
  uint32_t size = 0;               ///< Bytes of the window.
  uint32_t constant_bytes = 0;     ///< Programs and constants, at the window's start.
  uint32_t activation_bytes = 0;   ///< Peak of the activation plan, after the constants.
  std::vector<Segment> constants;  ///< Programs and constants.
  std::vector<ModelLayer> layers;  ///< In execution order.
  std::vector<ModelIo> inputs;     ///< Graph inputs.
  std::vector<ModelIo> outputs;    ///< Graph outputs.
};

/// The `.npub` bytes of @p model (docs/model-format.md).
std::vector<uint8_t> SerializeModel(const CompiledModel& model);

/// Parses and validates a `.npub` image; @p what names it in messages.
/// @throws ModelError if it is not a compiled model, is truncated or
/// corrupt (checksum), has another format version, or is inconsistent
/// (regions outside the window, an unknown configuration, ...).
CompiledModel ParseModel(std::span<const uint8_t> bytes, const std::string& what);

/// Reads and parses @p path. @throws ModelError, naming the path.
CompiledModel LoadModel(const std::string& path);

/// Writes @p model to @p path atomically (a temporary file, then a
/// rename): no partial file is ever left. @throws ModelError.
void SaveModel(const std::string& path, const CompiledModel& model);

/// Per-layer outcome of a run.
struct LayerRun {
  std::string name;   ///< ModelLayer::name.
  std::string kind;   ///< ModelLayer::kind.
  uint64_t macs = 0;  ///< ModelLayer::macs.
  RunResult result;   ///< Status and counters of its stream.
};

/// Outputs and per-layer results of a model run.
struct ModelRunResult {
  std::vector<NpyArray> outputs;  ///< One per CompiledModel::outputs, in order.
  std::vector<LayerRun> layers;   ///< One per layer that ran.
  RunStatus status;               ///< The first error, or ok.
  uint64_t cycles = 0;            ///< Sum of the layers' cycles.
};

/// Called after each layer: (index, layers, its result).
using LayerCallback = std::function<void(size_t, size_t, const RunResult&)>;

/// Called after each layer that ran without error with its output as the
/// device left it (ModelLayer::out_region, unpacked to NHWC), for
/// layer-by-layer checks: (index, output).
using LayerOutputCallback = std::function<void(size_t, const std::vector<int8_t>&)>;

/// Checks that @p inputs (in the order of model.inputs) match the model:
/// count, dtype and shape. @throws ModelError naming the input.
void CheckInputs(const CompiledModel& model, std::span<const NpyArray> inputs);

/// Runs @p model on @p be: builds the memory image (constants, the inputs
/// quantized and laid out), runs every layer's stream in order
/// (Backend::RunStreams), and reads back the outputs (dequantized where
/// float). Stops at the first error (status).
/// @throws ModelError if the inputs do not match (CheckInputs) or @p be has
/// another configuration than the model.
ModelRunResult RunModel(Backend& be, const CompiledModel& model, std::span<const NpyArray> inputs,
                        const LayerCallback& on_layer = {},
                        const LayerOutputCallback& on_output = {});

/// The host tensor @p a (checked by CheckInputs) as an int8 NHWC tensor of
/// its own shape: float32 quantized with QuantizeValue, NCHW reordered to
/// NHWC; no tap fold.
std::vector<int8_t> HostToNhwc(const ModelIo& io, const NpyArray& a);

/// The host tensor @p a (checked by CheckInputs) as the device's int8 NHWC
/// tensor: float32 quantized with QuantizeValue, NCHW reordered to NHWC,
/// and the taps folded if the input has an active fold.
std::vector<int8_t> ToDevice(const ModelIo& io, const NpyArray& a);

/// The device's int8 NHWC tensor @p nhwc as the host sees it: NCHW order,
/// dequantized with DequantizeValue when the tensor is float32.
NpyArray FromDevice(const ModelIo& io, const std::vector<int8_t>& nhwc);

/// Quantizes float32 values as ONNX QuantizeLinear does: x / scale in
/// float32, rounded half to even, plus zero_point, saturated to int8.
int8_t QuantizeValue(float x, float scale, int32_t zero_point);

/// (q - zero_point) * scale in float32, as ONNX DequantizeLinear.
float DequantizeValue(int8_t q, float scale, int32_t zero_point);

}  // namespace npu::runtime
