#include "tb/bus/axilite_master.h"

#include <stdexcept>
#include <string>
#include <utility>

namespace npu::bus {

AxiLiteMasterConfig AxiLiteMasterConfig::Ideal() {
  AxiLiteMasterConfig c;
  c.max_delay = 0;
  c.bready_prob = c.rready_prob = 1.0;
  return c;
}

AxiLiteMaster::AxiLiteMaster(const AxiLitePort& port, const AxiLiteMasterConfig& config)
    : port_(AxiLitePort::Finalize(port)), config_(config), rng_(config.seed) {
  if (config.max_delay < 0) throw std::invalid_argument("AxiLiteMasterConfig: max_delay < 0");
  if (!(config.bready_prob > 0 && config.bready_prob <= 1) ||
      !(config.rready_prob > 0 && config.rready_prob <= 1)) {
    throw std::invalid_argument("AxiLiteMasterConfig: ready probabilities must be in (0, 1]");
  }
}

std::shared_ptr<AxiLiteTransaction> AxiLiteMaster::SubmitWrite(std::uint32_t addr,
                                                               std::uint32_t data,
                                                               std::uint8_t strb) {
  auto t = std::make_shared<AxiLiteTransaction>();
  t->write = true;
  t->addr = addr;
  t->data = data;
  t->strb = strb;
  queue_.push_back(t);
  return t;
}

std::shared_ptr<AxiLiteTransaction> AxiLiteMaster::SubmitRead(std::uint32_t addr) {
  auto t = std::make_shared<AxiLiteTransaction>();
  t->addr = addr;
  queue_.push_back(t);
  return t;
}

void AxiLiteMaster::Fail(const std::string& channel, const std::string& what) const {
  throw std::runtime_error("AxiLiteMaster: cycle " + std::to_string(cycle_) + ": " + channel +
                           ": " + what);
}

int AxiLiteMaster::Delay() {
  if (config_.max_delay == 0) return 0;
  return static_cast<int>(rng_() % (static_cast<std::uint64_t>(config_.max_delay) + 1));
}

bool AxiLiteMaster::Chance(double p) {
  if (p >= 1.0) return true;
  return static_cast<double>(rng_() >> 11) * 0x1.0p-53 < p;
}

void AxiLiteMaster::Start() {
  current_ = std::move(queue_.front());
  queue_.pop_front();
  addr_delay_ = Delay();
  data_delay_ = current_->write ? Delay() : 0;
  addr_done_ = false;
  data_done_ = !current_->write;
}

void AxiLiteMaster::Sample() {
  ++cycle_;
  const bool awready = port_.awready.Get() != 0;
  const bool wready = port_.wready.Get() != 0;
  const bool arready = port_.arready.Get() != 0;
  const bool bvalid = port_.bvalid.Get() != 0;
  const bool rvalid = port_.rvalid.Get() != 0;
  const std::uint64_t bresp = port_.bresp.Get();
  const std::uint64_t rresp = port_.rresp.Get();
  const std::uint64_t rdata = port_.rdata.Get();

  // Slave-driven channels: valid and payload stable until ready.
  if (prev_b_pending_ && (!bvalid || bresp != prev_bresp_)) {
    Fail("B", "BVALID dropped or BRESP changed before BREADY");
  }
  if (prev_r_pending_ && (!rvalid || rresp != prev_rresp_ || rdata != prev_rdata_)) {
    Fail("R", "RVALID dropped or RDATA/RRESP changed before RREADY");
  }
  prev_b_pending_ = bvalid && !bready_;
  prev_r_pending_ = rvalid && !rready_;
  prev_bresp_ = bresp;
  prev_rresp_ = rresp;
  prev_rdata_ = rdata;

  const bool expect_b = current_ && current_->write;
  const bool expect_r = current_ && !current_->write && addr_done_;
  if (bvalid && !expect_b) Fail("B", "BVALID without an outstanding write");
  if (rvalid && !expect_r) Fail("R", "RVALID without an accepted read address");
  if (bvalid && (!addr_done_ || !data_done_)) {
    Fail("B", std::string("BVALID before ") + (!addr_done_ ? "AW" : "W") + " was accepted");
  }

  // Handshakes of the coming edge.
  bool finished = false;
  if (current_) {
    if (awvalid_ && awready) addr_done_ = true;
    if (arvalid_ && arready) addr_done_ = true;
    if (wvalid_ && wready) data_done_ = true;
    if (bvalid && bready_) {
      current_->resp = static_cast<Resp>(bresp & 3);
      finished = true;
    }
    if (rvalid && rready_) {
      current_->resp = static_cast<Resp>(rresp & 3);
      current_->data = static_cast<std::uint32_t>(rdata);
      finished = true;
    }
  }
  if (finished) {
    current_->done = true;
    current_.reset();
    ++completed_;
  }

  // Outputs of the next cycle.
  if (!current_ && !queue_.empty()) Start();
  awvalid_ = wvalid_ = arvalid_ = bready_ = rready_ = false;
  if (!current_) return;
  addr_ = current_->addr;
  wdata_ = current_->data;
  wstrb_ = current_->strb;
  if (!addr_done_) {
    if (addr_delay_ > 0) {
      --addr_delay_;
    } else {
      (current_->write ? awvalid_ : arvalid_) = true;
    }
  }
  if (!data_done_) {
    if (data_delay_ > 0) {
      --data_delay_;
    } else {
      wvalid_ = true;
    }
  }
  if (current_->write && addr_done_ && data_done_) bready_ = Chance(config_.bready_prob);
  if (!current_->write && addr_done_) rready_ = Chance(config_.rready_prob);
}

void AxiLiteMaster::Drive() {
  port_.awvalid.Set(awvalid_);
  port_.awaddr.Set(addr_);
  port_.wvalid.Set(wvalid_);
  port_.wdata.Set(wdata_);
  port_.wstrb.Set(wstrb_);
  port_.arvalid.Set(arvalid_);
  port_.araddr.Set(addr_);
  port_.bready.Set(bready_);
  port_.rready.Set(rready_);
}

void AxiLiteMaster::Reset() {
  queue_.clear();
  current_.reset();
  awvalid_ = wvalid_ = arvalid_ = bready_ = rready_ = false;
  prev_b_pending_ = prev_r_pending_ = false;
}

}  // namespace npu::bus
