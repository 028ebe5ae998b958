/// @file
/// The golden model of a whole graph, for the model tests and the network
/// bench: every op of the graph as imported (neither fused nor folded, so
/// that the graph compiler's rewrites are checked too) lowered with
/// graph::LayerOf and run through tb/golden on NHWC tensors.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sw/graph/ir.h"
#include "sw/runtime/model.h"
#include "sw/runtime/npy.h"

namespace npu::testing {

/// Every value of a graph run through the golden model.
struct GoldenValues {
  std::map<std::string, std::vector<int8_t>> by_name;  ///< NHWC, keyed by Value::name.
  std::vector<runtime::NpyArray> outputs;              ///< As RunModel returns them.
};

/// Runs @p g (as imported) on @p inputs (in the order of m.inputs, checked
/// by runtime::CheckInputs), quantized as the model's inputs are.
GoldenValues GoldenGraph(const graph::Graph& g, const runtime::CompiledModel& m,
                         const std::vector<runtime::NpyArray>& inputs);

}  // namespace npu::testing
