#include "sw/runtime/memory.h"

#include <gtest/gtest.h>

#include <array>
#include <stdexcept>
#include <string>

namespace npu::runtime {
namespace {

TEST(DeviceMemoryTest, StartsZeroedWithBaseAndSize) {
  DeviceMemory mem(0x1000, 64);
  EXPECT_EQ(mem.Base(), 0x1000u);
  EXPECT_EQ(mem.Size(), 64u);
  ASSERT_EQ(mem.Data().size(), 64u);
  for (uint8_t b : mem.Data()) EXPECT_EQ(b, 0);
}

TEST(DeviceMemoryTest, ContainsChecksBothEnds) {
  DeviceMemory mem(0x1000, 64);
  EXPECT_TRUE(mem.Contains(0x1000, 64));
  EXPECT_TRUE(mem.Contains(0x103f, 1));
  EXPECT_TRUE(mem.Contains(0x1040, 0));
  EXPECT_FALSE(mem.Contains(0x0fff, 1));
  EXPECT_FALSE(mem.Contains(0x1000, 65));
  EXPECT_FALSE(mem.Contains(0x1040, 1));
  EXPECT_FALSE(mem.Contains(0xffffffff, 2));
}

TEST(DeviceMemoryTest, ReadWriteRoundTrip) {
  DeviceMemory mem(0x1000, 64);
  const std::array<uint8_t, 3> in = {1, 2, 3};
  mem.Write(0x1010, in);
  std::array<uint8_t, 3> out{};
  mem.Read(0x1010, out);
  EXPECT_EQ(out, in);
  EXPECT_EQ(mem.Data()[0x10], 1);
}

TEST(DeviceMemoryTest, Read32Write32AreLittleEndian) {
  DeviceMemory mem(0x1000, 64);
  mem.Write32(0x1004, 0x11223344);
  EXPECT_EQ(mem.Data()[4], 0x44);
  EXPECT_EQ(mem.Data()[7], 0x11);
  EXPECT_EQ(mem.Read32(0x1004), 0x11223344u);
}

TEST(DeviceMemoryTest, Fill) {
  DeviceMemory mem(0, 16);
  mem.Fill(4, 8, 0xab);
  EXPECT_EQ(mem.Data()[3], 0);
  EXPECT_EQ(mem.Data()[4], 0xab);
  EXPECT_EQ(mem.Data()[11], 0xab);
  EXPECT_EQ(mem.Data()[12], 0);
}

TEST(DeviceMemoryTest, OutOfBoundsThrowsWithHexAddress) {
  DeviceMemory mem(0x1000, 64);
  std::array<uint8_t, 8> buf{};
  try {
    mem.Read(0x103c, buf);
    FAIL() << "no exception";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("0x0000103c"), std::string::npos) << e.what();
  }
  EXPECT_THROW(mem.Write(0xfff, buf), std::out_of_range);
  EXPECT_THROW(mem.Read32(0x103e), std::out_of_range);
  EXPECT_THROW(mem.Write32(0x2000, 0), std::out_of_range);
  EXPECT_THROW(mem.Fill(0x1000, 65, 0), std::out_of_range);
}

TEST(DeviceMemoryTest, RejectsImageBeyondAddressSpace) {
  EXPECT_THROW(DeviceMemory(0xffffff00, 0x200), std::invalid_argument);
  EXPECT_NO_THROW(DeviceMemory(0xffffff00, 0x100));
}

}  // namespace
}  // namespace npu::runtime
