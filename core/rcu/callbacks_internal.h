// What grace_period.cc and callbacks.cc share. Not for models or targets.
#ifndef RACEFUZZ_CORE_RCU_CALLBACKS_INTERNAL_H_
#define RACEFUZZ_CORE_RCU_CALLBACKS_INTERNAL_H_

#include <cstdint>

namespace racefuzz::rcu::internal {

// Whether the calling thread is invoking an RCU callback now: it must not block
// ("rcu-synchronize-in-callback", "rcu-barrier-in-callback").
bool InCallback();

// Deterministic runs: grace period `gp` is needed; wakes the grace-period kthread (spawning it at
// the run's first request). A no-op where kthreads do not exist (the waiters run grace periods).
void RequestGracePeriod(uint64_t gp);

// Deterministic runs: a grace period has completed; wakes every callback kthread of the run.
void WakeCallbackKthreads();

// get_state_synchronize_rcu without its happens-before (for the oracles: TortureAge).
uint64_t CurrentCookie();

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
