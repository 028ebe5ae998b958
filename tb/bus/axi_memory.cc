#include "tb/bus/axi_memory.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>

namespace npu::bus {
namespace {

constexpr double kTokenEpsilon = 1e-9;

std::string Hex(std::uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%08llx", static_cast<unsigned long long>(value));
  return buf;
}

std::string HexBytes(const std::vector<std::uint8_t>& bytes) {
  std::string s = "0x";
  char buf[4];
  for (auto it = bytes.rbegin(); it != bytes.rend(); ++it) {
    std::snprintf(buf, sizeof(buf), "%02x", *it);
    s += buf;
  }
  return s;
}

void CheckProb(double p, const char* name) {
  if (!(p > 0.0 && p <= 1.0)) {
    throw std::invalid_argument(std::string("AxiMemoryConfig: ") + name + " = " +
                                std::to_string(p) + " is not in (0, 1]");
  }
}

}  // namespace

AxiMemoryConfig AxiMemoryConfig::Ideal(std::uint64_t seed) {
  AxiMemoryConfig c;
  c.seed = seed;
  c.min_latency = c.max_latency = 1;
  c.ar_ready_prob = c.aw_ready_prob = c.w_ready_prob = 1.0;
  c.r_valid_prob = c.b_valid_prob = 1.0;
  c.read_bytes_per_cycle = 0;
  c.reorder_ids = false;
  return c;
}

AxiMemoryConfig AxiMemoryConfig::Default(std::uint64_t seed) {
  AxiMemoryConfig c;
  c.seed = seed;
  return c;
}

AxiMemoryConfig AxiMemoryConfig::Stress(std::uint64_t seed) {
  AxiMemoryConfig c;
  c.seed = seed;
  c.min_latency = 1;
  c.max_latency = 100;
  c.ar_ready_prob = c.aw_ready_prob = c.w_ready_prob = 0.4;
  c.r_valid_prob = c.b_valid_prob = 0.5;
  c.reorder_ids = true;
  c.max_outstanding_reads = 8;
  c.max_outstanding_writes = 4;
  return c;
}

void AxiMemoryConfig::Validate() const {
  if (min_latency < 1 || max_latency < min_latency) {
    throw std::invalid_argument("AxiMemoryConfig: latency range [" + std::to_string(min_latency) +
                                ", " + std::to_string(max_latency) + "] is not within [1, inf)");
  }
  CheckProb(ar_ready_prob, "ar_ready_prob");
  CheckProb(aw_ready_prob, "aw_ready_prob");
  CheckProb(w_ready_prob, "w_ready_prob");
  CheckProb(r_valid_prob, "r_valid_prob");
  CheckProb(b_valid_prob, "b_valid_prob");
  if (read_bytes_per_cycle < 0) {
    throw std::invalid_argument("AxiMemoryConfig: read_bytes_per_cycle is negative");
  }
  if (max_outstanding_reads < 1 || max_outstanding_writes < 1) {
    throw std::invalid_argument("AxiMemoryConfig: max_outstanding_* must be at least 1");
  }
}

AxiMemory::AxiMemory(const AxiPort& port, const AxiMemoryConfig& config)
    : port_(AxiPort::Finalize(port)),
      config_(config),
      data_bytes_(static_cast<std::size_t>(port_.data_bytes)),
      rng_(config.seed) {
  config_.Validate();
  out_.rdata.assign(data_bytes_, 0);
}

void AxiMemory::set_config(const AxiMemoryConfig& config) {
  config.Validate();
  config_ = config;
  // Outputs already decided for the next cycle must respect the new limits.
  if (ReadsInFlight() >= config_.max_outstanding_reads) out_.arready = false;
  if (writes_in_flight_ >= config_.max_outstanding_writes) out_.awready = false;
}

void AxiMemory::AddError(std::uint64_t addr_lo, std::uint64_t addr_hi, Resp resp) {
  if (addr_hi <= addr_lo) throw std::invalid_argument("AxiMemory::AddError: empty range");
  if (resp == Resp::kOkay || resp == Resp::kExOkay) {
    throw std::invalid_argument("AxiMemory::AddError: response must be SLVERR or DECERR");
  }
  errors_.push_back({addr_lo, addr_hi, resp});
}

const AxiMemory::ErrorRange* AxiMemory::FindError(std::uint64_t lo, std::uint64_t hi) const {
  for (const ErrorRange& e : errors_) {
    if (lo < e.hi && e.lo < hi) return &e;
  }
  return nullptr;
}

bool AxiMemory::Chance(double p) {
  if (p >= 1.0) return true;
  return static_cast<double>(rng_() >> 11) * 0x1.0p-53 < p;
}

int AxiMemory::Latency() {
  const auto span = static_cast<std::uint64_t>(config_.max_latency - config_.min_latency) + 1;
  return config_.min_latency + static_cast<int>(span == 1 ? 0 : rng_() % span);
}

void AxiMemory::Fail(const std::string& channel, const std::string& what) const {
  throw std::runtime_error("AxiMemory: cycle " + std::to_string(cycle_) + ": " + channel + ": " +
                           what);
}

AxiMemory::AddrBeat AxiMemory::SampleAddr(bool read) const {
  AddrBeat a;
  if (read) {
    a.addr = port_.araddr.Get();
    a.len = static_cast<std::uint32_t>(port_.arlen.Get());
    a.size = static_cast<std::uint32_t>(port_.arsize.Get());
    a.burst = static_cast<std::uint32_t>(port_.arburst.Get());
    a.id = static_cast<std::uint32_t>(port_.arid.Get());
  } else {
    a.addr = port_.awaddr.Get();
    a.len = static_cast<std::uint32_t>(port_.awlen.Get());
    a.size = static_cast<std::uint32_t>(port_.awsize.Get());
    a.burst = static_cast<std::uint32_t>(port_.awburst.Get());
    a.id = static_cast<std::uint32_t>(port_.awid.Get());
  }
  return a;
}

namespace {

std::string Describe(const char* ch, std::uint64_t addr, std::uint32_t len, std::uint32_t size,
                     std::uint32_t burst, std::uint32_t id) {
  return std::string(ch) + "ADDR=" + Hex(addr) + " " + ch + "LEN=" + std::to_string(len) + " " +
         ch + "SIZE=" + std::to_string(size) + " " + ch + "BURST=" + std::to_string(burst) + " " +
         ch + "ID=" + std::to_string(id);
}

}  // namespace

void AxiMemory::CheckAddr(const char* channel, const AddrBeat& a) const {
  const std::string desc = " (" + Describe(channel, a.addr, a.len, a.size, a.burst, a.id) + ")";
  if (a.addr >= SparseMemory::kAddressSpace) Fail(channel, "address beyond 32 bits" + desc);
  if (a.len > 255) Fail(channel, "burst length above 256 beats" + desc);
  if (a.burst != static_cast<std::uint32_t>(Burst::kIncr)) {
    Fail(channel, "burst type is not INCR" + desc);
  }
  const auto expected_size = static_cast<std::uint32_t>(std::countr_zero(data_bytes_));
  if (a.size != expected_size) {
    Fail(channel, "beat size is not the bus width (expected SIZE=" + std::to_string(expected_size) +
                      " for " + std::to_string(data_bytes_) + "-byte beats)" + desc);
  }
  if (a.addr % data_bytes_ != 0) Fail(channel, "address not aligned to the beat size" + desc);
  const std::uint64_t last = a.addr + (a.len + 1) * data_bytes_ - 1;
  if (a.addr / SparseMemory::kPageBytes != last / SparseMemory::kPageBytes) {
    Fail(channel,
         "burst crosses a 4 KiB boundary (bytes " + Hex(a.addr) + ".." + Hex(last) + ")" + desc);
  }
}

void AxiMemory::AcceptRead(const AddrBeat& ar) {
  CheckAddr("AR", ar);
  if (static_cast<int>(reads_.size()) >= config_.max_outstanding_reads) {
    Fail("AR", "read accepted beyond max_outstanding_reads = " +
                   std::to_string(config_.max_outstanding_reads));
  }
  reads_.push_back({ar, 0, cycle_ + static_cast<std::uint64_t>(Latency())});
  ++stats_.read_bursts;
  ++stats_.read_bursts_by_id[ar.id];
  stats_.max_reads_in_flight = std::max(stats_.max_reads_in_flight, ReadsInFlight());
}

void AxiMemory::AcceptWriteAddr(const AddrBeat& aw) {
  CheckAddr("AW", aw);
  if (writes_in_flight_ >= config_.max_outstanding_writes) {
    Fail("AW", "write accepted beyond max_outstanding_writes = " +
                   std::to_string(config_.max_outstanding_writes));
  }
  aws_.push_back(aw);
  ++writes_in_flight_;
  ++stats_.write_bursts;
  ++stats_.write_bursts_by_id[aw.id];
  stats_.max_writes_in_flight = std::max(stats_.max_writes_in_flight, writes_in_flight_);
}

void AxiMemory::AcceptWriteBeat(WBeat beat) {
  w_beats_.push_back(std::move(beat));
  ++stats_.write_beats;
}

void AxiMemory::CompleteWrites() {
  while (!aws_.empty()) {
    const AddrBeat& aw = aws_.front();
    const std::size_t beats = aw.len + 1;
    const std::size_t have = std::min(beats, w_beats_.size());
    for (std::size_t i = 0; i < have; ++i) {
      const bool should_be_last = i + 1 == beats;
      if (w_beats_[i].last != should_be_last) {
        Fail("W", std::string("WLAST=") + (w_beats_[i].last ? "1" : "0") + " on beat " +
                      std::to_string(i) + " of a " + std::to_string(beats) + "-beat burst (" +
                      Describe("AW", aw.addr, aw.len, aw.size, aw.burst, aw.id) + ")");
      }
    }
    if (have < beats) return;

    const std::uint64_t bytes = beats * data_bytes_;
    const ErrorRange* error = FindError(aw.addr, aw.addr + bytes);
    WriteResp b{aw.id, Resp::kOkay, cycle_ + static_cast<std::uint64_t>(Latency())};
    if (error != nullptr) {
      b.resp = error->resp;
    } else {
      for (std::size_t i = 0; i < beats; ++i) {
        const auto addr = static_cast<std::uint32_t>(aw.addr + i * data_bytes_);
        stats_.write_bytes += memory_.WriteMasked(addr, w_beats_[i].data, w_beats_[i].strb);
      }
    }
    bresps_.push_back(b);
    w_beats_.erase(w_beats_.begin(), w_beats_.begin() + static_cast<std::ptrdiff_t>(beats));
    aws_.pop_front();
  }
}

void AxiMemory::NextReadBeat() {
  out_.rvalid = false;
  if (config_.read_bytes_per_cycle > 0 &&
      read_tokens_ + kTokenEpsilon < static_cast<double>(data_bytes_)) {
    return;
  }
  if (reads_.empty() || !Chance(config_.r_valid_prob)) return;

  // Eligible: ready, and the oldest burst of its ID (or the oldest of all).
  std::vector<std::size_t>& candidates = candidates_;  // reused: no per-cycle allocation
  candidates.clear();
  const std::uint64_t next_cycle = cycle_ + 1;
  for (std::size_t i = 0; i < reads_.size(); ++i) {
    bool first_of_id = true;
    for (std::size_t j = 0; j < i && first_of_id; ++j) {
      first_of_id = reads_[j].ar.id != reads_[i].ar.id;
    }
    if (first_of_id && reads_[i].ready_cycle <= next_cycle) candidates.push_back(i);
    if (!config_.reorder_ids) break;
  }
  if (candidates.empty()) return;
  r_burst_ = candidates[candidates.size() == 1 ? 0 : rng_() % candidates.size()];
  const ReadBurst& burst = reads_[r_burst_];

  const std::uint64_t addr = burst.ar.addr + burst.beat * data_bytes_;
  out_.rvalid = true;
  out_.rid = burst.ar.id;
  out_.rlast = burst.beat == burst.ar.len;
  if (const ErrorRange* error = FindError(addr, addr + data_bytes_)) {
    out_.rresp = error->resp;
    std::fill(out_.rdata.begin(), out_.rdata.end(), 0);
  } else {
    out_.rresp = Resp::kOkay;
    memory_.Read(static_cast<std::uint32_t>(addr), out_.rdata);
  }
  if (config_.read_bytes_per_cycle > 0) {
    read_tokens_ = std::max(0.0, read_tokens_ - static_cast<double>(data_bytes_));
  }
}

void AxiMemory::NextWriteResp() {
  out_.bvalid = false;
  if (bresps_.empty() || !Chance(config_.b_valid_prob)) return;
  std::vector<std::size_t>& candidates = candidates_;  // reused: no per-cycle allocation
  candidates.clear();
  const std::uint64_t next_cycle = cycle_ + 1;
  for (std::size_t i = 0; i < bresps_.size(); ++i) {
    bool first_of_id = true;
    for (std::size_t j = 0; j < i && first_of_id; ++j) first_of_id = bresps_[j].id != bresps_[i].id;
    if (first_of_id && bresps_[i].ready_cycle <= next_cycle) candidates.push_back(i);
    if (!config_.reorder_ids) break;
  }
  if (candidates.empty()) return;
  const std::size_t pick = candidates[candidates.size() == 1 ? 0 : rng_() % candidates.size()];
  const WriteResp b = bresps_[pick];
  bresps_.erase(bresps_.begin() + static_cast<std::ptrdiff_t>(pick));
  out_.bvalid = true;
  out_.bid = b.id;
  out_.bresp = b.resp;
}

void AxiMemory::Sample() {
  ++cycle_;
  ++stats_.cycles;

  // Master-driven channels as they will be at the coming edge.
  const bool arvalid = port_.arvalid.Get() != 0;
  const bool awvalid = port_.awvalid.Get() != 0;
  const bool wvalid = port_.wvalid.Get() != 0;
  const bool rready = port_.rready.Get() != 0;
  const bool bready = port_.bready.Get() != 0;
  AddrBeat ar, aw;
  WBeat w;
  if (arvalid || prev_ar_pending_) ar = SampleAddr(true);
  if (awvalid || prev_aw_pending_) aw = SampleAddr(false);
  if (wvalid || prev_w_pending_) {
    w.data.resize(data_bytes_);
    w.strb.resize((data_bytes_ + 7) / 8);
    port_.wdata.GetBytes(w.data);
    port_.wstrb.GetBytes(w.strb);
    w.last = port_.wlast.Get() != 0;
  }

  // Valid must stay high, and the payload stable, until ready.
  if (prev_ar_pending_) {
    if (!arvalid) Fail("AR", "ARVALID dropped before ARREADY");
    if (!(ar == prev_ar_)) {
      Fail("AR", "payload changed while ARVALID && !ARREADY: was " +
                     Describe("AR", prev_ar_.addr, prev_ar_.len, prev_ar_.size, prev_ar_.burst,
                              prev_ar_.id) +
                     ", now " + Describe("AR", ar.addr, ar.len, ar.size, ar.burst, ar.id));
    }
  }
  if (prev_aw_pending_) {
    if (!awvalid) Fail("AW", "AWVALID dropped before AWREADY");
    if (!(aw == prev_aw_)) {
      Fail("AW", "payload changed while AWVALID && !AWREADY: was " +
                     Describe("AW", prev_aw_.addr, prev_aw_.len, prev_aw_.size, prev_aw_.burst,
                              prev_aw_.id) +
                     ", now " + Describe("AW", aw.addr, aw.len, aw.size, aw.burst, aw.id));
    }
  }
  if (prev_w_pending_) {
    if (!wvalid) Fail("W", "WVALID dropped before WREADY");
    if (!(w == prev_w_)) {
      Fail("W", "payload changed while WVALID && !WREADY: was WDATA=" + HexBytes(prev_w_.data) +
                    " WSTRB=" + HexBytes(prev_w_.strb) + " WLAST=" + (prev_w_.last ? "1" : "0") +
                    ", now WDATA=" + HexBytes(w.data) + " WSTRB=" + HexBytes(w.strb) +
                    " WLAST=" + (w.last ? "1" : "0"));
    }
  }
  prev_ar_pending_ = arvalid && !out_.arready;
  prev_aw_pending_ = awvalid && !out_.awready;
  prev_w_pending_ = wvalid && !out_.wready;
  if (prev_ar_pending_) prev_ar_ = ar;
  if (prev_aw_pending_) prev_aw_ = aw;
  if (prev_w_pending_) prev_w_ = w;

  // Handshakes of the coming edge, with the outputs driven in this cycle.
  if (out_.rvalid && rready) {
    ReadBurst& burst = reads_[r_burst_];
    ++stats_.read_beats;
    stats_.read_bytes += data_bytes_;
    if (stats_.first_read_beat_cycle == 0) stats_.first_read_beat_cycle = cycle_;
    stats_.last_read_beat_cycle = cycle_;
    if (out_.rresp != Resp::kOkay) ++stats_.error_responses;
    if (++burst.beat > burst.ar.len) {
      reads_.erase(reads_.begin() + static_cast<std::ptrdiff_t>(r_burst_));
    }
    out_.rvalid = false;
  }
  if (out_.bvalid && bready) {
    if (out_.bresp != Resp::kOkay) ++stats_.error_responses;
    --writes_in_flight_;
    out_.bvalid = false;
  }
  if (arvalid && out_.arready) AcceptRead(ar);
  if (awvalid && out_.awready) AcceptWriteAddr(aw);
  if (wvalid && out_.wready) AcceptWriteBeat(std::move(w));
  CompleteWrites();

  // Outputs of the next cycle.
  out_.arready = ReadsInFlight() < config_.max_outstanding_reads && Chance(config_.ar_ready_prob);
  out_.awready =
      writes_in_flight_ < config_.max_outstanding_writes && Chance(config_.aw_ready_prob);
  out_.wready = Chance(config_.w_ready_prob);
  if (config_.read_bytes_per_cycle > 0) {
    read_tokens_ =
        std::min(read_tokens_ + config_.read_bytes_per_cycle, static_cast<double>(data_bytes_));
  }
  if (!out_.rvalid) NextReadBeat();
  if (!out_.bvalid) NextWriteResp();
}

void AxiMemory::Drive() {
  port_.arready.Set(out_.arready);
  port_.awready.Set(out_.awready);
  port_.wready.Set(out_.wready);
  port_.rvalid.Set(out_.rvalid);
  port_.rid.Set(out_.rid);
  port_.rresp.Set(static_cast<std::uint64_t>(out_.rresp));
  port_.rlast.Set(out_.rlast);
  port_.rdata.SetBytes(out_.rdata);
  port_.bvalid.Set(out_.bvalid);
  port_.bid.Set(out_.bid);
  port_.bresp.Set(static_cast<std::uint64_t>(out_.bresp));
}

void AxiMemory::Reset() {
  out_ = Outputs();
  out_.rdata.assign(data_bytes_, 0);
  prev_ar_pending_ = prev_aw_pending_ = prev_w_pending_ = false;
  reads_.clear();
  aws_.clear();
  w_beats_.clear();
  bresps_.clear();
  writes_in_flight_ = 0;
  read_tokens_ = 0;
}

}  // namespace npu::bus
