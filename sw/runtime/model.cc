#include "sw/runtime/model.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "sw/gen/npu_configs.h"
#include "sw/gen/npu_isa.h"
#include "sw/runtime/file_io.h"
#include "sw/runtime/layout.h"

namespace npu::runtime {
namespace {

constexpr char kMagic[8] = {'N', 'P', 'U', 'B', '\r', '\n', '\x1a', '\n'};
// Bounds that keep a hostile file from making the loader allocate without
// limit before the checksum and the byte counts have been checked.
constexpr uint32_t kMaxCount = 1u << 20;
constexpr uint32_t kMaxString = 1u << 16;

/// Little-endian writer of the fields of docs/model-format.md.
class Writer {
 public:
  void U32(uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void U64(uint64_t v) {
    U32(static_cast<uint32_t>(v));
    U32(static_cast<uint32_t>(v >> 32));
  }
  void I32(int32_t v) { U32(static_cast<uint32_t>(v)); }
  void F32(float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    U32(bits);
  }
  void Str(const std::string& s) {
    U32(static_cast<uint32_t>(s.size()));
    out_.insert(out_.end(), s.begin(), s.end());
  }
  void Bytes(std::span<const uint8_t> b) {
    U32(static_cast<uint32_t>(b.size()));
    out_.insert(out_.end(), b.begin(), b.end());
  }
  void Raw(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  std::vector<uint8_t>& Out() { return out_; }

 private:
  std::vector<uint8_t> out_;
};

/// Bounds-checked reader; every failure names the file and the field.
class Reader {
 public:
  Reader(std::span<const uint8_t> in, const std::string& what) : in_(in), what_(what) {}
  uint32_t U32(const char* field) {
    Need(4, field);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{in_[pos_ + i]} << (8 * i);
    pos_ += 4;
    return v;
  }
  uint64_t U64(const char* field) {
    const uint64_t lo = U32(field);
    return lo | uint64_t{U32(field)} << 32;
  }
  int32_t I32(const char* field) { return static_cast<int32_t>(U32(field)); }
  float F32(const char* field) {
    const uint32_t bits = U32(field);
    float v;
    std::memcpy(&v, &bits, 4);
    return v;
  }
  std::string Str(const char* field) {
    const uint32_t n = U32(field);
    if (n > kMaxString) Fail(fmt::format("{} is {} bytes long", field, n));
    Need(n, field);
    std::string s(reinterpret_cast<const char*>(in_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  std::vector<uint8_t> Bytes(const char* field) {
    const uint32_t n = U32(field);
    Need(n, field);
    std::vector<uint8_t> b(in_.begin() + pos_, in_.begin() + pos_ + n);
    pos_ += n;
    return b;
  }
  uint32_t Count(const char* field) {
    const uint32_t n = U32(field);
    if (n > kMaxCount) Fail(fmt::format("{}: {} entries", field, n));
    return n;
  }
  size_t Left() const { return in_.size() - pos_; }
  [[noreturn]] void Fail(const std::string& msg) const {
    throw ModelError(fmt::format("{}: {} (at byte {})", what_, msg, pos_));
  }

 private:
  void Need(size_t n, const char* field) const {
    if (in_.size() - pos_ < n) {
      throw ModelError(fmt::format("{}: truncated: {} needs {} bytes at byte {}, {} left", what_,
                                   field, n, pos_, in_.size() - pos_));
    }
  }
  std::span<const uint8_t> in_;
  const std::string& what_;
  size_t pos_ = 0;
};

void WriteRegion(Writer& w, const TensorRegion& r) {
  w.U32(r.addr);
  w.I32(r.h);
  w.I32(r.w);
  w.I32(r.c);
}

TensorRegion ReadRegion(Reader& r) {
  TensorRegion t;
  t.addr = r.U32("tensor address");
  t.h = r.I32("tensor height");
  t.w = r.I32("tensor width");
  t.c = r.I32("tensor channels");
  return t;
}

void WriteIo(Writer& w, const ModelIo& io) {
  w.Str(io.name);
  w.U32(static_cast<uint32_t>(io.dtype));
  w.U32(static_cast<uint32_t>(io.shape.size()));
  for (int64_t d : io.shape) w.U64(static_cast<uint64_t>(d));
  w.F32(io.scale);
  w.I32(io.zero_point);
  WriteRegion(w, io.region);
  const TapFold& f = io.fold;
  for (int v : {f.kh, f.kw, f.stride_h, f.stride_w, f.pad_top, f.pad_left, f.h, f.w, f.c}) w.I32(v);
}

ModelIo ReadIo(Reader& r) {
  ModelIo io;
  io.name = r.Str("tensor name");
  const uint32_t dt = r.U32("dtype");
  if (dt != static_cast<uint32_t>(DType::kFloat32) && dt != static_cast<uint32_t>(DType::kInt8)) {
    r.Fail(fmt::format("tensor '{}' has dtype code {}, expected float32 or int8", io.name, dt));
  }
  io.dtype = static_cast<DType>(dt);
  const uint32_t rank = r.U32("rank");
  if (rank > 8) r.Fail(fmt::format("tensor '{}' has rank {}", io.name, rank));
  for (uint32_t i = 0; i < rank; ++i) io.shape.push_back(static_cast<int64_t>(r.U64("dimension")));
  io.scale = r.F32("scale");
  io.zero_point = r.I32("zero point");
  io.region = ReadRegion(r);
  TapFold& f = io.fold;
  for (int* v :
       {&f.kh, &f.kw, &f.stride_h, &f.stride_w, &f.pad_top, &f.pad_left, &f.h, &f.w, &f.c}) {
    *v = r.I32("tap fold");
  }
  return io;
}

/// Throws unless [addr, addr + len) lies inside the model's window.
void CheckInside(const CompiledModel& m, uint64_t addr, uint64_t len, const std::string& what,
                 const std::string& name) {
  if (addr < m.base || addr + len > uint64_t{m.base} + m.size) {
    throw ModelError(fmt::format(
        "{}: {} [0x{:08x}, 0x{:08x}) lies outside the memory window [0x{:08x}, 0x{:08x})", what,
        name, addr, addr + len, m.base, uint64_t{m.base} + m.size));
  }
}

/// Throws unless @p t has a sane shape and lies inside the model's window.
void CheckTensor(const CompiledModel& m, const TensorRegion& t, const std::string& what,
                 const std::string& name) {
  if (t.h <= 0 || t.w <= 0 || t.c <= 0 || t.h > 65535 || t.w > 65535 || t.c > 65535) {
    throw ModelError(fmt::format("{}: {} has a malformed shape", what, name));
  }
  CheckInside(m, t.addr, BlockedBytes(t.h, t.w, t.c, static_cast<int>(m.dim)), what, name);
}

void Validate(const CompiledModel& m, const std::string& what) {
  const HwConfig* hw = FindHwConfig(m.config);
  if (hw == nullptr) {
    throw ModelError(fmt::format("{}: compiled for an unknown configuration '{}'", what, m.config));
  }
  if (hw->dim != m.dim) {
    throw ModelError(fmt::format("{}: configuration '{}' has DIM {}, the file says {}", what,
                                 m.config, hw->dim, m.dim));
  }
  if (uint64_t{m.base} + m.size > (uint64_t{1} << 32)) {
    throw ModelError(fmt::format("{}: the memory window does not fit 32-bit addresses", what));
  }
  for (const Segment& s : m.constants) {
    CheckInside(m, s.addr, s.bytes.size(), what, "a constant segment");
  }
  if (m.layers.empty()) throw ModelError(fmt::format("{}: the model has no layers", what));
  for (const ModelLayer& l : m.layers) {
    if (l.num_instr == 0 || l.stream_addr % isa::kInstrBytes != 0) {
      throw ModelError(fmt::format("{}: layer '{}' has a malformed stream", what, l.name));
    }
    CheckInside(m, l.stream_addr, uint64_t{l.num_instr} * isa::kInstrBytes, what,
                "the stream of " + l.name);
    CheckTensor(m, l.out_region, what, "the output of " + l.name);
  }
  if (m.inputs.empty() || m.outputs.empty()) {
    throw ModelError(fmt::format("{}: the model needs at least one input and one output", what));
  }
  for (const auto* list : {&m.inputs, &m.outputs}) {
    for (const ModelIo& io : *list) {
      const TensorRegion& t = io.region;
      CheckTensor(m, t, what, "tensor '" + io.name + "'");
      int64_t n = 1;
      for (int64_t d : io.shape) {
        if (d <= 0 || d > (int64_t{1} << 31)) {
          throw ModelError(fmt::format("{}: tensor '{}' has a malformed shape", what, io.name));
        }
        n *= d;
        if (n > (int64_t{1} << 40)) break;
      }
      const TapFold& f = io.fold;
      if (f.Active() || f != TapFold{}) {
        const auto in = [](int v, int lo, int hi) { return v >= lo && v <= hi; };
        if (list != &m.inputs || !in(f.kh, 1, 64) || !in(f.kw, 1, 64) || !in(f.stride_h, 1, 64) ||
            !in(f.stride_w, 1, 64) || !in(f.pad_top, 0, f.kh - 1) || !in(f.pad_left, 0, f.kw - 1) ||
            !in(f.h, 1, 65535) || !in(f.w, 1, 65535) || !in(f.c, 1, 65535) ||
            int64_t{f.kh} * f.kw * f.c != t.c) {
          throw ModelError(fmt::format("{}: tensor '{}' has a malformed tap fold", what, io.name));
        }
      }
      const int64_t host_elems = f.Active() ? int64_t{f.h} * f.w * f.c : int64_t{t.h} * t.w * t.c;
      if (n != host_elems) {
        throw ModelError(
            fmt::format("{}: tensor '{}' has {} elements on the host but {}x{}x{} on "
                        "the device",
                        what, io.name, n, f.Active() ? f.h : t.h, f.Active() ? f.w : t.w,
                        f.Active() ? f.c : t.c));
      }
      if (!(io.scale > 0.0f) || !std::isfinite(io.scale) || io.zero_point < -128 ||
          io.zero_point > 127) {
        throw ModelError(
            fmt::format("{}: tensor '{}' has a malformed quantization", what, io.name));
      }
    }
  }
}

}  // namespace

std::vector<uint8_t> SerializeModel(const CompiledModel& m) {
  Writer w;
  w.Raw(kMagic, sizeof kMagic);
  w.U32(kModelFormatVersion);
  w.Str(m.config);
  w.U32(m.dim);
  w.Str(m.source);
  w.U32(m.base);
  w.U32(m.size);
  w.U32(m.constant_bytes);
  w.U32(m.activation_bytes);
  w.U32(static_cast<uint32_t>(m.constants.size()));
  for (const Segment& s : m.constants) {
    w.U32(s.addr);
    w.Bytes(s.bytes);
  }
  w.U32(static_cast<uint32_t>(m.layers.size()));
  for (const ModelLayer& l : m.layers) {
    w.Str(l.name);
    w.Str(l.kind);
    w.Str(l.summary);
    w.U32(l.stream_addr);
    w.U32(l.num_instr);
    w.U64(l.macs);
    w.U64(l.est_cycles);
    w.Str(l.output);
    WriteRegion(w, l.out_region);
  }
  for (const auto* list : {&m.inputs, &m.outputs}) {
    w.U32(static_cast<uint32_t>(list->size()));
    for (const ModelIo& io : *list) WriteIo(w, io);
  }
  std::vector<uint8_t>& out = w.Out();
  const uLong crc = crc32(0L, out.data(), static_cast<uInt>(out.size()));
  w.U32(static_cast<uint32_t>(crc));
  return std::move(out);
}

CompiledModel ParseModel(std::span<const uint8_t> bytes, const std::string& what) {
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    throw ModelError(what + ": not a compiled npu model (.npub): wrong magic bytes");
  }
  if (bytes.size() < sizeof kMagic + 8) {
    throw ModelError(what + ": truncated: " + std::to_string(bytes.size()) + " bytes");
  }
  Reader head(bytes.subspan(sizeof kMagic), what);
  const uint32_t version = head.U32("version");
  if (version != kModelFormatVersion) {
    throw ModelError(fmt::format(
        "{}: written in .npub format version {}, this runtime reads version {}; recompile the "
        "model with this version's `npu compile`",
        what, version, kModelFormatVersion));
  }
  const size_t body = bytes.size() - 4;
  uint32_t stored = 0;
  for (int i = 0; i < 4; ++i) stored |= uint32_t{bytes[body + i]} << (8 * i);
  const uLong crc = crc32(0L, bytes.data(), static_cast<uInt>(body));
  if (static_cast<uint32_t>(crc) != stored) {
    throw ModelError(what + ": corrupt or truncated: checksum mismatch");
  }
  Reader r(bytes.subspan(sizeof kMagic + 4, body - sizeof kMagic - 4), what);
  CompiledModel m;
  m.config = r.Str("configuration");
  m.dim = r.U32("dim");
  m.source = r.Str("source");
  m.base = r.U32("base");
  m.size = r.U32("size");
  m.constant_bytes = r.U32("constant bytes");
  m.activation_bytes = r.U32("activation bytes");
  for (uint32_t i = 0, n = r.Count("segments"); i < n; ++i) {
    Segment s;
    s.addr = r.U32("segment address");
    s.bytes = r.Bytes("segment bytes");
    m.constants.push_back(std::move(s));
  }
  for (uint32_t i = 0, n = r.Count("layers"); i < n; ++i) {
    ModelLayer l;
    l.name = r.Str("layer name");
    l.kind = r.Str("layer kind");
    l.summary = r.Str("layer summary");
    l.stream_addr = r.U32("stream address");
    l.num_instr = r.U32("stream length");
    l.macs = r.U64("macs");
    l.est_cycles = r.U64("estimated cycles");
    l.output = r.Str("layer output");
    l.out_region = ReadRegion(r);
    m.layers.push_back(std::move(l));
  }
  for (auto* list : {&m.inputs, &m.outputs}) {
    for (uint32_t i = 0, n = r.Count("inputs or outputs"); i < n; ++i) list->push_back(ReadIo(r));
  }
  if (r.Left() != 0) r.Fail(fmt::format("{} unexpected bytes after the model", r.Left()));
  Validate(m, what);
  return m;
}

CompiledModel LoadModel(const std::string& path) {
  try {
    return ParseModel(ReadFile(path), path);
  } catch (const FileError& e) {
    throw ModelError(e.what());
  }
}

void SaveModel(const std::string& path, const CompiledModel& model) {
  try {
    WriteFileAtomically(path, SerializeModel(model));
  } catch (const FileError& e) {
    throw ModelError(e.what());
  }
}

int8_t QuantizeValue(float x, float scale, int32_t zero_point) {
  const float q = std::nearbyint(x / scale);  // round half to even (the default rounding mode)
  const float v = q + static_cast<float>(zero_point);
  if (!(v >= -128.0f)) return -128;  // also NaN, as ONNX Runtime's saturation does
  if (v > 127.0f) return 127;
  return static_cast<int8_t>(v);
}

float DequantizeValue(int8_t q, float scale, int32_t zero_point) {
  return static_cast<float>(static_cast<int32_t>(q) - zero_point) * scale;
}

void CheckInputs(const CompiledModel& model, std::span<const NpyArray> inputs) {
  if (inputs.size() != model.inputs.size()) {
    throw ModelError(
        fmt::format("the model has {} input(s), {} given", model.inputs.size(), inputs.size()));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ModelIo& io = model.inputs[i];
    const NpyArray& a = inputs[i];
    NpyArray want;
    want.shape = io.shape;
    if (a.dtype != io.dtype) {
      throw ModelError(fmt::format("input '{}' must be {}, got {}", io.name, DTypeName(io.dtype),
                                   DTypeName(a.dtype)));
    }
    if (a.shape != io.shape) {
      throw ModelError(fmt::format("input '{}' must have shape {}, got {}", io.name,
                                   want.ShapeString(), a.ShapeString()));
    }
  }
}

std::vector<int8_t> HostToNhwc(const ModelIo& io, const NpyArray& a) {
  const TensorRegion& t = io.region;
  const TapFold& f = io.fold;
  const int h = f.Active() ? f.h : t.h, w = f.Active() ? f.w : t.w, ch = f.Active() ? f.c : t.c;
  std::vector<int8_t> nhwc(static_cast<size_t>(h) * w * ch);
  for (int c = 0; c < ch; ++c) {
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const size_t src = (static_cast<size_t>(c) * h + y) * w + x;
        int8_t q;
        if (io.dtype == DType::kFloat32) {
          float v;
          std::memcpy(&v, a.data.data() + 4 * src, 4);
          q = QuantizeValue(v, io.scale, io.zero_point);
        } else {
          q = static_cast<int8_t>(a.data[src]);
        }
        nhwc[(static_cast<size_t>(y) * w + x) * ch + c] = q;
      }
    }
  }
  return nhwc;
}

std::vector<int8_t> ToDevice(const ModelIo& io, const NpyArray& a) {
  std::vector<int8_t> nhwc = HostToNhwc(io, a);
  if (!io.fold.Active()) return nhwc;
  return FoldTaps(nhwc, io.fold, io.region.h, io.region.w, static_cast<int8_t>(io.zero_point));
}

NpyArray FromDevice(const ModelIo& io, const std::vector<int8_t>& nhwc) {
  const TensorRegion& t = io.region;
  NpyArray a;
  a.dtype = io.dtype;
  a.shape = io.shape;
  a.data.resize(nhwc.size() * DTypeSize(io.dtype));
  for (int c = 0; c < t.c; ++c) {
    for (int y = 0; y < t.h; ++y) {
      for (int x = 0; x < t.w; ++x) {
        const size_t dst = (static_cast<size_t>(c) * t.h + y) * t.w + x;
        const int8_t q = nhwc[(static_cast<size_t>(y) * t.w + x) * t.c + c];
        if (io.dtype == DType::kFloat32) {
          const float v = DequantizeValue(q, io.scale, io.zero_point);
          std::memcpy(a.data.data() + 4 * dst, &v, 4);
        } else {
          a.data[dst] = static_cast<uint8_t>(q);
        }
      }
    }
  }
  return a;
}

ModelRunResult RunModel(Backend& be, const CompiledModel& model, std::span<const NpyArray> inputs,
                        const LayerCallback& on_layer, const LayerOutputCallback& on_output) {
  if (be.Config().name != model.config) {
    throw ModelError(fmt::format(
        "the model was compiled for configuration {}, the {} backend is {}; recompile it with "
        "--config {}",
        model.config, be.Name(), be.Config().name, be.Config().name));
  }
  CheckInputs(model, inputs);
  DeviceMemory mem(model.base, model.size);
  for (const Segment& s : model.constants) mem.Write(s.addr, s.bytes);
  const int dim = static_cast<int>(model.dim);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ModelIo& io = model.inputs[i];
    const TensorRegion& t = io.region;
    mem.Write(t.addr, PackActivations(ToDevice(io, inputs[i]), t.h, t.w, t.c, dim));
  }
  std::vector<StreamRef> streams;
  for (const ModelLayer& l : model.layers) streams.push_back({l.stream_addr, l.num_instr});
  const std::vector<RunResult> results =
      be.RunStreams(mem, streams, [&](size_t i, const RunResult& r) {
        if (on_layer) on_layer(i, streams.size(), r);
        if (on_output && r.status.ok) {
          const TensorRegion& t = model.layers[i].out_region;
          std::vector<uint8_t> blocked(BlockedBytes(t.h, t.w, t.c, dim));
          be.Sync(mem, t.addr, blocked.size());
          mem.Read(t.addr, blocked);
          on_output(i, UnpackActivations(blocked, t.h, t.w, t.c, dim));
        }
      });
  ModelRunResult run;
  for (size_t i = 0; i < results.size(); ++i) {
    const ModelLayer& l = model.layers[i];
    run.layers.push_back({l.name, l.kind, l.macs, results[i]});
    run.cycles += results[i].stats.cycles;
    if (run.status.ok && !results[i].status.ok) run.status = results[i].status;
  }
  for (const ModelIo& io : model.outputs) {
    const TensorRegion& t = io.region;
    std::vector<uint8_t> blocked(BlockedBytes(t.h, t.w, t.c, dim));
    mem.Read(t.addr, blocked);
    run.outputs.push_back(FromDevice(io, UnpackActivations(blocked, t.h, t.w, t.c, dim)));
  }
  return run;
}

}  // namespace npu::runtime
