// Block test of npu_compute with its real memories (npu_compute_tb_top):
// random sequences of compute instructions against a C++ model of the ISA's
// compute semantics, with tokens arriving randomly late, overlapping
// accumulator ranges, accumulate on and off, no-ops and illegal
// instructions. Checks the final accumulator contents, the token takes, the
// order and timing of sig_prev / sig_next against the reads and writes seen
// on the memory ports, the store port's arbitration, the errors, abort and
// clear; and measures the row-issue efficiency of back-to-back m = 128.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <vector>

#include NPU_MODEL_H
#include "sw/gen/npu_isa.h"
#include "tb/block/common/block_util.h"
#include "tb/common/test_seed.h"
#include "verilated.h"

namespace {

using npu::block::GetLane;
using npu::block::SetLane;
using npu::testing::Seed;

namespace isa = npu::isa;

constexpr int kDim = NPU_DIM;
constexpr int kSpadA = NPU_SPAD_A;
constexpr int kSpadB = NPU_SPAD_B;
constexpr int kAcc = NPU_ACC;
// Rows leave the unit at most this many cycles after issue (array latency
// 2 * Dim + 1 plus the A read, the accumulator read and the write).
constexpr int kDrain = 2 * kDim + 8;
using Model = NPU_MODEL;
using RowI8 = std::array<int8_t, kDim>;
using RowI32 = std::array<uint32_t, kDim>;

// One instruction of a test program.
struct Instr {
  isa::ComputeInstr ci;
  isa::Word word;
  bool legal = true;  // executes (else: illegal_instr error, no signals)
};

Instr Make(const isa::ComputeInstr& ci, bool legal = true, uint32_t opcode = 2) {
  Instr in;
  in.ci = ci;
  in.word = ci.Encode();
  in.word[0] = (in.word[0] & ~0xfu) | (opcode & 0xfu);
  in.legal = legal;
  return in;
}

// Whether the instruction's rows are all in range (the hardware's check).
bool InRange(const isa::ComputeInstr& c) {
  if (c.m == 0 || c.nk == 0) return true;
  const uint64_t a_last = uint64_t{c.a_row} + uint64_t{c.nk - 1} * c.a_k_stride + c.m - 1;
  const uint64_t b_last = uint64_t{c.b_row} + uint64_t{c.nk} * kDim - 1;
  const uint64_t acc_last = uint64_t{c.acc_row} + c.m - 1;
  return a_last < kSpadA && b_last < kSpadB && acc_last < kAcc;
}

int8_t RandomInt8(std::mt19937_64& rng) {
  const int pick = static_cast<int>(rng() % 10);
  if (pick == 0) return -128;
  if (pick == 1) return 127;
  return static_cast<int8_t>(rng() & 0xff);
}

class ComputeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_ = std::make_unique<VerilatedContext>();
    dut_ = std::make_unique<Model>(ctx_.get());
    npu::block::Reset(*dut_);
    a_.assign(kSpadA, RowI8{});
    b_.assign(kSpadB, RowI8{});
    acc_.assign(kAcc, RowI32{});
  }

  void Tick() {
    npu::block::Step(*dut_);
    ++cycle_;
  }

  // Backdoor fill of both scratchpads and the accumulators with random data.
  void Fill(std::mt19937_64& rng) {
    for (int sp = 0; sp < 2; ++sp) {
      auto& mem = sp == 0 ? a_ : b_;
      for (size_t r = 0; r < mem.size(); ++r) {
        for (int l = 0; l < kDim; ++l) {
          mem[r][l] = RandomInt8(rng);
          SetLane(dut_->bd_wdata_i, l, 8, static_cast<uint8_t>(mem[r][l]));
        }
        dut_->bd_a_we_i = sp == 0;
        dut_->bd_b_we_i = sp == 1;
        dut_->bd_waddr_i = static_cast<uint16_t>(r);
        Tick();
      }
    }
    dut_->bd_a_we_i = 0;
    dut_->bd_b_we_i = 0;
    for (int r = 0; r < kAcc; ++r) {
      for (int l = 0; l < kDim; ++l) {
        // Values near the int32 limits make the wrapping visible.
        const int pick = static_cast<int>(rng() % 4);
        acc_[r][l] = pick == 0   ? 0x7fffff00u + static_cast<uint32_t>(rng() % 512)
                     : pick == 1 ? 0x80000000u + static_cast<uint32_t>(rng() % 256)
                                 : static_cast<uint32_t>(rng());
        SetLane(dut_->bd_acc_wdata_i, l, 32, acc_[r][l]);
      }
      dut_->bd_acc_we_i = 1;
      dut_->bd_acc_waddr_i = r;
      Tick();
    }
    dut_->bd_acc_we_i = 0;
  }

  // The ISA's compute semantics on the C++ memories.
  void Execute(const isa::ComputeInstr& c) {
    for (uint32_t k = 0; k < c.nk; ++k) {
      for (uint32_t i = 0; i < c.m; ++i) {
        const RowI8& a = a_[c.a_row + k * c.a_k_stride + i];
        RowI32& acc = acc_[c.acc_row + i];
        for (int col = 0; col < kDim; ++col) {
          uint32_t s = (k == 0 && !c.accumulate) ? 0u : acc[col];
          for (int r = 0; r < kDim; ++r) {
            s += static_cast<uint32_t>(int32_t{a[r]} * int32_t{b_[c.b_row + k * kDim + r][col]});
          }
          acc[col] = s;
        }
      }
    }
  }

  struct RunStats {
    int64_t first_row = -1, last_row = -1, rows = 0, cycles = 0;
    int64_t stall_dep = 0, stall_hazard = 0, busy = 0;
  };

  // Runs a program to completion, checking everything on the way.
  // tok_rate: probability per cycle that a missing token arrives.
  RunStats Run(const std::vector<Instr>& prog, std::mt19937_64& rng, double tok_rate,
               bool random_valid = true, bool probe_store = true) {
    // Expected signals: cumulative A reads / B reads / acc writes at each.
    std::vector<int64_t> exp_prev_a, exp_prev_b, exp_next_w;
    std::vector<uint32_t> exp_err_pc;
    int64_t cum_a = 0, cum_b = 0, cum_w = 0, need_prev = 0, need_next = 0;
    for (size_t i = 0; i < prog.size(); ++i) {
      const auto& in = prog[i];
      need_prev += ((in.ci.deps.wait & isa::ComputeInstr::kWaitLoad) != 0);
      need_next += ((in.ci.deps.wait & isa::ComputeInstr::kWaitStore) != 0);
      if (!in.legal) {
        exp_err_pc.push_back(static_cast<uint32_t>(pc_base_ + i));
        continue;
      }
      const bool noop = in.ci.m == 0 || in.ci.nk == 0;
      if (!noop) {
        cum_a += int64_t{in.ci.m} * in.ci.nk;
        cum_w += int64_t{in.ci.m} * in.ci.nk;
        cum_b += int64_t{in.ci.nk} * kDim;
      }
      if (((in.ci.deps.signal & isa::ComputeInstr::kSignalLoad) != 0)) {
        exp_prev_a.push_back(cum_a);
        exp_prev_b.push_back(cum_b);
      }
      if (((in.ci.deps.signal & isa::ComputeInstr::kSignalStore) != 0)) exp_next_w.push_back(cum_w);
      Execute(in.ci);
    }

    RunStats st;
    size_t head = 0;
    int64_t head_at = cycle_;
    int64_t prev_tok = 0, next_tok = 0, given_prev = 0, given_next = 0;
    int64_t a_reads = 0, b_reads = 0, acc_writes = 0;
    size_t n_sig_prev = 0, n_sig_next = 0;
    std::vector<uint32_t> err_pc;
    const int64_t start = cycle_;
    int idle_run = 0;
    const int64_t limit = cycle_ + 200000 + 4 * cum_a;
    while (true) {
      const bool valid = head < prog.size() && cycle_ >= head_at;
      dut_->instr_valid_i = valid;
      if (valid) {
        for (int w = 0; w < isa::kInstrWords; ++w) dut_->instr_i[w] = prog[head].word[w];
        dut_->pc_i = static_cast<uint32_t>(pc_base_ + head);
      }
      dut_->tok_prev_avail_i = prev_tok > 0;
      dut_->tok_next_avail_i = next_tok > 0;
      dut_->st_re_i = probe_store && (rng() & 1);
      dut_->st_raddr_i = static_cast<uint32_t>(rng() % kAcc);
      npu::block::ClockLow(*dut_);

      // Observe this cycle.
      const bool take = valid && dut_->instr_ready_o;
      if (take) {
        EXPECT_EQ(dut_->tok_prev_take_o,
                  ((prog[head].ci.deps.wait & isa::ComputeInstr::kWaitLoad) != 0) ? 1 : 0);
        EXPECT_EQ(dut_->tok_next_take_o,
                  ((prog[head].ci.deps.wait & isa::ComputeInstr::kWaitStore) != 0) ? 1 : 0);
      } else {
        EXPECT_EQ(dut_->tok_prev_take_o, 0);
        EXPECT_EQ(dut_->tok_next_take_o, 0);
      }
      if (dut_->tok_prev_take_o) --prev_tok;
      if (dut_->tok_next_take_o) --next_tok;
      EXPECT_GE(prev_tok, 0);
      EXPECT_GE(next_tok, 0);
      if (dut_->sig_prev_o) {
        // The pulse follows the instruction's last A read (all of them
        // happened in earlier cycles) and all its B reads.
        if (n_sig_prev < exp_prev_a.size()) {
          EXPECT_EQ(a_reads, exp_prev_a[n_sig_prev]) << "sig_prev " << n_sig_prev;
          EXPECT_GE(b_reads, exp_prev_b[n_sig_prev]) << "sig_prev " << n_sig_prev;
        }
        ++n_sig_prev;
      }
      if (dut_->sig_next_o) {
        // The pulse comes with the instruction's last accumulator write.
        if (n_sig_next < exp_next_w.size()) {
          EXPECT_EQ(acc_writes + dut_->acc_we_o, exp_next_w[n_sig_next])
              << "sig_next " << n_sig_next;
        }
        ++n_sig_next;
      }
      if (dut_->st_re_i) {
        const bool same =
            dut_->acc_re_o && ((dut_->acc_raddr_o ^ dut_->st_raddr_i) & (kAcc / 2)) == 0;
        EXPECT_EQ(dut_->st_gnt_o, same ? 0 : 1);
      }
      a_reads += dut_->a_re_o;
      b_reads += dut_->b_re_o;
      acc_writes += dut_->acc_we_o;
      if (dut_->err_o) {
        EXPECT_EQ(dut_->err_cause_o, 1u);
        EXPECT_EQ(dut_->err_addr_o, 0u);
        err_pc.push_back(dut_->err_pc_o);
      }
      if (dut_->row_o) {
        if (st.first_row < 0) st.first_row = cycle_;
        st.last_row = cycle_;
        ++st.rows;
      }
      st.stall_dep += dut_->stall_dep_o;
      st.stall_hazard += dut_->stall_hazard_o;
      st.busy += dut_->busy_o;
      const bool idle = dut_->idle_o;

      npu::block::ClockHigh(*dut_);
      ++cycle_;

      if (take) {
        ++head;
        head_at = cycle_ + ((random_valid && rng() % 4 == 0) ? static_cast<int64_t>(rng() % 8) : 0);
      }
      if (given_prev < need_prev && std::generate_canonical<double, 32>(rng) < tok_rate) {
        ++prev_tok;
        ++given_prev;
      }
      if (given_next < need_next && std::generate_canonical<double, 32>(rng) < tok_rate) {
        ++next_tok;
        ++given_next;
      }
      idle_run = (head == prog.size() && idle) ? idle_run + 1 : 0;
      if (idle_run > 4) break;
      if (cycle_ > limit) {
        ADD_FAILURE() << "timeout: head " << head << " of " << prog.size();
        break;
      }
    }
    dut_->instr_valid_i = 0;
    dut_->st_re_i = 0;
    st.cycles = cycle_ - start;
    EXPECT_EQ(n_sig_prev, exp_prev_a.size());
    EXPECT_EQ(n_sig_next, exp_next_w.size());
    EXPECT_EQ(a_reads, cum_a);
    EXPECT_EQ(b_reads, cum_b);
    EXPECT_EQ(acc_writes, cum_w);
    EXPECT_EQ(st.rows, cum_w);
    EXPECT_EQ(err_pc, exp_err_pc);
    pc_base_ += prog.size();
    return st;
  }

  // Reads every accumulator row through the store port and compares.
  void CheckAcc(int lo = 0, int hi = kAcc) {
    int bad = 0;
    for (int r = lo; r < hi && bad < 10; ++r) {
      dut_->st_re_i = 1;
      dut_->st_raddr_i = r;
      npu::block::ClockLow(*dut_);
      ASSERT_EQ(dut_->st_gnt_o, 1);
      Tick();
      dut_->st_re_i = 0;
      for (int l = 0; l < kDim; ++l) {
        const uint32_t got = GetLane(dut_->st_rdata_o, l, 32);
        if (got != acc_[r][l]) {
          ADD_FAILURE() << "acc[" << r << "][" << l << "] = " << static_cast<int32_t>(got)
                        << ", want " << static_cast<int32_t>(acc_[r][l]);
          ++bad;
        }
      }
    }
  }

  isa::ComputeInstr RandomLegal(std::mt19937_64& rng, uint32_t& last_acc_row) {
    isa::ComputeInstr c;
    if (rng() % 3 == 0) c.deps.wait |= isa::ComputeInstr::kWaitLoad;
    if (rng() % 3 == 0) c.deps.wait |= isa::ComputeInstr::kWaitStore;
    if (rng() % 3 == 0) c.deps.signal |= isa::ComputeInstr::kSignalLoad;
    if (rng() % 3 == 0) c.deps.signal |= isa::ComputeInstr::kSignalStore;
    c.accumulate = rng() & 1;
    const int mk = static_cast<int>(rng() % 20);
    c.m = mk < 4 ? 1 + rng() % 4 : mk < 7 ? 120 + rng() % 20 : 1 + rng() % 300;
    c.m = std::min<uint32_t>(c.m, kAcc);
    c.nk = 1 + rng() % 6;
    if (rng() % 2) {
      // Overlap the previous instruction's accumulator rows.
      const int64_t r = int64_t{last_acc_row} + static_cast<int64_t>(rng() % 7) - 3;
      c.acc_row = static_cast<uint32_t>(std::clamp<int64_t>(r, 0, kAcc - c.m));
    } else {
      c.acc_row = static_cast<uint32_t>(rng() % (kAcc - c.m + 1));
    }
    last_acc_row = c.acc_row;
    const uint32_t max_stride = c.nk > 1 ? (kSpadA - c.m) / (c.nk - 1) : 400;
    c.a_k_stride = static_cast<uint32_t>(rng() % (std::min<uint32_t>(max_stride, 400) + 1));
    c.a_row = static_cast<uint32_t>(rng() % (kSpadA - c.m - (c.nk - 1) * c.a_k_stride + 1));
    c.b_row = static_cast<uint32_t>(rng() % (kSpadB - c.nk * kDim + 1));
    return c;
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> dut_;
  int64_t cycle_ = 0;
  uint64_t pc_base_ = 0;
  std::vector<RowI8> a_, b_;
  std::vector<RowI32> acc_;
};

TEST_F(ComputeTest, RandomSequences) {
  std::mt19937_64 rng(Seed());
  Fill(rng);
  uint32_t last_acc = 0;
  for (int seq = 0; seq < 4; ++seq) {
    std::vector<Instr> prog;
    const int n = 10 + static_cast<int>(rng() % 20);
    for (int i = 0; i < n; ++i) {
      isa::ComputeInstr c = RandomLegal(rng, last_acc);
      const int kind = static_cast<int>(rng() % 100);
      if (kind < 5) {
        // No-op: tokens still move.
        if (rng() & 1)
          c.m = 0;
        else
          c.nk = 0;
        if (rng() & 1) c.acc_row = 0xffff;  // out of range but never used
      }
      prog.push_back(Make(c));
    }
    const double tok_rate = (seq % 2) ? 0.02 : 0.3;
    const RunStats st = Run(prog, rng, tok_rate);
    std::printf(
        "sequence %d: %d instructions, %lld rows in %lld cycles, stall_dep %lld, "
        "stall_hazard %lld\n",
        seq, n, static_cast<long long>(st.rows), static_cast<long long>(st.cycles),
        static_cast<long long>(st.stall_dep), static_cast<long long>(st.stall_hazard));
    CheckAcc();
    if (HasFailure()) return;
  }
}

// Tiny m back to back into the same rows: chunk after chunk of one row
// accumulates into the same accumulator row (read-after-write).
TEST_F(ComputeTest, SmallMSameRows) {
  std::mt19937_64 rng(Seed());
  Fill(rng);
  std::vector<Instr> prog;
  for (int i = 0; i < 24; ++i) {
    isa::ComputeInstr c;
    c.m = 1 + i % 3;
    c.nk = 1 + i % 6;
    c.accumulate = i % 4 != 0;
    c.acc_row = 7;
    c.a_row = static_cast<uint32_t>(rng() % 100);
    c.a_k_stride = static_cast<uint32_t>(rng() % 3);
    c.b_row = static_cast<uint32_t>(rng() % (kSpadB - c.nk * kDim + 1));
    if (i % 2) c.deps.signal |= isa::ComputeInstr::kSignalStore;
    if (i % 3 == 0) c.deps.signal |= isa::ComputeInstr::kSignalLoad;
    prog.push_back(Make(c));
  }
  Run(prog, rng, 1.0, false);
  CheckAcc();
}

TEST_F(ComputeTest, OutOfRangeRaisesIllegalInstr) {
  std::mt19937_64 rng(Seed());
  Fill(rng);
  uint32_t last_acc = 0;
  std::vector<Instr> prog;
  auto legal = [&] { prog.push_back(Make(RandomLegal(rng, last_acc))); };
  auto bad = [&](isa::ComputeInstr c, uint32_t opcode = 2) {
    c.deps.signal = isa::ComputeInstr::kSignalLoad | isa::ComputeInstr::kSignalStore;
    if (rng() & 1) c.deps.wait |= isa::ComputeInstr::kWaitLoad;
    prog.push_back(Make(c, false, opcode));
  };
  legal();
  isa::ComputeInstr c = RandomLegal(rng, last_acc);
  // Last A row one past the end.
  c.a_row = kSpadA - c.m - (c.nk - 1) * c.a_k_stride + 1;
  bad(c);
  legal();
  c = RandomLegal(rng, last_acc);
  c.b_row = kSpadB - c.nk * kDim + 1;  // last B row one past the end
  bad(c);
  c = RandomLegal(rng, last_acc);
  c.acc_row = kAcc - c.m + 1;  // last accumulator row one past the end
  bad(c);
  legal();
  c = RandomLegal(rng, last_acc);
  bad(c, 3);  // not a compute opcode
  c = RandomLegal(rng, last_acc);
  bad(c, 0);
  c = RandomLegal(rng, last_acc);
  c.nk = 0xffff;  // huge: (nk - 1) * a_k_stride overflows 32 bits
  c.a_k_stride = 0xffff;
  c.m = 0xffff;
  bad(c);
  legal();
  for (const auto& in : prog) ASSERT_EQ(InRange(in.ci) && (in.word[0] & 0xf) == 2, in.legal);
  Run(prog, rng, 0.2);
  CheckAcc();
}

// Back-to-back instructions (and chunks) with m = 128: rows issued per
// cycle between the first and the last row.
TEST_F(ComputeTest, EfficiencyM128) {
  std::mt19937_64 rng(Seed());
  Fill(rng);
  for (int nk : {1, 2, 4}) {
    std::vector<Instr> prog;
    for (int i = 0; i < 32; ++i) {
      isa::ComputeInstr c;
      c.m = 128;
      c.nk = nk;
      c.accumulate = i % 2;
      c.acc_row = static_cast<uint32_t>((i % 2) * 128);
      c.a_row = static_cast<uint32_t>(rng() % (kSpadA - 128 * nk + 1) / 2);
      c.a_k_stride = 128;
      c.b_row = static_cast<uint32_t>(rng() % (kSpadB - nk * kDim + 1));
      if (i % 4 == 3) c.deps.signal |= isa::ComputeInstr::kSignalStore;
      prog.push_back(Make(c));
    }
    const RunStats st = Run(prog, rng, 1.0, false, false);
    const double eff = static_cast<double>(st.rows) / (st.last_row - st.first_row + 1);
    const double eff_total = static_cast<double>(st.rows) / st.cycles;
    std::printf(
        "Dim %d, m = 128, nk = %d, 32 instructions: row-issue efficiency %.2f%% "
        "(first to last row), %.2f%% including start-up and drain\n",
        kDim, nk, 100.0 * eff, 100.0 * eff_total);
    EXPECT_GT(eff, 0.9);  // loose sanity bound; the figure is what matters
    CheckAcc();
  }
}

// abort_i (a one-cycle pulse) stops rows at once, lets the array drain,
// drops queued work and gives no signals for it; the unit then runs new
// instructions normally.
TEST_F(ComputeTest, AbortDrainsAndRecovers) {
  std::mt19937_64 rng(Seed());
  Fill(rng);
  auto snapshot = acc_;
  isa::ComputeInstr c;
  c.m = 300 > kAcc / 2 ? kAcc / 2 : 300;
  c.nk = 6;
  c.a_k_stride = 1;
  c.deps.signal = isa::ComputeInstr::kSignalLoad | isa::ComputeInstr::kSignalStore;
  const auto w = c.Encode();
  int64_t rows = 0, writes = 0, signals = 0;
  bool taken = false;
  for (int t = 0; t < 400 + 4 * kDrain; ++t) {
    dut_->instr_valid_i = !taken;
    for (int i = 0; i < isa::kInstrWords; ++i) dut_->instr_i[i] = w[i];
    dut_->abort_i = t == 400;
    npu::block::ClockLow(*dut_);
    if (dut_->instr_ready_o) taken = true;
    if (t > 400) {
      EXPECT_EQ(dut_->row_o, 0) << t;
      EXPECT_EQ(dut_->a_re_o, 0) << t;
      EXPECT_EQ(dut_->b_re_o, 0) << t;
    }
    if (t > 400 + kDrain) {
      EXPECT_EQ(dut_->acc_we_o, 0) << t;
      EXPECT_EQ(dut_->idle_o, 1) << t;
    }
    rows += dut_->row_o;
    writes += dut_->acc_we_o;
    signals += dut_->sig_prev_o + dut_->sig_next_o;
    Tick();
  }
  dut_->abort_i = 0;
  EXPECT_GT(rows, 0);
  EXPECT_EQ(writes, rows);
  EXPECT_EQ(signals, 0);
  // Accumulator rows above the aborted range are untouched; a new program
  // on them runs normally.
  const int lo = static_cast<int>(c.m);
  acc_ = snapshot;
  std::vector<Instr> prog;
  for (int i = 0; i < 3; ++i) {
    isa::ComputeInstr d;
    d.m = 40;
    d.nk = 2;
    d.accumulate = i > 0;
    d.acc_row = static_cast<uint32_t>(lo + 10);
    d.a_row = 5;
    d.a_k_stride = 50;
    d.b_row = kDim;
    d.deps.signal |= isa::ComputeInstr::kSignalStore;
    prog.push_back(Make(d));
  }
  pc_base_ = 100;
  Run(prog, rng, 1.0);
  CheckAcc(lo, kAcc);
}

// clear_i returns the unit to its reset state mid-instruction.
TEST_F(ComputeTest, ClearMidInstruction) {
  std::mt19937_64 rng(Seed());
  Fill(rng);
  isa::ComputeInstr c;
  c.m = 100;
  c.nk = 3;
  const auto w = c.Encode();
  for (int t = 0; t < 150; ++t) {
    dut_->instr_valid_i = t == 0;
    for (int i = 0; i < isa::kInstrWords; ++i) dut_->instr_i[i] = w[i];
    dut_->clear_i = t == 120;
    npu::block::ClockLow(*dut_);
    if (t > 120) {
      EXPECT_EQ(dut_->acc_we_o, 0) << t;
      EXPECT_EQ(dut_->row_o, 0) << t;
      EXPECT_EQ(dut_->idle_o, 1) << t;
    }
    Tick();
  }
}

}  // namespace
