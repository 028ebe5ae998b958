#include "tb/dut/lock_step.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "sw/isa/disasm.h"
#include "tb/bus/axi_port.h"
#include "tb/dut/npu_harness.h"

namespace npu::dut {
namespace {

// An int32 lane vector as bytes, least significant first (as the RTL holds it).
std::vector<uint8_t> LaneBytes(std::span<const int32_t> lanes) {
  std::vector<uint8_t> b(lanes.size() * 4);
  for (size_t i = 0; i < lanes.size(); ++i) {
    const auto u = static_cast<uint32_t>(lanes[i]);
    for (int k = 0; k < 4; ++k) b[4 * i + k] = static_cast<uint8_t>(u >> (8 * k));
  }
  return b;
}

}  // namespace

LockStep::LockStep(const HwConfig& config, std::span<const isa::Word> program)
    : dim_(config.dim), program_(program.begin(), program.end()) {}

void LockStep::Push(Key key, uint32_t pc, std::vector<uint8_t> bytes, std::vector<uint8_t> mask) {
  expect_[key].push_back(Expect{pc, std::move(bytes), std::move(mask)});
}

void LockStep::Start(uint32_t pc, isa::Unit unit) {
  Push({Kind::kStart, static_cast<uint32_t>(unit)}, pc, {});
}

void LockStep::SpadWrite(uint32_t pc, iss::Spad spad, uint32_t row, std::span<const int8_t> data) {
  const auto kind = static_cast<Kind>(static_cast<int>(Kind::kSpadA) + static_cast<int>(spad));
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  Push({kind, row}, pc, std::vector<uint8_t>(p, p + data.size()));
}

void LockStep::AccWrite(uint32_t pc, isa::Unit unit, uint32_t row, std::span<const int32_t> data) {
  Push({unit == isa::Unit::kCompute ? Kind::kAccCompute : Kind::kAccWindow, row}, pc,
       LaneBytes(data));
}

void LockStep::MemWrite(uint32_t pc, uint32_t addr, std::span<const uint8_t> data) {
  for (size_t off = 0; off < data.size(); off += dim_) {
    const auto beat = data.subspan(off, std::min<size_t>(dim_, data.size() - off));
    Push({Kind::kMem, addr + static_cast<uint32_t>(off)}, pc,
         std::vector<uint8_t>(beat.begin(), beat.end()), std::vector<uint8_t>(beat.size(), true));
  }
}

std::string LockStep::Instr(uint32_t pc) const {
  if (pc >= program_.size()) return fmt::format("instruction at pc {}", pc);
  const isa::Word& w = program_[pc];
  const auto unit = isa::TryUnitOf(isa::OpcodeOf(w));
  return fmt::format("{} at pc {} ({})", unit ? isa::UnitName(*unit) : "instruction", pc,
                     isa::Disassemble(w));
}

std::string LockStep::Where(Key key) const {
  switch (key.kind) {
    case Kind::kSpadA:
    case Kind::kSpadB:
    case Kind::kSpadP:
      return fmt::format("scratchpad {} row {}",
                         "ABP"[static_cast<int>(key.kind) - static_cast<int>(Kind::kSpadA)],
                         key.index);
    case Kind::kAccCompute:
      return fmt::format("accumulator row {} (compute unit)", key.index);
    case Kind::kAccWindow:
      return fmt::format("accumulator row {} (window unit)", key.index);
    case Kind::kMem:
      return fmt::format("memory beat 0x{:08x} (store unit)", key.index);
    case Kind::kStart:
      break;
  }
  return fmt::format("the {} unit's next instruction",
                     isa::UnitName(static_cast<isa::Unit>(key.index)));
}

namespace {

// Bytes as the values they hold: int32 lanes of an accumulator row, int8
// lanes of a scratchpad row, bytes of a memory beat (`-` where not written).
std::string Show(bool acc, std::span<const uint8_t> b, std::span<const uint8_t> mask) {
  std::string s = "[";
  if (acc) {
    for (size_t i = 0; i + 4 <= b.size(); i += 4) {
      uint32_t u = 0;
      for (int k = 0; k < 4; ++k) u |= uint32_t{b[i + k]} << (8 * k);
      s += fmt::format("{}{}", i ? " " : "", static_cast<int32_t>(u));
    }
  } else {
    for (size_t i = 0; i < b.size(); ++i) {
      if (!mask.empty() && !mask[i]) {
        s += i ? " -" : "-";
      } else {
        s += fmt::format("{}{}", i ? " " : "", static_cast<int8_t>(b[i]));
      }
    }
  }
  return s + "]";
}

}  // namespace

void LockStep::Check(Key key, std::span<const uint8_t> bytes, std::span<const uint8_t> mask,
                     uint64_t cycle) {
  const bool acc = key.kind == Kind::kAccCompute || key.kind == Kind::kAccWindow;
  auto it = expect_.find(key);
  if (key.kind == Kind::kStart) {
    uint32_t pc = 0;
    std::memcpy(&pc, bytes.data(), sizeof pc);
    if (it == expect_.end() || it->second.empty()) {
      departure_ = fmt::format("cycle {}: the {} unit took {}, which the ISS never started there",
                               cycle, isa::UnitName(static_cast<isa::Unit>(key.index)), Instr(pc));
    } else if (it->second.front().pc != pc) {
      departure_ = fmt::format("cycle {}: the {} unit took {}; the ISS started {} next on it",
                               cycle, isa::UnitName(static_cast<isa::Unit>(key.index)), Instr(pc),
                               Instr(it->second.front().pc));
    } else {
      it->second.pop_front();
      ++matched_;
    }
    return;
  }
  if (it == expect_.end() || it->second.empty()) {
    departure_ = fmt::format("cycle {}: the RTL wrote {} = {}, which the ISS never wrote (again)",
                             cycle, Where(key), Show(acc, bytes, mask));
    return;
  }
  const Expect& e = it->second.front();
  const bool same_mask = mask.empty() || std::ranges::equal(mask, e.mask);
  bool same = same_mask && bytes.size() == e.bytes.size();
  for (size_t i = 0; same && i < bytes.size(); ++i) {
    if ((mask.empty() || mask[i]) && bytes[i] != e.bytes[i]) same = false;
  }
  if (!same) {
    departure_ =
        fmt::format("cycle {}: the RTL wrote {} = {}; the ISS's {} wrote {}", cycle, Where(key),
                    Show(acc, bytes, mask), Instr(e.pc), Show(acc, e.bytes, e.mask));
    return;
  }
  it->second.pop_front();
  ++matched_;
}

sim::Task<> LockStep::Watch(NpuHarness& h) {
  const CoreProbes& p = h.Model().Probes();
  const bus::AxiPort port = h.Model().MemPort();
  struct Burst {
    uint32_t addr, beats, done;
  };
  struct Beat {
    std::vector<uint8_t> data;
    std::vector<uint8_t> mask;
  };
  std::deque<Burst> bursts;  // AW accepted, beats still to match
  std::deque<Beat> beats;    // W beats whose AW is not known yet
  std::vector<uint8_t> pcs(p.q_pc.ValueBytes()), row(p.sp_wdata.ValueBytes()),
      acc(p.acc_cmp_wdata.ValueBytes()), win(p.acc_win_wdata.ValueBytes()),
      wdata(port.wdata.ValueBytes());
  for (;;) {
    co_await sim::ReadOnly();
    if (departure_.empty()) {
      const uint64_t cycle = h.Cycles();
      // Instructions the units take.
      if (const uint64_t taken = p.q_valid.Get() & p.q_ready.Get()) {
        p.q_pc.GetBytes(pcs);
        for (int u = 0; u < isa::kNumUnits && departure_.empty(); ++u) {
          if (taken >> u & 1) {
            Check({Kind::kStart, uint32_t(u)}, std::span(pcs).subspan(4 * u, 4), {}, cycle);
          }
        }
      }
      // The load unit's scratchpad write (one-hot A, B, P).
      if (const uint64_t we = p.sp_we.Get(); we != 0 && departure_.empty()) {
        p.sp_wdata.GetBytes(row);
        const auto kind = static_cast<Kind>(static_cast<int>(Kind::kSpadA) + std::countr_zero(we));
        Check({kind, uint32_t(p.sp_waddr.Get())}, std::span(row).first(dim_), {}, cycle);
      }
      // Accumulator rows the compute unit and the window unit write.
      if (p.acc_cmp_we.Get() && departure_.empty()) {
        p.acc_cmp_wdata.GetBytes(acc);
        Check({Kind::kAccCompute, uint32_t(p.acc_cmp_waddr.Get())}, std::span(acc).first(4 * dim_),
              {}, cycle);
      }
      if (p.acc_win_we.Get() && p.acc_win_gnt.Get() && departure_.empty()) {
        p.acc_win_wdata.GetBytes(win);
        Check({Kind::kAccWindow, uint32_t(p.acc_win_waddr.Get())}, std::span(win).first(4 * dim_),
              {}, cycle);
      }
      // The store unit's memory writes: AW and W handshakes paired in order
      // (a W beat may come before its AW); a beat without strobes writes
      // nothing.
      if (port.awvalid.Get() && port.awready.Get()) {
        bursts.push_back(Burst{uint32_t(port.awaddr.Get()), uint32_t(port.awlen.Get()) + 1, 0});
      }
      if (port.wvalid.Get() && port.wready.Get()) {
        port.wdata.GetBytes(wdata);
        const uint64_t strb = port.wstrb.Get();
        Beat b{std::vector<uint8_t>(wdata.begin(), wdata.begin() + dim_),
               std::vector<uint8_t>(dim_)};
        for (uint32_t i = 0; i < dim_; ++i) b.mask[i] = (strb >> i & 1) != 0;
        beats.push_back(std::move(b));
      }
      while (!bursts.empty() && !beats.empty() && departure_.empty()) {
        Burst& burst = bursts.front();
        const Beat& b = beats.front();
        if (std::ranges::any_of(b.mask, [](uint8_t m) { return m != 0; })) {
          Check({Kind::kMem, burst.addr + burst.done * dim_}, b.data, b.mask, cycle);
        }
        beats.pop_front();
        if (++burst.done == burst.beats) bursts.pop_front();
      }
    }
    co_await sim::RisingEdge(h.Clock());
  }
}

std::string LockStep::Verdict(bool complete) const {
  if (!departure_.empty() || !complete) return departure_;
  // The missing write of the lowest pc: the first the RTL left out.
  const std::pair<const Key, std::deque<Expect>>* first = nullptr;
  for (const auto& kv : expect_) {
    if (kv.second.empty()) continue;
    if (first == nullptr || kv.second.front().pc < first->second.front().pc) first = &kv;
  }
  if (first == nullptr) return {};
  const Expect& e = first->second.front();
  const Key key = first->first;
  if (key.kind == Kind::kStart) {
    return fmt::format("the ISS started {}; the {} unit never took it", Instr(e.pc),
                       isa::UnitName(static_cast<isa::Unit>(key.index)));
  }
  return fmt::format(
      "the ISS's {} wrote {} = {}; the RTL never did ({} more such)", Instr(e.pc), Where(key),
      Show(key.kind == Kind::kAccCompute || key.kind == Kind::kAccWindow, e.bytes, e.mask),
      first->second.size() - 1);
}

}  // namespace npu::dut
