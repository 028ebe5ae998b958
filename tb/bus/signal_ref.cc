#include "tb/bus/signal_ref.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace npu::bus {
namespace {

std::uint64_t Mask(int width) {
  return width >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
}

}  // namespace

SignalRef::SignalRef(void* ptr, int width) : ptr_(ptr), width_(width) {
  if (ptr == nullptr || width <= 0) {
    throw std::invalid_argument("SignalRef: null storage or width " + std::to_string(width));
  }
}

int SignalRef::StorageBytes() const {
  if (width_ <= 8) return 1;
  if (width_ <= 16) return 2;
  if (width_ <= 32) return 4;
  if (width_ <= 64) return 8;
  return 4 * NumWords();
}

std::uint64_t SignalRef::Get() const {
  if (ptr_ == nullptr) return 0;
  if (width_ <= 8) return *static_cast<const std::uint8_t*>(ptr_);
  if (width_ <= 16) return *static_cast<const std::uint16_t*>(ptr_);
  if (width_ <= 32) return *static_cast<const std::uint32_t*>(ptr_);
  if (width_ <= 64) return *static_cast<const std::uint64_t*>(ptr_);
  const auto* words = static_cast<const std::uint32_t*>(ptr_);
  return words[0] | (std::uint64_t{words[1]} << 32);
}

void SignalRef::Set(std::uint64_t value) const {
  if (ptr_ == nullptr) throw std::logic_error("SignalRef::Set on unbound ref");
  if (width_ <= 64) {
    value &= Mask(width_);
    if (width_ <= 8) {
      *static_cast<std::uint8_t*>(ptr_) = static_cast<std::uint8_t>(value);
    } else if (width_ <= 16) {
      *static_cast<std::uint16_t*>(ptr_) = static_cast<std::uint16_t>(value);
    } else if (width_ <= 32) {
      *static_cast<std::uint32_t*>(ptr_) = static_cast<std::uint32_t>(value);
    } else {
      *static_cast<std::uint64_t*>(ptr_) = value;
    }
    return;
  }
  std::uint8_t bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(value >> 8 * i);
  SetBytes(bytes);
}

void SignalRef::GetBytes(std::span<std::uint8_t> out) const {
  std::memset(out.data(), 0, out.size());
  if (ptr_ == nullptr) return;
  const std::size_t n = std::min<std::size_t>(out.size(), ValueBytes());
  if (!IsWide()) {
    const std::uint64_t value = Get();
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(value >> 8 * i);
    return;
  }
  const auto* words = static_cast<const std::uint32_t*>(ptr_);
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = static_cast<std::uint8_t>(words[i / 4] >> 8 * (i % 4));
  }
}

void SignalRef::SetBytes(std::span<const std::uint8_t> in) const {
  if (ptr_ == nullptr) throw std::logic_error("SignalRef::SetBytes on unbound ref");
  const std::size_t n = std::min<std::size_t>(in.size(), ValueBytes());
  if (!IsWide()) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < n; ++i) value |= std::uint64_t{in[i]} << 8 * i;
    Set(value);
    return;
  }
  auto* words = static_cast<std::uint32_t*>(ptr_);
  const int num_words = NumWords();
  for (int w = 0; w < num_words; ++w) {
    std::uint32_t word = 0;
    for (int b = 0; b < 4; ++b) {
      const std::size_t i = 4 * static_cast<std::size_t>(w) + b;
      if (i < n) word |= std::uint32_t{in[i]} << 8 * b;
    }
    words[w] = word;
  }
  if (width_ % 32 != 0) {
    words[num_words - 1] &= static_cast<std::uint32_t>(Mask(width_ % 32));
  }
}

std::uint32_t* SignalRef::Words() const {
  return IsWide() ? static_cast<std::uint32_t*>(ptr_) : nullptr;
}

}  // namespace npu::bus
