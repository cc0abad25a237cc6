#include "core/sched/replay_schedule.h"

#include <algorithm>

#include "core/sched/internal.h"
#include "core/sched/round_robin_schedule.h"
#include "core/sched/trace.h"

namespace racefuzz {

ReplaySchedule::ReplaySchedule(const Trace& recorded)
    : decisions_(recorded.decisions().begin(), recorded.decisions().end()),
      reads_(recorded.reads().begin(), recorded.reads().end()),
      wakeups_(recorded.wakeups().begin(), recorded.wakeups().end()),
      splits_(recorded.splits().begin(), recorded.splits().end()) {}

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

RACEFUZZ_SCHED_INTERNAL bool ReplaySchedule::SpuriousWakeup(ThreadId t) {
  (void)t;
  if (next_wakeup_ < wakeups_.size()) return wakeups_[next_wakeup_++] != 0;
  diverged_ = true;
  return false;
}

RACEFUZZ_SCHED_INTERNAL size_t ReplaySchedule::CopySplit(size_t left) {
  if (next_split_ < splits_.size() && splits_[next_split_] < left) return splits_[next_split_++];
  diverged_ = true;
  return 0;
}

}  // namespace racefuzz
