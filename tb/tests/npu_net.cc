// npu_net: one whole network through a backend (by default the RTL), every
// layer's output checked bit for bit against the golden model as it
// completes, the final output compared with a reference (ONNX Runtime's),
// and the figures an architect reads: a per-layer table (operator, shape,
// MACs, cycles, utilization, DMA bytes, stall cycles by reason), the
// network's cycles, utilization, images per second, memory traffic against
// the minimum, and the simulation speed. `make bench` runs it on ResNet-50
// and MobileNetV2 (scripts/gen_networks.py) and draws the CSV and JSON it
// writes (scripts/plot_bench.py).
//
//   npu_net MODEL.onnx --input X.npy [--reference Y.npy] [--config 16x16]
//           [--backend rtl|sim] [--memory default|ideal|stress]
//           [--latency MIN[:MAX]] [--read-bandwidth B] [--csv F] [--json F]
//           [--floor-util PCT] [--floor-wall S] [--array-rate CYCLES_PER_S]
//
// Exit status: 0, 1 when a layer differs from the golden model or on bad
// input, 3 when the device reports an error, 4 when a floor is missed.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apps/npu/session.h"
#include "sw/graph/onnx_import.h"
#include "sw/iss/iss.h"
#include "sw/runtime/file_io.h"
#include "sw/runtime/layout.h"
#include "sw/runtime/model.h"
#include "sw/runtime/npy.h"
#include "tb/dut/rtl_backend.h"
#include "tb/tests/golden_graph.h"

namespace npu {
namespace {

// How the simulator's C++ was compiled (NPU_PGO): the speed figures depend on it.
#ifndef NPU_PGO_MODE
#define NPU_PGO_MODE ""
#endif
constexpr std::string_view kPgoMode = NPU_PGO_MODE;
constexpr const char* kBuild = kPgoMode == "use"        ? "profile-guided"
                               : kPgoMode == "generate" ? "profile-instrumented"
                                                        : "plain";

/// The stall counters of the per-layer table, by reason (docs/gen/regs.md).
constexpr const char* kStalls[] = {"fetch_stall",       "load_stall_dep",       "load_stall_mem",
                                   "compute_stall_dep", "compute_stall_hazard", "window_stall_dep",
                                   "window_stall_port", "store_stall_dep",      "store_stall_mem"};

struct Options {
  std::string model, input, reference, config = "16x16", backend = "rtl", memory = "default";
  std::string latency, csv, json, name;
  double read_bandwidth = 0;
  double fmax_mhz = 0;
  double floor_util = 0, floor_wall = 0;  // %, s; 0: none
  double array_rate = 0;                  // cycles/s of the bare array; 0: not measured
  uint64_t seed = 1;
  bool golden = true;
};

bus::AxiMemoryConfig MemoryOf(const Options& o) {
  bus::AxiMemoryConfig c = o.memory == "ideal"    ? bus::AxiMemoryConfig::Ideal(o.seed)
                           : o.memory == "stress" ? bus::AxiMemoryConfig::Stress(o.seed)
                                                  : bus::AxiMemoryConfig::Default(o.seed);
  if (!o.latency.empty()) {
    const size_t colon = o.latency.find(':');
    c.min_latency = std::stoi(o.latency.substr(0, colon));
    c.max_latency =
        colon == std::string::npos ? c.min_latency : std::stoi(o.latency.substr(colon + 1));
  }
  if (o.read_bandwidth > 0) c.read_bytes_per_cycle = o.read_bandwidth;
  c.Validate();
  return c;
}

double Ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

uint64_t Counter(const runtime::RunStats& st, const char* name) {
  const auto it = st.counters.find(name);
  return it == st.counters.end() ? 0 : it->second;
}

/// Device bytes of a tensor.
uint64_t Bytes(const runtime::TensorRegion& t, uint32_t dim) {
  return runtime::BlockedBytes(t.h, t.w, t.c, static_cast<int>(dim));
}

int Run(const Options& o) {
  const HwConfig& hw = app::ConfigByName(o.config);
  const std::string name = o.name.empty() ? std::filesystem::path(o.model).stem().string() : o.name;
  graph::Graph imported = graph::ImportOnnxFile(o.model);
  graph::RequireSupported(imported, o.model);
  graph::CompileOptions copt;
  copt.source = std::filesystem::path(o.model).filename().string();
  const runtime::CompiledModel m = graph::CompileGraph(imported, hw, copt);
  const std::vector<runtime::NpyArray> inputs = {runtime::ReadNpy(o.input)};
  runtime::CheckInputs(m, inputs);

  std::optional<testing::GoldenValues> golden;
  if (o.golden) {
    const auto t0 = std::chrono::steady_clock::now();
    golden = testing::GoldenGraph(imported, m, inputs);
    std::cerr << fmt::format(
        "golden model: {} values in {:.1f} s\n", golden->by_name.size(),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }

  std::unique_ptr<runtime::Backend> be;
  bus::AxiMemoryConfig mem_cfg = MemoryOf(o);
  if (o.backend == "sim") {
    be = std::make_unique<iss::Iss>(hw);
  } else {
    dut::RtlBackendOptions ro;
    ro.harness.mem = mem_cfg;
    ro.harness.axi_monitor = false;  // it reports simulation speed; the tests run with the monitor
    be = std::make_unique<dut::RtlBackend>(hw, ro);
  }

  const uint32_t dim = hw.dim;
  const double peak = double(dim) * dim;
  std::cout << fmt::format(
      "{} on {} ({}), memory model {}{}\n", name, be->Name(), hw.name,
      o.backend == "sim" ? "none (the simulator does not model time)" : o.memory,
      o.backend == "sim"
          ? ""
          : fmt::format(", latency {}..{}, read cap {}, seed {} (--seed)", mem_cfg.min_latency,
                        mem_cfg.max_latency, mem_cfg.read_bytes_per_cycle, o.seed));
  const std::string head =
      fmt::format("{:>3}  {:<9} {:<34} {:>11} {:>9} {:>6} {:>9} {:>8}  {}\n", "#", "kind", "name",
                  "MACs", "cycles", "util", "read", "written", "stalls (largest)");
  std::cout << head;
  int mismatched_layers = 0;
  std::string first_mismatch;
  const auto t0 = std::chrono::steady_clock::now();
  const runtime::ModelRunResult r = runtime::RunModel(
      *be, m, inputs,
      [&](size_t i, size_t, const runtime::RunResult& res) {
        const runtime::ModelLayer& l = m.layers[i];
        const runtime::RunStats& st = res.stats;
        const char* worst = kStalls[0];
        for (const char* s : kStalls) {
          if (Counter(st, s) > Counter(st, worst)) worst = s;
        }
        std::cout << fmt::format(
            "{:>3}  {:<9} {:<34} {:>11} {:>9} {:>5.1f}% {:>9} {:>8}  {} {}\n", i, l.kind,
            l.name.size() > 34 ? "..." + l.name.substr(l.name.size() - 31) : l.name, l.macs,
            st.cycles, 100.0 * Ratio(double(l.macs), double(st.cycles) * peak), st.bytes_read,
            st.bytes_written, worst, Counter(st, worst));
        std::cout.flush();
      },
      [&](size_t i, const std::vector<int8_t>& out) {
        if (!golden) return;
        const runtime::ModelLayer& l = m.layers[i];
        const auto it = golden->by_name.find(l.output);
        if (it == golden->by_name.end()) {
          throw std::runtime_error("the golden model has no value '" + l.output + "'");
        }
        if (it->second != out) {
          size_t diff = 0;
          for (size_t k = 0; k < out.size(); ++k) diff += out[k] != it->second[k];
          if (mismatched_layers++ == 0) {
            first_mismatch = fmt::format("layer {} '{}' ({}): {} of {} bytes differ", i, l.name,
                                         l.output, diff, out.size());
          }
        }
      });
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!r.status.ok) {
    std::cerr << fmt::format("npu_net: the device stopped: {}\n", r.status.Describe());
    return 3;
  }

  // Whole-network figures.
  uint64_t macs = 0, bytes = 0;
  for (const runtime::LayerRun& l : r.layers) {
    macs += l.macs;
    bytes += l.result.stats.bytes_read + l.result.stats.bytes_written;
  }
  uint64_t min_bytes = m.constant_bytes;
  for (const runtime::ModelIo& io : m.inputs) min_bytes += Bytes(io.region, dim);
  for (const runtime::ModelLayer& l : m.layers) min_bytes += 2 * Bytes(l.out_region, dim);
  for (const runtime::ModelIo& io : m.outputs) min_bytes -= Bytes(io.region, dim);
  const double util = Ratio(double(macs), double(r.cycles) * peak);
  std::cout << fmt::format("network: {} layers, {} MACs in {} cycles: {:.1f}% of the {}x{} peak\n",
                           m.layers.size(), macs, r.cycles, 100.0 * util, dim, dim);
  std::cout << fmt::format("images/s: {:.1f} at 200 MHz", Ratio(200e6, double(r.cycles)));
  if (o.fmax_mhz > 0) {
    std::cout << fmt::format(", {:.1f} at {:.1f} MHz", Ratio(o.fmax_mhz * 1e6, double(r.cycles)),
                             o.fmax_mhz);
  }
  std::cout << "\n";
  std::cout << fmt::format(
      "memory traffic per image: {:.2f} MB, {:.2f}x the minimum of {:.2f} MB (every weight, "
      "parameter and program read once, every activation written and read once)\n",
      bytes / 1e6, Ratio(double(bytes), double(min_bytes)), min_bytes / 1e6);
  if (o.backend == "rtl") {
    const double rate = Ratio(double(r.cycles), secs);
    std::cout << fmt::format("simulation: {:.1f} s wall, {:.0f} cycles/s", secs, rate);
    if (o.array_rate > 0) {
      std::cout << fmt::format(", {:.2f} of the bare {}x{} array's {:.0f} cycles/s",
                               rate / o.array_rate, dim, dim, o.array_rate);
    }
    std::cout << fmt::format(" ({} build)\n", kBuild);
  } else {
    std::cout << fmt::format("simulation: {:.1f} s wall\n", secs);
  }
  int status = 0;
  if (golden) {
    if (mismatched_layers == 0) {
      std::cout << fmt::format("golden model: all {} layers bit-exact\n", m.layers.size());
    } else {
      std::cout << fmt::format("golden model: {} of {} layers DIFFER; first: {}\n",
                               mismatched_layers, m.layers.size(), first_mismatch);
      status = 1;
    }
  }
  if (!o.reference.empty()) {
    const std::vector<float> v = runtime::FloatValues(r.outputs[0]);
    const std::vector<float> ref = runtime::FloatValues(runtime::ReadNpy(o.reference));
    if (ref.size() != v.size()) {
      throw std::runtime_error(fmt::format("{}: {} values, the model's output has {}", o.reference,
                                           ref.size(), v.size()));
    }
    size_t equal = 0, argmax = 0, ref_argmax = 0;
    double max_steps = 0;
    for (size_t k = 0; k < v.size(); ++k) {
      const double d = std::abs(double(v[k]) - ref[k]) / m.outputs[0].scale;
      equal += d < 0.5;
      max_steps = std::max(max_steps, d);
      if (v[k] > v[argmax]) argmax = k;
      if (ref[k] > ref[ref_argmax]) ref_argmax = k;
    }
    std::cout << fmt::format(
        "reference ({}): {}/{} outputs equal ({:.2f}%), largest difference {:.0f} step(s); "
        "top-1 {} (reference {})\n",
        std::filesystem::path(o.reference).filename().string(), equal, v.size(),
        100.0 * equal / v.size(), max_steps, argmax, ref_argmax);
  }

  if (o.floor_util > 0) {
    const bool ok = 100.0 * util >= o.floor_util;
    std::cout << fmt::format("floor: utilization {:.1f}% against {:.0f}%: {}\n", 100.0 * util,
                             o.floor_util, ok ? "met" : "MISSED");
    if (!ok && status == 0) status = 4;
  }
  if (o.floor_wall > 0) {
    const bool ok = secs <= o.floor_wall;
    std::cout << fmt::format("floor: simulation wall time {:.1f} s against {:.0f} s: {}\n", secs,
                             o.floor_wall, ok ? "met" : "MISSED");
    if (!ok && status == 0) status = 4;
  }
  if (!o.csv.empty()) {
    std::string csv =
        "index,name,kind,shape,macs,cycles,utilization,bytes_read,bytes_written,"
        "macs_per_byte_read,macs_per_cycle";
    for (const char* s : kStalls) csv += fmt::format(",{}", s);
    csv += "\n";
    for (size_t i = 0; i < r.layers.size(); ++i) {
      const runtime::ModelLayer& l = m.layers[i];
      const runtime::RunStats& st = r.layers[i].result.stats;
      const std::string shape = l.summary.substr(0, l.summary.find(';'));
      csv += fmt::format(
          "{},{},{},\"{}\",{},{},{:.4f},{},{},{:.3f},{:.2f}", i, l.name, l.kind, shape, l.macs,
          st.cycles, Ratio(double(l.macs), st.cycles * peak), st.bytes_read, st.bytes_written,
          Ratio(double(l.macs), double(st.bytes_read)), Ratio(double(l.macs), double(st.cycles)));
      for (const char* s : kStalls) csv += fmt::format(",{}", Counter(st, s));
      csv += "\n";
    }
    runtime::WriteFileAtomically(o.csv, csv);
  }
  if (!o.json.empty()) {
    std::string j = "{\n";
    j += fmt::format("  \"network\": {},\n  \"config\": \"{}\",\n  \"dim\": {},\n",
                     app::JsonString(name), hw.name, dim);
    j += fmt::format("  \"backend\": \"{}\",\n", be->Name());
    j += fmt::format(
        "  \"memory\": {{\"profile\": \"{}\", \"min_latency\": {}, \"max_latency\": {}, "
        "\"read_bytes_per_cycle\": {}, \"r_valid_prob\": {}, \"data_bytes\": {}}},\n",
        o.memory, mem_cfg.min_latency, mem_cfg.max_latency, mem_cfg.read_bytes_per_cycle,
        mem_cfg.r_valid_prob, dim);
    j += fmt::format(
        "  \"cycles\": {},\n  \"macs\": {},\n  \"utilization\": {:.5f},\n  "
        "\"images_per_s_200mhz\": {:.3f},\n  \"bytes\": {},\n  \"min_bytes\": {},\n  "
        "\"wall_s\": {:.3f},\n  \"cycles_per_s\": {:.0f},\n  \"array_cycles_per_s\": {:.0f},\n  "
        "\"build\": \"{}\",\n  \"golden_layers_differ\": {},\n",
        r.cycles, macs, util, Ratio(200e6, double(r.cycles)), bytes, min_bytes, secs,
        Ratio(double(r.cycles), secs), o.array_rate, kBuild, golden ? mismatched_layers : -1);
    j += "  \"run\": " + app::ReportJson(m, be->Name(), r) + "}\n";
    runtime::WriteFileAtomically(o.json, j);
  }
  return status;
}

}  // namespace
}  // namespace npu

int main(int argc, char** argv) {
  npu::Options o;
  CLI::App app{
      "One whole network through the RTL (or the simulator), checked layer by layer "
      "against the golden model, with the per-layer figures"};
  app.add_option("model", o.model, "MODEL.onnx (quantized)")->required()->check(CLI::ExistingFile);
  app.add_option("--input,-i", o.input, "the input, X.npy")->required()->check(CLI::ExistingFile);
  app.add_option("--reference", o.reference, "the reference output (ONNX Runtime's), Y.npy")
      ->check(CLI::ExistingFile);
  app.add_option("--name", o.name, "the network's name in reports (default: the file's stem)");
  app.add_option("--config,-c", o.config, "hardware configuration")->capture_default_str();
  app.add_option("--backend,-b", o.backend, "rtl or sim")
      ->check(CLI::IsMember({"rtl", "sim"}))
      ->capture_default_str();
  app.add_option("--memory", o.memory, "memory model profile (rtl)")
      ->check(CLI::IsMember({"default", "ideal", "stress"}))
      ->capture_default_str();
  app.add_option("--latency", o.latency, "memory latency in cycles, MIN or MIN:MAX (rtl)");
  app.add_option(
      "--read-bandwidth", o.read_bandwidth,
      "cap on the memory's read bandwidth in bytes per cycle (rtl; 0: one beat per cycle)");
  app.add_option("--fmax", o.fmax_mhz, "also report images/s at this clock in MHz");
  app.add_option("--floor-util", o.floor_util,
                 "the network's MAC utilization must reach this many percent (else exit 4)");
  app.add_option("--floor-wall", o.floor_wall,
                 "the run's wall time must stay within this many seconds (else exit 4)");
  app.add_option("--seed", o.seed, "seed of the memory model")->capture_default_str();
  app.add_option("--array-rate", o.array_rate,
                 "cycles/s of the bare array (npu_array_speed_<cfg>): report the ratio")
      ->check(CLI::PositiveNumber);
  app.add_flag("!--no-golden", o.golden, "skip the layer-by-layer golden check");
  app.add_option("--csv", o.csv, "write the per-layer table as CSV");
  app.add_option("--json", o.json, "write the figures and the per-layer report as JSON");
  CLI11_PARSE(app, argc, argv);
  try {
    return npu::Run(o);
  } catch (const std::exception& e) {
    std::cerr << "npu_net: error: " << e.what() << "\n";
    return 1;
  }
}
