// Where the schedule comes from: at every decision point (a yield point, a block or a thread's end,
// with two or more threads runnable), the scheduler asks its source which thread runs next.
//
// One source per file: input_schedule.h (the fuzz input picks), pct_schedule.h (PCT priorities and
// change points decoded from the input), round_robin_schedule.h, replay_schedule.h (a recorded
// list of decisions). Every source is deterministic: same construction, same decisions.
#ifndef RACEFUZZ_CORE_SCHED_SCHEDULE_SOURCE_H_
#define RACEFUZZ_CORE_SCHED_SCHEDULE_SOURCE_H_

#include <cstddef>
#include <string_view>

#include "absl/types/span.h"
#include "core/sched/runtime.h"

namespace racefuzz {

class ScheduleSource {
 public:
  virtual ~ScheduleSource() = default;

  // A short name for reports: a ScheduleKind's name (schedule_kind.h), or "replay".
  virtual std::string_view name() const = 0;

  // Called when simulated thread `t` is spawned (PCT gives it a priority).
  virtual void OnSpawn(ThreadId t) { (void)t; }

  // Picks the next thread. `runnable` holds two or more ids, ascending; `current` is the thread
  // that reached the decision point (kNoThread at the start of a run), runnable or not. Must return
  // an element of `runnable`.
  virtual ThreadId Pick(absl::Span<const ThreadId> runnable, ThreadId current) = 0;

  // Whether thread `t`'s wait on a condition variable ends spuriously, with no notify (as POSIX and
  // C++ allow): asked once per CondVar::wait that has not been notified yet. Default: never.
  virtual bool SpuriousWakeup(ThreadId t) {
    (void)t;
    return false;
  }

  // Where a byte-wise atomic copy with `left` (two or more) bytes still to copy is interrupted, so
  // that another thread can run in the middle of it (page/chunked_copy.h): 0 copies the rest in one
  // go, 1 to left - 1 copies that many bytes before a yield point. Asked only while two or more
  // threads can run. Default: never (a copy is one step, as before).
  virtual size_t CopySplit(size_t left) {
    (void)left;
    return 0;
  }

  // Which store thread `t`'s atomic load reads, in the weak memory model (memory/model.h), among
  // the `n` (two or more) that the model allows: 0 is the newest, k the k-th older one. Must return
  // less than n. Default: the newest (every load reads what an SC execution would).
  virtual size_t ChooseRead(ThreadId t, size_t n) {
    (void)t;
    (void)n;
    return 0;
  }
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_SCHEDULE_SOURCE_H_
