#include "sw/graph/graph_compiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "sw/compiler/compiler.h"
#include "sw/isa/serialize.h"
#include "sw/numerics/numerics.h"
#include "sw/runtime/layout.h"

namespace npu::graph {
namespace {

uint64_t Align(uint64_t v) {
  return (v + compiler::kRegionAlign - 1) / compiler::kRegionAlign * compiler::kRegionAlign;
}

/// The int8 clamp of an op's real range on an output with @p q
/// (ClampRange; no bound: the int8 limits).
Activation ClampOf(std::optional<float> lo, std::optional<float> hi, QParams q) {
  const float inf = std::numeric_limits<float>::infinity();
  return ClampRange(lo.value_or(-inf), hi.value_or(inf), q.scale, q.zp);
}

/// Per-channel Q31 multipliers and shifts of s_in * s_w[c] / s_out.
void Multipliers(float s_in, const std::vector<float>& s_w, float s_out, std::vector<int32_t>& mult,
                 std::vector<int>& shift) {
  for (float sw : s_w) {
    const double real = static_cast<double>(s_in) * static_cast<double>(sw) / s_out;
    const QuantizedMultiplier m = QuantizeMultiplier(real);
    mult.push_back(m.multiplier);
    shift.push_back(m.shift);
  }
}

/// Which value each op reads, including a fused residual.
std::vector<int> Reads(const Op& op) {
  std::vector<int> r = op.inputs;
  if (op.residual >= 0) r.push_back(op.residual);
  return r;
}

}  // namespace

namespace {

/// The window geometry of @p op on a layer of the layer compiler.
template <typename Layer>
void SetWindow(Layer& l, const Op& op) {
  l.kh = op.kh;
  l.kw = op.kw;
  l.stride_h = op.stride_h;
  l.stride_w = op.stride_w;
  l.pad_top = op.pad_top;
  l.pad_left = op.pad_left;
  l.pad_bottom = op.pad_bottom;
  l.pad_right = op.pad_right;
}

}  // namespace

LayerDesc LayerOf(const Graph& g, const Op& op) {
  const Value& x = g.values[op.inputs[0]];
  const Value& y = g.values[op.output];
  switch (op.kind) {
    case OpKind::kConv: {
      compiler::ConvLayer l;
      l.h = x.h;
      l.w = x.w;
      l.cin = x.c;
      l.cout = y.c;
      SetWindow(l, op);
      l.in_zp = x.q.zp;
      l.weights = op.weights;
      l.bias = op.bias;
      const QParams conv_out = op.residual >= 0 ? op.pre_add : y.q;
      Multipliers(x.q.scale, op.weight_scale, conv_out.scale, l.multiplier, l.shift);
      l.out_zp = conv_out.zp;
      const Activation act = op.residual >= 0 ? ClampOf(op.pre_clamp_lo, op.pre_clamp_hi, conv_out)
                                              : ClampOf(op.clamp_lo, op.clamp_hi, y.q);
      l.act_min = act.min;
      l.act_max = act.max;
      if (op.residual >= 0) {
        const Value& r = g.values[op.residual];
        l.residual = QuantizeAddParams(conv_out.scale, conv_out.zp, r.q.scale, r.q.zp, y.q.scale,
                                       y.q.zp, ClampOf(op.clamp_lo, op.clamp_hi, y.q));
      }
      return l;
    }
    case OpKind::kDepthwise: {
      compiler::DepthwiseLayer l;
      l.h = x.h;
      l.w = x.w;
      l.c = x.c;
      SetWindow(l, op);
      l.in_zp = x.q.zp;
      l.weights = op.weights;
      l.bias = op.bias;
      Multipliers(x.q.scale, op.weight_scale, y.q.scale, l.multiplier, l.shift);
      l.out_zp = y.q.zp;
      const Activation act = ClampOf(op.clamp_lo, op.clamp_hi, y.q);
      l.act_min = act.min;
      l.act_max = act.max;
      return l;
    }
    case OpKind::kMaxPool:
    case OpKind::kAvgPool: {
      compiler::PoolLayer l;
      l.kind = op.kind == OpKind::kMaxPool ? compiler::PoolKind::kMax : compiler::PoolKind::kAvg;
      l.h = x.h;
      l.w = x.w;
      l.c = x.c;
      SetWindow(l, op);
      const Activation act = ClampOf(op.clamp_lo, op.clamp_hi, y.q);
      l.act_min = act.min;
      l.act_max = act.max;
      if (op.kind == OpKind::kAvgPool) {
        l.in_zp = x.q.zp;
        l.rescale = QuantizeMultiplier(static_cast<double>(x.q.scale) / y.q.scale);
        l.out_zp = y.q.zp;
        l.count_include_pad = op.count_include_pad;
      }
      return l;
    }
    case OpKind::kMean: {
      compiler::MeanLayer l;
      l.h = x.h;
      l.w = x.w;
      l.c = x.c;
      l.in_zp = x.q.zp;
      l.multiplier = MeanMultiplier(x.q.scale, y.q.scale, int64_t{x.h} * x.w);
      l.out_zp = y.q.zp;
      const Activation act = ClampOf(op.clamp_lo, op.clamp_hi, y.q);
      l.act_min = act.min;
      l.act_max = act.max;
      return l;
    }
    case OpKind::kAdd: {
      const Value& b = g.values[op.inputs[1]];
      compiler::AddLayer l;
      l.h = x.h;
      l.w = x.w;
      l.c = x.c;
      l.params = QuantizeAddParams(x.q.scale, x.q.zp, b.q.scale, b.q.zp, y.q.scale, y.q.zp,
                                   ClampOf(op.clamp_lo, op.clamp_hi, y.q));
      return l;
    }
  }
  throw CompileError("unknown op kind");
}

namespace {

compiler::CompiledLayer Lower(const Graph& g, const Op& op, const HwConfig& hw, uint32_t base,
                              const compiler::IoPlacement& io) {
  return std::visit([&](const auto& l) { return compiler::Compile(l, hw, base, &io); },
                    LayerOf(g, op));
}

std::string Summary(const Graph& g, const Op& op, const compiler::CompiledLayer& cl) {
  const Value& x = g.values[op.inputs[0]];
  const Value& y = g.values[op.output];
  std::string s = fmt::format("{}x{}x{} -> {}x{}x{}", x.h, x.w, x.c, y.h, y.w, y.c);
  if (op.kind == OpKind::kConv || op.kind == OpKind::kDepthwise || op.kind == OpKind::kMaxPool ||
      op.kind == OpKind::kAvgPool) {
    s += fmt::format(", {}x{}/{}", op.kh, op.kw, op.stride_h);
  }
  for (const GraphIo& io : g.inputs) {
    const runtime::TapFold& f = io.fold;
    if (io.value == op.inputs[0] && f.Active()) {
      s += fmt::format(" (a {}x{}/{} convolution of {}x{}x{}: taps folded on the host)", f.kh, f.kw,
                       f.stride_h, f.h, f.w, f.c);
    }
  }
  if (op.residual >= 0) s += ", + residual";
  return s + "; " + cl.tiling;
}

}  // namespace

std::vector<std::string> FuseResidualAdds(
    Graph& g, const std::function<bool(const Graph&, const Op&)>& fits) {
  std::vector<std::string> fused;
  std::vector<int> readers(g.values.size(), 0);
  for (const Op& op : g.ops) {
    for (int v : Reads(op)) ++readers[v];
  }
  for (const GraphIo& io : g.outputs) readers[io.value] += 1000;
  for (size_t ai = 0; ai < g.ops.size(); ++ai) {
    Op& add = g.ops[ai];
    if (add.kind != OpKind::kAdd || add.dead) continue;
    int best = -1, best_in = -1;
    for (int k = 0; k < 2; ++k) {
      const int v = add.inputs[k];
      const int p = g.values[v].producer;
      if (p < 0 || readers[v] != 1 || g.ops[p].output != v || g.values[v].part_of >= 0) continue;
      const Op& conv = g.ops[p];
      if (conv.kind != OpKind::kConv || conv.residual >= 0 || conv.dead) continue;
      const int other = g.values[add.inputs[1 - k]].producer;
      if (other >= p) continue;  // the other input is not ready when the convolution runs
      if (p > best) {
        best = p;
        best_in = k;
      }
    }
    if (best < 0) continue;
    Op fused_conv = g.ops[best];
    const int mid = add.inputs[best_in];
    fused_conv.residual = add.inputs[1 - best_in];
    fused_conv.pre_add = g.values[mid].q;
    fused_conv.pre_clamp_lo = fused_conv.clamp_lo;
    fused_conv.pre_clamp_hi = fused_conv.clamp_hi;
    fused_conv.clamp_lo = add.clamp_lo;
    fused_conv.clamp_hi = add.clamp_hi;
    fused_conv.output = add.output;
    if (fits && !fits(g, fused_conv)) continue;
    Op& conv = g.ops[best];
    conv = std::move(fused_conv);
    g.values[add.output].producer = best;
    fused.push_back(fmt::format("{} '{}' + add '{}'", OpKindName(conv.kind), conv.name, add.name));
    conv.name += "+" + add.name;
    conv.op_type += "+" + add.op_type;
    add.dead = true;
  }
  // Drop the dead ops, renumbering the producers.
  std::vector<Op> live;
  for (Op& op : g.ops) {
    if (op.dead) continue;
    g.values[op.output].producer = static_cast<int>(live.size());
    live.push_back(std::move(op));
  }
  g.ops = std::move(live);
  // A concatenation is ready when its last part is.
  for (Value& v : g.values) {
    if (v.part_of >= 0) g.values[v.part_of].producer = -1;
  }
  for (const Value& v : g.values) {
    if (v.part_of >= 0) {
      int& p = g.values[v.part_of].producer;
      p = std::max(p, v.producer);
    }
  }
  return fused;
}

std::vector<std::string> FoldInputTaps(Graph& g, int dim) {
  std::vector<std::string> folded;
  std::vector<int> readers(g.values.size(), 0);
  for (const Op& op : g.ops) {
    for (int v : Reads(op)) ++readers[v];
  }
  for (const GraphIo& io : g.outputs) ++readers[io.value];
  for (GraphIo& io : g.inputs) {
    const int v = io.value;
    if (readers[v] != 1 || g.values[v].part_of >= 0 || io.fold.Active()) continue;
    const auto reader = std::find_if(g.ops.begin(), g.ops.end(),
                                     [&](const Op& op) { return !op.dead && op.inputs[0] == v; });
    if (reader == g.ops.end() || reader->kind != OpKind::kConv || reader->residual == v) continue;
    Op& op = *reader;
    const Value x = g.values[v];
    const Value& y = g.values[op.output];
    const int taps = op.kh * op.kw;
    const auto blocks = [&](int c) { return (c + dim - 1) / dim; };
    if (taps == 1 || blocks(taps * x.c) >= taps * blocks(x.c)) continue;
    Value f;
    f.name = x.name + "/taps";
    f.c = taps * x.c;
    f.h = y.h;
    f.w = y.w;
    f.q = x.q;
    io.fold = {op.kh, op.kw, op.stride_h, op.stride_w, op.pad_top, op.pad_left, x.h, x.w, x.c};
    io.value = static_cast<int>(g.values.size());
    g.values.push_back(f);
    folded.push_back(fmt::format(
        "{} '{}': the {}x{}/{} taps over input '{}' ({}x{}x{}) folded into "
        "{} channels on the host",
        OpKindName(op.kind), op.name, op.kh, op.kw, op.stride_h, x.name, x.h, x.w, x.c, f.c));
    op.inputs[0] = io.value;
    op.kh = op.kw = op.stride_h = op.stride_w = 1;
    op.pad_top = op.pad_left = op.pad_bottom = op.pad_right = 0;
  }
  return folded;
}

runtime::CompiledModel CompileGraph(Graph g, const HwConfig& hw, const CompileOptions& options,
                                    CompileReport* report) {
  CompileReport rep;
  const int dim = static_cast<int>(hw.dim);
  if (options.fuse) {
    rep.fused = FuseResidualAdds(g, [&](const Graph& fg, const Op& op) {
      try {
        Lower(fg, op, hw, 0, compiler::IoPlacement{});
        return true;
      } catch (const std::invalid_argument&) {
        return false;
      }
    });
  }
  if (options.fold_input_taps) rep.folded = FoldInputTaps(g, dim);
  const int n = static_cast<int>(g.ops.size());
  if (n == 0) throw CompileError("the graph has no operation the NPU runs");

  // Parts of a concatenation live in its buffer: every part but the last
  // must fill whole channel blocks.
  const auto root_of = [&](int v) {
    while (g.values[v].part_of >= 0) v = g.values[v].part_of;
    return v;
  };
  for (const Value& v : g.values) {
    if (v.part_of < 0) continue;
    const Value& whole = g.values[v.part_of];
    if (v.channel_offset + v.c < whole.c && v.c % dim != 0) {
      throw CompileError(fmt::format(
          "the concatenation '{}' cannot run on {}: its input '{}' has {} channels, not a "
          "multiple of {} (the channel block of {}), so the next input cannot be written after "
          "it in place",
          whole.name, hw.name, v.name, v.c, dim, hw.name));
    }
  }
  // Lifetimes of the activation buffers (one per value that is not a part).
  std::vector<PlannedBuffer> bufs;
  std::vector<int> buf_of(g.values.size(), -1);
  const auto want = [&](int v0, int first) {
    const int v = root_of(v0);
    if (buf_of[v] >= 0) {
      bufs[buf_of[v]].first = std::min(bufs[buf_of[v]].first, first);
      return;
    }
    const Value& val = g.values[v];
    PlannedBuffer b;
    b.value = v;
    b.first = first;
    b.last = first;
    b.bytes = static_cast<uint32_t>(Align(runtime::BlockedBytes(val.h, val.w, val.c, dim)));
    buf_of[v] = static_cast<int>(bufs.size());
    bufs.push_back(b);
  };
  for (const GraphIo& io : g.inputs) want(io.value, -1);
  for (int i = 0; i < n; ++i) {
    for (int v : Reads(g.ops[i])) {
      if (buf_of[root_of(v)] < 0) want(v, -1);  // a graph input
      PlannedBuffer& b = bufs[buf_of[root_of(v)]];
      b.last = std::max(b.last, i);
    }
    want(g.ops[i].output, i);
  }
  for (const GraphIo& io : g.outputs) {
    if (buf_of[root_of(io.value)] < 0) want(io.value, -1);
    bufs[buf_of[root_of(io.value)]].last = n;
  }
  // Greedy placement, largest first, at the lowest offset that no buffer
  // alive at the same time overlaps.
  std::vector<int> order(bufs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return bufs[a].bytes > bufs[b].bytes; });
  std::vector<uint64_t> offset(bufs.size(), 0);
  std::vector<int> placed;
  uint64_t peak = 0;
  for (int i : order) {
    std::vector<std::pair<uint64_t, uint64_t>> busy;
    for (int j : placed) {
      if (bufs[j].first <= bufs[i].last && bufs[i].first <= bufs[j].last) {
        busy.push_back({offset[j], offset[j] + bufs[j].bytes});
      }
    }
    std::sort(busy.begin(), busy.end());
    uint64_t at = 0;
    for (const auto& [lo, hi] : busy) {
      if (at + bufs[i].bytes <= lo) break;
      at = std::max(at, hi);
    }
    offset[i] = at;
    peak = std::max(peak, at + bufs[i].bytes);
    rep.activation_sum += bufs[i].bytes;
    placed.push_back(i);
  }

  // Pass 1: the size of every layer's image (program and constants).
  const auto wrap = [&](const Op& op, auto&& fn) {
    try {
      return fn();
    } catch (const std::invalid_argument& e) {
      throw CompileError(fmt::format("layer '{}' ({}) cannot run on {}: {}", op.name, op.op_type,
                                     hw.name, e.what()));
    }
  };
  std::vector<uint64_t> image_base(n);
  uint64_t at = options.base;
  for (int i = 0; i < n; ++i) {
    const Op& op = g.ops[i];
    const compiler::IoPlacement dummy{};
    const compiler::CompiledLayer cl = wrap(op, [&] { return Lower(g, op, hw, 0, dummy); });
    image_base[i] = at;
    at += Align(cl.size);
  }
  const uint64_t arena = at;
  const uint64_t end = arena + peak;
  if (end - options.base > options.memory_bytes || end > (uint64_t{1} << 32)) {
    throw CompileError(fmt::format(
        "the model needs {} bytes of device memory ({} of programs and constants, {} of "
        "activations at the peak), more than the memory window of {} bytes",
        end - options.base, arena - options.base, peak, options.memory_bytes));
  }
  const auto addr_of = [&](int v) {
    uint64_t at = 0;  // a part starts at its first channel block
    for (int x = v; g.values[x].part_of >= 0; x = g.values[x].part_of) {
      const Value& whole = g.values[g.values[x].part_of];
      at += static_cast<uint64_t>(g.values[x].channel_offset / dim) * whole.h * whole.w * dim;
    }
    return static_cast<uint32_t>(arena + offset[buf_of[root_of(v)]] + at);
  };

  // Pass 2: every layer at its place.
  runtime::CompiledModel m;
  m.config = std::string(hw.name);
  m.dim = hw.dim;
  m.source = options.source;
  m.base = options.base;
  m.size = static_cast<uint32_t>(end - options.base);
  m.constant_bytes = static_cast<uint32_t>(arena - options.base);
  m.activation_bytes = static_cast<uint32_t>(peak);
  for (int i = 0; i < n; ++i) {
    const Op& op = g.ops[i];
    compiler::IoPlacement io;
    io.input = addr_of(op.inputs[0]);
    if (op.inputs.size() > 1) io.input2 = addr_of(op.inputs[1]);
    if (op.residual >= 0) io.input2 = addr_of(op.residual);
    io.output = addr_of(op.output);
    const compiler::CompiledLayer cl =
        wrap(op, [&] { return Lower(g, op, hw, static_cast<uint32_t>(image_base[i]), io); });
    m.constants.push_back({cl.program_addr, isa::Serialize(cl.program)});
    for (const runtime::Segment& s : cl.constants) m.constants.push_back(s);
    runtime::ModelLayer layer;
    layer.name = op.name;
    layer.kind = cl.kind;
    layer.summary = Summary(g, op, cl);
    layer.stream_addr = cl.program_addr;
    layer.num_instr = static_cast<uint32_t>(cl.program.size());
    layer.macs = cl.macs;
    layer.est_cycles = cl.est_cycles;
    const Value& y = g.values[op.output];
    layer.output = y.name;
    layer.out_region = {io.output, y.h, y.w, y.c};
    m.layers.push_back(std::move(layer));
  }
  const auto io_of = [&](const GraphIo& gio) {
    const Value& v = g.values[gio.value];
    runtime::ModelIo io;
    io.name = gio.name;
    io.dtype = gio.is_float ? runtime::DType::kFloat32 : runtime::DType::kInt8;
    io.shape = gio.shape;
    io.scale = v.q.scale;
    io.zero_point = v.q.zp;
    io.region = {addr_of(gio.value), v.h, v.w, v.c};
    io.fold = gio.fold;
    return io;
  };
  for (const GraphIo& gio : g.inputs) m.inputs.push_back(io_of(gio));
  for (const GraphIo& gio : g.outputs) m.outputs.push_back(io_of(gio));
  for (PlannedBuffer& b : bufs) b.addr = static_cast<uint32_t>(arena + offset[buf_of[b.value]]);
  rep.buffers = bufs;
  if (report) *report = std::move(rep);
  return m;
}

std::string DescribeModel(const runtime::CompiledModel& m) {
  std::string s = fmt::format("model {} for {} (DIM {}), {} layer(s)\n", m.source, m.config, m.dim,
                              m.layers.size());
  s += fmt::format("{:>3}  {:<10} {:<28} {:>12} {:>12} {:>6}  {}\n", "#", "kind", "name", "MACs",
                   "est. cycles", "instr", "shapes; tiling");
  uint64_t macs = 0, est = 0;
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const runtime::ModelLayer& l = m.layers[i];
    s += fmt::format("{:>3}  {:<10} {:<28} {:>12} {:>12} {:>6}  {}\n", i, l.kind, l.name, l.macs,
                     l.est_cycles, l.num_instr, l.summary);
    macs += l.macs;
    est += l.est_cycles;
  }
  s += fmt::format("total: {} MACs, {} estimated cycles\n", macs, est);
  s += fmt::format(
      "memory: window 0x{:08x}, {} bytes: programs and constants {} bytes, activations {} bytes "
      "at the peak\n",
      m.base, m.size, m.constant_bytes, m.activation_bytes);
  for (const auto* list : {&m.inputs, &m.outputs}) {
    for (const runtime::ModelIo& io : *list) {
      s += fmt::format("{} '{}': {} [{}], scale {} zero point {}, device 0x{:08x} ({}x{}x{})\n",
                       list == &m.inputs ? "input" : "output", io.name,
                       runtime::DTypeName(io.dtype), fmt::join(io.shape, ", "), io.scale,
                       io.zero_point, io.region.addr, io.region.h, io.region.w, io.region.c);
    }
  }
  return s;
}

}  // namespace npu::graph
