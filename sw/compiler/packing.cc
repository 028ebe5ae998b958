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
  if (l.residual) {
    const std::vector<uint8_t> add = PackAddBlock(*l.residual, dim);
    out.insert(out.end(), add.begin(), add.end());
  }
  return out;
}

std::vector<uint8_t> PackDepthwiseWeights(const DepthwiseLayer& l, int dim) {
  const int ncb = Groups(l.c, dim), taps = l.kh * l.kw;
  const size_t d = static_cast<size_t>(dim);
  std::vector<uint8_t> out(static_cast<size_t>(ncb) * taps * d, 0);
  for (int t = 0; t < taps; ++t) {
    for (int ch = 0; ch < l.c; ++ch) {
      const size_t dst = (static_cast<size_t>(ch / dim) * taps + t) * d + ch % dim;
      out[dst] = static_cast<uint8_t>(l.weights[static_cast<size_t>(t) * l.c + ch]);
    }
  }
  return out;
}

std::vector<int32_t> FoldedBias(const DepthwiseLayer& l) {
  const int taps = l.kh * l.kw;
  std::vector<int32_t> out(l.c);
  for (int ch = 0; ch < l.c; ++ch) {
    uint32_t sum = 0;  // wraps modulo 2^32 without undefined behaviour
    for (int t = 0; t < taps; ++t) {
      sum +=
          static_cast<uint32_t>(static_cast<int32_t>(l.weights[static_cast<size_t>(t) * l.c + ch]));
    }
    const uint32_t b = l.bias.empty() ? 0u : static_cast<uint32_t>(l.bias[ch]);
    out[ch] = static_cast<int32_t>(b - static_cast<uint32_t>(l.in_zp) * sum);
  }
  return out;
}

std::vector<uint8_t> PackParams(const DepthwiseLayer& l, int dim) {
  namespace param = isa::param;
  const size_t block = static_cast<size_t>(param::kRequantRows) * dim;
  std::vector<uint8_t> out(static_cast<size_t>(Groups(l.c, dim)) * block, 0);
  const std::vector<int32_t> bias = FoldedBias(l);
  const bool per_tensor = l.multiplier.size() == 1;
  for (int ch = 0; ch < l.c; ++ch) {
    const std::span<uint8_t> group(out.data() + static_cast<size_t>(ch / dim) * block, block);
    const int lane = ch % dim;
    const size_t q = per_tensor ? 0 : static_cast<size_t>(ch);
    param::Set(group, dim, param::kRequantBias, lane, bias[ch]);
    param::Set(group, dim, param::kRequantMult, lane, l.multiplier[q]);
    param::Set(group, dim, param::kRequantShift, lane, l.shift[q]);
  }
  return out;
}

std::vector<uint8_t> PackRequantBlock(int32_t bias, const QuantizedMultiplier& m, int dim) {
  namespace param = isa::param;
  std::vector<uint8_t> out(static_cast<size_t>(param::kRequantRows) * dim, 0);
  const std::span<uint8_t> block(out);
  for (int lane = 0; lane < dim; ++lane) {
    param::Set(block, dim, param::kRequantBias, lane, bias);
    param::Set(block, dim, param::kRequantMult, lane, m.multiplier);
    param::Set(block, dim, param::kRequantShift, lane, m.shift);
  }
  return out;
}

std::vector<uint8_t> PackIdentityRequant(int dim) {
  return PackRequantBlock(0, QuantizedMultiplier{1 << 30, 1}, dim);
}

std::vector<uint8_t> PackAddBlock(const AddParams& p, int dim) {
  namespace param = isa::param;
  std::vector<uint8_t> out(static_cast<size_t>(param::kAddRows) * dim, 0);
  const std::span<uint8_t> block(out);
  for (int lane = 0; lane < dim; ++lane) {
    param::Set(block, dim, param::kAddIn1Mult, lane, p.input1.multiplier);
    param::Set(block, dim, param::kAddIn2Mult, lane, p.input2.multiplier);
    param::Set(block, dim, param::kAddOutMult, lane, p.output.multiplier);
    param::Set(block, dim, param::kAddIn1Shift, lane, p.input1.shift);
    param::Set(block, dim, param::kAddIn2Shift, lane, p.input2.shift);
    param::Set(block, dim, param::kAddOutShift, lane, p.output.shift);
    param::Set(block, dim, param::kAddIn1Zp, lane, -p.input1_offset);
    param::Set(block, dim, param::kAddIn2Zp, lane, -p.input2_offset);
    param::Set(block, dim, param::kAddOutZp, lane, p.output_offset);
    param::Set(block, dim, param::kAddActMin, lane, p.act_min);
    param::Set(block, dim, param::kAddActMax, lane, p.act_max);
  }
  return out;
}

std::vector<uint8_t> PackIdentityWeights(int dim) {
  const size_t d = static_cast<size_t>(dim);
  std::vector<uint8_t> out(d * d, 0);
  for (size_t r = 0; r < d; ++r) out[r * d + r] = 1;
  return out;
}

int32_t MeanBias(const MeanLayer& l) {
  const uint32_t count = static_cast<uint32_t>(static_cast<uint64_t>(l.h) * l.w);
  return static_cast<int32_t>(0u - count * static_cast<uint32_t>(l.in_zp));
}

}  // namespace npu::compiler
