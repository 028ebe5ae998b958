/// @file
/// Disassembly of npu instructions (docs/gen/isa.md).
#pragma once

#include <span>
#include <string>

#include "sw/gen/npu_isa.h"

namespace npu::isa {

/// One line for one instruction, every field shown, e.g.
/// `load  A[0+c*64] <- 0x10000000 planes=3 src_c_stride=0x400 src_row_stride=0x80 hw=8x8
/// win=8x8@(-1,-1)/1,1 pad=-5 | wait_next signal_next`,
/// `compute acc[0] += A[0+k*16] * B[32] m=16 nk=2`,
/// `store 0x20000000+y*0x100 <- acc[0] P[9] ny=2 nx=8 zp=-3 act=[0,127] | wait_prev`.
/// The window is `win=ny x nx @(y0,x0) / sy,sx`; `hw` is the source bound h x w;
/// `=` overwrites, `+=` accumulates. An unknown opcode gives `illegal opcode N`.
/// Dependency flags are listed after `|` even where they are illegal.
std::string Disassemble(const Word& word);

/// A listing: one line per instruction, `pc: text`, each ending in '\n'.
std::string DisassembleStream(std::span<const Word> words);

}  // namespace npu::isa
