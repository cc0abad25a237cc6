// Happens-before edges for primitives that synchronize without a TSan-visible atomic or lock (a
// modelled mutex, spawn/join, the end of an RCU grace period): ThreadSanitizer sees them, and so
// does the weak memory model (core/sched/memory/model.h: what the releasing thread has seen of the
// atomics becomes visible to the acquiring one). The TSan half is a no-op in builds without TSan.
//
// release(addr) in one thread, then acquire(addr) in another: everything the first thread did
// before release happens-before everything the second does after acquire.
#ifndef RACEFUZZ_CORE_SCHED_HAPPENS_BEFORE_H_
#define RACEFUZZ_CORE_SCHED_HAPPENS_BEFORE_H_

#if defined(__has_feature)
#if __has_feature(thread_sanitizer) || defined(RACEFUZZ_FORCE_TSAN_API)
#include <sanitizer/tsan_interface.h>
#define RACEFUZZ_HAVE_TSAN 1
// Exported by the TSan runtime, not declared in its public header.
extern "C" void __tsan_ignore_thread_begin();
extern "C" void __tsan_ignore_thread_end();
#endif
#endif

#include "core/sched/runtime.h"

namespace racefuzz {

namespace internal::memory {
void ReleaseAt(const void* addr);
void AcquireAt(const void* addr);
}  // namespace internal::memory

// The TSan half alone (the memory model's own sync cells use it).
inline void tsan_release(const void* addr) {
#ifdef RACEFUZZ_HAVE_TSAN
  __tsan_release(const_cast<void*>(addr));
#else
  (void)addr;
#endif
}
inline void tsan_acquire(const void* addr) {
#ifdef RACEFUZZ_HAVE_TSAN
  __tsan_acquire(const_cast<void*>(addr));
#else
  (void)addr;
#endif
}

inline void happens_before_release(const void* addr) {
  if (internal::g_active.memory != nullptr) internal::memory::ReleaseAt(addr);
  tsan_release(addr);
}

inline void happens_before_acquire(const void* addr) {
  if (internal::g_active.memory != nullptr) internal::memory::AcquireAt(addr);
  tsan_acquire(addr);
}

// Makes the calling thread's memory accesses invisible to TSan until the matching end (for
// racefuzz's own bookkeeping that calls out-of-line code). Nests.
inline void tsan_ignore_begin() {
#ifdef RACEFUZZ_HAVE_TSAN
  __tsan_ignore_thread_begin();
#endif
}
inline void tsan_ignore_end() {
#ifdef RACEFUZZ_HAVE_TSAN
  __tsan_ignore_thread_end();
#endif
}

// tsan_ignore_begin() for the lifetime of the scope. Nothing inside may switch simulated threads.
class TsanIgnoreScope {
 public:
  TsanIgnoreScope() { tsan_ignore_begin(); }
  ~TsanIgnoreScope() { tsan_ignore_end(); }
  TsanIgnoreScope(const TsanIgnoreScope&) = delete;
  TsanIgnoreScope& operator=(const TsanIgnoreScope&) = delete;
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_HAPPENS_BEFORE_H_
