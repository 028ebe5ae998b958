#include "tb/cov/coverage_sink.h"

#include <fmt/format.h>
#include <unistd.h>
#include <verilated.h>
#include <verilated_cov.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

namespace npu::cov {
namespace {

// Verilator's coverage file: a header line, then one line per point,
// `C '<key>' <count>`, where the key (file, line, hierarchy, kind, ...) may
// hold control characters but no quote followed by a space and a digit.
constexpr const char* kHeader = "# SystemC::Coverage-3\n";

class Total {
 public:
  explicit Total(std::string dir) : dir_(std::move(dir)) {}
  Total(const Total&) = delete;
  Total& operator=(const Total&) = delete;
  ~Total() { Write(); }

  void Add(VerilatedCovContext& cov) {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string tmp = fmt::format("{}/.partial-{}.dat", dir_, ::getpid());
    cov.write(tmp.c_str());
    std::ifstream in(tmp);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("C '", 0) != 0) continue;
      const size_t end = line.rfind("' ");
      if (end == std::string::npos || end < 3) {
        throw std::runtime_error(fmt::format("unreadable coverage line in {}: {}", tmp, line));
      }
      counts_[line.substr(3, end - 3)] += std::strtoull(line.c_str() + end + 2, nullptr, 10);
    }
    in.close();
    std::filesystem::remove(tmp);
    // The points refer to counters inside the models; forget them, so the
    // context (Verilator's default one, say) can take the next model.
    cov.clear();
  }

 private:
  // Written to a temporary name and renamed, so a merge never reads half a file.
  void Write() {
    if (counts_.empty()) return;
    std::string program = "program";
    if (std::ifstream comm("/proc/self/comm"); comm) std::getline(comm, program);
    const std::string path =
        fmt::format("{}/{}-{}-{}.dat", dir_, program, ::getpid(),
                    std::chrono::steady_clock::now().time_since_epoch().count());
    const std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp);
      out << kHeader;
      for (const auto& [key, count] : counts_) out << "C '" << key << "' " << count << '\n';
      if (!out) {
        std::fprintf(stderr, "coverage: cannot write %s\n", tmp.c_str());
        return;
      }
    }
    std::error_code ec;  // at exit: report, do not throw
    std::filesystem::rename(tmp, path, ec);
    if (ec)
      std::fprintf(stderr, "coverage: cannot write %s: %s\n", path.c_str(), ec.message().c_str());
  }

  std::string dir_;
  std::mutex mutex_;
  std::map<std::string, uint64_t> counts_;
};

Total* ProcessTotal() {
  static const char* dir = std::getenv("NPU_COV_DIR");
  if (dir == nullptr || *dir == '\0') return nullptr;
  static Total total(dir);
  return &total;
}

}  // namespace

void CollectCoverage(VerilatedContext& context) {
#if NPU_COVERAGE
  if (Total* total = ProcessTotal()) total->Add(*context.coveragep());
#else
  (void)context;
  (void)ProcessTotal;
#endif
}

void CollectDefaultCoverage() { CollectCoverage(*Verilated::defaultContextp()); }

}  // namespace npu::cov
