#include "tb/sim/runner.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace npu::sim {
namespace {

std::vector<TestInfo>& Registry() {
  static std::vector<TestInfo> tests;
  return tests;
}

std::string& SuiteStorage() {
  static std::string suite;
  return suite;
}

uint64_t Fnv1a64(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string EnvOr(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : std::move(fallback);
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // Control characters other than tab/newline are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string SanitizeName(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) c = '_';
  }
  return out;
}

// wave.fst + gemm/3 -> wave.gemm_3.fst
std::string TracePathFor(const std::string& base, std::string_view test_name) {
  const size_t slash = base.find_last_of('/');
  const size_t dot = base.find_last_of('.');
  const std::string tag = SanitizeName(test_name);
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) {
    return base + "." + tag;
  }
  return base.substr(0, dot) + "." + tag + base.substr(dot);
}

std::string RegexQuote(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

struct Selected {
  const TestInfo* info;
  std::string name;
  int index;
  int count;
};

struct Outcome {
  std::string name;
  const TestInfo* info;
  bool passed;
  double seconds;
  uint64_t seed;
  std::string message;
};

}  // namespace

bool RegisterTest(std::string name, TestFn fn, int cases, const char* file, int line) {
  for (const TestInfo& info : Registry()) {
    if (info.name == name) {
      std::fprintf(stderr, "npu::sim: test '%s' registered twice (%s:%d)\n", name.c_str(), file,
                   line);
      std::abort();
    }
  }
  Registry().push_back(TestInfo{std::move(name), std::move(fn), cases, file, line});
  return true;
}

const std::vector<TestInfo>& RegisteredTests() { return Registry(); }

uint64_t TestSeed(uint64_t base_seed, std::string_view name) {
  return SplitMix64(base_seed ^ Fnv1a64(name));
}

uint64_t CaseSeed(uint64_t base_seed, std::string_view suite, std::string_view name) {
  if (suite.empty()) return TestSeed(base_seed, name);
  std::string full;
  full.reserve(suite.size() + 1 + name.size());
  full.append(suite).append("/").append(name);
  return TestSeed(base_seed, full);
}

bool SetSuite(std::string suite) {
  std::string& current = SuiteStorage();
  if (!current.empty() && current != suite) {
    std::fprintf(stderr, "npu::sim: suite set twice ('%s', then '%s')\n", current.c_str(),
                 suite.c_str());
    std::abort();
  }
  current = std::move(suite);
  return true;
}

const std::string& Suite() { return SuiteStorage(); }

int RunTests(int argc, char** argv) { return RunTests(argc, argv, Suite()); }

int RunTests(int argc, char** argv, std::string_view suite_name) {
  const std::string program = argc > 0 ? argv[0] : "testbench";
  const std::string suite =
      suite_name.empty() ? program.substr(program.find_last_of('/') + 1) : std::string(suite_name);
  CLI::App app("npu testbench: runs registered simulation tests");
  std::string filter = EnvOr("COCOTB_TEST_FILTER", "");
  std::string seed_text = EnvOr("COCOTB_RANDOM_SEED", "");
  std::string trace;
  std::string results = EnvOr("COCOTB_RESULTS_FILE", "results.xml");
  int cases_override = 0;
  bool list = false;
  int verbosity = 0;
  app.add_option("--filter", filter, "regex selecting tests (default $COCOTB_TEST_FILTER)");
  app.add_option("--seed", seed_text, "base random seed (default $COCOTB_RANDOM_SEED or time)");
  app.add_option("--trace", trace, "write an FST waveform (test name appended if several)");
  app.add_option("--results", results,
                 "JUnit XML file (default $COCOTB_RESULTS_FILE or results.xml)");
  app.add_option("--cases", cases_override, "override the case count of parameterised tests")
      ->check(CLI::PositiveNumber);
  app.add_flag("--list", list, "list the selected tests and exit");
  app.add_flag("-v,--verbose", verbosity, "more output (repeatable)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  uint64_t base_seed = 0;
  if (seed_text.empty()) {
    const auto ticks = std::chrono::system_clock::now().time_since_epoch().count();
    base_seed = SplitMix64(static_cast<uint64_t>(ticks)) & 0xffffffffULL;
  } else {
    try {
      size_t used = 0;
      base_seed = std::stoull(seed_text, &used, 0);
      if (used != seed_text.size()) throw std::invalid_argument("trailing characters");
    } catch (const std::exception&) {
      fmt::print(stderr, "error: bad seed '{}'\n", seed_text);
      return 2;
    }
  }

  std::regex filter_re;
  try {
    filter_re = std::regex(filter.empty() ? std::string(".*") : filter, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    fmt::print(stderr, "error: bad --filter regex '{}': {}\n", filter, e.what());
    return 2;
  }

  std::vector<Selected> selected;
  for (const TestInfo& info : Registry()) {
    if (info.cases == 0) {
      if (std::regex_search(info.name, filter_re)) selected.push_back({&info, info.name, 0, 1});
      continue;
    }
    const int count = cases_override > 0 ? cases_override : info.cases;
    for (int i = 0; i < count; ++i) {
      std::string name = fmt::format("{}/{}", info.name, i);
      if (std::regex_search(name, filter_re))
        selected.push_back({&info, std::move(name), i, count});
    }
  }

  if (list) {
    for (const Selected& s : selected) fmt::print("{}\n", s.name);
    std::fflush(stdout);
    return 0;
  }

  fmt::print("running {} test(s) of suite {}, base seed {} (replay with COCOTB_RANDOM_SEED={})\n",
             selected.size(), suite, base_seed, base_seed);
  std::fflush(stdout);
  std::vector<Outcome> outcomes;
  const auto suite_start = std::chrono::steady_clock::now();
  for (const Selected& s : selected) {
    TestContext ctx;
    ctx.name = s.name;
    ctx.suite = suite;
    ctx.seed = CaseSeed(base_seed, suite, s.name);
    ctx.base_seed = base_seed;
    ctx.verbosity = verbosity;
    ctx.index = s.index;
    ctx.case_count = s.count;
    if (!trace.empty()) ctx.trace_path = selected.size() == 1 ? trace : TracePathFor(trace, s.name);
    fmt::print("[ RUN  ] {}  seed={:#x}\n", s.name, ctx.seed);
    std::fflush(stdout);
    const auto start = std::chrono::steady_clock::now();
    std::string message;
    bool passed = true;
    try {
      s.info->fn(ctx);
    } catch (const std::exception& e) {
      passed = false;
      message = e.what();
    } catch (...) {
      passed = false;
      message = "unknown exception (not derived from std::exception)";
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (passed) {
      fmt::print("[ PASS ] {}  ({:.2f} s)\n", s.name, seconds);
    } else {
      std::string replay = fmt::format("replay: COCOTB_RANDOM_SEED={} {} --filter '^{}$'",
                                       base_seed, program, RegexQuote(s.name));
      if (cases_override > 0) replay += fmt::format(" --cases {}", cases_override);
      fmt::print("{}\n{}\n[ FAIL ] {}  ({:.2f} s)\n", message, replay, s.name, seconds);
      message += "\n" + replay;
    }
    std::fflush(stdout);
    outcomes.push_back(Outcome{s.name, s.info, passed, seconds, ctx.seed, std::move(message)});
  }
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - suite_start).count();

  size_t failed = 0;
  for (const Outcome& o : outcomes) failed += o.passed ? 0 : 1;
  const size_t passed = outcomes.size() - failed;

  if (!results.empty()) {
    std::ofstream xml(results);
    if (!xml) {
      fmt::print(stderr, "error: cannot write results file '{}'\n", results);
      ++failed;
    } else {
      const std::string suite_xml = XmlEscape(SanitizeName(suite));
      xml << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
      xml << fmt::format("<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n",
                         suite_xml, outcomes.size(), failed, total);
      xml << fmt::format(
          "  <testsuite name=\"{}\" package=\"npu\" tests=\"{}\" failures=\"{}\" errors=\"0\" "
          "skipped=\"0\" time=\"{:.3f}\">\n",
          suite_xml, outcomes.size(), failed, total);
      xml << fmt::format(
          "    <properties>\n      <property name=\"random_seed\" value=\"{}\"/>\n"
          "    </properties>\n",
          base_seed);
      for (const Outcome& o : outcomes) {
        xml << fmt::format(
            "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" lineno=\"{}\" time=\"{:.3f}\" "
            "seed=\"{:#x}\"",
            XmlEscape(o.name), suite_xml, XmlEscape(o.info->file), o.info->line, o.seconds, o.seed);
        if (o.passed) {
          xml << "/>\n";
        } else {
          const std::string first_line = o.message.substr(0, o.message.find('\n'));
          xml << fmt::format(">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                             XmlEscape(first_line), XmlEscape(o.message));
        }
      }
      xml << "  </testsuite>\n</testsuites>\n";
    }
  }

  fmt::print("{} passed, {} failed\n", passed, failed);
  std::fflush(stdout);
  return (failed == 0 && !outcomes.empty()) ? 0 : 1;
}

}  // namespace npu::sim
