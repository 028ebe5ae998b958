/// @file
/// Disassembly of npu instructions (docs/gen/isa.md).
#pragma once

#include <span>
#include <string>

#include "sw/gen/npu_isa.h"

namespace npu::isa {

/// One line for one instruction: the mnemonic, then every field of the
/// generated field table in bit order as `name=value` (signed fields in
/// decimal, enumerated fields by name, 32-bit fields in hex, others in
/// decimal), then ` | wait <units>` and ` | signal <units>` naming the
/// partner unit of each set dependency bit, e.g.
/// `compute accumulate=1 a_row=4 b_row=32 acc_row=1024 m=16 nk=2 a_k_stride=16 | wait load`.
/// A value outside an enumeration shows as `?N`, a dependency bit towards a
/// queue the unit lacks as `?bit`; an unknown opcode gives `illegal opcode N`.
std::string Disassemble(const Word& word);

/// A listing: one line per instruction, `pc: text`, each ending in '\n'.
std::string DisassembleStream(std::span<const Word> words);

}  // namespace npu::isa
