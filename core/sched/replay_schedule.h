// Replays a recorded list of decisions (Trace::decisions()). Used to check the replay round trip
// and to shorten schedules when minimizing. If a recorded pick is not runnable (the program
// changed), the schedule has diverged: it says so and continues round-robin.
#ifndef RACEFUZZ_CORE_SCHED_REPLAY_SCHEDULE_H_
#define RACEFUZZ_CORE_SCHED_REPLAY_SCHEDULE_H_

#include <vector>

#include "core/sched/schedule_source.h"

namespace racefuzz {

class ReplaySchedule : public ScheduleSource {
 public:
  explicit ReplaySchedule(std::vector<ThreadId> decisions) : decisions_(std::move(decisions)) {}

  const char* name() const override { return "replay"; }
  ThreadId Pick(absl::Span<const ThreadId> runnable, ThreadId current) override;

  // True if a recorded decision could not be followed, or decisions ran out before the run ended.
  bool diverged() const { return diverged_; }

 private:
  std::vector<ThreadId> decisions_;
  size_t next_ = 0;
  bool diverged_ = false;
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_REPLAY_SCHEDULE_H_
