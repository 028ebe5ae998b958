#include "sw/compiler/compiler.h"

#include <algorithm>
#include <cstddef>
#include <sstream>
#include <stdexcept>

#include "sw/compiler/packing.h"
#include "sw/compiler/program_check.h"

namespace npu::compiler {
namespace {

using isa::Spad;
/// Rows of one output group's requantization parameters.
constexpr int kParamRows = isa::param::kRequantRows;
/// Largest plane count of one load instruction (8-bit field).
constexpr int kMaxPlanes = 255;

uint64_t AlignUp(uint64_t v) { return (v + kRegionAlign - 1) / kRegionAlign * kRegionAlign; }

/// Addresses of the data regions.
struct Regions {
  uint32_t weights = 0, params = 0, input = 0, output = 0;
};

/// One step of the schedule: its load group, its compute group and, when
/// it ends an output tile, that tile's store group.
struct Step {
  std::vector<isa::LoadInstr> loads;
  std::vector<isa::ComputeInstr> computes;
  std::vector<isa::StoreInstr> stores;
  int tile = 0;                ///< Output tile (pixel tile, group tile) number.
  bool first_of_tile = false;  ///< First K tile of its output tile.
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
            st.loads.push_back(RowCopy(Spad::kP, r.params, 0, 1, kParamRows * g.ng, 0, dim));
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
              si.dst_addr = static_cast<uint32_t>(r.output + (g0 + i) * out_plane +
                                                  (static_cast<uint64_t>(oy0) * g.ow + ox0) * dim);
              si.dst_row_stride = static_cast<uint32_t>(g.ow) * dim;
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

/// Sets the dependency flags (sw/compiler/README.md, "Dependency tokens"):
/// a load group waits for the compute group two steps back (the last user of
/// the buffer half it overwrites) and signals its compute group; a compute
/// group waits for its load group and, at the start of an output tile that
/// reuses an accumulator half, for the store group two output tiles back; the
/// last compute group of an output tile signals its store group. Every token
/// is given only if its consumer exists, so the program is balanced, and it
/// always points forward in program order, so it cannot deadlock.
void SetDeps(std::vector<Step>& steps) {
  using isa::ComputeInstr;
  using isa::LoadInstr;
  using isa::StoreInstr;
  const size_t n = steps.size();
  const int tiles = steps.empty() ? 0 : steps.back().tile + 1;
  for (size_t s = 0; s < n; ++s) {
    Step& st = steps[s];
    if (!st.loads.empty()) {
      if (s >= 2) st.loads.front().deps.wait |= LoadInstr::kWaitCompute;
      st.loads.back().deps.signal |= LoadInstr::kSignalCompute;
    }
    isa::Deps& first = st.computes.front().deps;
    isa::Deps& last = st.computes.back().deps;
    if (!st.loads.empty()) first.wait |= ComputeInstr::kWaitLoad;
    if (st.first_of_tile && st.tile >= 2) first.wait |= ComputeInstr::kWaitStore;
    if (s + 2 < n && !steps[s + 2].loads.empty()) last.signal |= ComputeInstr::kSignalLoad;
    if (!st.stores.empty()) last.signal |= ComputeInstr::kSignalStore;
    if (!st.stores.empty()) {
      st.stores.front().deps.wait |= StoreInstr::kWaitCompute;
      if (st.tile + 2 < tiles) st.stores.back().deps.signal |= StoreInstr::kSignalCompute;
    }
  }
}

}  // namespace

CompiledLayer Compile(const ConvLayer& layer, const HwConfig& hw, uint32_t base_addr) {
  layer.Validate();
  if (base_addr % kRegionAlign != 0) {
    throw std::invalid_argument("base address " + std::to_string(base_addr) +
                                " is not a multiple of 256");
  }
  const LayerGeometry g = GeometryOf(layer, hw);
  if (static_cast<uint64_t>(g.ng) * kParamRows > hw.spad_p) {
    throw std::invalid_argument(
        "too many output channels for this configuration: " + std::to_string(layer.cout) +
        " channels need " + std::to_string(kParamRows * g.ng) + " parameter rows, " +
        std::string(hw.name) + " has " + std::to_string(hw.spad_p));
  }
  const Tiling t = ChooseTiling(layer, hw);
  const uint64_t dim = g.dim;
  const uint64_t weight_bytes = static_cast<uint64_t>(g.ng) * g.kc * dim * dim;
  const uint64_t param_bytes = uint64_t{kParamRows} * g.ng * dim;
  const uint64_t input_bytes = static_cast<uint64_t>(g.cc) * layer.h * layer.w * dim;
  const uint64_t output_bytes = static_cast<uint64_t>(g.ng) * g.oh * g.ow * dim;

  // Pass 1 counts the instructions; pass 2 uses the final addresses.
  const size_t n_instr = [&] {
    size_t n = 0;
    for (const Step& st : BuildSteps(layer, g, t, hw, Regions{})) {
      n += st.loads.size() + st.computes.size() + st.stores.size();
    }
    return n;
  }();
  const uint64_t const_addr = base_addr + AlignUp(n_instr * isa::kInstrBytes);
  const uint64_t params_addr = const_addr + AlignUp(weight_bytes);
  const uint64_t input_addr = params_addr + AlignUp(param_bytes);
  const uint64_t output_addr = input_addr + AlignUp(input_bytes);
  const uint64_t end = output_addr + AlignUp(output_bytes);
  if (end > (uint64_t{1} << 32)) {
    throw std::invalid_argument("layer image of " + std::to_string(end - base_addr) +
                                " bytes at base " + std::to_string(base_addr) +
                                " does not fit 32-bit addresses");
  }
  Regions r;
  r.weights = static_cast<uint32_t>(const_addr);
  r.params = static_cast<uint32_t>(params_addr);
  r.input = static_cast<uint32_t>(input_addr);
  r.output = static_cast<uint32_t>(output_addr);
  std::vector<Step> steps = BuildSteps(layer, g, t, hw, r);
  SetDeps(steps);

  CompiledLayer cl;
  cl.program.reserve(n_instr);
  for (const Step& st : steps) {
    for (const auto& i : st.loads) cl.program.push_back(i.Encode());
    for (const auto& i : st.computes) cl.program.push_back(i.Encode());
    for (const auto& i : st.stores) cl.program.push_back(i.Encode());
  }
  CheckHazards(cl.program, hw);  // also checks the token balance

  runtime::Segment consts{r.weights, PackWeights(layer, g.dim)};
  consts.bytes.resize(params_addr - const_addr, 0);
  const std::vector<uint8_t> params = PackParams(layer, g.dim);
  consts.bytes.insert(consts.bytes.end(), params.begin(), params.end());
  cl.constants.push_back(std::move(consts));
  cl.dim = g.dim;
  cl.base = base_addr;
  cl.size = static_cast<uint32_t>(end - base_addr);
  cl.program_addr = base_addr;
  cl.const_addr = r.weights;
  cl.params_addr = r.params;
  cl.inputs.push_back({r.input, layer.h, layer.w, layer.cin});
  cl.outputs.push_back({r.output, g.oh, g.ow, layer.cout});
  cl.macs = static_cast<uint64_t>(g.oh) * g.ow * layer.cout * layer.kh * layer.kw * layer.cin;
  cl.tiles = t;
  cl.tiling = TilingSummary(g, t);
  for (const isa::Word& w : cl.program) {
    switch (isa::UnitOf(isa::OpcodeOf(w))) {
      case isa::Unit::kLoad: {
        const auto li = isa::LoadInstr::Decode(w);
        cl.load_bytes += static_cast<uint64_t>(li.nc) * li.ny * li.nx * dim;
        break;
      }
      case isa::Unit::kStore: {
        const auto si = isa::StoreInstr::Decode(w);
        cl.store_bytes += static_cast<uint64_t>(si.ny) * si.nx * dim;
        break;
      }
      default:
        break;
    }
  }
  return cl;
}

std::string Describe(const CompiledLayer& cl) {
  size_t counts[isa::kNumUnits] = {};
  for (const isa::Word& w : cl.program) ++counts[static_cast<int>(isa::UnitOf(isa::OpcodeOf(w)))];
  const runtime::TensorRegion& in = cl.inputs.at(0);
  const runtime::TensorRegion& out = cl.outputs.at(0);
  std::ostringstream os;
  os << "layer " << in.h << "x" << in.w << "x" << in.c << " -> " << out.h << "x" << out.w << "x"
     << out.c << " on DIM " << cl.dim << ", " << cl.macs << " MACs\n"
     << "tiling: " << cl.tiling << "\n"
     << "instructions: " << cl.program.size() << " (";
  for (int u = 0; u < isa::kNumUnits; ++u) {
    os << (u ? ", " : "") << isa::kUnitNames[u] << " " << counts[u];
  }
  os << ")\n"
     << "loaded: " << cl.load_bytes << " bytes (A " << cl.tiles.a_rows * cl.dim << ", B "
     << cl.tiles.b_rows * cl.dim << "), stored: " << cl.store_bytes << " bytes, "
     << (cl.load_bytes ? static_cast<double>(cl.macs) / static_cast<double>(cl.load_bytes) : 0.0)
     << " MACs per loaded byte\n"
     << "estimate: " << cl.tiles.compute_cycles << " compute cycles, " << cl.tiles.est_cycles
     << " cycles overall, ideal " << cl.macs / (static_cast<uint64_t>(cl.dim) * cl.dim) << "\n"
     << "memory: base 0x" << std::hex << cl.base << ", constants 0x" << cl.const_addr
     << ", params 0x" << cl.params_addr << ", input 0x" << in.addr << ", output 0x" << out.addr
     << ", " << std::dec << cl.size << " bytes\n";
  return os.str();
}

}  // namespace npu::compiler
