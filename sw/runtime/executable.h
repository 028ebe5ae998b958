/// @file
/// What the runtime needs to run compiled work on any backend: the layout of
/// the device memory image, the instruction stream, the constants and where
/// the inputs and outputs live. The compiler produces it; the runtime does
/// not depend on the compiler.
#pragma once

#include <cstdint>
#include <vector>

#include "sw/gen/npu_isa.h"

namespace npu::runtime {

/// A channel-blocked activation tensor [ceil(c/dim)][h][w][dim] in device
/// memory (sw/runtime/layout.h); padded lanes are zero.
struct TensorRegion {
  uint32_t addr = 0;  ///< first byte
  int h = 0;          ///< height
  int w = 0;          ///< width
  int c = 0;          ///< channels (unpadded)
};

/// A block of constants (weights, parameters) in the image.
struct Segment {
  uint32_t addr = 0;           ///< first byte
  std::vector<uint8_t> bytes;  ///< contents
};

/// A runnable memory image.
struct Executable {
  int dim = 0;                        ///< DIM of the configuration it was compiled for
  uint32_t base = 0;                  ///< first byte of the image
  uint32_t size = 0;                  ///< bytes of the image from base
  uint32_t program_addr = 0;          ///< the first instruction
  std::vector<isa::Word> program;     ///< the instruction stream
  std::vector<Segment> constants;     ///< constant blocks
  std::vector<TensorRegion> inputs;   ///< input tensors, in order
  std::vector<TensorRegion> outputs;  ///< output tensors, in order
};

}  // namespace npu::runtime
