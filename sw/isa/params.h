/// @file
/// Lanes of the post-processing parameter blocks in scratchpad P, laid out as
/// the generated tables of sw/gen/npu_isa.h (namespace isa::param) say: an
/// int32 field takes four rows (lane l = bytes 4l..4l+3 of the four rows
/// concatenated, little endian), an int8 field one row (lane l = byte l).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "sw/gen/npu_isa.h"

namespace npu::isa::param {

/// Lane @p lane of field @p f of the block starting at @p block (rows of
/// @p dim bytes), sign-extended.
template <typename Byte>
int32_t Get(std::span<const Byte> block, int dim, const Field& f, int lane) {
  const size_t at = static_cast<size_t>(f.row) * dim + static_cast<size_t>(lane) * f.bytes;
  if (f.bytes == 1) return static_cast<int8_t>(block[at]);
  uint32_t v = 0;
  for (int b = 0; b < 4; ++b) v |= uint32_t{static_cast<uint8_t>(block[at + b])} << (8 * b);
  return static_cast<int32_t>(v);
}

/// Writes lane @p lane of field @p f of the block at @p block (the low
/// f.bytes bytes of @p value).
template <typename Byte>
void Set(std::span<Byte> block, int dim, const Field& f, int lane, int32_t value) {
  const size_t at = static_cast<size_t>(f.row) * dim + static_cast<size_t>(lane) * f.bytes;
  const auto u = static_cast<uint32_t>(value);
  for (int b = 0; b < f.bytes; ++b) block[at + b] = static_cast<Byte>(u >> (8 * b));
}

}  // namespace npu::isa::param
