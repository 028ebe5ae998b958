/// @file
/// Instruction streams in device memory: 32-byte instructions, each stored
/// as eight little-endian 32-bit words (word 0 first).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sw/gen/npu_isa.h"
#include "sw/runtime/memory.h"

namespace npu::isa {

/// Reads @p num_instr instructions starting at device address @p addr.
/// @throws std::out_of_range if the stream is not inside @p mem.
std::vector<Word> ReadStream(const runtime::DeviceMemory& mem, uint32_t addr, uint32_t num_instr);

/// Writes @p words to device address @p addr.
/// @throws std::out_of_range if the stream does not fit inside @p mem.
void WriteStream(runtime::DeviceMemory& mem, uint32_t addr, std::span<const Word> words);

}  // namespace npu::isa
