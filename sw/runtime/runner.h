/// @file
/// Runs one compiled layer on a backend: builds the memory image, executes
/// the program and returns the output in NHWC.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sw/compiler/compiler.h"
#include "sw/runtime/backend.h"

namespace npu::runtime {

/// Output and status of one layer run.
struct LayerRun {
  std::vector<int8_t> output;  ///< out_h x out_w x out_c, NHWC.
  RunResult result;            ///< Status and statistics reported by the backend.
};

/// The device memory image of a compiled layer: DeviceMemory(cl.base,
/// cl.total_bytes) holding the program (little-endian words), the constants
/// and the channel-blocked input.
/// @throws std::invalid_argument if @p input_nhwc does not hold
/// in_h*in_w*in_c values.
DeviceMemory BuildImage(const compiler::CompiledLayer& cl, std::span<const int8_t> input_nhwc);

/// The NHWC output of a layer read back from its memory image.
std::vector<int8_t> ReadOutput(const compiler::CompiledLayer& cl, const DeviceMemory& mem);

/// Builds the memory image (BuildImage), runs the program on @p be and
/// unpacks the output region (ReadOutput). The output is
/// returned even when the run reports an error (check result.status.ok).
/// @throws std::invalid_argument if @p input_nhwc does not hold
/// in_h*in_w*in_c values, or @p be has a different DIM than the layer.
LayerRun RunLayer(Backend& be, const compiler::CompiledLayer& cl,
                  std::span<const int8_t> input_nhwc);

}  // namespace npu::runtime
