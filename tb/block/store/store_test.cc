// Block test of npu_store: random `store` instructions (encoded with the
// generated ISA header) against a C++ AXI write slave with random latency and
// backpressure, C++ models of the P scratchpad and the accumulator memory
// (random grant gaps), and a reference of the ISA semantics on the numerics
// contract (sw/numerics). Every memory byte is checked; bursts never cross
// 4 KiB nor exceed 256 beats; errors and abort complete announced bursts with
// WSTRB = 0 and go idle.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "Vnpu_store_d16.h"
#include "Vnpu_store_d4.h"
#include "sw/gen/npu_isa.h"
#include "sw/numerics/numerics.h"
#include "tb/block/common/block_util.h"
#include "tb/common/test_seed.h"
#include "verilated.h"

namespace {

using npu::block::GetBytes;
using npu::block::SetBytes;
using npu::isa::StoreInstr;
using npu::testing::Seed;

constexpr uint32_t kCauseIllegal = 1, kCauseAddr = 2, kCauseResp = 4;

struct Config {
  int dim;
  uint32_t p_rows;
  uint32_t acc_rows;
};

const Config kD4{4, 64, 256};
const Config kD16{16, 1152, 2048};

template <typename Model>
class StoreBench {
 public:
  StoreBench(const Config& cfg, uint64_t seed)
      : cfg_(cfg),
        rng_(seed),
        ctx_(std::make_unique<VerilatedContext>()),
        dut_(std::make_unique<Model>(ctx_.get())) {
    const int dim = cfg.dim;
    // Parameter groups at rows 9g: biases, multipliers, shifts in range.
    p_.assign(cfg.p_rows, std::vector<uint8_t>(dim));
    for (uint32_t g = 0; g + 9 <= cfg.p_rows; g += 9) {
      for (int row = 0; row < 8; ++row) {
        for (int l = 0; l < dim / 4; ++l) {
          const int32_t v = row < 4 ? RandomBias() : RandomMult();
          std::memcpy(&p_[g + row][4 * l], &v, 4);
        }
      }
      for (int l = 0; l < dim; ++l) p_[g + 8][l] = static_cast<uint8_t>(RandomShift());
    }
    acc_.assign(cfg.acc_rows, std::vector<int32_t>(dim));
    for (auto& row : acc_) {
      for (auto& v : row) v = RandomAcc();
    }
    npu::block::Reset(*dut_);
    dut_->win_base_i = win_base_;
    dut_->win_size_i = win_size_;
  }

  const Config& cfg() const { return cfg_; }
  std::mt19937_64& rng() { return rng_; }
  uint32_t win_base() const { return win_base_; }
  uint32_t win_size() const { return win_size_; }
  void SetAlwaysReady() { always_ready_ = true; }
  void SetAbortAt(uint64_t c) { abort_at_ = c; }
  void SetSlvErrBurst(size_t ordinal) { slverr_burst_ = ordinal; }

  // A valid random instruction writing a fresh region of the window.
  StoreInstr RandomInstr(bool big = false) {
    auto& r = rng_;
    const int dim = cfg_.dim;
    StoreInstr s;
    s.deps.wait = r() % 3 == 0 ? StoreInstr::kWaitCompute : 0;
    s.deps.signal = r() % 2 ? StoreInstr::kSignalCompute : 0;
    s.out_zp = static_cast<int>(r() % 256) - 128;
    int a = static_cast<int>(r() % 256) - 128, b = static_cast<int>(r() % 256) - 128;
    if (r() % 3 == 0) {
      a = -128;
      b = 127;
    }
    s.act_min = std::min(a, b);
    s.act_max = std::max(a, b);
    if (big || r() % 5 == 0) {
      s.ny = 1 + r() % 2;
      s.nx = 1 + r() % std::min<uint32_t>(cfg_.acc_rows / s.ny, 600);
    } else {
      s.ny = 1 + r() % 5;
      s.nx = 1 + r() % 12;
    }
    if (r() % 25 == 0) s.ny = 0;  // no-op
    s.acc_row = r() % (cfg_.acc_rows - s.ny * s.nx + 1);
    s.p_row = 9 * (r() % (cfg_.p_rows / 9));
    s.dst_row_stride = (s.nx + r() % 3) * dim;
    // Fresh, disjoint destination; random offset inside a 4 KiB page.
    cursor_ += dim * (r() % (4096 / dim));
    s.dst_addr = cursor_;
    cursor_ += s.ny * s.dst_row_stride + dim;
    if (cursor_ + 64 * 1024 > win_base_ + win_size_) cursor_ = win_base_;
    return s;
  }

  void Push(const StoreInstr& s) { instrs_.push_back(s); }

  // Reference output of one instruction: byte address -> value.
  void Reference(const StoreInstr& s, std::map<uint32_t, uint8_t>& out) const {
    const int dim = cfg_.dim;
    // Instructions with rows out of range write nothing (an error).
    if (s.p_row + 9 > cfg_.p_rows || uint64_t{s.acc_row} + uint64_t{s.ny} * s.nx > cfg_.acc_rows) {
      return;
    }
    for (uint32_t y = 0; y < s.ny; ++y) {
      for (uint32_t x = 0; x < s.nx; ++x) {
        const auto& a = acc_[s.acc_row + y * s.nx + x];
        for (int l = 0; l < dim; ++l) {
          int32_t bias, mult;
          const int rb = (4 * l) / dim, ob = (4 * l) % dim;
          std::memcpy(&bias, &p_[s.p_row + rb][ob], 4);
          std::memcpy(&mult, &p_[s.p_row + 4 + rb][ob], 4);
          const int shift = static_cast<int8_t>(p_[s.p_row + 8][l]);
          out[s.dst_addr + y * s.dst_row_stride + x * dim + l] = static_cast<uint8_t>(
              npu::Requantize(a[l], bias, mult, shift, s.out_zp, s.act_min, s.act_max));
        }
      }
    }
  }

  bool Run(uint64_t max_cycles = 3000000) {
    for (uint64_t n = 0; n < max_cycles; ++n) {
      Step();
      if (::testing::Test::HasFatalFailure()) return false;
      if ((next_ == instrs_.size() || halted_) && dut_->idle_o && n > 4) return true;
    }
    ADD_FAILURE() << "timeout at instruction " << next_ << " of " << instrs_.size();
    return false;
  }

  void Clear() {
    dut_->clear_i = 1;
    npu::block::Step(*dut_);
    dut_->clear_i = 0;
    halted_ = stopped_ = false;
    instrs_.resize(next_);
    reads_done_.clear();
    read_instr_ = next_;
    read_index_ = 0;
    sig_instr_ = next_;
  }

  // Every byte expected from instructions [0, n) is in memory; nothing else
  // was written.
  void CheckMemory(size_t first, size_t n) {
    std::map<uint32_t, uint8_t> want;
    for (size_t i = first; i < n; ++i) Reference(instrs_[i], want);
    size_t bad = 0;
    for (const auto& [addr, v] : want) {
      auto it = mem_.find(addr);
      if (it == mem_.end() || it->second != v) {
        if (++bad <= 10) {
          ADD_FAILURE() << std::hex << "byte 0x" << addr << ": got "
                        << (it == mem_.end() ? -1 : int{it->second}) << " want " << int{v};
        }
      }
    }
    for (const auto& [addr, v] : mem_) {
      if (!want.count(addr) && ++bad <= 10) {
        ADD_FAILURE() << std::hex << "stray byte written at 0x" << addr;
      }
    }
    EXPECT_EQ(bad, 0u);
  }

  // After an error or abort: every written byte has its reference value.
  void CheckWrittenBytes() {
    std::map<uint32_t, uint8_t> want;
    for (const auto& s : instrs_) Reference(s, want);
    size_t bad = 0;
    for (const auto& [addr, v] : mem_) {
      auto it = want.find(addr);
      if ((it == want.end() || it->second != v) && ++bad <= 10) {
        ADD_FAILURE() << std::hex << "wrong byte at 0x" << addr;
      }
    }
    EXPECT_EQ(bad, 0u);
  }

  void CheckSignals() {
    for (; sig_instr_ < instrs_.size(); ++sig_instr_) {
      EXPECT_FALSE(instrs_[sig_instr_].deps.signal) << "missing signal of " << sig_instr_;
    }
  }

  int errors() const { return errors_; }
  uint32_t err_cause() const { return err_cause_; }
  uint32_t err_addr() const { return err_addr_; }
  uint32_t err_pc() const { return err_pc_; }
  uint64_t cycles() const { return cycle_; }
  uint64_t beats() const { return beats_; }
  uint64_t zero_strobe_beats() const { return zero_beats_; }
  size_t bursts() const { return aw_count_; }
  const std::vector<uint32_t>& burst_addrs() const { return burst_addrs_; }

 private:
  int32_t RandomAcc() {
    switch (rng_() % 6) {
      case 0:
        return static_cast<int32_t>(rng_());
      case 1:
        return rng_() % 2 ? INT32_MIN : INT32_MAX;
      default:
        return static_cast<int32_t>(rng_() % 200001) - 100000;
    }
  }
  int32_t RandomBias() { return static_cast<int32_t>(rng_() % 20001) - 10000; }
  int32_t RandomMult() {
    switch (rng_() % 8) {
      case 0:
        return static_cast<int32_t>(rng_());
      case 1:
        return INT32_MIN;
      default:
        return static_cast<int32_t>((1u << 30) + rng_() % (1u << 30));
    }
  }
  int RandomShift() { return static_cast<int>(rng_() % 62) - 31; }

  struct Burst {
    uint32_t addr, beats, done;
    size_t ordinal;
  };
  struct Resp {
    uint64_t at;
    bool err;
  };

  void Step() {
    auto& r = rng_;
    const int dim = cfg_.dim;
    const bool rdy = always_ready_;
    // ---- drive ----
    const bool have = next_ < instrs_.size() && (rdy || r() % 4 != 0);
    dut_->instr_valid_i = have;
    if (have) {
      const auto w = instrs_[next_].Encode();
      for (int i = 0; i < 8; ++i) dut_->instr_i[i] = w[i];
      dut_->pc_i = static_cast<uint32_t>(next_);
    }
    if (rdy || r() % 5 == 0) ++tokens_;
    dut_->tok_avail_i = tokens_ > 0 ? StoreInstr::kWaitCompute : 0;
    dut_->abort_i = cycle_ == abort_at_;
    // Memories: data for last cycle's reads.
    if (p_read_) SetBytes(dut_->p_rdata_i, p_[*p_read_].data(), dim);
    if (acc_read_) {
      SetBytes(dut_->acc_rdata_i, reinterpret_cast<const uint8_t*>(acc_[*acc_read_].data()),
               4 * dim);
    } else if (r() % 2) {
      std::vector<uint8_t> junk(4 * dim);
      for (auto& j : junk) j = static_cast<uint8_t>(r());
      SetBytes(dut_->acc_rdata_i, junk.data(), 4 * dim);  // no data: garbage
    }
    p_read_.reset();
    acc_read_.reset();
    dut_->acc_gnt_i = rdy || r() % 5 != 0;
    dut_->m_aw_ready_i = rdy || r() % 3 != 0;
    dut_->m_w_ready_i = rdy || r() % 4 != 0;
    const bool b_valid =
        !resps_.empty() && resps_.front().at <= cycle_ && (b_held_ || rdy || r() % 3 != 0);
    dut_->m_b_valid_i = b_valid;
    dut_->m_b_resp_i = b_valid && resps_.front().err ? 2 : 0;

    npu::block::ClockLow(*dut_);

    // ---- observe ----
    if (dut_->idle_o) {
      EXPECT_TRUE(aws_.empty() && resps_.empty()) << "idle with writes outstanding";
      EXPECT_FALSE(dut_->m_aw_valid_o || dut_->m_w_valid_o);
    }
    if (dut_->tok_take_o) {
      EXPECT_TRUE(dut_->instr_valid_i && dut_->instr_ready_o);
      EXPECT_GT(tokens_, 0);
      --tokens_;
    }
    if (dut_->instr_valid_i && dut_->instr_ready_o) {
      EXPECT_EQ(dut_->tok_take_o, instrs_[next_].deps.wait);
      ++next_;
    }
    if (dut_->p_re_o) {
      ASSERT_LT(dut_->p_raddr_o, cfg_.p_rows);
      p_read_ = dut_->p_raddr_o;
    }
    if (dut_->acc_re_o && dut_->acc_gnt_i) {
      ASSERT_LT(dut_->acc_raddr_o, cfg_.acc_rows);
      acc_read_ = dut_->acc_raddr_o;
      // Reads follow acc_row + i in order.
      while (read_instr_ < instrs_.size() &&
             read_index_ == uint64_t{instrs_[read_instr_].ny} * instrs_[read_instr_].nx) {
        ++read_instr_;
        read_index_ = 0;
      }
      ASSERT_LT(read_instr_, instrs_.size()) << "unexpected accumulator read";
      EXPECT_EQ(dut_->acc_raddr_o, instrs_[read_instr_].acc_row + read_index_);
      ++read_index_;
      last_read_cycle_ = cycle_;
    }
    if (dut_->tok_give_o) {
      while (sig_instr_ < instrs_.size() && !instrs_[sig_instr_].deps.signal) ++sig_instr_;
      ASSERT_LT(sig_instr_, instrs_.size()) << "unexpected signal";
      EXPECT_EQ(dut_->tok_give_o, instrs_[sig_instr_].deps.signal);
      const uint64_t n = uint64_t{instrs_[sig_instr_].ny} * instrs_[sig_instr_].nx;
      if (n) {
        EXPECT_EQ(read_instr_, sig_instr_);
        EXPECT_EQ(read_index_, n) << "signal before every accumulator read of " << sig_instr_;
        EXPECT_GT(cycle_, last_read_cycle_) << "signal in the cycle of the last read";
      }
      ++sig_instr_;
    }
    // AW.
    const bool was_pending = aw_pending_;
    if (aw_pending_) {
      EXPECT_TRUE(dut_->m_aw_valid_o) << "AWVALID dropped";
      EXPECT_EQ(dut_->m_aw_addr_o, aw_pending_addr_) << "AW changed while waiting";
    }
    aw_pending_ = dut_->m_aw_valid_o && !dut_->m_aw_ready_i;
    aw_pending_addr_ = dut_->m_aw_addr_o;
    if (dut_->m_aw_valid_o && dut_->m_aw_ready_i) {
      const uint32_t addr = dut_->m_aw_addr_o, beats = dut_->m_aw_len_o + 1u;
      EXPECT_EQ(dut_->m_aw_size_o, static_cast<uint32_t>(__builtin_ctz(dim)));
      EXPECT_EQ(dut_->m_aw_burst_o, 1u);
      EXPECT_EQ(dut_->m_aw_id_o, 0u);
      EXPECT_LE((addr & 4095u) + beats * dim, 4096u) << "burst crosses 4 KiB";
      EXPECT_GE(addr, win_base_);
      EXPECT_LE(uint64_t{addr} + beats * dim, uint64_t{win_base_} + win_size_);
      EXPECT_FALSE(stopped_ && !was_pending) << "AW issued after an error or abort";
      aws_.push_back({addr, beats, 0, aw_count_++});
      burst_addrs_.push_back(addr);
    }
    // W.
    if (w_pending_) {
      EXPECT_TRUE(dut_->m_w_valid_o) << "WVALID dropped";
      EXPECT_EQ(GetBytes(dut_->m_w_data_o, dim), w_pending_data_) << "W data changed";
      EXPECT_EQ(dut_->m_w_strb_o, w_pending_strb_) << "WSTRB changed";
    }
    w_pending_ = dut_->m_w_valid_o && !dut_->m_w_ready_i;
    if (dut_->m_w_valid_o) {
      w_pending_data_ = GetBytes(dut_->m_w_data_o, dim);
      w_pending_strb_ = dut_->m_w_strb_o;
    }
    if (dut_->m_w_valid_o && dut_->m_w_ready_i) {
      ASSERT_FALSE(aws_.empty()) << "W beat without AW";
      Burst& b = aws_.front();
      const auto data = GetBytes(dut_->m_w_data_o, dim);
      const uint32_t strb = dut_->m_w_strb_o;
      const uint32_t full = dim == 32 ? 0xFFFFFFFFu : (1u << dim) - 1;
      EXPECT_TRUE(strb == full || strb == 0) << "partial strobes";
      if (strb == 0) ++zero_beats_;
      if (strb && stopped_ && !w_pending_before_stop_) {
        // Beats with data after the stop are only those already presented.
        ADD_FAILURE() << "W beat with strobes after an error or abort";
      }
      for (int i = 0; i < dim; ++i) {
        if (strb >> i & 1) mem_[b.addr + b.done * dim + i] = data[i];
      }
      ++beats_;
      ++b.done;
      EXPECT_EQ(dut_->m_w_last_o != 0, b.done == b.beats) << "WLAST";
      if (b.done == b.beats) {
        const bool err = slverr_burst_ && *slverr_burst_ == b.ordinal;
        resps_.push_back({cycle_ + 1 + (rdy ? 0 : r() % 10), err});
        aws_.pop_front();
      }
    }
    if (b_valid) {
      EXPECT_TRUE(dut_->m_b_ready_o);
      b_held_ = !dut_->m_b_ready_o;
      if (dut_->m_b_ready_o) resps_.pop_front();
    }
    if (dut_->abort_i) {
      w_pending_before_stop_ = w_pending_;
      stopped_ = halted_ = true;
    }

    npu::block::ClockHigh(*dut_);
    ++cycle_;
    if (dut_->err_o) {
      ++errors_;
      err_cause_ = dut_->err_cause_o;
      err_addr_ = dut_->err_addr_o;
      err_pc_ = dut_->err_pc_o;
      if (!stopped_) w_pending_before_stop_ = w_pending_;
      stopped_ = halted_ = true;
    }
  }

  Config cfg_;
  std::mt19937_64 rng_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> dut_;
  uint32_t win_base_ = 0x00200000, win_size_ = 0x00400000;
  uint32_t cursor_ = 0x00200000;
  std::vector<std::vector<uint8_t>> p_;
  std::vector<std::vector<int32_t>> acc_;
  std::vector<StoreInstr> instrs_;
  std::vector<size_t> reads_done_;
  std::map<uint32_t, uint8_t> mem_;
  size_t next_ = 0, read_instr_ = 0, sig_instr_ = 0, aw_count_ = 0;
  uint64_t read_index_ = 0, last_read_cycle_ = 0;
  int tokens_ = 0, errors_ = 0;
  uint32_t err_cause_ = 0, err_addr_ = 0, err_pc_ = 0;
  std::optional<uint32_t> p_read_, acc_read_;
  std::deque<Burst> aws_;
  std::deque<Resp> resps_;
  std::vector<uint32_t> burst_addrs_;
  bool always_ready_ = false, b_held_ = false, aw_pending_ = false, w_pending_ = false;
  bool stopped_ = false, halted_ = false, w_pending_before_stop_ = false;
  uint32_t aw_pending_addr_ = 0, w_pending_strb_ = 0;
  std::vector<uint8_t> w_pending_data_;
  uint64_t cycle_ = 0, beats_ = 0, zero_beats_ = 0, abort_at_ = ~0ull;
  std::optional<size_t> slverr_burst_;
};

template <typename Model>
void RandomStream(const Config& cfg, int count) {
  StoreBench<Model> tb(cfg, Seed());
  for (int i = 0; i < count; ++i) tb.Push(tb.RandomInstr());
  ASSERT_TRUE(tb.Run());
  EXPECT_EQ(tb.errors(), 0) << "cause " << tb.err_cause() << " pc " << tb.err_pc();
  tb.CheckMemory(0, count);
  tb.CheckSignals();
  std::printf("%d instructions, %llu beats, %zu bursts in %llu cycles\n", count,
              static_cast<unsigned long long>(tb.beats()), tb.bursts(),
              static_cast<unsigned long long>(tb.cycles()));
}

TEST(Store, RandomDim4) { RandomStream<Vnpu_store_d4>(kD4, 300); }
TEST(Store, RandomDim16) { RandomStream<Vnpu_store_d16>(kD16, 300); }

// With a bus that is always ready, a long store streams one beat per cycle.
template <typename Model>
void Streaming(const Config& cfg) {
  StoreBench<Model> tb(cfg, Seed());
  tb.SetAlwaysReady();
  StoreInstr s = tb.RandomInstr(true);
  s.deps = {};
  s.ny = 2;
  s.nx = std::min<uint32_t>(500, cfg.acc_rows / 2);
  s.acc_row = 0;
  s.dst_row_stride = s.nx * cfg.dim;
  tb.Push(s);
  ASSERT_TRUE(tb.Run());
  EXPECT_EQ(tb.errors(), 0);
  tb.CheckMemory(0, 1);
  std::printf("%llu beats in %llu cycles\n", static_cast<unsigned long long>(tb.beats()),
              static_cast<unsigned long long>(tb.cycles()));
  EXPECT_LE(tb.cycles(), tb.beats() + 40);
}

TEST(Store, StreamingDim4) { Streaming<Vnpu_store_d4>(kD4); }
TEST(Store, StreamingDim16) { Streaming<Vnpu_store_d16>(kD16); }

// A bad instruction after a few good ones: report, drain, halt, clear.
template <typename Model>
void ErrorCase(const Config& cfg, const char* what,
               const std::function<void(StoreBench<Model>&, StoreInstr&)>& spoil, uint32_t cause,
               std::optional<uint32_t> addr) {
  SCOPED_TRACE(what);
  StoreBench<Model> tb(cfg, Seed());
  for (int i = 0; i < 4; ++i) tb.Push(tb.RandomInstr());
  StoreInstr bad = tb.RandomInstr();
  bad.ny = std::max<uint32_t>(bad.ny, 1);
  bad.acc_row = 0;
  spoil(tb, bad);
  tb.Push(bad);
  for (int i = 0; i < 4; ++i) tb.Push(tb.RandomInstr());
  ASSERT_TRUE(tb.Run());
  EXPECT_EQ(tb.errors(), 1);
  EXPECT_EQ(tb.err_cause(), cause);
  EXPECT_EQ(tb.err_pc(), 4u);
  if (addr) {
    EXPECT_EQ(tb.err_addr(), *addr);
  }
  tb.CheckWrittenBytes();
  tb.Clear();
  for (int i = 0; i < 10; ++i) tb.Push(tb.RandomInstr());
  ASSERT_TRUE(tb.Run());
  EXPECT_EQ(tb.errors(), 1);
  tb.CheckWrittenBytes();
}

template <typename Model>
void Errors(const Config& cfg) {
  using B = StoreBench<Model>;
  ErrorCase<Model>(
      cfg, "p_row", [](B& tb, StoreInstr& s) { s.p_row = tb.cfg().p_rows - 8; }, kCauseIllegal,
      std::nullopt);
  ErrorCase<Model>(
      cfg, "acc range",
      [](B& tb, StoreInstr& s) { s.acc_row = tb.cfg().acc_rows - s.ny * s.nx + 1; }, kCauseIllegal,
      std::nullopt);
  uint32_t a = 0;
  ErrorCase<Model>(
      cfg, "misaligned dst",
      [&](B&, StoreInstr& s) {
        s.dst_addr += 1;
        a = s.dst_addr;
      },
      kCauseAddr, std::nullopt);
  ErrorCase<Model>(
      cfg, "misaligned stride",
      [&](B&, StoreInstr& s) {
        s.ny = 2;
        s.nx = std::min<uint32_t>(s.nx, 8);
        s.dst_row_stride += 2;
      },
      kCauseAddr, std::nullopt);
  // Second output row ends past the window: the first row's bursts go out,
  // the first burst of row 1 that leaves the window is reported.
  ErrorCase<Model>(
      cfg, "window",
      [&](B& tb, StoreInstr& s) {
        const int dim = tb.cfg().dim;
        s.ny = 2;
        s.nx = 8;
        s.dst_row_stride = 4096;
        s.dst_addr = tb.win_base() + tb.win_size() - 4096 - 4 * dim;
        a = s.dst_addr + 4096;
      },
      kCauseAddr, std::nullopt);
}

TEST(Store, ErrorsDim4) { Errors<Vnpu_store_d4>(kD4); }
TEST(Store, ErrorsDim16) { Errors<Vnpu_store_d16>(kD16); }

// Exact error addresses.
TEST(Store, ErrorAddress) {
  using B = StoreBench<Vnpu_store_d4>;
  const int dim = kD4.dim;
  {
    B tb(kD4, Seed());
    StoreInstr s = tb.RandomInstr();
    s.ny = 2;
    s.nx = 8;
    s.acc_row = 0;
    s.dst_row_stride = 4096;
    s.dst_addr = tb.win_base() + tb.win_size() - 4096 - 4 * dim;
    tb.Push(s);
    ASSERT_TRUE(tb.Run());
    EXPECT_EQ(tb.errors(), 1);
    EXPECT_EQ(tb.err_cause(), kCauseAddr);
    // Row 1 starts 4 beats before the window end: that 4-beat burst (up to
    // the 4 KiB boundary) is inside, the next one starts at the window end.
    EXPECT_EQ(tb.err_addr(), tb.win_base() + tb.win_size());
    tb.CheckWrittenBytes();
  }
  {
    B tb(kD4, Seed());
    StoreInstr s = tb.RandomInstr();
    s.dst_addr = tb.win_base() + 6;
    tb.Push(s);
    ASSERT_TRUE(tb.Run());
    EXPECT_EQ(tb.err_cause(), kCauseAddr);
    EXPECT_EQ(tb.err_addr(), s.dst_addr);
  }
}

// BRESP = SLVERR on a random burst: reported with its address; every other
// announced burst completes; idle.
template <typename Model>
void SlvErr(const Config& cfg) {
  StoreBench<Model> tb(cfg, Seed());
  for (int i = 0; i < 30; ++i) tb.Push(tb.RandomInstr());
  const size_t k = tb.rng()() % 20;
  tb.SetSlvErrBurst(k);
  ASSERT_TRUE(tb.Run());
  ASSERT_GT(tb.bursts(), k);
  EXPECT_EQ(tb.errors(), 1);
  EXPECT_EQ(tb.err_cause(), kCauseResp);
  EXPECT_EQ(tb.err_addr(), tb.burst_addrs()[k]);
  tb.CheckWrittenBytes();
}

TEST(Store, SlvErrDim4) {
  for (int i = 0; i < 10; ++i) SlvErr<Vnpu_store_d4>(kD4);
}
TEST(Store, SlvErrDim16) {
  for (int i = 0; i < 10; ++i) SlvErr<Vnpu_store_d16>(kD16);
}

// Abort at a random cycle: no new AW, announced bursts complete with
// WSTRB = 0, idle; clear_i restarts the unit.
template <typename Model>
void Abort(const Config& cfg) {
  StoreBench<Model> tb(cfg, Seed());
  for (int i = 0; i < 30; ++i) tb.Push(tb.RandomInstr(true));
  tb.SetAbortAt(100 + tb.rng()() % 3000);
  ASSERT_TRUE(tb.Run());
  EXPECT_EQ(tb.errors(), 0);
  tb.CheckWrittenBytes();
  const uint64_t zero = tb.zero_strobe_beats();
  tb.Clear();
  for (int i = 0; i < 10; ++i) tb.Push(tb.RandomInstr());
  ASSERT_TRUE(tb.Run());
  EXPECT_EQ(tb.errors(), 0);
  tb.CheckWrittenBytes();
  EXPECT_EQ(tb.zero_strobe_beats(), zero) << "zero-strobe beats without an abort";
}

TEST(Store, AbortDim4) {
  for (int i = 0; i < 10; ++i) Abort<Vnpu_store_d4>(kD4);
}
TEST(Store, AbortDim16) {
  for (int i = 0; i < 10; ++i) Abort<Vnpu_store_d16>(kD16);
}

}  // namespace
