#include "core/sched/pct_schedule.h"

#include <algorithm>
#include <cmath>

#include "core/sched/internal.h"

namespace racefuzz {

// SAFETY (whole file): the scheduler calls OnSpawn and Pick inside TsanIgnoreScope (the source's
// state is racefuzz's bookkeeping, touched by every fiber).

PctSchedule::PctSchedule(ByteSource& bytes, int depth) : bytes_(bytes) {
  num_change_points_ = std::clamp(depth, 1, kMaxDepth) - 1;
  steps_ = StepsOf(static_cast<uint8_t>(ReadFront(1)));
  for (int i = 0; i < num_change_points_; ++i) change_points_[i] = ReadFront(2) % steps_;
}

uint32_t PctSchedule::StepsOf(uint8_t b) {
  return static_cast<uint32_t>(std::lround(std::exp2(b / 16.0)));
}

uint8_t PctSchedule::StepsByte(uint32_t steps) {
  for (int b = 0; b < 255; ++b) {
    if (StepsOf(static_cast<uint8_t>(b)) >= steps) return static_cast<uint8_t>(b);
  }
  return 255;
}

uint32_t PctSchedule::ReadFront(int bytes) {
  uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | bytes_.NextOrZero();
  return v;
}

void PctSchedule::OnSpawn(ThreadId t) {
  // The new thread takes place `rank` among the initial priorities (depth + 0 .. depth + threads):
  // the ones at or above it move up one, so they stay distinct and a uniform byte gives a uniform
  // random permutation.
  const int threads = static_cast<int>(priority_.size());
  const int rank = static_cast<int>(ReadFront(1) % static_cast<uint32_t>(threads + 1));
  const int initial = depth() + rank;
  for (int& p : priority_) {
    if (p >= initial) ++p;
  }
  if (static_cast<int>(priority_.size()) <= t) priority_.resize(t + 1, 0);
  priority_[t] = initial;
}

ThreadId PctSchedule::Pick(absl::Span<const ThreadId> runnable, ThreadId current) {
  for (int j = 0; j < num_change_points_; ++j) {
    if (change_points_[j] == decision_ && current != kNoThread) priority_[current] = j + 1;
  }
  ++decision_;
  ThreadId best = runnable[0];
  for (ThreadId t : runnable) {
    if (priority_[t] > priority_[best]) best = t;
  }
  return best;
}

}  // namespace racefuzz
