/// @file
/// Runs an Executable on a backend: builds the memory image, executes the
/// program and returns the outputs in NHWC.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sw/runtime/backend.h"
#include "sw/runtime/executable.h"

namespace npu::runtime {

/// Outputs and status of one run.
struct RunOutput {
  std::vector<std::vector<int8_t>> outputs;  ///< each output, h x w x c NHWC
  RunResult result;                          ///< status and statistics from the backend
};

/// The device memory image of @p exe: DeviceMemory(exe.base, exe.size)
/// holding the program, the constants and the channel-blocked inputs (one
/// NHWC tensor per entry of exe.inputs, in order); every other byte is
/// @p fill.
/// @throws std::invalid_argument if the number of inputs or an input's size
/// does not match.
DeviceMemory BuildImage(const Executable& exe, std::span<const std::vector<int8_t>> inputs_nhwc,
                        uint8_t fill = 0);

/// BuildImage with a single input.
DeviceMemory BuildImage(const Executable& exe, const std::vector<int8_t>& input_nhwc,
                        uint8_t fill = 0);

/// The NHWC output @p index of @p exe read back from its memory image.
/// @throws std::out_of_range if there is no such output.
std::vector<int8_t> ReadOutput(const Executable& exe, const DeviceMemory& mem, size_t index = 0);

/// Builds the memory image (BuildImage), runs the program on @p be and
/// unpacks every output (ReadOutput). The outputs are returned even when the
/// run reports an error (check result.status.ok).
/// @throws std::invalid_argument if the inputs do not match or @p be has a
/// different DIM than @p exe.
RunOutput Run(Backend& be, const Executable& exe, std::span<const std::vector<int8_t>> inputs_nhwc);

/// Run with a single input.
RunOutput Run(Backend& be, const Executable& exe, const std::vector<int8_t>& input_nhwc);

}  // namespace npu::runtime
