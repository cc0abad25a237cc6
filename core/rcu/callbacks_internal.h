// Callback processing shared by grace_period.cc and callbacks.cc. Not for models or targets.
#ifndef RACEFUZZ_CORE_RCU_CALLBACKS_INTERNAL_H_
#define RACEFUZZ_CORE_RCU_CALLBACKS_INTERNAL_H_

namespace racefuzz::rcu::internal {

// Runs, on the calling thread, every queued callback a completed grace period has made ready.
void RunReadyCallbacks();

// Whether the calling thread is running RCU callbacks now (inside RunReadyCallbacks): it must not
// block ("rcu-synchronize-in-callback", "rcu-barrier-in-callback").
bool InCallback();

}  // namespace racefuzz::rcu::internal

#endif  // RACEFUZZ_CORE_RCU_CALLBACKS_INTERNAL_H_
