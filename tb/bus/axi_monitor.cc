#include "tb/bus/axi_monitor.h"

#include <algorithm>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

namespace npu::bus {

AxiMonitor::AxiMonitor(const AxiPort& port, std::string name)
    : port_(AxiPort::Finalize(port)), name_(std::move(name)) {
  const AxiPort& p = port_;
  ar_ = {"AR",  p.arvalid, p.arready, {p.araddr, p.arlen, p.arsize, p.arburst, p.arid},
         false, {},        {}};
  aw_ = {"AW",  p.awvalid, p.awready, {p.awaddr, p.awlen, p.awsize, p.awburst, p.awid},
         false, {},        {}};
  w_ = {"W", p.wvalid, p.wready, {p.wdata, p.wstrb, p.wlast}, false, {}, {}};
  r_ = {"R", p.rvalid, p.rready, {p.rdata, p.rresp, p.rlast, p.rid}, false, {}, {}};
  b_ = {"B", p.bvalid, p.bready, {p.bresp, p.bid}, false, {}, {}};
}

void AxiMonitor::Fail(const char* channel, const std::string& what) const {
  throw std::runtime_error(name_ + ": cycle " + std::to_string(cycle_) + ": " + channel + ": " +
                           what);
}

bool AxiMonitor::Check(Channel& ch) {
  const bool valid = ch.valid.Get() != 0;
  const bool ready = ch.ready.Get() != 0;
  if (valid || ch.pending) {
    std::vector<std::uint8_t>& now = ch.now;
    now.clear();
    for (const SignalRef& s : ch.payload) {
      const std::size_t at = now.size(), n = static_cast<std::size_t>(s.ValueBytes());
      now.resize(at + n);
      s.GetBytes(std::span(now).subspan(at, n));
    }
    if (ch.pending) {
      if (!valid) Fail(ch.name, std::string(ch.name) + "VALID dropped before " + ch.name + "READY");
      if (now != ch.last)
        Fail(ch.name,
             std::string("payload changed while ") + ch.name + "VALID && !" + ch.name + "READY");
    }
    std::swap(ch.last, now);  // both keep their capacity
  }
  ch.pending = valid && !ready;
  return valid && ready;
}

void AxiMonitor::Sample() {
  ++cycle_;
  const bool ar = Check(ar_);
  const bool aw = Check(aw_);
  const bool w = Check(w_);
  const bool r = Check(r_);
  const bool b = Check(b_);

  // Responses first: they refer to requests accepted at earlier edges.
  if (r) {
    ++stats_.r;
    const auto id = static_cast<std::uint32_t>(port_.rid.Get());
    auto it = reads_.find(id);
    if (it == reads_.end() || it->second.empty()) {
      Fail("R", "RID " + std::to_string(id) + " has no read outstanding");
    }
    std::uint32_t& left = it->second.front();
    const bool last = port_.rlast.Get() != 0;
    if (last != (left == 0)) {
      Fail("R", std::string("RLAST=") + (last ? "1" : "0") + " with " + std::to_string(left) +
                    " beats left in the burst of RID " + std::to_string(id));
    }
    if (port_.rresp.Get() != 0) ++stats_.error_responses;
    if (last) {
      it->second.pop_front();
      --reads_in_flight_;
      ++stats_.reads_done;
    } else {
      --left;
    }
  }
  if (b) {
    ++stats_.b;
    const auto id = static_cast<std::uint32_t>(port_.bid.Get());
    auto it =
        std::find_if(writes_.begin(), writes_.end(), [id](const Write& wr) { return wr.id == id; });
    if (it == writes_.end()) Fail("B", "BID " + std::to_string(id) + " has no write outstanding");
    if (it->index >= w_bursts_done_) {
      Fail("B", "response for BID " + std::to_string(id) + " before its last W beat");
    }
    if (port_.bresp.Get() != 0) ++stats_.error_responses;
    writes_.erase(it);
  }
  if (ar) {
    ++stats_.ar;
    reads_[static_cast<std::uint32_t>(port_.arid.Get())].push_back(
        static_cast<std::uint32_t>(port_.arlen.Get()));
    stats_.max_reads_in_flight = std::max(stats_.max_reads_in_flight, ++reads_in_flight_);
  }
  if (aw) {
    ++stats_.aw;
    const auto len = static_cast<std::uint32_t>(port_.awlen.Get());
    writes_.push_back({static_cast<std::uint32_t>(port_.awid.Get()), len, aw_count_++});
    aw_lens_.push_back(len);
    stats_.max_writes_in_flight =
        std::max(stats_.max_writes_in_flight, static_cast<int>(writes_.size()));
  }
  if (w) {
    ++stats_.w;
    const bool last = port_.wlast.Get() != 0;
    // Bursts [0, aw_count_) have their AW; W beats belong to burst w_bursts_done_.
    if (w_bursts_done_ >= aw_count_) ++stats_.w_before_aw;
    if (w_bursts_done_ < aw_count_ && !aw_lens_.empty()) {
      const std::uint32_t len = aw_lens_.front();
      if (last != (w_beat_ == len)) {
        Fail("W", std::string("WLAST=") + (last ? "1" : "0") + " on beat " +
                      std::to_string(w_beat_) + " of a burst with AWLEN=" + std::to_string(len));
      }
    }
    if (last) {
      if (!aw_lens_.empty() && w_bursts_done_ < aw_count_) {
        aw_lens_.pop_front();
      } else {
        ++early_w_lasts_;
      }
      ++w_bursts_done_;
      w_beat_ = 0;
    } else {
      ++w_beat_;
    }
  }
  // AWs that arrived after their W bursts completed need no length check.
  while (early_w_lasts_ > 0 && !aw_lens_.empty()) {
    aw_lens_.pop_front();
    --early_w_lasts_;
  }
}

void AxiMonitor::Reset() {
  for (Channel* ch : {&ar_, &aw_, &w_, &r_, &b_}) ch->pending = false;
  reads_.clear();
  reads_in_flight_ = 0;
  writes_.clear();
  aw_lens_.clear();
  aw_count_ = w_bursts_done_ = early_w_lasts_ = 0;
  w_beat_ = 0;
}

bool AxiMonitor::Idle() const {
  return reads_in_flight_ == 0 && writes_.empty() && w_bursts_done_ <= aw_count_ && w_beat_ == 0;
}

}  // namespace npu::bus
