// The kernel's names for atomics and barriers (tools/memory-model, Documentation/atomic_t.txt,
// memory-barriers.txt), for code ported from the kernel, over racefuzz::Atomic and
// racefuzz::atomic_thread_fence. Each mapping is to the C++ order that RC11 (the model racefuzz
// follows in weak mode) gives; the note on each says where that is stronger or weaker than the
// LKMM, i.e. what a port through these names can hide.
//
// In the kernel these are macros on plain lvalues; here they are functions on Atomic<T>, since an
// access that races must be atomic in C++ (a plain one is a data race, and TSan says so).
#ifndef RACEFUZZ_CORE_SCHED_MEMORY_KERNEL_H_
#define RACEFUZZ_CORE_SCHED_MEMORY_KERNEL_H_

#include <atomic>

#include "core/sched/sync.h"

namespace racefuzz {

// READ_ONCE / WRITE_ONCE: relaxed. The LKMM orders a READ_ONCE before later accesses that depend
// on its value (address, data, and control dependencies to stores); C++ orders nothing by
// dependencies, so racefuzz may show a reordering the kernel's dependency forbids (MP+addr in
// docs/litmus.md). It never shows load buffering, which the LKMM allows for ONCE accesses without
// dependencies.
template <typename T>
T READ_ONCE(const Atomic<T>& a) {
  return a.load(std::memory_order_relaxed);
}
template <typename T, typename V>
void WRITE_ONCE(Atomic<T>& a, V v) {
  a.store(static_cast<T>(v), std::memory_order_relaxed);
}

// smp_load_acquire / smp_store_release: acquire and release, as in the LKMM. (The LKMM's
// release-acquire chains are also transitive through a relaxed load of another thread's store; so
// are C++'s, through happens-before.)
template <typename T>
T smp_load_acquire(const Atomic<T>& a) {
  return a.load(std::memory_order_acquire);
}
template <typename T, typename V>
void smp_store_release(Atomic<T>& a, V v) {
  a.store(static_cast<T>(v), std::memory_order_release);
}

// smp_mb(): a full barrier, as a seq_cst fence. The LKMM's smp_mb orders every earlier access
// before every later one, for every thread, a seq_cst fence does so through the SC order; both
// forbid SB, IRIW and R with it between the accesses.
inline void smp_mb() { atomic_thread_fence(std::memory_order_seq_cst); }

// smp_rmb(): an acquire fence. The LKMM's smp_rmb orders earlier loads before later loads only;
// the acquire fence also orders earlier loads before later stores (stronger: a bug that needs a
// load to pass a later store across an smp_rmb is not shown), and, like smp_rmb, pairs only with
// a release (smp_wmb, smp_store_release) on the writer's side.
inline void smp_rmb() { atomic_thread_fence(std::memory_order_acquire); }

// smp_wmb(): a release fence. The LKMM's smp_wmb orders earlier stores before later stores only;
// the release fence also orders earlier loads before later stores (stronger: a load that passes a
// later store across an smp_wmb is not shown).
inline void smp_wmb() { atomic_thread_fence(std::memory_order_release); }

// Value-returning read-modify-writes are fully ordered in the kernel (an smp_mb before and after):
// xchg and cmpxchg are a seq_cst fence, the relaxed operation, and a seq_cst fence. A failed
// cmpxchg is unordered in the LKMM; here it is ordered too (stronger, never a false weak read).
// The _relaxed, _acquire and _release forms are the C++ orders of the same name.
template <typename T, typename V>
T xchg(Atomic<T>& a, V v) {
  smp_mb();
  const T old = a.exchange(static_cast<T>(v), std::memory_order_relaxed);
  smp_mb();
  return old;
}
template <typename T, typename V>
T xchg_relaxed(Atomic<T>& a, V v) {
  return a.exchange(static_cast<T>(v), std::memory_order_relaxed);
}
template <typename T, typename V>
T xchg_acquire(Atomic<T>& a, V v) {
  return a.exchange(static_cast<T>(v), std::memory_order_acquire);
}
template <typename T, typename V>
T xchg_release(Atomic<T>& a, V v) {
  return a.exchange(static_cast<T>(v), std::memory_order_release);
}

namespace internal {
// The kernel's cmpxchg: returns the value it read (== old on success).
template <typename T>
T Cmpxchg(Atomic<T>& a, T old, T next, std::memory_order mo) {
  T seen = old;
  a.compare_exchange_strong(seen, next, mo);
  return seen;
}
}  // namespace internal

template <typename T, typename O, typename N>
T cmpxchg(Atomic<T>& a, O old, N next) {
  smp_mb();
  const T seen =
      internal::Cmpxchg(a, static_cast<T>(old), static_cast<T>(next), std::memory_order_relaxed);
  smp_mb();
  return seen;
}
template <typename T, typename O, typename N>
T cmpxchg_relaxed(Atomic<T>& a, O old, N next) {
  return internal::Cmpxchg(a, static_cast<T>(old), static_cast<T>(next), std::memory_order_relaxed);
}
template <typename T, typename O, typename N>
T cmpxchg_acquire(Atomic<T>& a, O old, N next) {
  return internal::Cmpxchg(a, static_cast<T>(old), static_cast<T>(next), std::memory_order_acquire);
}
template <typename T, typename O, typename N>
T cmpxchg_release(Atomic<T>& a, O old, N next) {
  return internal::Cmpxchg(a, static_cast<T>(old), static_cast<T>(next), std::memory_order_release);
}

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_MEMORY_KERNEL_H_
