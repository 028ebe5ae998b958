#include "sw/isa/serialize.h"

#include <stdexcept>
#include <string>

namespace npu::isa {

Word WordFromBytes(const uint8_t* bytes) {
  Word w{};
  for (int j = 0; j < kInstrWords; ++j) {
    const uint8_t* p = bytes + 4 * j;
    w[j] = uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
  }
  return w;
}

void WordToBytes(const Word& word, uint8_t* out) {
  for (int j = 0; j < kInstrWords; ++j) {
    for (int b = 0; b < 4; ++b) out[4 * j + b] = static_cast<uint8_t>(word[j] >> (8 * b));
  }
}

std::vector<uint8_t> Serialize(std::span<const Word> words) {
  std::vector<uint8_t> bytes(words.size() * kInstrBytes);
  for (size_t i = 0; i < words.size(); ++i) WordToBytes(words[i], bytes.data() + i * kInstrBytes);
  return bytes;
}

std::vector<Word> Deserialize(std::span<const uint8_t> bytes) {
  if (bytes.size() % kInstrBytes != 0) {
    throw std::invalid_argument("instruction bytes: " + std::to_string(bytes.size()) +
                                " is not a multiple of " + std::to_string(kInstrBytes));
  }
  std::vector<Word> words(bytes.size() / kInstrBytes);
  for (size_t i = 0; i < words.size(); ++i)
    words[i] = WordFromBytes(bytes.data() + i * kInstrBytes);
  return words;
}

}  // namespace npu::isa
