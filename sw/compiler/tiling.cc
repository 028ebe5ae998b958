#include "sw/compiler/tiling.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "sw/gen/npu_isa.h"

namespace npu::compiler {
namespace {

/// Estimated extra compute cycles per compute instruction (pipeline fill of
/// the first weight tile); a heuristic that only steers the tile choice.
int ComputeInstrOverhead(int dim) { return dim + 4; }

/// Cycles per loaded row in the estimate: twice the ideal one beat per
/// cycle, so that the chosen tiles stay compute-bound with a 2x margin for
/// memory latency and contention.
constexpr uint64_t kLoadCostFactor = 2;

/// Tilings whose estimate is within 1/kSlackDivisor of the fastest one count
/// as equally fast; among them the one loading the fewest bytes wins.
constexpr uint64_t kSlackDivisor = 32;

int CeilDiv(int a, int b) { return (a + b - 1) / b; }

/// Distinct values of ceil(n / t) for t = 1..n, largest first.
std::vector<int> BalancedSizes(int n) {
  std::vector<int> out;
  for (int t = 1; t <= n; ++t) {
    const int s = CeilDiv(n, t);
    if (out.empty() || out.back() != s) out.push_back(s);
  }
  return out;
}

/// Balanced pixel tile shape with at most @p mt pixels: whole output rows
/// when a row fits, otherwise one row split evenly.
void ShapeFor(const LayerGeometry& g, int mt, Tiling& t) {
  if (g.ow <= mt) {
    t.tow = g.ow;
    const int toh = std::min(g.oh, mt / g.ow);
    t.toh = CeilDiv(g.oh, CeilDiv(g.oh, toh));
  } else {
    t.toh = 1;
    t.tow = CeilDiv(g.ow, CeilDiv(g.ow, mt));
  }
}

std::string Fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", v);
  return buf;
}

}  // namespace

LayerGeometry GeometryOf(const ConvLayer& l, const HwConfig& hw) {
  LayerGeometry g;
  g.dim = static_cast<int>(hw.dim);
  g.oh = l.OutH();
  g.ow = l.OutW();
  g.cc = CeilDiv(l.cin, g.dim);
  g.kc = l.kh * l.kw * g.cc;
  g.ng = CeilDiv(l.cout, g.dim);
  return g;
}

void EvaluateTiling(const LayerGeometry& g, Tiling& t) {
  t.th = CeilDiv(g.oh, t.toh);
  t.tw = CeilDiv(g.ow, t.tow);
  t.kt = CeilDiv(g.kc, t.kct);
  t.gt = CeilDiv(g.ng, t.ngt);
  const uint64_t dim = static_cast<uint64_t>(g.dim);
  const uint64_t f = kLoadCostFactor;
  // Steps come in at most 4 x 2 x 2 shapes (full or edge pixel tile, full
  // or last group tile, full or last K tile); each step is estimated as
  // max(compute, f * its loads, its stores), the units running concurrently.
  struct Kind {
    uint64_t count;
    uint64_t size;
  };
  const uint64_t last_h = g.oh - (t.th - 1) * t.toh, last_w = g.ow - (t.tw - 1) * t.tow;
  const Kind groups[2] = {{static_cast<uint64_t>(t.gt - 1), static_cast<uint64_t>(t.ngt)},
                          {1, static_cast<uint64_t>(g.ng - (t.gt - 1) * t.ngt)}};
  const Kind ktiles[2] = {{static_cast<uint64_t>(t.kt - 1), static_cast<uint64_t>(t.kct)},
                          {1, static_cast<uint64_t>(g.kc - (t.kt - 1) * t.kct)}};
  t.compute_cycles = 0;
  t.est_cycles = 0;
  t.worst_step_ratio = 0;
  bool first_ratio = true;
  auto note_ratio = [&](uint64_t c, uint64_t l) {
    if (l == 0) return;
    const double r = static_cast<double>(c) / static_cast<double>(l);
    if (first_ratio || r < t.worst_step_ratio) t.worst_step_ratio = r;
    first_ratio = false;
  };
  for (int fy = 0; fy < 2; ++fy) {
    for (int fx = 0; fx < 2; ++fx) {
      const uint64_t count = static_cast<uint64_t>(fy ? 1 : t.th - 1) * (fx ? 1 : t.tw - 1);
      if (count == 0) continue;
      const uint64_t mt = (fy ? last_h : t.toh) * (fx ? last_w : t.tow);
      uint64_t tile_time = 0, tile_compute = 0;
      for (int gk = 0; gk < 2; ++gk) {
        for (int kk = 0; kk < 2; ++kk) {
          const uint64_t n = groups[gk].count * ktiles[kk].count;
          if (n == 0) continue;
          const uint64_t ngg = groups[gk].size, nk = ktiles[kk].size;
          const uint64_t c =
              ngg * (nk * std::max(mt, dim) + static_cast<uint64_t>(ComputeInstrOverhead(g.dim)));
          const uint64_t b = t.BResident() ? 0 : nk * dim * ngg;
          const uint64_t a = t.AResident() ? 0 : mt * nk;
          const uint64_t s = kk == 1 ? mt * ngg : 0;
          tile_compute += n * c;
          tile_time += n * std::max({c, f * (a + b), s});
          note_ratio(c, a + b);
        }
      }
      if (t.AResident()) {
        // The A tile is loaded once, in the pixel tile's first step.
        const Kind& g0 = t.gt > 1 ? groups[0] : groups[1];
        const uint64_t ngg = g0.size, nk = static_cast<uint64_t>(g.kc);
        const uint64_t c =
            ngg * (nk * std::max(mt, dim) + static_cast<uint64_t>(ComputeInstrOverhead(g.dim)));
        const uint64_t b = t.BResident() ? 0 : nk * dim * ngg;
        const uint64_t s = mt * ngg;
        tile_time += std::max({c, f * (mt * nk + b), s}) - std::max({c, f * b, s});
        note_ratio(c, mt * nk + b);
      }
      t.compute_cycles += count * tile_compute;
      t.est_cycles += count * tile_time;
    }
  }
  const uint64_t pixels = static_cast<uint64_t>(g.oh) * g.ow;
  const uint64_t tiles = static_cast<uint64_t>(t.th) * t.tw;
  t.a_rows = (t.AResident() ? 1 : t.gt) * pixels * g.kc;
  t.b_rows = (t.BResident() ? 1 : tiles) * static_cast<uint64_t>(g.ng) * g.kc * dim;
  t.load_rows = t.a_rows + t.b_rows + uint64_t{isa::param::kRequantRows} * g.ng;
  t.store_rows = pixels * g.ng;
  // Pipeline fill and drain: the parameters and the first step's tiles are
  // loaded before anything computes; the last tile's stores follow the end.
  const uint64_t first_load = uint64_t{isa::param::kRequantRows} * g.ng +
                              static_cast<uint64_t>(t.Mt()) * t.kct +
                              static_cast<uint64_t>(t.kct) * dim * t.ngt;
  const uint64_t last_store = static_cast<uint64_t>(t.Mt()) * t.ngt;
  t.est_cycles += f * first_load + last_store;
}

bool FitsCapacity(const LayerGeometry& g, const HwConfig& hw, const Tiling& t) {
  const uint64_t mt = static_cast<uint64_t>(t.toh) * t.tow;
  return t.toh >= 1 && t.tow >= 1 && t.kct >= 1 && t.ngt >= 1 && t.ngt <= 255 && mt <= 65535 &&
         mt * t.kct <= hw.spad_a / 2 &&
         static_cast<uint64_t>(t.kct) * g.dim * t.ngt <= hw.spad_b / 2 && mt * t.ngt <= hw.acc / 2;
}

Tiling ChooseTiling(const ConvLayer& layer, const HwConfig& hw) {
  const LayerGeometry g = GeometryOf(layer, hw);
  std::vector<Tiling> candidates;
  for (int kct : BalancedSizes(g.kc)) {
    if (static_cast<uint64_t>(kct) > hw.spad_a / 2 ||
        static_cast<uint64_t>(kct) * g.dim > hw.spad_b / 2) {
      continue;
    }
    for (int ngt : BalancedSizes(g.ng)) {
      if (ngt > 255 || static_cast<uint64_t>(kct) * g.dim * ngt > hw.spad_b / 2 ||
          static_cast<uint32_t>(ngt) > hw.acc / 2) {
        continue;
      }
      const int mt_max = static_cast<int>(std::min<uint64_t>(
          {hw.spad_a / 2 / kct, hw.acc / 2 / ngt, 65535, static_cast<uint64_t>(g.oh) * g.ow}));
      // The largest pixel tile, and smaller ones that may pipeline better.
      for (int mt = mt_max; mt >= 1; mt /= 2) {
        Tiling t;
        t.kct = kct;
        t.ngt = ngt;
        ShapeFor(g, mt, t);
        if (!FitsCapacity(g, hw, t)) continue;
        EvaluateTiling(g, t);
        candidates.push_back(t);
      }
    }
  }
  if (candidates.empty()) throw std::invalid_argument("no tiling fits this configuration");
  // Among the tilings within kSlack of the fastest estimate, load the fewest
  // bytes (most MACs per loaded byte), then the fewest steps (larger tiles,
  // fewer instructions), then the fastest.
  uint64_t fastest = candidates.front().est_cycles;
  for (const Tiling& t : candidates) fastest = std::min(fastest, t.est_cycles);
  const uint64_t limit = fastest + fastest / kSlackDivisor;
  auto key = [](const Tiling& t) {
    return std::make_tuple(t.load_rows, static_cast<uint64_t>(t.th) * t.tw * t.gt * t.kt,
                           t.est_cycles);
  };
  const Tiling* best = nullptr;
  for (const Tiling& t : candidates) {
    if (t.est_cycles <= limit && (best == nullptr || key(t) < key(*best))) best = &t;
  }
  return *best;
}

std::string TilingSummary(const LayerGeometry& g, const Tiling& t) {
  const uint64_t steps = static_cast<uint64_t>(t.th) * t.tw * t.gt * t.kt;
  const double ratio =
      t.load_rows ? static_cast<double>(t.compute_cycles) / static_cast<double>(t.load_rows) : 0;
  std::string s = "pixel tile " + std::to_string(t.toh) + "x" + std::to_string(t.tow) + " (Mt " +
                  std::to_string(t.Mt()) + ", " + std::to_string(t.th * t.tw) + " tiles), k tile " +
                  std::to_string(t.kct) + "/" + std::to_string(g.kc) + " chunks (" +
                  std::to_string(t.kt) + " tiles), group tile " + std::to_string(t.ngt) + "/" +
                  std::to_string(g.ng) + " (" + std::to_string(t.gt) + " tiles), " +
                  std::to_string(steps) + " steps, A " +
                  (t.AResident() ? "resident per pixel tile" : "reloaded per step") + ", B " +
                  (t.BResident() ? "loaded once" : "reloaded per step") + ", compute/load " +
                  Fixed(ratio) + " overall, " + Fixed(t.worst_step_ratio) + " in the worst step";
  return s;
}

}  // namespace npu::compiler
