// What grace_period.cc and callbacks.cc share. Not for models or targets.
#ifndef RACEFUZZ_CORE_RCU_CALLBACKS_INTERNAL_H_
#define RACEFUZZ_CORE_RCU_CALLBACKS_INTERNAL_H_

#include <cstdint>

namespace racefuzz::rcu::internal {

// Whether the calling thread is invoking an RCU callback now: it must not block
// ("rcu-synchronize-in-callback", "rcu-barrier-in-callback").
bool InCallback();

// The callback queue (a reader slot: the kernel's CPU) a callback queued now goes on: the calling
// thread's own, or, inside a callback, the queue being invoked (a callback that queues another
// queues it on its own CPU). RCU's and SRCU's queues are chosen alike.
int CallbackQueueOfCaller();

// While alive, the calling thread is invoking a callback of queue `q` (RCU's or SRCU's):
// InCallback() holds, blocking is a contract violation, and CallbackQueueOfCaller() is `q`. Nests.
class InvokingCallback {
 public:
  explicit InvokingCallback(int q);
  ~InvokingCallback();
  InvokingCallback(const InvokingCallback&) = delete;
  InvokingCallback& operator=(const InvokingCallback&) = delete;

 private:
  int outer_;
};

// Deterministic runs: grace period `gp` is needed; wakes the grace-period kthread (spawning it at
// the run's first request). A no-op where kthreads do not exist (the waiters run grace periods).
void RequestGracePeriod(uint64_t gp);

// Deterministic runs: a grace period has completed; wakes every callback kthread of the run.
void WakeCallbackKthreads();

// get_state_synchronize_rcu without its happens-before (for the oracles: TortureAge).
uint64_t CurrentCookie();

// An object's retirement, for TortureAge: the cookie then, and (weak runs) the retiring thread's
// slot and how many grace periods it had asked for.
struct Retirement {
  uint64_t cookie = 0;
  int slot = 0;
  uint64_t requests = 0;
};
Retirement Retire();
// The cookie from which completed grace periods order the retirement before every later reader.
// Outside weak runs, the retirement's own cookie: a grace period that started after it. In weak
// runs only one that the retiring thread asked for after it (its first request since), since a
// grace period orders before the sections that begin after it only what its requesters did
// before asking (guarantee 2): a reader whose section begins after a grace period another thread
// asked for may still read the retired object's pointer, and that grace period's end then
// proves nothing about it. A value no grace period reaches while the thread has asked for none.
uint64_t RetirementCookie(const Retirement& r);

// Deterministic runs: what the caller did so far happens-before every section that begins after
// grace period `gp`'s quiescent state on its slot (guarantee 2). A no-op elsewhere.
void ReleaseToReadersAfter(uint64_t gp);

// Every reader slot's last outermost unlock happens-before what the caller does next.
void AcquireReaders();

// The end of a run: every simulated thread has finished, so no reader is inside a section (a
// leaked one was reported): a grace period completes at once, to invoke what is left.
void CompleteGracePeriodAtRunEnd();

}  // namespace racefuzz::rcu::internal

#endif  // RACEFUZZ_CORE_RCU_CALLBACKS_INTERNAL_H_
