// Deferred freeing: call_rcu, kfree_rcu and rcu_barrier (named as future work in seed 004; racefuzz
// provides them).
//
// Who runs callbacks: there is no background thread. A callback queued by call_rcu() is ready once
// a full grace period has elapsed since it was queued, and ready callbacks run at the end of every
// synchronize_rcu() on the thread that completed the grace period (as RCU_SOFTIRQ runs them on the
// CPU that notices the end of a grace period), one batch at a time. rcu_barrier() runs a grace
// period and then every callback queued before it, so a program (a fuzz target, a test) that queues
// callbacks calls rcu_barrier() before it finishes, or the callbacks are leaked (LeakSanitizer).
// Each callback runs after the grace period that made it ready, so the readers' accesses
// happen-before it (TSan), and the queue lock carries happens-before from call_rcu to the callback.
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

// Waits until every callback queued (by any thread) before the call has run.
//
// Safety: blocks, so as synchronize_rcu: not inside a read-side critical section (contract check
// "rcu-synchronize-in-read-side"), and not from a callback (contract check
// "rcu-barrier-in-callback").
void rcu_barrier();

}  // namespace racefuzz::rcu

#endif  // RACEFUZZ_CORE_RCU_CALLBACKS_H_
