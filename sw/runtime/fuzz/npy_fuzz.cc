/// @file
/// libFuzzer target of ParseNpy (scripts/fuzz.sh npy builds and runs it).
///
/// Any input must either parse or throw NpyError: a crash, a sanitizer
/// report, a hang, an unbounded allocation or any other exception is a
/// finding. What parses must also survive a round trip: serialized and
/// parsed again, it is the same array.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "sw/runtime/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using npu::runtime::NpyArray;
  using npu::runtime::NpyError;
  NpyArray a;
  try {
    a = npu::runtime::ParseNpy(std::span<const uint8_t>(data, size), "fuzz input");
  } catch (const NpyError&) {
    return 0;
  }
  // Parsed: serializing and parsing again must give the same array (a
  // throw here escapes and is reported too).
  const NpyArray b = npu::runtime::ParseNpy(npu::runtime::SerializeNpy(a), "round trip");
  if (b.dtype != a.dtype || b.shape != a.shape || b.data != a.data) std::abort();
  return 0;
}
