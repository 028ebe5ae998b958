// How a verilated model starts: its initial values and its power-up reset.
//
// Initial values. In a build configured with NPU_X_RANDOM=ON (make nightly's
// second step) every model is verilated with --x-initial unique; which values
// a model then starts from is a setting of the context it is built on
// (VerilatedContext::randReset, what +verilator+rand+reset sets).
// RandomInitialValues() makes them random, seeded by NPU_X_SEED (default 1,
// printed once per process) and a test's own seed, so a failing case replays
// from its printed seed and NPU_X_SEED. In a normal build it does nothing and
// the models start from zeros.
//
// Power-up reset. An asynchronous reset acts from time 0 in hardware; a
// simulator needs a falling edge of rst_ni for that. A model whose rst_ni is
// merely low from the start keeps its initial values until the first clock
// edge and shows them on its outputs, which assertions such as "no response
// in reset" rightly reject once those values are random. PowerUpReset()
// drives the edge.
//
// The top-level harness (tb/dut) builds each model on a context of its own
// and calls both; the block benches build theirs on Verilator's default
// context through NewModel().
#pragma once

#include <cstdint>
#include <memory>

#include "tb/sim/runner.h"

class VerilatedContext;

namespace npu::sim {

/// Makes the models built on `context` from now on start from random values
/// (NPU_X_RANDOM builds only); `seed` 0 gives NPU_X_SEED's values exactly.
void RandomInitialValues(VerilatedContext& context, uint64_t seed);

/// Same, for Verilator's default context of this thread.
void RandomInitialValues(uint64_t seed);

/// Drives `rst_n` high, then low, calling `eval` after each: the model is in
/// reset before its first clock edge.
template <class Eval>
void PowerUpReset(uint8_t& rst_n, Eval&& eval) {
  rst_n = 1;
  eval();
  rst_n = 0;
  eval();
}

/// A block bench's model on the default context, with random initial values
/// drawn from the test's seed in an NPU_X_RANDOM build, and in reset
/// (rst_ni low after a falling edge).
template <class Model>
std::unique_ptr<Model> NewModel(const TestContext& ctx) {
  RandomInitialValues(ctx.seed);
  auto model = std::make_unique<Model>();
  PowerUpReset(model->rst_ni, [&] { model->eval(); });
  return model;
}

}  // namespace npu::sim
