// AXI4 slave memory model with latency, backpressure, reordering, a bandwidth
// cap, error injection and protocol checks.

#ifndef NPU_TB_BUS_AXI_MEMORY_H_
#define NPU_TB_BUS_AXI_MEMORY_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "tb/bus/axi_port.h"
#include "tb/bus/sim_fwd.h"
#include "tb/bus/sparse_memory.h"

namespace npu::bus {

/// Timing and randomisation of an AxiMemory.
struct AxiMemoryConfig {
  /// Seed of the model's random choices (backpressure, gaps, latency, order).
  std::uint64_t seed = 1;
  /// Cycles from an accepted AR (or a complete AW + W burst) to the earliest
  /// cycle its first R beat (or its B) may be valid; at least 1.
  int min_latency = 8;
  /// Upper end of the latency, drawn uniformly per burst.
  int max_latency = 40;
  /// Probability that ARREADY / AWREADY / WREADY is high in a cycle.
  double ar_ready_prob = 0.8;
  double aw_ready_prob = 0.8;
  double w_ready_prob = 0.8;
  /// Probability that a ready R beat / B response is presented in a cycle
  /// (1 - probability of a gap).
  double r_valid_prob = 0.8;
  double b_valid_prob = 0.8;
  /// Average R data bandwidth cap in bytes per cycle (token bucket holding at
  /// most one beat); 0 means one full beat per cycle.
  double read_bytes_per_cycle = 0;
  /// Reorder and interleave R beats (and B responses) of different IDs;
  /// transactions with the same ID always complete in order.
  bool reorder_ids = true;
  /// ARREADY / AWREADY stay low while this many bursts are in flight.
  int max_outstanding_reads = 32;
  int max_outstanding_writes = 16;

  /// Latency 1, always ready, no gaps, no reordering.
  static AxiMemoryConfig Ideal(std::uint64_t seed = 1);
  /// The defaults above.
  static AxiMemoryConfig Default(std::uint64_t seed);
  /// Heavy backpressure and gaps, latency 1..100.
  static AxiMemoryConfig Stress(std::uint64_t seed);

  /// Throws std::invalid_argument if a field is out of range.
  void Validate() const;
};

/// Counters kept by an AxiMemory.
struct AxiMemoryStats {
  std::uint64_t cycles = 0;                 ///< Sample() calls.
  std::uint64_t read_bursts = 0;            ///< AR handshakes.
  std::uint64_t read_beats = 0;             ///< R handshakes.
  std::uint64_t read_bytes = 0;             ///< read_beats * data_bytes.
  std::uint64_t write_bursts = 0;           ///< AW handshakes.
  std::uint64_t write_beats = 0;            ///< W handshakes.
  std::uint64_t write_bytes = 0;            ///< Bytes written to memory (strobed, OKAY bursts).
  std::uint64_t error_responses = 0;        ///< R beats and B responses other than OKAY.
  int max_reads_in_flight = 0;              ///< Peak AR accepted, last R not yet.
  int max_writes_in_flight = 0;             ///< Peak AW accepted, B not yet.
  std::uint64_t first_read_beat_cycle = 0;  ///< Cycle of the first R handshake.
  std::uint64_t last_read_beat_cycle = 0;   ///< Cycle of the last R handshake.
  std::map<std::uint32_t, std::uint64_t> read_bursts_by_id;   ///< AR handshakes per ARID.
  std::map<std::uint32_t, std::uint64_t> write_bursts_by_id;  ///< AW handshakes per AWID.
};

/// An AXI4 slave backed by a SparseMemory.
///
/// The core is cycle-based and independent of the simulation kernel: once per
/// clock cycle, call Sample() when the inputs have settled (the values the
/// master presents at the coming rising edge), then Drive() right after that
/// edge. Sample() performs the handshakes of the edge and decides the model's
/// outputs for the next cycle; Drive() writes them. The outputs never depend
/// combinationally on the inputs of the same cycle. Run() wraps this in a
/// coroutine for the simulation kernel.
///
/// Only INCR bursts of full-width beats are accepted. Writes are applied when
/// both the AW and the last W beat of a burst have been received; reads take
/// the memory contents at the time each R beat is first presented. W beats may
/// arrive before their AW. A protocol violation by the master throws
/// std::runtime_error from Sample() with a message naming cycle, channel and
/// fields.
class AxiMemory {
 public:
  /// A model on `port` (see NPU_AXI_MASTER_PORT). The outputs are driven low
  /// by the first Drive().
  AxiMemory(const AxiPort& port, const AxiMemoryConfig& config);

  /// Samples the inputs at the end of a cycle and performs the handshakes of
  /// the coming edge; throws std::runtime_error on a protocol violation.
  void Sample();
  /// Writes the outputs for the cycle after the edge.
  void Drive();
  /// Drops every burst in flight and buffered W beat and drives the outputs
  /// low at the next Drive(); memory contents, errors and stats are kept.
  void Reset();

  /// Coroutine: forever { ReadOnly; Sample(); RisingEdge(clk); Drive(); }.
  /// Defined in axi_memory_run.cc, built only with the simulation kernel.
  sim::Task<void> Run(sim::Clock& clk);

  /// Backing store.
  SparseMemory& memory() { return memory_; }
  const SparseMemory& memory() const { return memory_; }
  /// Backdoor access (no bus timing, no error ranges).
  void Write(std::uint32_t addr, std::span<const std::uint8_t> data) { memory_.Write(addr, data); }
  void Read(std::uint32_t addr, std::span<std::uint8_t> out) const { memory_.Read(addr, out); }
  std::uint8_t Read8(std::uint32_t addr) const { return memory_.Read8(addr); }
  void Write8(std::uint32_t addr, std::uint8_t value) { memory_.Write8(addr, value); }
  std::uint32_t Read32(std::uint32_t addr) const { return memory_.Read32(addr); }
  void Write32(std::uint32_t addr, std::uint32_t value) { memory_.Write32(addr, value); }

  /// From now on, every R beat whose bytes overlap [addr_lo, addr_hi) returns
  /// `resp` with zero data, and every write burst whose bytes overlap it
  /// returns `resp` and writes nothing. Ranges may overlap; the first added
  /// wins.
  void AddError(std::uint64_t addr_lo, std::uint64_t addr_hi, Resp resp);
  /// Removes every error range.
  void ClearErrors() { errors_.clear(); }

  /// Counters since construction or ClearStats().
  const AxiMemoryStats& stats() const { return stats_; }
  /// Zeroes the counters (the cycle count included).
  void ClearStats() { stats_ = AxiMemoryStats(); }

  /// Configuration in force.
  const AxiMemoryConfig& config() const { return config_; }
  /// Changes timing for the cycles to come (the random stream is not reseeded).
  void set_config(const AxiMemoryConfig& config);
  /// The port view.
  const AxiPort& port() const { return port_; }

  /// Sample() calls so far.
  std::uint64_t cycle() const { return cycle_; }
  /// Read bursts accepted whose last beat has not been transferred.
  int ReadsInFlight() const { return static_cast<int>(reads_.size()); }
  /// Write bursts accepted whose response has not been transferred.
  int WritesInFlight() const { return writes_in_flight_; }
  /// W beats received and not yet matched to a complete burst.
  int BufferedWriteBeats() const { return static_cast<int>(w_beats_.size()); }
  /// No burst in flight and no W beat buffered.
  bool Idle() const { return reads_.empty() && writes_in_flight_ == 0 && w_beats_.empty(); }

 private:
  struct AddrBeat {  // AR or AW payload.
    std::uint64_t addr = 0;
    std::uint32_t len = 0;
    std::uint32_t size = 0;
    std::uint32_t burst = 0;
    std::uint32_t id = 0;
    bool operator==(const AddrBeat&) const = default;
  };
  struct WBeat {
    std::vector<std::uint8_t> data;
    std::vector<std::uint8_t> strb;
    bool last = false;
    bool operator==(const WBeat&) const = default;
  };
  struct ReadBurst {
    AddrBeat ar;
    std::uint32_t beat = 0;  // Next beat to present.
    std::uint64_t ready_cycle = 0;
  };
  struct WriteResp {
    std::uint32_t id = 0;
    Resp resp = Resp::kOkay;
    std::uint64_t ready_cycle = 0;
  };
  // Scratch list of bursts eligible to answer this cycle (kept to avoid
  // allocating on every cycle).
  std::vector<std::size_t> candidates_;
  struct ErrorRange {
    std::uint64_t lo, hi;
    Resp resp;
  };
  struct Outputs {
    bool arready = false, awready = false, wready = false;
    bool rvalid = false, rlast = false;
    std::uint32_t rid = 0;
    Resp rresp = Resp::kOkay;
    std::vector<std::uint8_t> rdata;
    bool bvalid = false;
    std::uint32_t bid = 0;
    Resp bresp = Resp::kOkay;
  };

  [[noreturn]] void Fail(const std::string& channel, const std::string& what) const;
  AddrBeat SampleAddr(bool read) const;
  void CheckAddr(const char* channel, const AddrBeat& a) const;
  void AcceptRead(const AddrBeat& ar);
  void AcceptWriteAddr(const AddrBeat& aw);
  void AcceptWriteBeat(WBeat beat);
  void CompleteWrites();
  void NextReadBeat();
  void NextWriteResp();
  const ErrorRange* FindError(std::uint64_t lo, std::uint64_t hi) const;
  bool Chance(double p);
  int Latency();

  AxiPort port_;
  AxiMemoryConfig config_;
  std::size_t data_bytes_;
  SparseMemory memory_;
  std::mt19937_64 rng_;
  std::uint64_t cycle_ = 0;

  Outputs out_;        // Driven by the next Drive().
  bool reset_ = true;  // Drive all outputs low.

  // Previous cycle's master payloads, for the stability checks.
  bool prev_ar_pending_ = false, prev_aw_pending_ = false, prev_w_pending_ = false;
  AddrBeat prev_ar_, prev_aw_;
  WBeat prev_w_;

  std::deque<ReadBurst> reads_;   // Accepted, in AR order.
  std::deque<AddrBeat> aws_;      // Accepted, awaiting W beats.
  std::deque<WBeat> w_beats_;     // Received, awaiting a complete burst.
  std::deque<WriteResp> bresps_;  // Complete bursts awaiting B.
  int writes_in_flight_ = 0;
  std::size_t r_burst_ = 0;  // Index in reads_ of the presented beat.
  double read_tokens_ = 0;

  std::vector<ErrorRange> errors_;
  AxiMemoryStats stats_;
};

}  // namespace npu::bus

#endif  // NPU_TB_BUS_AXI_MEMORY_H_
