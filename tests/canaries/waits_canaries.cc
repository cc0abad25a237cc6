// Canaries for CondVar, completion and wait queues (core/sched/condvar.h, completion.h,
// wait_queue.h): a lost wake-up is a deadlock naming the sleeper's site, a complete() racing
// reinit_completion() is reported, and each primitive's happens-before edge sits exactly where it
// promises (what the waker did before the wake-up is ordered; what it does after is a race).
#include "core/sched/completion.h"
#include "core/sched/condvar.h"
#include "core/sched/sync.h"
#include "core/sched/wait_queue.h"
#include "tests/canaries/canary.h"

namespace racefuzz::canary {

// External linkage, so the compiler cannot prove the reads below always see 0 or 42 and drop them.
int g_waits_data = 0;

namespace {

// The notify comes before the wait on every schedule (T1 waits for `notified` first).
template <bool kPredicate>
void NotifyBeforeWait() {
  static Mutex mu("mu");
  static CondVar cv("cv");
  static Atomic<int> notified(0, "notified");
  static bool ready = false;
  notified.store(0);
  ready = false;
  RunThreads({[] {
                {
                  Guard g(mu);
                  ready = true;
                }
                cv.notify_one();
                notified.store(1);
              },
              [] {
                wait_until([] { return notified.load() == 1; });
                Guard g(mu);
                if (kPredicate) {
                  cv.wait(mu, [] { return ready; });
                } else {
                  cv.wait(mu);
                }
              }});
}

RACEFUZZ_CANARY(waits_condvar_lost_wakeup,
                {
                    .clause = "engine: a notify before the wait, with no predicate, is a lost "
                              "wake-up: a deadlock naming the sleeper's site",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: deadlock", "T1 blocked in cond_wait cv#0 at",
                               "waits_canaries.cc", "racefuzz timeline", "T0 notify_one cv#0",
                               "T1 cond_wait cv#0", "SUMMARY: racefuzz: deadlock"},
                    .violate = [] { NotifyBeforeWait<false>(); },
                    .clean = [] { NotifyBeforeWait<true>(); },
                });

// T1 sleeps in the wait before T0 wakes it; T0 writes g_waits_data before or after the wake-up, T1
// reads it after its wait returns. T0 takes the mutex only before writing, so only the notify can
// order the write.
template <bool kWriteBeforeNotify>
void CondVarOrdersData() {
  static Mutex mu("mu");
  static CondVar cv("cv");
  static Atomic<int> waiting(0, "waiting");
  RunThreads({[] {
                wait_until([] { return waiting.load() == 1; });
                {
                  Guard g(mu);
                }  // T1 released mu in its wait: it sleeps
                if (kWriteBeforeNotify) g_waits_data = 42;
                cv.notify_one();
                if (!kWriteBeforeNotify) g_waits_data = 42;
              },
              [] {
                Guard g(mu);
                waiting.store(1);
                cv.wait(mu);
                if (g_waits_data == -1) std::abort();
              }});
}

RACEFUZZ_CANARY(waits_condvar_notify_orders_data,
                {
                    .clause = "engine: notify -> the wait it ends is a happens-before edge, and "
                              "the only one (a write after the notify races with the woken reader)",
                    .builds = kTsan,
                    .expect = {"WARNING: ThreadSanitizer: data race", "racefuzz timeline",
                               "T0 notify_one cv#0", "SUMMARY: ThreadSanitizer: data race"},
                    .violate = [] { CondVarOrdersData<false>(); },
                    .clean = [] { CondVarOrdersData<true>(); },
                });

// T1 goes to sleep in wait_for_completion before T0 completes (round-robin: T0's load of
// `started` lets T1 reach the sleep).
template <bool kWriteBeforeComplete>
void CompletionOrdersData() {
  static completion done("done");
  static Atomic<int> started(0, "started");
  RunThreads({[] {
                wait_until([] { return started.load() == 1; });
                if (kWriteBeforeComplete) g_waits_data = 42;
                complete(&done);
                if (!kWriteBeforeComplete) g_waits_data = 42;
              },
              [] {
                started.store(1);
                wait_for_completion(&done);
                if (g_waits_data == -1) std::abort();
              }});
}

RACEFUZZ_CANARY(waits_completion_orders_data,
                {
                    .clause = "engine: complete -> the wait_for_completion that consumes it is a "
                              "happens-before edge (a write after complete races with the waiter)",
                    .builds = kTsan,
                    .expect = {"WARNING: ThreadSanitizer: data race", "racefuzz timeline",
                               "T0 complete done#0", "SUMMARY: ThreadSanitizer: data race"},
                    .violate = [] { CompletionOrdersData<false>(); },
                    .clean = [] { CompletionOrdersData<true>(); },
                });

// T0 completes while T1 reinitializes the completion for a new round (violate: no order between
// them; the complete lands first and is wiped, so T1's wait sleeps for ever), or after T1 consumed
// it (clean: the ordered form).
template <bool kOrdered>
void CompleteAndReinit() {
  static completion done("done");
  init_completion(&done);
  RunThreads({[] { complete(&done); },
              [] {
                if (kOrdered) wait_for_completion(&done);
                reinit_completion(&done);
                if (!kOrdered) wait_for_completion(&done);
              }});
}

RACEFUZZ_CANARY(waits_completion_reinit_race,
                {
                    .clause = "engine: reinit_completion racing complete is a data race on done",
                    .builds = kTsan,
                    .expect = {"WARNING: ThreadSanitizer: data race", "reinit_completion",
                               "racefuzz timeline", "T1 reinit_completion done#0",
                               "SUMMARY: ThreadSanitizer: data race"},
                    .violate = [] { CompleteAndReinit<false>(); },
                    .clean = [] { CompleteAndReinit<true>(); },
                });

RACEFUZZ_CANARY(waits_completion_reinit_lost_complete,
                {
                    .clause = "engine: a complete wiped by a racing reinit_completion leaves its "
                              "waiter asleep: a deadlock naming the wait (builds without TSan)",
                    .builds = kAsan | kDebug,
                    .expect = {"ERROR: racefuzz: deadlock",
                               "T1 blocked in wait_for_completion done#0 at", "waits_canaries.cc",
                               "racefuzz timeline", "T1 reinit_completion done#0",
                               "SUMMARY: racefuzz: deadlock"},
                    .violate = [] { CompleteAndReinit<false>(); },
                    .clean = [] { CompleteAndReinit<true>(); },
                });

// T1 sleeps in wait_event before T0 makes the condition true (relaxed: the flag orders nothing)
// and wakes it; T0 writes g_waits_data before or after the wake_up.
template <bool kWriteBeforeWakeUp>
void WakeUpOrdersData() {
  static wait_queue_head wq("wq");
  static Atomic<int> ready(0, "ready");
  static Atomic<int> checked(0, "checked");
  RunThreads({[] {
                wait_until([] { return checked.load() == 2; });  // before and after queueing
                if (kWriteBeforeWakeUp) g_waits_data = 42;
                ready.store(1, std::memory_order_relaxed);
                wake_up(&wq);
                if (!kWriteBeforeWakeUp) g_waits_data = 42;
              },
              [] {
                wait_event(wq, [] {
                  const bool r = ready.load(std::memory_order_relaxed) == 1;
                  checked.fetch_add(1);
                  return r;
                });
                if (g_waits_data == -1) std::abort();
              }});
}

RACEFUZZ_CANARY(waits_wake_up_orders_data,
                {
                    .clause = "engine: wake_up -> the woken thread's next check of its condition "
                              "is a happens-before edge (a write after wake_up races)",
                    .builds = kTsan,
                    .expect = {"WARNING: ThreadSanitizer: data race", "racefuzz timeline",
                               "T0 wake_up wq#0", "SUMMARY: ThreadSanitizer: data race"},
                    .violate = [] { WakeUpOrdersData<false>(); },
                    .clean = [] { WakeUpOrdersData<true>(); },
                });

}  // namespace
}  // namespace racefuzz::canary
