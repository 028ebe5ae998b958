/// @file
/// libFuzzer target of the compiled-model loader (scripts/fuzz.sh npub): any
/// input must load or throw runtime::ModelError; what loads must serialize
/// back to the same bytes. A crash, a sanitizer report, a hang or any other
/// exception is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "sw/runtime/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  npu::runtime::CompiledModel m;
  try {
    m = npu::runtime::ParseModel(std::span<const uint8_t>(data, size), "fuzz input");
  } catch (const npu::runtime::ModelError&) {
    return 0;
  }
  const std::vector<uint8_t> again = npu::runtime::SerializeModel(m);
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  return 0;
}
