// AXI4-Lite master for driving a register file (the NPU's CSR port).

#ifndef NPU_TB_BUS_AXILITE_MASTER_H_
#define NPU_TB_BUS_AXILITE_MASTER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <string>

#include "tb/bus/axi_port.h"
#include "tb/bus/sim_fwd.h"

namespace npu::bus {

/// Timing of an AxiLiteMaster.
struct AxiLiteMasterConfig {
  /// Seed of the random delays.
  std::uint64_t seed = 1;
  /// AWVALID, WVALID and ARVALID are each raised after 0..max_delay idle
  /// cycles, drawn independently, once a transaction starts.
  int max_delay = 3;
  /// Probability that BREADY / RREADY is high in a cycle while a response is
  /// awaited.
  double bready_prob = 0.8;
  double rready_prob = 0.8;

  /// No delays, always ready.
  static AxiLiteMasterConfig Ideal();
};

/// One AXI4-Lite access and, once `done`, its outcome.
struct AxiLiteTransaction {
  bool write = false;
  std::uint32_t addr = 0;
  std::uint32_t data = 0;   ///< Write data, or read data once done.
  std::uint8_t strb = 0xf;  ///< Write strobes.
  Resp resp = Resp::kOkay;  ///< BRESP / RRESP once done.
  bool done = false;
};

/// An AXI4-Lite master that performs queued transactions one at a time.
///
/// The core is cycle-based like AxiMemory: call Sample() when the inputs have
/// settled and Drive() right after the rising edge. Transactions are queued
/// with Submit*() and complete in order; AW and W of a write are raised
/// independently after random delays. The coroutine members Write() and
/// Read() queue a transaction and wait for it, so concurrent callers are
/// served in the order they called; they need Run() to be running.
///
/// Sample() throws std::runtime_error if the slave breaks the protocol: a
/// response without a request, a write response before both AW and W were
/// accepted, or a response dropped or changed before it was accepted.
class AxiLiteMaster {
 public:
  /// A master on `port` (see NPU_AXILITE_SLAVE_PORT).
  AxiLiteMaster(const AxiLitePort& port, const AxiLiteMasterConfig& config);

  /// Queues a write of `data` to `addr`.
  std::shared_ptr<AxiLiteTransaction> SubmitWrite(std::uint32_t addr, std::uint32_t data,
                                                  std::uint8_t strb = 0xf);
  /// Queues a read of `addr`.
  std::shared_ptr<AxiLiteTransaction> SubmitRead(std::uint32_t addr);

  /// Samples the inputs and performs the handshakes of the coming edge.
  void Sample();
  /// Writes the outputs for the cycle after the edge.
  void Drive();
  /// Abandons every queued transaction and drives the outputs low at the next
  /// Drive().
  void Reset();

  /// No transaction queued or in progress.
  bool Idle() const { return !current_ && queue_.empty(); }
  /// Transactions completed.
  std::uint64_t completed() const { return completed_; }
  /// Sample() calls so far.
  std::uint64_t cycle() const { return cycle_; }

  /// Coroutine: forever { ReadOnly; Sample(); RisingEdge(clk); Drive(); }.
  /// The coroutine members below use `clk`.
  sim::Task<void> Run(sim::Clock& clk);
  /// Writes `data` to `addr`; throws std::runtime_error unless BRESP is OKAY.
  sim::Task<void> Write(std::uint32_t addr, std::uint32_t data);
  /// Writes `data` to `addr` and returns BRESP.
  sim::Task<Resp> WriteResp(std::uint32_t addr, std::uint32_t data);
  /// Reads `addr`; throws std::runtime_error unless RRESP is OKAY.
  sim::Task<std::uint32_t> Read(std::uint32_t addr);
  /// Reads `addr` and returns the whole outcome (data and RRESP).
  sim::Task<AxiLiteTransaction> ReadResp(std::uint32_t addr);

 private:
  [[noreturn]] void Fail(const std::string& channel, const std::string& what) const;
  int Delay();
  bool Chance(double p);
  void Start();

  AxiLitePort port_;
  AxiLiteMasterConfig config_;
  std::mt19937_64 rng_;
  std::uint64_t cycle_ = 0;
  std::uint64_t completed_ = 0;
  sim::Clock* clk_ = nullptr;

  std::deque<std::shared_ptr<AxiLiteTransaction>> queue_;
  std::shared_ptr<AxiLiteTransaction> current_;
  // Progress of the current transaction.
  int addr_delay_ = 0, data_delay_ = 0;
  bool addr_done_ = false, data_done_ = false;

  // Outputs driven by the next Drive().
  bool awvalid_ = false, wvalid_ = false, arvalid_ = false;
  bool bready_ = false, rready_ = false;
  std::uint32_t addr_ = 0, wdata_ = 0;
  std::uint8_t wstrb_ = 0;

  // Previous cycle's response, for the stability checks.
  bool prev_b_pending_ = false, prev_r_pending_ = false;
  std::uint64_t prev_bresp_ = 0, prev_rresp_ = 0, prev_rdata_ = 0;
};

}  // namespace npu::bus

#endif  // NPU_TB_BUS_AXILITE_MASTER_H_
