#include "core/sched/input_schedule.h"

#include "core/sched/internal.h"
#include "core/sched/splitmix.h"

namespace racefuzz {

InputSchedule::InputSchedule(ByteSource& bytes)
    : bytes_(bytes), state_(0x5eed0000ull + bytes.remaining()) {}

RACEFUZZ_SCHED_INTERNAL ThreadId InputSchedule::Pick(absl::Span<const ThreadId> runnable,
                                                     ThreadId current) {
  (void)current;
  uint8_t byte;
  if (bytes_.Next(byte)) {
    ++from_input_;
    return runnable[byte % runnable.size()];
  }
  ++from_fallback_;
  return runnable[SplitMix64(state_) % runnable.size()];
}

RACEFUZZ_SCHED_INTERNAL bool InputSchedule::SpuriousWakeup(ThreadId t) {
  (void)t;
  uint8_t byte;
  if (!bytes_.Next(byte)) return false;
  return byte >= 0xe0;
}

}  // namespace racefuzz
