// Kernel threads of a model (the kernel's kthreads: rcu_gp_kthread, the rcuo callback threads):
// simulated threads that a model starts for its own machinery, so that the input schedules them
// like any other thread and "when does the machinery run" is explored. Deterministic runs only:
// threads mode and code outside runs have none, and a model does the work in its callers there.
//
//   while (!kthread_should_stop()) {
//     if (HaveWork()) { DoWork(); continue; }
//     kthread_sleep(&work, "my_kthread");   // until kthread_wake(&work) or the run's stop
//   }
//
// A run ends when every thread has finished or is a sleeping kthread: the scheduler then sets
// "stopping", wakes the sleeping kthreads, and they return. A sleeping kthread is no part of a
// deadlock report (it waits for work, not for a lock), so deadlock detection still works.
//
// Happens-before: from the spawner, as spawn (the body and its captures must reach the kthread; the
// kernel's kthread_create hands the new thread over through kthreadd and a completion, an edge
// too); none from a wake-up: what a kthread needs from the threads it serves, it acquires itself
// (core/rcu: the queue's lock, the reader slots). A kthread's whole life happens-before the end of
// the run, like every thread's.
#ifndef RACEFUZZ_CORE_SCHED_KTHREAD_H_
#define RACEFUZZ_CORE_SCHED_KTHREAD_H_

#include <source_location>

#include "absl/functional/any_invocable.h"
#include "core/sched/label.h"
#include "core/sched/runtime.h"

namespace racefuzz {

// Whether kthreads exist here: inside a deterministic run (its setup included).
inline bool kthreads_available() { return current_mode() == Mode::kDeterministic; }

// Starts a kthread running `body` (the kernel's kthread_run) and returns its id. As spawn, the
// caller's past happens-before the body.
//
// Safety: only where kthreads_available() ("kthread-outside-deterministic-run" otherwise). A
// kthread counts toward kMaxThreads.
ThreadId spawn_kthread(absl::AnyInvocable<void()> body);

// Whether the run asks kthreads to return: every other thread has finished or is a sleeping
// kthread. Once true, it stays true until the run ends.
bool kthread_should_stop();

// Sleeps until kthread_wake(on) or the run's stop; returns at once if the run is stopping. `op` and
// `obj` name the sleep in the timeline of a report. No happens-before.
//
// Safety: only on a kthread ("kthread-outside-deterministic-run" otherwise).
void kthread_sleep(const void* on, Label op, Object obj = {},
                   std::source_location site = std::source_location::current());

// Wakes every kthread sleeping on `on`. No happens-before; a no-op where kthreads do not exist.
void kthread_wake(const void* on);

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_KTHREAD_H_
