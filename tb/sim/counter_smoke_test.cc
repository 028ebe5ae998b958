// Smoke test on a real Verilator model, through the runner, with FST.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tb/sim/runner.h"

namespace {

TEST(CounterSmoke, RunsThroughRunnerAndWritesFst) {
  const std::string dir = std::filesystem::temp_directory_path().string();
  const std::string fst = dir + "/npu_sim_counter_" + std::to_string(::getpid()) + ".fst";
  const std::string xml = dir + "/npu_sim_counter_" + std::to_string(::getpid()) + ".xml";
  std::filesystem::remove(fst);
  std::vector<std::string> args = {"counter_tb", "--filter", "^counter_counts$", "--trace", fst,
                                   "--results",  xml,        "--seed",           "1"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  EXPECT_EQ(npu::sim::RunTests(static_cast<int>(argv.size()), argv.data()), 0);
  ASSERT_TRUE(std::filesystem::exists(fst));
  EXPECT_GT(std::filesystem::file_size(fst), 0u);
  std::filesystem::remove(fst);
  std::filesystem::remove(xml);
}

TEST(CounterSmoke, SeveralTestsGetOneWaveformEach) {
  const std::string dir = std::filesystem::temp_directory_path().string();
  const std::string base = dir + "/npu_sim_multi_" + std::to_string(::getpid());
  const std::string xml = base + ".xml";
  std::vector<std::string> args = {"counter_tb", "--filter",    "^counter_random_enable/",
                                   "--trace",    base + ".fst", "--results",
                                   xml};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  EXPECT_EQ(npu::sim::RunTests(static_cast<int>(argv.size()), argv.data()), 0);
  for (const char* name : {"counter_random_enable_0", "counter_random_enable_1"}) {
    const std::string fst = base + "." + name + ".fst";
    ASSERT_TRUE(std::filesystem::exists(fst)) << fst;
    EXPECT_GT(std::filesystem::file_size(fst), 0u);
    std::filesystem::remove(fst);
  }
  std::filesystem::remove(xml);
}

}  // namespace
