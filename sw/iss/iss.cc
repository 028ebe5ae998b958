#include "sw/iss/iss.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <stdexcept>

#include "sw/gen/npu_regs.h"
#include "sw/isa/params.h"
#include "sw/isa/serialize.h"
#include "sw/isa/window_rules.h"
#include "sw/numerics/numerics.h"

namespace npu::iss {
namespace {

constexpr uint32_t kIllegal = regs::kErrCauseIllegalInstrMask;
constexpr uint32_t kAddrRange = regs::kErrCauseAddrRangeMask;
constexpr uint32_t kAxiResp = regs::kErrCauseAxiRespMask;
constexpr uint32_t kWatchdog = regs::kErrCauseWatchdogMask;

// The hardware's burst and fetch limits (spec/configs.toml, microarch).
constexpr uint32_t kMaxBurstBeats = arch::kMaxBurst;
constexpr uint32_t kBoundary = arch::kBoundary;
constexpr uint32_t kFetchBurstBytes = arch::kFetchBurst * isa::kInstrBytes;
constexpr uint32_t kFetchBuffer = arch::kFetchStaging;
static_assert(isa::kAddLeftShift == kAddLeftShift, "the ISA's and the numerics' ADD shift differ");

/// Beats of the next burst of a contiguous run at @p addr with @p beats left.
uint32_t BurstBeats(uint64_t addr, uint64_t beats, uint32_t dim) {
  const uint32_t to_boundary = (kBoundary - (addr & (kBoundary - 1))) / dim;
  return static_cast<uint32_t>(std::min<uint64_t>({beats, kMaxBurstBeats, to_boundary}));
}

/// Adds (or, with @p overwrite, stores) @p sum into @p out; int32 wrapping.
inline void Accumulate(const int32_t* sum, int32_t* out, uint32_t d, bool overwrite) {
  if (overwrite) {
    for (uint32_t c = 0; c < d; ++c) out[c] = sum[c];
  } else {
    for (uint32_t c = 0; c < d; ++c) {
      out[c] = static_cast<int32_t>(static_cast<uint32_t>(out[c]) + static_cast<uint32_t>(sum[c]));
    }
  }
}

// One K chunk: acc[i][c] (=|+=) sum_r a[i][r] * w[r][c] for i in [0, m).
// The weight tile is widened once; a product of two int8 values and the sum
// of up to 4096 of them fit in int32, so only the accumulation into acc can
// wrap (done in uint32 arithmetic).

/// Fixed DIM: the inner loops have constant trip counts and vectorise.
template <uint32_t kDim>
void MacChunkFixed(const int8_t* a, const int8_t* w, int32_t* acc, uint32_t m, bool overwrite) {
  std::array<int32_t, kDim * kDim> wt;
  for (uint32_t i = 0; i < kDim * kDim; ++i) wt[i] = w[i];
  for (uint32_t i = 0; i < m; ++i) {
    const int8_t* row = a + size_t{i} * kDim;
    std::array<int32_t, kDim> sum{};
    for (uint32_t r = 0; r < kDim; ++r) {
      const int32_t av = row[r];
      for (uint32_t c = 0; c < kDim; ++c) sum[c] += av * wt[r * kDim + c];
    }
    Accumulate(sum.data(), acc + size_t{i} * kDim, kDim, overwrite);
  }
}

/// Any DIM.
void MacChunkAny(const int8_t* a, const int8_t* w, int32_t* acc, uint32_t m, bool overwrite,
                 uint32_t d) {
  std::vector<int32_t> wt(w, w + size_t{d} * d);
  std::vector<int32_t> sum(d);
  for (uint32_t i = 0; i < m; ++i) {
    const int8_t* row = a + size_t{i} * d;
    std::fill(sum.begin(), sum.end(), 0);
    for (uint32_t r = 0; r < d; ++r) {
      const int32_t av = row[r];
      for (uint32_t c = 0; c < d; ++c) sum[c] += av * wt[size_t{r} * d + c];
    }
    Accumulate(sum.data(), acc + size_t{i} * d, d, overwrite);
  }
}

}  // namespace

Iss::Iss(const HwConfig& config) : config_(config) {
  const uint32_t dim = config.dim;
  if (dim == 0 || kBoundary % dim != 0) {
    throw std::invalid_argument(fmt::format("Iss: dim {} does not divide 4096", dim));
  }
  if (config.spad_a == 0 || config.spad_b == 0 || config.spad_p == 0 || config.acc == 0 ||
      config.queue == 0) {
    throw std::invalid_argument("Iss: configuration with a zero depth");
  }
  spad_a_.assign(size_t{config.spad_a} * dim, 0);
  spad_b_.assign(size_t{config.spad_b} * dim, 0);
  spad_p_.assign(size_t{config.spad_p} * dim, 0);
  acc_.assign(size_t{config.acc} * dim, 0);
  carry_.assign(dim, 0);
}

std::string Iss::Name() const { return "iss"; }

void Iss::Reset() {
  tokens_ = Tokens{};
  std::fill(carry_.begin(), carry_.end(), 0);  // the soft reset forgets the kept sum
  status_ = runtime::RunStatus{};
}

void Iss::AddBusError(uint32_t lo, uint32_t hi) { bus_errors_.emplace_back(lo, hi); }

std::pair<int8_t*, uint32_t> Iss::SpadStorage(Spad spad) {
  switch (spad) {
    case Spad::kA:
      return {spad_a_.data(), config_.spad_a};
    case Spad::kB:
      return {spad_b_.data(), config_.spad_b};
    case Spad::kP:
      return {spad_p_.data(), config_.spad_p};
  }
  throw std::invalid_argument("Iss: no such scratchpad");
}

std::span<int8_t> Iss::SpadRow(Spad spad, uint32_t row) {
  auto [base, depth] = SpadStorage(spad);
  if (row >= depth) {
    throw std::out_of_range(fmt::format("Iss: scratchpad {} row {} >= depth {}",
                                        static_cast<uint32_t>(spad), row, depth));
  }
  return {base + size_t{row} * config_.dim, config_.dim};
}

std::span<const int8_t> Iss::SpadRow(Spad spad, uint32_t row) const {
  return const_cast<Iss*>(this)->SpadRow(spad, row);
}

std::span<int32_t> Iss::AccRow(uint32_t row) {
  if (row >= config_.acc) {
    throw std::out_of_range(fmt::format("Iss: accumulator row {} >= depth {}", row, config_.acc));
  }
  return {acc_.data() + size_t{row} * config_.dim, config_.dim};
}

std::span<const int32_t> Iss::AccRow(uint32_t row) const {
  return const_cast<Iss*>(this)->AccRow(row);
}

Iss::MaybeFault Iss::CheckBurst(const RunContext& ctx, uint64_t addr, uint64_t bytes,
                                uint32_t grain) const {
  if (addr > UINT32_MAX || !ctx.mem->Contains(static_cast<uint32_t>(addr), bytes)) {
    return Fault{kAddrRange, static_cast<uint32_t>(addr)};
  }
  for (const auto& [lo, hi] : bus_errors_) {
    if (addr < hi && lo < addr + bytes) {
      // The first grain (beat or instruction) of the burst that overlaps.
      const uint64_t skip = (grain == 0 || lo <= addr) ? 0 : (lo - addr) / grain * grain;
      return Fault{kAxiResp, static_cast<uint32_t>(addr + skip)};
    }
  }
  return std::nullopt;
}

Iss::MaybeFault Iss::ExecLoad(const RunContext& ctx, const isa::LoadInstr& in) {
  if (in.spad > Spad::kP || in.sy == 0 || in.sx == 0) return Fault{kIllegal, 0};
  if (in.nc == 0 || in.ny == 0 || in.nx == 0) return std::nullopt;
  const uint32_t dim = config_.dim;
  const auto [spad, depth] = SpadStorage(in.spad);
  const uint64_t last_row =
      uint64_t{in.dst_row} + uint64_t{in.nc - 1} * in.dst_c_stride + uint64_t{in.ny} * in.nx - 1;
  if (last_row >= depth) return Fault{kIllegal, 0};
  if (in.src_addr % dim) return Fault{kAddrRange, in.src_addr};
  if (in.src_c_stride % dim) return Fault{kAddrRange, in.src_c_stride};
  if (in.src_row_stride % dim) return Fault{kAddrRange, in.src_row_stride};
  const uint8_t* mem = ctx.mem->Data().data();
  const uint32_t mem_base = ctx.mem->Base();
  const auto pad = static_cast<uint8_t>(in.pad);
  const int64_t sx = in.sx;
  // Window columns x whose source column ix = x0 + x * sx lies in [0, w):
  // the same for every row, [x_lo, x_hi).
  int64_t x_lo = in.x0 >= 0 ? 0 : (-int64_t{in.x0} + sx - 1) / sx;
  int64_t x_hi = int64_t{in.w} - in.x0 <= 0 ? 0 : (int64_t{in.w} - in.x0 + sx - 1) / sx;
  x_lo = std::min<int64_t>(x_lo, in.nx);
  x_hi = std::clamp<int64_t>(x_hi, x_lo, in.nx);
  for (uint32_t c = 0; c < in.nc; ++c) {
    const uint64_t plane = uint64_t{in.src_addr} + uint64_t{c} * in.src_c_stride;
    const uint64_t plane_row = uint64_t{in.dst_row} + uint64_t{c} * in.dst_c_stride;
    for (uint32_t y = 0; y < in.ny; ++y) {
      const uint64_t row0 = plane_row + uint64_t{y} * in.nx;
      int8_t* rows = spad + row0 * dim;
      const auto observe = [&] {
        if (observer_ == nullptr) return;
        for (uint32_t x = 0; x < in.nx; ++x) {
          observer_->SpadWrite(ctx.pc, in.spad, static_cast<uint32_t>(row0 + x),
                               std::span<const int8_t>(rows + size_t{x} * dim, dim));
        }
      };
      const int64_t iy = int64_t{in.y0} + int64_t{y} * in.sy;
      if (iy < 0 || iy >= in.h) {
        std::memset(rows, pad, size_t{in.nx} * dim);
        observe();
        continue;
      }
      std::memset(rows, pad, static_cast<size_t>(x_lo) * dim);
      std::memset(rows + x_hi * dim, pad, static_cast<size_t>(in.nx - x_hi) * dim);
      if (x_lo == x_hi) {
        observe();
        continue;
      }
      uint64_t addr = plane + static_cast<uint64_t>(iy) * in.src_row_stride +
                      static_cast<uint64_t>(in.x0 + x_lo * sx) * dim;
      if (sx == 1) {
        uint64_t x = static_cast<uint64_t>(x_lo);
        uint64_t left = static_cast<uint64_t>(x_hi - x_lo);
        while (left > 0) {
          const uint32_t n = BurstBeats(addr, left, dim);
          const uint32_t bytes = n * dim;
          if (auto f = CheckBurst(ctx, addr, bytes, dim)) return f;
          std::memcpy(rows + x * dim, mem + (addr - mem_base), bytes);
          ctx.stats->bytes_read += bytes;
          addr += bytes;
          x += n;
          left -= n;
        }
      } else {
        for (int64_t x = x_lo; x < x_hi; ++x, addr += static_cast<uint64_t>(sx) * dim) {
          if (auto f = CheckBurst(ctx, addr, dim, dim)) return f;
          std::memcpy(rows + x * dim, mem + (addr - mem_base), dim);
          ctx.stats->bytes_read += dim;
        }
      }
      observe();
    }
  }
  return std::nullopt;
}

Iss::MaybeFault Iss::ExecCompute(const RunContext& ctx, const isa::ComputeInstr& in) {
  if (in.m == 0 || in.nk == 0) return std::nullopt;
  const uint32_t dim = config_.dim;
  const uint64_t a_last = uint64_t{in.a_row} + uint64_t{in.nk - 1} * in.a_k_stride + in.m - 1;
  const uint64_t b_last = uint64_t{in.b_row} + uint64_t{in.nk} * dim - 1;
  const uint64_t acc_last = uint64_t{in.acc_row} + in.m - 1;
  if (a_last >= config_.spad_a || b_last >= config_.spad_b || acc_last >= config_.acc) {
    return Fault{kIllegal, 0};
  }
  int32_t* acc = acc_.data() + size_t{in.acc_row} * dim;
  for (uint32_t k = 0; k < in.nk; ++k) {
    const int8_t* a = spad_a_.data() + (uint64_t{in.a_row} + uint64_t{k} * in.a_k_stride) * dim;
    const int8_t* w = spad_b_.data() + (uint64_t{in.b_row} + uint64_t{k} * dim) * dim;
    const bool overwrite = k == 0 && !in.accumulate;
    switch (dim) {
      case 4:
        MacChunkFixed<4>(a, w, acc, in.m, overwrite);
        break;
      case 8:
        MacChunkFixed<8>(a, w, acc, in.m, overwrite);
        break;
      case 16:
        MacChunkFixed<16>(a, w, acc, in.m, overwrite);
        break;
      case 32:
        MacChunkFixed<32>(a, w, acc, in.m, overwrite);
        break;
      default:
        MacChunkAny(a, w, acc, in.m, overwrite, dim);
        break;
    }
    if (observer_ != nullptr) {
      for (uint32_t r = 0; r < in.m; ++r) {
        observer_->AccWrite(ctx.pc, isa::Unit::kCompute, in.acc_row + r,
                            std::span<const int32_t>(acc + size_t{r} * dim, dim));
      }
    }
  }
  ctx.stats->macs += uint64_t{in.m} * in.nk * dim * dim;
  return std::nullopt;
}

namespace {

/// The lanes of parameter block @p fields at @p block, checked as the
/// hardware checks them (every lane of a field with a range inside it).
/// Returns false if a lane is out of range.
template <size_t N>
bool ReadBlock(std::span<const int8_t> block, int dim,
               const std::array<isa::param::Field, N>& fields,
               std::array<std::vector<int32_t>, N>& out) {
  for (size_t f = 0; f < N; ++f) {
    out[f].resize(dim);
    for (int l = 0; l < dim; ++l) {
      out[f][l] = isa::param::Get(block, dim, fields[f], l);
      if (fields[f].checked && (out[f][l] < fields[f].min || out[f][l] > fields[f].max)) {
        return false;
      }
    }
  }
  return true;
}

/// Index of a field in its block's table.
template <size_t N>
constexpr size_t FieldIndex(const std::array<isa::param::Field, N>& fields,
                            const isa::param::Field& f) {
  for (size_t i = 0; i < N; ++i) {
    if (fields[i].row == f.row) return i;
  }
  return N;
}

}  // namespace

Iss::MaybeFault Iss::ExecStore(const RunContext& ctx, const isa::StoreInstr& in) {
  namespace param = isa::param;
  if (in.act_min > in.act_max) return Fault{kIllegal, 0};
  if (in.ny == 0 || in.nx == 0) return std::nullopt;
  const uint32_t dim = config_.dim;
  const int d = static_cast<int>(dim);
  const uint64_t acc_last = uint64_t{in.acc_row} + uint64_t{in.ny} * in.nx - 1;
  if (acc_last >= config_.acc || uint64_t{in.p_row} + param::kRequantRows > config_.spad_p ||
      (in.add && uint64_t{in.add_p_row} + param::kAddRows > config_.spad_p)) {
    return Fault{kIllegal, 0};
  }
  // Same order of checks as npu_store: alignment before the parameter rows.
  if (in.dst_addr % dim) return Fault{kAddrRange, in.dst_addr};
  if (in.dst_row_stride % dim) return Fault{kAddrRange, in.dst_row_stride};
  if (in.add && in.res_addr % dim) return Fault{kAddrRange, in.res_addr};
  if (in.add && in.res_row_stride % dim) return Fault{kAddrRange, in.res_row_stride};
  // Parameters: the `requant` block at p_row, with add the `add` block.
  std::array<std::vector<int32_t>, param::kRequantFields.size()> rq;
  if (!ReadBlock(std::span<const int8_t>(spad_p_.data() + size_t{in.p_row} * dim,
                                         size_t{param::kRequantRows} * dim),
                 d, param::kRequantFields, rq)) {
    return Fault{kIllegal, 0};
  }
  const auto& bias = rq[FieldIndex(param::kRequantFields, param::kRequantBias)];
  const auto& mult = rq[FieldIndex(param::kRequantFields, param::kRequantMult)];
  const auto& shift = rq[FieldIndex(param::kRequantFields, param::kRequantShift)];
  std::vector<AddParams> add(in.add ? dim : 0);
  if (in.add) {
    std::array<std::vector<int32_t>, param::kAddFields.size()> ab;
    if (!ReadBlock(std::span<const int8_t>(spad_p_.data() + size_t{in.add_p_row} * dim,
                                           size_t{param::kAddRows} * dim),
                   d, param::kAddFields, ab)) {
      return Fault{kIllegal, 0};
    }
    const auto field = [&](const param::Field& f, uint32_t l) {
      return ab[FieldIndex(param::kAddFields, f)][l];
    };
    for (uint32_t l = 0; l < dim; ++l) {
      AddParams& p = add[l];
      p.input1 = {field(param::kAddIn1Mult, l), field(param::kAddIn1Shift, l)};
      p.input2 = {field(param::kAddIn2Mult, l), field(param::kAddIn2Shift, l)};
      p.output = {field(param::kAddOutMult, l), field(param::kAddOutShift, l)};
      p.input1_offset = -field(param::kAddIn1Zp, l);
      p.input2_offset = -field(param::kAddIn2Zp, l);
      p.output_offset = field(param::kAddOutZp, l);
      p.act_min = field(param::kAddActMin, l);
      p.act_max = field(param::kAddActMax, l);
      if (p.act_min > p.act_max) return Fault{kIllegal, 0};
    }
  }
  uint8_t* mem = ctx.mem->Data().data();
  const uint32_t mem_base = ctx.mem->Base();
  std::vector<uint8_t> row_buf(size_t{in.nx} * dim), res_buf(in.add ? size_t{in.nx} * dim : 0);
  for (uint32_t y = 0; y < in.ny; ++y) {
    // The residual row, read with the store's read bursts (one response per
    // beat): at most arch::kResBurst beats, not across 4 KiB.
    if (in.add) {
      uint64_t raddr = uint64_t{in.res_addr} + uint64_t{y} * in.res_row_stride;
      for (uint64_t x = 0, left = in.nx; left > 0;) {
        const uint32_t n = std::min<uint32_t>(BurstBeats(raddr, left, dim), arch::kResBurst);
        const uint32_t bytes = n * dim;
        if (auto f = CheckBurst(ctx, raddr, bytes, dim)) return f;
        std::memcpy(res_buf.data() + x * dim, mem + (raddr - mem_base), bytes);
        ctx.stats->bytes_read += bytes;
        raddr += bytes;
        x += n;
        left -= n;
      }
    }
    const int32_t* acc = acc_.data() + (uint64_t{in.acc_row} + uint64_t{y} * in.nx) * dim;
    for (uint32_t i = 0; i < in.nx * dim; ++i) {
      const uint32_t l = i % dim;
      int8_t v = Requantize(acc[i], bias[l], mult[l], shift[l], in.out_zp, in.act_min, in.act_max);
      if (in.add) v = Add(v, static_cast<int8_t>(res_buf[i]), add[l]);
      row_buf[i] = static_cast<uint8_t>(v);
    }
    uint64_t addr = uint64_t{in.dst_addr} + uint64_t{y} * in.dst_row_stride;
    for (uint64_t x = 0, left = in.nx; left > 0;) {
      const uint32_t n = BurstBeats(addr, left, dim);
      const uint32_t bytes = n * dim;
      if (auto f = CheckBurst(ctx, addr, bytes, 0)) return f;
      std::memcpy(mem + (addr - mem_base), row_buf.data() + x * dim, bytes);
      if (observer_ != nullptr) {
        observer_->MemWrite(ctx.pc, static_cast<uint32_t>(addr),
                            std::span<const uint8_t>(row_buf.data() + x * dim, bytes));
      }
      ctx.stats->bytes_written += bytes;
      addr += bytes;
      x += n;
      left -= n;
    }
  }
  return std::nullopt;
}

Iss::MaybeFault Iss::ExecWindow(const RunContext& ctx, const isa::WindowInstr& in) {
  using isa::WindowMode;
  const bool sum = in.mode == WindowMode::kSum;
  if (isa::CheckWindowKernel(in, config_.window_k) != isa::WindowKernelFault::kNone) {
    return Fault{kIllegal, 0};
  }
  if (isa::WindowIsNoOp(in)) return std::nullopt;
  const uint32_t dim = config_.dim;
  const uint64_t taps = uint64_t{in.kh} * in.kw;
  if (!isa::WindowTileFits(in, config_.window_cols)) return Fault{kIllegal, 0};
  const uint64_t plane = uint64_t{in.ih} * in.iw;
  const uint64_t a_last = uint64_t{in.a_row} + uint64_t{in.nc - 1} * in.a_c_stride + plane - 1;
  const uint64_t acc_last = uint64_t{in.acc_row} + uint64_t{in.nc - 1} * in.acc_c_stride +
                            (sum ? 1 : uint64_t{in.oh} * in.ow) - 1;
  const uint64_t b_last = uint64_t{in.b_row} + uint64_t{in.nc - 1} * in.b_c_stride + taps - 1;
  if (a_last >= config_.spad_a || acc_last >= config_.acc ||
      (in.mode == WindowMode::kDw && b_last >= config_.spad_b)) {
    return Fault{kIllegal, 0};
  }
  std::vector<int32_t> v(dim);
  // Writes v to the accumulator row at `acc`.
  const auto write = [&](int32_t* acc) {
    std::copy(v.begin(), v.end(), acc);
    if (observer_ != nullptr) {
      observer_->AccWrite(ctx.pc, isa::Unit::kWindow,
                          static_cast<uint32_t>((acc - acc_.data()) / dim), v);
    }
  };
  for (uint32_t c = 0; c < in.nc; ++c) {
    const int8_t* a = spad_a_.data() + (uint64_t{in.a_row} + uint64_t{c} * in.a_c_stride) * dim;
    int32_t* acc = acc_.data() + (uint64_t{in.acc_row} + uint64_t{c} * in.acc_c_stride) * dim;
    if (sum) {
      // The running sum: from the previous instruction's kept sum with
      // carry_in (first plane), written unless kept with carry_out (last).
      for (uint32_t l = 0; l < dim; ++l) v[l] = c == 0 && in.carry_in ? carry_[l] : 0;
      for (uint64_t r = 0; r < plane; ++r) {
        for (uint32_t l = 0; l < dim; ++l) v[l] = WrappingAdd(v[l], a[r * dim + l]);
      }
      if (c == in.nc - 1 && in.carry_out) {
        carry_ = v;
      } else {
        write(acc);
      }
      continue;
    }
    const int8_t* w = spad_b_.data() + (uint64_t{in.b_row} + uint64_t{c} * in.b_c_stride) * dim;
    for (uint32_t oy = 0; oy < in.oh; ++oy) {
      for (uint32_t ox = 0; ox < in.ow; ++ox, acc += dim) {
        const uint32_t y0 = oy * in.sy, x0 = ox * in.sx;
        for (uint32_t l = 0; l < dim; ++l) v[l] = in.mode == WindowMode::kMax ? -128 : 0;
        for (uint32_t ky = 0; ky < in.kh; ++ky) {
          for (uint32_t kx = 0; kx < in.kw; ++kx) {
            const int8_t* px = a + (uint64_t{y0 + ky} * in.iw + x0 + kx) * dim;
            const int8_t* tw = w + uint64_t{ky * in.kw + kx} * dim;
            for (uint32_t l = 0; l < dim; ++l) {
              switch (in.mode) {
                case WindowMode::kDw:
                  v[l] += int32_t{px[l]} * tw[l];
                  break;
                case WindowMode::kMax:
                  v[l] = std::max<int32_t>(v[l], px[l]);
                  break;
                default:
                  v[l] += px[l];
                  break;
              }
            }
          }
        }
        if (in.mode == WindowMode::kAvg) {
          // The count of window positions inside [y_lo, y_hi) x [x_lo, x_hi).
          const auto inside = [](int64_t lo, int64_t hi, int64_t from, int64_t n) {
            return std::max<int64_t>(0, std::min(hi, from + n) - std::max(lo, from));
          };
          const int64_t count =
              inside(in.y_lo, in.y_hi, y0, in.kh) * inside(in.x_lo, in.x_hi, x0, in.kw);
          for (uint32_t l = 0; l < dim; ++l) {
            v[l] = count == 0 ? 0 : RoundedAverage(v[l], static_cast<int32_t>(count));
          }
        }
        write(acc);
      }
    }
    if (in.mode == WindowMode::kDw) ctx.stats->macs += uint64_t{in.oh} * in.ow * taps * dim;
  }
  return std::nullopt;
}

runtime::RunResult Iss::Run(runtime::DeviceMemory& mem, uint32_t stream_addr, uint32_t num_instr) {
  runtime::RunResult result;
  if (Halted()) {
    result.status = status_;
    return result;
  }
  RunContext ctx{&mem, &result.stats};
  const auto fail = [&](uint32_t cause, uint32_t pc, uint32_t addr) {
    status_ = runtime::RunStatus{false, cause, pc, addr};
    result.status = status_;
    return result;
  };
  // The hardware checks the stream address when it takes the stream, even an
  // empty one.
  if (stream_addr % isa::kInstrBytes != 0) return fail(kAddrRange, 0, stream_addr);
  if (num_instr == 0) return result;

  struct Entry {
    uint32_t pc;
    isa::Word word;
  };
  std::array<std::deque<Entry>, isa::kNumUnits> queues;
  std::deque<Entry> staged;  // read, not yet dispatched (at most kFetchBuffer)
  uint32_t read_pc = 0;      // next instruction to read
  const uint8_t* bytes = mem.Data().data();

  for (;;) {
    // Fetch: read bursts ahead while the buffer has room for a whole burst,
    // and dispatch in order until the head's queue is full.
    for (bool progress = true; progress;) {
      progress = false;
      while (read_pc < num_instr) {
        const uint64_t addr = uint64_t{stream_addr} + uint64_t{read_pc} * isa::kInstrBytes;
        const uint32_t n = std::min<uint32_t>(
            (kFetchBurstBytes - (addr % kFetchBurstBytes)) / isa::kInstrBytes, num_instr - read_pc);
        if (staged.size() + n > kFetchBuffer) break;
        if (auto f = CheckBurst(ctx, addr, uint64_t{n} * isa::kInstrBytes, isa::kInstrBytes)) {
          // addr_range: the burst's first instruction; axi_resp: the failing one.
          const uint32_t pc =
              f->cause == kAxiResp
                  ? read_pc + static_cast<uint32_t>((f->addr - addr) / isa::kInstrBytes)
                  : read_pc;
          return fail(f->cause, pc, f->addr);
        }
        for (uint32_t i = 0; i < n; ++i) {
          const uint8_t* src = bytes + (addr - mem.Base()) + i * isa::kInstrBytes;
          staged.push_back(Entry{read_pc + i, isa::WordFromBytes(src)});
        }
        result.stats.bytes_read += uint64_t{n} * isa::kInstrBytes;
        read_pc += n;
        progress = true;
      }
      while (!staged.empty()) {
        const Entry& e = staged.front();
        const std::optional<isa::Unit> unit = isa::TryUnitOf(isa::OpcodeOf(e.word));
        if (!unit) return fail(kIllegal, e.pc, 0);
        const isa::Deps deps = isa::DepsOf(e.word);
        if ((deps.wait & ~isa::LegalWaitMask(*unit)) ||
            (deps.signal & ~isa::LegalSignalMask(*unit))) {
          return fail(kIllegal, e.pc, 0);
        }
        auto& q = queues[static_cast<size_t>(*unit)];
        if (q.size() >= config_.queue) break;
        q.push_back(e);
        staged.pop_front();
        progress = true;
      }
    }

    // Pick the startable head with the lowest pc: one whose wait bits all
    // name a queue holding a token.
    const auto ready = [&](int u, const isa::Deps& d) {
      for (int i = 0; i < isa::kDepBits; ++i) {
        if ((d.wait >> i & 1) && tokens_[isa::kInQueue[u][i]] == 0) return false;
      }
      return true;
    };
    int best = -1;
    for (int u = 0; u < isa::kNumUnits; ++u) {
      if (queues[u].empty() || !ready(u, isa::DepsOf(queues[u].front().word))) continue;
      if (best < 0 || queues[u].front().pc < queues[best].front().pc) best = u;
    }
    if (best < 0) {
      uint32_t blocked_pc = UINT32_MAX;
      for (const auto& q : queues) {
        if (!q.empty()) blocked_pc = std::min(blocked_pc, q.front().pc);
      }
      if (blocked_pc == UINT32_MAX) break;  // everything fetched and executed
      return fail(kWatchdog, blocked_pc, 0);
    }

    const Entry e = queues[best].front();
    queues[best].pop_front();
    const isa::Deps d = isa::DepsOf(e.word);
    for (int i = 0; i < isa::kDepBits; ++i) {
      if (d.wait >> i & 1) --tokens_[isa::kInQueue[best][i]];
    }
    ctx.pc = e.pc;
    if (observer_ != nullptr) observer_->Start(e.pc, static_cast<isa::Unit>(best));
    MaybeFault fault;
    switch (static_cast<isa::Unit>(best)) {
      case isa::Unit::kLoad:
        fault = ExecLoad(ctx, isa::LoadInstr::Decode(e.word));
        break;
      case isa::Unit::kCompute:
        fault = ExecCompute(ctx, isa::ComputeInstr::Decode(e.word));
        break;
      case isa::Unit::kStore:
        fault = ExecStore(ctx, isa::StoreInstr::Decode(e.word));
        break;
      case isa::Unit::kWindow:
        fault = ExecWindow(ctx, isa::WindowInstr::Decode(e.word));
        break;
    }
    if (fault) return fail(fault->cause, e.pc, fault->addr);
    for (int i = 0; i < isa::kDepBits; ++i) {
      if (d.signal >> i & 1) ++tokens_[isa::kOutQueue[best][i]];
    }
    ++result.stats.instructions;
  }
  return result;
}

}  // namespace npu::iss
