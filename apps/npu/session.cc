#include "apps/npu/session.h"

#include <fmt/format.h>

#include <filesystem>

#include "sw/fpga/fpga_backend.h"
#include "sw/graph/onnx_import.h"
#include "sw/iss/iss.h"
#include "tb/dut/rtl_backend.h"

namespace npu::app {

const HwConfig& ConfigByName(const std::string& name) {
  const HwConfig* hw = FindHwConfig(name);
  if (hw == nullptr) {
    std::string known;
    for (const HwConfig& c : kHwConfigs) known += " " + std::string(c.name);
    throw UsageError(fmt::format("unknown configuration '{}' (known:{})", name, known));
  }
  return *hw;
}

runtime::CompiledModel CompileOnnx(const std::string& path, const HwConfig& hw,
                                   uint64_t memory_bytes, uint32_t base,
                                   graph::CompileReport* report) {
  graph::Graph g = graph::ImportOnnxFile(path);
  graph::RequireSupported(g, path);
  graph::CompileOptions opt;
  opt.memory_bytes = memory_bytes;
  opt.base = base;
  opt.source = std::filesystem::path(path).filename().string();
  try {
    return graph::CompileGraph(std::move(g), hw, opt, report);
  } catch (const graph::CompileError& e) {
    throw graph::CompileError(path + ": " + e.what());
  }
}

Session::Session(const std::string& path, const SessionOptions& options) {
  if (options.backend != "sim" && options.backend != "rtl" && options.backend != "fpga") {
    throw UsageError(fmt::format("unknown backend '{}' (known: sim, rtl, fpga)", options.backend));
  }
  if (!options.trace.empty() && options.backend != "rtl") {
    throw UsageError("--trace needs --backend rtl");
  }
  if (options.backend == "fpga" && options.port.empty()) {
    throw UsageError("--backend fpga needs --port (the board's serial port, e.g. /dev/ttyUSB0)");
  }
  if (options.backend != "fpga" && !options.port.empty()) {
    throw UsageError("--port needs --backend fpga");
  }
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext != ".npub" && ext != ".onnx") {
    throw UsageError(fmt::format("{}: expected a .onnx or a .npub file", path));
  }
  // A board says what it is: the model is compiled for its configuration
  // and memory.
  std::unique_ptr<fpga::FpgaBackend> board;
  SessionOptions opt = options;
  if (options.backend == "fpga") {
    fpga::FpgaOptions fo;
    fo.port = options.port;
    fo.baud = options.baud;
    fo.timeout = std::chrono::milliseconds(options.timeout_ms);
    board = std::make_unique<fpga::FpgaBackend>(fo);
    const std::string cfg(board->Config().name);
    if (!options.config.empty() && options.config != cfg) {
      ConfigByName(options.config);
      throw UsageError(fmt::format("the board on {} is configuration {}, not {}", options.port, cfg,
                                   options.config));
    }
    opt.config = cfg;
    opt.memory_bytes = board->Board().mem_bytes;
  }
  if (ext == ".npub") {
    model_ = runtime::LoadModel(path);
    if (!options.config.empty() && options.config != model_.config) {
      ConfigByName(options.config);
      throw runtime::ModelError(fmt::format(
          "{}: compiled for configuration {}, not {}; recompile it with npu compile --config {}",
          path, model_.config, options.config, options.config));
    }
  } else {
    const HwConfig& hw = ConfigByName(opt.config.empty() ? "16x16" : opt.config);
    model_ = CompileOnnx(path, hw, opt.memory_bytes,
                         board ? board->Board().mem_base : graph::CompileOptions{}.base);
  }
  const HwConfig& hw = ConfigByName(model_.config);
  if (board) {
    if (model_.config != board->Config().name) {
      throw runtime::ModelError(fmt::format(
          "{}: compiled for configuration {}, the board on {} is {}; recompile it with npu "
          "compile --config {}",
          path, model_.config, options.port, board->Config().name, board->Config().name));
    }
    backend_ = std::move(board);
  } else if (options.backend == "sim") {
    backend_ = std::make_unique<iss::Iss>(hw);
  } else {
    dut::RtlBackendOptions ro;
    ro.harness.trace_path = options.trace;
    try {
      backend_ = std::make_unique<dut::RtlBackend>(hw, ro);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  if (options.record) {
    auto rec = std::make_unique<runtime::RecordingBackend>(std::move(backend_));
    recording_ = rec.get();
    backend_ = std::move(rec);
  }
}

std::span<const runtime::RecordedPhase> Session::Phases() const {
  if (recording_ == nullptr) return {};
  return recording_->Phases();
}

Session::~Session() = default;

runtime::ModelRunResult Session::Run(std::span<const runtime::NpyArray> inputs,
                                     const runtime::LayerCallback& on_layer) {
  return runtime::RunModel(*backend_, model_, inputs, on_layer);
}

namespace {

double Utilization(uint64_t macs, uint64_t cycles, uint32_t dim) {
  return cycles == 0 ? 0.0 : static_cast<double>(macs) / (static_cast<double>(cycles) * dim * dim);
}

}  // namespace

std::string JsonString(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      o += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      o += c;
    }
  }
  return o + "\"";
}

std::string ReportJson(const runtime::CompiledModel& m, const std::string& backend,
                       const runtime::ModelRunResult& r) {
  uint64_t macs = 0;
  for (const auto& l : r.layers) macs += l.macs;
  std::string s = "{\n";
  s += fmt::format("  \"model\": {},\n  \"backend\": {},\n  \"config\": {},\n",
                   JsonString(m.source), JsonString(backend), JsonString(m.config));
  s += fmt::format("  \"status\": {},\n  \"cycles\": {},\n  \"macs\": {},\n",
                   JsonString(r.status.Describe()), r.cycles, macs);
  s += fmt::format("  \"utilization\": {:.4f},\n  \"layers\": [\n",
                   Utilization(macs, r.cycles, m.dim));
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const runtime::LayerRun& l = r.layers[i];
    const runtime::RunStats& st = l.result.stats;
    s += fmt::format(
        "    {{\"index\": {}, \"name\": {}, \"kind\": {}, \"status\": {}, \"macs\": {}, "
        "\"cycles\": {}, \"utilization\": {:.4f}, \"instructions\": {}, \"bytes_read\": {}, "
        "\"bytes_written\": {}, \"counters\": {{",
        i, JsonString(l.name), JsonString(l.kind), JsonString(l.result.status.Describe()), l.macs,
        st.cycles, Utilization(l.macs, st.cycles, m.dim), st.instructions, st.bytes_read,
        st.bytes_written);
    bool first = true;
    for (const auto& [k, v] : st.counters) {
      s += fmt::format("{}{}: {}", first ? "" : ", ", JsonString(k), v);
      first = false;
    }
    s += i + 1 < r.layers.size() ? "}},\n" : "}}\n";
  }
  s += "  ]\n}\n";
  return s;
}

std::string ReportTable(const runtime::CompiledModel& m, const runtime::ModelRunResult& r) {
  std::string s = fmt::format("{:>3}  {:<10} {:<28} {:>10} {:>10} {:>6}  {}\n", "#", "kind", "name",
                              "MACs", "cycles", "util", "status");
  uint64_t macs = 0;
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const runtime::LayerRun& l = r.layers[i];
    macs += l.macs;
    s += fmt::format("{:>3}  {:<10} {:<28} {:>10} {:>10} {:>5.1f}%  {}\n", i, l.kind, l.name,
                     l.macs, l.result.stats.cycles,
                     100.0 * Utilization(l.macs, l.result.stats.cycles, m.dim),
                     l.result.status.Describe());
  }
  s += fmt::format("total: {} MACs in {} cycles ({:.1f}% of {}x{} peak)\n", macs, r.cycles,
                   100.0 * Utilization(macs, r.cycles, m.dim), m.dim, m.dim);
  return s;
}

}  // namespace npu::app
