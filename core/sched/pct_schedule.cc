#include "core/sched/pct_schedule.h"

#include <algorithm>

#include "core/sched/internal.h"

namespace racefuzz {

PctSchedule::PctSchedule(ByteSource& bytes, int depth, uint32_t max_decisions) : bytes_(bytes) {
  num_change_points_ = std::clamp(depth, 1, kMaxDepth) - 1;
  for (int i = 0; i < num_change_points_; ++i) {
    change_points_[i] = max_decisions == 0 ? 0 : ReadFront(2) % max_decisions;
  }
}

uint32_t PctSchedule::ReadFront(int bytes) {
  uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | bytes_.NextOrZero();
  return v;
}

RACEFUZZ_SCHED_INTERNAL void PctSchedule::OnSpawn(ThreadId t) {
  // Initial priorities sit above kMaxDepth, so every change point drops a thread below all of them.
  // Ties are broken by the lower id.
  priority_[t] = kMaxDepth + 1 + static_cast<int>(ReadFront(1));
}

RACEFUZZ_SCHED_INTERNAL ThreadId PctSchedule::Pick(absl::Span<const ThreadId> runnable,
                                                   ThreadId current) {
  for (int i = 0; i < num_change_points_; ++i) {
    if (change_points_[i] == decision_ && current != kNoThread) priority_[current] = i + 1;
  }
  ++decision_;
  ThreadId best = runnable[0];
  for (ThreadId t : runnable) {
    if (priority_[t] > priority_[best]) best = t;
  }
  return best;
}

}  // namespace racefuzz
