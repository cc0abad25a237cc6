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
  if (fdp_.remaining_bytes() == 0) return false;
  uint8_t byte;
  fdp_.ConsumeData(&byte, 1);
  return byte >= 0xe0;
}

}  // namespace racefuzz
