// Test support: a random AXI4 master that checks every response against a
// reference memory.

#ifndef NPU_TB_BUS_AXI_TEST_MASTER_H_
#define NPU_TB_BUS_AXI_TEST_MASTER_H_

#include <cstdint>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <unordered_map>
#include <vector>

#include "tb/bus/axi_port.h"

namespace npu::bus::testing {

/// Traffic of an AxiTestMaster.
struct AxiTestMasterConfig {
  std::uint64_t seed = 1;
  int num_transactions = 1000;  ///< Bursts to issue (reads + writes).
  double write_fraction = 0.5;
  int max_len = 16;               ///< Beats of a usual burst (1..max_len).
  double long_burst_prob = 0.03;  ///< Chance of a burst of up to 256 beats.
  std::uint32_t base = 0x10000;   ///< Address window of the traffic.
  std::uint32_t window = 0x10000;
  double valid_prob = 0.7;  ///< Chance to present the next AR/AW/W item.
  double ready_prob = 0.7;  ///< Chance of RREADY / BREADY.
  int max_aw_lag = 6;       ///< AW may trail its W beats by up to this many cycles.
  int read_ids = 4;
  int write_ids = 2;
  int max_outstanding = 24;  ///< Bursts issued and not answered.
  double zero_strobe_prob = 0.05;
  double partial_strobe_prob = 0.3;
};

/// A random AXI4 master for unit tests of slave models. It never has a read
/// and a write (or two writes) to overlapping bytes in flight, so the
/// expected read data are known when the AR is issued. Every R beat and B
/// response is checked (ID order, data, RLAST, OKAY); a mismatch throws
/// std::runtime_error. Cycle-based like the models: Sample(), then Drive().
class AxiTestMaster {
 public:
  AxiTestMaster(const AxiPort& port, const AxiTestMasterConfig& config);

  void Sample();
  void Drive();

  /// Every transaction issued and answered.
  bool Done() const;
  /// Reference contents: bytes written so far (others read as 0).
  std::uint8_t RefByte(std::uint32_t addr) const;

  std::uint64_t reads_done() const { return reads_done_; }
  std::uint64_t writes_done() const { return writes_done_; }
  /// R beats that belonged to a burst other than the oldest outstanding one.
  std::uint64_t reordered_beats() const { return reordered_beats_; }
  /// W beats accepted before the AW of their burst.
  std::uint64_t early_w_beats() const { return early_w_beats_; }
  /// Cycles the R channel switched to another burst before RLAST.
  std::uint64_t interleavings() const { return interleavings_; }

 private:
  struct Addr {
    std::uint32_t addr, len, id;
    std::uint64_t seq;
  };
  struct WBeat {
    std::vector<std::uint8_t> data, strb;
    bool last;
    std::uint64_t burst;  // Index of the write burst.
  };
  struct ExpRead {
    std::uint64_t seq;
    std::uint32_t len, beat;
    std::vector<std::uint8_t> data;
  };
  struct Range {
    std::uint64_t lo, hi;
    bool write;
  };

  bool Chance(double p);
  void Generate();
  bool Conflicts(std::uint64_t lo, std::uint64_t hi, bool write) const;

  AxiPort port_;
  AxiTestMasterConfig config_;
  std::size_t bytes_;
  std::mt19937_64 rng_;
  std::uint64_t cycle_ = 0;

  int issued_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t write_bursts_ = 0, aw_sent_ = 0;
  std::deque<Addr> ar_q_;
  std::deque<std::pair<Addr, std::uint64_t>> aw_q_;  // With earliest cycle.
  std::deque<WBeat> w_q_;
  std::map<std::uint32_t, std::deque<ExpRead>> exp_reads_;
  std::map<std::uint32_t, std::deque<std::uint64_t>> exp_writes_;  // Seqs per ID.
  std::set<std::uint64_t> reads_outstanding_;
  std::map<std::uint64_t, Range> ranges_;  // In flight, by seq.
  std::unordered_map<std::uint32_t, std::uint8_t> ref_;
  std::uint64_t reads_done_ = 0, writes_done_ = 0;
  std::uint64_t reordered_beats_ = 0, early_w_beats_ = 0, interleavings_ = 0;
  std::int64_t last_r_seq_ = -1;
  bool last_r_was_last_ = true;

  // Outputs.
  bool arvalid_ = false, awvalid_ = false, wvalid_ = false, rready_ = false, bready_ = false;
};

}  // namespace npu::bus::testing

#endif  // NPU_TB_BUS_AXI_TEST_MASTER_H_
