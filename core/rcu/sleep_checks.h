// Where an RCU reader or callback must not sleep: the kernel's might_sleep() checks
// (kernel/sched/core.c __might_sleep, and RCU's "Illegal context switch in RCU read-side critical
// section"), as a hook on racefuzz's might_sleep (core/sched/runtime.h). Every primitive that may
// sleep calls it (Mutex::lock, CondVar::wait, wait_for_completion, wait_event); SpinLock does not.
// synchronize_rcu and rcu_barrier have their own, more precise clauses (grace_period.h,
// callbacks.h), checked before they could sleep.
#ifndef RACEFUZZ_CORE_RCU_SLEEP_CHECKS_H_
#define RACEFUZZ_CORE_RCU_SLEEP_CHECKS_H_

#include "core/sched/runtime.h"

namespace racefuzz::rcu::internal {

// The might_sleep hook (registered by read_side.cc): `op` on `obj` may sleep, so the calling thread
// must not be invoking an RCU callback ("rcu-sleep-in-callback": callbacks run in softirq-like
// context) nor be inside its own read-side critical section ("rcu-sleep-in-read-side": a reader
// that sleeps holds up every grace period, and in the kernel's non-preemptible RCU a context
// switch is a quiescent state, so the grace period would end under it).
void CheckMaySleep(Label op, Object obj);

}  // namespace racefuzz::rcu::internal

#endif  // RACEFUZZ_CORE_RCU_SLEEP_CHECKS_H_
