/// @file
/// A model session: what `npu run` and the Python module `npu` share. It
/// opens a quantized ONNX model (importing and compiling it for the
/// configuration) or a compiled `.npub`, makes the backend (the
/// instruction-level simulator, the verilated RTL or an FPGA board) and runs
/// the model. For a board, an ONNX model is compiled for the board's
/// configuration and memory.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sw/graph/graph_compiler.h"
#include "sw/graph/ir.h"
#include "sw/runtime/backend.h"
#include "sw/runtime/model.h"
#include "sw/runtime/npy.h"
#include "sw/runtime/recording_backend.h"

namespace npu::app {

/// Options of a session.
struct SessionOptions {
  std::string backend = "sim";         ///< "sim" (instruction-level simulator), "rtl" or "fpga".
  std::string config;                  ///< Configuration; empty: the model's, or 16x16 for ONNX.
  std::string trace;                   ///< RTL only: FST waveform path.
  uint64_t memory_bytes = 256u << 20;  ///< Memory window an ONNX model is compiled for.
  std::string port;                    ///< fpga only: the board's serial port.
  uint32_t baud = 1000000;             ///< fpga only: its UART rate.
  uint32_t timeout_ms = 2000;          ///< fpga only: longest wait for an answer.
  /// Record every call of the backend (runtime::RecordingBackend): the
  /// memory before and after and the streams, a test vector for another
  /// model of the NPU (the cocotb tests replay the simulator's on the RTL).
  bool record = false;
};

/// Bad arguments (an unknown backend or configuration): the message says
/// what is known.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Imports and compiles an ONNX model (ImportOnnxFile, RequireSupported,
/// CompileGraph) into the memory window [base, base + memory_bytes).
/// @throws graph::ImportError, graph::CompileError.
runtime::CompiledModel CompileOnnx(const std::string& path, const HwConfig& hw,
                                   uint64_t memory_bytes,
                                   uint32_t base = graph::CompileOptions{}.base,
                                   graph::CompileReport* report = nullptr);

/// The configuration called @p name. @throws UsageError listing the known ones.
const HwConfig& ConfigByName(const std::string& name);

/// An open model with its backend.
class Session {
 public:
  /// Opens @p path (.onnx or .npub). @throws UsageError, graph::ImportError,
  /// graph::CompileError, runtime::ModelError.
  Session(const std::string& path, const SessionOptions& options);
  ~Session();

  const runtime::CompiledModel& Model() const { return model_; }
  runtime::Backend& Backend() { return *backend_; }
  /// The recorded calls (SessionOptions::record), oldest first; empty
  /// without recording.
  std::span<const runtime::RecordedPhase> Phases() const;

  /// Runs the model on @p inputs (in the order of Model().inputs).
  runtime::ModelRunResult Run(std::span<const runtime::NpyArray> inputs,
                              const runtime::LayerCallback& on_layer = {});

 private:
  runtime::CompiledModel model_;
  std::unique_ptr<runtime::Backend> backend_;
  runtime::RecordingBackend* recording_ = nullptr;  ///< backend_ when recording
};

/// The per-layer report of a run as JSON: model, backend, configuration,
/// status, total cycles and MACs, and per layer its name, kind, MACs,
/// cycles, MAC utilization, bytes read and written and every hardware
/// counter.
std::string ReportJson(const runtime::CompiledModel& m, const std::string& backend,
                       const runtime::ModelRunResult& r);

/// @p s as a JSON string literal (quoted and escaped).
std::string JsonString(const std::string& s);

/// The per-layer report as a text table.
std::string ReportTable(const runtime::CompiledModel& m, const runtime::ModelRunResult& r);

}  // namespace npu::app
