#include "sw/isa/disasm.h"

#include <gtest/gtest.h>

#include <vector>

namespace npu::isa {
namespace {

TEST(DisassembleTest, Load) {
  LoadInstr l;
  l.deps.wait = LoadInstr::kWaitCompute;
  l.deps.signal = LoadInstr::kSignalCompute;
  l.spad = Spad::kA, l.sy = 1, l.sx = 1, l.pad = -5, l.nc = 3, l.src_addr = 0x10000000;
  l.src_c_stride = 0x400, l.src_row_stride = 0x80, l.dst_row = 0, l.dst_c_stride = 64;
  l.h = 8, l.w = 8, l.y0 = -1, l.x0 = -1, l.ny = 8, l.nx = 8;
  EXPECT_EQ(Disassemble(l.Encode()),
            "load spad=a sy=1 sx=1 pad=-5 nc=3 src_addr=0x10000000 src_c_stride=0x400 "
            "src_row_stride=0x80 dst_row=0 dst_c_stride=64 h=8 w=8 y0=-1 x0=-1 ny=8 nx=8 "
            "| wait compute | signal compute");
}

TEST(DisassembleTest, EnumNamesAndIllegalValues) {
  LoadInstr l;
  l.spad = Spad::kB;
  EXPECT_EQ(Disassemble(l.Encode()).substr(0, 11), "load spad=b");
  l.spad = Spad::kP;
  EXPECT_EQ(Disassemble(l.Encode()).substr(0, 11), "load spad=p");
  l.spad = static_cast<Spad>(3);
  EXPECT_EQ(Disassemble(l.Encode()).substr(0, 12), "load spad=?3");
}

TEST(DisassembleTest, Compute) {
  ComputeInstr c;
  c.deps.wait = ComputeInstr::kWaitLoad;
  c.deps.signal = ComputeInstr::kSignalLoad | ComputeInstr::kSignalStore;
  c.accumulate = 1, c.a_row = 4, c.b_row = 32, c.acc_row = 1024, c.m = 16, c.nk = 2;
  c.a_k_stride = 16;
  EXPECT_EQ(Disassemble(c.Encode()),
            "compute accumulate=1 a_row=4 b_row=32 acc_row=1024 m=16 nk=2 a_k_stride=16 "
            "| wait load | signal load store");
}

TEST(DisassembleTest, Store) {
  StoreInstr s;
  s.deps.wait = StoreInstr::kWaitCompute;
  s.out_zp = -3, s.act_min = 0, s.act_max = 127, s.dst_addr = 0x20000000;
  s.dst_row_stride = 0x100, s.acc_row = 5, s.p_row = 9, s.ny = 2, s.nx = 8;
  EXPECT_EQ(Disassemble(s.Encode()).substr(0, 55),
            "store out_zp=-3 act_min=0 act_max=127 dst_addr=0x200000");
  EXPECT_NE(Disassemble(s.Encode()).find("| wait compute"), std::string::npos);
}

TEST(DisassembleTest, DependencyBitsTheUnitLacks) {
  // Every bit the generated token graph does not give a unit shows as ?bit.
  for (const InstrInfo& info : kInstrs) {
    const uint32_t missing = ((1u << kDepBits) - 1) & ~LegalWaitMask(info.unit);
    if (missing == 0) continue;
    Word w{};
    SetField(w, field::kOpcodeLsb, field::kOpcodeWidth, static_cast<uint32_t>(info.opcode),
             "opcode");
    SetField(w, field::kWaitMaskLsb, kDepBits, missing, "wait");
    EXPECT_NE(Disassemble(w).find("| wait ?"), std::string::npos) << Disassemble(w);
  }
}

TEST(DisassembleTest, IllegalOpcodes) {
  Word w{};
  EXPECT_EQ(Disassemble(w), "illegal opcode 0");
  w[0] = 15;
  EXPECT_EQ(Disassemble(w), "illegal opcode 15");
}

TEST(DisassembleTest, StreamHasPcColumn) {
  std::vector<Word> words = {ComputeInstr{}.Encode(), Word{}};
  EXPECT_EQ(DisassembleStream(words),
            "     0: compute accumulate=0 a_row=0 b_row=0 acc_row=0 m=0 nk=0 a_k_stride=0\n"
            "     1: illegal opcode 0\n");
}

}  // namespace
}  // namespace npu::isa
