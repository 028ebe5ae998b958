#include "sw/isa/window_rules.h"

#include <gtest/gtest.h>

namespace npu::isa {
namespace {

WindowInstr Window(WindowMode mode, uint32_t k, uint32_t s, uint32_t ih, uint32_t iw, uint32_t oh,
                   uint32_t ow) {
  WindowInstr w;
  w.mode = mode;
  w.kh = w.kw = k;
  w.sy = w.sx = s;
  w.nc = 1;
  w.ih = ih;
  w.iw = iw;
  w.oh = oh;
  w.ow = ow;
  return w;
}

TEST(WindowRulesTest, KernelAndStrideAgainstTheUnitsLimit) {
  EXPECT_EQ(CheckWindowKernel(Window(WindowMode::kDw, 3, 1, 5, 5, 3, 3), 3),
            WindowKernelFault::kNone);
  EXPECT_EQ(CheckWindowKernel(Window(WindowMode::kMax, 3, 4, 5, 5, 1, 1), 3),
            WindowKernelFault::kAboveLimit);  // the stride too
  EXPECT_EQ(CheckWindowKernel(Window(WindowMode::kAvg, 7, 1, 7, 7, 1, 1), 7),
            WindowKernelFault::kNone);
  WindowInstr w = Window(WindowMode::kDw, 3, 1, 5, 5, 3, 3);
  w.kw = 0;
  EXPECT_EQ(CheckWindowKernel(w, 7), WindowKernelFault::kZero);
  w = Window(WindowMode::kMax, 2, 0, 5, 5, 3, 3);
  EXPECT_EQ(CheckWindowKernel(w, 7), WindowKernelFault::kZero);
  // A zero kernel is illegal even in an instruction with nothing to do.
  w.nc = 0;
  EXPECT_TRUE(WindowIsNoOp(w));
  EXPECT_EQ(CheckWindowKernel(w, 7), WindowKernelFault::kZero);
  // Sum ignores kernel and strides.
  EXPECT_EQ(CheckWindowKernel(Window(WindowMode::kSum, 0, 9, 5, 5, 0, 0), 3),
            WindowKernelFault::kNone);
}

TEST(WindowRulesTest, NoOpsAndTilesThatFit) {
  EXPECT_TRUE(WindowIsNoOp(Window(WindowMode::kDw, 3, 1, 5, 5, 0, 3)));
  EXPECT_FALSE(WindowIsNoOp(Window(WindowMode::kDw, 3, 1, 0, 5, 1, 3)));  // outputs, no tile
  EXPECT_TRUE(WindowIsNoOp(Window(WindowMode::kSum, 0, 0, 0, 5, 1, 1)));
  EXPECT_FALSE(
      WindowIsNoOp(Window(WindowMode::kSum, 0, 0, 2, 5, 0, 0)));  // sum has no outputs field

  EXPECT_TRUE(WindowTileFits(Window(WindowMode::kDw, 3, 2, 7, 7, 3, 3), 64));      // (3-1)*2+3 = 7
  EXPECT_FALSE(WindowTileFits(Window(WindowMode::kDw, 3, 2, 6, 7, 3, 3), 64));     // rows
  EXPECT_FALSE(WindowTileFits(Window(WindowMode::kDw, 3, 2, 7, 6, 3, 3), 64));     // columns
  EXPECT_FALSE(WindowTileFits(Window(WindowMode::kMax, 1, 1, 1, 65, 1, 65), 64));  // line buffers
  EXPECT_FALSE(WindowTileFits(Window(WindowMode::kDw, 3, 1, 0, 5, 1, 3), 64));     // empty tile
  EXPECT_TRUE(WindowTileFits(Window(WindowMode::kSum, 0, 0, 100, 100, 0, 0), 64));
}

}  // namespace
}  // namespace npu::isa
