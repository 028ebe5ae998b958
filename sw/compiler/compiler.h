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

namespace npu::compiler {

/// Alignment of every region of the memory image, in bytes.
inline constexpr uint32_t kRegionAlign = 256;

/// A compiled layer: the program, its constants and the memory map.
struct CompiledLayer {
  std::vector<isa::Word> program;  ///< Instruction stream.
  std::vector<uint8_t> constants;  ///< Packed weights, then parameters.
  uint32_t base = 0;               ///< First byte of the image.
  uint32_t program_addr = 0;       ///< Address of the program (= base).
  uint32_t const_addr = 0;         ///< Address of the constants (the weights).
  uint32_t params_addr = 0;        ///< Address of the parameter rows (inside the constants).
  uint32_t input_addr = 0;         ///< Address of the channel-blocked input.
  uint32_t output_addr = 0;        ///< Address of the channel-blocked output.
  uint32_t total_bytes = 0;        ///< Size of the image from @ref base.
  int in_h = 0;                    ///< Input height.
  int in_w = 0;                    ///< Input width.
  int in_c = 0;                    ///< Input channels (unpadded).
  int out_h = 0;                   ///< Output height.
  int out_w = 0;                   ///< Output width.
  int out_c = 0;                   ///< Output channels (unpadded).
  int dim = 0;                     ///< DIM of the target configuration.
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
