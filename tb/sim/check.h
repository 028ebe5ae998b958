// Test assertions: NPU_CHECK(cond) << "message"; NPU_CHECK_EQ(a, b) << "message".
#pragma once

#include <concepts>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace npu::sim {

/// Thrown by a failing NPU_CHECK / NPU_CHECK_EQ; the message starts with
/// `file:line: `.
class TestFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

/// Collects the streamed message of a failing check.
class CheckMessage {
 public:
  CheckMessage(const char* file, int line, const std::string& what) {
    stream_ << file << ':' << line << ": " << what;
  }
  template <typename V>
  CheckMessage& operator<<(const V& value) {
    if (!has_user_text_) {
      stream_ << ": ";
      has_user_text_ = true;
    }
    stream_ << value;
    return *this;
  }
  std::string Text() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
  bool has_user_text_ = false;
};

/// `CheckThrower() & message` throws once the whole message is streamed
/// (`&` binds more loosely than `<<`).
struct CheckThrower {
  [[noreturn]] void operator&(const CheckMessage& message) const {
    throw TestFailure(message.Text());
  }
};

template <typename V>
void PrintValue(std::ostream& os, const V& value) {
  if constexpr (std::is_same_v<V, bool>) {
    os << (value ? "true" : "false");
  } else if constexpr (std::is_integral_v<V> && sizeof(V) == 1) {
    os << static_cast<int>(value);
  } else if constexpr (std::is_enum_v<V>) {
    os << static_cast<long long>(value);
  } else if constexpr (requires { os << value; }) {
    os << value;
  } else {
    os << "<unprintable>";
  }
}

/// Returns the failure text of `a == b`, or nothing if equal. Integers of
/// mixed signedness compare by value (std::cmp_equal).
template <typename A, typename B>
std::optional<std::string> CheckEq(const A& a, const B& b, const char* a_text, const char* b_text) {
  bool equal;
  if constexpr (std::is_integral_v<A> && std::is_integral_v<B> && !std::is_same_v<A, bool> &&
                !std::is_same_v<B, bool>) {
    equal = std::cmp_equal(a, b);
  } else {
    equal = (a == b);
  }
  if (equal) return std::nullopt;
  std::ostringstream os;
  os << "NPU_CHECK_EQ(" << a_text << ", " << b_text << ") failed: ";
  PrintValue(os, a);
  os << " != ";
  PrintValue(os, b);
  return os.str();
}

}  // namespace detail
}  // namespace npu::sim

// Keeps `if (x) NPU_CHECK(y);` from binding a following `else` to our `if`.
#define NPU_SIM_AMBIGUOUS_ELSE_BLOCKER_ \
  switch (0)                            \
  case 0:                               \
  default:

/// Throws npu::sim::TestFailure("file:line: NPU_CHECK(cond) failed: msg")
/// unless `cond` holds. Stream extra context: `NPU_CHECK(ok) << "row " << r;`
#define NPU_CHECK(cond)                  \
  NPU_SIM_AMBIGUOUS_ELSE_BLOCKER_        \
  if (cond) {                            \
  } else                                 \
    ::npu::sim::detail::CheckThrower() & \
        ::npu::sim::detail::CheckMessage(__FILE__, __LINE__, "NPU_CHECK(" #cond ") failed")

/// Throws npu::sim::TestFailure showing both values unless `a == b`.
#define NPU_CHECK_EQ(a, b)                                                              \
  NPU_SIM_AMBIGUOUS_ELSE_BLOCKER_                                                       \
  if (const auto npu_check_eq_failure_ = ::npu::sim::detail::CheckEq((a), (b), #a, #b); \
      !npu_check_eq_failure_) {                                                         \
  } else                                                                                \
    ::npu::sim::detail::CheckThrower() &                                                \
        ::npu::sim::detail::CheckMessage(__FILE__, __LINE__, *npu_check_eq_failure_)
