#include "tb/bus/sparse_memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace npu::bus {
namespace {

TEST(SparseMemoryTest, UnwrittenReadsFill) {
  SparseMemory mem(0xa5);
  EXPECT_EQ(mem.Read8(0x1234), 0xa5);
  EXPECT_EQ(mem.Read32(0xfffffffc), 0xa5a5a5a5u);
  EXPECT_EQ(mem.NumPages(), 0u);
}

TEST(SparseMemoryTest, WriteAcrossPagesAndWrap) {
  SparseMemory mem;
  std::vector<std::uint8_t> data(8200);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7);
  mem.Write(0xfff0, data);
  EXPECT_EQ(mem.NumPages(), 3u);
  std::vector<std::uint8_t> back(data.size());
  mem.Read(0xfff0, back);
  EXPECT_EQ(back, data);
  mem.Write32(0xfffffffe, 0x44332211);
  EXPECT_EQ(mem.Read8(0xffffffff), 0x22);
  EXPECT_EQ(mem.Read8(0x0), 0x33);
  EXPECT_EQ(mem.Read32(0xfffffffe), 0x44332211u);
}

TEST(SparseMemoryTest, Helpers) {
  SparseMemory mem;
  mem.Write64(0x100, 0x0123456789abcdefull);
  EXPECT_EQ(mem.Read64(0x100), 0x0123456789abcdefull);
  EXPECT_EQ(mem.Read32(0x104), 0x01234567u);
  mem.Fill(0x2000, 0x1800, 0x5a);
  EXPECT_EQ(mem.Read8(0x2000), 0x5a);
  EXPECT_EQ(mem.Read8(0x37ff), 0x5a);
  EXPECT_EQ(mem.Read8(0x3800), 0x00);
  mem.Clear();
  EXPECT_EQ(mem.Read64(0x100), 0u);
}

TEST(SparseMemoryTest, WriteMasked) {
  SparseMemory mem(0xee);
  const std::uint8_t data[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const std::uint8_t strb[2] = {0x81, 0x02};
  EXPECT_EQ(mem.WriteMasked(0x40, data, strb), 3u);
  EXPECT_EQ(mem.Read8(0x40), 1);
  EXPECT_EQ(mem.Read8(0x41), 0xee);
  EXPECT_EQ(mem.Read8(0x47), 8);
  EXPECT_EQ(mem.Read8(0x48), 0xee);
  EXPECT_EQ(mem.Read8(0x49), 10);
}

}  // namespace
}  // namespace npu::bus
