/// @file
/// Helpers shared by the instruction-level simulator's unit tests.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "sw/gen/npu_configs.h"
#include "sw/gen/npu_isa.h"
#include "sw/isa/serialize.h"
#include "sw/iss/iss.h"
#include "sw/runtime/backend.h"
#include "sw/runtime/memory.h"

namespace npu::iss::testing {

/// Device memory used by most tests: 64 KiB at kBase, the stream at kBase,
/// data from kData on.
inline constexpr uint32_t kBase = 0x10000000;
inline constexpr uint32_t kMemSize = 0x10000;
inline constexpr uint32_t kData = kBase + 0x1000;

/// The 4x4 configuration (DIM = 4).
inline const HwConfig& Cfg4() { return *FindHwConfig("4x4"); }

/// Writes @p prog at @p addr and runs it.
inline runtime::RunResult RunProgram(Iss& iss, runtime::DeviceMemory& mem,
                                     const std::vector<isa::Word>& prog, uint32_t addr = kBase) {
  mem.Write(addr, isa::Serialize(prog));
  return iss.Run(mem, addr, static_cast<uint32_t>(prog.size()));
}

/// A load of @p n contiguous rows from @p src into @p spad rows [dst, dst + n).
inline isa::LoadInstr RowsLoad(isa::Spad spad, uint32_t src, uint32_t dst, uint32_t n) {
  isa::LoadInstr l;
  l.spad = spad, l.sy = 1, l.sx = 1, l.nc = 1, l.src_addr = src, l.dst_row = dst;
  l.h = 1, l.w = n, l.ny = 1, l.nx = n;
  return l;
}

/// A compute with the given rows and no dependency flags.
inline isa::ComputeInstr Compute(uint32_t a_row, uint32_t b_row, uint32_t acc_row, uint32_t m,
                                 uint32_t nk, uint32_t a_k_stride, bool accumulate) {
  isa::ComputeInstr c;
  c.a_row = a_row, c.b_row = b_row, c.acc_row = acc_row, c.m = m, c.nk = nk;
  c.a_k_stride = a_k_stride, c.accumulate = accumulate ? 1 : 0;
  return c;
}

/// A store of ny x nx accumulator rows from @p acc_row to @p dst, no clamping.
inline isa::StoreInstr RowsStore(uint32_t dst, uint32_t stride, uint32_t acc_row, uint32_t p_row,
                                 uint32_t ny, uint32_t nx) {
  isa::StoreInstr s;
  s.act_min = -128, s.act_max = 127, s.dst_addr = dst, s.dst_row_stride = stride;
  s.acc_row = acc_row, s.p_row = p_row, s.ny = ny, s.nx = nx;
  return s;
}

/// Fills memory [addr, addr + n) with random bytes.
inline void RandomFill(runtime::DeviceMemory& mem, uint32_t addr, uint32_t n, std::mt19937& rng) {
  for (uint32_t i = 0; i < n; ++i) mem.Data()[addr - mem.Base() + i] = static_cast<uint8_t>(rng());
}

/// Fills every row of a scratchpad with random bytes.
inline void RandomSpad(Iss& iss, Spad spad, uint32_t rows, std::mt19937& rng) {
  for (uint32_t r = 0; r < rows; ++r) {
    for (int8_t& b : iss.SpadRow(spad, r)) b = static_cast<int8_t>(rng());
  }
}

}  // namespace npu::iss::testing
