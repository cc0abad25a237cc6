#include "core/sched/thread_table.h"

#include <algorithm>

#include "core/sched/internal.h"

namespace racefuzz::internal {

ThreadTable::ThreadTable(Scheduler* owner) : owner_(owner) {
  threads_.reserve(kMaxThreads);
  runnable_.reserve(kMaxThreads);
  parked_.reserve(kMaxThreads);
  blocked_.reserve(kMaxThreads);
}

RACEFUZZ_SCHED_INTERNAL void ThreadTable::Reset() {
  for (int t = 0; t < size_; ++t) threads_[t]->state = ThreadState::kFinished;
  size_ = 0;
  finished_ = 0;
  runnable_.clear();
  parked_.clear();
  blocked_.clear();
}

RACEFUZZ_SCHED_INTERNAL SimThread& ThreadTable::Add(absl::AnyInvocable<void()> body) {
  const ThreadId t = size_++;
  if (static_cast<size_t>(t) == threads_.size()) {
    threads_.push_back(std::make_unique<SimThread>());  // reserved: no reallocation
    threads_.back()->owner = owner_;
    threads_.back()->id = t;
  }
  SimThread& th = *threads_[t];
  th.body = std::move(body);
  th.kthread = false;
  th.sleeping = false;
  th.blocked_on = nullptr;
  th.check_from = 0;
  th.check_interrupted = false;
  th.state = ThreadState::kRunnable;
  runnable_.push_back(t);  // the largest id so far: stays ascending
  return th;
}

RACEFUZZ_SCHED_INTERNAL void ThreadTable::MakeRunnable(SimThread& th) {
  th.state = ThreadState::kRunnable;
  th.blocked_on = nullptr;
  // Insertion into the ascending set: a shift of the ids above it, no scan of the table. By hand,
  // not vector::insert: its memmove is intercepted by TSan, which would see the fibers race on it.
  runnable_.push_back(th.id);
  size_t i = runnable_.size() - 1;
  for (; i > 0 && runnable_[i - 1] > th.id; --i) runnable_[i] = runnable_[i - 1];
  runnable_[i] = th.id;
}

RACEFUZZ_SCHED_INTERNAL void ThreadTable::Unblock(SimThread& th) {
  const ThreadId last = blocked_.back();
  blocked_[th.blocked_index] = last;
  threads_[last]->blocked_index = th.blocked_index;
  blocked_.pop_back();
  th.blocked_index = -1;
}

RACEFUZZ_SCHED_INTERNAL void ThreadTable::Stop(ThreadId t, ThreadState state) {
  SimThread& th = *threads_[t];
  th.state = state;
  // Removal from the ascending set, keeping the order (by hand, as in MakeRunnable).
  size_t i = static_cast<size_t>(std::lower_bound(runnable_.begin(), runnable_.end(), t) -
                                 runnable_.begin());
  for (; i + 1 < runnable_.size(); ++i) runnable_[i] = runnable_[i + 1];
  runnable_.pop_back();
  switch (state) {
    case ThreadState::kBlocked:
      th.blocked_index = static_cast<int>(blocked_.size());
      blocked_.push_back(t);
      break;
    case ThreadState::kParked:
      parked_.push_back(t);
      break;
    case ThreadState::kFinished:
      ++finished_;
      break;
    case ThreadState::kRunnable:
      break;
  }
}

RACEFUZZ_SCHED_INTERNAL void ThreadTable::Wake(const void* on) {
  for (size_t i = 0; i < blocked_.size();) {
    SimThread& th = *threads_[blocked_[i]];
    if (th.blocked_on != on) {
      ++i;
      continue;
    }
    Unblock(th);  // the last one moves to i: look at i again
    MakeRunnable(th);
  }
}

RACEFUZZ_SCHED_INTERNAL void ThreadTable::WakeThread(ThreadId t, const void* on) {
  SimThread& th = *threads_[t];
  if (th.state != ThreadState::kBlocked || th.blocked_on != on) return;
  Unblock(th);
  MakeRunnable(th);
}

RACEFUZZ_SCHED_INTERNAL void ThreadTable::WakeParkedSlow() {
  for (ThreadId t : parked_) MakeRunnable(*threads_[t]);
  parked_.clear();
}

}  // namespace racefuzz::internal
