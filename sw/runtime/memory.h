/// @file
/// A contiguous byte image of device memory, the memory every runtime backend
/// executes against.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace npu::runtime {

/// Device memory: `size` bytes starting at device address `base`, zero
/// initialised. Every access is bounds-checked; an access that does not lie
/// fully inside [base, base + size) throws std::out_of_range naming the
/// address in hex.
class DeviceMemory {
 public:
  /// Creates a zeroed image of @p size bytes at device address @p base.
  /// @throws std::invalid_argument if base + size exceeds 2^32.
  DeviceMemory(uint32_t base, uint32_t size);

  /// Lowest device address of the image.
  uint32_t Base() const { return base_; }
  /// Size of the image in bytes.
  uint32_t Size() const { return static_cast<uint32_t>(bytes_.size()); }
  /// The bytes; element 0 is device address Base().
  std::span<uint8_t> Data() { return bytes_; }
  /// The bytes; element 0 is device address Base().
  std::span<const uint8_t> Data() const { return bytes_; }

  /// Whether [addr, addr + len) lies inside the image (len 0: addr inside or
  /// at its end).
  bool Contains(uint32_t addr, uint64_t len) const;

  /// Copies out.size() bytes from device address @p addr.
  /// @throws std::out_of_range if the range is not inside the image.
  void Read(uint32_t addr, std::span<uint8_t> out) const;
  /// Copies @p data to device address @p addr.
  /// @throws std::out_of_range if the range is not inside the image.
  void Write(uint32_t addr, std::span<const uint8_t> data);
  /// Little-endian 32-bit read. @throws std::out_of_range.
  uint32_t Read32(uint32_t addr) const;
  /// Little-endian 32-bit write. @throws std::out_of_range.
  void Write32(uint32_t addr, uint32_t value);
  /// Sets @p len bytes from @p addr to @p value. @throws std::out_of_range.
  void Fill(uint32_t addr, uint32_t len, uint8_t value);

 private:
  /// Offset of @p addr in bytes_; throws unless [addr, addr + len) is inside.
  size_t Offset(uint32_t addr, uint64_t len) const;

  uint32_t base_;
  std::vector<uint8_t> bytes_;
};

}  // namespace npu::runtime
