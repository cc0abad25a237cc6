// PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, "A Randomized Scheduler with Probabilistic
// Guarantees of Finding Bugs", ASPLOS 2010), with its random choices decoded from the fuzz input.
//
// The algorithm: every thread gets a distinct initial priority (a random permutation, all of them
// at least `depth`); the highest-priority runnable thread always runs; at `depth - 1` change
// points, drawn uniformly from the run's k decisions, the running thread drops to priority j (the
// j-th change point), below every initial one. A bug of depth d (d ordering constraints) in a run
// of n threads and k decisions is then found with probability at least 1/(n k^(d-1)) per run.
//
// Where the choices come from (the front of the schedule bytes, zeros once they run out):
//   1 byte   k, the run's length in decisions, on a log scale: StepsOf(b) = round(2^(b/16)), so
//            one byte spans 1 .. 62000 and a mutation of +-1 moves k by 4%
//   2 bytes  per change point (depth - 1 of them): its decision index, v % k
//   1 byte   per spawn: the new thread's place among the initial priorities, b % (threads + 1)
// so every choice is a byte libFuzzer's mutations move, and the run is a function of the input
// (exact replay, whatever ran before). k comes from the input rather than from earlier runs for
// that reason; StepsByte(k) encodes a known length (tests, seeds).
#ifndef RACEFUZZ_CORE_SCHED_PCT_SCHEDULE_H_
#define RACEFUZZ_CORE_SCHED_PCT_SCHEDULE_H_

#include <array>
#include <cstdint>
#include <vector>

#include "core/sched/byte_source.h"
#include "core/sched/schedule_kind.h"
#include "core/sched/schedule_source.h"

namespace racefuzz {

// Invariants: the initial priorities of the threads spawned so far are distinct and at least
// depth; a thread dropped at change point j has priority j (1 <= j < depth).
class PctSchedule : public ScheduleSource {
 public:
  static constexpr int kMaxDepth = 64;  // also racefuzz fuzz --pct-depth's range
  static constexpr int kDefaultDepth = 3;

  // Reads k and `depth - 1` change points from the front of `bytes` now, and a priority byte at
  // each spawn. `depth` is clamped to [1, kMaxDepth]. Safety: `bytes` must outlive this source.
  explicit PctSchedule(ByteSource& bytes, int depth = kDefaultDepth);

  std::string_view name() const override { return ScheduleName(ScheduleKind::kPct); }
  void OnSpawn(ThreadId t) override;
  ThreadId Pick(absl::Span<const ThreadId> runnable, ThreadId current) override;

  // k for the length byte `b`, and the smallest byte whose k is at least `steps`.
  static uint32_t StepsOf(uint8_t b);
  static uint8_t StepsByte(uint32_t steps);

  int depth() const { return num_change_points_ + 1; }
  uint32_t steps() const { return steps_; }
  // The change points' decision indices, in the order they were read.
  const uint32_t* change_points() const { return change_points_.data(); }

 private:
  uint32_t ReadFront(int bytes);

  ByteSource& bytes_;
  std::vector<int> priority_;  // by thread id
  std::array<uint32_t, kMaxDepth> change_points_{};
  int num_change_points_ = 0;
  uint32_t steps_ = 1;
  uint32_t decision_ = 0;
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_PCT_SCHEDULE_H_
