// Speed of the instruction-level simulator on a 512x512x512 int8 GEMM on the
// default configuration; the result is checked against plain loops.
//
// Usage: npu_iss_bench [M N K]   (multiples of DIM; defaults 512 512 512)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "sw/gen/npu_configs.h"
#include "sw/gen/npu_isa.h"
#include "sw/isa/stream.h"
#include "sw/iss/iss.h"
#include "sw/numerics/numerics.h"
#include "sw/runtime/memory.h"

namespace {

using npu::isa::ComputeInstr;
using npu::isa::LoadInstr;
using npu::isa::StoreInstr;
using npu::isa::Word;

int Main(int argc, char** argv) {
  const npu::HwConfig& cfg = *npu::FindHwConfig(npu::kDefaultHwConfig);
  const uint32_t d = cfg.dim;
  const uint32_t m_size = argc > 3 ? static_cast<uint32_t>(std::atoi(argv[1])) : 512;
  const uint32_t n_size = argc > 3 ? static_cast<uint32_t>(std::atoi(argv[2])) : 512;
  const uint32_t k_size = argc > 3 ? static_cast<uint32_t>(std::atoi(argv[3])) : 512;
  const uint32_t kc = k_size / d, ng = n_size / d;
  const uint32_t m_tile = 128;  // A rows per tile: kc * m_tile rows must fit in A
  if (m_size % m_tile || n_size % d || k_size % d || kc > 255 || kc * m_tile > cfg.spad_a ||
      kc * d > cfg.spad_b || ng * 9 > cfg.spad_p) {
    std::fprintf(stderr, "unsupported sizes\n");
    return 2;
  }

  // Layout: A [K/d][M][d], B [N/d][K/d][d k][d n], params 9 rows per group,
  // C [N/d][M][d].
  const uint32_t base = 0x10000000;
  const uint32_t a_addr = base + 0x100000;
  const uint32_t b_addr = a_addr + m_size * k_size;
  const uint32_t p_addr = b_addr + k_size * n_size;
  const uint32_t c_addr = p_addr + ng * 9 * d;
  npu::runtime::DeviceMemory mem(base, c_addr + m_size * n_size - base);
  std::mt19937 rng(1);
  std::vector<int8_t> a(size_t{m_size} * k_size), b(size_t{k_size} * n_size);
  for (auto& v : a) v = static_cast<int8_t>(rng() % 256 - 128);
  for (auto& v : b) v = static_cast<int8_t>(rng() % 255 - 127);
  auto data = mem.Data();
  for (uint32_t i = 0; i < m_size; ++i) {
    for (uint32_t k = 0; k < k_size; ++k) {
      data[a_addr - base + (size_t{k / d} * m_size + i) * d + k % d] =
          static_cast<uint8_t>(a[size_t{i} * k_size + k]);
    }
  }
  for (uint32_t k = 0; k < k_size; ++k) {
    for (uint32_t n = 0; n < n_size; ++n) {
      data[b_addr - base + ((size_t{n / d} * kc + k / d) * d + k % d) * d + n % d] =
          static_cast<uint8_t>(b[size_t{k} * n_size + n]);
    }
  }
  // Bias 0, multiplier 2^30 (0.5), shift -8: out = acc / 512 rounded.
  for (uint32_t g = 0; g < ng; ++g) {
    for (uint32_t l = 0; l < d; ++l) {
      mem.Write32(p_addr + (g * 9 + 4) * d + 4 * l, 1u << 30);
      data[p_addr - base + (g * 9 + 8) * d + l] = static_cast<uint8_t>(-8);
    }
  }

  std::vector<Word> prog;
  LoadInstr lp;
  lp.spad = 2, lp.sy = 1, lp.sx = 1, lp.nc = 1, lp.src_addr = p_addr, lp.h = 1;
  lp.w = ng * 9, lp.ny = 1, lp.nx = ng * 9;
  prog.push_back(lp.Encode());
  bool first = true;
  for (uint32_t mi = 0; mi < m_size / m_tile; ++mi) {
    for (uint32_t nj = 0; nj < ng; ++nj) {
      // Load the A tile (with the first B tile of a row of tiles), then B.
      // Every load after the first waits until compute released the
      // scratchpads; compute waits for the store of the previous tile.
      if (nj == 0) {
        LoadInstr la;
        la.deps.wait_next = !first;
        la.spad = 0, la.sy = 1, la.sx = 1, la.nc = static_cast<uint32_t>(kc);
        la.src_addr = a_addr + mi * m_tile * d, la.src_c_stride = m_size * d;
        la.dst_c_stride = m_tile, la.h = 1, la.w = m_tile, la.ny = 1, la.nx = m_tile;
        prog.push_back(la.Encode());
      }
      LoadInstr lb;
      lb.deps.wait_next = !first && nj != 0;
      lb.deps.signal_next = true;
      lb.spad = 1, lb.sy = 1, lb.sx = 1, lb.nc = 1, lb.src_addr = b_addr + nj * kc * d * d;
      lb.h = 1, lb.w = kc * d, lb.ny = 1, lb.nx = kc * d;
      prog.push_back(lb.Encode());
      ComputeInstr c;
      c.deps = {true, !first, true, true};
      c.a_row = 0, c.b_row = 0, c.acc_row = 0, c.m = m_tile, c.nk = kc, c.a_k_stride = m_tile;
      prog.push_back(c.Encode());
      StoreInstr s;
      s.deps.wait_prev = true;
      s.deps.signal_prev = true;
      s.act_min = -128, s.act_max = 127;
      s.dst_addr = c_addr + (nj * m_size + mi * m_tile) * d, s.acc_row = 0;
      s.p_row = nj * 9, s.ny = 1, s.nx = m_tile;
      prog.push_back(s.Encode());
      first = false;
    }
  }
  npu::isa::WriteStream(mem, base, prog);

  npu::iss::Iss iss(cfg);
  const auto t0 = std::chrono::steady_clock::now();
  const auto result = iss.Run(mem, base, static_cast<uint32_t>(prog.size()));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("iss %s: GEMM %ux%ux%u, %zu instructions, %llu MACs in %.3f s (%.2f GMAC/s): %s\n",
              std::string(cfg.name).c_str(), m_size, n_size, k_size, prog.size(),
              static_cast<unsigned long long>(result.stats.macs), secs,
              static_cast<double>(result.stats.macs) / secs * 1e-9,
              result.status.Describe().c_str());
  if (!result.status.ok) return 1;

  // Check against plain loops.
  for (uint32_t i = 0; i < m_size; ++i) {
    for (uint32_t n = 0; n < n_size; ++n) {
      int32_t acc = 0;
      for (uint32_t k = 0; k < k_size; ++k)
        acc += a[size_t{i} * k_size + k] * b[size_t{k} * n_size + n];
      const int8_t q = npu::Requantize(acc, 0, 1 << 30, -8, 0, -128, 127);
      const auto got =
          static_cast<int8_t>(data[c_addr - base + (size_t{n / d} * m_size + i) * d + n % d]);
      if (got != q) {
        std::printf("MISMATCH at (%u, %u): %d != %d\n", i, n, got, q);
        return 1;
      }
    }
  }
  std::printf("result matches the reference loops\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Main(argc, argv); }
