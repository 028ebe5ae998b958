#include "tb/block/common/ram_port.h"

#include <stdexcept>
#include <utility>

#include "tb/sim/check.h"
#include "tb/sim/triggers.h"

namespace npu::block {

RamReadPort::RamReadPort(std::string name, const RamReadSignals& signals, size_t rows,
                         int row_bytes, const RamReadConfig& config)
    : name_(std::move(name)),
      sig_(signals),
      rows_(rows, std::vector<uint8_t>(static_cast<size_t>(row_bytes), 0)),
      config_(config),
      rng_(config.seed),
      junk_(static_cast<size_t>(row_bytes)) {
  if (!sig_.re.IsBound() || !sig_.addr.IsBound() || !sig_.data.IsBound()) {
    throw std::invalid_argument("RamReadPort " + name_ + ": re, addr and data must be bound");
  }
  if (sig_.data.ValueBytes() < row_bytes) {
    throw std::invalid_argument("RamReadPort " + name_ + ": data narrower than a row");
  }
}

bool RamReadPort::Chance(double p) {
  if (p >= 1.0) return true;
  return static_cast<double>(rng_() >> 11) * 0x1.0p-53 < p;
}

sim::Task<> RamReadPort::Run(sim::Clock& clk) {
  for (;;) {
    co_await sim::ReadOnly();
    const bool granted = !sig_.gnt.IsBound() || sig_.gnt.Get() != 0;
    pending_ = sig_.re.Get() != 0 && granted;
    if (pending_) {
      pending_row_ = static_cast<uint32_t>(sig_.addr.Get());
      NPU_CHECK(pending_row_ < rows_.size()) << name_ << ": read of row " << pending_row_ << " of "
                                             << rows_.size() << " in cycle " << clk.Cycles();
      ++read_count_;
      if (on_read_) on_read_(Read{pending_row_, clk.Cycles()});
    }
    co_await sim::RisingEdge(clk);
    if (pending_) {
      sig_.data.SetBytes(rows_[pending_row_]);
    } else if (config_.garbage && Chance(0.5)) {
      for (auto& b : junk_) b = static_cast<uint8_t>(rng_());
      sig_.data.SetBytes(junk_);
    }
    if (sig_.gnt.IsBound()) sig_.gnt.Set(Chance(config_.grant_prob) ? 1 : 0);
  }
}

}  // namespace npu::block
