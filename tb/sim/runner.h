// Test registration and the main() of every testbench binary.
//
//   NPU_SIM_TEST(reset_clears_counters) { ... ctx.seed ... }
//   NPU_SIM_TEST_CASES(gemm_random, 100) { ... ctx.index ... }
//   int main(int argc, char** argv) { return npu::sim::RunTests(argc, argv); }
//
// Every binary has a suite name: the one given to RunTests(argc, argv,
// "suite") or set with NPU_SIM_SUITE("suite") in any of its sources, else its
// file name (argv[0] without the folder, e.g. tb_top_4x4). The suite enters
// every test's seed, so binaries built from one test source (one per
// hardware configuration, say) draw different random cases from one base
// seed; it also names the JUnit test suite.
//
// Options of RunTests (environment defaults follow cocotb):
//   --filter REGEX   run tests whose name matches (std::regex_search,
//                    ECMAScript); default $COCOTB_TEST_FILTER, else all.
//   --seed N         base seed (decimal or 0x hex); default
//                    $COCOTB_RANDOM_SEED, else derived from the time.
//   --trace FILE     waveform path given to the tests (ctx.trace_path); with
//                    several selected tests the test name is inserted before
//                    the extension: wave.fst -> wave.gemm_random_17.fst.
//   --results FILE   JUnit XML; default $COCOTB_RESULTS_FILE, else results.xml.
//   --cases N        override the count of every parameterised test.
//   --list           print the selected test names and exit.
//   -v               more output (repeatable; ctx.verbosity).
//
// Every test gets `seed = TestSeed(base, suite + "/" + name)` (CaseSeed
// below), so a test's random stream depends only on the base seed, the suite
// and its own name, not on the filter or on the order of tests: the replay
// line a failure prints (base seed, binary, filter) reproduces the case
// exactly.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tb/sim/check.h"

namespace npu::sim {

/// What a test receives.
struct TestContext {
  /// Full name: "name" or "name/<index>" for parameterised tests.
  std::string name;
  /// Suite of the binary (see above).
  std::string suite;
  /// Per-test seed, CaseSeed(base_seed, suite, name).
  uint64_t seed = 0;
  /// Waveform file to write; empty = no waveform.
  std::string trace_path;
  /// Number of -v flags.
  int verbosity = 0;
  /// Case index of a parameterised test (0 for a plain test).
  int index = 0;
  /// Number of cases of a parameterised test (1 for a plain test).
  int case_count = 1;
  /// The base seed of the run (printed in replay lines).
  uint64_t base_seed = 0;

  /// A generator seeded with `seed`.
  std::mt19937_64 MakeRng() const { return std::mt19937_64(seed); }
};

using TestFn = std::function<void(const TestContext&)>;

/// One registered test (or family of parameterised cases).
struct TestInfo {
  std::string name;
  TestFn fn;
  /// 0 for a plain test, else the default number of cases.
  int cases = 0;
  std::string file;
  int line = 0;
};

/// Registers a test; returns true so it can initialise a static.
bool RegisterTest(std::string name, TestFn fn, int cases, const char* file, int line);
/// All registered tests, in registration order.
const std::vector<TestInfo>& RegisteredTests();

/// Per-test seed: SplitMix64(base ^ FNV-1a-64(name)). Stable across
/// platforms and releases.
uint64_t TestSeed(uint64_t base_seed, std::string_view name);

/// The seed of test `name` in `suite`: TestSeed(base, suite + "/" + name),
/// or TestSeed(base, name) when `suite` is empty.
uint64_t CaseSeed(uint64_t base_seed, std::string_view suite, std::string_view name);

/// Sets the suite of this binary (used by RunTests(argc, argv)); returns
/// true so it can initialise a static. Aborts if two different suites are
/// set (NPU_SIM_SUITE in two sources with different names).
bool SetSuite(std::string suite);
/// The suite set by SetSuite / NPU_SIM_SUITE ("" if none: RunTests then
/// uses the binary's file name).
const std::string& Suite();

/// The main() of a testbench binary: parses options, runs the selected
/// tests, writes the JUnit file, prints "N passed, M failed". Returns 0 only
/// if at least one test ran and none failed (2 on a usage error). The suite
/// is the one set with NPU_SIM_SUITE, else the binary's file name.
int RunTests(int argc, char** argv);
/// The same with an explicit suite (overrides NPU_SIM_SUITE; empty = the
/// binary's file name).
int RunTests(int argc, char** argv, std::string_view suite);

}  // namespace npu::sim

#define NPU_SIM_CONCAT_INNER_(a, b) a##b
#define NPU_SIM_CONCAT_(a, b) NPU_SIM_CONCAT_INNER_(a, b)

/// Names the suite of this binary (one use per binary, at namespace scope):
/// NPU_SIM_SUITE("tb_top_4x4");
#define NPU_SIM_SUITE(suite) \
  [[maybe_unused]] static const bool npu_sim_suite_registered_ = ::npu::sim::SetSuite(suite)

/// Defines and registers `void name(const npu::sim::TestContext& ctx)`.
#define NPU_SIM_TEST(name)                                                        \
  static void name(const ::npu::sim::TestContext& ctx);                           \
  [[maybe_unused]] static const bool NPU_SIM_CONCAT_(npu_sim_registered_, name) = \
      ::npu::sim::RegisterTest(#name, &name, 0, __FILE__, __LINE__);              \
  static void name(const ::npu::sim::TestContext& ctx)

/// Defines a parameterised test registered as name/0 .. name/(count-1);
/// the body reads `ctx.index`. `--cases N` overrides `count`.
#define NPU_SIM_TEST_CASES(name, count)                                           \
  static void name(const ::npu::sim::TestContext& ctx);                           \
  [[maybe_unused]] static const bool NPU_SIM_CONCAT_(npu_sim_registered_, name) = \
      ::npu::sim::RegisterTest(#name, &name, (count), __FILE__, __LINE__);        \
  static void name(const ::npu::sim::TestContext& ctx)
