// A C++ model of a synchronous RAM read port for the block benches: a unit
// requests a row (re, addr; with an optional grant the memory may refuse the
// request in a cycle) and finds its data on `data` in the next cycle.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "tb/bus/signal_ref.h"
#include "tb/sim/clock.h"
#include "tb/sim/task.h"

namespace npu::block {

/// The signals of one read port (`gnt` unbound for a port that always
/// takes the request).
struct RamReadSignals {
  bus::SignalRef re;    ///< unit output: read request
  bus::SignalRef addr;  ///< unit output: row
  bus::SignalRef data;  ///< unit input: the row, the cycle after the read
  bus::SignalRef gnt;   ///< unit input: the request is taken this cycle
};

/// Timing of a RamReadPort.
struct RamReadConfig {
  /// Seed of the grant and garbage choices.
  uint64_t seed = 1;
  /// Probability that `gnt` is high in a cycle (ignored without `gnt`).
  double grant_prob = 1.0;
  /// Drive random data in cycles after no read (the unit must not use it).
  bool garbage = true;
};

/// A RAM of `rows` rows of `row_bytes` bytes behind one read port. Every
/// cycle it samples the request, checks the row is in range, logs the read,
/// and after the edge drives the row read (or garbage) and the next grant.
class RamReadPort {
 public:
  /// A read request taken: row and cycle.
  struct Read {
    uint32_t row = 0;
    uint64_t cycle = 0;
  };

  RamReadPort(std::string name, const RamReadSignals& signals, size_t rows, int row_bytes,
              const RamReadConfig& config);

  /// Coroutine: forever { ReadOnly; sample; RisingEdge; drive }.
  sim::Task<> Run(sim::Clock& clk);

  /// Backdoor access to row `r` (row_bytes bytes, little endian lanes).
  std::vector<uint8_t>& row(size_t r) { return rows_.at(r); }
  const std::vector<uint8_t>& row(size_t r) const { return rows_.at(r); }
  /// Number of rows.
  size_t rows() const { return rows_.size(); }
  /// Changes the grant probability.
  void set_grant_prob(double p) { config_.grant_prob = p; }
  /// Called for every read taken, in the read-only phase of its cycle.
  void set_on_read(std::function<void(const Read&)> on_read) { on_read_ = std::move(on_read); }
  /// Reads taken so far.
  uint64_t read_count() const { return read_count_; }

 private:
  bool Chance(double p);

  std::string name_;
  RamReadSignals sig_;
  std::vector<std::vector<uint8_t>> rows_;
  RamReadConfig config_;
  std::mt19937_64 rng_;
  std::function<void(const Read&)> on_read_;
  bool pending_ = false;  // a read taken this cycle: its data next cycle
  uint32_t pending_row_ = 0;
  uint64_t read_count_ = 0;
  std::vector<uint8_t> junk_;
};

}  // namespace npu::block
