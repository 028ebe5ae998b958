// Passive AXI4 protocol monitor.

#ifndef NPU_TB_BUS_AXI_MONITOR_H_
#define NPU_TB_BUS_AXI_MONITOR_H_

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "tb/bus/axi_port.h"

namespace npu::bus {

/// Counters kept by an AxiMonitor.
struct AxiMonitorStats {
  std::uint64_t ar = 0, aw = 0, w = 0, r = 0, b = 0;  ///< Handshakes per channel.
  std::uint64_t reads_done = 0;                       ///< R handshakes with RLAST.
  std::uint64_t error_responses = 0;                  ///< R beats and B responses other than OKAY.
  std::uint64_t w_before_aw = 0;  ///< W beats transferred before their burst's AW.
  int max_reads_in_flight = 0;
  int max_writes_in_flight = 0;
};

/// Watches one AXI4 interface without driving anything. Call Sample() once per
/// cycle when the signals have settled (before the rising edge). It counts
/// handshakes and throws std::runtime_error on a protocol violation by either
/// side:
/// - a valid dropped, or its payload changed, before ready (all five channels);
/// - an R beat whose RID has no read outstanding, or RLAST not on the last
///   beat of the oldest outstanding burst of that ID;
/// - WLAST not on the last beat of the burst announced by AW;
/// - a B response whose BID has no write outstanding, or that comes before
///   every W beat of the oldest outstanding write of that ID was transferred.
class AxiMonitor {
 public:
  /// A monitor of `port`; `name` prefixes its messages.
  explicit AxiMonitor(const AxiPort& port, std::string name = "AxiMonitor");

  /// Checks and counts the handshakes of the coming edge.
  void Sample();
  /// Forgets every transaction in flight (use when the bus is reset).
  void Reset();

  /// Counters since construction.
  const AxiMonitorStats& stats() const { return stats_; }
  /// No read or write outstanding and no W beat ahead of its AW.
  bool Idle() const;
  /// Sample() calls so far.
  std::uint64_t cycle() const { return cycle_; }

 private:
  struct Channel {
    const char* name;
    SignalRef valid, ready;
    std::vector<SignalRef> payload;
    bool pending = false;  // valid && !ready at the previous sample.
    std::vector<std::uint8_t> last;
    std::vector<std::uint8_t> now;  // this sample's payload (reused: no per-cycle allocation)
  };
  struct Write {
    std::uint32_t id, len;
    std::uint64_t index;  // Position in AW order.
  };

  [[noreturn]] void Fail(const char* channel, const std::string& what) const;
  bool Check(Channel& ch);

  AxiPort port_;
  std::string name_;
  std::uint64_t cycle_ = 0;
  Channel ar_, aw_, w_, r_, b_;

  std::map<std::uint32_t, std::deque<std::uint32_t>> reads_;  // Per ARID: beats left.
  int reads_in_flight_ = 0;
  std::deque<Write> writes_;           // AW accepted, B not yet, in AW order.
  std::deque<std::uint32_t> aw_lens_;  // AWLEN of bursts whose W beats are not all in.
  std::uint64_t aw_count_ = 0;         // AW handshakes.
  std::uint64_t w_bursts_done_ = 0;    // W bursts completed (WLAST).
  std::uint32_t w_beat_ = 0;           // Beat index within the current W burst.
  std::uint64_t early_w_lasts_ = 0;    // W bursts complete before their AW.
  AxiMonitorStats stats_;
};

}  // namespace npu::bus

#endif  // NPU_TB_BUS_AXI_MONITOR_H_
