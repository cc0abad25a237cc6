// How the timeline prints an atomic's value: as the value of its type (a signed or unsigned
// integer, a bool, a pointer), not as bits.
#ifndef RACEFUZZ_CORE_SCHED_MEMORY_VALUE_H_
#define RACEFUZZ_CORE_SCHED_MEMORY_VALUE_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include "absl/strings/str_format.h"

namespace racefuzz::internal::memory {

enum class ValueKind : uint8_t { kSigned, kUnsigned, kBool, kPointer, kBits };

template <typename T>
constexpr ValueKind KindOf() {
  if constexpr (std::is_same_v<T, bool>) return ValueKind::kBool;
  if constexpr (std::is_pointer_v<T>) return ValueKind::kPointer;
  if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) return ValueKind::kSigned;
  if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) return ValueKind::kUnsigned;
  return ValueKind::kBits;
}

// A value of at most 8 bytes as the model keeps it (its low bytes, as memcpy puts them there), and
// back.
template <typename T>
uint64_t ToBits(T v) {
  static_assert(sizeof(T) <= sizeof(uint64_t));
  uint64_t b = 0;
  std::memcpy(&b, &v, sizeof v);
  return b;
}
template <typename T>
T FromBits(uint64_t b) {
  T v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

// `bits` holds a value of `size` bytes (its low bytes, as memcpy put it there).
inline std::string FormatValue(ValueKind kind, uint8_t size, uint64_t bits) {
  const int shift = 64 - 8 * size;
  switch (kind) {
    case ValueKind::kSigned:
      return absl::StrFormat("%d", static_cast<int64_t>(bits << shift) >> shift);
    case ValueKind::kUnsigned:
      return absl::StrFormat("%u", bits);
    case ValueKind::kBool:
      return bits != 0 ? "true" : "false";
    case ValueKind::kPointer:
      return bits == 0 ? std::string("nullptr") : absl::StrFormat("%#x", bits);
    case ValueKind::kBits:
      break;
  }
  return absl::StrFormat("%#x", bits);
}

}  // namespace racefuzz::internal::memory

#endif  // RACEFUZZ_CORE_SCHED_MEMORY_VALUE_H_
