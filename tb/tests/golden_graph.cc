#include "tb/tests/golden_graph.h"

#include <type_traits>
#include <variant>

#include "sw/graph/graph_compiler.h"
#include "tb/tests/random_layers.h"

namespace npu::testing {

GoldenValues GoldenGraph(const graph::Graph& g, const runtime::CompiledModel& m,
                         const std::vector<runtime::NpyArray>& inputs) {
  std::map<int, std::vector<int8_t>> v;
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    v[g.inputs[i].value] = runtime::HostToNhwc(m.inputs[i], inputs[i]);
  }
  for (const graph::Op& op : g.ops) {
    const auto& x = v.at(op.inputs[0]);
    v[op.output] = std::visit(
        [&](const auto& l) -> std::vector<int8_t> {
          using L = std::decay_t<decltype(l)>;
          if constexpr (std::is_same_v<L, compiler::ConvLayer>) {
            return op.residual >= 0 ? GoldenConv(l, x, v.at(op.residual)) : GoldenConv(l, x);
          } else if constexpr (std::is_same_v<L, compiler::DepthwiseLayer>) {
            return GoldenDepthwise(l, x);
          } else if constexpr (std::is_same_v<L, compiler::PoolLayer>) {
            return GoldenPool(l, x);
          } else if constexpr (std::is_same_v<L, compiler::MeanLayer>) {
            return GoldenMean(l, x);
          } else {
            return GoldenAdd(l, x, v.at(op.inputs[1]));
          }
        },
        graph::LayerOf(g, op));
    // A part of a concatenation is also written into its whole.
    for (int part = op.output; g.values[part].part_of >= 0; part = g.values[part].part_of) {
      const graph::Value& pv = g.values[part];
      const graph::Value& whole = g.values[pv.part_of];
      auto& w = v[pv.part_of];
      w.resize(static_cast<size_t>(whole.h) * whole.w * whole.c);
      const auto& src = v.at(part);
      for (int i = 0; i < pv.h * pv.w; ++i) {
        for (int c = 0; c < pv.c; ++c) {
          w[static_cast<size_t>(i) * whole.c + pv.channel_offset + c] =
              src[static_cast<size_t>(i) * pv.c + c];
        }
      }
    }
  }
  GoldenValues out;
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    out.outputs.push_back(runtime::FromDevice(m.outputs[i], v.at(g.outputs[i].value)));
  }
  for (auto& [index, data] : v) out.by_name[g.values[index].name] = std::move(data);
  return out;
}

}  // namespace npu::testing
