#include "sw/compiler/compiler.h"

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <sstream>
#include <stdexcept>

#include "sw/compiler/packing.h"
#include "sw/compiler/program_check.h"

namespace npu::compiler {
namespace {

using isa::Spad;
using isa::Unit;
/// Rows of one output group's requantization parameters.
constexpr int kParamRows = isa::param::kRequantRows;
/// Rows of an `add` parameter block.
constexpr int kAddRows = isa::param::kAddRows;
/// Largest plane count of one load instruction (8-bit field).
constexpr int kMaxPlanes = 255;

uint64_t AlignUp(uint64_t v) { return (v + kRegionAlign - 1) / kRegionAlign * kRegionAlign; }

/// Addresses of the data regions (input2: the residual or the add's second
/// operand).
struct Regions {
  uint32_t weights = 0, params = 0, input = 0, input2 = 0, output = 0;
};

/// One step of the schedule: its load group, its compute or window group
/// and, when it ends an output tile, that tile's store group.
struct Step {
  std::vector<isa::LoadInstr> loads;
  std::vector<isa::ComputeInstr> computes;
  std::vector<isa::WindowInstr> windows;
  std::vector<isa::StoreInstr> stores;
  int tile = 0;                ///< Output tile number (its accumulator half is tile % 2).
  bool first_of_tile = false;  ///< First step of its output tile.
};

/// Emits the A loads of one K tile: one instruction per kernel position the
/// tile touches (split when it covers more than 255 channel chunks).
void EmitALoads(const ConvLayer& l, const LayerGeometry& g, uint32_t input, int a_base, int j0,
                int nk, int oy0, int ox0, int nyp, int nxp, std::vector<isa::LoadInstr>& out) {
  const uint64_t plane = static_cast<uint64_t>(l.h) * l.w * g.dim;
  const int mt = nyp * nxp;
  for (int pos = j0 / g.cc; pos * g.cc < j0 + nk; ++pos) {
    const int first = std::max(j0, pos * g.cc) - pos * g.cc;
    const int last = std::min(j0 + nk, (pos + 1) * g.cc) - pos * g.cc;
    const int ky = pos / l.kw, kx = pos % l.kw;
    for (int cc0 = first; cc0 < last; cc0 += kMaxPlanes) {
      const int nc = std::min(kMaxPlanes, last - cc0);
      const int local = pos * g.cc + cc0 - j0;
      isa::LoadInstr li;
      li.spad = Spad::kA;
      li.sy = static_cast<uint32_t>(l.stride_h);
      li.sx = static_cast<uint32_t>(l.stride_w);
      li.pad = l.in_zp;
      li.nc = static_cast<uint32_t>(nc);
      li.src_addr = static_cast<uint32_t>(input + cc0 * plane);
      li.src_c_stride = static_cast<uint32_t>(plane);
      li.src_row_stride = static_cast<uint32_t>(l.w) * g.dim;
      li.dst_row = static_cast<uint32_t>(a_base + local * mt);
      li.dst_c_stride = static_cast<uint32_t>(mt);
      li.h = static_cast<uint32_t>(l.h);
      li.w = static_cast<uint32_t>(l.w);
      li.y0 = oy0 * l.stride_h + ky - l.pad_top;
      li.x0 = ox0 * l.stride_w + kx - l.pad_left;
      li.ny = static_cast<uint32_t>(nyp);
      li.nx = static_cast<uint32_t>(nxp);
      out.push_back(li);
    }
  }
}

/// A plain contiguous copy of @p rows rows in @p nc planes.
isa::LoadInstr RowCopy(Spad spad, uint32_t src, uint32_t src_c_stride, int nc, int rows,
                       int dst_row, int dim) {
  isa::LoadInstr li;
  li.spad = spad;
  li.sy = 1;
  li.sx = 1;
  li.nc = static_cast<uint32_t>(nc);
  li.src_addr = src;
  li.src_c_stride = src_c_stride;
  li.src_row_stride = static_cast<uint32_t>(rows) * dim;
  li.dst_row = static_cast<uint32_t>(dst_row);
  li.dst_c_stride = static_cast<uint32_t>(rows);
  li.h = 1;
  li.w = static_cast<uint32_t>(rows);
  li.ny = 1;
  li.nx = static_cast<uint32_t>(rows);
  return li;
}

std::vector<Step> BuildSteps(const ConvLayer& l, const LayerGeometry& g, const Tiling& t,
                             const HwConfig& hw, const Regions& r) {
  const int dim = g.dim;
  const int a_half = static_cast<int>(hw.spad_a / 2), b_half = static_cast<int>(hw.spad_b / 2);
  const int acc_half = static_cast<int>(hw.acc / 2);
  const uint64_t out_plane = static_cast<uint64_t>(g.oh) * g.ow * dim;
  const uint64_t chunk_bytes = static_cast<uint64_t>(dim) * dim;
  std::vector<Step> steps;
  int a_loads = 0, b_loads = 0, a_base = 0, b_base = 0, tile = 0;
  long prev_a = -1, prev_b = -1;  // identities of the resident A and B tiles
  for (int ty = 0; ty < t.th; ++ty) {
    const int oy0 = ty * t.toh, nyp = std::min(t.toh, g.oh - oy0);
    for (int tx = 0; tx < t.tw; ++tx) {
      const int ox0 = tx * t.tow, nxp = std::min(t.tow, g.ow - ox0), mt = nyp * nxp;
      const long p = static_cast<long>(ty) * t.tw + tx;
      for (int gi = 0; gi < t.gt; ++gi, ++tile) {
        const int g0 = gi * t.ngt, ngg = std::min(t.ngt, g.ng - g0);
        const int acc_base = (tile % 2) * acc_half;
        for (int ki = 0; ki < t.kt; ++ki) {
          const int j0 = ki * t.kct, nk = std::min(t.kct, g.kc - j0);
          Step st;
          st.tile = tile;
          st.first_of_tile = ki == 0;
          if (steps.empty()) {
            const int p_rows = kParamRows * g.ng + (l.residual ? kAddRows : 0);
            st.loads.push_back(RowCopy(Spad::kP, r.params, 0, 1, p_rows, 0, dim));
          }
          if (const long id = p * t.kt + ki; id != prev_a) {
            prev_a = id;
            a_base = (a_loads++ % 2) * a_half;
            EmitALoads(l, g, r.input, a_base, j0, nk, oy0, ox0, nyp, nxp, st.loads);
          }
          if (const long id = static_cast<long>(gi) * t.kt + ki; id != prev_b) {
            prev_b = id;
            b_base = (b_loads++ % 2) * b_half;
            const auto src = static_cast<uint32_t>(
                r.weights + (static_cast<uint64_t>(g0) * g.kc + j0) * chunk_bytes);
            st.loads.push_back(RowCopy(Spad::kB, src, static_cast<uint32_t>(g.kc * chunk_bytes),
                                       ngg, nk * dim, b_base, dim));
          }
          for (int i = 0; i < ngg; ++i) {
            isa::ComputeInstr ci;
            ci.accumulate = ki > 0 ? 1 : 0;
            ci.a_row = static_cast<uint32_t>(a_base);
            ci.b_row = static_cast<uint32_t>(b_base + i * nk * dim);
            ci.acc_row = static_cast<uint32_t>(acc_base + i * mt);
            ci.m = static_cast<uint32_t>(mt);
            ci.nk = static_cast<uint32_t>(nk);
            ci.a_k_stride = static_cast<uint32_t>(mt);
            st.computes.push_back(ci);
          }
          if (ki == t.kt - 1) {
            for (int i = 0; i < ngg; ++i) {
              isa::StoreInstr si;
              si.out_zp = l.out_zp;
              si.act_min = l.act_min;
              si.act_max = l.act_max;
              const uint64_t offset =
                  (g0 + i) * out_plane + (static_cast<uint64_t>(oy0) * g.ow + ox0) * dim;
              si.dst_addr = static_cast<uint32_t>(r.output + offset);
              si.dst_row_stride = static_cast<uint32_t>(g.ow) * dim;
              if (l.residual) {
                // The residual sits where the output does, in input 2.
                si.add = 1;
                si.res_addr = static_cast<uint32_t>(r.input2 + offset);
                si.res_row_stride = si.dst_row_stride;
                si.add_p_row = static_cast<uint32_t>(kParamRows * g.ng);
              }
              si.acc_row = static_cast<uint32_t>(acc_base + i * mt);
              si.p_row = static_cast<uint32_t>(kParamRows * (g0 + i));
              si.ny = static_cast<uint32_t>(nyp);
              si.nx = static_cast<uint32_t>(nxp);
              st.stores.push_back(si);
            }
          }
          steps.push_back(std::move(st));
        }
      }
    }
  }
  return steps;
}

/// Sets the dependency flags (sw/compiler/README.md, "Dependency tokens");
/// @p exec is the unit of the middle group (compute or window): a load group
/// waits for the exec group two steps back (the last user of the buffer half
/// it overwrites) and signals its exec group; an exec group waits for its
/// load group and, at the start of an output tile that reuses an
/// accumulator half, for the store group two output tiles back; the last
/// exec group of an output tile signals its store group. Every token is
/// given only if its consumer exists, so the program is balanced.
void SetDeps(std::vector<Step>& steps, Unit exec) {
  const uint32_t load_wait = isa::WaitFrom(Unit::kLoad, exec);
  const uint32_t load_signal = isa::SignalTo(Unit::kLoad, exec);
  const uint32_t exec_wait_load = isa::WaitFrom(exec, Unit::kLoad);
  const uint32_t exec_wait_store = isa::WaitFrom(exec, Unit::kStore);
  const uint32_t exec_signal_load = isa::SignalTo(exec, Unit::kLoad);
  const uint32_t exec_signal_store = isa::SignalTo(exec, Unit::kStore);
  const uint32_t store_wait = isa::WaitFrom(Unit::kStore, exec);
  const uint32_t store_signal = isa::SignalTo(Unit::kStore, exec);
  const auto exec_deps = [exec](Step& st, bool first) -> isa::Deps& {
    if (exec == Unit::kCompute) return first ? st.computes.front().deps : st.computes.back().deps;
    return first ? st.windows.front().deps : st.windows.back().deps;
  };
  const size_t n = steps.size();
  const int tiles = steps.empty() ? 0 : steps.back().tile + 1;
  for (size_t s = 0; s < n; ++s) {
    Step& st = steps[s];
    if (!st.loads.empty()) {
      if (s >= 2) st.loads.front().deps.wait |= load_wait;
      st.loads.back().deps.signal |= load_signal;
    }
    isa::Deps& first = exec_deps(st, true);
    isa::Deps& last = exec_deps(st, false);
    if (!st.loads.empty()) first.wait |= exec_wait_load;
    if (st.first_of_tile && st.tile >= 2) first.wait |= exec_wait_store;
    if (s + 2 < n && !steps[s + 2].loads.empty()) last.signal |= exec_signal_load;
    if (!st.stores.empty()) last.signal |= exec_signal_store;
    if (!st.stores.empty()) {
      st.stores.front().deps.wait |= store_wait;
      if (st.tile + 2 < tiles) st.stores.back().deps.signal |= store_signal;
    }
  }
}

void Append(std::vector<isa::Word>& out, const auto& instrs) {
  for (const auto& i : instrs) out.push_back(i.Encode());
}

/// The program in step order: per step its loads, its exec group, its stores.
std::vector<isa::Word> EmitInOrder(const std::vector<Step>& steps) {
  std::vector<isa::Word> out;
  for (const Step& st : steps) {
    Append(out, st.loads);
    Append(out, st.computes);
    Append(out, st.windows);
    Append(out, st.stores);
  }
  return out;
}

/// The program in the order the units run it: loads two steps ahead of
/// their exec group and stores one step behind, i.e. L0 L1 E0 L2 E1 S0 L3
/// E2 S1 ... Fetch dispatches in program order and stalls on a full unit
/// queue, so in this order a long store group does not keep the next tile's
/// load or exec group from being dispatched early. Every token still comes
/// from an earlier instruction: L(k+2) waits for E(k), E(k) for L(k) and for
/// the store group of the output tile two back, which ends at step k-2 or
/// earlier and is emitted after E(k-1).
std::vector<isa::Word> EmitPipelined(const std::vector<Step>& steps) {
  std::vector<isa::Word> out;
  const size_t n = steps.size();
  for (size_t s = 0; s < std::min<size_t>(2, n); ++s) Append(out, steps[s].loads);
  for (size_t k = 0; k < n; ++k) {
    Append(out, steps[k].computes);
    Append(out, steps[k].windows);
    if (k + 2 < n) Append(out, steps[k + 2].loads);
    if (k >= 1) Append(out, steps[k - 1].stores);
  }
  if (n > 0) Append(out, steps[n - 1].stores);
  return out;
}

size_t CountInstructions(const std::vector<Step>& steps) {
  size_t n = 0;
  for (const Step& st : steps) {
    n += st.loads.size() + st.computes.size() + st.windows.size() + st.stores.size();
  }
  return n;
}

void CheckBase(uint32_t base_addr) {
  if (base_addr % kRegionAlign != 0) {
    throw std::invalid_argument("base address " + std::to_string(base_addr) +
                                " is not a multiple of 256");
  }
}

/// Checks the activation addresses of @p io: multiples of DIM, as the load
/// and store address fields must be.
void CheckPlacement(const IoPlacement* io, bool two_inputs, const HwConfig& hw) {
  if (io == nullptr) return;
  const auto check = [&](uint32_t addr, const char* what) {
    if (addr % hw.dim != 0) {
      throw std::invalid_argument(std::string(what) + " address " + std::to_string(addr) +
                                  " is not a multiple of DIM (" + std::to_string(hw.dim) + ")");
    }
  };
  check(io->input, "input");
  if (two_inputs) check(io->input2, "second input");
  check(io->output, "output");
}

/// Bytes of an activation region in the layer's own image: none when the
/// graph compiler places it (@p io set).
uint64_t Own(uint64_t bytes, const IoPlacement* io) { return io != nullptr ? 0 : bytes; }

/// Points the activation regions of @p r at @p io where it is set.
void Place(Regions& r, const IoPlacement* io, bool two_inputs) {
  if (io == nullptr) return;
  r.input = io->input;
  if (two_inputs) r.input2 = io->input2;
  r.output = io->output;
}

/// The regions of a memory image.
struct ImageLayout {
  std::vector<uint32_t> at;  ///< Address of each region.
  uint64_t end = 0;          ///< One past the image (at most 2^32).
};

/// Lays out an image at @p base: the program of @p n_instr instructions,
/// then one region per entry of @p sizes (bytes), each aligned to
/// kRegionAlign.
/// @throws std::invalid_argument if the image does not fit 32-bit addresses.
ImageLayout Layout(uint32_t base, size_t n_instr, std::initializer_list<uint64_t> sizes) {
  ImageLayout l;
  l.end = base + AlignUp(uint64_t{n_instr} * isa::kInstrBytes);
  for (uint64_t size : sizes) {
    if (l.end > (uint64_t{1} << 32)) break;
    l.at.push_back(static_cast<uint32_t>(l.end));
    l.end += AlignUp(size);
  }
  if (l.end > (uint64_t{1} << 32)) {
    throw std::invalid_argument("layer image of at least " + std::to_string(l.end - base) +
                                " bytes at base " + std::to_string(base) +
                                " does not fit 32-bit addresses");
  }
  return l;
}

/// Fills what every compiled layer has: the image bounds, the constants and
/// the byte counts of the program.
void Finish(CompiledLayer& cl, const HwConfig& hw, uint32_t base, uint64_t end,
            std::vector<isa::Word> program) {
  CheckHazards(program, hw);  // also checks the token balance
  cl.program = std::move(program);
  cl.dim = static_cast<int>(hw.dim);
  cl.base = base;
  cl.size = static_cast<uint32_t>(end - base);
  cl.program_addr = base;
  const uint64_t dim = hw.dim;
  for (const isa::Word& w : cl.program) {
    switch (isa::UnitOf(isa::OpcodeOf(w))) {
      case Unit::kLoad: {
        const auto li = isa::LoadInstr::Decode(w);
        cl.load_bytes += static_cast<uint64_t>(li.nc) * li.ny * li.nx * dim;
        break;
      }
      case Unit::kStore: {
        const auto si = isa::StoreInstr::Decode(w);
        cl.store_bytes += static_cast<uint64_t>(si.ny) * si.nx * dim;
        if (si.add) cl.residual_bytes += static_cast<uint64_t>(si.ny) * si.nx * dim;
        break;
      }
      default:
        break;
    }
  }
}

/// The P load of every parameter row, in the first step.
isa::LoadInstr ParamLoad(uint32_t params, int rows, int dim) {
  return RowCopy(Spad::kP, params, 0, 1, rows, 0, dim);
}

// ---------------------------------------------------------------------------
// Window layers: depthwise convolution, max and average pooling.
// ---------------------------------------------------------------------------

/// What a window lowering needs beyond the geometry.
struct WindowOp {
  isa::WindowMode mode = isa::WindowMode::kDw;
  int h = 0, w = 0;                   ///< Input size.
  int pad_top = 0, pad_left = 0;      ///< Top and left padding.
  int32_t pad_value = 0;              ///< Byte the load writes for padding.
  bool whole_tile_in_bounds = false;  ///< avg with count_include_pad.
  int32_t out_zp = 0, act_min = -128, act_max = 127;
};

std::vector<Step> BuildWindowSteps(const WindowOp& op, const WindowGeometry& g,
                                   const WindowTiling& t, const HwConfig& hw, const Regions& r) {
  const int dim = g.dim, taps = g.Taps();
  const int a_half = static_cast<int>(hw.spad_a / 2), b_half = static_cast<int>(hw.spad_b / 2);
  const int acc_half = static_cast<int>(hw.acc / 2);
  const uint64_t in_plane = static_cast<uint64_t>(op.h) * op.w * dim;
  const uint64_t out_plane = static_cast<uint64_t>(g.oh) * g.ow * dim;
  std::vector<Step> steps;
  int b_loads = 0, b_base = 0;
  for (int cg = 0; cg < t.ct; ++cg) {
    const int cb0 = cg * t.nct, ncc = std::min(t.nct, g.ncb - cb0);
    for (int ty = 0; ty < t.th; ++ty) {
      const int oy0 = ty * t.toh, nyp = std::min(t.toh, g.oh - oy0), ih = g.TileRows(nyp);
      const int iy0 = oy0 * g.sy - op.pad_top;
      for (int tx = 0; tx < t.tw; ++tx) {
        const int ox0 = tx * t.tow, nxp = std::min(t.tow, g.ow - ox0), iw = g.TileCols(nxp);
        const int ix0 = ox0 * g.sx - op.pad_left;
        const int step = static_cast<int>(steps.size());
        const int a_base = (step % 2) * a_half, acc_base = (step % 2) * acc_half;
        Step st;
        st.tile = step;
        st.first_of_tile = true;
        if (ty == 0 && tx == 0) {
          // A channel group starts: its parameter blocks (each written once,
          // so the first tile need not wait for all of them; one shared block
          // in the first step) and its weights (at their own rows when all
          // fit B, else into the next B half).
          if (!g.shared_params) {
            st.loads.push_back(RowCopy(
                Spad::kP,
                static_cast<uint32_t>(r.params + static_cast<uint64_t>(cb0) * kParamRows * dim), 0,
                1, ncc * kParamRows, cb0 * kParamRows, dim));
          } else if (step == 0) {
            st.loads.push_back(ParamLoad(r.params, kParamRows, dim));
          }
          if (g.weights) {
            b_base = t.b_resident ? cb0 * taps : (b_loads++ % 2) * b_half;
            st.loads.push_back(
                RowCopy(Spad::kB,
                        static_cast<uint32_t>(r.weights + static_cast<uint64_t>(cb0) * taps * dim),
                        0, 1, ncc * taps, b_base, dim));
          }
        }
        isa::LoadInstr li;
        li.spad = Spad::kA;
        li.sy = 1;
        li.sx = 1;
        li.pad = op.pad_value;
        li.nc = static_cast<uint32_t>(ncc);
        li.src_addr = static_cast<uint32_t>(r.input + cb0 * in_plane);
        li.src_c_stride = static_cast<uint32_t>(in_plane);
        li.src_row_stride = static_cast<uint32_t>(op.w) * dim;
        li.dst_row = static_cast<uint32_t>(a_base);
        li.dst_c_stride = static_cast<uint32_t>(ih * iw);
        li.h = static_cast<uint32_t>(op.h);
        li.w = static_cast<uint32_t>(op.w);
        li.y0 = iy0;
        li.x0 = ix0;
        li.ny = static_cast<uint32_t>(ih);
        li.nx = static_cast<uint32_t>(iw);
        st.loads.push_back(li);

        isa::WindowInstr wi;
        wi.mode = op.mode;
        wi.kh = static_cast<uint32_t>(g.kh);
        wi.kw = static_cast<uint32_t>(g.kw);
        wi.sy = static_cast<uint32_t>(g.sy);
        wi.sx = static_cast<uint32_t>(g.sx);
        wi.nc = static_cast<uint32_t>(ncc);
        wi.a_row = static_cast<uint32_t>(a_base);
        wi.a_c_stride = static_cast<uint32_t>(ih * iw);
        wi.ih = static_cast<uint32_t>(ih);
        wi.iw = static_cast<uint32_t>(iw);
        wi.acc_row = static_cast<uint32_t>(acc_base);
        wi.acc_c_stride = static_cast<uint32_t>(nyp * nxp);
        if (g.weights) {
          wi.b_row = static_cast<uint32_t>(b_base);
          wi.b_c_stride = static_cast<uint32_t>(taps);
        }
        if (op.mode == isa::WindowMode::kAvg) {
          // The tile rows and columns inside the input (all of them with
          // count_include_pad, whose padding holds the zero point).
          const auto inside = [](int from, int n, int size, int& lo, int& hi) {
            lo = std::clamp(-from, 0, n);
            hi = std::clamp(size - from, lo, n);
          };
          int y_lo = 0, y_hi = ih, x_lo = 0, x_hi = iw;
          if (!op.whole_tile_in_bounds) {
            inside(iy0, ih, op.h, y_lo, y_hi);
            inside(ix0, iw, op.w, x_lo, x_hi);
          }
          wi.y_lo = static_cast<uint32_t>(y_lo);
          wi.y_hi = static_cast<uint32_t>(y_hi);
          wi.x_lo = static_cast<uint32_t>(x_lo);
          wi.x_hi = static_cast<uint32_t>(x_hi);
        }
        wi.oh = static_cast<uint32_t>(nyp);
        wi.ow = static_cast<uint32_t>(nxp);
        st.windows.push_back(wi);

        isa::StoreInstr base;
        base.out_zp = op.out_zp;
        base.act_min = op.act_min;
        base.act_max = op.act_max;
        const uint64_t tile_offset = (static_cast<uint64_t>(oy0) * g.ow + ox0) * dim;
        if (g.shared_params && nxp == g.ow) {
          // Whole output rows of every plane with one parameter block: one
          // store, a "row" per plane.
          isa::StoreInstr si = base;
          si.dst_addr = static_cast<uint32_t>(r.output + cb0 * out_plane + tile_offset);
          si.dst_row_stride = static_cast<uint32_t>(out_plane);
          si.acc_row = static_cast<uint32_t>(acc_base);
          si.ny = static_cast<uint32_t>(ncc);
          si.nx = static_cast<uint32_t>(nyp * nxp);
          st.stores.push_back(si);
        } else {
          for (int c = 0; c < ncc; ++c) {
            isa::StoreInstr si = base;
            si.dst_addr = static_cast<uint32_t>(r.output + (cb0 + c) * out_plane + tile_offset);
            si.acc_row = static_cast<uint32_t>(acc_base + c * nyp * nxp);
            si.p_row = g.shared_params ? 0 : static_cast<uint32_t>(kParamRows * (cb0 + c));
            if (nxp == g.ow) {  // whole rows: one contiguous run
              si.ny = 1;
              si.nx = static_cast<uint32_t>(nyp * nxp);
              si.dst_row_stride = static_cast<uint32_t>(out_plane);
            } else {
              si.ny = static_cast<uint32_t>(nyp);
              si.nx = static_cast<uint32_t>(nxp);
              si.dst_row_stride = static_cast<uint32_t>(g.ow) * dim;
            }
            st.stores.push_back(si);
          }
        }
        steps.push_back(std::move(st));
      }
    }
  }
  return steps;
}

/// Lays out, emits and checks a window layer; @p weights and @p params are
/// the packed constants (weights may be empty).
CompiledLayer CompileWindow(const WindowOp& op, const WindowGeometry& g, int c,
                            const std::vector<uint8_t>& weights, const std::vector<uint8_t>& params,
                            const HwConfig& hw, uint32_t base_addr, const IoPlacement* io) {
  if (std::max({g.kh, g.kw, g.sy, g.sx}) > static_cast<int>(hw.window_k)) {
    throw std::invalid_argument(
        "kernel " + std::to_string(g.kh) + "x" + std::to_string(g.kw) + " with stride " +
        std::to_string(g.sy) + "x" + std::to_string(g.sx) + ": the window unit of " +
        std::string(hw.name) + " takes kernels and strides up to " + std::to_string(hw.window_k));
  }
  const WindowTiling t = ChooseWindowTiling(g, hw);
  const uint64_t dim = g.dim;
  const uint64_t input_bytes = static_cast<uint64_t>(g.ncb) * op.h * op.w * dim;
  const uint64_t output_bytes = static_cast<uint64_t>(g.ncb) * g.oh * g.ow * dim;
  const size_t n_instr = CountInstructions(BuildWindowSteps(op, g, t, hw, Regions{}));
  const ImageLayout image =
      Layout(base_addr, n_instr,
             {weights.size(), params.size(), Own(input_bytes, io), Own(output_bytes, io)});
  Regions r;
  r.weights = image.at[0];
  r.params = image.at[1];
  r.input = image.at[2];
  r.output = image.at[3];
  Place(r, io, false);
  std::vector<Step> steps = BuildWindowSteps(op, g, t, hw, r);
  SetDeps(steps, Unit::kWindow);

  CompiledLayer cl;
  runtime::Segment consts{r.weights, weights};
  consts.bytes.resize(r.params - r.weights, 0);
  consts.bytes.insert(consts.bytes.end(), params.begin(), params.end());
  cl.constants.push_back(std::move(consts));
  cl.const_addr = r.weights;
  cl.params_addr = r.params;
  cl.inputs.push_back({r.input, op.h, op.w, c});
  cl.outputs.push_back({r.output, g.oh, g.ow, c});
  cl.window_tiles = t;
  cl.est_cycles = t.est_cycles;
  cl.tiling = WindowTilingSummary(g, t);
  Finish(cl, hw, base_addr, image.end, EmitPipelined(steps));
  return cl;
}

// ---------------------------------------------------------------------------
// Flat layers: MEAN and the elementwise add.
// ---------------------------------------------------------------------------

/// Tile columns for a sum over @p rows rows: the largest divisor of rows
/// that fits the line buffers (the sum does not care about the shape).
int SumColumns(int rows, uint32_t window_cols) {
  for (int iw = static_cast<int>(std::min<uint32_t>(rows, window_cols)); iw > 1; --iw) {
    if (rows % iw == 0) return iw;
  }
  return 1;
}

std::vector<Step> BuildMeanSteps(const MeanLayer& l, const FlatTiling& t, int ncb,
                                 const HwConfig& hw, const Regions& r) {
  const int dim = static_cast<int>(hw.dim);
  const int a_half = static_cast<int>(hw.spad_a / 2), acc_half = static_cast<int>(hw.acc / 2);
  const uint64_t plane_bytes = t.plane * dim;
  std::vector<Step> steps;
  int tile = 0;
  for (int cg = 0; cg < t.ct; ++cg, ++tile) {
    const int cb0 = cg * t.nct, ncc = std::min(t.nct, ncb - cb0);
    const int acc_base = (tile % 2) * acc_half;
    for (int piece = 0; piece < t.pieces; ++piece) {
      const uint64_t r0 = static_cast<uint64_t>(piece) * t.rows;
      const int rows = static_cast<int>(std::min<uint64_t>(t.rows, t.plane - r0));
      const int a_base = (steps.size() % 2) * a_half;
      Step st;
      st.tile = tile;
      st.first_of_tile = piece == 0;
      if (steps.empty()) st.loads.push_back(ParamLoad(r.params, kParamRows, dim));
      st.loads.push_back(RowCopy(Spad::kA,
                                 static_cast<uint32_t>(r.input + cb0 * plane_bytes + r0 * dim),
                                 static_cast<uint32_t>(plane_bytes), ncc, rows, a_base, dim));
      isa::WindowInstr wi;
      wi.mode = isa::WindowMode::kSum;
      wi.kh = wi.kw = wi.sy = wi.sx = 1;  // not used by sum
      wi.carry_in = piece > 0 ? 1 : 0;
      wi.carry_out = piece + 1 < t.pieces ? 1 : 0;
      wi.nc = static_cast<uint32_t>(ncc);
      wi.a_row = static_cast<uint32_t>(a_base);
      wi.a_c_stride = static_cast<uint32_t>(rows);
      wi.iw = static_cast<uint32_t>(SumColumns(rows, hw.window_cols));
      wi.ih = static_cast<uint32_t>(rows) / wi.iw;
      wi.acc_row = static_cast<uint32_t>(acc_base);
      wi.acc_c_stride = 1;
      st.windows.push_back(wi);
      if (piece + 1 == t.pieces) {
        // One parameter block for every channel: one store of one row per
        // channel block, which is where the 1 x 1 output planes lie.
        isa::StoreInstr si;
        si.out_zp = l.out_zp;
        si.act_min = l.act_min;
        si.act_max = l.act_max;
        si.dst_addr = static_cast<uint32_t>(r.output + static_cast<uint64_t>(cb0) * dim);
        si.dst_row_stride = static_cast<uint32_t>(ncc * dim);
        si.acc_row = static_cast<uint32_t>(acc_base);
        si.ny = 1;
        si.nx = static_cast<uint32_t>(ncc);
        st.stores.push_back(si);
      }
      steps.push_back(std::move(st));
    }
  }
  return steps;
}

std::vector<Step> BuildAddSteps(const FlatTiling& t, int ncb, const HwConfig& hw,
                                const Regions& r) {
  const int dim = static_cast<int>(hw.dim);
  const int a_half = static_cast<int>(hw.spad_a / 2), acc_half = static_cast<int>(hw.acc / 2);
  const uint64_t plane_bytes = t.plane * dim;
  std::vector<Step> steps;
  for (int cg = 0; cg < t.ct; ++cg) {
    const int cb0 = cg * t.nct, ncc = std::min(t.nct, ncb - cb0);
    for (int piece = 0; piece < t.pieces; ++piece) {
      const uint64_t r0 = static_cast<uint64_t>(piece) * t.rows;
      const int rows = static_cast<int>(std::min<uint64_t>(t.rows, t.plane - r0));
      const uint64_t offset = cb0 * plane_bytes + r0 * dim;
      const int step = static_cast<int>(steps.size());
      const int a_base = (step % 2) * a_half, acc_base = (step % 2) * acc_half;
      Step st;
      st.tile = step;
      st.first_of_tile = true;
      if (step == 0) {
        st.loads.push_back(ParamLoad(r.params, kParamRows + kAddRows, dim));
        st.loads.push_back(RowCopy(Spad::kB, r.weights, 0, 1, dim, 0, dim));
      }
      st.loads.push_back(RowCopy(Spad::kA, static_cast<uint32_t>(r.input + offset),
                                 static_cast<uint32_t>(plane_bytes), ncc, rows, a_base, dim));
      // Input 1 through the identity weights: acc = x1, every plane at once.
      isa::ComputeInstr ci;
      ci.a_row = static_cast<uint32_t>(a_base);
      ci.b_row = 0;
      ci.acc_row = static_cast<uint32_t>(acc_base);
      ci.m = static_cast<uint32_t>(ncc * rows);
      ci.nk = 1;
      ci.a_k_stride = ci.m;
      st.computes.push_back(ci);
      // Identity requantization, then the add of input 2: a "row" per plane.
      isa::StoreInstr si;
      si.out_zp = 0;
      si.act_min = -128;
      si.act_max = 127;
      si.dst_addr = static_cast<uint32_t>(r.output + offset);
      si.dst_row_stride = static_cast<uint32_t>(plane_bytes);
      si.acc_row = static_cast<uint32_t>(acc_base);
      si.p_row = 0;
      si.ny = static_cast<uint32_t>(ncc);
      si.nx = static_cast<uint32_t>(rows);
      si.add = 1;
      si.res_addr = static_cast<uint32_t>(r.input2 + offset);
      si.res_row_stride = si.dst_row_stride;
      si.add_p_row = kParamRows;
      st.stores.push_back(si);
      steps.push_back(std::move(st));
    }
  }
  return steps;
}

}  // namespace

CompiledLayer Compile(const ConvLayer& layer, const HwConfig& hw, uint32_t base_addr,
                      const IoPlacement* io) {
  layer.Validate();
  CheckBase(base_addr);
  CheckPlacement(io, layer.residual.has_value(), hw);
  const LayerGeometry g = GeometryOf(layer, hw);
  const uint64_t p_rows =
      static_cast<uint64_t>(g.ng) * kParamRows + (layer.residual ? kAddRows : 0);
  if (p_rows > hw.spad_p) {
    throw std::invalid_argument(
        "too many output channels for this configuration: " + std::to_string(layer.cout) +
        " channels need " + std::to_string(p_rows) + " parameter rows" +
        (layer.residual ? " (with the residual's add block)" : "") + ", " + std::string(hw.name) +
        " has " + std::to_string(hw.spad_p));
  }
  const Tiling t = ChooseTiling(layer, hw);
  const uint64_t dim = g.dim;
  const uint64_t weight_bytes = static_cast<uint64_t>(g.ng) * g.kc * dim * dim;
  const uint64_t param_bytes = p_rows * dim;
  const uint64_t input_bytes = static_cast<uint64_t>(g.cc) * layer.h * layer.w * dim;
  const uint64_t output_bytes = static_cast<uint64_t>(g.ng) * g.oh * g.ow * dim;

  // Pass 1 counts the instructions; pass 2 uses the final addresses.
  const size_t n_instr = CountInstructions(BuildSteps(layer, g, t, hw, Regions{}));
  const ImageLayout image =
      layer.residual
          ? Layout(base_addr, n_instr,
                   {weight_bytes, param_bytes, Own(input_bytes, io), Own(output_bytes, io),
                    Own(output_bytes, io)})
          : Layout(base_addr, n_instr,
                   {weight_bytes, param_bytes, Own(input_bytes, io), Own(output_bytes, io)});
  Regions r;
  r.weights = image.at[0];
  r.params = image.at[1];
  r.input = image.at[2];
  r.input2 = layer.residual ? image.at[3] : 0;
  r.output = layer.residual ? image.at[4] : image.at[3];
  Place(r, io, layer.residual.has_value());
  std::vector<Step> steps = BuildSteps(layer, g, t, hw, r);
  SetDeps(steps, Unit::kCompute);

  CompiledLayer cl;
  runtime::Segment consts{r.weights, PackWeights(layer, g.dim)};
  consts.bytes.resize(r.params - r.weights, 0);
  const std::vector<uint8_t> params = PackParams(layer, g.dim);
  consts.bytes.insert(consts.bytes.end(), params.begin(), params.end());
  cl.constants.push_back(std::move(consts));
  cl.const_addr = r.weights;
  cl.params_addr = r.params;
  cl.inputs.push_back({r.input, layer.h, layer.w, layer.cin});
  if (layer.residual) cl.inputs.push_back({r.input2, g.oh, g.ow, layer.cout});
  cl.outputs.push_back({r.output, g.oh, g.ow, layer.cout});
  cl.macs = static_cast<uint64_t>(g.oh) * g.ow * layer.cout * layer.kh * layer.kw * layer.cin;
  cl.tiles = t;
  cl.est_cycles = t.est_cycles;
  cl.tiling = TilingSummary(g, t);
  Finish(cl, hw, base_addr, image.end, EmitInOrder(steps));
  return cl;
}

CompiledLayer Compile(const GemmLayer& layer, const HwConfig& hw, uint32_t base_addr,
                      const IoPlacement* io) {
  return Compile(layer.ToConv(), hw, base_addr, io);
}

CompiledLayer Compile(const DepthwiseLayer& layer, const HwConfig& hw, uint32_t base_addr,
                      const IoPlacement* io) {
  layer.Validate();
  CheckBase(base_addr);
  CheckPlacement(io, false, hw);
  WindowGeometry g;
  g.dim = static_cast<int>(hw.dim);
  g.ncb = Groups(layer.c, g.dim);
  g.kh = layer.kh;
  g.kw = layer.kw;
  g.sy = layer.stride_h;
  g.sx = layer.stride_w;
  g.oh = layer.OutH();
  g.ow = layer.OutW();
  g.weights = true;
  const uint64_t p_rows = static_cast<uint64_t>(g.ncb) * kParamRows;
  if (p_rows > hw.spad_p) {
    throw std::invalid_argument(
        "too many channels for this configuration: " + std::to_string(layer.c) + " channels need " +
        std::to_string(p_rows) + " parameter rows, " + std::string(hw.name) + " has " +
        std::to_string(hw.spad_p));
  }
  WindowOp op;
  op.mode = isa::WindowMode::kDw;
  op.h = layer.h;
  op.w = layer.w;
  op.pad_top = layer.pad_top;
  op.pad_left = layer.pad_left;
  op.pad_value = layer.in_zp;  // contributes in_zp * w, folded into the bias
  op.out_zp = layer.out_zp;
  op.act_min = layer.act_min;
  op.act_max = layer.act_max;
  CompiledLayer cl = CompileWindow(op, g, layer.c, PackDepthwiseWeights(layer, g.dim),
                                   PackParams(layer, g.dim), hw, base_addr, io);
  cl.kind = "depthwise";
  cl.macs = static_cast<uint64_t>(g.oh) * g.ow * layer.c * layer.kh * layer.kw;
  return cl;
}

CompiledLayer Compile(const PoolLayer& layer, const HwConfig& hw, uint32_t base_addr,
                      const IoPlacement* io) {
  layer.Validate();
  CheckBase(base_addr);
  CheckPlacement(io, false, hw);
  const bool avg = layer.kind == PoolKind::kAvg;
  WindowGeometry g;
  g.dim = static_cast<int>(hw.dim);
  g.ncb = Groups(layer.c, g.dim);
  g.kh = layer.kh;
  g.kw = layer.kw;
  g.sy = layer.stride_h;
  g.sx = layer.stride_w;
  g.oh = layer.OutH();
  g.ow = layer.OutW();
  g.shared_params = true;
  WindowOp op;
  op.mode = avg ? isa::WindowMode::kAvg : isa::WindowMode::kMax;
  op.h = layer.h;
  op.w = layer.w;
  op.pad_top = layer.pad_top;
  op.pad_left = layer.pad_left;
  op.act_min = layer.act_min;
  op.act_max = layer.act_max;
  std::vector<uint8_t> params;
  if (avg) {
    // Padding: 0 outside the counted rows and columns, or the zero point
    // inside them with count_include_pad; avg - in_zp requantized.
    op.pad_value = layer.count_include_pad ? layer.in_zp : 0;
    op.whole_tile_in_bounds = layer.count_include_pad;
    op.out_zp = layer.out_zp;
    params = PackRequantBlock(-layer.in_zp, layer.rescale, g.dim);
  } else {
    op.pad_value = -128;  // never wins
    params = PackIdentityRequant(g.dim);
  }
  CompiledLayer cl = CompileWindow(op, g, layer.c, {}, params, hw, base_addr, io);
  cl.kind = avg ? "avg pool" : "max pool";
  return cl;
}

CompiledLayer Compile(const MeanLayer& layer, const HwConfig& hw, uint32_t base_addr,
                      const IoPlacement* io) {
  layer.Validate();
  CheckBase(base_addr);
  CheckPlacement(io, false, hw);
  const int dim = static_cast<int>(hw.dim);
  const int ncb = Groups(layer.c, dim);
  const uint64_t plane = static_cast<uint64_t>(layer.h) * layer.w;
  const FlatTiling t = ChooseMeanTiling(plane, ncb, hw);
  const std::vector<uint8_t> params = PackRequantBlock(MeanBias(layer), layer.multiplier, dim);
  const uint64_t input_bytes = static_cast<uint64_t>(ncb) * plane * dim;
  const uint64_t output_bytes = static_cast<uint64_t>(ncb) * dim;
  const size_t n_instr = CountInstructions(BuildMeanSteps(layer, t, ncb, hw, Regions{}));
  const ImageLayout image =
      Layout(base_addr, n_instr, {params.size(), Own(input_bytes, io), Own(output_bytes, io)});
  Regions r;
  r.params = image.at[0];
  r.input = image.at[1];
  r.output = image.at[2];
  Place(r, io, false);
  std::vector<Step> steps = BuildMeanSteps(layer, t, ncb, hw, r);
  SetDeps(steps, Unit::kWindow);

  CompiledLayer cl;
  cl.kind = "mean";
  cl.constants.push_back({r.params, params});
  cl.const_addr = r.params;
  cl.params_addr = r.params;
  cl.inputs.push_back({r.input, layer.h, layer.w, layer.c});
  cl.outputs.push_back({r.output, 1, 1, layer.c});
  cl.flat_tiles = t;
  cl.est_cycles = t.est_cycles;
  cl.tiling = FlatTilingSummary(t);
  Finish(cl, hw, base_addr, image.end, EmitPipelined(steps));
  return cl;
}

CompiledLayer Compile(const AddLayer& layer, const HwConfig& hw, uint32_t base_addr,
                      const IoPlacement* io) {
  layer.Validate();
  CheckBase(base_addr);
  CheckPlacement(io, true, hw);
  const int dim = static_cast<int>(hw.dim);
  const int ncb = Groups(layer.c, dim);
  const uint64_t plane = static_cast<uint64_t>(layer.h) * layer.w;
  const FlatTiling t = ChooseAddTiling(plane, ncb, hw);
  const std::vector<uint8_t> weights = PackIdentityWeights(dim);
  std::vector<uint8_t> params = PackIdentityRequant(dim);
  const std::vector<uint8_t> add = PackAddBlock(layer.params, dim);
  params.insert(params.end(), add.begin(), add.end());
  const uint64_t tensor_bytes = static_cast<uint64_t>(ncb) * plane * dim;
  const size_t n_instr = CountInstructions(BuildAddSteps(t, ncb, hw, Regions{}));
  const ImageLayout image = Layout(base_addr, n_instr,
                                   {weights.size(), params.size(), Own(tensor_bytes, io),
                                    Own(tensor_bytes, io), Own(tensor_bytes, io)});
  Regions r;
  r.weights = image.at[0];
  r.params = image.at[1];
  r.input = image.at[2];
  r.input2 = image.at[3];
  r.output = image.at[4];
  Place(r, io, true);
  std::vector<Step> steps = BuildAddSteps(t, ncb, hw, r);
  SetDeps(steps, Unit::kCompute);

  CompiledLayer cl;
  cl.kind = "add";
  runtime::Segment consts{r.weights, weights};
  consts.bytes.resize(r.params - r.weights, 0);
  consts.bytes.insert(consts.bytes.end(), params.begin(), params.end());
  cl.constants.push_back(std::move(consts));
  cl.const_addr = r.weights;
  cl.params_addr = r.params;
  cl.inputs.push_back({r.input, layer.h, layer.w, layer.c});
  cl.inputs.push_back({r.input2, layer.h, layer.w, layer.c});
  cl.outputs.push_back({r.output, layer.h, layer.w, layer.c});
  cl.flat_tiles = t;
  cl.est_cycles = t.est_cycles;
  cl.tiling = FlatTilingSummary(t);
  Finish(cl, hw, base_addr, image.end, EmitPipelined(steps));
  return cl;
}

std::string Describe(const CompiledLayer& cl) {
  size_t counts[isa::kNumUnits] = {};
  for (const isa::Word& w : cl.program) ++counts[static_cast<int>(isa::UnitOf(isa::OpcodeOf(w)))];
  const runtime::TensorRegion& out = cl.outputs.at(0);
  std::ostringstream os;
  os << cl.kind << " ";
  for (size_t i = 0; i < cl.inputs.size(); ++i) {
    const runtime::TensorRegion& in = cl.inputs[i];
    os << (i ? " + " : "") << in.h << "x" << in.w << "x" << in.c;
  }
  os << " -> " << out.h << "x" << out.w << "x" << out.c << " on DIM " << cl.dim << ", " << cl.macs
     << " MACs\n"
     << "tiling: " << cl.tiling << "\n"
     << "instructions: " << cl.program.size() << " (";
  for (int u = 0; u < isa::kNumUnits; ++u) {
    os << (u ? ", " : "") << isa::kUnitNames[u] << " " << counts[u];
  }
  os << ")\n";
  if (cl.kind == "conv") {
    os << "loaded: " << cl.load_bytes << " bytes (A " << cl.tiles.a_rows * cl.dim << ", B "
       << cl.tiles.b_rows * cl.dim << "), stored: " << cl.store_bytes << " bytes";
  } else {
    os << "loaded: " << cl.load_bytes << " bytes, stored: " << cl.store_bytes << " bytes";
  }
  if (cl.residual_bytes) os << ", residual read: " << cl.residual_bytes << " bytes";
  os << ", "
     << (cl.load_bytes ? static_cast<double>(cl.macs) / static_cast<double>(cl.load_bytes) : 0.0)
     << " MACs per loaded byte\n";
  if (cl.kind == "conv") {
    os << "estimate: " << cl.tiles.compute_cycles << " compute cycles, " << cl.tiles.est_cycles
       << " cycles overall, ideal " << cl.macs / (static_cast<uint64_t>(cl.dim) * cl.dim) << "\n";
  } else if (cl.window_tiles.Tiles() != 0) {
    os << "estimate: " << cl.window_tiles.window_cycles << " window cycles, " << cl.est_cycles
       << " cycles overall\n";
  } else {
    os << "estimate: " << cl.est_cycles << " cycles overall\n";
  }
  os << "memory: base 0x" << std::hex << cl.base << ", constants 0x" << cl.const_addr
     << ", params 0x" << cl.params_addr;
  for (size_t i = 0; i < cl.inputs.size(); ++i) {
    os << ", input" << (cl.inputs.size() > 1 ? std::to_string(i + 1) : "") << " 0x"
       << cl.inputs[i].addr;
  }
  os << ", output 0x" << out.addr << ", " << std::dec << cl.size << " bytes\n";
  return os.str();
}

}  // namespace npu::compiler
