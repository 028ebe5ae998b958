#include "sw/graph/onnx_import.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <deque>
#include <map>
#include <set>

#include "sw/runtime/file_io.h"

namespace npu::graph {

const char* OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kConv:
      return "conv";
    case OpKind::kDepthwise:
      return "depthwise";
    case OpKind::kMaxPool:
      return "max pool";
    case OpKind::kAvgPool:
      return "avg pool";
    case OpKind::kMean:
      return "mean";
    case OpKind::kAdd:
      return "add";
  }
  return "?";
}

namespace {

/// Thrown inside a node's handler: the node is not supported, and why.
struct Unsupported {
  std::string why;
};

[[noreturn]] void Reject(std::string why) { throw Unsupported{std::move(why)}; }

/// A constant tensor's values.
struct Const {
  int dtype = 0;  ///< onnx::TensorProto::DataType
  std::vector<int64_t> dims;
  std::vector<double> v;  ///< Every element (integers are exact in a double).
  int64_t Size() const { return static_cast<int64_t>(v.size()); }
};

const char* DTypeName(int dt) {
  switch (dt) {
    case onnx::TensorProto::FLOAT:
      return "float32";
    case onnx::TensorProto::UINT8:
      return "uint8";
    case onnx::TensorProto::INT8:
      return "int8";
    case onnx::TensorProto::INT32:
      return "int32";
    case onnx::TensorProto::INT64:
      return "int64";
    case onnx::TensorProto::DOUBLE:
      return "float64";
    case onnx::TensorProto::FLOAT16:
      return "float16";
    default:
      return "another type";
  }
}

template <typename T>
void AppendRaw(const std::string& raw, std::vector<double>& out) {
  const size_t n = raw.size() / sizeof(T);
  for (size_t i = 0; i < n; ++i) {
    T x;
    std::memcpy(&x, raw.data() + i * sizeof(T), sizeof(T));
    out.push_back(static_cast<double>(x));
  }
}

Const ReadConst(const onnx::TensorProto& t) {
  Const c;
  c.dtype = t.data_type();
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || d > (int64_t{1} << 31))
      Reject(fmt::format("constant '{}' has a bad shape", t.name()));
    n *= d;
    if (n > (int64_t{1} << 31)) Reject(fmt::format("constant '{}' is too large", t.name()));
    c.dims.push_back(d);
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    Reject(fmt::format("constant '{}' is stored in an external file, which is not supported",
                       t.name()));
  }
  if (t.has_raw_data()) {
    const std::string& raw = t.raw_data();
    switch (c.dtype) {
      case onnx::TensorProto::FLOAT:
        AppendRaw<float>(raw, c.v);
        break;
      case onnx::TensorProto::DOUBLE:
        AppendRaw<double>(raw, c.v);
        break;
      case onnx::TensorProto::INT8:
        AppendRaw<int8_t>(raw, c.v);
        break;
      case onnx::TensorProto::UINT8:
        AppendRaw<uint8_t>(raw, c.v);
        break;
      case onnx::TensorProto::INT32:
        AppendRaw<int32_t>(raw, c.v);
        break;
      case onnx::TensorProto::INT64:
        AppendRaw<int64_t>(raw, c.v);
        break;
      default:
        Reject(fmt::format("constant '{}' has type {}", t.name(), DTypeName(c.dtype)));
    }
  } else {
    switch (c.dtype) {
      case onnx::TensorProto::FLOAT:
        for (float x : t.float_data()) c.v.push_back(x);
        break;
      case onnx::TensorProto::DOUBLE:
        for (double x : t.double_data()) c.v.push_back(x);
        break;
      case onnx::TensorProto::INT8:
      case onnx::TensorProto::UINT8:
      case onnx::TensorProto::INT32:
        for (int32_t x : t.int32_data()) c.v.push_back(x);
        break;
      case onnx::TensorProto::INT64:
        for (int64_t x : t.int64_data()) c.v.push_back(static_cast<double>(x));
        break;
      default:
        Reject(fmt::format("constant '{}' has type {}", t.name(), DTypeName(c.dtype)));
    }
  }
  if (c.Size() != n) {
    Reject(fmt::format("constant '{}' holds {} values for a shape of {}", t.name(), c.Size(), n));
  }
  return c;
}

std::string ShapeStr(const std::vector<int64_t>& s) {
  return fmt::format("[{}]", fmt::join(s, ", "));
}

/// A quantized activation as a tensor name refers to it: the device value
/// and the logical (ONNX) shape, which a reshape may have changed.
struct Ref {
  int value = -1;
  std::vector<int64_t> shape;
  /// Padding a Pad node added (top, left, bottom, right), to fold into the
  /// convolution that reads it.
  std::array<int, 4> pad{};
  bool Padded() const { return pad != std::array<int, 4>{}; }
};

/// A quantized constant: integer values with per-tensor or per-axis
/// quantization.
struct QConst {
  Const data;
  std::vector<float> scale;
  std::vector<int32_t> zp;
  int axis = 1;
};

/// A float result waiting for its QuantizeLinear (QDQ form).
struct Pending {
  int op = -1;
  std::vector<int64_t> shape;
};

class Importer {
 public:
  explicit Importer(const onnx::ModelProto& m) : m_(m) {}

  Graph Run() {
    const onnx::GraphProto& gp = m_.graph();
    g_.name = gp.name();
    for (const onnx::TensorProto& t : gp.initializer()) init_[t.name()] = &t;
    for (const onnx::ValueInfoProto& vi : gp.input()) {
      if (init_.count(vi.name())) continue;  // an initializer listed as an input
      ReadGraphInput(vi);
    }
    for (const onnx::ValueInfoProto& vi : gp.output()) outputs_.insert(vi.name());
    for (int i = 0; i < gp.node_size(); ++i) {
      const onnx::NodeProto& n = gp.node(i);
      NodeReport rep{n.name().empty() ? fmt::format("#{}", i) : n.name(), n.op_type(), true, ""};
      try {
        rep.note = Node(n, rep.name);
      } catch (const Unsupported& u) {
        rep.supported = false;
        rep.note = u.why;
      }
      g_.nodes.push_back(std::move(rep));
    }
    for (const onnx::ValueInfoProto& vi : gp.output()) ReadGraphOutput(vi.name());
    if (qdq_ && qop_) {
      g_.form = "mixed";
    } else {
      g_.form = qop_ ? "QOperator" : "QDQ";
    }
    if (!qdq_ && !qop_ && !g_.nodes.empty()) {
      throw ImportError(
          "the model is not quantized (no QuantizeLinear, DequantizeLinear or QLinear* node): "
          "quantize it first, e.g. with onnxruntime.quantization.quantize_static");
    }
    return std::move(g_);
  }

 private:
  // ----- graph edges ------------------------------------------------------

  void ReadGraphInput(const onnx::ValueInfoProto& vi) {
    const auto& tt = vi.type().tensor_type();
    std::vector<int64_t> shape;
    for (int i = 0; i < tt.shape().dim_size(); ++i) {
      const auto& d = tt.shape().dim(i);
      if (d.has_dim_value()) {
        shape.push_back(d.dim_value());
      } else if (i == 0) {
        shape.push_back(1);  // a symbolic batch runs as batch 1
      } else {
        throw ImportError(fmt::format(
            "graph input '{}' has a symbolic dimension {}; the compiler needs static shapes",
            vi.name(), i));
      }
    }
    if (tt.elem_type() == onnx::TensorProto::FLOAT) {
      float_inputs_[vi.name()] = shape;
    } else if (tt.elem_type() == onnx::TensorProto::INT8) {
      const int v = NewValue(vi.name(), shape, {}, -1);
      refs_[vi.name()] = {v, shape};
      int8_inputs_[vi.name()] = v;  // quantization: from the first QLinear node that reads it
      g_.inputs.push_back(
          {.value = v, .name = vi.name(), .is_float = false, .shape = shape, .fold = {}});
    } else {
      throw ImportError(fmt::format("graph input '{}' has element type {}; float32 or int8 needed",
                                    vi.name(), DTypeName(tt.elem_type())));
    }
  }

  void ReadGraphOutput(const std::string& name) {
    if (auto it = dq_.find(name); it != dq_.end()) {
      g_.outputs.push_back({.value = it->second.value,
                            .name = name,
                            .is_float = true,
                            .shape = it->second.shape,
                            .fold = {}});
    } else if (auto jt = refs_.find(name); jt != refs_.end()) {
      g_.outputs.push_back({.value = jt->second.value,
                            .name = name,
                            .is_float = false,
                            .shape = jt->second.shape,
                            .fold = {}});
    } else {
      g_.nodes.push_back({name, "(graph output)", false,
                          "the graph output is neither an int8 tensor nor a DequantizeLinear of "
                          "one (is it produced by an unsupported node?)"});
    }
  }

  // ----- values and constants ---------------------------------------------

  int NewValue(const std::string& name, const std::vector<int64_t>& shape, QParams q,
               int producer) {
    Value v;
    v.name = name;
    if (shape.size() == 4) {
      if (shape[0] != 1)
        Reject(fmt::format("tensor '{}' has batch {}; batch 1 is supported", name, shape[0]));
      v.c = static_cast<int>(shape[1]);
      v.h = static_cast<int>(shape[2]);
      v.w = static_cast<int>(shape[3]);
    } else if (shape.size() == 2) {
      if (shape[0] != 1)
        Reject(fmt::format("tensor '{}' has batch {}; batch 1 is supported", name, shape[0]));
      v.c = static_cast<int>(shape[1]);
      v.h = v.w = 1;
    } else {
      Reject(fmt::format("tensor '{}' has shape {}; activations must be [1, C, H, W] or [1, N]",
                         name, ShapeStr(shape)));
    }
    for (int64_t d : shape) {
      if (d <= 0 || d > 65535)
        Reject(fmt::format("tensor '{}' has shape {}", name, ShapeStr(shape)));
    }
    v.q = q;
    v.producer = producer;
    g_.values.push_back(v);
    return static_cast<int>(g_.values.size()) - 1;
  }

  const onnx::TensorProto* FindConst(const std::string& name) {
    if (auto it = init_.find(name); it != init_.end()) return it->second;
    return nullptr;
  }

  Const ConstOf(const std::string& name, const char* role) {
    const onnx::TensorProto* t = FindConst(name);
    if (t == nullptr) Reject(fmt::format("its {} '{}' is not a constant", role, name));
    return ReadConst(*t);
  }

  QParams ScalarQ(const std::string& scale, const std::string& zp, const char* role) {
    const Const s = ConstOf(scale, role);
    if (s.Size() != 1) Reject(fmt::format("its {} has {} scales; one is needed", role, s.Size()));
    QParams q;
    q.scale = static_cast<float>(s.v[0]);
    if (!(q.scale > 0.0f) || !std::isfinite(q.scale)) {
      Reject(fmt::format("its {} has scale {}", role, s.v[0]));
    }
    if (!zp.empty()) {
      const Const z = ConstOf(zp, role);
      if (z.dtype == onnx::TensorProto::UINT8) {
        Reject(
            fmt::format("its {} is uint8; the NPU computes in int8: quantize with "
                        "activation_type=QuantType.QInt8 (quantize_static's default)",
                        role));
      }
      if (z.dtype != onnx::TensorProto::INT8 || z.Size() != 1) {
        Reject(fmt::format("its {} zero point must be one int8 value", role));
      }
      q.zp = static_cast<int32_t>(z.v[0]);
    }
    return q;
  }

  QConst ReadQConst(const std::string& data, const std::string& scale, const std::string& zp,
                    int axis, const char* role) {
    QConst c;
    c.data = ConstOf(data, role);
    const Const s = ConstOf(scale, role);
    for (double x : s.v) {
      if (!(x > 0.0) || !std::isfinite(x)) Reject(fmt::format("its {} has scale {}", role, x));
      c.scale.push_back(static_cast<float>(x));
    }
    if (!zp.empty()) {
      const Const z = ConstOf(zp, role);
      for (double x : z.v) c.zp.push_back(static_cast<int32_t>(x));
    } else {
      c.zp.assign(c.scale.size(), 0);
    }
    if (c.zp.size() != c.scale.size())
      Reject(fmt::format("its {} has mismatched scale and zero point", role));
    c.axis = axis < 0 ? axis + static_cast<int>(c.data.dims.size()) : axis;
    return c;
  }

  // ----- attributes --------------------------------------------------------

  static const onnx::AttributeProto* FindAttr(const onnx::NodeProto& n, const char* name) {
    for (const auto& a : n.attribute()) {
      if (a.name() == name) return &a;
    }
    return nullptr;
  }
  static int64_t IntAttr(const onnx::NodeProto& n, const char* name, int64_t def) {
    const auto* a = FindAttr(n, name);
    return a ? a->i() : def;
  }
  static float FloatAttr(const onnx::NodeProto& n, const char* name, float def) {
    const auto* a = FindAttr(n, name);
    return a ? a->f() : def;
  }
  static std::vector<int64_t> IntsAttr(const onnx::NodeProto& n, const char* name) {
    const auto* a = FindAttr(n, name);
    if (!a) return {};
    return {a->ints().begin(), a->ints().end()};
  }
  static std::string StrAttr(const onnx::NodeProto& n, const char* name) {
    const auto* a = FindAttr(n, name);
    return a ? a->s() : "";
  }
  static std::string In(const onnx::NodeProto& n, int i) {
    return i < n.input_size() ? n.input(i) : std::string();
  }

  /// The window geometry of a Conv or pooling node on a kh x kw kernel.
  void Geometry(const onnx::NodeProto& n, Op& op, int kh, int kw) {
    const std::string auto_pad = StrAttr(n, "auto_pad");
    if (!auto_pad.empty() && auto_pad != "NOTSET" && auto_pad != "VALID") {
      Reject(fmt::format("auto_pad={} is not supported; export with explicit pads", auto_pad));
    }
    for (int64_t d : IntsAttr(n, "dilations")) {
      if (d != 1) Reject("dilation other than 1 is not supported");
    }
    if (IntAttr(n, "ceil_mode", 0) != 0) Reject("ceil_mode=1 is not supported");
    if (IntAttr(n, "storage_order", 0) != 0) Reject("storage_order=1 is not supported");
    const auto small = [](int64_t v) { return v >= 0 && v <= 65535; };
    if (!small(kh) || !small(kw) || kh < 1 || kw < 1) Reject("a malformed kernel shape");
    op.kh = kh;
    op.kw = kw;
    for (const char* a : {"strides", "pads"}) {
      for (int64_t v : IntsAttr(n, a)) {
        if (!small(v)) Reject(fmt::format("a malformed {} value {}", a, v));
      }
    }
    const std::vector<int64_t> strides = IntsAttr(n, "strides");
    if (!strides.empty()) {
      if (strides.size() != 2) Reject("only 2-D windows are supported");
      op.stride_h = static_cast<int>(strides[0]);
      op.stride_w = static_cast<int>(strides[1]);
    }
    const std::vector<int64_t> pads = IntsAttr(n, "pads");
    if (!pads.empty() && auto_pad != "VALID") {
      if (pads.size() != 4) Reject("only 2-D windows are supported");
      op.pad_top = static_cast<int>(pads[0]);
      op.pad_left = static_cast<int>(pads[1]);
      op.pad_bottom = static_cast<int>(pads[2]);
      op.pad_right = static_cast<int>(pads[3]);
    }
  }

  // ----- inputs of compute nodes ------------------------------------------

  /// A float input of a QDQ node: a DequantizeLinear of an activation.
  Ref DqInput(const std::string& name) {
    if (auto it = dq_.find(name); it != dq_.end()) return it->second;
    if (float_inputs_.count(name)) {
      Reject(
          fmt::format("it reads the float graph input '{}' directly; a QuantizeLinear and "
                      "DequantizeLinear must come first (quantize the model)",
                      name));
    }
    if (pending_.count(name)) {
      Reject(fmt::format("it reads '{}', a float result that is not quantized again", name));
    }
    Reject(
        fmt::format("its input '{}' is not a dequantized int8 activation (is the model "
                    "quantized, and is its producer supported?)",
                    name));
  }

  /// An int8 activation input of a QOperator node, with its quantization
  /// (which sets that of an int8 graph input on first use).
  Ref QInput(const std::string& name, QParams q) {
    auto it = refs_.find(name);
    if (it == refs_.end()) {
      Reject(fmt::format("its input '{}' is not an int8 activation the compiler knows", name));
    }
    Value& v = g_.values[it->second.value];
    if (int8_inputs_.count(name) && !quant_set_.count(it->second.value)) {
      v.q = q;
      quant_set_.insert(it->second.value);
    } else if (!(v.q == q)) {
      Reject(
          fmt::format("its input '{}' is read with scale {} zero point {}, but was written with "
                      "scale {} zero point {}",
                      name, q.scale, q.zp, v.q.scale, v.q.zp));
    }
    return it->second;
  }

  const Value& Val(const Ref& r) const { return g_.values[r.value]; }

  /// Checks that @p r is an NCHW activation as a window operation reads it.
  void RequireNchw(const Ref& r, const std::string& name, bool allow_pad = false) {
    const Value& v = Val(r);
    if (r.Padded() && !allow_pad) {
      Reject(
          fmt::format("its input '{}' comes from a Pad; a Pad is supported only in front of a "
                      "convolution (it folds into the convolution's padding)",
                      name));
    }
    const std::vector<int64_t> want = {1, v.c, int64_t{v.h} + r.pad[0] + r.pad[2],
                                       int64_t{v.w} + r.pad[1] + r.pad[3]};
    if (r.shape != want) {
      Reject(fmt::format("its input '{}' has shape {}; a [1, C, H, W] activation is needed", name,
                         ShapeStr(r.shape)));
    }
  }

  // ----- building ops -------------------------------------------------------

  /// Adds @p op; returns its index.
  int AddOp(Op op) {
    g_.ops.push_back(std::move(op));
    return static_cast<int>(g_.ops.size()) - 1;
  }

  /// Creates the output value of op @p oi with @p q and registers @p name.
  void Finish(int oi, const std::string& name, const std::vector<int64_t>& shape, QParams q) {
    const int v = NewValue(name, shape, q, oi);
    g_.ops[oi].output = v;
    refs_[name] = {v, shape};
  }

  std::vector<int64_t> WindowOut(const Value& x, const Op& op, int cout) {
    const int64_t oh = (int64_t{x.h} + op.pad_top + op.pad_bottom - op.kh);
    const int64_t ow = (int64_t{x.w} + op.pad_left + op.pad_right - op.kw);
    if (oh < 0 || ow < 0 || op.stride_h < 1 || op.stride_w < 1) {
      Reject("the window is larger than the padded input");
    }
    return {1, cout, oh / op.stride_h + 1, ow / op.stride_w + 1};
  }

  /// Bias as int32 at s_x * s_w[c]: from an int32 constant at its own scale
  /// (rescaled if that is not s_x * s_w[c]), or a float constant.
  std::vector<int32_t> Bias(const std::string& name, const std::string& dq_scale, float sx,
                            const std::vector<float>& sw, int cout) {
    std::vector<int32_t> out;
    if (name.empty()) return out;
    const Const b = ConstOf(name, "bias");
    if (b.Size() != cout)
      Reject(fmt::format("its bias has {} values for {} channels", b.Size(), cout));
    std::vector<float> bscale;
    if (!dq_scale.empty()) {
      for (double s : ConstOf(dq_scale, "bias scale").v) bscale.push_back(static_cast<float>(s));
      if (bscale.size() != 1 && static_cast<int>(bscale.size()) != cout) {
        Reject(fmt::format("its bias has {} scales for {} channels", bscale.size(), cout));
      }
    }
    for (int c = 0; c < cout; ++c) {
      const double want = static_cast<double>(sx) * sw[sw.size() == 1 ? 0 : c];
      double real;
      if (b.dtype == onnx::TensorProto::INT32) {
        if (bscale.empty()) {
          out.push_back(static_cast<int32_t>(b.v[c]));  // QLinearConv: already at s_x * s_w
          continue;
        }
        const double s = bscale[bscale.size() == 1 ? 0 : c];
        if (std::abs(s - want) <= 1e-6 * want) {
          out.push_back(static_cast<int32_t>(b.v[c]));
          continue;
        }
        real = b.v[c] * s;
      } else if (b.dtype == onnx::TensorProto::FLOAT) {
        real = b.v[c];
      } else {
        Reject(fmt::format("its bias has type {}", DTypeName(b.dtype)));
      }
      const double q = std::nearbyint(real / want);
      if (std::abs(q) > 2147483647.0) Reject("its bias does not fit int32");
      out.push_back(static_cast<int32_t>(q));
    }
    return out;
  }

  /// Checks the weights' quantization: int8, zero point 0, one scale or one
  /// per output channel along @p out_axis.
  void CheckWeights(const QConst& w, int cout, int out_axis) {
    if (w.data.dtype != onnx::TensorProto::INT8) {
      Reject(fmt::format("its weights are {}; int8 weights are needed", DTypeName(w.data.dtype)));
    }
    for (int32_t z : w.zp) {
      if (z != 0)
        Reject("its weights have a nonzero zero point; symmetric int8 weights are needed");
    }
    if (w.scale.size() != 1 && (static_cast<int>(w.scale.size()) != cout || w.axis != out_axis)) {
      Reject(
          fmt::format("its weights have {} scales along axis {}; one, or one per output "
                      "channel along axis {}, is supported",
                      w.scale.size(), w.axis, out_axis));
    }
  }

  /// A Conv (group 1 or depthwise) reading @p x with weights @p w [O, I/g, kh, kw].
  int MakeConv(const onnx::NodeProto& n, const std::string& name, const Ref& x, const QConst& w,
               const std::string& bias, const std::string& bias_scale) {
    RequireNchw(x, In(n, 0), true);
    const Value& xv = Val(x);
    if (w.data.dims.size() != 4) Reject("only 2-D convolutions are supported");
    const int cout = static_cast<int>(w.data.dims[0]);
    const int cin_g = static_cast<int>(w.data.dims[1]);
    const int kh = static_cast<int>(w.data.dims[2]);
    const int kw = static_cast<int>(w.data.dims[3]);
    const int64_t group = IntAttr(n, "group", 1);
    CheckWeights(w, cout, 0);
    Op op;
    op.name = name;
    op.op_type = n.op_type();
    Geometry(n, op, kh, kw);
    op.pad_top += x.pad[0];  // a Pad in front: padding with the zero point too
    op.pad_left += x.pad[1];
    op.pad_bottom += x.pad[2];
    op.pad_right += x.pad[3];
    const std::vector<int64_t> ks = IntsAttr(n, "kernel_shape");
    if (!ks.empty() && (ks.size() != 2 || ks[0] != kh || ks[1] != kw)) {
      Reject("kernel_shape does not match the weights");
    }
    op.inputs = {x.value};
    op.weight_scale = w.scale;
    if (group == 1) {
      if (cin_g != xv.c)
        Reject(fmt::format("its weights expect {} input channels, the input has {}", cin_g, xv.c));
      op.kind = OpKind::kConv;
      op.weights.resize(static_cast<size_t>(cout) * kh * kw * cin_g);
      for (int o = 0; o < cout; ++o)
        for (int i = 0; i < cin_g; ++i)
          for (int y = 0; y < kh; ++y)
            for (int xx = 0; xx < kw; ++xx)
              op.weights[((static_cast<size_t>(o) * kh + y) * kw + xx) * cin_g + i] =
                  static_cast<int8_t>(
                      w.data.v[((static_cast<size_t>(o) * cin_g + i) * kh + y) * kw + xx]);
    } else if (group == xv.c && cin_g == 1 && cout == xv.c) {
      op.kind = OpKind::kDepthwise;
      op.weights.resize(static_cast<size_t>(kh) * kw * cout);
      for (int c = 0; c < cout; ++c)
        for (int y = 0; y < kh; ++y)
          for (int xx = 0; xx < kw; ++xx)
            op.weights[(static_cast<size_t>(y) * kw + xx) * cout + c] =
                static_cast<int8_t>(w.data.v[(static_cast<size_t>(c) * kh + y) * kw + xx]);
    } else {
      Reject(
          fmt::format("group={} is not supported: only 1 and depthwise (group = channels = {}, "
                      "one output channel per group)",
                      group, xv.c));
    }
    op.bias = Bias(bias, bias_scale, xv.q.scale, w.scale, cout);
    const std::vector<int64_t> out = WindowOut(xv, op, cout);
    const int oi = AddOp(std::move(op));
    pending_shape_ = out;
    return oi;
  }

  /// A Gemm or MatMul reading @p a ([1, K], the flattened NCHW of its
  /// value) with weights @p w ([K, N], or [N, K] when @p trans_b).
  int MakeFc(const onnx::NodeProto& n, const std::string& name, const Ref& a, const QConst& w,
             bool trans_b, const std::string& bias, const std::string& bias_scale) {
    const Value& av = Val(a);
    if (a.Padded()) Reject("a fully connected layer after a Pad is not supported");
    const int64_t k = int64_t{av.c} * av.h * av.w;
    if (a.shape.size() != 2 || a.shape[0] != 1 || a.shape[1] != k) {
      Reject(fmt::format("its input '{}' has shape {}; [1, K] is needed (batch 1)", In(n, 0),
                         ShapeStr(a.shape)));
    }
    if (w.data.dims.size() != 2) Reject("its weights are not a matrix");
    const int64_t wk = trans_b ? w.data.dims[1] : w.data.dims[0];
    const int nout = static_cast<int>(trans_b ? w.data.dims[0] : w.data.dims[1]);
    if (wk != k) Reject(fmt::format("its weights expect K = {}, the input has {}", wk, k));
    CheckWeights(w, nout, trans_b ? 0 : 1);
    Op op;
    op.kind = OpKind::kConv;
    op.name = name;
    op.op_type = n.op_type();
    // The flatten folds into the kernel: a kh x kw = H x W convolution over
    // the C x H x W value, weight (o, y, x, c) = B[c*H*W + y*W + x][o].
    op.kh = av.h;
    op.kw = av.w;
    op.inputs = {a.value};
    op.weight_scale = w.scale;
    op.weights.resize(static_cast<size_t>(nout) * k);
    for (int o = 0; o < nout; ++o)
      for (int y = 0; y < av.h; ++y)
        for (int xx = 0; xx < av.w; ++xx)
          for (int c = 0; c < av.c; ++c) {
            const int64_t kk = (int64_t{c} * av.h + y) * av.w + xx;
            const int64_t src = trans_b ? int64_t{o} * k + kk : kk * nout + o;
            op.weights[((static_cast<size_t>(o) * av.h + y) * av.w + xx) * av.c + c] =
                static_cast<int8_t>(w.data.v[src]);
          }
    op.bias = Bias(bias, bias_scale, av.q.scale, w.scale, nout);
    const int oi = AddOp(std::move(op));
    pending_shape_ = {1, nout};
    return oi;
  }

  int MakePool(const onnx::NodeProto& n, const std::string& name, const Ref& x, OpKind kind) {
    RequireNchw(x, In(n, 0));
    const Value& xv = Val(x);
    Op op;
    op.kind = kind;
    op.name = name;
    op.op_type = n.op_type();
    op.inputs = {x.value};
    if (kind == OpKind::kMean) {
      pending_shape_ = {1, xv.c, 1, 1};
    } else {
      const std::vector<int64_t> ks = IntsAttr(n, "kernel_shape");
      if (ks.size() != 2) Reject("only 2-D pooling windows are supported");
      if (ks[0] < 1 || ks[0] > 65535 || ks[1] < 1 || ks[1] > 65535) {
        Reject("a malformed kernel_shape");
      }
      Geometry(n, op, static_cast<int>(ks[0]), static_cast<int>(ks[1]));
      op.count_include_pad = IntAttr(n, "count_include_pad", 0) != 0;
      pending_shape_ = WindowOut(xv, op, xv.c);
    }
    if (IntAttr(n, "channels_last", 0) != 0) Reject("channels_last=1 is not supported");
    return AddOp(std::move(op));
  }

  int MakeAdd(const onnx::NodeProto& n, const std::string& name, const Ref& a, const Ref& b) {
    if (a.Padded() || b.Padded()) Reject("an Add of a Pad's output is not supported");
    if (a.shape != b.shape) {
      Reject(fmt::format("its inputs have shapes {} and {}; broadcasting is not supported",
                         ShapeStr(a.shape), ShapeStr(b.shape)));
    }
    Op op;
    op.kind = OpKind::kAdd;
    op.name = name;
    op.op_type = n.op_type();
    op.inputs = {a.value, b.value};
    pending_shape_ = a.shape;
    return AddOp(std::move(op));
  }

  // ----- nodes --------------------------------------------------------------

  std::string Node(const onnx::NodeProto& n, const std::string& name) {
    const std::string& t = n.op_type();
    const std::string& domain = n.domain();
    if (!domain.empty() && domain != "ai.onnx" && domain != "com.microsoft") {
      Reject(fmt::format("operator domain '{}' is not supported", domain));
    }
    if (n.output_size() < 1) Reject("it has no output");
    const std::string& out = n.output(0);
    if (t == "QuantizeLinear") return Quantize(n);
    if (t == "DequantizeLinear") return Dequantize(n);
    if (t == "Constant") {
      const auto* a = FindAttr(n, "value");
      if (!a || !a->has_t()) Reject("only Constant nodes with a tensor 'value' are supported");
      consts_.push_back(a->t());
      consts_.back().set_name(out);
      init_[out] = &consts_.back();
      return "constant";
    }
    if (t == "Relu" || t == "Clip") return Activation(n);
    if (t == "Pad") return PadOp(n);
    if (t == "Concat" || t == "QLinearConcat") return ConcatOp(n, name);
    if (t == "Flatten" || t == "Reshape" || t == "Squeeze" || t == "Unsqueeze" ||
        t == "Transpose" || t == "Identity") {
      return ShapeOp(n);
    }
    // QDQ compute nodes: float ops between DequantizeLinear and QuantizeLinear.
    if (t == "Conv") {
      const Ref x = DqInput(In(n, 0));
      const QConst& w = DqConst(In(n, 1), "weights");
      const std::string b = In(n, 2);
      std::string bias = b, bias_scale;
      if (!b.empty()) {
        if (auto it = dqc_src_.find(b); it != dqc_src_.end()) {
          bias = it->second.first;
          bias_scale = it->second.second;
        }
      }
      const int oi = MakeConv(n, name, x, w, bias, bias_scale);
      pending_[out] = {oi, pending_shape_};
      return fmt::format("{} (QDQ)", OpKindName(g_.ops[oi].kind));
    }
    if (t == "Gemm" || t == "MatMul") {
      if (t == "Gemm") {
        if (FloatAttr(n, "alpha", 1.0f) != 1.0f || FloatAttr(n, "beta", 1.0f) != 1.0f) {
          Reject("alpha and beta other than 1 are not supported");
        }
        if (IntAttr(n, "transA", 0) != 0) Reject("transA=1 is not supported");
      }
      const Ref a = DqInput(In(n, 0));
      const QConst& w = DqConst(In(n, 1), "weights");
      std::string bias = t == "Gemm" ? In(n, 2) : "", bias_scale;
      if (!bias.empty()) {
        if (auto it = dqc_src_.find(bias); it != dqc_src_.end()) {
          bias_scale = it->second.second;
          bias = it->second.first;
        }
      }
      const int oi =
          MakeFc(n, name, a, w, t == "Gemm" && IntAttr(n, "transB", 0) != 0, bias, bias_scale);
      pending_[out] = {oi, pending_shape_};
      return "conv (fully connected, QDQ)";
    }
    if (t == "MaxPool" || t == "AveragePool" || t == "GlobalAveragePool") {
      const OpKind kind = t == "MaxPool"       ? OpKind::kMaxPool
                          : t == "AveragePool" ? OpKind::kAvgPool
                                               : OpKind::kMean;
      if (n.output_size() > 1 && !n.output(1).empty())
        Reject("the Indices output is not supported");
      if (auto it = refs_.find(In(n, 0)); it != refs_.end() && kind == OpKind::kMaxPool) {
        // MaxPool on int8 (QOperator form): the output keeps the quantization.
        qop_ = true;
        const int oi = MakePool(n, name, it->second, kind);
        Finish(oi, out, pending_shape_, Val(it->second).q);
        return "max pool (int8)";
      }
      const Ref x = DqInput(In(n, 0));
      const int oi = MakePool(n, name, x, kind);
      pending_[out] = {oi, pending_shape_};
      return fmt::format("{} (QDQ)", OpKindName(kind));
    }
    if (t == "Add") {
      const Ref a = DqInput(In(n, 0));
      const Ref b = DqInput(In(n, 1));
      const int oi = MakeAdd(n, name, a, b);
      pending_[out] = {oi, pending_shape_};
      return "add (QDQ)";
    }
    // QOperator nodes.
    if (t == "QLinearConv") {
      qop_ = true;
      const Ref x = QInput(In(n, 0), ScalarQ(In(n, 1), In(n, 2), "input"));
      const QConst w = ReadQConst(In(n, 3), In(n, 4), In(n, 5), 0, "weights");
      const QParams y = ScalarQ(In(n, 6), In(n, 7), "output");
      const int oi = MakeConv(n, name, x, w, In(n, 8), "");
      Finish(oi, out, pending_shape_, y);
      return OpKindName(g_.ops[oi].kind);
    }
    if (t == "QLinearMatMul") {
      qop_ = true;
      const Ref a = QInput(In(n, 0), ScalarQ(In(n, 1), In(n, 2), "input"));
      const QConst w = ReadQConst(In(n, 3), In(n, 4), In(n, 5), 1, "weights");
      const QParams y = ScalarQ(In(n, 6), In(n, 7), "output");
      const int oi = MakeFc(n, name, a, w, false, "", "");
      Finish(oi, out, pending_shape_, y);
      return "conv (fully connected)";
    }
    if (t == "QGemm") {
      qop_ = true;
      if (FloatAttr(n, "alpha", 1.0f) != 1.0f) Reject("alpha other than 1 is not supported");
      if (IntAttr(n, "transA", 0) != 0) Reject("transA=1 is not supported");
      if (In(n, 7).empty()) Reject("a QGemm with a float output is not supported");
      const Ref a = QInput(In(n, 0), ScalarQ(In(n, 1), In(n, 2), "input"));
      const bool tb = IntAttr(n, "transB", 0) != 0;
      const QConst w = ReadQConst(In(n, 3), In(n, 4), In(n, 5), tb ? 0 : 1, "weights");
      const QParams y = ScalarQ(In(n, 7), In(n, 8), "output");
      const int oi = MakeFc(n, name, a, w, tb, In(n, 6), "");
      Finish(oi, out, pending_shape_, y);
      return "conv (fully connected)";
    }
    if (t == "QLinearAdd") {
      qop_ = true;
      const Ref a = QInput(In(n, 0), ScalarQ(In(n, 1), In(n, 2), "input A"));
      const Ref b = QInput(In(n, 3), ScalarQ(In(n, 4), In(n, 5), "input B"));
      const QParams y = ScalarQ(In(n, 6), In(n, 7), "output");
      const int oi = MakeAdd(n, name, a, b);
      Finish(oi, out, pending_shape_, y);
      return "add";
    }
    if (t == "QLinearAveragePool" || t == "QLinearGlobalAveragePool") {
      qop_ = true;
      const Ref x = QInput(In(n, 0), ScalarQ(In(n, 1), In(n, 2), "input"));
      const QParams y = ScalarQ(In(n, 3), In(n, 4), "output");
      const OpKind kind = t == "QLinearAveragePool" ? OpKind::kAvgPool : OpKind::kMean;
      const int oi = MakePool(n, name, x, kind);
      Finish(oi, out, pending_shape_, y);
      return OpKindName(kind);
    }
    static const std::map<std::string, std::string> kHints = {
        {"Softmax", "run Softmax on the host on the dequantized output"},
        {"BatchNormalization", "fold batch normalization into the convolution before quantizing"},
        {"Sigmoid", "no sigmoid unit; ReLU, ReLU6 or Clip are supported"},
        {"HardSwish", "no hard-swish unit; ReLU, ReLU6 or Clip are supported"},
    };
    if (auto it = kHints.find(t); it != kHints.end()) Reject(it->second);
    Reject(
        "the operator is not supported (supported: Conv, Gemm, MatMul, Add, MaxPool, "
        "AveragePool, GlobalAveragePool, Relu, Clip and the shape ops in QDQ form; QLinearConv, "
        "QLinearMatMul, QGemm, QLinearAdd, QLinearAveragePool, QLinearGlobalAveragePool)");
  }

  const QConst& DqConst(const std::string& name, const char* role) {
    if (auto it = dqc_.find(name); it != dqc_.end()) return it->second;
    if (FindConst(name)) {
      Reject(
          fmt::format("its {} '{}' are float; quantized (int8 through DequantizeLinear) "
                      "weights are needed: quantize the model",
                      role, name));
    }
    Reject(fmt::format("its {} '{}' are not a dequantized constant", role, name));
  }

  std::string Quantize(const onnx::NodeProto& n) {
    qdq_ = true;
    const std::string& x = In(n, 0);
    const QParams q = ScalarQ(In(n, 1), In(n, 2), "output");
    if (In(n, 2).empty()) {
      Reject("a QuantizeLinear without a zero point quantizes to uint8; int8 is needed");
    }
    const std::string& out = n.output(0);
    if (auto it = float_inputs_.find(x); it != float_inputs_.end()) {
      const int v = NewValue(out, it->second, q, -1);
      refs_[out] = {v, it->second};
      g_.inputs.push_back(
          {.value = v, .name = x, .is_float = true, .shape = it->second, .fold = {}});
      return "quantizes the graph input on the host";
    }
    if (auto it = pending_.find(x); it != pending_.end()) {
      const int oi = it->second.op;
      Op& op = g_.ops[oi];
      if (op.output >= 0) Reject(fmt::format("'{}' is quantized twice", x));
      if (op.kind == OpKind::kMaxPool && !(g_.values[op.inputs[0]].q == q)) {
        Reject("MaxPool's output must have its input's scale and zero point");
      }
      Finish(oi, out, it->second.shape, q);
      return fmt::format("output of {}", op.name);
    }
    if (auto it = dq_.find(x); it != dq_.end()) {
      if (!(Val(it->second).q == q)) {
        Reject("requantizing a tensor to another scale without an operation is not supported");
      }
      refs_[out] = it->second;
      return "identity (same quantization)";
    }
    Reject(fmt::format("its input '{}' is not a graph input or a supported operation's result", x));
  }

  std::string Dequantize(const onnx::NodeProto& n) {
    qdq_ = true;
    const std::string& x = In(n, 0);
    const std::string& out = n.output(0);
    if (FindConst(x)) {
      const QConst c =
          ReadQConst(x, In(n, 1), In(n, 2), static_cast<int>(IntAttr(n, "axis", 1)), "constant");
      dqc_[out] = c;
      dqc_src_[out] = {x, In(n, 1)};
      return "dequantizes a constant (folded)";
    }
    auto it = refs_.find(x);
    if (it == refs_.end()) {
      Reject(fmt::format("its input '{}' is not an int8 activation the compiler knows", x));
    }
    const QParams q = ScalarQ(In(n, 1), In(n, 2), "input");
    if (!(Val(it->second).q == q)) {
      Reject("it dequantizes with other parameters than the tensor was quantized with");
    }
    dq_[out] = it->second;
    return outputs_.count(out) ? "dequantizes the graph output on the host" : "folded";
  }

  std::string Activation(const onnx::NodeProto& n) {
    const std::string& x = In(n, 0);
    float lo = 0.0f, hi = INFINITY;
    if (n.op_type() == "Clip") {
      lo = -INFINITY;
      if (FindAttr(n, "min")) lo = FloatAttr(n, "min", lo);
      if (FindAttr(n, "max")) hi = FloatAttr(n, "max", hi);
      const auto scalar = [&](const std::string& name, const char* role) {
        const Const c = ConstOf(name, role);
        if (c.Size() != 1) Reject(fmt::format("its {} is not a scalar", role));
        return static_cast<float>(c.v[0]);
      };
      if (!In(n, 1).empty()) lo = scalar(In(n, 1), "min");
      if (!In(n, 2).empty()) hi = scalar(In(n, 2), "max");
    }
    auto it = pending_.find(x);
    if (it == pending_.end() && dq_.count(x)) {
      // A ReLU or Clip on its own: a 1x1 average pooling, exact (the average
      // of one element) and requantized to the output's own scale (which
      // quantize_static calibrates on the clamped range), then clamped.
      const Ref r = dq_[x];
      RequireNchw(r, x);
      Op op;
      op.kind = OpKind::kAvgPool;
      op.name = n.name();
      op.op_type = n.op_type();
      op.inputs = {r.value};
      op.clamp_lo = lo;
      op.clamp_hi = hi;
      pending_[n.output(0)] = {AddOp(std::move(op)), r.shape};
      return "avg pool 1x1 that requantizes and clamps (QDQ)";
    }
    if (it == pending_.end()) {
      Reject(
          fmt::format("{} is supported right after a Conv, Gemm, MatMul or Add (it fuses into "
                      "it); its input '{}' is not such a result",
                      n.op_type(), x));
    }
    Op& op = g_.ops[it->second.op];
    op.clamp_lo = std::max(op.clamp_lo.value_or(-INFINITY), lo);
    op.clamp_hi = std::min(op.clamp_hi.value_or(INFINITY), hi);
    pending_[n.output(0)] = it->second;
    return fmt::format("fused into {}", op.name);
  }

  /// The int8 activation @p name refers to, and whether @p name is its
  /// DequantizeLinear (QDQ form) rather than the int8 tensor itself; the
  /// shape ops, Pad and Concat take either.
  std::pair<Ref, bool> Activation8(const std::string& name) {
    if (auto it = dq_.find(name); it != dq_.end()) return {it->second, true};
    if (auto it = refs_.find(name); it != refs_.end()) return {it->second, false};
    Reject(fmt::format("its input '{}' is not a quantized activation", name));
  }

  /// A constant Pad of H and W with the zero point: folded into the
  /// convolution that reads it.
  std::string PadOp(const onnx::NodeProto& n) {
    const std::string& x = In(n, 0);
    const auto [r0, dq] = Activation8(x);
    Ref r = r0;
    const std::string mode = StrAttr(n, "mode");
    if (!mode.empty() && mode != "constant") {
      Reject(fmt::format("mode '{}' is not supported (only constant padding)", mode));
    }
    std::vector<int64_t> pads = IntsAttr(n, "pads");
    if (!In(n, 1).empty()) {
      pads.clear();
      for (double v : ConstOf(In(n, 1), "pads").v) pads.push_back(static_cast<int64_t>(v));
    }
    if (n.input_size() > 3 && !In(n, 3).empty()) Reject("a Pad with axes is not supported");
    double value = FloatAttr(n, "value", 0.0f);
    if (!In(n, 2).empty()) {
      const Const c = ConstOf(In(n, 2), "constant value");
      if (c.Size() != 1) Reject("its constant value is not a scalar");
      value = c.v[0];
    }
    const Value& v = Val(r);
    if (dq ? value != 0.0 : value != v.q.zp) {
      Reject(
          fmt::format("it pads with {}; only the zero point (real value 0) is supported, as a "
                      "convolution pads",
                      value));
    }
    if (pads.size() != 8 || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0) {
      Reject("only padding of H and W of a [1, C, H, W] tensor is supported");
    }
    for (int64_t p : pads) {
      if (p < 0 || p > 255) Reject("negative or huge pads are not supported");
    }
    if (r.shape.size() != 4) Reject("only [1, C, H, W] tensors can be padded");
    r.pad[0] += static_cast<int>(pads[2]);
    r.pad[1] += static_cast<int>(pads[3]);
    r.pad[2] += static_cast<int>(pads[6]);
    r.pad[3] += static_cast<int>(pads[7]);
    r.shape[2] += pads[2] + pads[6];
    r.shape[3] += pads[3] + pads[7];
    (dq ? dq_ : refs_)[n.output(0)] = r;
    return fmt::format("padding {} {} {} {}, folded into the convolution that reads it", r.pad[0],
                       r.pad[1], r.pad[2], r.pad[3]);
  }

  /// A Concat along the channels: the parts become slices of one buffer.
  std::string ConcatOp(const onnx::NodeProto& n, const std::string& name) {
    const bool qlinear = n.op_type() == "QLinearConcat";
    int64_t axis = IntAttr(n, "axis", 1);
    if (axis < 0) axis += 4;
    if (axis != 1) Reject("only a concatenation along the channels (axis 1) is supported");
    std::vector<Ref> parts;
    QParams q;
    bool dq = false;
    if (qlinear) {
      qop_ = true;
      q = ScalarQ(In(n, 0), In(n, 1), "output");
      if ((n.input_size() - 2) % 3 != 0) Reject("malformed inputs");
      for (int i = 2; i + 2 < n.input_size(); i += 3) {
        parts.push_back(QInput(In(n, i), ScalarQ(In(n, i + 1), In(n, i + 2), "input")));
        if (!(Val(parts.back()).q == q)) {
          Reject("its inputs and output must share one scale and zero point (no requantization)");
        }
      }
    } else {
      for (int i = 0; i < n.input_size(); ++i) {
        const auto [r, is_dq] = Activation8(In(n, i));
        parts.push_back(r);
        dq = dq || is_dq;
      }
      q = Val(parts.at(0)).q;
      for (const Ref& p : parts) {
        if (!(Val(p).q == q)) {
          Reject(
              "its inputs must share one scale and zero point (quantize_static gives a "
              "Concat's inputs its output's); a requantizing concatenation is not supported");
        }
      }
    }
    if (parts.empty()) Reject("it has no input");
    const Value& first = Val(parts[0]);
    int c = 0, producer = -1;
    for (size_t i = 0; i < parts.size(); ++i) {
      RequireNchw(parts[i], In(n, static_cast<int>(qlinear ? 2 + 3 * i : i)));
      const Value& v = Val(parts[i]);
      if (v.h != first.h || v.w != first.w) Reject("its inputs differ in height or width");
      if (v.part_of >= 0) Reject("an input is already part of another concatenation");
      for (size_t j = 0; j < i; ++j) {
        if (parts[j].value == parts[i].value) Reject("an input appears twice");
      }
      c += v.c;
      producer = std::max(producer, v.producer);
    }
    const std::vector<int64_t> shape = {1, c, first.h, first.w};
    const int cv = NewValue(n.output(0), shape, q, producer);
    int offset = 0;
    for (const Ref& p : parts) {
      g_.values[p.value].part_of = cv;
      g_.values[p.value].channel_offset = offset;
      offset += g_.values[p.value].c;
    }
    (dq ? dq_ : refs_)[n.output(0)] = {cv, shape};
    return fmt::format("{} inputs into one buffer (no copy; the parts are written in place)",
                       parts.size());
  }

  std::string ShapeOp(const onnx::NodeProto& n) {
    const std::string& x = In(n, 0);
    const std::string& t = n.op_type();
    const auto [r0, dq] = Activation8(x);
    Ref r = r0;
    if (r.Padded()) Reject("a shape operation after a Pad is not supported");
    const std::vector<int64_t> in = r.shape;
    int64_t count = 1;
    for (int64_t d : in) count *= d;
    std::vector<int64_t> shape;
    if (t == "Identity") {
      shape = in;
    } else if (t == "Flatten") {
      int64_t axis = IntAttr(n, "axis", 1);
      if (axis < 0) axis += static_cast<int64_t>(in.size());
      int64_t a = 1;
      for (int64_t i = 0; i < axis && i < static_cast<int64_t>(in.size()); ++i) a *= in[i];
      shape = {a, count / a};
    } else if (t == "Reshape") {
      const Const s = ConstOf(In(n, 1), "shape");
      int64_t known = 1;
      int infer = -1;
      for (size_t i = 0; i < s.v.size(); ++i) {
        int64_t d = static_cast<int64_t>(s.v[i]);
        if (d == 0 && i < in.size()) d = in[i];
        if (d == -1) {
          infer = static_cast<int>(i);
          shape.push_back(1);
          continue;
        }
        if (d <= 0) Reject("a malformed target shape");
        known *= d;
        shape.push_back(d);
      }
      if (infer >= 0) shape[infer] = count / known;
    } else if (t == "Squeeze" || t == "Unsqueeze") {
      std::vector<int64_t> axes = IntsAttr(n, "axes");
      if (!In(n, 1).empty()) {
        for (double a : ConstOf(In(n, 1), "axes").v) axes.push_back(static_cast<int64_t>(a));
      }
      if (t == "Squeeze") {
        const int64_t rank = static_cast<int64_t>(in.size());
        std::set<int64_t> drop;
        for (int64_t a : axes) drop.insert(a < 0 ? a + rank : a);
        for (int64_t i = 0; i < rank; ++i) {
          if (axes.empty() ? in[i] != 1 : !drop.count(i)) shape.push_back(in[i]);
        }
      } else {
        const int64_t rank = static_cast<int64_t>(in.size() + axes.size());
        std::set<int64_t> add;
        for (int64_t a : axes) add.insert(a < 0 ? a + rank : a);
        size_t j = 0;
        for (int64_t i = 0; i < rank; ++i) {
          if (add.count(i)) {
            shape.push_back(1);
          } else if (j < in.size()) {
            shape.push_back(in[j++]);
          } else {
            Reject("malformed axes");
          }
        }
      }
    } else {  // Transpose: a layout change only when it moves no data
      const std::vector<int64_t> perm = IntsAttr(n, "perm");
      std::vector<int64_t> moved;
      for (size_t i = 0; i < perm.size(); ++i) {
        if (perm[i] < 0 || perm[i] >= static_cast<int64_t>(in.size())) Reject("a malformed perm");
        shape.push_back(in[perm[i]]);
        if (in[perm[i]] != 1) moved.push_back(perm[i]);
      }
      if (perm.empty() || !std::is_sorted(moved.begin(), moved.end())) {
        Reject(
            "a Transpose that moves data is not supported (only one that reorders unit "
            "dimensions)");
      }
    }
    int64_t c2 = 1;
    for (int64_t d : shape) c2 *= d;
    if (c2 != count) Reject(fmt::format("it reshapes {} to {}", ShapeStr(in), ShapeStr(shape)));
    (dq ? dq_ : refs_)[n.output(0)] = {r.value, shape};
    return fmt::format("layout only: {} -> {}", ShapeStr(in), ShapeStr(shape));
  }

  const onnx::ModelProto& m_;
  Graph g_;
  std::map<std::string, const onnx::TensorProto*> init_;
  std::deque<onnx::TensorProto> consts_;
  std::map<std::string, std::vector<int64_t>> float_inputs_;
  std::map<std::string, int> int8_inputs_;
  std::set<int> quant_set_;
  std::set<std::string> outputs_;
  std::map<std::string, Ref> refs_;    ///< int8 activations
  std::map<std::string, Ref> dq_;      ///< dequantized activations
  std::map<std::string, QConst> dqc_;  ///< dequantized constants
  std::map<std::string, std::pair<std::string, std::string>>
      dqc_src_;  ///< DQ output -> (data, scale)
  std::map<std::string, Pending> pending_;
  std::vector<int64_t> pending_shape_;
  bool qdq_ = false, qop_ = false;
};

}  // namespace

Graph ImportOnnx(std::span<const uint8_t> bytes, const std::string& what) {
  onnx::ModelProto m;
  if (bytes.size() > (size_t{1} << 31) ||
      !m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw ImportError(what +
                      ": not an ONNX model, or a truncated or corrupt one (protobuf "
                      "parsing failed)");
  }
  if (!m.has_graph() || m.graph().node_size() == 0) {
    throw ImportError(what + ": the ONNX model has no graph nodes");
  }
  try {
    return Importer(m).Run();
  } catch (const ImportError& e) {
    throw ImportError(what + ": " + e.what());
  } catch (const Unsupported& u) {
    throw ImportError(what + ": " + u.why);
  }
}

Graph ImportOnnxFile(const std::string& path) {
  std::vector<uint8_t> bytes;
  try {
    bytes = runtime::ReadFile(path);
  } catch (const runtime::FileError& e) {
    throw ImportError(e.what());
  }
  return ImportOnnx(bytes, path);
}

void RequireSupported(const Graph& g, const std::string& what) {
  std::string msg;
  int bad = 0;
  for (const NodeReport& n : g.nodes) {
    if (n.supported) continue;
    ++bad;
    msg += fmt::format("\n  node '{}' ({}): {}", n.name, n.op_type, n.note);
  }
  if (bad > 0) {
    throw ImportError(fmt::format("{}: {} node(s) not supported:{}", what, bad, msg));
  }
  if (g.inputs.empty()) throw ImportError(what + ": the graph has no input the NPU can take");
  if (g.outputs.empty()) throw ImportError(what + ": the graph has no output");
  for (const Op& op : g.ops) {
    if (op.output < 0) {
      throw ImportError(
          fmt::format("{}: the result of node '{}' ({}) is never quantized again "
                      "(a QuantizeLinear must follow it)",
                      what, op.name, op.op_type));
    }
  }
}

}  // namespace npu::graph
