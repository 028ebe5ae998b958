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

/// Fixed cost of one tile of a window or flat layer in the estimates:
/// instruction issue, the token round trips and the memory latency that
/// double buffering does not hide; a heuristic that only steers the choice.
constexpr uint64_t kStepOverhead = 32;
/// Estimated cycles of one store instruction beyond its rows.
constexpr uint64_t kStoreOverhead = 8;
/// Smallest piece (rows) the flat tilings split a plane into for pipelining.
constexpr uint64_t kMinPiece = 64;

/// Picks among @p candidates: within 1/kSlackDivisor of the fastest
/// estimate, the smallest @p key.
template <typename T, typename Key>
const T& PickFastest(const std::vector<T>& candidates, Key key) {
  uint64_t fastest = candidates.front().est_cycles;
  for (const T& t : candidates) fastest = std::min(fastest, t.est_cycles);
  const uint64_t limit = fastest + fastest / kSlackDivisor;
  const T* best = nullptr;
  for (const T& t : candidates) {
    if (t.est_cycles <= limit && (best == nullptr || key(t) < key(*best))) best = &t;
  }
  return *best;
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

bool FitsWindowCapacity(const WindowGeometry& g, const HwConfig& hw, const WindowTiling& t) {
  if (t.toh < 1 || t.tow < 1 || t.nct < 1 || t.nct > 255) return false;
  const uint64_t ih = static_cast<uint64_t>(g.TileRows(t.toh));
  const uint64_t iw = static_cast<uint64_t>(g.TileCols(t.tow));
  const uint64_t nct = static_cast<uint64_t>(t.nct);
  const uint64_t taps = static_cast<uint64_t>(g.Taps());
  const bool b_ok = !g.weights || (t.b_resident ? static_cast<uint64_t>(g.ncb) * taps <= hw.spad_b
                                                : nct * taps <= hw.spad_b / 2);
  return iw <= hw.window_cols && nct * ih * iw <= hw.spad_a / 2 &&
         nct * t.toh * t.tow <= hw.acc / 2 && b_ok;
}

void EvaluateWindowTiling(const WindowGeometry& g, WindowTiling& t) {
  t.th = CeilDiv(g.oh, t.toh);
  t.tw = CeilDiv(g.ow, t.tow);
  t.ct = CeilDiv(g.ncb, t.nct);
  const uint64_t blocks = static_cast<uint64_t>(CeilDiv(g.kh, 3)) * CeilDiv(g.kw, 3);
  // Per plane: the drain before and the reads of a depthwise plane's taps.
  const uint64_t plane_overhead = g.weights ? static_cast<uint64_t>(g.Taps()) + 8 : 2;
  const int last_h = g.oh - (t.th - 1) * t.toh, last_w = g.ow - (t.tw - 1) * t.tow;
  const int last_c = g.ncb - (t.ct - 1) * t.nct;
  t.a_rows = t.window_cycles = t.store_rows = t.est_cycles = 0;
  for (int fy = 0; fy < 2; ++fy) {
    for (int fx = 0; fx < 2; ++fx) {
      for (int fc = 0; fc < 2; ++fc) {
        const uint64_t count =
            static_cast<uint64_t>(fy ? 1 : t.th - 1) * (fx ? 1 : t.tw - 1) * (fc ? 1 : t.ct - 1);
        if (count == 0) continue;
        const uint64_t nyp = fy ? last_h : t.toh, nxp = fx ? last_w : t.tow;
        const uint64_t ncc = fc ? last_c : t.nct;
        const uint64_t in_rows = static_cast<uint64_t>(g.TileRows(static_cast<int>(nyp))) *
                                 g.TileCols(static_cast<int>(nxp));
        const uint64_t load = ncc * in_rows;
        const uint64_t window = ncc * (std::max(in_rows, nyp * nxp * blocks) + plane_overhead);
        const uint64_t stores = g.shared_params && static_cast<int>(nxp) == g.ow ? 1 : ncc;
        const uint64_t store = ncc * nyp * nxp + stores * kStoreOverhead;
        t.a_rows += count * load;
        t.window_cycles += count * window;
        t.store_rows += count * ncc * nyp * nxp;
        t.est_cycles += count * (std::max({load, window, store}) + kStepOverhead);
      }
    }
  }
  t.b_rows = g.weights ? static_cast<uint64_t>(g.ncb) * g.Taps() : 0;
  // Fill and drain: the first channel group's parameters and weights and
  // the first tile are loaded before the window unit starts; the last
  // tile's stores follow it.
  const uint64_t nct0 = static_cast<uint64_t>(std::min(t.nct, g.ncb));
  const uint64_t first =
      nct0 * (g.TileRows(std::min(t.toh, g.oh)) * g.TileCols(std::min(t.tow, g.ow)) +
              (g.shared_params ? 0 : isa::param::kRequantRows) + (g.weights ? g.Taps() : 0));
  const uint64_t last = static_cast<uint64_t>(last_c) * last_h * last_w;
  t.est_cycles += first + last;
}

WindowTiling ChooseWindowTiling(const WindowGeometry& g, const HwConfig& hw) {
  WindowTiling base;
  // Whole output rows when the input row fits the line buffers.
  const int tow_max = std::min(g.ow, (static_cast<int>(hw.window_cols) - g.kw) / g.sx + 1);
  if (tow_max < 1) throw std::invalid_argument("window wider than the line buffers");
  base.tow = CeilDiv(g.ow, CeilDiv(g.ow, tow_max));
  base.b_resident =
      g.weights && static_cast<uint64_t>(g.ncb) * g.Taps() <= static_cast<uint64_t>(hw.spad_b);
  const uint64_t iw = static_cast<uint64_t>(g.TileCols(base.tow));
  std::vector<WindowTiling> candidates;
  for (int nct : BalancedSizes(g.ncb)) {
    if (nct > 255) continue;
    const uint64_t rows_a = hw.spad_a / 2 / (static_cast<uint64_t>(nct) * iw);
    const uint64_t toh_acc = hw.acc / 2 / (static_cast<uint64_t>(nct) * base.tow);
    if (rows_a < static_cast<uint64_t>(g.kh) || toh_acc < 1) continue;
    const int toh_max = static_cast<int>(
        std::min<uint64_t>({static_cast<uint64_t>(g.oh), (rows_a - g.kh) / g.sy + 1, toh_acc}));
    for (int m = toh_max; m >= 1; m /= 2) {
      WindowTiling t = base;
      t.nct = nct;
      t.toh = CeilDiv(g.oh, CeilDiv(g.oh, m));
      if (!FitsWindowCapacity(g, hw, t)) continue;
      EvaluateWindowTiling(g, t);
      candidates.push_back(t);
    }
  }
  if (candidates.empty()) throw std::invalid_argument("no window tiling fits this configuration");
  return PickFastest(candidates, [](const WindowTiling& t) {
    return std::make_tuple(t.a_rows + t.b_rows, t.Tiles(), t.est_cycles);
  });
}

std::string WindowTilingSummary(const WindowGeometry& g, const WindowTiling& t) {
  return "tile " + std::to_string(t.toh) + "x" + std::to_string(t.tow) + " outputs from " +
         std::to_string(g.TileRows(t.toh)) + "x" + std::to_string(g.TileCols(t.tow)) + " inputs, " +
         std::to_string(t.nct) + "/" + std::to_string(g.ncb) + " channel blocks (" +
         std::to_string(t.th) + "x" + std::to_string(t.tw) + "x" + std::to_string(t.ct) + " = " +
         std::to_string(t.Tiles()) + " tiles)" +
         (g.weights ? std::string(", weights ") +
                          (t.b_resident ? "loaded once" : "loaded per channel group")
                    : std::string()) +
         ", A rows loaded " + std::to_string(t.a_rows) + " (" +
         Fixed(static_cast<double>(t.a_rows) /
               static_cast<double>(std::max<uint64_t>(
                   1, static_cast<uint64_t>(g.ncb) * g.TileRows(g.oh) * g.TileCols(g.ow)))) +
         "x the padded input used)";
}

namespace {

/// Fills plane-split counts and the estimate of a flat tiling. @p cost
/// gives the (load, execute, store) cycles of a tile of n planes of a number
/// of rows that ends its planes or not.
template <typename Cost>
void EvaluateFlat(int ncb, FlatTiling& t, Cost cost) {
  t.pieces = static_cast<int>((t.plane + t.rows - 1) / t.rows);
  t.ct = CeilDiv(ncb, t.nct);
  const uint64_t last_rows = t.plane - static_cast<uint64_t>(t.pieces - 1) * t.rows;
  const int last_c = ncb - (t.ct - 1) * t.nct;
  t.est_cycles = 0;
  for (int fp = 0; fp < 2; ++fp) {
    for (int fc = 0; fc < 2; ++fc) {
      const uint64_t count =
          static_cast<uint64_t>(fp ? 1 : t.pieces - 1) * static_cast<uint64_t>(fc ? 1 : t.ct - 1);
      if (count == 0) continue;
      const uint64_t n = static_cast<uint64_t>(fc ? last_c : t.nct);
      const auto [load, exec, store] = cost(n, fp ? last_rows : t.rows, fp == 1);
      t.est_cycles += count * (std::max({load, exec, store}) + kStepOverhead);
    }
  }
  const auto first = cost(static_cast<uint64_t>(t.nct), static_cast<uint64_t>(t.rows), false);
  const auto last = cost(static_cast<uint64_t>(last_c), last_rows, true);
  t.est_cycles += std::get<0>(first) + std::get<2>(last);
}

/// Chooses a flat tiling whose tile holds at most @p cap rows and at most
/// @p max_planes planes.
template <typename Cost>
FlatTiling ChooseFlat(uint64_t plane, int ncb, uint64_t cap, int max_planes, Cost cost) {
  std::vector<FlatTiling> candidates;
  auto add = [&](int nct, uint64_t rows) {
    FlatTiling t;
    t.plane = plane;
    t.nct = nct;
    t.rows = static_cast<int>(rows);
    EvaluateFlat(ncb, t, cost);
    candidates.push_back(t);
  };
  if (plane <= cap) {
    for (int nct : BalancedSizes(ncb)) {
      if (nct <= max_planes && static_cast<uint64_t>(nct) * plane <= cap) add(nct, plane);
    }
  }
  // One plane per tile, split into pieces (the only choice when a plane
  // does not fit): the fewest pieces that fit, and more for pipelining.
  const uint64_t p0 = (plane + cap - 1) / cap;
  for (uint64_t p = std::max<uint64_t>(p0, 2); p <= plane; p *= 2) {
    const uint64_t rows = (plane + p - 1) / p;
    if (p != p0 && rows < kMinPiece) break;
    add(1, rows);
  }
  if (candidates.empty()) add(1, std::min(plane, cap));
  return PickFastest(candidates,
                     [](const FlatTiling& t) { return std::make_tuple(t.Steps(), t.est_cycles); });
}

}  // namespace

FlatTiling ChooseMeanTiling(uint64_t plane, int ncb, const HwConfig& hw) {
  // A tile of whole planes writes one accumulator row per plane.
  const int max_planes = static_cast<int>(std::min<uint64_t>(255, hw.acc / 2));
  return ChooseFlat(plane, ncb, std::min<uint64_t>(hw.spad_a / 2, 65535), max_planes,
                    [](uint64_t n, uint64_t rows, bool last) {
                      return std::make_tuple(n * rows, n * rows + 4,
                                             last ? n + kStoreOverhead : uint64_t{0});
                    });
}

FlatTiling ChooseAddTiling(uint64_t plane, int ncb, const HwConfig& hw) {
  const uint64_t cap = std::min<uint64_t>({hw.spad_a / 2, hw.acc / 2, 65535});
  const uint64_t dim = hw.dim;
  return ChooseFlat(plane, ncb, cap, 255, [dim](uint64_t n, uint64_t rows, bool) {
    // The store reads the residual over the bus the loads use.
    return std::make_tuple(2 * n * rows, n * rows + dim + 4, n * rows + kStoreOverhead);
  });
}

std::string FlatTilingSummary(const FlatTiling& t) {
  std::string s = std::to_string(t.Steps()) + " tiles of ";
  if (t.pieces > 1) {
    s += std::to_string(t.rows) + " rows (" + std::to_string(t.pieces) + " pieces of each " +
         std::to_string(t.plane) + "-row plane)";
  } else {
    s += std::to_string(t.nct) + " planes of " + std::to_string(t.plane) + " rows";
  }
  return s + ", estimate " + std::to_string(t.est_cycles) + " cycles";
}

}  // namespace npu::compiler
