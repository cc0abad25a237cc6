// Canaries for the might_sleep checks of RCU (core/rcu/sleep_checks.h): each primitive that may
// sleep, called inside a read-side critical section or from an RCU callback, is reported on its
// real path; the clean twin does the same work where sleeping is allowed, or with a spinlock, which
// never sleeps. With one canary thread, the grace-period kthread is T1 and T0's rcuo kthread T2.
#include "core/rcu/callbacks.h"
#include "core/rcu/read_side.h"
#include "core/sched/completion.h"
#include "core/sched/condvar.h"
#include "core/sched/sync.h"
#include "core/sched/wait_queue.h"
#include "tests/canaries/canary.h"

namespace racefuzz::canary {
namespace {

// T0 updates a table under a mutex while it reads under RCU. Inside: mutex_lock in the section.
// The twin takes the mutex first and the guard under it, and takes a spinlock inside the section.
template <bool kInside>
void MutexLockInReadSide() {
  Mutex table("table");
  SpinLock stats("stats");
  int entries = 0;
  RunThreads({[&] {
                if (kInside) {
                  rcu::Guard g = rcu::read_lock();
                  Guard<Mutex> lock(table);
                  ++entries;
                } else {
                  Guard<Mutex> lock(table);
                  rcu::Guard g = rcu::read_lock();
                  Guard<SpinLock> spin(stats);
                  ++entries;
                }
              },
              [&] { Guard<Mutex> lock(table); }});
}

RACEFUZZ_CANARY(rcu_mutex_lock_in_read_side,
                {
                    .clause = "a read-side critical section must not sleep: no Mutex::lock inside "
                              "it (a spinlock may be taken)",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-sleep-in-read-side",
                               "T0 calls mutex_lock(table), which may sleep, inside its RCU "
                               "read-side critical section",
                               "racefuzz timeline", "T0 rcu_read_lock",
                               "SUMMARY: racefuzz: rcu-sleep-in-read-side"},
                    .violate = [] { MutexLockInReadSide<true>(); },
                    .clean = [] { MutexLockInReadSide<false>(); },
                });

// T0 waits for T1's probe to finish. Inside: the wait is in T0's section; the twin waits first.
template <bool kInside>
void CompletionInReadSide() {
  completion done("probe_done");
  RunThreads({[&] {
                if (kInside) {
                  rcu::Guard g = rcu::read_lock();
                  wait_for_completion(&done);
                } else {
                  wait_for_completion(&done);
                  rcu::Guard g = rcu::read_lock();
                }
              },
              [&] { complete(&done); }});
}

RACEFUZZ_CANARY(rcu_wait_for_completion_in_read_side,
                {
                    .clause = "a read-side critical section must not sleep: no "
                              "wait_for_completion inside it",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-sleep-in-read-side",
                               "T0 calls wait_for_completion(probe_done), which may sleep, inside "
                               "its RCU read-side critical section",
                               "racefuzz timeline", "T0 rcu_read_lock",
                               "SUMMARY: racefuzz: rcu-sleep-in-read-side"},
                    .violate = [] { CompletionInReadSide<true>(); },
                    .clean = [] { CompletionInReadSide<false>(); },
                });

// T0 waits on a condition variable for T1's item. Inside: the wait is in T0's section (the mutex
// was taken before it); the twin takes the guard once the wait has returned.
template <bool kInside>
void CondWaitInReadSide() {
  Mutex mu("queue");
  CondVar cv("nonempty");
  int items = 0;
  RunThreads({[&] {
                Guard<Mutex> lock(mu);
                if (kInside) {
                  rcu::Guard g = rcu::read_lock();
                  cv.wait(mu, [&] { return items > 0; });
                } else {
                  cv.wait(mu, [&] { return items > 0; });
                  rcu::Guard g = rcu::read_lock();
                }
              },
              [&] {
                {
                  Guard<Mutex> lock(mu);
                  ++items;
                }
                cv.notify_one();
              }});
}

RACEFUZZ_CANARY(rcu_cond_wait_in_read_side,
                {
                    .clause = "a read-side critical section must not sleep: no CondVar::wait "
                              "inside it",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-sleep-in-read-side",
                               "T0 calls cond_wait(nonempty), which may sleep, inside its RCU "
                               "read-side critical section",
                               "racefuzz timeline", "T0 rcu_read_lock",
                               "SUMMARY: racefuzz: rcu-sleep-in-read-side"},
                    .violate = [] { CondWaitInReadSide<true>(); },
                    .clean = [] { CondWaitInReadSide<false>(); },
                });

// T0 waits on a wait queue for T1's flag. The check does not depend on the condition: as in the
// kernel, wait_event may sleep even when it would not this time.
template <bool kInside>
void WaitEventInReadSide() {
  wait_queue_head wq("ready_wq");
  Atomic<int> ready(0, "ready");
  RunThreads({[&] {
                if (kInside) {
                  rcu::Guard g = rcu::read_lock();
                  wait_event(wq, [&] { return ready.load() != 0; });
                } else {
                  wait_event(wq, [&] { return ready.load() != 0; });
                  rcu::Guard g = rcu::read_lock();
                }
              },
              [&] {
                ready.store(1);
                wake_up(&wq);
              }});
}

RACEFUZZ_CANARY(rcu_wait_event_in_read_side,
                {
                    .clause = "a read-side critical section must not sleep: no wait_event inside "
                              "it, even with its condition already true",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-sleep-in-read-side",
                               "T0 calls wait_event(ready_wq), which may sleep, inside its RCU "
                               "read-side critical section",
                               "racefuzz timeline", "T0 rcu_read_lock",
                               "SUMMARY: racefuzz: rcu-sleep-in-read-side"},
                    .violate = [] { WaitEventInReadSide<true>(); },
                    .clean = [] { WaitEventInReadSide<false>(); },
                });

// A callback updates a counter shared with T0. Violating: under a mutex; the twin: under a
// spinlock, which a callback may take. call_rcu itself takes its queue's spinlock, inside the
// callback's own call_rcu too (the twin queues a second callback from the first).
template <bool kMutex>
void LockInCallback() {
  Mutex mu("counter_mutex");
  SpinLock spin("counter_lock");
  int counter = 0;
  RunThreads({[&] {
    rcu::call_rcu([&] {
      if (kMutex) {
        Guard<Mutex> lock(mu);
        ++counter;
      } else {
        Guard<SpinLock> lock(spin);
        ++counter;
        rcu::call_rcu([&] {
          Guard<SpinLock> again(spin);
          ++counter;
        });
      }
    });
    {
      rcu::Guard g = rcu::read_lock();
      rcu::call_rcu([] {});  // call_rcu may be called inside a read-side critical section
    }
    rcu::rcu_barrier();
    rcu::rcu_barrier();  // the callback queued by a callback
  }});
}

RACEFUZZ_CANARY(rcu_mutex_lock_in_callback,
                {
                    .clause = "an RCU callback must not sleep: no Mutex::lock from a callback (a "
                              "spinlock may be taken, and call_rcu called)",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-sleep-in-callback",
                               "T2 calls mutex_lock(counter_mutex), which may sleep, from an RCU "
                               "callback",
                               "racefuzz timeline", "T2 rcu_callback",
                               "SUMMARY: racefuzz: rcu-sleep-in-callback"},
                    .violate = [] { LockInCallback<true>(); },
                    .clean = [] { LockInCallback<false>(); },
                });

// A callback tells T0 it ran. Violating: the callback waits for T0 instead (wait_for_completion
// from a callback); the twin's callback calls complete(), which never sleeps, and T0 waits.
template <bool kWaitInCallback>
void CompletionInCallback() {
  completion done("cb_done");
  RunThreads({[&] {
    if (kWaitInCallback) {
      rcu::call_rcu([&] { wait_for_completion(&done); });
      complete(&done);
    } else {
      rcu::call_rcu([&] { complete(&done); });
      wait_for_completion(&done);
    }
    rcu::rcu_barrier();
  }});
}

RACEFUZZ_CANARY(rcu_wait_for_completion_in_callback,
                {
                    .clause = "an RCU callback must not sleep: no wait_for_completion from a "
                              "callback (complete() may be called)",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-sleep-in-callback",
                               "T2 calls wait_for_completion(cb_done), which may sleep, from an "
                               "RCU callback",
                               "racefuzz timeline", "T2 rcu_callback",
                               "SUMMARY: racefuzz: rcu-sleep-in-callback"},
                    .violate = [] { CompletionInCallback<true>(); },
                    .clean = [] { CompletionInCallback<false>(); },
                });

}  // namespace
}  // namespace racefuzz::canary
