#include "sw/runtime/npy.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>

#include "sw/runtime/file_io.h"

namespace npu::runtime {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
/// numpy's ARRAY_ALIGN: the data of a file it writes starts at a multiple of this.
constexpr size_t kAlign = 64;
/// numpy's GROWTH_AXIS_MAX_DIGITS: it pads the header with this many spaces
/// less the digits of the first dimension, so the header can be rewritten in
/// place when the array grows.
constexpr size_t kGrowthDigits = 21;
/// Longest piece of the input quoted in a message.
constexpr size_t kMaxQuote = 40;

[[noreturn]] void Fail(const std::string& what, std::string_view problem) {
  throw NpyError(fmt::format("{}: {}", what, problem));
}

/// @p s for a message: printable ASCII as is, other bytes (and quotes and
/// backslashes) as \xNN, cut to kMaxQuote characters with "..." after.
std::string Clip(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == kMaxQuote) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out;
}

/// Clip(@p s) in single quotes.
std::string Quote(std::string_view s) { return "'" + Clip(s) + "'"; }

/// The shape as a Python tuple, as numpy's header has it: "()", "(3,)",
/// "(1, 3, 8, 8)".
std::string ShapeTuple(const std::vector<int64_t>& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

/// Bytes the data of an array of @p shape with @p elem_size-byte elements
/// takes. Like numpy, it requires the product of the non-zero dimensions
/// times the element size to fit int64 (and size_t), even if a dimension is 0.
size_t CheckedNumBytes(const std::vector<int64_t>& shape, size_t elem_size,
                       const std::string& what) {
  if (shape.size() > kNpyMaxDims) {
    Fail(what, fmt::format("shape has {} dimensions; at most {} are supported", shape.size(),
                           kNpyMaxDims));
  }
  constexpr uint64_t kLimit =
      std::min<uint64_t>(std::numeric_limits<int64_t>::max(), std::numeric_limits<size_t>::max());
  uint64_t bytes = elem_size;
  bool zero = false;
  for (int64_t d : shape) {
    if (d < 0) Fail(what, fmt::format("negative dimension {} in shape {}", d, ShapeTuple(shape)));
    if (d == 0) {
      zero = true;
      continue;
    }
    if (bytes > kLimit / static_cast<uint64_t>(d)) {
      Fail(what, fmt::format("shape {} overflows: its data would exceed 2^63-1 bytes",
                             ShapeTuple(shape)));
    }
    bytes *= static_cast<uint64_t>(d);
  }
  return zero ? 0 : static_cast<size_t>(bytes);
}

/// The descr numpy writes for @p dtype ("" if @p dtype is not a DType).
std::string_view Descr(DType dtype) {
  switch (dtype) {
    case DType::kInt8:
      return "|i1";
    case DType::kUint8:
      return "|u1";
    case DType::kInt32:
      return "<i4";
    case DType::kInt64:
      return "<i8";
    case DType::kFloat32:
      return "<f4";
  }
  return "";
}

/// The supported dtype of a type code without byte order ("i1", "f4", ...).
std::optional<DType> SupportedCode(std::string_view code) {
  if (code == "i1") return DType::kInt8;
  if (code == "u1") return DType::kUint8;
  if (code == "i4") return DType::kInt32;
  if (code == "i8") return DType::kInt64;
  if (code == "f4") return DType::kFloat32;
  return std::nullopt;
}

/// numpy's name of an unsupported type code, or "" if it is not a common one.
std::string_view UnsupportedCodeName(std::string_view code) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"f2", "float16"},    {"f8", "float64"},     {"f16", "float128"}, {"i2", "int16"},
      {"u2", "uint16"},     {"u4", "uint32"},      {"u8", "uint64"},    {"b1", "bool"},
      {"c8", "complex64"},  {"c16", "complex128"}, {"O", "object"},     {"O8", "object"},
      {"M8", "datetime64"}, {"m8", "timedelta64"}, {"?", "bool"},       {"e", "float16"},
      {"d", "float64"},     {"h", "int16"},        {"H", "uint16"},     {"I", "uint32"},
      {"L", "uint64"},      {"Q", "uint64"},       {"g", "float128"},   {"F", "complex64"},
      {"D", "complex128"},
  };
  for (const auto& [c, name] : kNames) {
    if (c == code) return name;
  }
  if (code.starts_with("M8[")) return "datetime64";
  if (code.starts_with("m8[")) return "timedelta64";
  if (code.starts_with("U")) return "str";
  if (code.starts_with("S")) return "bytes";
  if (code.starts_with("V")) return "void";
  return "";
}

/// The dtype of header descr @p descr.
DType DTypeOfDescr(std::string_view descr, const std::string& what) {
  if (descr == "|i1" || descr == "<i1") return DType::kInt8;
  if (descr == "|u1" || descr == "<u1") return DType::kUint8;
  if (descr == "<i4") return DType::kInt32;
  if (descr == "<i8") return DType::kInt64;
  if (descr == "<f4") return DType::kFloat32;

  char order = 0;
  std::string_view code = descr;
  if (!code.empty() && std::string_view("<>|=").find(code[0]) != std::string_view::npos) {
    order = code[0];
    code.remove_prefix(1);
  }
  if (const std::optional<DType> dtype = SupportedCode(code)) {
    const std::string_view want = Descr(*dtype);
    if (order == '>' && DTypeSize(*dtype) > 1) {
      Fail(what, fmt::format("big-endian dtype {} ({}) is not supported; store it little-endian "
                             "as {} (e.g. arr.astype({}))",
                             Quote(descr), DTypeName(*dtype), Quote(want), Quote(want)));
    }
    Fail(what, fmt::format("dtype {} ({}) is not supported; numpy writes {} as {}", Quote(descr),
                           DTypeName(*dtype), DTypeName(*dtype), Quote(want)));
  }
  const std::string_view name = UnsupportedCodeName(code);
  std::string_view hint = "supported dtypes: int8, uint8, int32, int64, float32";
  if (name.starts_with("float") || name.starts_with("complex")) {
    hint = "use float32";
  } else if (name.starts_with("int") || name.starts_with("uint")) {
    hint = "use int8, uint8, int32 or int64";
  } else if (name == "bool") {
    hint = "use uint8";
  }
  const std::string endian = order == '>' ? ", big-endian" : "";
  if (name.empty()) {
    Fail(what, fmt::format("dtype {} is not supported; {}", Quote(descr), hint));
  }
  Fail(what, fmt::format("dtype {} ({}{}) is not supported; {}", Quote(descr), name, endian, hint));
}

/// Parses the header dict of a .npy file: a Python dict literal with the
/// keys 'descr' (a string), 'fortran_order' (True or False) and 'shape' (a
/// tuple of integers), then only whitespace.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& what) : text_(text), what_(what) {}

  struct Header {
    std::string descr;
    bool fortran_order = false;
    std::vector<int64_t> shape;
  };

  Header Parse() {
    Header h;
    bool have_descr = false, have_fortran = false, have_shape = false;
    SkipSpace();
    Expect('{', "the header dict");
    SkipSpace();
    while (Peek() != '}') {
      const size_t key_pos = pos_;
      const std::string key = ParseString("a key");
      SkipSpace();
      Expect(':', fmt::format("':' after key {}", Quote(key)));
      SkipSpace();
      if (key == "descr") {
        Once(have_descr, key, key_pos);
        h.descr = ParseDescr();
      } else if (key == "fortran_order") {
        Once(have_fortran, key, key_pos);
        h.fortran_order = ParseBool(key);
      } else if (key == "shape") {
        Once(have_shape, key, key_pos);
        h.shape = ParseShape();
      } else {
        Fail(what_, fmt::format("unexpected key {} in the header (expected 'descr', "
                                "'fortran_order' and 'shape')",
                                Quote(key)));
      }
      SkipSpace();
      if (Peek() == ',') {
        ++pos_;
        SkipSpace();
      } else if (Peek() != '}') {
        Malformed("expected ',' or '}' after a value");
      }
    }
    ++pos_;  // '}'
    SkipSpace();
    if (pos_ != text_.size()) Malformed("expected only whitespace after the header dict");
    if (!have_descr) Fail(what_, "the header has no 'descr' key");
    if (!have_fortran) Fail(what_, "the header has no 'fortran_order' key");
    if (!have_shape) Fail(what_, "the header has no 'shape' key");
    return h;
  }

 private:
  /// The next character, or '\0' at the end (a NUL in the header is an error
  /// wherever it is, as Python rejects it).
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  [[noreturn]] void Malformed(std::string_view problem) const {
    const std::string found = pos_ < text_.size()
                                  ? fmt::format("found {}", Quote(text_.substr(pos_, 12)))
                                  : std::string("found the end of the header");
    Fail(what_, fmt::format("malformed header at byte {}: {}, {}", pos_, problem, found));
  }

  void SkipSpace() {
    // Python's whitespace between tokens inside brackets.
    while (pos_ < text_.size() &&
           std::string_view(" \t\n\r\f\v").find(text_[pos_]) != std::string_view::npos) {
      ++pos_;
    }
  }

  void Expect(char c, std::string_view what_for) {
    if (Peek() != c) Malformed(fmt::format("expected {}", what_for));
    ++pos_;
  }

  void Once(bool& seen, const std::string& key, size_t key_pos) {
    if (seen) {
      pos_ = key_pos;
      Malformed(fmt::format("duplicate key {}", Quote(key)));
    }
    seen = true;
  }

  /// A string literal in single or double quotes, without escapes.
  std::string ParseString(std::string_view what_for) {
    const char quote = Peek();
    if (quote != '\'' && quote != '"')
      Malformed(fmt::format("expected {} (a quoted string)", what_for));
    const size_t start = ++pos_;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\') Malformed("escape sequences in strings are not supported");
      if (text_[pos_] == '\n' || text_[pos_] == '\0') Malformed("unterminated string");
      ++pos_;
    }
    if (pos_ == text_.size()) Malformed("unterminated string");
    return std::string(text_.substr(start, pos_++ - start));
  }

  std::string ParseDescr() {
    if (Peek() == '[') {
      Fail(what_, "structured dtypes (a list as 'descr') are not supported");
    }
    return ParseString("'descr' to be a dtype string");
  }

  bool ParseBool(std::string_view key) {
    for (const std::string_view word : {"True", "False"}) {
      if (text_.substr(pos_, word.size()) == word && !IsNameChar(At(pos_ + word.size()))) {
        pos_ += word.size();
        return word == "True";
      }
    }
    Malformed(fmt::format("expected True or False as '{}'", key));
  }

  static bool IsNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
  char At(size_t i) const { return i < text_.size() ? text_[i] : '\0'; }

  /// A tuple of non-negative decimal integers: (), (3,), (1, 3, 8, 8), with an
  /// optional trailing comma after two or more elements.
  std::vector<int64_t> ParseShape() {
    std::vector<int64_t> shape;
    Expect('(', "'shape' to be a tuple such as (1, 3, 8, 8)");
    SkipSpace();
    bool comma = false;  // whether the last element was followed by ','
    while (Peek() != ')') {
      if (!shape.empty() && !comma) Malformed("expected ',' or ')' in 'shape'");
      if (shape.size() == kNpyMaxDims) {
        Fail(what_, fmt::format("shape has more than {} dimensions", kNpyMaxDims));
      }
      shape.push_back(ParseDim());
      SkipSpace();
      comma = Peek() == ',';
      if (comma) {
        ++pos_;
        SkipSpace();
      }
    }
    if (shape.size() == 1 && !comma) {
      Malformed("expected ',' after the only dimension of 'shape' (a 1-d shape is written (3,))");
    }
    ++pos_;  // ')'
    return shape;
  }

  int64_t ParseDim() {
    const size_t start = pos_;
    const bool negative = Peek() == '-';
    if (negative) {
      ++pos_;
      SkipSpace();
    }
    const size_t digits = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    const std::string_view number = text_.substr(digits, pos_ - digits);
    if (number.empty() || IsNameChar(Peek()) || Peek() == '.') {
      pos_ = start;
      Malformed("expected a decimal integer as a dimension of 'shape'");
    }
    if (number.size() > 1 && number[0] == '0') {
      pos_ = start;
      Malformed("a dimension of 'shape' has a leading zero");
    }
    if (negative) {
      Fail(what_, fmt::format("negative dimension -{} in 'shape'", Clip(number)));
    }
    uint64_t value = 0;
    for (char c : number) {
      const auto digit = static_cast<uint64_t>(c - '0');
      if (value > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - digit) / 10) {
        Fail(what_, fmt::format("dimension {} in 'shape' overflows int64", Clip(number)));
      }
      value = value * 10 + digit;
    }
    return static_cast<int64_t>(value);
  }

  std::string_view text_;
  const std::string& what_;
  size_t pos_ = 0;
};

uint32_t ReadLe(std::span<const uint8_t> bytes, size_t n) {
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint32_t{bytes[i]} << (8 * i);
  return v;
}

std::vector<uint8_t> Serialize(const NpyArray& a, const std::string& what) {
  const std::string_view descr = Descr(a.dtype);
  if (descr.empty()) Fail(what, fmt::format("invalid dtype {}", static_cast<int>(a.dtype)));
  const size_t need = CheckedNumBytes(a.shape, DTypeSize(a.dtype), what);
  if (a.data.size() != need) {
    Fail(what, fmt::format("data has {} bytes but shape {} of {} needs {}", a.data.size(),
                           ShapeTuple(a.shape), DTypeName(a.dtype), need));
  }
  std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}",
                                   descr, ShapeTuple(a.shape));
  if (!a.shape.empty()) {
    header.append(kGrowthDigits - std::min(kGrowthDigits, fmt::formatted_size("{}", a.shape[0])),
                  ' ');
  }
  // As numpy's _wrap_header: spaces and a newline up to the next multiple of
  // kAlign (a full kAlign of spaces if already aligned), version 1.0 while
  // the length fits 16 bits.
  const size_t hlen = header.size() + 1;
  uint8_t major = 1;
  size_t prefix = kMagic.size() + 2 + 2;
  size_t pad = kAlign - (prefix + hlen) % kAlign;
  if (hlen + pad > 0xffff) {
    major = 2;
    prefix = kMagic.size() + 2 + 4;
    pad = kAlign - (prefix + hlen) % kAlign;
  }
  const size_t total_hlen = hlen + pad;
  std::string head(kMagic);
  head += static_cast<char>(major);
  head += '\0';
  const size_t len_size = prefix - head.size();  // little-endian header length
  for (size_t i = 0; i < len_size; ++i) head += static_cast<char>(total_hlen >> (8 * i));
  head += header;
  head.append(pad, ' ');
  head += '\n';
  std::vector<uint8_t> out(head.size() + need);
  std::memcpy(out.data(), head.data(), head.size());
  if (need != 0) std::memcpy(out.data() + head.size(), a.data.data(), need);
  return out;
}

}  // namespace

const char* DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kInt8:
      return "int8";
    case DType::kUint8:
      return "uint8";
    case DType::kInt32:
      return "int32";
    case DType::kInt64:
      return "int64";
    case DType::kFloat32:
      return "float32";
  }
  return "invalid";
}

size_t DTypeSize(DType dtype) {
  switch (dtype) {
    case DType::kInt8:
    case DType::kUint8:
      return 1;
    case DType::kInt32:
    case DType::kFloat32:
      return 4;
    case DType::kInt64:
      return 8;
  }
  return 0;
}

int64_t NpyArray::NumElements() const {
  return static_cast<int64_t>(CheckedNumBytes(shape, 1, "NpyArray::NumElements"));
}

std::string NpyArray::ShapeString() const { return fmt::format("[{}]", fmt::join(shape, ", ")); }

NpyArray ParseNpy(std::span<const uint8_t> bytes, const std::string& what) {
  const auto prefix_is = [&](std::string_view s) {
    return std::equal(s.begin(), s.end(), bytes.begin(),
                      [](char c, uint8_t b) { return static_cast<uint8_t>(c) == b; });
  };
  if (bytes.size() < kMagic.size() || !prefix_is(kMagic)) {
    Fail(what, bytes.empty() ? "not a .npy file (it is empty)"
                             : "not a .npy file (it does not start with \\x93NUMPY)");
  }
  if (bytes.size() < kMagic.size() + 2) {
    Fail(what, fmt::format("truncated header: the file ends after {} bytes, in the version",
                           bytes.size()));
  }
  const uint8_t major = bytes[6], minor = bytes[7];
  if (major < 1 || major > 3 || minor != 0) {
    Fail(what,
         fmt::format("unsupported .npy version {}.{} (supported: 1.0, 2.0, 3.0)", major, minor));
  }
  const size_t len_size = major == 1 ? 2 : 4;
  const size_t header_start = kMagic.size() + 2 + len_size;
  if (bytes.size() < header_start) {
    Fail(what, fmt::format("truncated header: the file ends after {} bytes, in the header length",
                           bytes.size()));
  }
  const size_t hlen = ReadLe(bytes.subspan(8), len_size);
  if (hlen > kNpyMaxHeaderBytes) {
    Fail(what, fmt::format("header of {} bytes is over the limit of {} bytes (1 MiB)", hlen,
                           kNpyMaxHeaderBytes));
  }
  if (bytes.size() - header_start < hlen) {
    Fail(what, fmt::format("truncated header: it declares {} bytes but only {} follow", hlen,
                           bytes.size() - header_start));
  }
  const std::string_view text(reinterpret_cast<const char*>(bytes.data() + header_start), hlen);
  const HeaderParser::Header h = HeaderParser(text, what).Parse();

  NpyArray a;
  a.dtype = DTypeOfDescr(h.descr, what);
  if (h.fortran_order) {
    Fail(what,
         "Fortran order is not supported (fortran_order is True); save a C-ordered array "
         "(e.g. np.ascontiguousarray)");
  }
  a.shape = h.shape;
  const size_t need = CheckedNumBytes(a.shape, DTypeSize(a.dtype), what);
  const size_t data_start = header_start + hlen;
  const size_t have = bytes.size() - data_start;
  if (have < need) {
    Fail(what, fmt::format("truncated: expected {} bytes of data, found {} (shape {} of {})", need,
                           have, ShapeTuple(a.shape), DTypeName(a.dtype)));
  }
  if (have > need) {
    Fail(what, fmt::format("{} bytes after the data (shape {} of {} needs {} bytes, found {})",
                           have - need, ShapeTuple(a.shape), DTypeName(a.dtype), need, have));
  }
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(data_start), bytes.end());
  return a;
}

NpyArray ReadNpy(const std::string& path) {
  std::vector<uint8_t> bytes;
  try {
    bytes = ReadFile(path);
  } catch (const FileError& e) {
    throw NpyError(e.what());
  }
  return ParseNpy(bytes, path);
}

std::vector<uint8_t> SerializeNpy(const NpyArray& a) { return Serialize(a, "SerializeNpy"); }

void WriteNpy(const std::string& path, const NpyArray& a) {
  const std::vector<uint8_t> bytes = Serialize(a, path);
  try {
    WriteFileAtomically(path, bytes);
  } catch (const FileError& e) {
    throw NpyError(e.what());
  }
}

NpyArray BatchItem(const NpyArray& batch, int64_t index) {
  if (batch.shape.empty() || index < 0 || index >= batch.shape[0]) {
    throw NpyError(fmt::format("no entry {} in an array of shape {}", index, batch.ShapeString()));
  }
  NpyArray a;
  a.dtype = batch.dtype;
  a.shape = batch.shape;
  a.shape[0] = 1;
  const size_t bytes = static_cast<size_t>(a.NumElements()) * DTypeSize(a.dtype);
  const auto first = batch.data.begin() + static_cast<ptrdiff_t>(index * bytes);
  a.data.assign(first, first + static_cast<ptrdiff_t>(bytes));
  return a;
}

std::vector<float> FloatValues(const NpyArray& a) {
  if (a.dtype != DType::kFloat32) {
    throw NpyError(fmt::format("a float32 array is needed, not {}", DTypeName(a.dtype)));
  }
  std::vector<float> v(a.data.size() / sizeof(float));
  std::memcpy(v.data(), a.data.data(), v.size() * sizeof(float));
  return v;
}

}  // namespace npu::runtime
