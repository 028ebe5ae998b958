// The generated ISA header: every instruction struct encodes and decodes
// every field of its generated field table at the table's bit positions, the
// token-graph tables are consistent, and out-of-range values are rejected.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "sw/gen/npu_isa.h"

namespace npu::isa {
namespace {

/// Values at the ends of a field's range (raw bit patterns).
std::vector<uint32_t> Extremes(const FieldInfo& f) {
  const uint32_t all = f.width == 32 ? 0xffffffffu : (uint32_t{1} << f.width) - 1;
  std::vector<uint32_t> v = {0, 1, all, all >> 1};
  if (f.is_signed) v.push_back(uint32_t{1} << (f.width - 1));  // the most negative value
  return v;
}

/// For every field of Instr's table: a word with only that field set decodes
/// into a struct that encodes back to the same word (so the struct member and
/// the table agree on the position), and no other bit moves.
template <typename Instr>
void CheckRoundTrips() {
  const Word base = Instr{}.Encode();
  EXPECT_EQ(OpcodeOf(base), static_cast<uint32_t>(Instr::kOpcode));
  for (const FieldInfo& f : Instr::Fields()) {
    for (uint32_t v : Extremes(f)) {
      SCOPED_TRACE(std::string(f.name) + " = " + std::to_string(v));
      Word w = base;
      SetField(w, f.lsb, f.width, v, "test");
      const Instr in = Instr::Decode(w);
      EXPECT_EQ(in.Encode(), w);
      EXPECT_EQ(GetField(in.Encode(), f.lsb, f.width), v);
    }
  }
  // The dependency masks.
  for (uint32_t m = 0; m < (1u << kDepBits); ++m) {
    Instr in;
    in.deps = {m, (1u << kDepBits) - 1 - m};
    EXPECT_EQ(DepsOf(in.Encode()), in.deps);
    EXPECT_EQ(Instr::Decode(in.Encode()), in);
  }
}

/// The fields of a table do not overlap each other or the common fields.
void CheckLayout(const InstrInfo& info) {
  std::vector<bool> used(kInstrBits, false);
  for (int b = 0; b < field::kSignalMaskLsb + field::kSignalMaskWidth; ++b) used[b] = true;
  for (const FieldInfo& f : info.fields) {
    ASSERT_LE(f.lsb + f.width, kInstrBits) << info.name << "." << f.name;
    for (int b = f.lsb; b < f.lsb + f.width; ++b) {
      EXPECT_FALSE(used[b]) << info.name << "." << f.name << " bit " << b;
      used[b] = true;
    }
  }
}

TEST(IsaEncodingTest, EveryInstructionRoundTripsEveryField) {
  std::apply([](auto... instr) { (CheckRoundTrips<decltype(instr)>(), ...); }, InstrTypes{});
  for (const InstrInfo& info : kInstrs) CheckLayout(info);
}

TEST(IsaEncodingTest, OutOfRangeThrowsNamingField) {
  LoadInstr l;
  l.sy = 8;
  try {
    l.Encode();
    ADD_FAILURE() << "no exception";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("load.sy"), std::string::npos) << e.what();
  }
  l = {};
  l.y0 = -32769;
  EXPECT_THROW(l.Encode(), std::out_of_range);
  l = {};
  l.deps.wait = 1u << kDepBits;
  EXPECT_THROW(l.Encode(), std::out_of_range);
  StoreInstr s;
  s.act_max = 128;
  EXPECT_THROW(s.Encode(), std::out_of_range);
}

TEST(IsaEncodingTest, OpcodesAndUnits) {
  for (const InstrInfo& info : kInstrs) {
    EXPECT_EQ(UnitOf(static_cast<uint32_t>(info.opcode)), info.unit);
    EXPECT_EQ(FindInstr(static_cast<uint32_t>(info.opcode)), &info);
  }
  EXPECT_THROW(UnitOf(0), std::invalid_argument);
  EXPECT_THROW(UnitOf(15), std::invalid_argument);
  EXPECT_FALSE(TryUnitOf(0).has_value());
  EXPECT_EQ(FindInstr(0), nullptr);
}

TEST(IsaEncodingTest, TokenGraphTablesAgree) {
  // Every queue appears exactly once among its consumer's wait bits and its
  // producer's signal bits, and WaitFrom / SignalTo find it there.
  for (int q = 0; q < kNumQueues; ++q) {
    const QueueInfo& info = kQueues[q];
    int in = 0, out = 0;
    for (int i = 0; i < kDepBits; ++i) {
      in += kInQueue[static_cast<int>(info.to)][i] == q;
      out += kOutQueue[static_cast<int>(info.from)][i] == q;
    }
    EXPECT_EQ(in, 1) << info.name;
    EXPECT_EQ(out, 1) << info.name;
    EXPECT_NE(WaitFrom(info.to, info.from), 0u) << info.name;
    EXPECT_NE(SignalTo(info.from, info.to), 0u) << info.name;
    EXPECT_EQ(std::string(info.name),
              std::string(UnitName(info.from)) + "_to_" + std::string(UnitName(info.to)));
  }
  EXPECT_EQ(WaitFrom(Unit::kLoad, Unit::kLoad), 0u);
  EXPECT_EQ(LoadInstr::kWaitCompute, WaitFrom(Unit::kLoad, Unit::kCompute));
  EXPECT_EQ(ComputeInstr::kSignalStore, SignalTo(Unit::kCompute, Unit::kStore));
}

}  // namespace
}  // namespace npu::isa
