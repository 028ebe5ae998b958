/// @file
/// libFuzzer target of the compiled-model loader (scripts/fuzz.sh npub): any
/// input must load or throw runtime::ModelError; what loads must serialize
/// back to the same bytes. Each input is tried twice: as it is, and with its
/// last four bytes replaced by the right CRC-32, so that mutations reach the
/// parser behind the checksum. A crash, a sanitizer report, a hang or any
/// other exception is a finding.
#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "sw/runtime/model.h"

namespace {

void Try(std::span<const uint8_t> bytes) {
  npu::runtime::CompiledModel m;
  try {
    m = npu::runtime::ParseModel(bytes, "fuzz input");
  } catch (const npu::runtime::ModelError&) {
    return;
  }
  const std::vector<uint8_t> again = npu::runtime::SerializeModel(m);
  if (!std::equal(again.begin(), again.end(), bytes.begin(), bytes.end())) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Try(std::span<const uint8_t>(data, size));
  if (size >= 4) {
    std::vector<uint8_t> fixed(data, data + size);
    const uint32_t crc =
        static_cast<uint32_t>(crc32(0L, fixed.data(), static_cast<uInt>(size - 4)));
    for (int i = 0; i < 4; ++i) fixed[size - 4 + i] = static_cast<uint8_t>(crc >> (8 * i));
    Try(fixed);
  }
  return 0;
}
