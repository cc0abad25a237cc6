// Attributes for the scheduler's own code. Not for models.
#ifndef RACEFUZZ_CORE_SCHED_INTERNAL_H_
#define RACEFUZZ_CORE_SCHED_INTERNAL_H_

// The scheduler's bookkeeping (thread states, the trace, primitive state) is touched by every fiber
// with no happens-before between them, because switches are no_sync by design. It must be
// invisible to TSan, or TSan would report races on racefuzz itself.
#define RACEFUZZ_SCHED_INTERNAL __attribute__((no_sanitize("thread")))

// Code that switches stacks: no instrumentation of any kind (TSan requires the fiber switch to be
// called from uninstrumented code, and the shadow call stack must not see the jump).
#define RACEFUZZ_SWITCH_CODE __attribute__((disable_sanitizer_instrumentation, noinline))

#endif  // RACEFUZZ_CORE_SCHED_INTERNAL_H_
