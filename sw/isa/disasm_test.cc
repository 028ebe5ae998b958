#include "sw/isa/disasm.h"

#include <gtest/gtest.h>

#include <vector>

namespace npu::isa {
namespace {

TEST(DisassembleTest, Load) {
  LoadInstr l;
  l.deps.wait_next = true;
  l.deps.signal_next = true;
  l.spad = 0, l.sy = 1, l.sx = 1, l.pad = -5, l.nc = 3, l.src_addr = 0x10000000;
  l.src_c_stride = 0x400, l.src_row_stride = 0x80, l.dst_row = 0, l.dst_c_stride = 64;
  l.h = 8, l.w = 8, l.y0 = -1, l.x0 = -1, l.ny = 8, l.nx = 8;
  EXPECT_EQ(Disassemble(l.Encode()),
            "load  A[0+c*64] <- 0x10000000 planes=3 src_c_stride=0x400 src_row_stride=0x80 "
            "hw=8x8 win=8x8@(-1,-1)/1,1 pad=-5 | wait_next signal_next");
}

TEST(DisassembleTest, LoadSpadNames) {
  LoadInstr l;
  l.spad = 1;
  EXPECT_EQ(Disassemble(l.Encode()).substr(0, 7), "load  B");
  l.spad = 2;
  EXPECT_EQ(Disassemble(l.Encode()).substr(0, 7), "load  P");
  l.spad = 3;
  EXPECT_EQ(Disassemble(l.Encode()).substr(0, 11), "load  spad3");
}

TEST(DisassembleTest, Compute) {
  ComputeInstr c;
  c.deps.wait_prev = true;
  c.deps.signal_prev = true;
  c.accumulate = 1, c.a_row = 4, c.b_row = 32, c.acc_row = 1024, c.m = 16, c.nk = 2;
  c.a_k_stride = 16;
  EXPECT_EQ(Disassemble(c.Encode()),
            "compute acc[1024] += A[4+k*16] * B[32] m=16 nk=2 | wait_prev signal_prev");
  c.accumulate = 0;
  c.deps = {};
  EXPECT_EQ(Disassemble(c.Encode()), "compute acc[1024] = A[4+k*16] * B[32] m=16 nk=2");
}

TEST(DisassembleTest, Store) {
  StoreInstr s;
  s.deps.wait_prev = true;
  s.out_zp = -3, s.act_min = 0, s.act_max = 127, s.dst_addr = 0x20000000;
  s.dst_row_stride = 0x100, s.acc_row = 5, s.p_row = 9, s.ny = 2, s.nx = 8;
  EXPECT_EQ(Disassemble(s.Encode()),
            "store 0x20000000+y*0x100 <- acc[5] P[9] ny=2 nx=8 zp=-3 act=[0,127] | wait_prev");
}

TEST(DisassembleTest, IllegalOpcodes) {
  Word w{};
  EXPECT_EQ(Disassemble(w), "illegal opcode 0");
  w[0] = 7 | 0x30;
  EXPECT_EQ(Disassemble(w), "illegal opcode 7");
  w[0] = 15;
  EXPECT_EQ(Disassemble(w), "illegal opcode 15");
}

TEST(DisassembleTest, StreamHasPcColumn) {
  std::vector<Word> words = {ComputeInstr{}.Encode(), Word{}};
  EXPECT_EQ(DisassembleStream(words),
            "     0: compute acc[0] = A[0+k*0] * B[0] m=0 nk=0\n"
            "     1: illegal opcode 0\n");
}

}  // namespace
}  // namespace npu::isa
