#include "sw/runtime/memory.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace npu::runtime {

DeviceMemory::DeviceMemory(uint32_t base, uint32_t size) : base_(base) {
  if (uint64_t{base} + size > (uint64_t{1} << 32)) {
    throw std::invalid_argument(fmt::format(
        "DeviceMemory: base 0x{:08x} + size 0x{:x} exceeds the 32-bit address space", base, size));
  }
  bytes_.assign(size, 0);
}

bool DeviceMemory::Contains(uint32_t addr, uint64_t len) const {
  return addr >= base_ && uint64_t{addr} - base_ + len <= bytes_.size();
}

size_t DeviceMemory::Offset(uint32_t addr, uint64_t len) const {
  if (!Contains(addr, len)) {
    throw std::out_of_range(
        fmt::format("DeviceMemory: access of {} bytes at 0x{:08x} outside [0x{:08x}, 0x{:09x})",
                    len, addr, base_, uint64_t{base_} + bytes_.size()));
  }
  return addr - base_;
}

void DeviceMemory::Read(uint32_t addr, std::span<uint8_t> out) const {
  const size_t off = Offset(addr, out.size());
  std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(off), out.size(), out.begin());
}

void DeviceMemory::Write(uint32_t addr, std::span<const uint8_t> data) {
  const size_t off = Offset(addr, data.size());
  std::copy(data.begin(), data.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(off));
}

uint32_t DeviceMemory::Read32(uint32_t addr) const {
  const size_t off = Offset(addr, 4);
  return uint32_t{bytes_[off]} | uint32_t{bytes_[off + 1]} << 8 | uint32_t{bytes_[off + 2]} << 16 |
         uint32_t{bytes_[off + 3]} << 24;
}

void DeviceMemory::Write32(uint32_t addr, uint32_t value) {
  const size_t off = Offset(addr, 4);
  for (int i = 0; i < 4; ++i) bytes_[off + i] = static_cast<uint8_t>(value >> (8 * i));
}

void DeviceMemory::Fill(uint32_t addr, uint32_t len, uint8_t value) {
  const size_t off = Offset(addr, len);
  std::fill_n(bytes_.begin() + static_cast<std::ptrdiff_t>(off), len, value);
}

}  // namespace npu::runtime
