// Replays a recorded list of decisions (Trace::decisions()) and of weak-memory reads
// (Trace::reads()). Used to check the replay round trip and to shorten schedules when minimizing.
// If a recorded pick is not runnable or a recorded read not allowed (the program changed), the
// schedule has diverged: it says so and continues round-robin, reading the newest stores.
#ifndef RACEFUZZ_CORE_SCHED_REPLAY_SCHEDULE_H_
#define RACEFUZZ_CORE_SCHED_REPLAY_SCHEDULE_H_

#include <vector>

#include "core/sched/schedule_source.h"

namespace racefuzz {

class ReplaySchedule : public ScheduleSource {
 public:
  explicit ReplaySchedule(std::vector<ThreadId> decisions, std::vector<uint8_t> reads = {})
      : decisions_(std::move(decisions)), reads_(std::move(reads)) {}

  const char* name() const override { return "replay"; }
  ThreadId Pick(absl::Span<const ThreadId> runnable, ThreadId current) override;
  size_t ChooseRead(ThreadId t, size_t n) override;

  // True if a recorded decision could not be followed, or decisions ran out before the run ended.
  bool diverged() const { return diverged_; }

 private:
  std::vector<ThreadId> decisions_;
  size_t next_ = 0;
  std::vector<uint8_t> reads_;
  size_t next_read_ = 0;
  bool diverged_ = false;
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_REPLAY_SCHEDULE_H_
