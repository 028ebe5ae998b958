// The `npu` command: compile, run, disassemble and inspect quantized models.
//
//   npu run MODEL.onnx|MODEL.npub --input X.npy [--input NAME=X.npy ...] --output Y.npy
//           [--backend sim|rtl|fpga] [--config NAME] [--trace FILE.fst] [--report FILE.json]
//           [--port /dev/ttyUSB0] [--baud N] [--timeout-ms N]
//   npu compile MODEL.onnx -o MODEL.npub [--config NAME]
//   npu disasm MODEL.npub
//   npu info MODEL.onnx|MODEL.npub [--config NAME]
//   npu eval MODEL --images X.npy [--labels L.npy] [--reference R.npy] [--check sim]
//           [--backend sim|rtl|fpga] [--config NAME] [--count N] [--port ...]
//
// Exit status: 0 success, 1 an error in the model, the inputs or a file
// (the message names it), 2 a usage error, 3 the device reported an error.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>

#include "apps/npu/session.h"
#include "sw/graph/onnx_import.h"
#include "sw/isa/disasm.h"
#include "sw/isa/serialize.h"
#include "sw/runtime/file_io.h"

namespace {

using npu::app::Session;
using npu::app::SessionOptions;
using npu::app::UsageError;
namespace runtime = npu::runtime;

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitDevice = 3;

/// Progress of a run on a terminal: layer i of n, simulated cycles, cycles
/// per second and the time left (from the tiler's estimates); nothing when
/// stderr is not a terminal.
class Progress {
 public:
  Progress(const runtime::CompiledModel& m, bool enabled) : m_(m), enabled_(enabled) {
    for (const auto& l : m.layers) est_total_ += l.est_cycles;
    start_ = std::chrono::steady_clock::now();
  }
  void Layer(size_t i, size_t n, const runtime::RunResult& r) {
    cycles_ += r.stats.cycles;
    est_done_ += m_.layers[i].est_cycles;
    if (!enabled_) return;
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = secs > 0 ? static_cast<double>(cycles_) / secs : 0.0;
    const double left =
        est_done_ > 0 ? secs * static_cast<double>(est_total_ - est_done_) / est_done_ : 0.0;
    std::fprintf(stderr, "\r\033[Klayer %zu of %zu (%s): %llu cycles, %.0f cycles/s, %.0f s left",
                 i + 1, n, m_.layers[i].name.c_str(), static_cast<unsigned long long>(cycles_),
                 rate, left);
    if (i + 1 == n || !r.status.ok) std::fprintf(stderr, "\n");
  }

 private:
  const runtime::CompiledModel& m_;
  bool enabled_;
  uint64_t cycles_ = 0, est_total_ = 0, est_done_ = 0;
  std::chrono::steady_clock::time_point start_;
};

std::string Ext(const std::string& path) {
  return std::filesystem::path(path).extension().string();
}

/// Orders the --input arguments (X.npy or NAME=X.npy) as the model's inputs.
std::vector<runtime::NpyArray> ReadInputs(const runtime::CompiledModel& m,
                                          const std::vector<std::string>& args) {
  std::map<std::string, std::string> named;
  std::vector<std::string> positional;
  for (const std::string& a : args) {
    const size_t eq = a.find('=');
    if (eq != std::string::npos && Ext(a) == ".npy" && eq < a.size() - 4 &&
        !std::filesystem::exists(a)) {
      named[a.substr(0, eq)] = a.substr(eq + 1);
    } else {
      positional.push_back(a);
    }
  }
  for (const auto& [name, file] : named) {
    std::string known;
    bool found = false;
    for (const auto& io : m.inputs) {
      known += " " + io.name;
      found = found || io.name == name;
    }
    if (found) continue;
    throw UsageError(fmt::format("the model has no input '{}' (its inputs:{})", name, known));
  }
  std::vector<runtime::NpyArray> inputs;
  size_t next = 0;
  for (const runtime::ModelIo& io : m.inputs) {
    std::string path;
    if (auto it = named.find(io.name); it != named.end()) {
      path = it->second;
      named.erase(it);
    } else if (next < positional.size()) {
      path = positional[next++];
    } else {
      throw UsageError(fmt::format("no --input for the model's input '{}'", io.name));
    }
    runtime::NpyArray a = runtime::ReadNpy(path);
    inputs.push_back(std::move(a));
  }
  if (next < positional.size()) {
    throw UsageError(
        fmt::format("{} --input given, the model has {} input(s)", args.size(), m.inputs.size()));
  }
  return inputs;
}

int Run(const std::string& model, const std::vector<std::string>& input_args,
        const std::vector<std::string>& outputs, const SessionOptions& opt,
        const std::string& report) {
  Session s(model, opt);
  const runtime::CompiledModel& m = s.Model();
  if (outputs.size() != m.outputs.size()) {
    throw UsageError(fmt::format("the model has {} output(s), {} --output given", m.outputs.size(),
                                 outputs.size()));
  }
  std::vector<runtime::NpyArray> inputs = ReadInputs(m, input_args);
  runtime::CheckInputs(m, inputs);
  Progress progress(m, opt.backend == "rtl" && isatty(STDERR_FILENO));
  const runtime::ModelRunResult r = s.Run(
      inputs, [&](size_t i, size_t n, const runtime::RunResult& rr) { progress.Layer(i, n, rr); });
  if (!r.status.ok) {
    std::cerr << fmt::format("npu: error: the device stopped in layer {} of {}: {}\n",
                             r.layers.size(), m.layers.size(), r.status.Describe());
    return kExitDevice;
  }
  for (size_t i = 0; i < outputs.size(); ++i) runtime::WriteNpy(outputs[i], r.outputs[i]);
  if (!report.empty())
    runtime::WriteFileAtomically(report, npu::app::ReportJson(m, s.Backend().Name(), r));
  std::cout << npu::app::ReportTable(m, r);
  return 0;
}

int64_t Argmax(const std::vector<float>& v) {
  return std::max_element(v.begin(), v.end()) - v.begin();
}

/// Runs a one-input, one-output float model over a batch of images: the
/// accuracy against labels, the agreement with a reference (another
/// framework's outputs) in output steps, and optionally the same images on
/// a second backend, bit for bit.
int Eval(const std::string& model, const std::string& images, const std::string& labels,
         const std::string& reference, const std::string& check, int64_t count,
         const SessionOptions& opt) {
  Session s(model, opt);
  const runtime::CompiledModel& m = s.Model();
  if (m.inputs.size() != 1 || m.outputs.size() != 1 ||
      m.outputs[0].dtype != runtime::DType::kFloat32) {
    throw UsageError("npu eval takes a model with one input and one float output");
  }
  const runtime::ModelIo& in = m.inputs[0];
  const runtime::ModelIo& out = m.outputs[0];
  const runtime::NpyArray x = runtime::ReadNpy(images);
  if (x.dtype != in.dtype || x.shape.size() != in.shape.size() ||
      !std::equal(x.shape.begin() + 1, x.shape.end(), in.shape.begin() + 1)) {
    throw runtime::ModelError(fmt::format("{}: {} {} is not a batch of the model's input {} {}",
                                          images, runtime::DTypeName(x.dtype), x.ShapeString(),
                                          runtime::DTypeName(in.dtype),
                                          runtime::NpyArray{in.dtype, in.shape, {}}.ShapeString()));
  }
  const int64_t n = count > 0 ? std::min(count, x.shape[0]) : x.shape[0];
  std::vector<int64_t> y;
  if (!labels.empty()) {
    const runtime::NpyArray l = runtime::ReadNpy(labels);
    if (l.dtype != runtime::DType::kInt64 || l.shape.size() != 1 || l.shape[0] < n) {
      throw runtime::ModelError(labels + ": expected int64 labels, one per image");
    }
    y.resize(static_cast<size_t>(l.shape[0]));
    std::memcpy(y.data(), l.data.data(), y.size() * 8);
  }
  std::vector<float> ref;
  const int64_t per = runtime::NpyArray{out.dtype, out.shape, {}}.NumElements();
  if (!reference.empty()) {
    const runtime::NpyArray r = runtime::ReadNpy(reference);
    if (r.dtype != runtime::DType::kFloat32 || r.NumElements() < n * per) {
      throw runtime::ModelError(reference + ": expected float32 outputs, one set per image");
    }
    ref = runtime::FloatValues(r);
  }
  std::unique_ptr<Session> other;
  if (!check.empty()) {
    SessionOptions o = opt;
    o.backend = check;
    o.trace.clear();
    o.port.clear();
    if (opt.backend == "fpga") o.config = s.Model().config;  // the board's
    other = std::make_unique<Session>(model, o);
  }
  int64_t correct = 0, ref_correct = 0, equal = 0, mismatches = 0;
  double max_steps = 0;
  uint64_t cycles = 0;
  std::vector<uint64_t> layer_cycles(m.layers.size(), 0);
  const bool tty = isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < n; ++i) {
    const std::vector<runtime::NpyArray> inputs = {runtime::BatchItem(x, i)};
    const runtime::ModelRunResult r = s.Run(inputs);
    if (!r.status.ok) {
      std::cerr << fmt::format("npu: error: image {}: the device stopped: {}\n", i,
                               r.status.Describe());
      return kExitDevice;
    }
    cycles += r.cycles;
    for (size_t k = 0; k < r.layers.size(); ++k) layer_cycles[k] += r.layers[k].result.stats.cycles;
    const std::vector<float> v = runtime::FloatValues(r.outputs[0]);
    if (!y.empty() && Argmax(v) == y[i]) ++correct;
    if (!ref.empty()) {
      const std::vector<float> rv(ref.begin() + i * per, ref.begin() + (i + 1) * per);
      if (!y.empty() && Argmax(rv) == y[i]) ++ref_correct;
      for (int64_t k = 0; k < per; ++k) {
        const double d = std::abs(static_cast<double>(v[k]) - rv[k]) / out.scale;
        if (d < 0.5) ++equal;
        max_steps = std::max(max_steps, d);
      }
    }
    if (other) {
      const runtime::ModelRunResult r2 = other->Run(inputs);
      if (r2.outputs[0].data != r.outputs[0].data) {
        if (mismatches == 0) {
          std::cerr << fmt::format("npu: image {}: {} and {} differ\n", i, s.Backend().Name(),
                                   other->Backend().Name());
        }
        ++mismatches;
      }
    }
    if (tty) {
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::fprintf(stderr, "\r\033[Kimage %lld of %lld, %.0f cycles/s, %.0f s left",
                   static_cast<long long>(i + 1), static_cast<long long>(n),
                   secs > 0 ? cycles / secs : 0.0, secs / (i + 1) * (n - i - 1));
    }
  }
  if (tty) std::fprintf(stderr, "\r\033[K");
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format("{} on {} ({}), {} image(s):\n", m.source, s.Backend().Name(), m.config,
                           n);
  std::cout << fmt::format("{:>3}  {:<10} {:<28} {:>10} {:>12} {:>6}\n", "#", "kind", "name",
                           "MACs", "cycles/image", "util");
  for (size_t k = 0; k < m.layers.size(); ++k) {
    const runtime::ModelLayer& l = m.layers[k];
    const double c = static_cast<double>(layer_cycles[k]) / n;
    std::cout << fmt::format("{:>3}  {:<10} {:<28} {:>10} {:>12.0f} {:>5.1f}%\n", k, l.kind, l.name,
                             l.macs, c, c > 0 ? 100.0 * l.macs / (c * m.dim * m.dim) : 0.0);
  }
  std::cout << fmt::format("cycles per image: {:.0f}; {:.0f} simulated cycles/s\n",
                           static_cast<double>(cycles) / n, secs > 0 ? cycles / secs : 0.0);
  if (!y.empty()) {
    std::cout << fmt::format("accuracy: {}/{} = {:.2f}%", correct, n, 100.0 * correct / n);
    if (!ref.empty()) {
      std::cout << fmt::format("; reference ({}): {}/{} = {:.2f}%", reference, ref_correct, n,
                               100.0 * ref_correct / n);
    }
    std::cout << "\n";
  }
  if (!ref.empty()) {
    std::cout << fmt::format(
        "outputs equal to the reference: {}/{} = {:.2f}%, largest difference {:.0f} step(s)\n",
        equal, n * per, 100.0 * equal / (n * per), max_steps);
  }
  if (other) {
    std::cout << fmt::format("{} against {}: {} of {} image(s) differ\n", s.Backend().Name(),
                             other->Backend().Name(), mismatches, n);
    if (mismatches > 0) return kExitError;
  }
  return 0;
}

int Compile(const std::string& model, const std::string& out, const std::string& config,
            uint64_t memory) {
  if (Ext(model) != ".onnx") throw UsageError(model + ": npu compile takes a .onnx model");
  const npu::HwConfig& hw = npu::app::ConfigByName(config);
  npu::graph::CompileReport rep;
  const runtime::CompiledModel m =
      npu::app::CompileOnnx(model, hw, memory, npu::graph::CompileOptions{}.base, &rep);
  runtime::SaveModel(out, m);
  std::cout << npu::graph::DescribeModel(m);
  for (const std::string& f : rep.fused) std::cout << "fused: " << f << "\n";
  for (const std::string& f : rep.folded) std::cout << "folded: " << f << "\n";
  std::cout << fmt::format("activation buffers: {} bytes without reuse, {} with\n",
                           rep.activation_sum, m.activation_bytes);
  std::cout << "wrote " << out << "\n";
  return 0;
}

int Disasm(const std::string& path) {
  const runtime::CompiledModel m = runtime::LoadModel(path);
  std::cout << npu::graph::DescribeModel(m);
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const runtime::ModelLayer& l = m.layers[i];
    std::cout << fmt::format("\nlayer {}: {} ({}) at 0x{:08x}, {} instructions\n", i, l.name,
                             l.kind, l.stream_addr, l.num_instr);
    for (const runtime::Segment& s : m.constants) {
      if (s.addr != l.stream_addr) continue;
      const size_t n = std::min<size_t>(s.bytes.size() / npu::isa::kInstrBytes, l.num_instr);
      std::cout << npu::isa::DisassembleStream(
          npu::isa::Deserialize(std::span(s.bytes.data(), n * npu::isa::kInstrBytes)));
    }
  }
  return 0;
}

int Info(const std::string& path, const std::string& config, uint64_t memory) {
  if (Ext(path) == ".npub") {
    std::cout << npu::graph::DescribeModel(runtime::LoadModel(path));
    return 0;
  }
  const npu::HwConfig& hw = npu::app::ConfigByName(config);
  npu::graph::Graph g = npu::graph::ImportOnnxFile(path);
  std::cout << fmt::format("{}: graph '{}', {} form, {} node(s)\n", path, g.name, g.form,
                           g.nodes.size());
  int bad = 0;
  for (const auto& n : g.nodes) {
    std::cout << fmt::format("  {:<3} {:<28} {:<18} {}\n", n.supported ? "ok" : "NO", n.name,
                             n.op_type, n.note);
    bad += n.supported ? 0 : 1;
  }
  if (bad > 0) {
    std::cout << fmt::format("{} node(s) not supported; no plan\n", bad);
    return kExitError;
  }
  npu::graph::CompileReport rep;
  npu::graph::CompileOptions opt;
  opt.memory_bytes = memory;
  opt.source = std::filesystem::path(path).filename().string();
  npu::graph::RequireSupported(g, path);
  const runtime::CompiledModel m = npu::graph::CompileGraph(std::move(g), hw, opt, &rep);
  std::cout << "\nplan:\n" << npu::graph::DescribeModel(m);
  for (const std::string& f : rep.fused) std::cout << "fused: " << f << "\n";
  for (const std::string& f : rep.folded) std::cout << "folded: " << f << "\n";
  std::cout << fmt::format(
      "activation buffers: {} bytes without reuse, {} at the peak with reuse\n", rep.activation_sum,
      m.activation_bytes);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"npu: compile and run quantized ONNX models on the npu accelerator's simulators"};
  app.require_subcommand(1);
  SessionOptions opt;
  std::string model, out, report, config;
  std::vector<std::string> inputs, outputs;
  uint64_t memory = 256u << 20;
  const auto config_check = [](const std::string& name) -> std::string {
    return npu::FindHwConfig(name) ? "" : "unknown configuration '" + name + "'";
  };

  CLI::App* run = app.add_subcommand("run", "run a model (.onnx or .npub) on a backend");
  run->add_option("model", model, "MODEL.onnx or MODEL.npub")->required()->check(CLI::ExistingFile);
  run->add_option("--input,-i", inputs, "X.npy, or NAME=X.npy, one per model input")->required();
  run->add_option("--output,-o", outputs, "Y.npy, one per model output")->required();
  run->add_option("--backend,-b", opt.backend,
                  "sim (instruction-level simulator), rtl or fpga (a board on --port)")
      ->check(CLI::IsMember({"sim", "rtl", "fpga"}));
  run->add_option("--config,-c", opt.config,
                  "hardware configuration (default: the model's, 16x16 for .onnx)")
      ->check(config_check);
  run->add_option("--trace", opt.trace, "FST waveform of the RTL run");
  run->add_option("--report", report, "per-layer report as JSON");
  run->add_option("--memory", opt.memory_bytes, "device memory window in bytes (for .onnx)");

  CLI::App* comp = app.add_subcommand("compile", "compile an ONNX model into a .npub image");
  comp->add_option("model", model, "MODEL.onnx")->required()->check(CLI::ExistingFile);
  comp->add_option("-o,--output", out, "MODEL.npub")->required();
  comp->add_option("--config,-c", config, "hardware configuration")
      ->default_val("16x16")
      ->check(config_check);
  comp->add_option("--memory", memory, "device memory window in bytes");

  CLI::App* dis = app.add_subcommand("disasm", "disassemble a compiled model");
  dis->add_option("model", model, "MODEL.npub")->required()->check(CLI::ExistingFile);

  CLI::App* info = app.add_subcommand("info", "every node: supported or not, and the plan");
  info->add_option("model", model, "MODEL.onnx or MODEL.npub")
      ->required()
      ->check(CLI::ExistingFile);
  info->add_option("--config,-c", config, "hardware configuration")
      ->default_val("16x16")
      ->check(config_check);
  info->add_option("--memory", memory, "device memory window in bytes");

  CLI::App* ev = app.add_subcommand("eval", "accuracy of a classifier over a batch of images");
  std::string images, labels, reference, check;
  int64_t count = 0;
  ev->add_option("model", model, "MODEL.onnx or MODEL.npub")->required()->check(CLI::ExistingFile);
  ev->add_option("--images", images, "the images, one per entry of the first axis")
      ->required()
      ->check(CLI::ExistingFile);
  ev->add_option("--labels", labels, "int64 labels")->check(CLI::ExistingFile);
  ev->add_option("--reference", reference,
                 "another framework's outputs, float32, one set per image")
      ->check(CLI::ExistingFile);
  ev->add_option("--check", check, "also run every image on this backend and compare bit for bit")
      ->check(CLI::IsMember({"sim", "rtl"}));
  ev->add_option("--count", count, "only the first N images");
  ev->add_option("--backend,-b", opt.backend, "sim, rtl or fpga (a board on --port)")
      ->check(CLI::IsMember({"sim", "rtl", "fpga"}));
  for (CLI::App* sub : {run, ev}) {
    sub->add_option("--port", opt.port, "fpga: the board's serial port, e.g. /dev/ttyUSB0");
    sub->add_option("--baud", opt.baud, "fpga: the board's UART rate")->default_val(opt.baud);
    sub->add_option("--timeout-ms", opt.timeout_ms, "fpga: longest wait for the board to answer")
        ->default_val(opt.timeout_ms);
  }
  ev->add_option("--config,-c", opt.config, "hardware configuration")->check(config_check);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  try {
    if (*run) return Run(model, inputs, outputs, opt, report);
    if (*comp) return Compile(model, out, config, memory);
    if (*dis) return Disasm(model);
    if (*info) return Info(model, config, memory);
    if (*ev) return Eval(model, images, labels, reference, check, count, opt);
  } catch (const UsageError& e) {
    std::cerr << "npu: usage error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "npu: error: " << e.what() << "\n";
    return kExitError;
  }
  return kExitUsage;
}
