#include "sw/isa/stream.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace npu::isa {
namespace {

TEST(StreamTest, WriteIsLittleEndianWordsInOrder) {
  runtime::DeviceMemory mem(0x1000, 128);
  Word w{};
  for (int j = 0; j < kInstrWords; ++j) w[j] = 0x01020304u * (j + 1);
  const std::vector<Word> words = {w, ComputeInstr{}.Encode()};
  WriteStream(mem, 0x1020, words);
  EXPECT_EQ(mem.Data()[0x20], 0x04);
  EXPECT_EQ(mem.Data()[0x23], 0x01);
  EXPECT_EQ(mem.Read32(0x1020 + 4), 0x01020304u * 2);
  EXPECT_EQ(mem.Data()[0x40], 2);  // opcode of the second instruction
  EXPECT_EQ(ReadStream(mem, 0x1020, 2), words);
}

TEST(StreamTest, OutOfMemoryThrows) {
  runtime::DeviceMemory mem(0x1000, 64);
  const std::vector<Word> words(3);
  EXPECT_THROW(WriteStream(mem, 0x1000, words), std::out_of_range);
  EXPECT_THROW(ReadStream(mem, 0x1020, 2), std::out_of_range);
  EXPECT_NO_THROW(ReadStream(mem, 0x1020, 1));
  EXPECT_TRUE(ReadStream(mem, 0x1040, 0).empty());
}

}  // namespace
}  // namespace npu::isa
