// PCT (Burckhardt et al., "A Randomized Scheduler with Probabilistic Guarantees of Finding Bugs",
// ASPLOS 2010), with its randomness decoded from the fuzz input: each thread gets a priority when
// it is spawned, the highest-priority runnable thread always runs, and at `depth - 1` change points
// (decision indices) the running thread drops to a priority below every initial one. A bug of depth
// d is found with probability >= 1/(n k^(d-1)) per run; the fuzzer then mutates the bytes that set
// priorities and change points.
#ifndef RACEFUZZ_CORE_SCHED_PCT_SCHEDULE_H_
#define RACEFUZZ_CORE_SCHED_PCT_SCHEDULE_H_

#include <array>
#include <cstdint>

#include "core/sched/byte_source.h"
#include "core/sched/schedule_source.h"

namespace racefuzz {

class PctSchedule : public ScheduleSource {
 public:
  static constexpr int kMaxDepth = 4;

  // Reads `depth - 1` change points in [0, max_decisions) and, at each spawn, a priority byte, all
  // from the front of `bytes` (zeros once it is empty). Safety: `bytes` must outlive this source.
  PctSchedule(ByteSource& bytes, int depth = 3, uint32_t max_decisions = 1024);

  const char* name() const override { return "pct"; }
  void OnSpawn(ThreadId t) override;
  ThreadId Pick(absl::Span<const ThreadId> runnable, ThreadId current) override;

 private:
  uint32_t ReadFront(int bytes);

  ByteSource& bytes_;
  std::array<int, kMaxThreads> priority_{};
  std::array<uint32_t, kMaxDepth> change_points_{};
  int num_change_points_ = 0;
  uint32_t decision_ = 0;
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_PCT_SCHEDULE_H_
