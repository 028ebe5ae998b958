// Block test of npu_load: random `load` instructions (encoded with the
// generated ISA header) against a C++ AXI read slave with random latency and
// gaps, and a reference walk of the ISA semantics. Every scratchpad write is
// compared, in order, with the reference; every AR with the reference burst
// split (INCR, <= 256 beats, no 4 KiB crossing); sig_next_o with the point
// where the instruction's last row is written. Error and abort cases check the
// report, that nothing is written afterwards, and that the unit drains to idle.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "Vnpu_load_d16.h"
#include "Vnpu_load_d4.h"
#include "sw/gen/npu_isa.h"
#include "tb/block/common/block_util.h"
#include "tb/common/test_seed.h"
#include "verilated.h"

namespace {

using npu::block::GetBytes;
using npu::block::SetBytes;
using npu::isa::LoadInstr;
using npu::isa::Spad;
using npu::testing::Seed;

// Memory contents: a fixed function of the byte address.
uint8_t MemByte(uint64_t addr) {
  uint64_t x = addr * 0x9E3779B97F4A7C15ull;
  return static_cast<uint8_t>(x >> 56);
}

constexpr uint32_t kCauseIllegal = 1, kCauseAddr = 2, kCauseResp = 4;

struct Write {
  int spad;
  uint32_t row;
  std::vector<uint8_t> data;
};
struct Ar {
  uint32_t addr;
  uint32_t beats;
};
struct Config {
  int dim;
  uint32_t depth[3];
  uint32_t max_reads;
};

// Reference of one `load`: its writes in program order, its bursts, or the
// error found before the access that caused it.
struct Expect {
  std::vector<Write> writes;
  std::vector<Ar> ars;
  std::vector<size_t> ar_write_index;  // first write of each burst
  bool err = false;
  uint32_t cause = 0, err_addr = 0;
};

Expect Walk(const LoadInstr& li, const Config& cfg, uint32_t win_base, uint32_t win_size) {
  Expect e;
  const int64_t dim = cfg.dim;
  if (li.spad > Spad::kP || li.sy == 0 || li.sx == 0) {
    e.err = true;
    e.cause = kCauseIllegal;
    return e;
  }
  if (li.nc == 0 || li.ny == 0 || li.nx == 0) return e;
  const int64_t last =
      int64_t{li.dst_row} + int64_t{li.nc - 1} * li.dst_c_stride + int64_t{li.ny} * li.nx - 1;
  if (last >= cfg.depth[static_cast<int>(li.spad)]) {
    e.err = true;
    e.cause = kCauseIllegal;
    return e;
  }
  for (uint32_t v : {li.src_addr, li.src_c_stride, li.src_row_stride}) {
    if (v % dim) {
      e.err = true;
      e.cause = kCauseAddr;
      e.err_addr = v;
      return e;
    }
  }
  const int64_t win_end = int64_t{win_base} + win_size;
  for (int64_t c = 0; c < li.nc; ++c) {
    for (int64_t y = 0; y < li.ny; ++y) {
      const int64_t iy = li.y0 + y * li.sy;
      int64_t x = 0;
      while (x < li.nx) {
        const int64_t ix = li.x0 + x * li.sx;
        const int64_t row = li.dst_row + c * li.dst_c_stride + y * li.nx + x;
        if (iy < 0 || iy >= li.h || ix < 0 || ix >= li.w) {
          e.writes.push_back({static_cast<int>(li.spad), static_cast<uint32_t>(row),
                              std::vector<uint8_t>(dim, static_cast<uint8_t>(li.pad))});
          ++x;
          continue;
        }
        int64_t run = li.sx == 1 ? std::min<int64_t>(li.nx - x, li.w - ix) : 1;
        int64_t addr = li.src_addr + c * li.src_c_stride + iy * li.src_row_stride + ix * dim;
        int64_t r = row;
        while (run > 0) {
          int64_t beats = std::min<int64_t>({run, 256, (4096 - (addr & 4095)) / dim});
          if (addr < win_base || addr + beats * dim > win_end || addr + beats * dim > (1ll << 32)) {
            e.err = true;
            e.cause = kCauseAddr;
            e.err_addr = static_cast<uint32_t>(addr);
            return e;
          }
          e.ars.push_back({static_cast<uint32_t>(addr), static_cast<uint32_t>(beats)});
          e.ar_write_index.push_back(e.writes.size());
          for (int64_t b = 0; b < beats; ++b) {
            Write w{static_cast<int>(li.spad), static_cast<uint32_t>(r + b), {}};
            for (int64_t i = 0; i < dim; ++i) w.data.push_back(MemByte(addr + b * dim + i));
            e.writes.push_back(std::move(w));
          }
          addr += beats * dim;
          r += beats;
          run -= beats;
          x += beats;
        }
      }
    }
  }
  return e;
}

// The test bench around one npu_load model.
template <typename Model>
class LoadBench {
 public:
  LoadBench(const Config& cfg, uint64_t seed)
      : cfg_(cfg),
        rng_(seed),
        ctx_(std::make_unique<VerilatedContext>()),
        dut_(std::make_unique<Model>(ctx_.get())) {
    npu::block::Reset(*dut_);
    dut_->win_base_i = win_base_;
    dut_->win_size_i = win_size_;
  }

  Config& cfg() { return cfg_; }
  std::mt19937_64& rng() { return rng_; }
  uint32_t win_base() const { return win_base_; }
  uint32_t win_size() const { return win_size_; }

  // Adds an instruction; returns its reference.
  const Expect& Push(const LoadInstr& li) {
    instrs_.push_back(li);
    expects_.push_back(Walk(li, cfg_, win_base_, win_size_));
    return expects_.back();
  }

  // Random valid instruction.
  LoadInstr RandomInstr() {
    for (;;) {
      const LoadInstr li = RandomCandidate();
      if (!Walk(li, cfg_, win_base_, win_size_).err) return li;
    }
  }

  LoadInstr RandomCandidate() {
    auto& r = rng_;
    const int dim = cfg_.dim;
    LoadInstr li;
    li.deps.wait = r() % 3 == 0 ? LoadInstr::kWaitCompute : 0;
    li.deps.signal = r() % 2 ? LoadInstr::kSignalCompute : 0;
    li.spad = static_cast<Spad>(r() % 3);
    li.sy = 1 + r() % (r() % 4 ? 2 : 7);
    li.sx = r() % 2 ? 1 : 1 + r() % 7;
    li.pad = static_cast<int>(r() % 256) - 128;
    const uint32_t depth = cfg_.depth[static_cast<int>(li.spad)];
    if (r() % 4 == 0) {
      // Long contiguous rows: 256-beat splits and 4 KiB crossings.
      li.sx = 1;
      li.nc = 1 + r() % 2;
      li.ny = 1 + r() % 2;
      li.nx = 1 + r() % std::min<uint32_t>(depth / (li.nc * li.ny), 700);
      li.h = li.ny * li.sy;
      li.w = li.nx + r() % 3;
      li.y0 = 0;
      li.x0 = 0;
    } else {
      li.nc = 1 + r() % 3;
      li.ny = 1 + r() % 8;
      li.nx = 1 + r() % 8;
      li.h = 1 + r() % 10;
      li.w = 1 + r() % 10;
      li.y0 = static_cast<int>(r() % 7) - 3;
      li.x0 = static_cast<int>(r() % 7) - 3;
    }
    if (r() % 20 == 0) li.nx = 0;  // no-op
    li.dst_c_stride = li.ny * li.nx + r() % 4;
    const uint32_t span = (li.nc - 1) * li.dst_c_stride + li.ny * li.nx;
    li.dst_row = span >= depth ? 0 : r() % (depth - span + 1);
    li.src_row_stride = (li.w + r() % 3) * dim;
    li.src_c_stride = (li.h * (li.w + 3) + r() % 4) * dim;
    const uint64_t extent = uint64_t{li.nc} * li.src_c_stride + 4096;
    li.src_addr = win_base_ + dim * (r() % ((win_size_ - extent) / dim));
    return li;
  }

  void SetAbortAt(uint64_t cycle) { abort_at_ = cycle; }
  // SLVERR on beat @p beat of the @p ordinal-th burst (counting from 0).
  void SetSlvErrAt(size_t ordinal, uint32_t beat) { slverr_ = {ordinal, beat}; }
  size_t ArsBefore(size_t k) const {
    size_t n = 0;
    for (size_t i = 0; i < k; ++i) n += expects_[i].ars.size();
    return n;
  }

  // Runs until every instruction is taken and the unit is idle (or halted
  // and idle); returns false on timeout.
  bool Run(uint64_t max_cycles = 2000000) {
    for (uint64_t n = 0; n < max_cycles; ++n) {
      Step();
      if (::testing::Test::HasFatalFailure()) return false;
      const bool all_taken = next_instr_ == instrs_.size() || halted_;
      if (all_taken && dut_->idle_o && n > 4) return true;
    }
    ADD_FAILURE() << "timeout: instruction " << next_instr_ << " of " << instrs_.size();
    return false;
  }

  void Clear() {
    dut_->clear_i = 1;
    npu::block::Step(*dut_);
    dut_->clear_i = 0;
    halted_ = stopped_ = false;
    // Instructions not yet taken are dropped, as a soft reset flushes queues.
    instrs_.resize(next_instr_);
    expects_.resize(next_instr_);
    write_instr_ = ar_instr_ = next_instr_;
    write_index_ = ar_index_ = 0;
    sig_instr_ = next_instr_;
  }

  // Final checks of a run without errors.
  void CheckComplete() {
    EXPECT_EQ(errors_, 0);
    if (errors_) {
      const LoadInstr& li = instrs_.at(err_pc_);
      ADD_FAILURE() << "error " << err_cause_ << " at pc " << err_pc_ << " addr " << err_addr_
                    << ": spad " << static_cast<int>(li.spad) << " sy " << li.sy << " sx " << li.sx
                    << " nc " << li.nc << " ny " << li.ny << " nx " << li.nx << " h " << li.h
                    << " w " << li.w << " y0 " << li.y0 << " x0 " << li.x0 << " dst_row "
                    << li.dst_row << " dcs " << li.dst_c_stride << " src " << li.src_addr << " cs "
                    << li.src_c_stride << " rs " << li.src_row_stride;
    }
    AdvanceWrite();
    AdvanceAr();
    EXPECT_EQ(write_instr_, instrs_.size()) << "not every row was written";
    EXPECT_EQ(ar_instr_, instrs_.size());
    for (; sig_instr_ < instrs_.size(); ++sig_instr_) {
      EXPECT_FALSE(instrs_[sig_instr_].deps.signal) << "missing signal of " << sig_instr_;
    }
  }

  int errors() const { return errors_; }
  uint32_t err_cause() const { return err_cause_; }
  uint32_t err_addr() const { return err_addr_; }
  uint32_t err_pc() const { return err_pc_; }
  size_t writes_seen() const { return writes_seen_; }
  uint64_t cycles() const { return cycle_; }
  uint64_t beats() const { return beats_; }

  // Writes observed of instruction @p k (valid once it was the current one).
  size_t WritesOf(size_t k) const {
    if (k < write_instr_) return expects_[k].writes.size();
    return k == write_instr_ ? write_index_ : 0;
  }
  size_t ArsOf(size_t k) const {
    if (k < ar_instr_) return expects_[k].ars.size();
    return k == ar_instr_ ? ar_index_ : 0;
  }

 private:
  struct Burst {
    uint32_t addr, beats, done;
    uint64_t ready_at;
    size_t ordinal;
  };

  // Skips instructions that have no (more) writes / bursts.
  void AdvanceWrite() {
    while (write_instr_ < expects_.size() && write_index_ == expects_[write_instr_].writes.size() &&
           !expects_[write_instr_].err) {
      ++write_instr_;
      write_index_ = 0;
    }
  }
  void AdvanceAr() {
    while (ar_instr_ < expects_.size() && ar_index_ == expects_[ar_instr_].ars.size() &&
           !expects_[ar_instr_].err) {
      ++ar_instr_;
      ar_index_ = 0;
    }
  }

  void Step() {
    auto& r = rng_;
    const int dim = cfg_.dim;
    // ---- drive inputs ----
    const bool have = next_instr_ < instrs_.size() && r() % 4 != 0;
    dut_->instr_valid_i = have;
    if (have) {
      const auto w = instrs_[next_instr_].Encode();
      for (int i = 0; i < 8; ++i) dut_->instr_i[i] = w[i];
      dut_->pc_i = static_cast<uint32_t>(next_instr_);
    }
    if (r() % 6 == 0) ++tokens_;
    dut_->tok_avail_i = tokens_ > 0 ? LoadInstr::kWaitCompute : 0;
    dut_->abort_i = cycle_ == abort_at_;
    dut_->m_ar_ready_i = r() % 3 != 0;
    // R: the oldest burst whose latency has passed; a presented beat stays.
    bool r_valid = false;
    if (!bursts_.empty() && bursts_.front().ready_at <= cycle_ && (r_held_ || r() % 4 != 0)) {
      const Burst& b = bursts_.front();
      const uint32_t addr = b.addr + b.done * dim;
      std::vector<uint8_t> data(dim);
      for (int i = 0; i < dim; ++i) data[i] = MemByte(addr + i);
      SetBytes(dut_->m_r_data_i, data.data(), dim);
      dut_->m_r_resp_i =
          (slverr_ && slverr_->first == b.ordinal && slverr_->second == b.done) ? 2 : 0;
      dut_->m_r_last_i = b.done + 1 == b.beats;
      r_valid = true;
    }
    dut_->m_r_valid_i = r_valid;

    npu::block::ClockLow(*dut_);

    // ---- observe ----
    if (dut_->idle_o) {
      EXPECT_TRUE(bursts_.empty()) << "idle with read data outstanding";
      EXPECT_FALSE(dut_->m_ar_valid_o) << "idle with AR valid";
    }
    const bool was_pending = ar_pending_;
    if (ar_pending_) {
      EXPECT_TRUE(dut_->m_ar_valid_o) << "ARVALID dropped before ARREADY";
      EXPECT_EQ(dut_->m_ar_addr_o, ar_pending_addr_) << "AR changed while waiting";
    }
    if (dut_->tok_take_o) {
      EXPECT_TRUE(dut_->instr_valid_i && dut_->instr_ready_o);
      EXPECT_GT(tokens_, 0);
      --tokens_;
    }
    if (dut_->instr_valid_i && dut_->instr_ready_o) {
      EXPECT_EQ(dut_->tok_take_o, instrs_[next_instr_].deps.wait);
      ++next_instr_;
    }
    if (dut_->m_ar_valid_o) {
      EXPECT_EQ(dut_->m_ar_size_o, static_cast<uint32_t>(__builtin_ctz(dim)));
      EXPECT_EQ(dut_->m_ar_burst_o, 1u);
      EXPECT_EQ(dut_->m_ar_id_o, 1u);
      ar_pending_ = !dut_->m_ar_ready_i;
      ar_pending_addr_ = dut_->m_ar_addr_o;
    } else {
      ar_pending_ = false;
    }
    if (dut_->m_ar_valid_o && dut_->m_ar_ready_i) {
      const uint32_t addr = dut_->m_ar_addr_o, beats = dut_->m_ar_len_o + 1u;
      EXPECT_LE((addr & 4095u) + beats * dim, 4096u) << "burst crosses 4 KiB";
      // Only an AR presented before the stop may still be accepted.
      EXPECT_FALSE(stopped_ && !was_pending) << "AR issued after an error or abort";
      AdvanceAr();
      if (ar_instr_ < expects_.size() && ar_index_ < expects_[ar_instr_].ars.size()) {
        const Ar& want = expects_[ar_instr_].ars[ar_index_];
        EXPECT_EQ(addr, want.addr) << "AR of instruction " << ar_instr_ << " #" << ar_index_;
        EXPECT_EQ(beats, want.beats) << "AR of instruction " << ar_instr_ << " #" << ar_index_;
        ++ar_index_;
      } else {
        ADD_FAILURE() << "unexpected AR " << std::hex << addr;
      }
      bursts_.push_back({addr, beats, 0, cycle_ + 1 + r() % 12, ar_count_++});
      EXPECT_LE(bursts_.size(), cfg_.max_reads) << "too many reads in flight";
    }
    if (r_valid) {
      r_held_ = !dut_->m_r_ready_o;
      if (dut_->m_r_ready_o) {
        ++beats_;
        if (++bursts_.front().done == bursts_.front().beats) bursts_.pop_front();
      }
    }
    const int we = dut_->sp_we_o;
    if (we) {
      EXPECT_TRUE(we == 1 || we == 2 || we == 4) << "sp_we_o not one-hot";
      EXPECT_FALSE(stopped_) << "scratchpad written after an error or abort";
      AdvanceWrite();
      ++writes_seen_;
      if (write_instr_ < expects_.size() && write_index_ < expects_[write_instr_].writes.size()) {
        const Write& want = expects_[write_instr_].writes[write_index_];
        const int spad = we == 1 ? 0 : we == 2 ? 1 : 2;
        EXPECT_EQ(spad, want.spad) << "instr " << write_instr_ << " write " << write_index_;
        EXPECT_EQ(dut_->sp_waddr_o, want.row)
            << "instr " << write_instr_ << " write " << write_index_;
        EXPECT_EQ(GetBytes(dut_->sp_wdata_o, dim), want.data)
            << "instr " << write_instr_ << " write " << write_index_ << " row " << want.row;
        ++write_index_;
      } else {
        ADD_FAILURE() << "unexpected scratchpad write";
      }
    }
    if (dut_->tok_give_o) {
      // The next instruction that signals must have all its rows written.
      AdvanceWrite();
      while (sig_instr_ < instrs_.size() && !instrs_[sig_instr_].deps.signal) ++sig_instr_;
      ASSERT_LT(sig_instr_, instrs_.size()) << "unexpected signal";
      EXPECT_EQ(dut_->tok_give_o, instrs_[sig_instr_].deps.signal);
      EXPECT_FALSE(expects_[sig_instr_].err);
      EXPECT_GE(write_instr_, sig_instr_);
      EXPECT_EQ(WritesOf(sig_instr_), expects_[sig_instr_].writes.size())
          << "signal of " << sig_instr_ << " before its rows were written";
      if (write_instr_ == sig_instr_ + 1) {
        EXPECT_EQ(write_index_, 0u) << "rows of a later instruction written before the signal";
      }
      ++sig_instr_;
    }
    if (dut_->abort_i) stopped_ = halted_ = true;

    npu::block::ClockHigh(*dut_);
    ++cycle_;
    // The registered error report is visible after the edge.
    if (dut_->err_o) {
      ++errors_;
      err_cause_ = dut_->err_cause_o;
      err_addr_ = dut_->err_addr_o;
      err_pc_ = dut_->err_pc_o;
      stopped_ = halted_ = true;
    }
  }

  Config cfg_;
  std::mt19937_64 rng_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> dut_;
  uint32_t win_base_ = 0x00100000, win_size_ = 0x00100000;
  std::vector<LoadInstr> instrs_;
  std::vector<Expect> expects_;
  size_t next_instr_ = 0, write_instr_ = 0, write_index_ = 0, ar_instr_ = 0, ar_index_ = 0,
         sig_instr_ = 0, writes_seen_ = 0;
  int tokens_ = 0, errors_ = 0;
  uint32_t err_cause_ = 0, err_addr_ = 0, err_pc_ = 0;
  std::deque<Burst> bursts_;
  bool r_held_ = false, ar_pending_ = false, stopped_ = false, halted_ = false;
  uint32_t ar_pending_addr_ = 0;
  uint64_t cycle_ = 0, beats_ = 0, abort_at_ = ~0ull;
  std::optional<std::pair<size_t, uint32_t>> slverr_;
  size_t ar_count_ = 0;
};

const Config kD4{4, {512, 256, 600}, 4};
const Config kD16{16, {8192, 8192, 1152}, 16};

template <typename Model>
void RandomStream(const Config& cfg, int count) {
  LoadBench<Model> tb(cfg, Seed());
  for (int i = 0; i < count; ++i) tb.Push(tb.RandomInstr());
  ASSERT_TRUE(tb.Run());
  tb.CheckComplete();
  std::printf("%d instructions, %zu rows written, %llu beats in %llu cycles\n", count,
              tb.writes_seen(), static_cast<unsigned long long>(tb.beats()),
              static_cast<unsigned long long>(tb.cycles()));
}

TEST(Load, RandomDim4) { RandomStream<Vnpu_load_d4>(kD4, 400); }
TEST(Load, RandomDim16) { RandomStream<Vnpu_load_d16>(kD16, 400); }

// One instruction with an error after some good ones; checks the report,
// that the unit drains and halts, and that clear_i restarts it.
template <typename Model>
void ErrorCase(const Config& cfg, const char* what,
               const std::function<void(LoadBench<Model>&, LoadInstr&)>& spoil, uint32_t cause,
               bool exact_addr = true) {
  SCOPED_TRACE(what);
  LoadBench<Model> tb(cfg, Seed());
  for (int i = 0; i < 5; ++i) tb.Push(tb.RandomInstr());
  LoadInstr bad = tb.RandomInstr();
  bad.nx = std::max<uint32_t>(bad.nx, 1);
  bad.dst_c_stride = bad.ny * bad.nx;
  bad.dst_row = 0;
  spoil(tb, bad);
  const Expect e = tb.Push(bad);
  ASSERT_TRUE(e.err) << "the spoiled instruction is not an error in the reference";
  const uint32_t want_addr = e.err_addr;
  const size_t bad_pc = 5;
  for (int i = 0; i < 5; ++i) tb.Push(tb.RandomInstr());
  ASSERT_TRUE(tb.Run());
  EXPECT_EQ(tb.errors(), 1);
  EXPECT_EQ(tb.err_cause(), cause);
  EXPECT_EQ(tb.err_pc(), bad_pc);
  if (exact_addr) {
    EXPECT_EQ(tb.err_addr(), want_addr);
  }
  // The error is found before the access: no burst at or after it.
  EXPECT_LE(tb.ArsOf(bad_pc), e.ars.size());
  EXPECT_EQ(tb.ArsOf(bad_pc + 1), 0u);
  EXPECT_EQ(tb.WritesOf(bad_pc + 1), 0u);
  // clear_i restarts the unit.
  tb.Clear();
  for (int i = 0; i < 20; ++i) tb.Push(tb.RandomInstr());
  ASSERT_TRUE(tb.Run());
  EXPECT_EQ(tb.errors(), 1) << "cause " << tb.err_cause() << " pc " << tb.err_pc() << " addr "
                            << tb.err_addr();
}

TEST(Load, ErrorsDim4) {
  using B = LoadBench<Vnpu_load_d4>;
  ErrorCase<Vnpu_load_d4>(
      kD4, "spad 3", [](B&, LoadInstr& li) { li.spad = static_cast<Spad>(3); }, kCauseIllegal);
  ErrorCase<Vnpu_load_d4>(
      kD4, "sy 0", [](B&, LoadInstr& li) { li.sy = 0; }, kCauseIllegal);
  ErrorCase<Vnpu_load_d4>(
      kD4, "sx 0", [](B&, LoadInstr& li) { li.sx = 0; }, kCauseIllegal);
  ErrorCase<Vnpu_load_d4>(
      kD4, "row range",
      [](B& tb, LoadInstr& li) {
        li.dst_row = tb.cfg().depth[static_cast<int>(li.spad)] - li.nx + 1 - (li.ny - 1) * li.nx -
                     (li.nc - 1) * li.dst_c_stride;
      },
      kCauseIllegal);
  ErrorCase<Vnpu_load_d4>(
      kD4, "misaligned src", [](B&, LoadInstr& li) { li.src_addr += 2; }, kCauseAddr);
  ErrorCase<Vnpu_load_d4>(
      kD4, "misaligned row stride", [](B&, LoadInstr& li) { li.src_row_stride += 1; }, kCauseAddr);
  ErrorCase<Vnpu_load_d4>(
      kD4, "misaligned plane stride", [](B&, LoadInstr& li) { li.src_c_stride += 3; }, kCauseAddr);
  // Out of the window: a plain copy whose end runs past the window.
  ErrorCase<Vnpu_load_d4>(
      kD4, "window end",
      [](B& tb, LoadInstr& li) {
        li.sx = li.sy = 1;
        li.nc = 1;
        li.ny = 1;
        li.nx = 300;
        li.h = 1;
        li.w = 300;
        li.x0 = li.y0 = 0;
        li.dst_c_stride = 300;
        li.spad = static_cast<Spad>(0);
        li.src_addr = tb.win_base() + tb.win_size() - 200 * 4;
      },
      kCauseAddr);
  ErrorCase<Vnpu_load_d4>(
      kD4, "window start",
      [](B& tb, LoadInstr& li) {
        li.sx = li.sy = 1;
        li.nc = 2;
        li.ny = 2;
        li.nx = 3;
        li.h = 5;
        li.w = 5;
        li.x0 = li.y0 = -1;
        li.dst_c_stride = 6;
        li.spad = static_cast<Spad>(0);
        li.src_addr = tb.win_base() - 4096;
      },
      kCauseAddr);
}

TEST(Load, ErrorsDim16) {
  using B = LoadBench<Vnpu_load_d16>;
  ErrorCase<Vnpu_load_d16>(
      kD16, "spad 3", [](B&, LoadInstr& li) { li.spad = static_cast<Spad>(3); }, kCauseIllegal);
  ErrorCase<Vnpu_load_d16>(
      kD16, "misaligned src", [](B&, LoadInstr& li) { li.src_addr += 8; }, kCauseAddr);
  ErrorCase<Vnpu_load_d16>(
      kD16, "window end",
      [](B& tb, LoadInstr& li) {
        li.sx = 2;
        li.sy = 1;
        li.nc = 1;
        li.ny = 2;
        li.nx = 50;
        li.h = 2;
        li.w = 100;
        li.x0 = li.y0 = 0;
        li.dst_c_stride = 100;
        li.spad = static_cast<Spad>(1);
        li.src_row_stride = 1600;
        li.src_addr = tb.win_base() + tb.win_size() - 1600 - 800;
      },
      kCauseAddr);
}

// SLVERR on one beat: the rows before it are all written, that beat and
// everything after are not; the report names the beat's address.
template <typename Model>
void SlvErr(const Config& cfg) {
  LoadBench<Model> tb(cfg, Seed());
  for (int i = 0; i < 30; ++i) tb.Push(tb.RandomInstr());
  // Pick a beat of a burst of instruction k.
  const size_t k = 30;
  Expect ex;
  LoadInstr li;
  do {
    li = tb.RandomInstr();
    ex = Walk(li, cfg, tb.win_base(), tb.win_size());
  } while (ex.ars.empty());
  tb.Push(li);
  const Expect* e = &ex;
  for (int i = 0; i < 10; ++i) tb.Push(tb.RandomInstr());
  const size_t ar = tb.rng()() % e->ars.size();
  const uint32_t beat = tb.rng()() % e->ars[ar].beats;
  const uint32_t addr = e->ars[ar].addr + beat * cfg.dim;
  const size_t write_index = e->ar_write_index[ar] + beat;
  tb.SetSlvErrAt(tb.ArsBefore(k) + ar, beat);
  ASSERT_TRUE(tb.Run());
  EXPECT_EQ(tb.errors(), 1);
  EXPECT_EQ(tb.err_cause(), kCauseResp);
  EXPECT_EQ(tb.err_addr(), addr);
  EXPECT_EQ(tb.err_pc(), k);
  EXPECT_EQ(tb.WritesOf(k), write_index);
  EXPECT_EQ(tb.WritesOf(k + 1), 0u);
}

TEST(Load, SlvErrDim4) {
  for (int i = 0; i < 10; ++i) SlvErr<Vnpu_load_d4>(kD4);
}
TEST(Load, SlvErrDim16) {
  for (int i = 0; i < 10; ++i) SlvErr<Vnpu_load_d16>(kD16);
}

// Abort at a random cycle: nothing is issued or written afterwards, every
// outstanding R beat is accepted, the unit goes idle; clear_i restarts it.
template <typename Model>
void Abort(const Config& cfg) {
  LoadBench<Model> tb(cfg, Seed());
  for (int i = 0; i < 40; ++i) tb.Push(tb.RandomInstr());
  tb.SetAbortAt(50 + tb.rng()() % 2000);
  ASSERT_TRUE(tb.Run());
  EXPECT_EQ(tb.errors(), 0) << "cause " << tb.err_cause() << " pc " << tb.err_pc() << " addr "
                            << tb.err_addr();
  tb.Clear();
  for (int i = 0; i < 20; ++i) tb.Push(tb.RandomInstr());
  ASSERT_TRUE(tb.Run());
  EXPECT_EQ(tb.errors(), 0);
}

TEST(Load, AbortDim4) {
  for (int i = 0; i < 10; ++i) Abort<Vnpu_load_d4>(kD4);
}
TEST(Load, AbortDim16) {
  for (int i = 0; i < 10; ++i) Abort<Vnpu_load_d16>(kD16);
}

}  // namespace
