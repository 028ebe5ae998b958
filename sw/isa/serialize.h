/// @file
/// Instructions as bytes in memory: each instruction is kInstrBytes bytes,
/// eight little-endian 32-bit words (word 0 first). The one serializer of the
/// project: the runtime places programs with it, the instruction-level
/// simulator fetches with it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sw/gen/npu_isa.h"

namespace npu::isa {

/// The instruction at @p bytes (at least kInstrBytes of them).
Word WordFromBytes(const uint8_t* bytes);

/// Writes @p word as kInstrBytes bytes at @p out.
void WordToBytes(const Word& word, uint8_t* out);

/// The bytes of @p words, in order.
std::vector<uint8_t> Serialize(std::span<const Word> words);

/// The instructions in @p bytes.
/// @throws std::invalid_argument if the size is not a multiple of kInstrBytes.
std::vector<Word> Deserialize(std::span<const uint8_t> bytes);

}  // namespace npu::isa
