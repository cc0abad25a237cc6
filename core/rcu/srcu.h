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
// Who runs grace periods: synchronize_srcu runs its own, on the caller (one at a time per domain);
// call_srcu's callbacks are run, in queue order, by the domain's kthread in a deterministic run
// (spawned at its first call_srcu: the kernel's SRCU workqueue), and by srcu_barrier elsewhere.
// Known over-approximation: one queue per domain, so SRCU callbacks of different threads run in
// the order they were queued (the kernel's per-CPU srcu_data lists do not promise that).
//
// A domain's state is the srcu_struct's own (a user object, built per input like every object a
// target makes), not a global; its kthread is the run's and leaves with it.
#ifndef RACEFUZZ_CORE_RCU_SRCU_H_
#define RACEFUZZ_CORE_RCU_SRCU_H_

#include <memory>

#include "absl/functional/any_invocable.h"

namespace racefuzz::rcu {

namespace internal {
struct SrcuState;
}  // namespace internal

// One SRCU domain (struct srcu_struct).
//
// Invariants: `state_` is non-null and owned by this domain and, while it runs, by the domain's
// kthread (which keeps it alive until it returns).
class srcu_struct {
 public:
  // DEFINE_SRCU / init_srcu_struct. `name` names the domain in reports and the timeline.
  explicit srcu_struct(const char* name = "srcu");
  ~srcu_struct();
  srcu_struct(const srcu_struct&) = delete;
  srcu_struct& operator=(const srcu_struct&) = delete;

  internal::SrcuState& state() const { return *state_; }
  // For the domain's kthread, which keeps the state alive until it returns.
  std::shared_ptr<internal::SrcuState> shared_state() const { return state_; }

 private:
  std::shared_ptr<internal::SrcuState> state_;
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

// Whether the calling thread is inside a read-side critical section of `ssp`.
bool srcu_read_lock_held(const srcu_struct* ssp);

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

// Waits until every callback queued on `ssp` before the call has run. It is no grace period.
//
// Safety: blocks: not from a callback ("rcu-barrier-in-callback").
void srcu_barrier(srcu_struct* ssp);

}  // namespace racefuzz::rcu

#endif  // RACEFUZZ_CORE_RCU_SRCU_H_
