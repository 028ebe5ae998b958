/// @file
/// Import of quantized ONNX models (through the ONNX library's protobuf
/// classes) into the graph IR, in both forms that standard tooling writes:
/// QOperator (QLinearConv, QLinearMatMul, QGemm, QLinearAdd,
/// QLinearAveragePool, QLinearGlobalAveragePool, MaxPool on int8) and QDQ
/// (QuantizeLinear/DequantizeLinear pairs around float Conv, Gemm, MatMul,
/// Add, MaxPool, AveragePool, GlobalAveragePool, Relu and Clip, as ONNX
/// Runtime's quantize_static writes them). See docs/models.md.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

#include "sw/graph/ir.h"

namespace npu::graph {

/// A model the importer cannot read, or one with nodes it does not support
/// (the message names them).
class ImportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Imports the ONNX model in @p bytes; @p what names it in messages. Nodes
/// that are not supported are listed in Graph::nodes with the reason; use
/// RequireSupported before lowering.
/// @throws ImportError if the bytes are not an ONNX model, the graph is
/// malformed (a missing initializer, an input without a static shape), or
/// the model is not quantized at all.
Graph ImportOnnx(std::span<const uint8_t> bytes, const std::string& what);

/// Reads @p path and imports it (ImportOnnx). @throws ImportError.
Graph ImportOnnxFile(const std::string& path);

/// @throws ImportError listing every unsupported node of @p g (name, op
/// type, why and what would make it supported).
void RequireSupported(const Graph& g, const std::string& what);

}  // namespace npu::graph
