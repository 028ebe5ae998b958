// An independent formulation of the requantization of the numerics contract
// (docs/numerics.md), for the block benches: sign-magnitude rounding instead
// of gemmlowp's nudge and mask, so that a misreading shared with
// sw/numerics (npu::Requantize, which the golden model and the simulator
// use) would have to be made twice in different ways.
#pragma once

#include <cstdint>
#include <limits>

namespace npu::block {

/// Requantizes one accumulator: (acc + bias) wrapping, shifted left by
/// max(shift, 0) (wrapping), multiplied by the Q31 multiplier `mult` with
/// rounding half up (saturating the one overflow, INT32_MIN * INT32_MIN),
/// divided by 2^max(-shift, 0) rounding half away from zero, plus `zp`
/// (wrapping), clamped to [lo, hi].
inline int8_t RequantizeIndependent(int32_t acc, int32_t bias, int32_t mult, int shift, int zp,
                                    int lo, int hi) {
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  const auto v = static_cast<uint32_t>(acc) + static_cast<uint32_t>(bias);
  const uint32_t x_u = shift > 0 ? v << shift : v;
  const auto x = static_cast<int32_t>(x_u);
  // round(x * mult / 2^31) with ties toward +infinity is
  // floor((x * mult + 2^30) / 2^31).
  int64_t p;
  if (x == kMin && mult == kMin) {
    p = kMax;
  } else {
    const int64_t ab = int64_t{x} * int64_t{mult};
    // |ab| <= 2^62, so adding 2^30 cannot overflow; >> floors (C++20).
    p = (ab + (int64_t{1} << 30)) >> 31;
  }
  // The rounding divide rounds |p| half up and restores the sign.
  const int e = shift < 0 ? -shift : 0;
  int64_t r = p;
  if (e > 0) {
    const int64_t mag = p < 0 ? -p : p;
    const int64_t rm = (mag + (int64_t{1} << (e - 1))) >> e;
    r = p < 0 ? -rm : rm;
  }
  const auto y = static_cast<int32_t>(static_cast<uint32_t>(r) + static_cast<uint32_t>(zp));
  if (y < lo) return static_cast<int8_t>(lo);
  if (hi < y) return static_cast<int8_t>(hi);
  return static_cast<int8_t>(y);
}

}  // namespace npu::block
