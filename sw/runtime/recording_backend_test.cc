#include "sw/runtime/recording_backend.h"

#include <gtest/gtest.h>

namespace npu::runtime {
namespace {

/// A backend whose "stream" adds num_instr to the byte at stream_addr and
/// fails on a stream of 0 instructions: enough to see what is recorded.
class FakeBackend : public Backend {
 public:
  std::string Name() const override { return "fake"; }
  const HwConfig& Config() const override { return kHwConfigs[0]; }
  RunResult Run(DeviceMemory& mem, uint32_t addr, uint32_t n) override {
    RunResult r;
    r.stats.instructions = n;
    if (n == 0) {
      r.status = {false, 1, 0, addr};
      return r;
    }
    uint8_t v = 0;
    mem.Read(addr, std::span(&v, 1));
    v = static_cast<uint8_t>(v + n);
    mem.Write(addr, std::span(&v, 1));
    return r;
  }
};

TEST(RecordingBackendTest, RecordsMemoryBeforeAndAfterEachCall) {
  RecordingBackend rec(std::make_unique<FakeBackend>());
  EXPECT_EQ(rec.Name(), "fake");
  DeviceMemory mem(0x1000, 16);
  mem.Fill(0x1000, 16, 5);

  const RunResult one = rec.Run(mem, 0x1002, 3);
  EXPECT_TRUE(one.status.ok);
  const StreamRef streams[] = {{0x1004, 1}, {0x1004, 2}, {0x1008, 0}, {0x100a, 7}};
  const auto results = rec.RunStreams(mem, streams);
  ASSERT_EQ(results.size(), 3u);  // stops after the failing stream

  ASSERT_EQ(rec.Phases().size(), 2u);
  const RecordedPhase& p0 = rec.Phases()[0];
  EXPECT_EQ(p0.base, 0x1000u);
  EXPECT_EQ(p0.before, std::vector<uint8_t>(16, 5));
  ASSERT_EQ(p0.streams.size(), 1u);
  EXPECT_EQ(p0.streams[0].addr, 0x1002u);
  EXPECT_EQ(p0.after[2], 8);

  const RecordedPhase& p1 = rec.Phases()[1];
  EXPECT_EQ(p1.before, p0.after);
  EXPECT_EQ(p1.streams.size(), 4u);  // what was asked
  ASSERT_EQ(p1.results.size(), 3u);  // what ran
  EXPECT_FALSE(p1.results[2].status.ok);
  EXPECT_EQ(p1.results[1].stats.instructions, 2u);
  EXPECT_EQ(p1.after[4], 8);
  EXPECT_EQ(p1.after[10], 5);  // the stream after the failure never ran
  EXPECT_EQ(std::vector<uint8_t>(mem.Data().begin(), mem.Data().end()), p1.after);

  rec.ClearPhases();
  EXPECT_TRUE(rec.Phases().empty());
}

}  // namespace
}  // namespace npu::runtime
