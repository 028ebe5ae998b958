/// @file coverage_sink.h
/// @brief Collects the coverage of verilated models into one file per process.
///
/// A build configured with NPU_COVERAGE=ON verilates every model with line,
/// toggle and user (cover property) coverage. Verilator keeps a model's
/// counters inside the model, so they must be read before it is destroyed;
/// a test program makes many models. CollectCoverage() adds a context's
/// counts to this process's running total, and the total is written once, to
/// NPU_COV_DIR/<program>-<pid>-<time>.dat in Verilator's coverage format, when the
/// process exits. `make cov` (scripts/coverage.py) merges those files.
///
/// Without NPU_COV_DIR in the environment, or in a build without coverage,
/// CollectCoverage() does nothing.
#pragma once

class VerilatedContext;

namespace npu::cov {

/// Adds the coverage counts of `context`'s models to this process's total
/// and forgets their points. Call it after a model's final() and before it
/// is destroyed, when no other model of the context is still running.
void CollectCoverage(VerilatedContext& context);

/// Same, for models built on Verilator's default context.
void CollectDefaultCoverage();

}  // namespace npu::cov
