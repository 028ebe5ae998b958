#include "tb/bus/signal_ref.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "tb/bus/fake_axi_bus.h"

namespace npu::bus {
namespace {

using testing::FakeWide;

TEST(SignalRefTest, NarrowTypesFollowTheirWidth) {
  std::uint8_t b = 0;
  std::uint16_t h = 0;
  std::uint32_t w = 0;
  std::uint64_t d = 0;
  SignalRef rb = SignalRef::Of(b), rh = SignalRef::Of(h), rw = SignalRef::Of(w),
            rd = SignalRef::Of(d);
  EXPECT_EQ(rb.width(), 8);
  EXPECT_EQ(rd.width(), 64);
  rb.Set(0x1ff);
  rh.Set(0x12345);
  rw.Set(0x123456789);
  rd.Set(0xfedcba9876543210);
  EXPECT_EQ(b, 0xff);
  EXPECT_EQ(h, 0x2345);
  EXPECT_EQ(w, 0x23456789u);
  EXPECT_EQ(d, 0xfedcba9876543210u);
  EXPECT_EQ(rd.Get(), 0xfedcba9876543210u);
}

TEST(SignalRefTest, ExplicitWidthMasks) {
  std::uint8_t size = 0;
  SignalRef r = SignalRef::Of(size, 3);
  r.Set(0xff);
  EXPECT_EQ(size, 7);
  EXPECT_EQ(r.StorageBytes(), 1);
}

TEST(SignalRefTest, WideWordsAreLittleEndian) {
  FakeWide<8> wide;
  SignalRef r = SignalRef::Of(wide);
  EXPECT_EQ(r.width(), 256);
  EXPECT_TRUE(r.IsWide());
  EXPECT_EQ(r.NumWords(), 8);
  std::vector<std::uint8_t> bytes(32);
  for (int i = 0; i < 32; ++i) bytes[i] = static_cast<std::uint8_t>(i + 1);
  r.SetBytes(bytes);
  EXPECT_EQ(wide.words[0], 0x04030201u);
  EXPECT_EQ(wide.words[7], 0x201f1e1du);
  std::vector<std::uint8_t> back(32);
  r.GetBytes(back);
  EXPECT_EQ(back, bytes);
  EXPECT_EQ(r.Get(), 0x0807060504030201u);
  r.Set(0xabcdef);
  EXPECT_EQ(wide.words[0], 0xabcdefu);
  EXPECT_EQ(wide.words[1], 0u);
  EXPECT_EQ(wide.words[7], 0u);
}

TEST(SignalRefTest, WideOddWidthClearsTopBits) {
  FakeWide<4> wide;
  SignalRef r(wide.data(), 100);
  EXPECT_EQ(r.NumWords(), 4);
  EXPECT_EQ(r.ValueBytes(), 13);
  std::vector<std::uint8_t> ones(16, 0xff);
  r.SetBytes(ones);
  EXPECT_EQ(wide.words[2], 0xffffffffu);
  EXPECT_EQ(wide.words[3], 0xfu);
}

TEST(SignalRefTest, BytesOfNarrowSignal) {
  std::uint32_t w = 0;
  SignalRef r = SignalRef::Of(w);
  const std::uint8_t in[4] = {0x11, 0x22, 0x33, 0x44};
  r.SetBytes(in);
  EXPECT_EQ(w, 0x44332211u);
  std::uint8_t out[6];
  r.GetBytes(out);
  EXPECT_EQ(out[0], 0x11);
  EXPECT_EQ(out[3], 0x44);
  EXPECT_EQ(out[4], 0);
}

TEST(SignalRefTest, UnboundRef) {
  SignalRef r;
  EXPECT_FALSE(r.IsBound());
  EXPECT_EQ(r.Get(), 0u);
  EXPECT_THROW(r.Set(1), std::logic_error);
}

}  // namespace
}  // namespace npu::bus
