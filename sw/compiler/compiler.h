/// @file
/// The layer compiler: lowers one quantized convolution (or GEMM) to an npu
/// instruction stream plus its constants, for one hardware configuration.
///
/// Memory image (every address a multiple of 256 bytes):
/// [program][constants: weights, then parameters][input][output].
/// Activations are channel-blocked [ceil(C/DIM)][H][W][DIM] (see
/// sw/runtime/layout.h); weights and parameters are packed as in
/// sw/compiler/packing.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sw/compiler/layer.h"
#include "sw/compiler/tiling.h"
#include "sw/gen/npu_configs.h"
#include "sw/gen/npu_isa.h"
#include "sw/runtime/executable.h"

namespace npu::compiler {

/// Alignment of every region of the memory image, in bytes.
inline constexpr uint32_t kRegionAlign = 256;

/// A compiled layer: a runnable image (the program, one constant segment of
/// packed weights then parameters, one input and one output) plus what the
/// compiler chose.
struct CompiledLayer : runtime::Executable {
  uint32_t const_addr = 0;         ///< Address of the constants (the weights).
  uint32_t params_addr = 0;        ///< Address of the parameter rows (inside the constants).
  uint64_t macs = 0;               ///< Useful MACs: OH*OW*Cout*KH*KW*Cin.
  std::string tiling;              ///< Human-readable tile choice.
  Tiling tiles;                    ///< The tile choice and its estimates.
  uint64_t load_bytes = 0;         ///< Bytes the program loads (A + B + P).
  uint64_t store_bytes = 0;        ///< Bytes the program stores.
};

/// Compiles @p layer for @p hw, placing the image at @p base_addr.
/// @throws std::invalid_argument if the layer is invalid (ConvLayer::Validate),
/// @p base_addr is not a multiple of 256, the image does not fit 32-bit
/// addresses, or the layer has more output channels than the P scratchpad
/// holds ("too many output channels for this configuration").
/// @throws std::logic_error if the emitted program fails its own token or
/// hazard check (a compiler bug).
CompiledLayer Compile(const ConvLayer& layer, const HwConfig& hw, uint32_t base_addr);

/// Multi-line summary: shapes, tiles, instruction counts per unit, bytes
/// loaded and stored, MACs per loaded byte and the memory map.
std::string Describe(const CompiledLayer& cl);

}  // namespace npu::compiler
