#include "sw/runtime/runner.h"

#include <stdexcept>
#include <string>

#include "sw/runtime/layout.h"

namespace npu::runtime {

DeviceMemory BuildImage(const compiler::CompiledLayer& cl, std::span<const int8_t> input_nhwc) {
  const size_t in_values = static_cast<size_t>(cl.in_h) * cl.in_w * cl.in_c;
  if (input_nhwc.size() != in_values) {
    throw std::invalid_argument("layer input has " + std::to_string(input_nhwc.size()) +
                                " values, expected " + std::to_string(cl.in_h) + "x" +
                                std::to_string(cl.in_w) + "x" + std::to_string(cl.in_c) + " = " +
                                std::to_string(in_values));
  }
  DeviceMemory mem(cl.base, cl.total_bytes);
  for (size_t i = 0; i < cl.program.size(); ++i) {
    for (int k = 0; k < isa::kInstrWords; ++k) {
      mem.Write32(static_cast<uint32_t>(cl.program_addr + i * isa::kInstrBytes + 4 * k),
                  cl.program[i][k]);
    }
  }
  mem.Write(cl.const_addr, cl.constants);
  mem.Write(cl.input_addr, PackActivations(input_nhwc, cl.in_h, cl.in_w, cl.in_c, cl.dim));
  return mem;
}

std::vector<int8_t> ReadOutput(const compiler::CompiledLayer& cl, const DeviceMemory& mem) {
  std::vector<uint8_t> out(BlockedBytes(cl.out_h, cl.out_w, cl.out_c, cl.dim));
  mem.Read(cl.output_addr, out);
  return UnpackActivations(out, cl.out_h, cl.out_w, cl.out_c, cl.dim);
}

LayerRun RunLayer(Backend& be, const compiler::CompiledLayer& cl,
                  std::span<const int8_t> input_nhwc) {
  if (static_cast<int>(be.Config().dim) != cl.dim) {
    throw std::invalid_argument("layer compiled for DIM " + std::to_string(cl.dim) + ", backend " +
                                be.Name() + " has DIM " + std::to_string(be.Config().dim));
  }
  DeviceMemory mem = BuildImage(cl, input_nhwc);
  LayerRun run;
  run.result = be.Run(mem, cl.program_addr, static_cast<uint32_t>(cl.program.size()));
  run.output = ReadOutput(cl, mem);
  return run;
}

}  // namespace npu::runtime
