#include "tb/cov/isa_coverage.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace npu::cov {
namespace {

using isa::FieldInfo;
using isa::InstrInfo;

class IsaBins {
 public:
  explicit IsaBins(std::string dir) : dir_(std::move(dir)) {
    // Every bin, so the ones never hit are written with 0.
    for (const InstrInfo& in : isa::kInstrs) {
      const std::string op(in.name);
      bins_["opcode=" + op] = 0;
      bins_[op + ".deps=none"] = 0;
      for (int i = 0; i < isa::kDepBits; ++i) {
        bins_[fmt::format("{}.wait={}", op, QueueName(isa::kInQueue[int(in.unit)][i]))] = 0;
        bins_[fmt::format("{}.signal={}", op, QueueName(isa::kOutQueue[int(in.unit)][i]))] = 0;
      }
      for (const FieldInfo& f : in.fields) {
        for (const std::string& b : FieldBins(f))
          bins_[op + "." + std::string(f.name) + "=" + b] = 0;
      }
    }
    bins_["opcode=illegal"] = 0;
    for (const isa::EnumValue& m : isa::kWindowModeValues) {
      for (const char* k : {"1x1", "square", "non-square"}) {
        bins_[fmt::format("window.mode={} x kernel={}", m.name, k)] = 0;
      }
      for (const char* c : {"none", "in", "out", "in+out"}) {
        bins_[fmt::format("window.mode={} x carry={}", m.name, c)] = 0;
      }
    }
    for (const char* a : {"0", "1"}) {
      for (const char* r : {"full", "clamp"}) bins_[fmt::format("store.add={} x act={}", a, r)] = 0;
    }
  }
  IsaBins(const IsaBins&) = delete;
  IsaBins& operator=(const IsaBins&) = delete;
  ~IsaBins() { Write(); }

  void Sample(const isa::Word& w) {
    std::lock_guard<std::mutex> lock(mutex_);
    const InstrInfo* in = isa::FindInstr(isa::OpcodeOf(w));
    if (in == nullptr) {
      ++bins_.at("opcode=illegal");
      return;
    }
    const std::string op(in->name);
    ++bins_.at("opcode=" + op);
    const uint32_t wait = isa::GetField(w, isa::field::kWaitMaskLsb, isa::field::kWaitMaskWidth);
    const uint32_t signal =
        isa::GetField(w, isa::field::kSignalMaskLsb, isa::field::kSignalMaskWidth);
    if (wait == 0 && signal == 0) ++bins_.at(op + ".deps=none");
    for (int i = 0; i < isa::kDepBits; ++i) {
      if (wait >> i & 1)
        ++bins_.at(fmt::format("{}.wait={}", op, QueueName(isa::kInQueue[int(in->unit)][i])));
      if (signal >> i & 1) {
        ++bins_.at(fmt::format("{}.signal={}", op, QueueName(isa::kOutQueue[int(in->unit)][i])));
      }
    }
    std::map<std::string_view, int64_t> value;
    for (const FieldInfo& f : in->fields) {
      const int64_t v = f.is_signed ? int64_t{isa::GetSignedField(w, f.lsb, f.width)}
                                    : int64_t{isa::GetField(w, f.lsb, f.width)};
      value[f.name] = v;
      ++bins_.at(op + "." + std::string(f.name) + "=" + BinOf(f, v));
    }
    if (in->unit == isa::Unit::kWindow) {
      const FieldInfo* mode_field = nullptr;
      for (const FieldInfo& f : in->fields) {
        if (f.name == "mode") mode_field = &f;
      }
      const std::string mode = BinOf(*mode_field, value.at("mode"));
      const int64_t kh = value.at("kh"), kw = value.at("kw");
      const char* kernel = kh == 1 && kw == 1 ? "1x1" : kh == kw ? "square" : "non-square";
      const bool ci = value.at("carry_in") != 0, co = value.at("carry_out") != 0;
      const char* carry = ci && co ? "in+out" : ci ? "in" : co ? "out" : "none";
      ++bins_.at(fmt::format("window.mode={} x kernel={}", mode, kernel));
      ++bins_.at(fmt::format("window.mode={} x carry={}", mode, carry));
    }
    if (in->unit == isa::Unit::kStore) {
      const bool full = value.at("act_min") == -128 && value.at("act_max") == 127;
      ++bins_.at(fmt::format("store.add={} x act={}", value.at("add"), full ? "full" : "clamp"));
    }
  }

 private:
  static std::string QueueName(int q) { return std::string(isa::kQueues[q].name); }

  static std::vector<std::string> FieldBins(const FieldInfo& f) {
    if (!f.values.empty()) {
      std::vector<std::string> out;
      for (const isa::EnumValue& v : f.values) out.emplace_back(v.name);
      if (f.values.size() < (size_t{1} << f.width)) out.emplace_back("unnamed");
      return out;
    }
    if (f.width == 1) return {"0", "1"};
    if (f.is_signed) return {"min", "-1", "0", "1", "max", "other"};
    return {"0", "1", "max", "other"};
  }

  static std::string BinOf(const FieldInfo& f, int64_t v) {
    if (!f.values.empty()) {
      for (const isa::EnumValue& e : f.values) {
        if (e.value == uint64_t(v)) return std::string(e.name);
      }
      return "unnamed";
    }
    if (f.width == 1) return v ? "1" : "0";
    if (v == 0) return "0";
    if (v == 1) return "1";
    if (f.is_signed) {
      if (v == -1) return "-1";
      if (v == -(int64_t{1} << (f.width - 1))) return "min";
      if (v == (int64_t{1} << (f.width - 1)) - 1) return "max";
      return "other";
    }
    return v == (int64_t{1} << f.width) - 1 ? "max" : "other";
  }

  void Write() {
    std::string program = "program";
    if (std::ifstream comm("/proc/self/comm"); comm) std::getline(comm, program);
    const std::string path =
        fmt::format("{}/isa-{}-{}-{}.tsv", dir_, program, ::getpid(),
                    std::chrono::steady_clock::now().time_since_epoch().count());
    {
      std::ofstream out(path + ".tmp");
      for (const auto& [bin, n] : bins_) out << bin << '\t' << n << '\n';
      if (!out) return;
    }
    std::error_code ec;  // at exit: report, do not throw
    std::filesystem::rename(path + ".tmp", path, ec);
    if (ec)
      std::fprintf(stderr, "coverage: cannot write %s: %s\n", path.c_str(), ec.message().c_str());
  }

  std::string dir_;
  std::mutex mutex_;
  std::map<std::string, uint64_t> bins_;
};

}  // namespace

void SampleIsa(std::span<const isa::Word> program) {
#if NPU_COVERAGE
  static const char* dir = std::getenv("NPU_COV_DIR");
  if (dir == nullptr || *dir == '\0') return;
  static IsaBins bins(dir);
  for (const isa::Word& w : program) bins.Sample(w);
#else
  (void)program;
#endif
}

}  // namespace npu::cov
