/// @file
/// The shape rules of a `window` instruction that a window unit checks
/// before it runs one (docs/gen/isa.md): written once for the software that
/// applies them, the instruction-level simulator (which stops with
/// illegal_instr) and the program checker (which names the fault). The RTL
/// checks the same rules on its own (rtl/window/npu_window_front.sv); the
/// top-level tests compare the two on random and broken programs.
#pragma once

#include <algorithm>
#include <cstdint>

#include "sw/gen/npu_isa.h"

namespace npu::isa {

/// What is wrong with a window instruction's kernel and strides.
enum class WindowKernelFault {
  kNone,        ///< legal (mode sum ignores the fields)
  kZero,        ///< a zero kernel side or stride
  kAboveLimit,  ///< a kernel side or stride above the unit's window_k
};

/// The kernel check, done first, even for an instruction that has no work.
inline WindowKernelFault CheckWindowKernel(const WindowInstr& w, uint32_t window_k) {
  if (w.mode == WindowMode::kSum) return WindowKernelFault::kNone;
  if (w.kh == 0 || w.kw == 0 || w.sy == 0 || w.sx == 0) return WindowKernelFault::kZero;
  if (std::max({w.kh, w.kw, w.sy, w.sx}) > window_k) return WindowKernelFault::kAboveLimit;
  return WindowKernelFault::kNone;
}

/// Whether the instruction does nothing (no plane, or no input or output):
/// it still passes the kernel check and moves its tokens.
inline bool WindowIsNoOp(const WindowInstr& w) {
  const bool sum = w.mode == WindowMode::kSum;
  return w.nc == 0 || (sum ? (w.ih == 0 || w.iw == 0) : (w.oh == 0 || w.ow == 0));
}

/// Whether the outputs fit the tile and the tile the line buffers of
/// @p window_cols columns (mode sum has no window to fit).
inline bool WindowTileFits(const WindowInstr& w, uint32_t window_cols) {
  if (w.mode == WindowMode::kSum) return true;
  return w.iw <= window_cols && uint64_t{w.oh - 1} * w.sy + w.kh <= w.ih &&
         uint64_t{w.ow - 1} * w.sx + w.kw <= w.iw;
}

}  // namespace npu::isa
