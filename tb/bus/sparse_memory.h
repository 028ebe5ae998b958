// Sparse byte-addressed memory for bus models.

#ifndef NPU_TB_BUS_SPARSE_MEMORY_H_
#define NPU_TB_BUS_SPARSE_MEMORY_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>

namespace npu::bus {

/// A 32-bit byte-addressed memory made of 4 KiB pages allocated on first
/// write. Bytes never written read as the fill byte (0 unless set).
/// Accesses wrap around at 2^32 and may cross pages.
class SparseMemory {
 public:
  /// Page size in bytes.
  static constexpr std::uint64_t kPageBytes = 4096;
  /// Size of the address space in bytes.
  static constexpr std::uint64_t kAddressSpace = std::uint64_t{1} << 32;

  /// An empty memory reading as `fill`.
  explicit SparseMemory(std::uint8_t fill = 0) : fill_(fill) {}

  /// Copies `data` to `addr` onwards.
  void Write(std::uint32_t addr, std::span<const std::uint8_t> data);
  /// Copies bytes from `addr` onwards into `out`.
  void Read(std::uint32_t addr, std::span<std::uint8_t> out) const;

  /// Writes the bytes of `data` whose strobe bit is set (bit i of
  /// `strobes[i / 8]` enables byte i); returns how many were written.
  std::size_t WriteMasked(std::uint32_t addr, std::span<const std::uint8_t> data,
                          std::span<const std::uint8_t> strobes);

  /// One byte.
  std::uint8_t Read8(std::uint32_t addr) const;
  /// Writes one byte.
  void Write8(std::uint32_t addr, std::uint8_t value);
  /// Little-endian 32-bit word.
  std::uint32_t Read32(std::uint32_t addr) const;
  /// Writes a little-endian 32-bit word.
  void Write32(std::uint32_t addr, std::uint32_t value);
  /// Little-endian 64-bit word.
  std::uint64_t Read64(std::uint32_t addr) const;
  /// Writes a little-endian 64-bit word.
  void Write64(std::uint32_t addr, std::uint64_t value);

  /// Fills [addr, addr + size) with `value`.
  void Fill(std::uint32_t addr, std::uint64_t size, std::uint8_t value);

  /// Drops every page; the whole memory reads as the fill byte again.
  void Clear() { pages_.clear(); }
  /// The byte unwritten memory reads as.
  std::uint8_t fill() const { return fill_; }
  /// Changes the fill byte (pages already allocated keep their contents).
  void set_fill(std::uint8_t fill) { fill_ = fill; }
  /// Number of allocated pages.
  std::size_t NumPages() const { return pages_.size(); }

 private:
  using Page = std::unique_ptr<std::uint8_t[]>;

  std::uint8_t* PageFor(std::uint64_t page_number);
  const std::uint8_t* FindPage(std::uint64_t page_number) const;

  std::uint8_t fill_;
  std::unordered_map<std::uint64_t, Page> pages_;
};

}  // namespace npu::bus

#endif  // NPU_TB_BUS_SPARSE_MEMORY_H_
