// Deferred freeing: call_rcu, kfree_rcu and rcu_barrier (named as future work in seed 004; racefuzz
// provides them).
//
// Who runs callbacks: a callback queued by call_rcu() is ready once a full grace period has elapsed
// since it was queued. Each reader slot (simulated thread) has its own queue, the kernel's per-CPU
// callback list; a callback that queues another queues it on its own queue. In a deterministic run
// each queue has an rcuo kthread (as with rcu_nocbs; core/sched/kthread.h) that invokes its ready
// callbacks in queue order; the input schedules it, so one thread's callbacks run in the order it
// queued them and different threads' in any order. In threads mode and outside runs,
// rcu_barrier() invokes them, and the end of a run invokes what is left. synchronize_rcu() runs
// none. The queues are the run's (run_state.h): code outside runs has its own, which a run's
// rcu_barrier does not wait for; a program that queues callbacks outside runs calls rcu_barrier()
// outside runs before it finishes, or they are never invoked.
// Happens-before: call_rcu -> its callback (the queue's lock, which also orders one queue's callers
// with its kthread), the readers the grace period waited for -> the callback, the callback -> an
// rcu_barrier that waited for it.
#ifndef RACEFUZZ_CORE_RCU_CALLBACKS_H_
#define RACEFUZZ_CORE_RCU_CALLBACKS_H_

#include <utility>

#include "absl/functional/any_invocable.h"
#include "core/rcu/foreign_ownable.h"

namespace racefuzz::rcu {

// Queues `callback` to run after a full grace period, without blocking the caller. Callable inside
// a read-side critical section.
//
// Safety: `callback` runs in softirq-like context and must not block: rcu_barrier from a callback
// is a contract check ("rcu-barrier-in-callback"), and so is synchronize_rcu, or dropping an
// RcuOld or an Rcu, which waits for a grace period ("rcu-synchronize-in-callback"). Whatever it
// frees must no longer be reachable by new readers when call_rcu is called (unpublished first).
// Readers that still hold it are covered by the grace period; using it after that is caught by
// ASan (use after free) and by the age oracle (torture.h).
void call_rcu(absl::AnyInvocable<void() &&> callback);

// Frees `p` after a full grace period, without blocking the caller (the kernel's kfree_rcu).
//
// Safety: as call_rcu: `p` must already be unpublished.
template <ForeignOwnable P>
void kfree_rcu(P p) {
  call_rcu([p = std::move(p)]() mutable {
    // SAFETY: a full grace period has elapsed since `p` was unpublished (call_rcu's contract), so
    // no reader still borrows it.
    P dropped = std::move(p);
  });
}

// Waits until every callback queued (by any thread) before the call has run; not for callbacks
// queued after it (one that a callback queues, say). It is no grace period: with nothing queued it
// returns at once.
//
// Safety: blocks, so as synchronize_rcu: not inside a read-side critical section (contract check
// "rcu-synchronize-in-read-side"), and not from a callback (contract check
// "rcu-barrier-in-callback").
void rcu_barrier();

}  // namespace racefuzz::rcu

#endif  // RACEFUZZ_CORE_RCU_CALLBACKS_H_
