// Encode/decode round trips of every field of the generated ISA header.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sw/gen/npu_isa.h"

namespace npu::isa {
namespace {

/// One field: where it sits and how to set it in the decoded struct.
template <typename Instr>
struct FieldCase {
  std::string name;  // as named in the encoder's error message
  int lsb;
  int width;
  bool is_signed;
  std::function<void(Instr&, int64_t)> set;
};

template <typename Instr>
std::vector<int64_t> Extremes(const FieldCase<Instr>& f) {
  if (f.is_signed) {
    const int64_t lo = -(int64_t{1} << (f.width - 1)), hi = (int64_t{1} << (f.width - 1)) - 1;
    return {lo, -1, 0, 1, hi};
  }
  const int64_t hi = (int64_t{1} << f.width) - 1;
  return {0, 1, hi};
}

/// Sets one field to each extreme, checks the raw bits, that no other bit
/// moved, and that decoding gives the struct back.
template <typename Instr>
void CheckRoundTrips(const std::vector<FieldCase<Instr>>& fields) {
  const Word base = Instr{}.Encode();
  for (const auto& f : fields) {
    for (int64_t v : Extremes(f)) {
      SCOPED_TRACE(f.name + " = " + std::to_string(v));
      Instr in;
      f.set(in, v);
      const Word w = in.Encode();
      EXPECT_EQ(OpcodeOf(w), static_cast<uint32_t>(Instr::kOpcode));
      const uint64_t mask = f.width == 32 ? 0xffffffffu : (uint64_t{1} << f.width) - 1;
      EXPECT_EQ(GetField(w, f.lsb, f.width), static_cast<uint64_t>(v) & mask);
      if (f.is_signed) {
        EXPECT_EQ(GetSignedField(w, f.lsb, f.width), v);
      }
      // Every bit outside the field is as in the all-default encoding.
      Word other = w;
      SetField(other, f.lsb, f.width, GetField(base, f.lsb, f.width), "x");
      EXPECT_EQ(other, base);
      EXPECT_EQ(Instr::Decode(w), in);
    }
  }
}

/// Values one past either end throw std::out_of_range naming the field.
template <typename Instr>
void CheckOutOfRange(const std::vector<FieldCase<Instr>>& fields) {
  for (const auto& f : fields) {
    if (f.width == 32) continue;  // a uint32_t member cannot overflow
    if (f.lsb < 8) continue;      // the dependency flags are bools
    std::vector<int64_t> bad;
    if (f.is_signed) {
      bad = {-(int64_t{1} << (f.width - 1)) - 1, int64_t{1} << (f.width - 1)};
    } else {
      bad = {int64_t{1} << f.width};
    }
    for (int64_t v : bad) {
      SCOPED_TRACE(f.name + " = " + std::to_string(v));
      Instr in;
      f.set(in, v);
      try {
        in.Encode();
        ADD_FAILURE() << "no exception";
      } catch (const std::out_of_range& e) {
        EXPECT_NE(std::string(e.what()).find(f.name), std::string::npos) << e.what();
      }
    }
  }
}

template <typename Instr>
std::vector<FieldCase<Instr>> DepsFields() {
  return {
      {"wait_prev", 4, 1, false, [](Instr& i, int64_t v) { i.deps.wait_prev = v != 0; }},
      {"wait_next", 5, 1, false, [](Instr& i, int64_t v) { i.deps.wait_next = v != 0; }},
      {"signal_prev", 6, 1, false, [](Instr& i, int64_t v) { i.deps.signal_prev = v != 0; }},
      {"signal_next", 7, 1, false, [](Instr& i, int64_t v) { i.deps.signal_next = v != 0; }},
  };
}

#define NPU_U(instr, field, lsb, width)                                                         \
  FieldCase<instr> {                                                                            \
#field, lsb, width, false, [](instr & i, int64_t v) { i.field = static_cast<uint32_t>(v); } \
  }
#define NPU_S(instr, field, lsb, width)                                                       \
  FieldCase<instr> {                                                                          \
#field, lsb, width, true, [](instr & i, int64_t v) { i.field = static_cast<int32_t>(v); } \
  }

std::vector<FieldCase<LoadInstr>> LoadFields() {
  auto f = DepsFields<LoadInstr>();
  const std::vector<FieldCase<LoadInstr>> own = {
      NPU_U(LoadInstr, spad, 8, 2),
      NPU_U(LoadInstr, sy, 10, 3),
      NPU_U(LoadInstr, sx, 13, 3),
      NPU_S(LoadInstr, pad, 16, 8),
      NPU_U(LoadInstr, nc, 24, 8),
      NPU_U(LoadInstr, src_addr, 32, 32),
      NPU_U(LoadInstr, src_c_stride, 64, 32),
      NPU_U(LoadInstr, src_row_stride, 96, 32),
      NPU_U(LoadInstr, dst_row, 128, 16),
      NPU_U(LoadInstr, dst_c_stride, 144, 16),
      NPU_U(LoadInstr, h, 160, 16),
      NPU_U(LoadInstr, w, 176, 16),
      NPU_S(LoadInstr, y0, 192, 16),
      NPU_S(LoadInstr, x0, 208, 16),
      NPU_U(LoadInstr, ny, 224, 16),
      NPU_U(LoadInstr, nx, 240, 16),
  };
  f.insert(f.end(), own.begin(), own.end());
  return f;
}

std::vector<FieldCase<ComputeInstr>> ComputeFields() {
  auto f = DepsFields<ComputeInstr>();
  const std::vector<FieldCase<ComputeInstr>> own = {
      NPU_U(ComputeInstr, accumulate, 8, 1),    NPU_U(ComputeInstr, a_row, 32, 16),
      NPU_U(ComputeInstr, b_row, 48, 16),       NPU_U(ComputeInstr, acc_row, 64, 16),
      NPU_U(ComputeInstr, m, 80, 16),           NPU_U(ComputeInstr, nk, 96, 16),
      NPU_U(ComputeInstr, a_k_stride, 112, 16),
  };
  f.insert(f.end(), own.begin(), own.end());
  return f;
}

std::vector<FieldCase<StoreInstr>> StoreFields() {
  auto f = DepsFields<StoreInstr>();
  const std::vector<FieldCase<StoreInstr>> own = {
      NPU_S(StoreInstr, out_zp, 8, 8),
      NPU_S(StoreInstr, act_min, 16, 8),
      NPU_S(StoreInstr, act_max, 24, 8),
      NPU_U(StoreInstr, dst_addr, 32, 32),
      NPU_U(StoreInstr, dst_row_stride, 64, 32),
      NPU_U(StoreInstr, acc_row, 96, 16),
      NPU_U(StoreInstr, p_row, 112, 16),
      NPU_U(StoreInstr, ny, 128, 16),
      NPU_U(StoreInstr, nx, 144, 16),
  };
  f.insert(f.end(), own.begin(), own.end());
  return f;
}

#undef NPU_U
#undef NPU_S

TEST(IsaEncodingTest, LoadRoundTripsEveryField) { CheckRoundTrips(LoadFields()); }
TEST(IsaEncodingTest, ComputeRoundTripsEveryField) { CheckRoundTrips(ComputeFields()); }
TEST(IsaEncodingTest, StoreRoundTripsEveryField) { CheckRoundTrips(StoreFields()); }

TEST(IsaEncodingTest, LoadOutOfRangeThrowsNamingField) { CheckOutOfRange(LoadFields()); }
TEST(IsaEncodingTest, ComputeOutOfRangeThrowsNamingField) { CheckOutOfRange(ComputeFields()); }
TEST(IsaEncodingTest, StoreOutOfRangeThrowsNamingField) { CheckOutOfRange(StoreFields()); }

TEST(IsaEncodingTest, AllFieldsAtOnceRoundTrip) {
  LoadInstr l;
  l.deps = {false, true, false, true};
  l.spad = 2, l.sy = 7, l.sx = 3, l.pad = -128, l.nc = 255, l.src_addr = 0xdeadbee0;
  l.src_c_stride = 0xffffffff, l.src_row_stride = 0x12345678, l.dst_row = 65535;
  l.dst_c_stride = 1, l.h = 300, l.w = 65535, l.y0 = -32768, l.x0 = 32767, l.ny = 9, l.nx = 1;
  EXPECT_EQ(LoadInstr::Decode(l.Encode()), l);

  ComputeInstr c;
  c.deps = {true, true, true, true};
  c.accumulate = 1, c.a_row = 65535, c.b_row = 1, c.acc_row = 2047, c.m = 3, c.nk = 65535;
  c.a_k_stride = 12345;
  EXPECT_EQ(ComputeInstr::Decode(c.Encode()), c);

  StoreInstr s;
  s.deps = {true, false, true, false};
  s.out_zp = -128, s.act_min = -128, s.act_max = 127, s.dst_addr = 0xfffffff0;
  s.dst_row_stride = 0x80000000, s.acc_row = 65535, s.p_row = 1143, s.ny = 65535, s.nx = 2;
  EXPECT_EQ(StoreInstr::Decode(s.Encode()), s);
}

TEST(IsaEncodingTest, UnitsAndNeighbours) {
  EXPECT_EQ(UnitOf(1), Unit::kLoad);
  EXPECT_EQ(UnitOf(2), Unit::kCompute);
  EXPECT_EQ(UnitOf(3), Unit::kStore);
  EXPECT_THROW(UnitOf(0), std::invalid_argument);
  EXPECT_THROW(UnitOf(15), std::invalid_argument);
  EXPECT_FALSE(HasPrev(Unit::kLoad));
  EXPECT_TRUE(HasNext(Unit::kLoad));
  EXPECT_TRUE(HasPrev(Unit::kStore));
  EXPECT_FALSE(HasNext(Unit::kStore));
}

}  // namespace
}  // namespace npu::isa
