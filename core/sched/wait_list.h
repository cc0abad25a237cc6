// The deterministic-mode model shared by CondVar, completion and wait_queue_head: a FIFO of the
// simulated threads sleeping on one primitive, each on its own record, so a primitive can wake one
// of them (notify_one, complete) or all (notify_all, complete_all, wake_up). A sleeping thread is
// blocked in the scheduler: it takes part in deadlock reports with the site it sleeps at. Also
// where every blocking wait (wait_until too) learns where it sleeps, and the one report for a wait
// nothing can end.
//
// Not for models: they use condvar.h, completion.h and wait_queue.h.
#ifndef RACEFUZZ_CORE_SCHED_WAIT_LIST_H_
#define RACEFUZZ_CORE_SCHED_WAIT_LIST_H_

#include <source_location>

#include "core/sched/runtime.h"

namespace racefuzz::internal {

// One thread's place in a WaitList, on that thread's stack for the length of its wait.
struct Waiter {
  ThreadId thread = kNoThread;  // the simulated thread waiting (set by Add)
  bool queued = false;          // in a list, not yet woken
  bool woken = false;           // a WakeOne/WakeAll picked it since it was added
  Waiter* next = nullptr;
};

// Invariants: every Waiter in the list has queued set and woken clear; a Waiter leaves the list
// exactly once (woken, or removed by its own thread); head_ is null iff tail_ is.
class WaitList {
 public:
  WaitList() = default;
  WaitList(const WaitList&) = delete;
  WaitList& operator=(const WaitList&) = delete;

  // Adds the calling simulated thread's `w` at the tail.
  //
  // Safety: deterministic mode, on a simulated thread; `w` must stay alive until it is woken or
  // Remove(w) is called (the caller's stack frame that waits), and must not be in any list.
  void Add(Waiter& w);
  // Takes `w` out of the list if it is still queued (the thread stops waiting on its own).
  void Remove(Waiter& w);
  // Wakes the oldest waiter; false if there is none. O(1) in the number of waiters and threads.
  bool WakeOne();
  // Wakes every waiter; how many.
  int WakeAll();
  bool empty() const { return head_ == nullptr; }

  // Blocks the calling simulated thread until `w` is woken. `op obj` and `site` name the wait in
  // deadlock reports ("T1 blocked in cond_wait cv#0 at file:line").
  //
  // Safety: deterministic mode, on a simulated thread, with `w` added to this list.
  static void Sleep(Waiter& w, Label op, Object obj, std::source_location site);

 private:
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
};

// The report for a blocking wait that no other thread can end: outside any run, in sequential
// mode, or in a run's setup (no simulated thread runs until the setup returns). A
// "wait-outside-run" contract violation naming `what` and `site`.
[[noreturn]] void FailWaitOutsideRun(const char* what, std::source_location site);

// Where a blocking primitive (wait_until, CondVar, completion, wait queues) sleeps in the active
// run: in the scheduler (deterministic mode, on a simulated thread) or on its OS primitive
// (threads and naive modes). Anywhere else nothing can end the wait: FailWaitOutsideRun.
enum class SleepIn { kScheduler, kOs };
SleepIn WhereToSleep(const char* what, std::source_location site);

}  // namespace racefuzz::internal

#endif  // RACEFUZZ_CORE_SCHED_WAIT_LIST_H_
