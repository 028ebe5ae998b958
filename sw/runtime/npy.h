/// @file
/// A strict reader and writer of NumPy `.npy` files (format versions 1.0,
/// 2.0 and 3.0), for the tensors that go in and out of the runtime.
///
/// Only what the NPU's tensors need is accepted: the dtypes int8, uint8,
/// int32, int64 and float32, little-endian, C order. Anything else, and any
/// malformed, truncated or oversized file, is rejected with an NpyError that
/// names the file and the problem; the reader never reads out of bounds and
/// never allocates more than the input's size (plus a header of at most
/// kNpyMaxHeaderBytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace npu::runtime {

/// Element types an NpyArray can hold.
enum class DType { kInt8, kUint8, kInt32, kInt64, kFloat32 };

/// NumPy's name of @p dtype: "int8", "uint8", "int32", "int64" or "float32".
const char* DTypeName(DType dtype);

/// Bytes per element of @p dtype (1, 1, 4, 8, 4).
size_t DTypeSize(DType dtype);

/// Largest header (the dict after the length field) ParseNpy accepts, 1 MiB.
inline constexpr size_t kNpyMaxHeaderBytes = size_t{1} << 20;

/// Most dimensions an array may have (NumPy 2's limit).
inline constexpr size_t kNpyMaxDims = 64;

/// A dense array as stored in a `.npy` file.
struct NpyArray {
  DType dtype = DType::kFloat32;  ///< Element type.
  /// Dimensions in C order (the last varies fastest); {} is a scalar, which
  /// holds one element.
  std::vector<int64_t> shape;
  /// Elements, little-endian in C order: NumElements() * DTypeSize(dtype)
  /// bytes.
  std::vector<uint8_t> data;

  /// Product of the dimensions (1 for a scalar, 0 if any dimension is 0).
  /// @throws NpyError if a dimension is negative, there are more than
  ///         kNpyMaxDims, or the product of the non-zero dimensions overflows
  ///         int64.
  int64_t NumElements() const;
  /// The shape as NumPy lists it, e.g. "[1, 3, 8, 8]" ("[]" for a scalar).
  std::string ShapeString() const;
};

/// Why a `.npy` file could not be read or written. The message names the
/// file (or what the caller passed as `what`) and the problem.
class NpyError : public std::runtime_error {
  using runtime_error::runtime_error;
};

/// Parses a whole `.npy` file held in memory. @p what names it in messages
/// (a path, or e.g. "input 'x'"). The header must be a dict with exactly the
/// keys 'descr', 'fortran_order' and 'shape' (in any order, Python literal
/// syntax, no escapes in strings); the descr one of '|i1', '<i1', '|u1',
/// '<u1', '<i4', '<i8' and '<f4'; fortran_order False; the data exactly as
/// long as the shape needs.
/// @throws NpyError naming @p what and the problem.
NpyArray ParseNpy(std::span<const uint8_t> bytes, const std::string& what);

/// Reads and parses the `.npy` file at @p path.
/// @throws NpyError naming @p path if it cannot be opened or read, or does
///         not parse (see ParseNpy).
NpyArray ReadNpy(const std::string& path);

/// The `.npy` file of @p a, byte for byte as NumPy's np.save writes it:
/// version 1.0 (2.0 only if the header does not fit 1.0's 16-bit length), the
/// header padded with spaces and a newline so that the data starts at a
/// multiple of 64 bytes.
/// @throws NpyError if the shape is invalid or data has the wrong size.
std::vector<uint8_t> SerializeNpy(const NpyArray& a);

/// Writes @p a to @p path atomically: to a temporary file in the same
/// directory, flushed, then renamed over @p path. On any failure neither
/// @p path (if it did not exist) nor the temporary file is left behind.
/// @throws NpyError naming @p path.
void WriteNpy(const std::string& path, const NpyArray& a);

/// Entry @p index of @p batch along its first axis, with that axis kept at
/// 1 (a batch [N, C, H, W] gives [1, C, H, W]).
/// @throws NpyError if @p batch is a scalar or @p index is out of range.
NpyArray BatchItem(const NpyArray& batch, int64_t index);

/// The elements of a float32 array. @throws NpyError if it is not float32.
std::vector<float> FloatValues(const NpyArray& a);

}  // namespace npu::runtime
