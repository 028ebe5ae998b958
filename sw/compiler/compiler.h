/// @file
/// The layer compiler: lowers one quantized layer (convolution or GEMM,
/// optionally with a fused residual add; depthwise convolution; max or
/// average pooling; MEAN; elementwise add) to an npu instruction stream plus
/// its constants, for one hardware configuration.
///
/// Memory image (every address a multiple of 256 bytes):
/// [program][constants: weights, then parameters][input 1][input 2][output]
/// (input 2 only for an add or a residual; a layer without weights has
/// none). Activations are channel-blocked [ceil(C/DIM)][H][W][DIM] (see
/// sw/runtime/layout.h); weights and parameters are packed as in
/// sw/compiler/packing.h. See sw/compiler/README.md.
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
  /// What was compiled: "conv", "depthwise", "max pool", "avg pool", "mean" or "add".
  std::string kind = "conv";
  uint32_t const_addr = 0;   ///< Address of the constants (the weights, or the parameters).
  uint32_t params_addr = 0;  ///< Address of the parameter rows (inside the constants).
  /// Useful MACs: OH*OW*Cout*KH*KW*Cin for a convolution, OH*OW*C*KH*KW for
  /// a depthwise convolution, 0 for the other layers.
  uint64_t macs = 0;
  std::string tiling;           ///< Human-readable tile choice.
  Tiling tiles;                 ///< Convolution: the tile choice and its estimates.
  WindowTiling window_tiles;    ///< Depthwise and pooling: the tile choice and its estimates.
  FlatTiling flat_tiles;        ///< MEAN and add: the tile choice and its estimate.
  uint64_t est_cycles = 0;      ///< The tiling's estimate of the run time.
  uint64_t load_bytes = 0;      ///< Bytes the program loads (A + B + P).
  uint64_t store_bytes = 0;     ///< Bytes the program stores.
  uint64_t residual_bytes = 0;  ///< Bytes the stores read (the residual of a fused add).
};

/// Where the graph compiler's memory plan puts a layer's activations. With
/// a placement, a layer's image holds only its program and constants, and
/// its inputs and output are the tensors at these addresses (each a
/// multiple of DIM; input2 only for an add or a residual).
struct IoPlacement {
  uint32_t input = 0;   ///< First input.
  uint32_t input2 = 0;  ///< Second input (the add's or the residual).
  uint32_t output = 0;  ///< Output.
};

/// Compiles @p layer for @p hw, placing the image at @p base_addr. With
/// ConvLayer::residual the image has two inputs (the activations, then the
/// residual of the output's shape) and every store adds the residual.
/// @throws std::invalid_argument if the layer is invalid (ConvLayer::Validate),
/// @p base_addr is not a multiple of 256, the image does not fit 32-bit
/// addresses, or the layer has more output channels than the P scratchpad
/// holds ("too many output channels for this configuration").
/// @throws std::logic_error if the emitted program fails its own token or
/// hazard check (a compiler bug).
CompiledLayer Compile(const ConvLayer& layer, const HwConfig& hw, uint32_t base_addr,
                      const IoPlacement* io = nullptr);

/// Compiles a GEMM as the 1x1 convolution GemmLayer::ToConv(); input 1 is
/// A (m x k, as a 1 x m x k tensor), the output and a residual m x n.
/// @throws std::invalid_argument as Compile(const ConvLayer&, ...) and
/// GemmLayer::ToConv.
CompiledLayer Compile(const GemmLayer& layer, const HwConfig& hw, uint32_t base_addr,
                      const IoPlacement* io = nullptr);

/// Compiles a depthwise convolution for the window unit (mode dw).
/// @throws std::invalid_argument if the layer is invalid
/// (DepthwiseLayer::Validate), @p base_addr is not a multiple of 256, the
/// image does not fit 32-bit addresses, or the layer has more channels than
/// the P scratchpad holds parameter blocks for ("too many channels for this
/// configuration").
/// @throws std::logic_error if the emitted program fails its own check.
CompiledLayer Compile(const DepthwiseLayer& layer, const HwConfig& hw, uint32_t base_addr,
                      const IoPlacement* io = nullptr);

/// Compiles a max or average pooling for the window unit (modes max, avg).
/// @throws std::invalid_argument if the layer is invalid
/// (PoolLayer::Validate), @p base_addr is not a multiple of 256 or the image
/// does not fit 32-bit addresses.
/// @throws std::logic_error if the emitted program fails its own check.
CompiledLayer Compile(const PoolLayer& layer, const HwConfig& hw, uint32_t base_addr,
                      const IoPlacement* io = nullptr);

/// Compiles a MEAN over H and W for the window unit (mode sum, with carry
/// for planes larger than half of A); the output is 1 x 1 x c.
/// @throws std::invalid_argument if the layer is invalid
/// (MeanLayer::Validate), @p base_addr is not a multiple of 256 or the image
/// does not fit 32-bit addresses.
/// @throws std::logic_error if the emitted program fails its own check.
CompiledLayer Compile(const MeanLayer& layer, const HwConfig& hw, uint32_t base_addr,
                      const IoPlacement* io = nullptr);

/// Compiles an elementwise add: input 1 passes through the systolic array
/// with identity weights and an identity requantization, and the store adds
/// input 2 (the residual). The image has two inputs.
/// @throws std::invalid_argument if the layer is invalid
/// (AddLayer::Validate), @p base_addr is not a multiple of 256 or the image
/// does not fit 32-bit addresses.
/// @throws std::logic_error if the emitted program fails its own check.
CompiledLayer Compile(const AddLayer& layer, const HwConfig& hw, uint32_t base_addr,
                      const IoPlacement* io = nullptr);

/// Multi-line summary: kind and shapes, tiles, instruction counts per unit,
/// bytes loaded and stored, MACs per loaded byte, the estimate and the
/// memory map.
std::string Describe(const CompiledLayer& cl);

}  // namespace npu::compiler
