#include "core/sched/input_schedule.h"

#include "core/sched/internal.h"
#include "core/sched/splitmix.h"

namespace racefuzz {

InputSchedule::InputSchedule(FuzzedDataProvider& fdp)
    : fdp_(fdp), state_(0x5eed0000ull + fdp.remaining_bytes()) {}

RACEFUZZ_SCHED_INTERNAL ThreadId InputSchedule::Pick(absl::Span<const ThreadId> runnable,
                                                     ThreadId current) {
  (void)current;
  uint8_t byte;
  if (fdp_.remaining_bytes() > 0) {
    fdp_.ConsumeData(&byte, 1);
    ++from_input_;
    return runnable[byte % runnable.size()];
  }
  ++from_fallback_;
  return runnable[SplitMix64(state_) % runnable.size()];
}

}  // namespace racefuzz
