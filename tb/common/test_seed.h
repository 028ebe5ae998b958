/// @file test_seed.h
/// @brief Seeds of randomized GoogleTest tests: `NPU_SEED=<n>` replays a run.
///
/// Every randomized GoogleTest test takes its seed from Seed() (or its
/// generator from MakeRng()). Unless the environment sets `NPU_SEED`, each
/// call draws a fresh 64-bit seed; either way the seed is printed
/// (`[ seed     ] NPU_SEED=<n>`) and recorded as the test's `seed` property
/// in GoogleTest's XML output, so that any failure can be replayed with
/// `NPU_SEED=<n>`. `make test` sets `NPU_SEED` to the run's base seed (drawn
/// afresh on every run unless `make test SEED=<n>`), so its last line,
/// `replay with: make test SEED=<n>`, replays these tests too. (Coroutine
/// testbenches take theirs from npu::sim::TestContext instead.)
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>

namespace npu::testing {

/// Name of the environment variable that fixes the seed.
inline constexpr const char* kSeedEnv = "NPU_SEED";

/// The seed for one random run: the value of `NPU_SEED` (decimal or 0x hex)
/// when set and non-empty, else a fresh random one. Prints it and records it
/// as the current test's `seed` property. Throws std::invalid_argument if
/// `NPU_SEED` is not a number.
inline uint64_t Seed() {
  uint64_t seed = 0;
  if (const char* env = std::getenv(kSeedEnv); env != nullptr && *env != '\0') {
    char* end = nullptr;
    seed = std::strtoull(env, &end, 0);
    if (*end != '\0') throw std::invalid_argument(std::string("NPU_SEED is not a number: ") + env);
  } else {
    std::random_device device;
    seed = (static_cast<uint64_t>(device()) << 32) ^ device();
  }
  std::printf("[ seed     ] NPU_SEED=%llu\n", static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  return seed;
}

/// A generator seeded with Seed().
inline std::mt19937_64 MakeRng() { return std::mt19937_64(Seed()); }

}  // namespace npu::testing
