// Width-aware access to a signal of a verilated model without depending on
// Verilator's headers.

#ifndef NPU_TB_BUS_SIGNAL_REF_H_
#define NPU_TB_BUS_SIGNAL_REF_H_

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

namespace npu::bus {

/// A reference to one port of a verilated model (or to any variable laid out
/// the same way).
///
/// Verilator stores a port of width <= 8 bits in a `uint8_t`, <= 16 in a
/// `uint16_t`, <= 32 in a `uint32_t`, <= 64 in a `uint64_t`, and wider ports
/// in `VlWide<N>`, an array of N `uint32_t` words, least significant first.
/// A SignalRef is a pointer to that storage plus the width in bits; the
/// storage type follows from the width by the rule above.
class SignalRef {
 public:
  /// An unbound reference: IsBound() is false, Get() returns 0, Set() throws.
  SignalRef() = default;

  /// Refers to the storage at `ptr`, which holds a signal of `width` bits.
  SignalRef(void* ptr, int width);

  /// Refers to an integral variable (`uint8_t` ... `uint64_t`); the width is
  /// that of the type unless given.
  template <typename T>
  requires std::is_integral_v<T>
  static SignalRef Of(T& signal, int width = 8 * sizeof(T)) { return SignalRef(&signal, width); }

  /// Refers to a wide signal: any object with `uint32_t* data()` whose size is
  /// a whole number of 32-bit words (Verilator's `VlWide<N>`); the width is
  /// the object's size unless given.
  template <typename T>
  requires(!std::is_integral_v<T>) && requires(T& t) {
    { t.data() } -> std::convertible_to<std::uint32_t*>;
  }
  static SignalRef Of(T& signal, int width = 8 * sizeof(T)) {
    static_assert(sizeof(T) % sizeof(std::uint32_t) == 0,
                  "a wide signal is a whole number of 32-bit words");
    return SignalRef(signal.data(), width);
  }

  /// True if this refers to a signal.
  bool IsBound() const { return ptr_ != nullptr; }
  /// Width in bits.
  int width() const { return width_; }
  /// Bytes the value occupies (ceil(width / 8)).
  int ValueBytes() const { return (width_ + 7) / 8; }
  /// Bytes of storage (1, 2, 4, 8 or a multiple of 4).
  int StorageBytes() const;
  /// True if the signal is wider than 64 bits (stored as words).
  bool IsWide() const { return width_ > 64; }

  /// Value of a signal up to 64 bits wide; for a wide signal, its low 64 bits.
  std::uint64_t Get() const;
  /// Writes `value` masked to the width; for a wide signal, writes the low 64
  /// bits and clears the rest.
  void Set(std::uint64_t value) const;

  /// Copies the value, least significant byte first, into `out`; bytes past
  /// the value are zero.
  void GetBytes(std::span<std::uint8_t> out) const;
  /// Writes the value from `in`, least significant byte first; missing bytes
  /// are zero and bits past the width are cleared.
  void SetBytes(std::span<const std::uint8_t> in) const;

  /// Words of a wide signal (nullptr for a narrow one).
  std::uint32_t* Words() const;
  /// Number of 32-bit words of a wide signal (0 for a narrow one).
  int NumWords() const { return IsWide() ? (width_ + 31) / 32 : 0; }

 private:
  void* ptr_ = nullptr;
  int width_ = 0;
};

}  // namespace npu::bus

#endif  // NPU_TB_BUS_SIGNAL_REF_H_
