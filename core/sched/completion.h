// The kernel's struct completion (include/linux/completion.h) for simulated threads: one thread
// waits until another says it is done.
//
//   racefuzz::completion done("probe_done");   // or init_completion(&done)
//   // T0                                      // T1
//   start_probe();                              finish_probe();
//   wait_for_completion(&done);                 complete(&done);
//
// As in the kernel, `done` counts complete() calls not yet consumed by a wait_for_completion()
// (complete_all() makes it "always done"), under the completion's internal lock;
// reinit_completion() writes it without the lock. In deterministic mode every call is a yield
// point, a waiter sleeps in the scheduler (a wait nobody completes is a deadlock report naming its
// site), and the internal lock is the happens-before TSan sees: complete -> the wait_for_completion
// that consumes it. In threads mode the lock is a std::mutex and the wait a
// std::condition_variable.
#ifndef RACEFUZZ_CORE_SCHED_COMPLETION_H_
#define RACEFUZZ_CORE_SCHED_COMPLETION_H_

#include <climits>
#include <condition_variable>
#include <mutex>
#include <source_location>

#include "core/sched/wait_list.h"

namespace racefuzz {

// Invariants: `done` is UINT_MAX after complete_all() until reinit_completion(), else the number of
// complete() calls not yet consumed; it is read and written under the internal lock except by
// reinit_completion(). In deterministic mode waiters_ holds the threads sleeping in
// wait_for_completion().
struct completion {
  // init_completion() included. `name` shows in the timeline and in deadlock reports.
  explicit completion(const char* name = "completion") : name(name) {}
  completion(const completion&) = delete;
  completion& operator=(const completion&) = delete;

  unsigned int done = 0;
  const char* name;
  internal::WaitList waiters_;     // deterministic mode
  char lock_ = 0;                  // deterministic mode: the internal lock's happens-before address
  std::mutex os_mutex_;            // threads mode: the internal lock
  std::condition_variable os_cv_;  // threads mode
};

// Initializes `x`: not done, no waiter.
//
// Safety: no thread uses `x` concurrently (waiters or completers of a previous use are gone).
void init_completion(completion* x);

// Reinitializes `x` for reuse (after complete_all(), or to drop a stale complete()): done = 0,
// written without the internal lock, as in the kernel.
//
// Safety: no complete(), complete_all() or wait_for_completion() on `x` may run concurrently: it
// must happen-before or after them (checked by TSan: a data race on `done`). A complete() of the
// new round that lands before the reinit is lost, and the wait for it sleeps for ever (a deadlock
// report).
void reinit_completion(completion* x);

// Marks one completion: wakes one waiter, or lets the next wait_for_completion() return at once.
// Everything the caller did before happens-before the return of the wait that consumes it.
void complete(completion* x);

// Marks `x` done for good (until reinit_completion()): every current and later wait returns.
void complete_all(completion* x);

// Sleeps until `x` is completed, then consumes one completion (none after complete_all()).
//
// Safety: sleeps: only where sleeping is allowed (might_sleep, runtime.h). On a simulated thread of
// a run (contract check: "wait-outside-run"); someone must
// complete `x`, or the wait is a deadlock report naming `site`.
void wait_for_completion(completion* x,
                         std::source_location site = std::source_location::current());

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_COMPLETION_H_
