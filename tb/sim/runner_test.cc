// Unit tests of the test runner: filter, seeds, suites, cases, JUnit output.
#include "tb/sim/runner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tb/sim/kernel.h"
#include "tb/sim/triggers.h"

// This binary names its suite (else it would be its file name); the suite
// enters every seed.
NPU_SIM_SUITE("runner_suite");

namespace {

constexpr const char* kSuite = "runner_suite";

std::map<std::string, uint64_t>& SeenSeeds() {
  static std::map<std::string, uint64_t> seeds;
  return seeds;
}

NPU_SIM_TEST(runner_pass) {
  SeenSeeds()[ctx.name] = ctx.seed;
  npu::sim::Kernel kernel([] {});
  kernel.Run([&]() -> npu::sim::Task<> { co_await npu::sim::Timer(10); });
  NPU_CHECK(kernel.Now() == 10) << "time is " << kernel.Now();
}

NPU_SIM_TEST(runner_fail) {
  SeenSeeds()[ctx.name] = ctx.seed;
  const int got = 3;
  NPU_CHECK_EQ(got, 4u) << "extra <context> & more";
}

NPU_SIM_TEST_CASES(runner_cases, 3) {
  SeenSeeds()[ctx.name] = ctx.seed;
  NPU_CHECK(ctx.index >= 0 && ctx.index < ctx.case_count);
  NPU_CHECK_EQ(ctx.name, "runner_cases/" + std::to_string(ctx.index));
}

struct RunResult {
  int code;
  std::string out;
  std::string xml;
};

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("npu_sim_runner_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

// Runs RunTests on `args` (with a temporary results file); `suite` is given
// to RunTests explicitly when set, else the binary's NPU_SIM_SUITE applies.
RunResult RunMain(std::vector<std::string> args, const char* suite = nullptr) {
  const std::string results = TempPath("results.xml");
  std::filesystem::remove(results);
  args.insert(args.begin(), "runner_test");
  args.push_back("--results");
  args.push_back(results);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  testing::internal::CaptureStdout();
  const int code = suite == nullptr ? npu::sim::RunTests(static_cast<int>(args.size()), argv.data())
                                    : npu::sim::RunTests(static_cast<int>(args.size()), argv.data(),
                                                         std::string(suite));
  RunResult r{code, testing::internal::GetCapturedStdout(), ""};
  std::ifstream in(results);
  std::stringstream ss;
  ss << in.rdbuf();
  r.xml = ss.str();
  return r;
}

// Minimal JUnit reader: testcase name -> failure text ("" when passed).
std::map<std::string, std::string> ParseJunit(const std::string& xml) {
  std::map<std::string, std::string> cases;
  const std::regex testcase(
      R"re(<testcase name="([^"]*)"[^>]*?(/>|>\s*<failure message="([^"]*)"))re");
  for (std::sregex_iterator it(xml.begin(), xml.end(), testcase), end; it != end; ++it) {
    cases[(*it)[1]] = (*it)[3];
  }
  return cases;
}

TEST(Runner, SeedIsStableAndDependsOnName) {
  EXPECT_EQ(npu::sim::TestSeed(1, "a"), npu::sim::TestSeed(1, "a"));
  EXPECT_NE(npu::sim::TestSeed(1, "a"), npu::sim::TestSeed(2, "a"));
  EXPECT_NE(npu::sim::TestSeed(1, "a"), npu::sim::TestSeed(1, "b"));
  // Pinned values: the seeds of a printed replay line must not change
  // between releases.
  EXPECT_EQ(npu::sim::TestSeed(1, "a"), 0xc0fc99fea7ab959cULL);
}

TEST(Runner, SuiteEntersTheSeed) {
  EXPECT_EQ(npu::sim::CaseSeed(1, "", "a"), npu::sim::TestSeed(1, "a"));
  EXPECT_EQ(npu::sim::CaseSeed(1, "tb_top_4x4", "gemm_random/3"),
            npu::sim::TestSeed(1, "tb_top_4x4/gemm_random/3"));
  EXPECT_NE(npu::sim::CaseSeed(1, "tb_top_4x4", "gemm_random/3"),
            npu::sim::CaseSeed(1, "tb_top_8x8", "gemm_random/3"));
  EXPECT_EQ(npu::sim::Suite(), kSuite);
}

TEST(Runner, SuiteDefaultsToTheBinarysFileName) {
  SeenSeeds().clear();
  // RunMain passes "runner_test" as argv[0]; an empty suite means "none set".
  RunResult r = RunMain({"--filter", "^runner_pass$", "--seed", "5"}, "");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("running 1 test(s) of suite runner_test, base seed 5"), std::string::npos)
      << r.out;
  EXPECT_EQ(SeenSeeds()["runner_pass"], npu::sim::TestSeed(5, "runner_test/runner_pass"));
}

TEST(Runner, ExplicitSuiteOverridesTheBinarys) {
  SeenSeeds().clear();
  RunResult r = RunMain({"--filter", "^runner_(pass|cases/1)$", "--seed", "5"}, "other_suite");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("running 2 test(s) of suite other_suite, base seed 5"), std::string::npos)
      << r.out;
  ASSERT_EQ(SeenSeeds().size(), 2u);
  for (const auto& [name, seed] : SeenSeeds()) {
    EXPECT_EQ(seed, npu::sim::TestSeed(5, "other_suite/" + name)) << name;
  }
  EXPECT_NE(r.xml.find("<testsuite name=\"other_suite\""), std::string::npos) << r.xml;
}

TEST(Runner, FilterSeedsAndJunitOutput) {
  SeenSeeds().clear();
  RunResult r = RunMain({"--filter", "^runner_", "--seed", "1234"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("4 passed, 1 failed\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[ FAIL ] runner_fail"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("replay: COCOTB_RANDOM_SEED=1234 runner_test --filter '^runner_fail$'"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("NPU_CHECK_EQ(got, 4u) failed: 3 != 4: extra <context> & more"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("running 5 test(s) of suite runner_suite, base seed 1234 "),
            std::string::npos)
      << r.out;
  ASSERT_EQ(SeenSeeds().size(), 5u);
  for (const auto& [name, seed] : SeenSeeds()) {
    EXPECT_EQ(seed, npu::sim::CaseSeed(1234, kSuite, name)) << name;
    std::ostringstream line;
    line << "[ RUN  ] " << name << "  seed=0x" << std::hex << seed << "\n";
    EXPECT_NE(r.out.find(line.str()), std::string::npos) << line.str();
  }
  auto cases = ParseJunit(r.xml);
  ASSERT_EQ(cases.size(), 5u) << r.xml;
  EXPECT_EQ(cases["runner_pass"], "");
  EXPECT_EQ(cases["runner_cases/2"], "");
  EXPECT_NE(cases["runner_fail"].find("runner_test.cc:"), std::string::npos) << r.xml;
  EXPECT_NE(cases["runner_fail"].find("&lt;context&gt; &amp; more"), std::string::npos) << r.xml;
  EXPECT_NE(r.xml.find("tests=\"5\" failures=\"1\""), std::string::npos) << r.xml;
  EXPECT_NE(r.xml.find("<testsuite name=\"runner_suite\""), std::string::npos) << r.xml;
}

TEST(Runner, PassingSelectionReturnsZero) {
  RunResult r = RunMain({"--filter", "runner_(pass|cases/1)$", "--seed", "7"});
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("2 passed, 0 failed\n"), std::string::npos) << r.out;
}

TEST(Runner, CasesOverrideAndList) {
  RunResult r = RunMain({"--filter", "^runner_cases", "--cases", "5", "--list"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out,
            "runner_cases/0\nrunner_cases/1\nrunner_cases/2\nrunner_cases/3\nrunner_cases/4\n");
}

TEST(Runner, EnvironmentDefaults) {
  ::setenv("COCOTB_TEST_FILTER", "^runner_pass$", 1);
  ::setenv("COCOTB_RANDOM_SEED", "0x10", 1);
  SeenSeeds().clear();
  RunResult r = RunMain({});
  ::unsetenv("COCOTB_TEST_FILTER");
  ::unsetenv("COCOTB_RANDOM_SEED");
  EXPECT_EQ(r.code, 0) << r.out;
  ASSERT_EQ(SeenSeeds().size(), 1u);
  EXPECT_EQ(SeenSeeds()["runner_pass"], npu::sim::TestSeed(16, "runner_suite/runner_pass"));
}

TEST(Runner, NothingSelectedFails) {
  RunResult r = RunMain({"--filter", "^no_such_test$"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("0 passed, 0 failed\n"), std::string::npos) << r.out;
}

TEST(Runner, BadOptionIsAUsageError) {
  testing::internal::CaptureStderr();
  RunResult r = RunMain({"--filter", "("});
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(r.code, 2);
}

TEST(Runner, CheckMacrosBindElseCorrectly) {
  bool reached_else = false;
  if (false)
    NPU_CHECK(false) << "never";
  else
    reached_else = true;
  EXPECT_TRUE(reached_else);
  EXPECT_THROW(NPU_CHECK(1 + 1 == 3), npu::sim::TestFailure);
  EXPECT_NO_THROW(NPU_CHECK_EQ(-1, -1));
  EXPECT_THROW(NPU_CHECK_EQ(-1, 0xffffffffu), npu::sim::TestFailure);  // by value
  EXPECT_NO_THROW(NPU_CHECK_EQ(uint8_t{200}, 200));
}

}  // namespace
