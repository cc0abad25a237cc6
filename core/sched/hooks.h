// The engine's hook lists (runtime.h: add_switch_hook, add_thread_exit_hook, add_run_end_hook;
// add_might_sleep_hook's list is called by might_sleep itself, hooks.cc) and
// where the scheduler and the thread pool call them. Not for models.
#ifndef RACEFUZZ_CORE_SCHED_HOOKS_H_
#define RACEFUZZ_CORE_SCHED_HOOKS_H_

#include "core/sched/runtime.h"

namespace racefuzz::internal {

// On a simulated thread, each time it starts or resumes running (deterministic mode).
void RunSwitchHooks(ThreadId now_running);
// On a simulated thread, after its body returned and its captures were destroyed (every mode).
void RunThreadExitHooks(ThreadId finished);
// On the thread that ran the run, after every simulated thread finished and was joined, while the
// run's mode is still set (every mode).
void RunRunEndHooks();

}  // namespace racefuzz::internal

#endif  // RACEFUZZ_CORE_SCHED_HOOKS_H_
