/// @file
/// libFuzzer target of the ONNX importer (scripts/fuzz.sh onnx builds and
/// runs it): any input must import or throw graph::ImportError; a crash, a
/// sanitizer report, a hang or any other exception is a finding.
#include <cstddef>
#include <cstdint>
#include <span>

#include "sw/graph/onnx_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const npu::graph::Graph g =
        npu::graph::ImportOnnx(std::span<const uint8_t>(data, size), "fuzz input");
    npu::graph::RequireSupported(g, "fuzz input");
  } catch (const npu::graph::ImportError&) {
  }
  return 0;
}
