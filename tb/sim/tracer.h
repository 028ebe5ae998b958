// FST waveform helper for Verilator models.
#pragma once

#include <verilated.h>
#include <verilated_fst_c.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace npu::sim {

/// Writes an FST waveform of a Verilator model (built with TRACE):
///
///   Tracer<Vtop> tracer(*model, ctx.trace_path);  // empty path: disabled
///   kernel.SetTraceHook(tracer.Hook());
///
/// Times are passed through as picoseconds (Verilator's default timescale
/// unit for the dump is the model's time precision, 1 ps unless the RTL
/// says otherwise).
template <typename Model>
class Tracer {
 public:
  /// Opens `path` (nothing is traced when `path` is empty).
  Tracer(Model& model, std::string path, int depth = 99) : path_(std::move(path)) {
    if (path_.empty()) return;
    Verilated::traceEverOn(true);
    fst_ = std::make_unique<VerilatedFstC>();
    model.trace(fst_.get(), depth);
    fst_->open(path_.c_str());
    if (!fst_->isOpen()) throw std::runtime_error("Tracer: cannot open '" + path_ + "'");
  }
  ~Tracer() { Close(); }
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  /// True if a waveform is being written.
  bool Enabled() const { return fst_ != nullptr; }
  /// Path of the waveform (empty when disabled).
  const std::string& Path() const { return path_; }
  /// Dumps the current values at `time_ps`.
  void Dump(uint64_t time_ps) {
    if (fst_) fst_->dump(time_ps);
  }
  /// Flushes and closes the file (also done by the destructor).
  void Close() {
    if (fst_) {
      fst_->close();
      fst_.reset();
    }
  }
  /// A hook for Kernel::SetTraceHook (empty function when disabled). The
  /// tracer must outlive the kernel run.
  std::function<void(uint64_t)> Hook() {
    if (!fst_) return {};
    return [this](uint64_t time_ps) { Dump(time_ps); };
  }

 private:
  std::string path_;
  std::unique_ptr<VerilatedFstC> fst_;
};

}  // namespace npu::sim
