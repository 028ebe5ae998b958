#include "tb/bus/axi_test_master.h"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

namespace npu::bus::testing {

AxiTestMaster::AxiTestMaster(const AxiPort& port, const AxiTestMasterConfig& config)
    : port_(AxiPort::Finalize(port)),
      config_(config),
      bytes_(static_cast<std::size_t>(port_.data_bytes)),
      rng_(config.seed) {}

bool AxiTestMaster::Chance(double p) { return static_cast<double>(rng_() >> 11) * 0x1.0p-53 < p; }

std::uint8_t AxiTestMaster::RefByte(std::uint32_t addr) const {
  auto it = ref_.find(addr);
  return it == ref_.end() ? 0 : it->second;
}

bool AxiTestMaster::Done() const {
  return issued_ == config_.num_transactions && ranges_.empty() && ar_q_.empty() && aw_q_.empty() &&
         w_q_.empty();
}

bool AxiTestMaster::Conflicts(std::uint64_t lo, std::uint64_t hi, bool write) const {
  for (const auto& [seq, r] : ranges_) {
    if ((write || r.write) && lo < r.hi && r.lo < hi) return true;
  }
  return false;
}

void AxiTestMaster::Generate() {
  if (issued_ == config_.num_transactions) return;
  if (static_cast<int>(ranges_.size()) >= config_.max_outstanding) return;
  const bool write = Chance(config_.write_fraction);
  std::uint32_t len = Chance(config_.long_burst_prob)
                          ? static_cast<std::uint32_t>(rng_() % 256) + 1
                          : static_cast<std::uint32_t>(rng_() % config_.max_len) + 1;
  const std::uint32_t beats_in_window = config_.window / static_cast<std::uint32_t>(bytes_);
  const std::uint32_t addr =
      config_.base + static_cast<std::uint32_t>(rng_() % beats_in_window * bytes_);
  const std::uint32_t room = static_cast<std::uint32_t>((4096 - addr % 4096) / bytes_);
  len = std::min(len, room);
  const std::uint64_t lo = addr, hi = addr + std::uint64_t{len} * bytes_;
  if (Conflicts(lo, hi, write)) return;

  const std::uint64_t seq = next_seq_++;
  ++issued_;
  ranges_[seq] = {lo, hi, write};
  if (!write) {
    const auto id = static_cast<std::uint32_t>(rng_() % config_.read_ids);
    ExpRead e{seq, len - 1, 0, std::vector<std::uint8_t>(hi - lo)};
    for (std::uint64_t i = 0; i < hi - lo; ++i)
      e.data[i] = RefByte(static_cast<std::uint32_t>(lo + i));
    exp_reads_[id].push_back(std::move(e));
    ar_q_.push_back({addr, len - 1, id, seq});
    reads_outstanding_.insert(seq);
    return;
  }
  const auto id = static_cast<std::uint32_t>(rng_() % config_.write_ids);
  const std::uint64_t lag = config_.max_aw_lag > 0 ? rng_() % (config_.max_aw_lag + 1) : 0;
  aw_q_.push_back({{addr, len - 1, id, seq}, cycle_ + lag});
  exp_writes_[id].push_back(seq);
  const int mode = Chance(config_.zero_strobe_prob)      ? 0
                   : Chance(config_.partial_strobe_prob) ? 1
                                                         : 2;
  for (std::uint32_t b = 0; b < len; ++b) {
    WBeat w{std::vector<std::uint8_t>(bytes_), std::vector<std::uint8_t>((bytes_ + 7) / 8),
            b + 1 == len, write_bursts_};
    for (std::size_t i = 0; i < bytes_; ++i) {
      w.data[i] = static_cast<std::uint8_t>(rng_());
      const bool en = mode == 2 || (mode == 1 && (rng_() & 1) != 0);
      if (en) {
        w.strb[i / 8] |= static_cast<std::uint8_t>(1u << (i % 8));
        ref_[static_cast<std::uint32_t>(addr + b * bytes_ + i)] = w.data[i];
      }
    }
    w_q_.push_back(std::move(w));
  }
  ++write_bursts_;
}

void AxiTestMaster::Sample() {
  ++cycle_;
  const bool arready = port_.arready.Get() != 0;
  const bool awready = port_.awready.Get() != 0;
  const bool wready = port_.wready.Get() != 0;
  const bool rvalid = port_.rvalid.Get() != 0;
  const bool bvalid = port_.bvalid.Get() != 0;
  const std::string where = "AxiTestMaster: cycle " + std::to_string(cycle_) + ": ";

  if (arvalid_ && arready) ar_q_.pop_front();
  if (awvalid_ && awready) {
    aw_q_.pop_front();
    ++aw_sent_;
  }
  if (wvalid_ && wready) {
    if (w_q_.front().burst >= aw_sent_ - (awvalid_ && awready ? 1 : 0)) ++early_w_beats_;
    w_q_.pop_front();
  }
  if (rvalid && rready_) {
    const auto id = static_cast<std::uint32_t>(port_.rid.Get());
    auto it = exp_reads_.find(id);
    if (it == exp_reads_.end() || it->second.empty()) {
      throw std::runtime_error(where + "R beat with RID " + std::to_string(id) +
                               " and no read outstanding");
    }
    ExpRead& e = it->second.front();
    if (port_.rresp.Get() != 0) {
      throw std::runtime_error(where + "RRESP " + std::to_string(port_.rresp.Get()));
    }
    std::vector<std::uint8_t> data(bytes_);
    port_.rdata.GetBytes(data);
    if (!std::equal(data.begin(), data.end(), e.data.begin() + e.beat * bytes_)) {
      throw std::runtime_error(where + "RDATA mismatch on beat " + std::to_string(e.beat) +
                               " of read seq " + std::to_string(e.seq));
    }
    const bool last = e.beat == e.len;
    if ((port_.rlast.Get() != 0) != last) {
      throw std::runtime_error(where + "RLAST wrong on beat " + std::to_string(e.beat));
    }
    if (e.seq != *reads_outstanding_.begin()) ++reordered_beats_;
    if (!last_r_was_last_ && static_cast<std::int64_t>(e.seq) != last_r_seq_) ++interleavings_;
    last_r_seq_ = static_cast<std::int64_t>(e.seq);
    last_r_was_last_ = last;
    ++e.beat;
    if (last) {
      reads_outstanding_.erase(e.seq);
      ranges_.erase(e.seq);
      it->second.pop_front();
      ++reads_done_;
    }
  }
  if (bvalid && bready_) {
    const auto id = static_cast<std::uint32_t>(port_.bid.Get());
    auto it = exp_writes_.find(id);
    if (it == exp_writes_.end() || it->second.empty()) {
      throw std::runtime_error(where + "B with BID " + std::to_string(id) +
                               " and no write outstanding");
    }
    if (port_.bresp.Get() != 0) {
      throw std::runtime_error(where + "BRESP " + std::to_string(port_.bresp.Get()));
    }
    ranges_.erase(it->second.front());
    it->second.pop_front();
    ++writes_done_;
  }

  if (Chance(0.5)) Generate();

  // Valid stays up until accepted; otherwise raised at random.
  if (!(arvalid_ && !arready)) arvalid_ = !ar_q_.empty() && Chance(config_.valid_prob);
  if (!(awvalid_ && !awready)) {
    awvalid_ = !aw_q_.empty() && aw_q_.front().second <= cycle_ && Chance(config_.valid_prob);
  }
  if (!(wvalid_ && !wready)) wvalid_ = !w_q_.empty() && Chance(config_.valid_prob);
  rready_ = Chance(config_.ready_prob);
  bready_ = Chance(config_.ready_prob);
}

void AxiTestMaster::Drive() {
  port_.arvalid.Set(arvalid_);
  if (arvalid_) {
    const Addr& a = ar_q_.front();
    port_.araddr.Set(a.addr);
    port_.arlen.Set(a.len);
    port_.arid.Set(a.id);
  }
  port_.arsize.Set(static_cast<std::uint64_t>(std::countr_zero(bytes_)));
  port_.arburst.Set(1);
  port_.awvalid.Set(awvalid_);
  if (awvalid_) {
    const Addr& a = aw_q_.front().first;
    port_.awaddr.Set(a.addr);
    port_.awlen.Set(a.len);
    port_.awid.Set(a.id);
  }
  port_.awsize.Set(static_cast<std::uint64_t>(std::countr_zero(bytes_)));
  port_.awburst.Set(1);
  port_.wvalid.Set(wvalid_);
  if (wvalid_) {
    port_.wdata.SetBytes(w_q_.front().data);
    port_.wstrb.SetBytes(w_q_.front().strb);
    port_.wlast.Set(w_q_.front().last);
  }
  port_.rready.Set(rready_);
  port_.bready.Set(bready_);
}

}  // namespace npu::bus::testing
