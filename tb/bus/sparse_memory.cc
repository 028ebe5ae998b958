#include "tb/bus/sparse_memory.h"

#include <algorithm>
#include <cstring>

namespace npu::bus {

std::uint8_t* SparseMemory::PageFor(std::uint64_t page_number) {
  Page& page = pages_[page_number];
  if (!page) {
    page = std::make_unique<std::uint8_t[]>(kPageBytes);
    std::memset(page.get(), fill_, kPageBytes);
  }
  return page.get();
}

const std::uint8_t* SparseMemory::FindPage(std::uint64_t page_number) const {
  auto it = pages_.find(page_number);
  return it == pages_.end() ? nullptr : it->second.get();
}

void SparseMemory::Write(std::uint32_t addr, std::span<const std::uint8_t> data) {
  std::uint64_t a = addr;
  std::size_t done = 0;
  while (done < data.size()) {
    const std::uint64_t offset = a % kPageBytes;
    const std::size_t n = std::min<std::size_t>(data.size() - done, kPageBytes - offset);
    std::memcpy(PageFor(a / kPageBytes) + offset, data.data() + done, n);
    done += n;
    a = (a + n) % kAddressSpace;
  }
}

void SparseMemory::Read(std::uint32_t addr, std::span<std::uint8_t> out) const {
  std::uint64_t a = addr;
  std::size_t done = 0;
  while (done < out.size()) {
    const std::uint64_t offset = a % kPageBytes;
    const std::size_t n = std::min<std::size_t>(out.size() - done, kPageBytes - offset);
    if (const std::uint8_t* page = FindPage(a / kPageBytes)) {
      std::memcpy(out.data() + done, page + offset, n);
    } else {
      std::memset(out.data() + done, fill_, n);
    }
    done += n;
    a = (a + n) % kAddressSpace;
  }
}

std::size_t SparseMemory::WriteMasked(std::uint32_t addr, std::span<const std::uint8_t> data,
                                      std::span<const std::uint8_t> strobes) {
  std::size_t written = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (i / 8 < strobes.size() && (strobes[i / 8] >> (i % 8) & 1) != 0) {
      Write8(static_cast<std::uint32_t>(addr + i), data[i]);
      ++written;
    }
  }
  return written;
}

std::uint8_t SparseMemory::Read8(std::uint32_t addr) const {
  const std::uint8_t* page = FindPage(addr / kPageBytes);
  return page ? page[addr % kPageBytes] : fill_;
}

void SparseMemory::Write8(std::uint32_t addr, std::uint8_t value) {
  PageFor(addr / kPageBytes)[addr % kPageBytes] = value;
}

std::uint32_t SparseMemory::Read32(std::uint32_t addr) const {
  std::uint8_t b[4];
  Read(addr, b);
  return b[0] | b[1] << 8 | b[2] << 16 | static_cast<std::uint32_t>(b[3]) << 24;
}

void SparseMemory::Write32(std::uint32_t addr, std::uint32_t value) {
  const std::uint8_t b[4] = {
      static_cast<std::uint8_t>(value), static_cast<std::uint8_t>(value >> 8),
      static_cast<std::uint8_t>(value >> 16), static_cast<std::uint8_t>(value >> 24)};
  Write(addr, b);
}

std::uint64_t SparseMemory::Read64(std::uint32_t addr) const {
  return Read32(addr) | std::uint64_t{Read32(addr + 4)} << 32;
}

void SparseMemory::Write64(std::uint32_t addr, std::uint64_t value) {
  Write32(addr, static_cast<std::uint32_t>(value));
  Write32(addr + 4, static_cast<std::uint32_t>(value >> 32));
}

void SparseMemory::Fill(std::uint32_t addr, std::uint64_t size, std::uint8_t value) {
  std::uint64_t a = addr;
  while (size > 0) {
    const std::uint64_t offset = a % kPageBytes;
    const std::uint64_t n = std::min(size, kPageBytes - offset);
    std::memset(PageFor(a / kPageBytes) + offset, value, n);
    size -= n;
    a = (a + n) % kAddressSpace;
  }
}

}  // namespace npu::bus
