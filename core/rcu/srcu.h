// SRCU, sleepable RCU, as its own flavour (the kernel's include/linux/srcu.h,
// kernel/rcu/srcutree.c; Requirements.rst, "Sleepable RCU"): read-side critical sections of one
// srcu_struct domain may sleep, and a grace period of one domain waits only for that domain's
// readers.
//
//   rcu::srcu_struct ss("ss");                      // DEFINE_SRCU / init_srcu_struct
//   // reader                                       // updater
//   int idx = rcu::srcu_read_lock(&ss);              old = p; p = next;   (a Release publish)
//   use(*p);  mutex.lock(); ...  // may sleep        rcu::synchronize_srcu(&ss);
//   rcu::srcu_read_unlock(&ss, idx);                 delete old;
//
// The model is RCU's (grace_period.h), per domain: each simulated thread has a reader slot in each
// domain; a grace period of the domain starts, then passes each slot's quiescent state in turn (a
// yield point before each slot that read the domain, then a wait until the slot is outside the
// domain's sections). Happens-before is exactly the two memory-barrier guarantees, per domain, in
// deterministic runs: the sections a grace period waited for happen-before its waiter's return
// and the callbacks it made ready; a section that begins after its slot's quiescent state happens
// after everything the grace period's requesters (synchronize_srcu, call_srcu) did before asking.
// In threads mode and outside runs the waiter snapshots the slots, waits for the open sections,
// then acquires every slot's last outermost unlock (a superset of guarantee 1, as RCU's there).
//
// Who runs grace periods: synchronize_srcu runs its own, on the caller (one at a time per domain).
// call_srcu queues on the calling thread's own queue in the domain (the kernel's per-CPU
// srcu_data list; inside a callback, the queue being invoked). In a deterministic run each queue
// has its own kthread (spawned at its first call_srcu), which invokes it in queue order and runs
// the grace period its oldest callback needs unless another thread does; so one thread's
// callbacks run in the order it queued them, different threads' in any order the input picks,
// and no lock or order joins two threads' call_srcu. Elsewhere srcu_barrier runs them.
//
// srcu_down_read / srcu_up_read are the semaphore-like sections: the index travels, and the
// up_read may run on another thread. They belong to the domain, not to a thread: the grace
// period waits for those that took the index before its flip (a counter per index, as the
// kernel's), srcu_read_lock_held does not see them (as lockdep does not), and a thread may exit
// inside one.
//
// A domain's state is the srcu_struct's own (a user object, built per input like every object a
// target makes), not a global; its kthread is the run's and leaves with it.
#ifndef RACEFUZZ_CORE_RCU_SRCU_H_
#define RACEFUZZ_CORE_RCU_SRCU_H_

#include "absl/functional/any_invocable.h"

namespace racefuzz::rcu {

namespace internal {
struct SrcuState;
}  // namespace internal

// One SRCU domain (struct srcu_struct).
//
// Invariants: `state_` is non-null and counted (an atomic count, so that TSan sees every
// reference taken: libstdc++'s shared_ptr counts without atomics in a process of one OS thread):
// one reference is this domain's, one each its queues' kthreads', which keep it alive until they
// return; the last to drop it frees it.
class srcu_struct {
 public:
  // DEFINE_SRCU / init_srcu_struct. `name` names the domain in reports and the timeline.
  explicit srcu_struct(const char* name = "srcu");
  ~srcu_struct();
  srcu_struct(const srcu_struct&) = delete;
  srcu_struct& operator=(const srcu_struct&) = delete;

  internal::SrcuState& state() const { return *state_; }

 private:
  internal::SrcuState* state_;
};

// cleanup_srcu_struct: the domain is no longer used.
//
// Safety: no thread inside a read-side section of `ssp` and no callback of it pending (call
// srcu_barrier first): contract check "srcu-cleanup-busy".
void cleanup_srcu_struct(srcu_struct* ssp);

// Enters a read-side critical section of `ssp` (nests) and returns its index, which the matching
// srcu_read_unlock must be given. The section may sleep (Mutex::lock, wait_for_completion, ...):
// RCU's might_sleep checks do not apply to it.
//
// Safety: the section must end (srcu_read_unlock) on the same thread, before it exits (contract
// check "srcu-read-lock-leaked" at its exit, or at the run's end for a run's setup);
// synchronize_srcu(ssp) inside it waits for itself (a deadlock the engine reports), while another
// domain's grace period does not wait for it.
int srcu_read_lock(srcu_struct* ssp);

// Leaves the read-side critical section of `ssp` that srcu_read_lock returned `idx` for.
//
// Safety: `idx` must be the index of a section of `ssp` the calling thread holds open: another
// index, another domain's section, or no section at all is the contract check
// "srcu-unlock-wrong-index" (on a real kernel it corrupts the domain's counters: a later grace
// period ends too early or never).
void srcu_read_unlock(srcu_struct* ssp, int idx);

// Whether the calling thread is inside a read-side critical section of `ssp` that it took with
// srcu_read_lock (srcu_down_read sections are no thread's).
bool srcu_read_lock_held(const srcu_struct* ssp);

// Enters a semaphore-like read-side critical section of `ssp` and returns its index, which the
// matching srcu_up_read, on this thread or another, must be given (the kernel's srcu_down_read).
// Not the calling thread's: srcu_read_lock_held does not see it and the thread may exit inside it.
//
// Safety: released exactly once by srcu_up_read(ssp, idx); until then every later grace period
// of the domain waits for it, and cleanup_srcu_struct is "srcu-cleanup-busy".
int srcu_down_read(srcu_struct* ssp);

// Leaves a section srcu_down_read returned `idx` for, from any thread. Everything done in the
// section before it (by the threads the index travelled through, as ordered) happens-before the
// end of a grace period that waited for it.
//
// Safety: `idx` must be the index of an open srcu_down_read section of `ssp`: another index, or
// none open with it, is the contract check "srcu-up-read-unmatched" (on a real kernel the
// domain's counters underflow: a later grace period ends too early).
void srcu_up_read(srcu_struct* ssp, int idx);

// Waits until every read-side critical section of `ssp` that began before the call has ended.
//
// Safety: may sleep, so not from an RCU or SRCU callback ("rcu-synchronize-in-callback"); inside
// the caller's own section of `ssp` it deadlocks (reported by the engine).
void synchronize_srcu(srcu_struct* ssp);

// Queues `callback` to run after a full grace period of `ssp`, without blocking the caller.
//
// Safety: `callback` runs in softirq-like context and must not sleep (RCU's "rcu-sleep-in-callback"
// applies); what it frees must be unpublished before the call.
void call_srcu(srcu_struct* ssp, absl::AnyInvocable<void() &&> callback);

// Waits until every callback queued on `ssp` (by any thread) before the call has run; not for one
// queued after it (by a callback, say). It is no grace period.
//
// Safety: blocks: not from a callback ("rcu-barrier-in-callback").
void srcu_barrier(srcu_struct* ssp);

}  // namespace racefuzz::rcu

#endif  // RACEFUZZ_CORE_RCU_SRCU_H_
