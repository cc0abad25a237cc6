#include "core/sched/input_schedule.h"

#include "core/sched/internal.h"
#include "core/sched/splitmix.h"

namespace racefuzz {

InputSchedule::InputSchedule(ByteSource& bytes) : bytes_(bytes) {}

RACEFUZZ_SCHED_INTERNAL ThreadId InputSchedule::Pick(absl::Span<const ThreadId> runnable,
                                                     ThreadId current) {
  (void)current;
  uint8_t byte;
  if (bytes_.Next(byte)) {
    ++from_input_;
    return runnable[byte % runnable.size()];
  }
  if (from_fallback_++ == 0) {
    // Every schedule byte was read (the source is empty): the whole schedule seeds what follows.
    const absl::Span<const uint8_t> read = bytes_.consumed_bytes();
    state_ = SeedFromBytes(read.data(), read.size());
  }
  return runnable[SplitMix64(state_) % runnable.size()];
}

RACEFUZZ_SCHED_INTERNAL bool InputSchedule::SpuriousWakeup(ThreadId t) {
  (void)t;
  uint8_t byte;
  if (!bytes_.Next(byte)) return false;
  return byte >= 0xe0;
}

RACEFUZZ_SCHED_INTERNAL size_t InputSchedule::CopySplit(size_t left) {
  uint8_t byte;
  if (!bytes_.Next(byte) || byte < 0x80) return 0;
  // An offset in [1, left): from one byte while there are at most 256 choices, else from two.
  if (!bytes_.Next(byte)) return 0;
  uint32_t v = byte;
  if (left - 1 > 256) {
    if (!bytes_.Next(byte)) return 0;
    v = (v << 8) | byte;
  }
  return 1 + v % (left - 1);
}

RACEFUZZ_SCHED_INTERNAL size_t InputSchedule::ChooseRead(ThreadId t, size_t n) {
  (void)t;
  uint8_t byte;
  if (!bytes_.Next(byte) || byte < 0x80) return 0;
  return 1 + (byte - 0x80) % (n - 1);
}

}  // namespace racefuzz
