#include "tb/sim/power_up.h"

#include <verilated.h>

#include <cstdio>
#include <cstdlib>

namespace npu::sim {

#ifdef NPU_X_RANDOM
namespace {

// NPU_X_SEED, default 1, printed once so that a failure can be replayed.
int XSeed() {
  static const int seed = [] {
    const char* env = std::getenv("NPU_X_SEED");
    const int s = env != nullptr ? std::atoi(env) : 1;
    std::fprintf(stderr, "random initial values: NPU_X_SEED=%d\n", s);
    return s;
  }();
  return seed;
}

}  // namespace

void RandomInitialValues(VerilatedContext& context, uint64_t seed) {
  // Verilator takes a nonzero int seed (0 would mean one from the clock).
  const uint64_t mixed = static_cast<uint64_t>(XSeed()) ^ (seed ^ (seed >> 32));
  const int s = static_cast<int>(mixed & 0x7fffffff);
  context.randReset(2);
  context.randSeed(s != 0 ? s : 1);
}
#else
void RandomInitialValues(VerilatedContext& /*context*/, uint64_t /*seed*/) {}
#endif

void RandomInitialValues(uint64_t seed) { RandomInitialValues(*Verilated::threadContextp(), seed); }

}  // namespace npu::sim
