#include "sw/runtime/runner.h"

#include <stdexcept>
#include <string>

#include "sw/isa/serialize.h"
#include "sw/runtime/layout.h"

namespace npu::runtime {

DeviceMemory BuildImage(const Executable& exe, std::span<const std::vector<int8_t>> inputs_nhwc,
                        uint8_t fill) {
  if (inputs_nhwc.size() != exe.inputs.size()) {
    throw std::invalid_argument("got " + std::to_string(inputs_nhwc.size()) + " inputs, expected " +
                                std::to_string(exe.inputs.size()));
  }
  DeviceMemory mem(exe.base, exe.size);
  mem.Fill(exe.base, exe.size, fill);
  mem.Write(exe.program_addr, isa::Serialize(exe.program));
  for (const Segment& s : exe.constants) mem.Write(s.addr, s.bytes);
  for (size_t i = 0; i < exe.inputs.size(); ++i) {
    const TensorRegion& t = exe.inputs[i];
    const size_t values = static_cast<size_t>(t.h) * t.w * t.c;
    if (inputs_nhwc[i].size() != values) {
      throw std::invalid_argument("input " + std::to_string(i) + " has " +
                                  std::to_string(inputs_nhwc[i].size()) + " values, expected " +
                                  std::to_string(t.h) + "x" + std::to_string(t.w) + "x" +
                                  std::to_string(t.c) + " = " + std::to_string(values));
    }
    mem.Write(t.addr, PackActivations(inputs_nhwc[i], t.h, t.w, t.c, exe.dim));
  }
  return mem;
}

DeviceMemory BuildImage(const Executable& exe, const std::vector<int8_t>& input_nhwc,
                        uint8_t fill) {
  return BuildImage(exe, std::span<const std::vector<int8_t>>(&input_nhwc, 1), fill);
}

std::vector<int8_t> ReadOutput(const Executable& exe, const DeviceMemory& mem, size_t index) {
  if (index >= exe.outputs.size()) {
    throw std::out_of_range("output " + std::to_string(index) + " of " +
                            std::to_string(exe.outputs.size()));
  }
  const TensorRegion& t = exe.outputs[index];
  std::vector<uint8_t> out(BlockedBytes(t.h, t.w, t.c, exe.dim));
  mem.Read(t.addr, out);
  return UnpackActivations(out, t.h, t.w, t.c, exe.dim);
}

RunOutput Run(Backend& be, const Executable& exe,
              std::span<const std::vector<int8_t>> inputs_nhwc) {
  if (static_cast<int>(be.Config().dim) != exe.dim) {
    throw std::invalid_argument("compiled for DIM " + std::to_string(exe.dim) + ", backend " +
                                be.Name() + " has DIM " + std::to_string(be.Config().dim));
  }
  DeviceMemory mem = BuildImage(exe, inputs_nhwc);
  RunOutput run;
  run.result = be.Run(mem, exe.program_addr, static_cast<uint32_t>(exe.program.size()));
  for (size_t i = 0; i < exe.outputs.size(); ++i) run.outputs.push_back(ReadOutput(exe, mem, i));
  return run;
}

RunOutput Run(Backend& be, const Executable& exe, const std::vector<int8_t>& input_nhwc) {
  return Run(be, exe, std::span<const std::vector<int8_t>>(&input_nhwc, 1));
}

}  // namespace npu::runtime
