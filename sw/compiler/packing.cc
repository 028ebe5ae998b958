#include "sw/compiler/packing.h"

#include <cstddef>
#include <span>

#include "sw/isa/params.h"

namespace npu::compiler {
std::vector<uint8_t> PackWeights(const ConvLayer& l, int dim) {
  const int ng = Groups(l.cout, dim), cc_n = Groups(l.cin, dim);
  const int kc = l.kh * l.kw * cc_n;
  const size_t d = static_cast<size_t>(dim);
  std::vector<uint8_t> out(static_cast<size_t>(ng) * kc * d * d, 0);
  for (int o = 0; o < l.cout; ++o) {
    const int g = o / dim, col = o % dim;
    for (int ky = 0; ky < l.kh; ++ky) {
      for (int kx = 0; kx < l.kw; ++kx) {
        for (int ci = 0; ci < l.cin; ++ci) {
          const int j = (ky * l.kw + kx) * cc_n + ci / dim, r = ci % dim;
          const size_t src = ((static_cast<size_t>(o) * l.kh + ky) * l.kw + kx) * l.cin + ci;
          const size_t dst = ((static_cast<size_t>(g) * kc + j) * d + r) * d + col;
          out[dst] = static_cast<uint8_t>(l.weights[src]);
        }
      }
    }
  }
  return out;
}

std::vector<int32_t> FoldedBias(const ConvLayer& l) {
  const size_t per_out = static_cast<size_t>(l.kh) * l.kw * l.cin;
  std::vector<int32_t> out(l.cout);
  for (int o = 0; o < l.cout; ++o) {
    // Unsigned arithmetic wraps modulo 2^32 without undefined behaviour.
    uint32_t sum = 0;
    for (size_t i = 0; i < per_out; ++i) {
      sum += static_cast<uint32_t>(static_cast<int32_t>(l.weights[o * per_out + i]));
    }
    const uint32_t b = l.bias.empty() ? 0u : static_cast<uint32_t>(l.bias[o]);
    out[o] = static_cast<int32_t>(b - static_cast<uint32_t>(l.in_zp) * sum);
  }
  return out;
}

std::vector<uint8_t> PackParams(const ConvLayer& l, int dim) {
  namespace param = isa::param;
  const int ng = Groups(l.cout, dim);
  const size_t block = static_cast<size_t>(param::kRequantRows) * dim;
  std::vector<uint8_t> out(static_cast<size_t>(ng) * block, 0);
  const std::vector<int32_t> bias = FoldedBias(l);
  const bool per_tensor = l.multiplier.size() == 1;
  for (int o = 0; o < l.cout; ++o) {
    const std::span<uint8_t> group(out.data() + static_cast<size_t>(o / dim) * block, block);
    const int lane = o % dim;
    const size_t q = per_tensor ? 0 : static_cast<size_t>(o);
    param::Set(group, dim, param::kRequantBias, lane, bias[o]);
    param::Set(group, dim, param::kRequantMult, lane, l.multiplier[q]);
    param::Set(group, dim, param::kRequantShift, lane, l.shift[q]);
  }
  return out;
}

}  // namespace npu::compiler
