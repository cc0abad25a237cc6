// Round-robin: at every decision point, the next runnable thread after the current one. Useful as a
// baseline and for smoke tests; it explores exactly one interleaving.
#ifndef RACEFUZZ_CORE_SCHED_ROUND_ROBIN_SCHEDULE_H_
#define RACEFUZZ_CORE_SCHED_ROUND_ROBIN_SCHEDULE_H_

#include "core/sched/schedule_kind.h"
#include "core/sched/schedule_source.h"

namespace racefuzz {

class RoundRobinSchedule : public ScheduleSource {
 public:
  std::string_view name() const override { return ScheduleName(ScheduleKind::kRoundRobin); }
  ThreadId Pick(absl::Span<const ThreadId> runnable, ThreadId current) override {
    for (ThreadId t : runnable) {
      if (t > current) return t;
    }
    return runnable[0];
  }
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_ROUND_ROBIN_SCHEDULE_H_
