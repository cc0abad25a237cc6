// The bytes a schedule reads: a span with a front cursor. The engine reads its decisions through
// this, not through libFuzzer's FuzzedDataProvider (the harness hands over the bytes a fuzz target
// left for the schedule), so core/sched depends on no other library's internals.
#ifndef RACEFUZZ_CORE_SCHED_BYTE_SOURCE_H_
#define RACEFUZZ_CORE_SCHED_BYTE_SOURCE_H_

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"

namespace racefuzz {

// Invariants: front_ <= bytes_.size().
class ByteSource {
 public:
  ByteSource() = default;
  // Safety: the bytes must outlive the source (it keeps a view, not a copy).
  explicit ByteSource(absl::Span<const uint8_t> bytes) : bytes_(bytes) {}

  size_t remaining() const { return bytes_.size() - front_; }
  // How many bytes were read.
  size_t consumed() const { return front_; }
  // The bytes read so far, oldest first.
  absl::Span<const uint8_t> consumed_bytes() const { return bytes_.first(front_); }

  // Reads the next byte into `out`; false (and `out` untouched) when none is left.
  bool Next(uint8_t& out) {
    if (front_ == bytes_.size()) return false;
    out = bytes_[front_++];
    return true;
  }
  // The next byte, or 0 once none is left.
  uint8_t NextOrZero() {
    uint8_t b = 0;
    Next(b);
    return b;
  }

 private:
  absl::Span<const uint8_t> bytes_;
  size_t front_ = 0;
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_BYTE_SOURCE_H_
