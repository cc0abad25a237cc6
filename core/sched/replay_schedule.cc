#include "core/sched/replay_schedule.h"

#include <algorithm>

#include "core/sched/internal.h"
#include "core/sched/round_robin_schedule.h"

namespace racefuzz {

RACEFUZZ_SCHED_INTERNAL ThreadId ReplaySchedule::Pick(absl::Span<const ThreadId> runnable,
                                                      ThreadId current) {
  if (next_ < decisions_.size()) {
    const ThreadId want = decisions_[next_++];
    if (std::find(runnable.begin(), runnable.end(), want) != runnable.end()) return want;
  }
  diverged_ = true;
  return RoundRobinSchedule().Pick(runnable, current);
}

RACEFUZZ_SCHED_INTERNAL size_t ReplaySchedule::ChooseRead(ThreadId t, size_t n) {
  (void)t;
  if (next_read_ < reads_.size() && reads_[next_read_] < n) return reads_[next_read_++];
  diverged_ = true;
  return 0;
}

}  // namespace racefuzz
