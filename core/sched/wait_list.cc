#include "core/sched/wait_list.h"

#include "absl/strings/str_format.h"
#include "core/check/report.h"
#include "core/sched/internal.h"
#include "core/sched/run.h"
#include "core/sched/scheduler.h"

namespace racefuzz::internal {

// SAFETY (whole file): the list and its records are racefuzz's bookkeeping, touched by fibers with
// no happens-before between them; RACEFUZZ_SCHED_INTERNAL keeps them from TSan. The edges a
// primitive promises are made by the primitive (condvar.cc, completion.cc, wait_queue.cc).

RACEFUZZ_SCHED_INTERNAL void WaitList::Add(Waiter& w) {
  w.thread = ActiveScheduler().current();
  w.queued = true;
  w.woken = false;
  w.next = nullptr;
  if (tail_ == nullptr) {
    head_ = &w;
  } else {
    tail_->next = &w;
  }
  tail_ = &w;
}

RACEFUZZ_SCHED_INTERNAL void WaitList::Remove(Waiter& w) {
  if (!w.queued) return;
  Waiter* prev = nullptr;
  for (Waiter* it = head_; it != nullptr; prev = it, it = it->next) {
    if (it != &w) continue;
    (prev == nullptr ? head_ : prev->next) = w.next;
    if (tail_ == &w) tail_ = prev;
    break;
  }
  w.queued = false;
  w.next = nullptr;
}

RACEFUZZ_SCHED_INTERNAL bool WaitList::WakeOne() {
  Waiter* w = head_;
  if (w == nullptr) return false;
  head_ = w->next;
  if (head_ == nullptr) tail_ = nullptr;
  w->queued = false;
  w->woken = true;
  w->next = nullptr;
  ActiveScheduler().WakeThread(w->thread, w);  // nothing if it has not blocked yet
  return true;
}

RACEFUZZ_SCHED_INTERNAL int WaitList::WakeAll() {
  int n = 0;
  while (WakeOne()) ++n;
  return n;
}

RACEFUZZ_SCHED_INTERNAL void WaitList::Sleep(Waiter& w, Label op, Object obj,
                                             std::source_location site) {
  Scheduler& s = ActiveScheduler();
  while (!w.woken) s.Block(&w, op, obj, site);
}

void FailWaitOutsideRun(const char* what, std::source_location site) {
  check::Fail("wait-outside-run",
              absl::StrFormat("%s at %s:%d is not on a simulated thread of a run (sequential "
                              "mode, a run's setup, or no run): nothing else can end the wait",
                              what, site.file_name(), site.line()));
}

SleepIn WhereToSleep(const char* what, std::source_location site) {
  switch (g_active.mode) {  // an execution mode: kDeterministic, kThreads or kOff
    case Mode::kDeterministic:
      if (g_active.run->engine->Running() == kNoThread) FailWaitOutsideRun(what, site);
      return SleepIn::kScheduler;
    case Mode::kThreads:
      return SleepIn::kOs;
    default:
      FailWaitOutsideRun(what, site);
  }
}

}  // namespace racefuzz::internal
