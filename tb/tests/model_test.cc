// Whole models through the graph compiler: the trained digits CNN
// (models/digits, quantized by ONNX Runtime's quantize_static, QDQ, per
// tensor and per channel) imported, compiled for every configuration and
// run on the instruction-level simulator against the golden model
// (tb/tests/golden_graph.h: every layer through tb/golden) and against ONNX
// Runtime's outputs; on the RTL against the simulator; and every class of
// bad input with a check of its message.
#include "sw/runtime/model.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <random>

#include "sw/graph/graph_compiler.h"
#include "sw/graph/onnx_import.h"
#include "sw/iss/iss.h"
#include "sw/runtime/npy.h"
#include "tb/common/test_seed.h"
#include "tb/dut/dut_model.h"
#include "tb/dut/rtl_backend.h"
#include "tb/tests/golden_graph.h"
#include "tb/tests/random_layers.h"

namespace npu {
namespace {

using runtime::NpyArray;
using ::testing::HasSubstr;

const std::string kDigits = NPU_SOURCE_DIR "/models/digits/";

std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

struct Digits {
  NpyArray images = runtime::ReadNpy(kDigits + "test_images.npy");
  NpyArray labels = runtime::ReadNpy(kDigits + "test_labels.npy");
  int64_t Label(int64_t i) const {
    int64_t l;
    std::memcpy(&l, labels.data.data() + 8 * i, 8);
    return l;
  }
};

int64_t Argmax(const std::vector<float>& v) {
  return std::max_element(v.begin(), v.end()) - v.begin();
}

class DigitsTest : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

// Every held-out image on the simulator: bit for bit the golden model; the
// accuracy within one image of ONNX Runtime's and the outputs at most one
// step from its (the differences of its float requantization add up over
// the four layers: about 2.5 % of the outputs differ by one step; the
// single-operator figures are in docs/models.md).
TEST_P(DigitsTest, SimulatorMatchesGoldenAndOnnxRuntime) {
  const auto& [variant, config] = GetParam();
  const HwConfig& hw = *FindHwConfig(config);
  graph::Graph g = graph::ImportOnnxFile(kDigits + "digits_" + variant + ".onnx");
  graph::RequireSupported(g, variant);
  graph::FuseResidualAdds(g);
  const runtime::CompiledModel m = graph::CompileGraph(g, hw, {});
  const NpyArray ort =
      runtime::ReadNpy(kDigits + (variant == "qdq" ? "ort_logits.npy" : "ort_logits_pc.npy"));
  const std::vector<float> ref = runtime::FloatValues(ort);
  const Digits d;
  iss::Iss sim(hw);
  const int64_t n = d.images.shape[0];
  int64_t correct = 0, ort_correct = 0, equal = 0, values = 0;
  double max_steps = 0;
  for (int64_t i = 0; i < n; ++i) {
    const std::vector<NpyArray> in = {runtime::BatchItem(d.images, i)};
    const runtime::ModelRunResult r = runtime::RunModel(sim, m, in);
    ASSERT_TRUE(r.status.ok) << r.status.Describe();
    const std::vector<NpyArray> golden = testing::GoldenGraph(g, m, in).outputs;
    ASSERT_EQ(r.outputs[0].data, golden[0].data) << "image " << i;
    const std::vector<float> y = runtime::FloatValues(r.outputs[0]);
    const std::vector<float> o(ref.begin() + i * 10, ref.begin() + (i + 1) * 10);
    for (size_t k = 0; k < y.size(); ++k) {
      const double steps = std::abs(static_cast<double>(y[k]) - o[k]) / m.outputs[0].scale;
      equal += steps < 0.5;
      max_steps = std::max(max_steps, steps);
      ++values;
    }
    correct += Argmax(y) == d.Label(i);
    ort_correct += Argmax(o) == d.Label(i);
  }
  std::cout << fmt::format(
      "digits {} on {}: accuracy {}/{} (ONNX Runtime {}/{}), outputs equal to ONNX Runtime's "
      "{}/{}, largest difference {:.0f} step(s)\n",
      variant, config, correct, n, ort_correct, n, equal, values, max_steps);
  EXPECT_LE(std::abs(correct - ort_correct), 1);
  EXPECT_LE(max_steps, 1.0 + 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Models, DigitsTest,
                         ::testing::Combine(::testing::Values("qdq", "qdq_pc"),
                                            ::testing::Values("4x4", "8x8", "16x16")),
                         [](const auto& info) {
                           std::string s = std::get<0>(info.param) + "_" + std::get<1>(info.param);
                           for (char& c : s)
                             c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return s;
                         });

// The RTL of every built configuration runs the first images exactly as the
// simulator, with the memory in place between layers.
TEST(DigitsRtl, RtlMatchesSimulator) {
  const Digits d;
  for (const std::string& config : dut::BuiltConfigs()) {
    const HwConfig& hw = *FindHwConfig(config);
    const runtime::CompiledModel m =
        graph::CompileGraph(graph::ImportOnnxFile(kDigits + "digits_qdq.onnx"), hw, {});
    iss::Iss sim(hw);
    dut::RtlBackend rtl(hw, {});
    for (int64_t i = 0; i < 4; ++i) {
      const std::vector<NpyArray> in = {runtime::BatchItem(d.images, i)};
      const runtime::ModelRunResult a = runtime::RunModel(sim, m, in);
      const runtime::ModelRunResult b = runtime::RunModel(rtl, m, in);
      ASSERT_TRUE(b.status.ok) << config << ": " << b.status.Describe();
      ASSERT_EQ(a.outputs[0].data, b.outputs[0].data) << config << " image " << i;
      ASSERT_EQ(b.layers.size(), m.layers.size());
      for (const auto& l : b.layers) EXPECT_GT(l.result.stats.cycles, 0u) << l.name;
    }
  }
}

// ----- generated graphs: fusion, concatenation, padding, every op ----------

/// Builds QDQ graphs as quantize_static writes them: every activation a
/// QuantizeLinear/DequantizeLinear pair, weights and biases through a
/// DequantizeLinear, float ops between.
class QdqBuilder {
 public:
  explicit QdqBuilder(uint64_t seed) : rng_(seed) {
    p_.set_ir_version(7);
    p_.add_opset_import()->set_version(13);
    p_.mutable_graph()->set_name("generated");
  }

  /// A tensor as the float graph sees it: the DequantizeLinear's output.
  struct T {
    std::string name;
    float scale;
    int zp;
    std::vector<int64_t> shape;
  };

  T Input(const std::string& name, std::vector<int64_t> shape, float scale, int zp) {
    auto* in = g()->add_input();
    in->set_name(name);
    auto* tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : shape) tt->mutable_shape()->add_dim()->set_dim_value(d);
    return QuantDequant(name, scale, zp, shape);
  }

  void Output(const T& t) {
    // The last DequantizeLinear's output is the graph output.
    g()->add_output()->set_name(t.name);
  }

  T Conv(const T& x, int cout, int k, int stride, int pad, int group, bool relu, float out_scale,
         int out_zp) {
    const int cin = static_cast<int>(x.shape[1]) / group;
    const std::string w = Weights({cout, cin, k, k});
    const float ws = 0.02f;
    const std::string ww = Dq(w, ws, 0, onnx::TensorProto::INT8);
    const std::string b = Bias(cout, x.scale * ws);
    auto* n = Node("Conv", {x.name, ww, b});
    Ints(n, "kernel_shape", {k, k});
    Ints(n, "strides", {stride, stride});
    Ints(n, "pads", {pad, pad, pad, pad});
    Int(n, "group", group);
    std::string y = n->output(0);
    if (relu) y = Node("Relu", {y})->output(0);
    const int64_t oh = (x.shape[2] + 2 * pad - k) / stride + 1;
    const int64_t ow = (x.shape[3] + 2 * pad - k) / stride + 1;
    return QuantDequant(y, out_scale, out_zp, {1, cout, oh, ow});
  }

  T Add(const T& a, const T& b, bool relu, float out_scale, int out_zp) {
    std::string y = Node("Add", {a.name, b.name})->output(0);
    if (relu) y = Node("Relu", {y})->output(0);
    return QuantDequant(y, out_scale, out_zp, a.shape);
  }

  T Pool(const std::string& op, const T& x, int k, int stride, int pad, float out_scale,
         int out_zp) {
    auto* n = Node(op, {x.name});
    std::vector<int64_t> shape = {1, x.shape[1], 1, 1};
    if (op != "GlobalAveragePool") {
      Ints(n, "kernel_shape", {k, k});
      Ints(n, "strides", {stride, stride});
      Ints(n, "pads", {pad, pad, pad, pad});
      shape[2] = (x.shape[2] + 2 * pad - k) / stride + 1;
      shape[3] = (x.shape[3] + 2 * pad - k) / stride + 1;
    }
    return QuantDequant(n->output(0), out_scale, out_zp, shape);
  }

  T Pad(const T& x, int top, int left, int bottom, int right) {
    const std::string pads =
        Init(onnx::TensorProto::INT64, {8},
             {0.0, 0.0, double(top), double(left), 0.0, 0.0, double(bottom), double(right)});
    auto* n = Node("Pad", {x.name, pads});
    return QuantDequant(n->output(0), x.scale, x.zp,
                        {1, x.shape[1], x.shape[2] + top + bottom, x.shape[3] + left + right});
  }

  T Concat(const std::vector<T>& xs) {
    std::vector<std::string> names;
    int64_t c = 0;
    for (const T& x : xs) {
      names.push_back(x.name);
      c += x.shape[1];
    }
    auto* n = Node("Concat", names);
    Int(n, "axis", 1);
    return QuantDequant(n->output(0), xs[0].scale, xs[0].zp,
                        {1, c, xs[0].shape[2], xs[0].shape[3]});
  }

  T FlattenGemm(const T& x, int nout, float out_scale, int out_zp) {
    auto* f = Node("Flatten", {x.name});
    Int(f, "axis", 1);
    const int64_t k = x.shape[1] * x.shape[2] * x.shape[3];
    const T flat = QuantDequant(f->output(0), x.scale, x.zp, {1, k});
    const float ws = 0.01f;
    const std::string w = Dq(Weights({nout, k}), ws, 0, onnx::TensorProto::INT8);
    auto* n = Node("Gemm", {flat.name, w, Bias(nout, x.scale * ws)});
    Int(n, "transB", 1);
    return QuantDequant(n->output(0), out_scale, out_zp, {1, nout});
  }

  std::vector<uint8_t> Bytes() const {
    const std::string s = p_.SerializeAsString();
    return {s.begin(), s.end()};
  }

 private:
  onnx::GraphProto* g() { return p_.mutable_graph(); }
  std::string Fresh(const std::string& base) { return fmt::format("{}_{}", base, next_++); }

  onnx::NodeProto* Node(const std::string& op, const std::vector<std::string>& inputs) {
    auto* n = g()->add_node();
    n->set_op_type(op);
    n->set_name(Fresh(op));
    for (const auto& i : inputs) n->add_input(i);
    n->add_output(n->name() + "_out");
    return n;
  }
  static void Ints(onnx::NodeProto* n, const char* name, std::vector<int64_t> v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void Int(onnx::NodeProto* n, const char* name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  std::string Init(int dtype, std::vector<int64_t> dims, const std::vector<double>& v) {
    auto* t = g()->add_initializer();
    t->set_name(Fresh("c"));
    t->set_data_type(dtype);
    for (int64_t d : dims) t->add_dims(d);
    for (double x : v) {
      if (dtype == onnx::TensorProto::FLOAT) {
        t->add_float_data(static_cast<float>(x));
      } else if (dtype == onnx::TensorProto::INT64) {
        t->add_int64_data(static_cast<int64_t>(x));
      } else {
        t->add_int32_data(static_cast<int32_t>(x));
      }
    }
    return t->name();
  }
  std::string Weights(std::vector<int64_t> dims) {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    std::uniform_int_distribution<int> u(-40, 40);
    std::vector<double> v(static_cast<size_t>(n));
    for (double& x : v) x = u(rng_);
    return Init(onnx::TensorProto::INT8, dims, v);
  }
  std::string Bias(int n, float scale) {
    std::uniform_int_distribution<int> u(-300, 300);
    std::vector<double> v(static_cast<size_t>(n));
    for (double& x : v) x = u(rng_);
    return Dq(Init(onnx::TensorProto::INT32, {n}, v), scale, 0, onnx::TensorProto::INT32);
  }
  std::string Dq(const std::string& x, float scale, int zp, int zp_type) {
    return Node("DequantizeLinear",
                {x, Init(onnx::TensorProto::FLOAT, {}, {scale}), Init(zp_type, {}, {double(zp)})})
        ->output(0);
  }
  T QuantDequant(const std::string& x, float scale, int zp, std::vector<int64_t> shape) {
    const std::string s = Init(onnx::TensorProto::FLOAT, {}, {scale});
    const std::string z = Init(onnx::TensorProto::INT8, {}, {double(zp)});
    const std::string q = Node("QuantizeLinear", {x, s, z})->output(0);
    return {Node("DequantizeLinear", {q, s, z})->output(0), scale, zp, shape};
  }

  onnx::ModelProto p_;
  std::mt19937_64 rng_;
  int next_ = 0;
};

/// A residual block with every operation: two convolutions whose sum is a
/// fused add, a Pad folded into a depthwise convolution, a concatenation
/// of 32 channels (whole blocks on every configuration) and 8, max and
/// average pooling, global average pooling, a fully connected layer.
std::vector<uint8_t> BlockModel(uint64_t seed) {
  QdqBuilder b(seed);
  const auto x = b.Input("image", {1, 5, 10, 10}, 1.0f / 64, -3);
  const auto a = b.Conv(x, 32, 3, 1, 1, 1, true, 0.05f, -128);
  const auto c = b.Conv(a, 32, 1, 1, 0, 1, false, 0.08f, 4);
  const auto s = b.Add(a, c, true, 0.07f, -128);
  const auto p = b.Pad(s, 1, 1, 1, 1);
  const auto d = b.Conv(p, 32, 3, 1, 0, 32, true, 0.06f, -128);
  const auto e = b.Conv(d, 8, 1, 2, 0, 1, false, 0.06f, -128);  // 5x5x8, same quantization
  const auto m = b.Pool("MaxPool", d, 2, 2, 0, 0.06f, -128);    // 5x5x32
  const auto cat = b.Concat({m, e});                            // 5x5x40
  const auto avg = b.Pool("AveragePool", cat, 3, 1, 1, 0.05f, -100);
  const auto gap = b.Pool("GlobalAveragePool", avg, 0, 0, 0, 0.04f, -90);
  const auto y = b.FlattenGemm(gap, 7, 0.1f, 3);
  b.Output(y);
  return b.Bytes();
}

class BlockTest : public ::testing::TestWithParam<std::string> {};

// The generated block with random weights on the simulator against the
// golden model, and on the RTL (when built) against the simulator, for
// random inputs (NPU_SEED replays them).
TEST_P(BlockTest, SimulatorMatchesGoldenAndRtlMatchesSimulator) {
  const HwConfig& hw = *FindHwConfig(GetParam());
  const uint64_t seed = testing::Seed();  // the weights and the inputs
  const std::vector<uint8_t> bytes = BlockModel(seed);
  graph::Graph g = graph::ImportOnnx(bytes, "block.onnx");
  graph::RequireSupported(g, "block.onnx");
  graph::CompileReport rep;
  const runtime::CompiledModel m = graph::CompileGraph(g, hw, {}, &rep);
  ASSERT_EQ(rep.fused.size(), 1u) << "the add is fused into the convolution";
  graph::FuseResidualAdds(g);
  std::vector<std::string> kinds;
  for (const auto& l : m.layers) kinds.push_back(l.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"conv", "conv", "depthwise", "conv", "max pool",
                                             "avg pool", "mean", "conv"}));
  iss::Iss sim(hw);
  std::unique_ptr<dut::RtlBackend> rtl;
  for (const auto& c : dut::BuiltConfigs()) {
    if (c == GetParam()) rtl = std::make_unique<dut::RtlBackend>(hw, dut::RtlBackendOptions{});
  }
  std::mt19937_64 rng(seed ^ 0x1b1b);
  std::uniform_real_distribution<float> u(-2.0f, 2.0f);
  for (int i = 0; i < 6; ++i) {
    NpyArray x;
    x.shape = m.inputs[0].shape;
    std::vector<float> v(static_cast<size_t>(x.NumElements()));
    for (float& f : v) f = u(rng);
    x.data.resize(v.size() * 4);
    std::memcpy(x.data.data(), v.data(), x.data.size());
    const std::vector<NpyArray> in = {x};
    const runtime::ModelRunResult r = runtime::RunModel(sim, m, in);
    ASSERT_TRUE(r.status.ok) << r.status.Describe();
    ASSERT_EQ(r.outputs[0].data, testing::GoldenGraph(g, m, in).outputs[0].data) << "input " << i;
    if (rtl && i < 2) {
      const runtime::ModelRunResult rr = runtime::RunModel(*rtl, m, in);
      ASSERT_TRUE(rr.status.ok) << rr.status.Describe();
      ASSERT_EQ(rr.outputs[0].data, r.outputs[0].data) << "RTL, input " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Configs, BlockTest, ::testing::Values("4x4", "8x8", "16x16", "32x32"),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& c : s)
                             c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return s;
                         });

// A residual add whose fused convolution would not fit the parameter
// scratchpad (ResNet-50's 2048-channel convolutions on every configuration)
// runs as a layer of its own, bit-exact; one that fits is fused.
TEST(Fusion, AddStaysALayerWhereTheFusedConvolutionDoesNotFit) {
  for (const int channels : {2048, 64}) {
    QdqBuilder b(testing::Seed());
    const auto x = b.Input("x", {1, 8, 2, 2}, 1.0f / 64, -3);
    const auto a = b.Conv(x, channels, 1, 1, 0, 1, true, 0.05f, -128);
    const auto c = b.Conv(a, channels, 1, 1, 0, 1, false, 0.08f, 4);
    b.Output(b.Add(a, c, true, 0.07f, -128));
    const graph::Graph g = graph::ImportOnnx(b.Bytes(), "wide.onnx");
    const HwConfig& hw = *FindHwConfig("4x4");
    graph::CompileReport rep;
    const runtime::CompiledModel m = graph::CompileGraph(g, hw, {}, &rep);
    std::vector<std::string> kinds;
    for (const auto& l : m.layers) kinds.push_back(l.kind);
    if (channels == 2048) {
      EXPECT_TRUE(rep.fused.empty());
      EXPECT_EQ(kinds, (std::vector<std::string>{"conv", "conv", "add"}));
    } else {
      EXPECT_EQ(rep.fused.size(), 1u);
      EXPECT_EQ(kinds, (std::vector<std::string>{"conv", "conv"}));
    }
    std::mt19937_64 rng(testing::Seed());
    NpyArray in;
    in.shape = {1, 8, 2, 2};
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (int i = 0; i < 32; ++i) {
      const float v = u(rng);
      const auto* p = reinterpret_cast<const uint8_t*>(&v);
      in.data.insert(in.data.end(), p, p + 4);
    }
    iss::Iss sim(hw);
    const runtime::ModelRunResult r = runtime::RunModel(sim, m, std::vector<NpyArray>{in});
    ASSERT_TRUE(r.status.ok) << r.status.Describe();
    EXPECT_EQ(r.outputs[0].data, testing::GoldenGraph(g, m, {in}).outputs[0].data) << channels;
  }
}

// A concatenation whose first part does not fill whole channel blocks
// cannot be written in place: the message says so.
// The stem's tap fold (graph::FoldInputTaps, runtime::FoldTaps): a random
// convolution equals the 1x1 convolution of its folded input with the same
// weights, bit for bit, through the golden model (which tests its
// convolution against an outside TFLite reference).
TEST(TapFold, FoldedConvolutionEqualsTheConvolution) {
  std::mt19937_64 rng(testing::Seed());
  for (int i = 0; i < 200; ++i) {
    const compiler::ConvLayer l = testing::RandomConv(rng, {.max_hw = 12, .max_channels = 8});
    const std::vector<int8_t> x = testing::RandomInput(rng, l);
    const runtime::TapFold f{l.kh,       l.kw, l.stride_h, l.stride_w, l.pad_top,
                             l.pad_left, l.h,  l.w,        l.cin};
    compiler::ConvLayer folded = l;
    folded.h = l.OutH();
    folded.w = l.OutW();
    folded.cin = f.FoldedChannels();
    folded.kh = folded.kw = folded.stride_h = folded.stride_w = 1;
    folded.pad_top = folded.pad_left = folded.pad_bottom = folded.pad_right = 0;
    const std::vector<int8_t> fx =
        runtime::FoldTaps(x, f, folded.h, folded.w, static_cast<int8_t>(l.in_zp));
    ASSERT_EQ(testing::GoldenConv(folded, fx), testing::GoldenConv(l, x))
        << "case " << i << " (NPU_SEED=" << testing::Seed() << "): " << testing::Describe(l);
  }
}

TEST(BadModel, ConcatOfPartialChannelBlocks) {
  QdqBuilder b(3);
  const auto x = b.Input("image", {1, 3, 6, 6}, 1.0f / 64, 0);
  const auto a = b.Conv(x, 6, 3, 1, 1, 1, true, 0.05f, -128);
  const auto c = b.Conv(x, 6, 1, 1, 0, 1, true, 0.05f, -128);
  b.Output(b.Concat({a, c}));
  graph::Graph g = graph::ImportOnnx(b.Bytes(), "cat.onnx");
  graph::RequireSupported(g, "cat.onnx");
  try {
    graph::CompileGraph(g, *FindHwConfig("16x16"), {});
    ADD_FAILURE() << "no error";
  } catch (const graph::CompileError& e) {
    EXPECT_THAT(e.what(), HasSubstr("has 6 channels, not a multiple of 16"));
  }
}

// ----- bad input: every class has its message -------------------------------

onnx::ModelProto DigitsProto() {
  onnx::ModelProto p;
  const std::vector<uint8_t> b = ReadBytes(kDigits + "digits_qdq.onnx");
  EXPECT_TRUE(p.ParseFromArray(b.data(), static_cast<int>(b.size())));
  return p;
}

onnx::NodeProto* NodeNamed(onnx::ModelProto& p, const std::string& name) {
  for (auto& n : *p.mutable_graph()->mutable_node()) {
    if (n.name() == name) return &n;
  }
  ADD_FAILURE() << "no node " << name;
  return nullptr;
}

std::string ImportMessage(const onnx::ModelProto& p) {
  const std::string bytes = p.SerializeAsString();
  try {
    graph::Graph g = graph::ImportOnnx(
        std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), "model.onnx");
    graph::RequireSupported(g, "model.onnx");
  } catch (const graph::ImportError& e) {
    return e.what();
  }
  return "(no error)";
}

void SetInts(onnx::NodeProto* n, const std::string& name, std::vector<int64_t> v) {
  onnx::AttributeProto* a = nullptr;
  for (auto& x : *n->mutable_attribute()) {
    if (x.name() == name) a = &x;
  }
  if (a == nullptr) {
    a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
  }
  a->clear_ints();
  for (int64_t x : v) a->add_ints(x);
}

TEST(BadModel, UnsupportedOperatorNamesTheNode) {
  onnx::ModelProto p = DigitsProto();
  NodeNamed(p, "pool")->set_op_type("Softmax");
  const std::string msg = ImportMessage(p);
  EXPECT_THAT(msg, HasSubstr("node 'pool' (Softmax)"));
  EXPECT_THAT(msg, HasSubstr("run Softmax on the host"));
}

TEST(BadModel, UnsupportedAttributes) {
  {
    onnx::ModelProto p = DigitsProto();
    SetInts(NodeNamed(p, "conv1"), "dilations", {2, 2});
    EXPECT_THAT(ImportMessage(p), HasSubstr("node 'conv1' (Conv): dilation other than 1"));
  }
  {
    onnx::ModelProto p = DigitsProto();
    auto* a = NodeNamed(p, "conv2")->add_attribute();
    a->set_name("auto_pad");
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s("SAME_UPPER");
    EXPECT_THAT(ImportMessage(p), HasSubstr("auto_pad=SAME_UPPER is not supported"));
  }
  {
    onnx::ModelProto p = DigitsProto();
    for (auto& a : *NodeNamed(p, "conv2")->mutable_attribute()) {
      if (a.name() == "group") a.set_i(2);
    }
    EXPECT_THAT(ImportMessage(p), HasSubstr("group=2 is not supported"));
  }
}

TEST(BadModel, FloatModelIsRejected) {
  onnx::ModelProto p;
  p.set_ir_version(7);
  p.add_opset_import()->set_version(13);
  onnx::GraphProto* g = p.mutable_graph();
  auto* in = g->add_input();
  in->set_name("x");
  in->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  for (int d : {1, 1, 4, 4}) {
    in->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  }
  auto* w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  for (int d : {1, 1, 1, 1}) w->add_dims(d);
  w->add_float_data(0.5f);
  auto* n = g->add_node();
  n->set_name("conv");
  n->set_op_type("Conv");
  n->add_input("x");
  n->add_input("w");
  n->add_output("y");
  g->add_output()->set_name("y");
  EXPECT_THAT(ImportMessage(p), HasSubstr("the model is not quantized"));
}

TEST(BadModel, TruncatedOrCorruptOnnx) {
  std::vector<uint8_t> b = ReadBytes(kDigits + "digits_qdq.onnx");
  b.resize(b.size() / 3);
  EXPECT_THROW(
      {
        try {
          graph::ImportOnnx(b, "cut.onnx");
        } catch (const graph::ImportError& e) {
          EXPECT_THAT(e.what(), HasSubstr("cut.onnx: not an ONNX model, or a truncated"));
          throw;
        }
      },
      graph::ImportError);
  EXPECT_THROW(graph::ImportOnnxFile("/nonexistent/model.onnx"), graph::ImportError);
}

runtime::CompiledModel DigitsModel(const char* config = "16x16", uint64_t memory = 256u << 20) {
  graph::CompileOptions o;
  o.memory_bytes = memory;
  return graph::CompileGraph(graph::ImportOnnxFile(kDigits + "digits_qdq.onnx"),
                             *FindHwConfig(config), o);
}

std::string ParseMessage(const std::vector<uint8_t>& bytes) {
  try {
    runtime::ParseModel(bytes, "m.npub");
  } catch (const runtime::ModelError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(BadCompiledModel, EveryDefectIsNamed) {
  const std::vector<uint8_t> good = runtime::SerializeModel(DigitsModel());
  EXPECT_EQ(runtime::SerializeModel(runtime::ParseModel(good, "m.npub")), good);
  std::vector<uint8_t> b = good;
  b[0] = 'X';
  EXPECT_THAT(ParseMessage(b), HasSubstr("not a compiled npu model"));
  b = good;
  b[b.size() / 2] ^= 0x40;
  EXPECT_THAT(ParseMessage(b), HasSubstr("checksum mismatch"));
  b = good;
  b.resize(b.size() - 100);
  EXPECT_THAT(ParseMessage(b), HasSubstr("m.npub"));
  b = good;
  b[8] = static_cast<uint8_t>(runtime::kModelFormatVersion + 1);  // the field after the magic
  EXPECT_THAT(
      ParseMessage(b),
      HasSubstr(fmt::format("format version {}, this runtime reads version {}",
                            runtime::kModelFormatVersion + 1, runtime::kModelFormatVersion)));
}

TEST(BadCompiledModel, AnotherConfiguration) {
  const runtime::CompiledModel m = DigitsModel("8x8");
  iss::Iss sim(*FindHwConfig("16x16"));
  const Digits d;
  const std::vector<NpyArray> in = {runtime::BatchItem(d.images, 0)};
  try {
    runtime::RunModel(sim, m, in);
    ADD_FAILURE() << "no error";
  } catch (const runtime::ModelError& e) {
    EXPECT_THAT(e.what(), HasSubstr("compiled for configuration 8x8"));
    EXPECT_THAT(e.what(), HasSubstr("--config 16x16"));
  }
}

/// What CheckInputs says of @p in ("" if nothing).
std::string InputsMessage(const runtime::CompiledModel& m, const std::vector<NpyArray>& in) {
  try {
    runtime::CheckInputs(m, in);
  } catch (const runtime::ModelError& e) {
    return e.what();
  }
  return "";
}

TEST(BadInput, ShapeAndDtype) {
  const runtime::CompiledModel m = DigitsModel();
  NpyArray a;
  a.dtype = runtime::DType::kFloat32;
  a.shape = {1, 1, 8, 7};
  a.data.resize(56 * 4);
  std::vector<NpyArray> in = {a};
  EXPECT_THAT(InputsMessage(m, in),
              HasSubstr("input 'input' must have shape [1, 1, 8, 8], got [1, 1, 8, 7]"));
  in[0].dtype = runtime::DType::kInt8;
  in[0].shape = {1, 1, 8, 8};
  in[0].data.resize(64);
  EXPECT_THAT(InputsMessage(m, in), HasSubstr("input 'input' must be float32, got int8"));
}

TEST(BadModel, DoesNotFitTheMemoryWindow) {
  try {
    DigitsModel("16x16", 4096);
    ADD_FAILURE() << "no error";
  } catch (const graph::CompileError& e) {
    EXPECT_THAT(e.what(), HasSubstr("more than the memory window of 4096 bytes"));
  }
}

// The activation plan reuses buffers: conv1's output is dead once conv2 has
// run, so the pool's output can take its place.
TEST(Plan, ReusesActivationBuffers) {
  graph::CompileReport rep;
  const runtime::CompiledModel m = graph::CompileGraph(
      graph::ImportOnnxFile(kDigits + "digits_qdq.onnx"), *FindHwConfig("16x16"), {}, &rep);
  EXPECT_LT(m.activation_bytes, rep.activation_sum);
  for (size_t i = 0; i < rep.buffers.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const auto& a = rep.buffers[i];
      const auto& b = rep.buffers[j];
      const bool live_together = a.first <= b.last && b.first <= a.last;
      const bool overlap = a.addr < b.addr + b.bytes && b.addr < a.addr + a.bytes;
      EXPECT_FALSE(live_together && overlap) << "buffers " << i << " and " << j;
    }
  }
}

}  // namespace
}  // namespace npu
