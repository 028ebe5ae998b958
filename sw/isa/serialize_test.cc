#include "sw/isa/serialize.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace npu::isa {
namespace {

TEST(SerializeTest, LittleEndianWordsInOrder) {
  Word w{};
  for (int j = 0; j < kInstrWords; ++j) w[j] = 0x01020304u * (j + 1);
  const std::vector<Word> words = {w, ComputeInstr{}.Encode()};
  const std::vector<uint8_t> bytes = Serialize(words);
  ASSERT_EQ(bytes.size(), 2u * kInstrBytes);
  EXPECT_EQ(bytes[0], 0x04);
  EXPECT_EQ(bytes[3], 0x01);
  EXPECT_EQ(bytes[4], 0x08);  // word 1 = 0x02040608
  EXPECT_EQ(bytes[kInstrBytes], static_cast<uint8_t>(Opcode::kCompute));
  EXPECT_EQ(Deserialize(bytes), words);
  EXPECT_EQ(WordFromBytes(bytes.data() + kInstrBytes), words[1]);
}

TEST(SerializeTest, RejectsPartialInstructions) {
  const std::vector<uint8_t> bytes(kInstrBytes + 1);
  EXPECT_THROW(Deserialize(bytes), std::invalid_argument);
  EXPECT_TRUE(Deserialize(std::span<const uint8_t>{}).empty());
}

}  // namespace
}  // namespace npu::isa
