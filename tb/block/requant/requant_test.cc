// Block test of npu_postproc (Dim = 16 lanes of npu_requant, then 16 lanes
// of npu_add_lane), told as stories on the coroutine harness: every shift
// against every combination of corner values, then sixteen million random
// values with random pipeline stalls (en_i low) and bubbles (valid_i low),
// clear_i, and rows with TFLite's int8 ADD of a residual row. Each
// requantized value is checked bit for bit twice: against npu::Requantize
// (sw/numerics, the contract the golden model and the simulator share) and
// against the independent formulation of tb/block/common/requant_ref.h; the
// two must also agree with each other. A row with add is checked against
// npu::Add of that result (sw/numerics, itself tested against a
// gemmlowp-based transcription of TFLite in sw/numerics). A row without add
// must pass through the add lanes unchanged whatever the add inputs hold
// (the bench drives them with garbage then). A monitor follows a model of
// the valid pipeline: valid_o every cycle, each row exactly Latency enabled
// cycles after it entered, res_pop_o exactly when a row with add enters the
// add stage, out_o held while the pipeline is stalled.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <vector>

#include "Vnpu_postproc.h"
#include "sw/numerics/numerics.h"
#include "tb/block/common/requant_ref.h"
#include "tb/cov/coverage_sink.h"
#include "tb/sim/power_up.h"
#include "tb/sim/sim.h"
#include "tb/sim/tracer.h"

namespace {

using npu::sim::ClockCycles;
using npu::sim::ReadOnly;
using npu::sim::RisingEdge;
using npu::sim::Task;
using npu::sim::TestContext;

/// Lanes of the verilated model (tb/block/requant/CMakeLists.txt).
constexpr int kDim = 16;
/// npu_postproc's pipeline: npu_requant's stages, then npu_add_lane's.
constexpr int kRqLatency = 4;
constexpr int kLatency = kRqLatency + 7;
constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
/// Every story must finish within this many cycles.
constexpr uint64_t kTimeoutCycles = 3'000'000;

struct Lane {
  int32_t acc, bias, mult;
  int shift;
};

struct Row {
  std::array<Lane, kDim> lane;
  int zp, lo, hi;
  bool add = false;                       // a residual row is added
  std::array<int8_t, kDim> res{};         // ... this one
  std::array<npu::AddParams, kDim> ap{};  // with these parameters per lane
};

/// Packs one byte per lane into 32-bit words (lane l at bits [8 (l % 4), +8)
/// of word l / 4).
template <typename Port, typename F>
void PackBytes(Port& port, F byte_of_lane) {
  for (int w = 0; w < kDim / 4; ++w) {
    uint32_t v = 0;
    for (int b = 0; b < 4; ++b)
      v |= (static_cast<uint32_t>(byte_of_lane(w * 4 + b)) & 0xff) << (8 * b);
    port[w] = v;
  }
}

/// The DUT, the kernel and a monitor of the outputs against a model of the
/// valid pipeline and the two reference formulations.
class PostprocBench {
 public:
  explicit PostprocBench(const TestContext& ctx)
      : rng_(ctx.MakeRng()),
        dut_(npu::sim::NewModel<Vnpu_postproc>(ctx)),
        tracer_(*dut_, ctx.trace_path),
        kernel_([this] { dut_->eval(); }),
        clk_(kernel_.AddClock("clk_i", &dut_->clk_i, 10 * npu::sim::kNs)) {
    kernel_.SetTraceHook(tracer_.Hook());
  }
  ~PostprocBench() {
    dut_->final();
    npu::cov::CollectDefaultCoverage();  // make cov
  }

  std::mt19937_64& rng() { return rng_; }
  uint64_t checked() const { return checked_; }
  uint64_t checked_adds() const { return checked_adds_; }
  uint64_t mismatches() const { return mismatches_; }

  /// Resets the DUT, starts the monitor, then runs `story` with a timeout.
  void Run(const std::function<Task<>()>& story) {
    kernel_.Run([&]() -> Task<> {
      dut_->rst_ni = 0;
      dut_->en_i = dut_->valid_i = dut_->clear_i = 0;
      co_await ClockCycles(clk_, 2);
      dut_->rst_ni = 1;
      kernel_.StartSoon(Monitor(), "monitor");
      co_await RisingEdge(clk_);
      co_await npu::sim::WithTimeout(story(), clk_, kTimeoutCycles);
    });
  }

  /// Drives one cycle (call right after a rising edge; returns after the
  /// next one): the pipeline advances if `en`; `row`, if any, enters it.
  Task<> Cycle(bool en, const Row* row, bool clear = false) {
    Vnpu_postproc& d = *dut_;
    d.en_i = en;
    d.clear_i = clear;
    d.valid_i = row != nullptr;
    d.add_i = row != nullptr && row->add;
    presented_ = row;
    DriveAddStage();
    if (row != nullptr) {
      for (int l = 0; l < kDim; ++l) {
        d.acc_i[l] = static_cast<uint32_t>(row->lane[l].acc);
        d.bias_i[l] = static_cast<uint32_t>(row->lane[l].bias);
        d.mult_i[l] = static_cast<uint32_t>(row->lane[l].mult);
      }
      for (int w = 0; w < kDim / 4; ++w) {
        uint32_t s = 0;
        for (int b = 0; b < 4; ++b) {
          s |= (static_cast<uint32_t>(row->lane[w * 4 + b].shift) & 0xff) << (8 * b);
        }
        d.shift_i[w] = s;
      }
      d.out_zp_i = static_cast<uint8_t>(row->zp);
      d.act_min_i = static_cast<uint8_t>(row->lo);
      d.act_max_i = static_cast<uint8_t>(row->hi);
    }
    co_await RisingEdge(clk_);
  }

  /// The add stage's inputs: the residual row and the add parameters of the
  /// row that is entering it (the model's stage kRqLatency - 1), held while
  /// it waits; random garbage when that row has no add, which must not
  /// matter.
  void DriveAddStage() {
    Vnpu_postproc& d = *dut_;
    const std::optional<Row>& at = stage_[kRqLatency - 1];
    if (at && at->add) {
      const Row& r = *at;
      PackBytes(d.res_i, [&](int l) { return r.res[l]; });
      for (int l = 0; l < kDim; ++l) {
        d.add_m1_i[l] = static_cast<uint32_t>(r.ap[l].input1.multiplier);
        d.add_m2_i[l] = static_cast<uint32_t>(r.ap[l].input2.multiplier);
        d.add_mo_i[l] = static_cast<uint32_t>(r.ap[l].output.multiplier);
      }
      PackBytes(d.add_s1_i, [&](int l) { return r.ap[l].input1.shift; });
      PackBytes(d.add_s2_i, [&](int l) { return r.ap[l].input2.shift; });
      PackBytes(d.add_so_i, [&](int l) { return r.ap[l].output.shift; });
      PackBytes(d.add_zp1_i, [&](int l) { return -r.ap[l].input1_offset; });
      PackBytes(d.add_zp2_i, [&](int l) { return -r.ap[l].input2_offset; });
      PackBytes(d.add_zo_i, [&](int l) { return r.ap[l].output_offset; });
      PackBytes(d.add_min_i, [&](int l) { return r.ap[l].act_min; });
      PackBytes(d.add_max_i, [&](int l) { return r.ap[l].act_max; });
    } else {
      const auto garbage = [&](auto& port, int words) {
        for (int w = 0; w < words; ++w) port[w] = static_cast<uint32_t>(rng_());
      };
      garbage(d.res_i, kDim / 4);
      garbage(d.add_m1_i, kDim);
      garbage(d.add_m2_i, kDim);
      garbage(d.add_mo_i, kDim);
      for (auto* p : {&d.add_s1_i, &d.add_s2_i, &d.add_so_i, &d.add_zp1_i, &d.add_zp2_i,
                      &d.add_zo_i, &d.add_min_i, &d.add_max_i}) {
        garbage(*p, kDim / 4);
      }
    }
  }

  /// Enabled cycles without input until the pipeline is empty.
  Task<> Drain() {
    for (int i = 0; i < kLatency + 2; ++i) co_await Cycle(true, nullptr);
    NPU_CHECK(std::none_of(stage_.begin(), stage_.end(), [](const auto& s) { return s; }))
        << "rows left in the pipeline";
  }

 private:
  /// Every cycle: valid_o against the model of the valid pipeline; each row
  /// leaving it (valid_o with en_i) lane by lane against both references;
  /// out_o unchanged while stalled. Then the model takes the edge.
  Task<> Monitor() {
    std::array<uint32_t, kDim / 4> prev_out{};
    bool prev_stalled = false;
    for (;;) {
      co_await ReadOnly();
      const Vnpu_postproc& d = *dut_;
      const uint64_t now = clk_.Cycles();
      const std::optional<Row>& head = stage_[kLatency - 1];
      NPU_CHECK_EQ(d.valid_o != 0, head.has_value()) << "valid_o in cycle " << now;
      const std::optional<Row>& at_add = stage_[kRqLatency - 1];
      NPU_CHECK_EQ(d.res_pop_o != 0, d.en_i && at_add && at_add->add)
          << "res_pop_o in cycle " << now;
      std::array<uint32_t, kDim / 4> out{};
      for (int w = 0; w < kDim / 4; ++w) out[w] = d.out_o[w];
      if (d.valid_o && prev_stalled) {
        NPU_CHECK(out == prev_out) << "out_o changed while the pipeline stalled, cycle " << now;
      }
      if (d.valid_o && d.en_i) Check(*head, out);
      prev_out = out;
      prev_stalled = d.valid_o && !d.en_i;
      // The edge: the pipeline advances when enabled; clear_i empties it.
      if (d.en_i) {
        for (int s = kLatency - 1; s > 0; --s) stage_[s] = std::move(stage_[s - 1]);
        stage_[0] = presented_ != nullptr ? std::optional<Row>(*presented_) : std::nullopt;
      }
      if (d.clear_i) stage_.fill(std::nullopt);
      co_await RisingEdge(clk_);
    }
  }

  void Check(const Row& row, const std::array<uint32_t, kDim / 4>& out) {
    for (int l = 0; l < kDim; ++l) {
      const Lane& in = row.lane[l];
      const auto got = static_cast<int8_t>((out[l / 4] >> (8 * (l % 4))) & 0xff);
      const int8_t want =
          npu::Requantize(in.acc, in.bias, in.mult, in.shift, row.zp, row.lo, row.hi);
      const int8_t mine = npu::block::RequantizeIndependent(in.acc, in.bias, in.mult, in.shift,
                                                            row.zp, row.lo, row.hi);
      ++checked_;
      const int8_t sum = row.add ? npu::Add(want, row.res[l], row.ap[l]) : want;
      checked_adds_ += row.add;
      NPU_CHECK_EQ(want, mine) << "sw/numerics and the independent formulation disagree: acc="
                               << in.acc << " bias=" << in.bias << " mult=" << in.mult
                               << " shift=" << in.shift << " zp=" << row.zp << " [" << row.lo << ","
                               << row.hi << "]";
      if (got != sum && ++mismatches_ <= 20) {
        fmt::print(
            "  lane {}: acc={} bias={} mult={} shift={} zp={} [{},{}]: rtl {}, contract {}\n", l,
            in.acc, in.bias, in.mult, in.shift, row.zp, row.lo, row.hi, int{got}, int{sum});
        if (row.add) {
          const npu::AddParams& a = row.ap[l];
          fmt::print(
              "    add of {} and {}: offsets {} {}, m1 {} s1 {}, m2 {} s2 {}, mo {} so {}, zo {} "
              "[{},{}]\n",
              int{want}, int{row.res[l]}, a.input1_offset, a.input2_offset, a.input1.multiplier,
              a.input1.shift, a.input2.multiplier, a.input2.shift, a.output.multiplier,
              a.output.shift, a.output_offset, a.act_min, a.act_max);
        }
      }
    }
  }

  std::mt19937_64 rng_;
  std::unique_ptr<Vnpu_postproc> dut_;
  npu::sim::Tracer<Vnpu_postproc> tracer_;
  npu::sim::Kernel kernel_;
  npu::sim::Clock& clk_;
  const Row* presented_ = nullptr;
  std::array<std::optional<Row>, kLatency> stage_;  // stage_[kLatency - 1] is on out_o
  uint64_t checked_ = 0, checked_adds_ = 0, mismatches_ = 0;
};

const std::vector<int32_t> kSpecial = {kMin, kMin + 1, -65536, -2,      -1,       0,
                                       1,    2,        65535,  1 << 30, kMax - 1, kMax};
const std::vector<int32_t> kSpecialMult = {kMin, kMin + 1, -(1 << 30), -1,  0,
                                           1,    1 << 30,  1518500250, kMax};

int32_t RandomI32(std::mt19937_64& rng) {
  switch (rng() % 8) {
    case 0:
      return kSpecial[rng() % kSpecial.size()];
    case 1:
      return static_cast<int32_t>(rng() % 2001) - 1000;
    case 2:
      return static_cast<int32_t>(rng() % 2000001) - 1000000;
    default:
      return static_cast<int32_t>(rng());
  }
}

int32_t RandomMult(std::mt19937_64& rng) {
  switch (rng() % 6) {
    case 0:
      return kSpecialMult[rng() % kSpecialMult.size()];
    case 1:
      return static_cast<int32_t>(rng());
    default: {
      // The range QuantizeMultiplier produces: |m| in [2^30, 2^31).
      const auto m = static_cast<int32_t>((uint32_t{1} << 30) + (rng() % (uint32_t{1} << 30)));
      return (rng() & 1) ? m : -m;
    }
  }
}

void RandomClamp(std::mt19937_64& rng, Row& row) {
  row.zp = static_cast<int>(rng() % 256) - 128;
  switch (rng() % 4) {
    case 0:
      row.lo = -128;
      row.hi = 127;
      break;
    case 1:
      row.lo = row.zp;
      row.hi = 127;
      break;
    default: {
      const int a = static_cast<int>(rng() % 256) - 128, b = static_cast<int>(rng() % 256) - 128;
      row.lo = std::min(a, b);
      row.hi = std::max(a, b);
    }
  }
}

// Every shift in [-31, 30] against every combination of corner
// accumulators, biases and multipliers (16 per row, random clamps).
NPU_SIM_TEST(requant_corner_cases_every_shift) {
  PostprocBench tb(ctx);
  tb.Run([&]() -> Task<> {
    Row row{};
    int fill = 0;
    uint64_t values = 0;
    for (int shift = -31; shift <= 30; ++shift) {
      for (int32_t acc : kSpecial) {
        for (int32_t bias : kSpecial) {
          for (int32_t mult : kSpecialMult) {
            row.lane[fill] = {acc, bias, mult, shift};
            ++values;
            if (++fill == kDim) {
              RandomClamp(tb.rng(), row);
              co_await tb.Cycle(true, &row);
              fill = 0;
            }
          }
        }
      }
    }
    co_await tb.Drain();
    fmt::print("  corner values checked: {}\n", tb.checked());
    NPU_CHECK_EQ(tb.checked(), values - values % kDim);
    NPU_CHECK_EQ(tb.mismatches(), 0u) << "values differ from the contract (first ones printed)";
  });
}

// Sixteen million random values (one million rows, random shifts per lane),
// with stalls (en_i low) and bubbles (valid_i low) in about one cycle in
// eight.
NPU_SIM_TEST(requant_random_16m) {
  PostprocBench tb(ctx);
  tb.Run([&]() -> Task<> {
    auto& rng = tb.rng();
    const int rows = 1'000'000;
    Row row{};
    for (int i = 0; i < rows; ++i) {
      for (auto& lane : row.lane) {
        lane = {RandomI32(rng), RandomI32(rng), RandomMult(rng), static_cast<int>(rng() % 62) - 31};
      }
      RandomClamp(rng, row);
      while (rng() % 8 == 0) co_await tb.Cycle(false, &row);
      if (rng() % 8 == 0) co_await tb.Cycle(true, nullptr);
      co_await tb.Cycle(true, &row);
    }
    co_await tb.Drain();
    fmt::print("  random values checked: {}\n", tb.checked());
    NPU_CHECK_EQ(tb.checked(), static_cast<uint64_t>(rows) * kDim);
    NPU_CHECK_EQ(tb.mismatches(), 0u) << "values differ from the contract (first ones printed)";
  });
}

// clear_i empties the valid pipeline: the rows inside never come out, and
// rows entering afterwards do.
NPU_SIM_TEST(requant_clear) {
  PostprocBench tb(ctx);
  tb.Run([&]() -> Task<> {
    auto& rng = tb.rng();
    std::vector<Row> rows(64);
    for (Row& row : rows) {
      for (auto& lane : row.lane) {
        lane = {RandomI32(rng), RandomI32(rng), RandomMult(rng), static_cast<int>(rng() % 62) - 31};
      }
      RandomClamp(rng, row);
    }
    size_t next = 0;
    uint64_t after = 0;  // rows entered after a clear
    for (int round = 0; round < 8; ++round) {
      const int fill = 1 + static_cast<int>(rng() % kLatency);
      for (int i = 0; i < fill; ++i) co_await tb.Cycle(true, &rows[next++ % rows.size()]);
      co_await tb.Cycle(rng() & 1, rng() & 1 ? &rows[next++ % rows.size()] : nullptr, true);
      const int refill = 1 + static_cast<int>(rng() % 3);
      for (int i = 0; i < refill; ++i) co_await tb.Cycle(true, &rows[next++ % rows.size()]);
      after += static_cast<uint64_t>(refill);
      co_await tb.Drain();
    }
    NPU_CHECK(tb.checked() >= after * kDim) << "rows entered after clear_i did not come out";
    NPU_CHECK_EQ(tb.mismatches(), 0u);
  });
}

/// Random add parameters of one lane: mostly TFLite's own (QuantizeAddParams
/// of random scales and zero points), one lane in four with raw multipliers
/// and shifts anywhere in the ranges the store unit accepts.
npu::AddParams RandomAddParams(std::mt19937_64& rng) {
  const auto scale = [&] {
    return std::ldexp(1.0f + float(rng() % 1000) / 1000.0f, int(rng() % 16) - 12);
  };
  const auto zp = [&] { return static_cast<int32_t>(rng() % 256) - 128; };
  npu::AddParams p;
  if (rng() % 4 != 0) {
    for (;;) {
      try {
        const float s1 = scale(), s2 = scale(), so = scale();
        p = npu::QuantizeAddParams(s1, zp(), s2, zp(), so, zp(), npu::Activation{});
        break;
      } catch (const std::invalid_argument&) {
        // An output multiplier not below 1: draw again.
      }
    }
  } else {
    p.input1_offset = -zp();
    p.input2_offset = -zp();
    p.input1 = {RandomMult(rng), -static_cast<int>(rng() % 32)};
    p.input2 = {RandomMult(rng), -static_cast<int>(rng() % 32)};
    p.output = {RandomMult(rng), -static_cast<int>(rng() % 32)};
    p.output_offset = zp();
  }
  Row clamp{};
  RandomClamp(rng, clamp);
  p.act_min = clamp.lo;
  p.act_max = clamp.hi;
  return p;
}

// Rows with and without add, interleaved, with stalls and bubbles: a row
// with add gets its residual row and parameters when it enters the add
// stage, held while the pipeline stalls; a row without add passes the add
// lanes unchanged while their inputs hold garbage.
NPU_SIM_TEST(postproc_add_random) {
  PostprocBench tb(ctx);
  tb.Run([&]() -> Task<> {
    auto& rng = tb.rng();
    const int rows = 50'000;
    std::vector<Row> ring(2 * kLatency + 2);  // rows stay alive while in the pipeline
    for (int i = 0; i < rows; ++i) {
      Row& row = ring[size_t(i) % ring.size()];
      for (auto& lane : row.lane) {
        lane = {RandomI32(rng), RandomI32(rng), RandomMult(rng), static_cast<int>(rng() % 62) - 31};
      }
      RandomClamp(rng, row);
      row.add = rng() % 4 != 0;
      for (int l = 0; l < kDim; ++l) {
        row.res[l] = static_cast<int8_t>(rng());
        row.ap[l] = RandomAddParams(rng);
      }
      while (rng() % 8 == 0) co_await tb.Cycle(false, &row);
      if (rng() % 8 == 0) co_await tb.Cycle(true, nullptr);
      co_await tb.Cycle(true, &row);
    }
    co_await tb.Drain();
    fmt::print("  values checked: {}, {} of them with add\n", tb.checked(), tb.checked_adds());
    NPU_CHECK_EQ(tb.checked(), static_cast<uint64_t>(rows) * kDim);
    NPU_CHECK(tb.checked_adds() > tb.checked() / 2) << "too few rows with add";
    NPU_CHECK_EQ(tb.mismatches(), 0u) << "values differ from the contract (first ones printed)";
  });
}

}  // namespace

int main(int argc, char** argv) { return npu::sim::RunTests(argc, argv); }
