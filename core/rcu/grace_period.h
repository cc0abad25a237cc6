// Grace periods: synchronize_rcu() and the kernel's polled grace-period cookies.
//
// racefuzz's RCU is its own (Debian's liburcu is not TSan-aware). Grace periods are serialized
// (one at a time, numbered 1, 2, ... in each run). Who runs them: in a deterministic run, the run's
// grace-period kthread (the kernel's rcu_gp_kthread, core/sched/kthread.h), spawned at the run's
// first request and scheduled by the input like any thread; it records each reader slot's
// quiescent state in turn (a yield point before each slot that reads in the run, then a wait until
// the slot is outside any section), so when a grace period starts, passes each reader and ends is
// explored. Happens-before there is exactly the requirements' two memory-barrier guarantees: the
// sections a grace period waited for happen-before its waiters' return, and a section that begins
// after its slot's quiescent state happens after everything the grace period's requesters did
// before asking (docs/rcu.md, "as implemented"). In threads mode and outside runs the waiter runs
// the grace period itself: it snapshots every slot, waits for the open sections, then acquires
// every slot's last outermost unlock (a superset of guarantee 1; guarantee 2 is not given there).
// A waiter needs the first grace period that starts after its call.
//
// synchronize_rcu() waits for a grace period only: it runs no callback and waits for none
// (callbacks.h).
#ifndef RACEFUZZ_CORE_RCU_GRACE_PERIOD_H_
#define RACEFUZZ_CORE_RCU_GRACE_PERIOD_H_

#include <cstdint>

namespace racefuzz::rcu {

// Waits until every read-side critical section that began before the call has ended.
//
// Safety: must be called where sleeping is allowed: not inside a read-side critical section of the
// calling thread (it would wait for itself forever), checked by a contract check
// ("rcu-synchronize-in-read-side"); and not from an RCU callback (callbacks.h), which runs in
// softirq-like context where nothing may block or wait for a grace period, checked by a contract
// check ("rcu-synchronize-in-callback") before any lock is taken. A reader blocked on something
// the caller holds is reported by the scheduler as a deadlock.
void synchronize_rcu();

// The kernel's synchronize_rcu_expedited(): the same guarantees as synchronize_rcu, reached faster
// on a real kernel (it interrupts every CPU); a model has no speed to trade, so it is
// synchronize_rcu, with its checks (whose reports name synchronize_rcu).
inline void synchronize_rcu_expedited() { synchronize_rcu(); }

// A cookie naming "now" for poll_state_synchronize_rcu (the kernel's get_state_synchronize_rcu).
// It starts no grace period: a poll loop with nobody waiting may wait forever (a livelock report).
uint64_t get_state_synchronize_rcu();

// As get_state_synchronize_rcu, and makes sure the grace period the cookie needs will run (the
// kernel's start_poll_synchronize_rcu).
uint64_t start_poll_synchronize_rcu();

// Whether a full grace period has elapsed since `cookie` was taken. If so, every reader the grace
// period waited for happens-before the return (the caller may free what they read), as with
// synchronize_rcu.
bool poll_state_synchronize_rcu(uint64_t cookie);

// Waits for a grace period unless a full one has elapsed since `cookie` was taken (the kernel's
// cond_synchronize_rcu): the polled form of synchronize_rcu, for an updater that took its cookie
// when it unpublished the object and did other work since. A cookie taken before the unpublish is a
// bug (the elapsed grace period need not have waited for a reader that still holds the object):
// the age oracle reports the free that follows (rcu.h, RcuOld::reset_after).
//
// Safety: when it waits, as synchronize_rcu ("rcu-synchronize-in-read-side",
// "rcu-synchronize-in-callback").
void cond_synchronize_rcu(uint64_t cookie);

// How many full grace periods have elapsed since `cookie` was taken (racefuzz's rcutorture-style
// "pipe count": an object retired at `cookie` and still seen by a reader must have age 0). Carries
// no happens-before: an oracle must not hide the races it checks for.
uint64_t grace_periods_since(uint64_t cookie);

}  // namespace racefuzz::rcu

#endif  // RACEFUZZ_CORE_RCU_GRACE_PERIOD_H_
