#include "sw/runtime/backend.h"

#include <gtest/gtest.h>

#include "sw/gen/npu_regs.h"

namespace npu::runtime {
namespace {

TEST(RunStatusTest, DescribeOk) { EXPECT_EQ(RunStatus{}.Describe(), "ok"); }

TEST(RunStatusTest, DescribeIllegalInstr) {
  RunStatus s{false, regs::kErrCauseIllegalInstrMask, 7, 0};
  EXPECT_EQ(s.Describe(), "illegal_instr at pc 7");
}

TEST(RunStatusTest, DescribeAddrRangeShowsAddress) {
  RunStatus s{false, regs::kErrCauseAddrRangeMask, 3, 0x10000400};
  EXPECT_EQ(s.Describe(), "addr_range at pc 3, address 0x10000400");
  s.err_cause = regs::kErrCauseAxiRespMask;
  EXPECT_EQ(s.Describe(), "axi_resp at pc 3, address 0x10000400");
}

TEST(RunStatusTest, ErrCauseNames) {
  EXPECT_EQ(ErrCauseNames(0), "none");
  EXPECT_EQ(ErrCauseNames(regs::kErrCauseWatchdogMask | regs::kErrCauseIllegalInstrMask),
            "illegal_instr|watchdog");
  EXPECT_EQ(ErrCauseNames(regs::kErrCauseQueueOverflowMask | (1u << 9)), "queue_overflow|bit9");
}

}  // namespace
}  // namespace npu::runtime
