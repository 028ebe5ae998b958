// Block test of npu_systolic_array (and npu_pe), told as stories on the
// coroutine harness: random activation rows switching weight banks row by
// row, random valid gaps, both banks rewritten at the earliest cycle the
// array contract allows (or later), int8 extremes, and clear_i. A monitor
// compares, every cycle, out_valid_o with the rows due then, and for each of
// them every output lane (bit for bit against a C++ model, int32 wrapping)
// and the tag: each result appears at exactly Latency = Rows + Cols + 1
// cycles after its row.
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include NPU_MODEL_H
#include "tb/bus/axi_port.h"
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

using Model = NPU_MODEL;
/// Shape of the verilated model (tb/block/array/CMakeLists.txt).
constexpr int kRows = NPU_ROWS;
constexpr int kCols = NPU_COLS;
/// Cycles from a row presented to its result (the array contract).
constexpr int kLatency = kRows + kCols + 1;
/// Every story must finish within this many cycles.
constexpr uint64_t kTimeoutCycles = 200'000;

/// The result the array owes for a row.
struct Expected {
  std::array<uint32_t, kCols> out;
  uint32_t tag;
};

int8_t RandomInt8(std::mt19937_64& rng) {
  const int pick = static_cast<int>(rng() % 8);
  if (pick == 0) return -128;
  if (pick == 1) return 127;
  return static_cast<int8_t>(rng() & 0xff);
}

/// The DUT, the kernel, a C++ model of both weight banks, and a monitor of
/// the outputs against the results due.
class ArrayBench {
 public:
  explicit ArrayBench(const TestContext& ctx)
      : rng_(ctx.MakeRng()),
        dut_(npu::sim::NewModel<Model>(ctx)),
        tracer_(*dut_, ctx.trace_path),
        kernel_([this] { dut_->eval(); }),
        clk_(kernel_.AddClock("clk_i", &dut_->clk_i, 10 * npu::sim::kNs)) {
    kernel_.SetTraceHook(tracer_.Hook());
  }
  ~ArrayBench() {
    dut_->final();
    npu::cov::CollectDefaultCoverage();  // make cov
  }

  npu::sim::Clock& clk() { return clk_; }
  std::mt19937_64& rng() { return rng_; }
  /// Results checked so far.
  int64_t checked() const { return checked_; }
  /// Results due and not yet seen.
  size_t owed() const { return expect_.size(); }
  /// The lanes of the last result seen.
  const std::array<int32_t, kCols>& last_out() const { return last_out_; }

  /// Resets the DUT, starts the monitor, then runs `story` with a timeout.
  void Run(const std::function<Task<>()>& story) {
    kernel_.Run([&]() -> Task<> {
      Model& d = *dut_;
      d.rst_ni = 0;
      d.clear_i = d.a_valid_i = d.w_we_i = 0;
      co_await ClockCycles(clk_, 2);
      d.rst_ni = 1;
      kernel_.StartSoon(Monitor(), "monitor");
      co_await RisingEdge(clk_);
      co_await npu::sim::WithTimeout(story(), clk_, kTimeoutCycles);
    });
  }

  /// What to drive in one cycle.
  struct Inputs {
    bool row = false;  ///< present `a` on bank `a_bank` with `tag`
    std::array<int8_t, kRows> a{};
    int a_bank = 0;
    uint32_t tag = 0;
    bool weights = false;  ///< write `w` into row `w_row` of bank `w_bank`
    std::array<int8_t, kCols> w{};
    int w_row = 0, w_bank = 0;
    bool clear = false;  ///< raise clear_i (drops the rows in flight)
  };

  /// Drives `in` for one cycle (call right after a rising edge; returns
  /// after the next one). A row owes its result Latency cycles later, from
  /// the weights the model holds now; a weight write updates the model.
  Task<> Cycle(const Inputs& in) {
    Model& d = *dut_;
    const uint64_t now = clk_.Cycles();
    d.clear_i = in.clear;
    d.a_valid_i = in.row;
    if (in.row) {
      std::array<uint8_t, kRows> bytes{};
      Expected e{};
      for (int r = 0; r < kRows; ++r) bytes[r] = static_cast<uint8_t>(in.a[r]);
      NPU_SIGNAL(d, a_i).SetBytes(bytes);
      d.a_bank_i = in.a_bank;
      d.tag_i = in.tag;
      for (int c = 0; c < kCols; ++c) {
        uint32_t acc = 0;
        for (int r = 0; r < kRows; ++r) {
          acc += static_cast<uint32_t>(int32_t{in.a[r]} * int32_t{w_[in.a_bank][r][c]});
        }
        e.out[c] = acc;
      }
      e.tag = in.tag;
      if (!in.clear) expect_[now + kLatency] = e;
    }
    d.w_we_i = in.weights;
    if (in.weights) {
      std::array<uint8_t, kCols> bytes{};
      for (int c = 0; c < kCols; ++c) {
        bytes[c] = static_cast<uint8_t>(in.w[c]);
        w_[in.w_bank][in.w_row][c] = in.w[c];
      }
      NPU_SIGNAL(d, w_i).SetBytes(bytes);
      d.w_row_i = in.w_row;
      d.w_bank_i = in.w_bank;
    }
    if (in.clear) expect_.clear();  // the rows in flight are dropped
    co_await RisingEdge(clk_);
    d.clear_i = d.a_valid_i = d.w_we_i = 0;
  }

  /// `n` cycles with nothing presented.
  Task<> Idle(int n) {
    for (int i = 0; i < n; ++i) co_await Cycle(Inputs{});
  }

 private:
  /// Checks, every cycle, out_valid_o against the results due and the
  /// lanes and tag of each.
  Task<> Monitor() {
    for (;;) {
      co_await ReadOnly();
      const Model& d = *dut_;
      const uint64_t now = clk_.Cycles();
      const auto it = expect_.find(now);
      const bool due = it != expect_.end();
      NPU_CHECK_EQ(d.out_valid_o != 0, due) << "out_valid_o in cycle " << now;
      if (due) {
        NPU_CHECK_EQ(d.tag_o, it->second.tag) << "tag in cycle " << now;
        std::array<uint8_t, 4 * kCols> bytes{};
        NPU_SIGNAL(d, out_o).GetBytes(bytes);
        for (int c = 0; c < kCols; ++c) {
          const uint32_t got = uint32_t{bytes[4 * c]} | uint32_t{bytes[4 * c + 1]} << 8 |
                               uint32_t{bytes[4 * c + 2]} << 16 | uint32_t{bytes[4 * c + 3]} << 24;
          last_out_[c] = static_cast<int32_t>(got);
          NPU_CHECK_EQ(last_out_[c], static_cast<int32_t>(it->second.out[c]))
              << "lane " << c << " in cycle " << now;
        }
        expect_.erase(it);
        ++checked_;
      }
      co_await RisingEdge(clk_);
    }
  }

  std::mt19937_64 rng_;
  std::unique_ptr<Model> dut_;
  npu::sim::Tracer<Model> tracer_;
  npu::sim::Kernel kernel_;
  npu::sim::Clock& clk_;
  int8_t w_[2][kRows][kCols] = {};
  std::map<uint64_t, Expected> expect_;  // keyed by the cycle the result is due
  std::array<int32_t, kCols> last_out_{};
  int64_t checked_ = 0;
};

// Random rows on either bank with random gaps, while the banks are rewritten
// row by row at the earliest cycle the contract allows or later (never the
// bank a row is presented on); int8 extremes in rows and weights.
NPU_SIM_TEST(array_random_rows_banks_rewrites) {
  ArrayBench tb(ctx);
  tb.Run([&]() -> Task<> {
    auto& rng = tb.rng();
    bool ready[2] = {false, false};        // bank holds defined weights
    int64_t last_use[2] = {-1000, -1000};  // cycle of the last row on each bank
    int writing = 0;                       // bank being rewritten, or -1
    int next_row = 0;
    int64_t rows = 0, rewrites = 0;
    const int64_t kCycles = 30000;
    for (int64_t u = 0; u < kCycles; ++u) {
      const auto now = static_cast<int64_t>(tb.clk().Cycles());
      ArrayBench::Inputs in;
      if (writing < 0 && rng() % 64 == 0) {
        writing = static_cast<int>(rng() & 1);
        next_row = 0;
      }
      if (rng() % 4 != 0) {
        int bank = static_cast<int>(rng() & 1);
        if (writing >= 0) bank = 1 - writing;
        if (ready[bank]) {
          const int style = static_cast<int>(rng() % 16);
          for (int r = 0; r < kRows; ++r) {
            in.a[r] = style == 0 ? int8_t{-128} : style == 1 ? int8_t{127} : RandomInt8(rng);
          }
          in.row = true;
          in.a_bank = bank;
          in.tag = static_cast<uint32_t>(rng() & 0xffff);
          last_use[bank] = now;
          ++rows;
        }
      }
      // Row r of a bank may be written from cycle last_use + Cols - 1 + r on.
      if (writing >= 0 && now >= last_use[writing] + kCols - 1 + next_row && rng() % 4 != 0) {
        const int style = static_cast<int>(rng() % 10);
        in.weights = true;
        in.w_bank = writing;
        in.w_row = next_row;
        for (int c = 0; c < kCols; ++c) {
          in.w[c] = style == 0 ? int8_t{-128} : style == 1 ? int8_t{127} : RandomInt8(rng);
        }
        if (++next_row == kRows) {
          ready[writing] = true;
          writing = !ready[0] ? 0 : !ready[1] ? 1 : -1;
          next_row = 0;
          ++rewrites;
        }
      }
      co_await tb.Cycle(in);
    }
    co_await tb.Idle(kLatency + 2);
    NPU_CHECK_EQ(tb.owed(), 0u);
    NPU_CHECK_EQ(tb.checked(), rows);
    NPU_CHECK(rows > kCycles / 2 && rewrites > 10) << rows << " rows, " << rewrites << " rewrites";
    fmt::print("  array {}x{}, latency {}: {} rows checked, {} bank rewrites\n", kRows, kCols,
               kLatency, rows, rewrites);
  });
}

// Extremes everywhere: all weights and activations at -128 or 127 give the
// largest sums the array can produce, each result exactly Latency cycles
// after its row and alone.
NPU_SIM_TEST(array_extremes) {
  ArrayBench tb(ctx);
  tb.Run([&]() -> Task<> {
    const int8_t vals[2] = {-128, 127};
    for (int bank = 0; bank < 2; ++bank) {
      for (int r = 0; r < kRows; ++r) {
        ArrayBench::Inputs in;
        in.weights = true;
        in.w_bank = bank;
        in.w_row = r;
        in.w.fill(vals[bank]);
        co_await tb.Cycle(in);
      }
    }
    for (int i = 0; i < 4; ++i) {
      ArrayBench::Inputs in;
      in.row = true;
      in.a_bank = i & 1;
      in.a.fill(vals[i >> 1]);
      in.tag = static_cast<uint32_t>(i);
      co_await tb.Cycle(in);
      co_await tb.Idle(kLatency);
      NPU_CHECK_EQ(tb.checked(), i + 1) << "row " << i;
      // The sum written out rather than from the model: Rows * a * w.
      const int32_t want = kRows * int32_t{vals[i >> 1]} * int32_t{vals[i & 1]};
      for (int c = 0; c < kCols; ++c) NPU_CHECK_EQ(tb.last_out()[c], want) << "lane " << c;
    }
  });
}

// clear_i drops the rows in flight: nothing comes out afterwards.
NPU_SIM_TEST(array_clear_drops_rows_in_flight) {
  ArrayBench tb(ctx);
  tb.Run([&]() -> Task<> {
    for (int i = 0; i < kLatency - 1; ++i) {
      ArrayBench::Inputs in;
      in.row = true;
      in.a_bank = 0;
      in.tag = static_cast<uint32_t>(i);
      co_await tb.Cycle(in);
    }
    ArrayBench::Inputs clear;
    clear.clear = true;
    co_await tb.Cycle(clear);
    co_await tb.Idle(2 * kLatency);
    NPU_CHECK_EQ(tb.checked(), 0);
  });
}

}  // namespace

int main(int argc, char** argv) { return npu::sim::RunTests(argc, argv); }
