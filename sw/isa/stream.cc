#include "sw/isa/stream.h"

#include <fmt/format.h>

#include <stdexcept>

namespace npu::isa {

std::vector<Word> ReadStream(const runtime::DeviceMemory& mem, uint32_t addr, uint32_t num_instr) {
  if (!mem.Contains(addr, uint64_t{num_instr} * kInstrBytes)) {
    throw std::out_of_range(
        fmt::format("ReadStream: {} instructions at 0x{:08x} outside memory", num_instr, addr));
  }
  std::vector<Word> words(num_instr);
  for (uint32_t i = 0; i < num_instr; ++i) {
    for (int j = 0; j < kInstrWords; ++j) {
      words[i][j] = mem.Read32(addr + i * kInstrBytes + 4 * j);
    }
  }
  return words;
}

void WriteStream(runtime::DeviceMemory& mem, uint32_t addr, std::span<const Word> words) {
  if (!mem.Contains(addr, uint64_t{words.size()} * kInstrBytes)) {
    throw std::out_of_range(
        fmt::format("WriteStream: {} instructions at 0x{:08x} outside memory", words.size(), addr));
  }
  for (size_t i = 0; i < words.size(); ++i) {
    for (int j = 0; j < kInstrWords; ++j) {
      mem.Write32(static_cast<uint32_t>(addr + i * kInstrBytes + 4 * j), words[i][j]);
    }
  }
}

}  // namespace npu::isa
