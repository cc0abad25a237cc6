// Replays what a run's source chose: its decisions (Trace::decisions()), weak-memory reads
// (Trace::reads()), spurious wake-ups (Trace::wakeups()) and byte-wise copy cuts
// (Trace::splits()). Used to check the replay round trip and to shorten schedules when minimizing.
// If a recorded pick is not runnable, a recorded read not allowed or a recorded cut past the copy's
// end (the program changed), or a list runs out while the run still asks, the schedule has
// diverged: it says so and continues round-robin, reading the newest stores, with no spurious
// wake-up and no cut.
#ifndef RACEFUZZ_CORE_SCHED_REPLAY_SCHEDULE_H_
#define RACEFUZZ_CORE_SCHED_REPLAY_SCHEDULE_H_

#include <cstdint>
#include <vector>

#include "core/sched/schedule_source.h"

namespace racefuzz {

class Trace;

class ReplaySchedule : public ScheduleSource {
 public:
  // Everything `recorded`'s run chose (a copy: the trace may be cleared by the replay's run).
  explicit ReplaySchedule(const Trace& recorded);
  // Decisions and reads only: for a program with no condition-variable wait and no byte-wise copy
  // (such a wait or copy makes the replay diverge).
  explicit ReplaySchedule(std::vector<ThreadId> decisions, std::vector<uint8_t> reads = {})
      : decisions_(std::move(decisions)), reads_(std::move(reads)) {}

  std::string_view name() const override { return "replay"; }
  ThreadId Pick(absl::Span<const ThreadId> runnable, ThreadId current) override;
  size_t ChooseRead(ThreadId t, size_t n) override;
  bool SpuriousWakeup(ThreadId t) override;
  size_t CopySplit(size_t left) override;

  // True if a recorded choice could not be followed, or a list ran out before the run ended.
  bool diverged() const { return diverged_; }

 private:
  std::vector<ThreadId> decisions_;
  size_t next_ = 0;
  std::vector<uint8_t> reads_;
  size_t next_read_ = 0;
  std::vector<uint8_t> wakeups_;
  size_t next_wakeup_ = 0;
  std::vector<size_t> splits_;
  size_t next_split_ = 0;
  bool diverged_ = false;
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_REPLAY_SCHEDULE_H_
