// Synchronization primitives for simulated threads. In deterministic mode each operation is a yield
// point and blocking yields to the schedule; the happens-before edges TSan sees are exactly the
// ones the primitive promises (lock/unlock, release/acquire atomics). In threads mode and outside
// runs they are the ordinary std:: primitives, which TSan intercepts.
//
// Do not use absl::Mutex or std::mutex directly in code that runs in simulated threads: a fiber
// blocked on an OS mutex blocks the only OS thread (and Debian's Abseil is not TSan-instrumented).
#ifndef RACEFUZZ_CORE_SCHED_SYNC_H_
#define RACEFUZZ_CORE_SCHED_SYNC_H_

#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <source_location>
#include <thread>
#include <type_traits>

#include "core/sched/memory/model.h"
#include "core/sched/runtime.h"
#include "core/sched/wait_list.h"

namespace racefuzz {

namespace internal {
// The deterministic-mode model shared by Mutex and SpinLock: who holds the lock, the threads
// sleeping until it is free (a FIFO: an unlock wakes the oldest one only, like a futex wake of one
// waiter; a running thread may still take the lock first, and the woken one queues again), the
// contract checks, and the acquire/release edges on the lock's address.
struct LockModel {
  struct Names {
    Label lock_op;
    Label unlock_op;
    const char* relock_clause;
    const char* unlock_clause;
  };
  void Lock(const void* lock, const char* name, const Names& names, std::source_location site);
  bool TryLock(const void* lock, const char* name, Label op);
  void Unlock(const void* lock, const char* name, const Names& names);

  // Whether the calling thread holds the lock (lockdep_is_held). A run's setup (no simulated thread
  // yet) takes locks without excluding anyone; setup_held records that it holds one.
  bool HeldByMe() const;

  ThreadId owner = kNoThread;
  bool setup_held = false;
  WaitList waiters;
};

// Who holds a lock in threads mode and outside runs, where the lock is an OS primitive that does
// not say: written by the holder only, right after it locks and right before it unlocks, so the
// holder reads itself and no other thread ever does. Outside runs every caller is "no thread":
// code on several OS threads outside runs cannot be told apart (a check there may pass wrongly,
// never fail wrongly).
struct OsHolder {
  static constexpr ThreadId kNobody = kNoThread - 1;
  void Set() { holder.store(current_thread(), std::memory_order_relaxed); }
  void Clear() { holder.store(kNobody, std::memory_order_relaxed); }
  bool IsMe() const { return holder.load(std::memory_order_relaxed) == current_thread(); }
  std::atomic<ThreadId> holder{kNobody};
};
}  // namespace internal

// A mutex. lock() blocks (yielding) while another thread holds it.
//
// Safety: unlock() only by the thread that holds the lock (contract check:
// "mutex-unlock-not-owner"). A lock cycle is reported as a deadlock naming every blocked thread's
// site. lock() may sleep (the kernel's mutex_lock): only where sleeping is allowed, which models
// check through might_sleep (runtime.h; core/rcu: "rcu-sleep-in-read-side",
// "rcu-sleep-in-callback"); try_lock() never sleeps.
class Mutex {
 public:
  // `name` shows in the timeline and in deadlock reports ("lock mu_a").
  explicit Mutex(const char* name = "mutex") : name_(name) {}
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock(std::source_location site = std::source_location::current());
  void unlock();
  bool try_lock();
  // Whether the calling thread holds this mutex (see lockdep_is_held).
  bool held_by_me() const;

 private:
  const char* name_;
  internal::LockModel model_;     // deterministic mode
  std::mutex os_mutex_;           // threads mode and outside runs
  internal::OsHolder os_holder_;  // threads mode and outside runs
};

// A spinlock: same contract as Mutex, but it never sleeps (no might_sleep): it may be taken inside
// an RCU read-side critical section or an RCU callback. In threads mode it spins on an atomic flag.
class SpinLock {
 public:
  explicit SpinLock(const char* name = "spinlock") : name_(name) {}
  SpinLock(const SpinLock&) = delete;
  SpinLock& operator=(const SpinLock&) = delete;

  void lock(std::source_location site = std::source_location::current());
  void unlock();
  // Whether the calling thread holds this spinlock (see lockdep_is_held).
  bool held_by_me() const;

 private:
  const char* name_;
  internal::LockModel model_;     // deterministic mode
  std::atomic_flag flag_;         // threads mode and outside runs
  internal::OsHolder os_holder_;  // threads mode and outside runs
};

// The kernel's lockdep_is_held(&lock): whether the calling thread holds `lock` (a Mutex or a
// SpinLock), in every mode. What rcu_dereference_protected's condition is usually made of
// (core/rcu/rcu.h: Rcu::dereference_protected). Carries no happens-before.
template <typename L>
bool lockdep_is_held(const L& lock) {
  return lock.held_by_me();
}

// RAII lock for Mutex and SpinLock.
template <typename L>
class Guard {
 public:
  explicit Guard(L& l, std::source_location site = std::source_location::current()) : l_(l) {
    l_.lock(site);
  }
  ~Guard() { l_.unlock(); }
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;

 private:
  L& l_;
};

// An atomic whose every operation is a yield point. TSan sees the memory order: a relaxed store
// that "publishes" data is still a race on the data, as it is on real hardware.
//
// With RACEFUZZ_MEMORY=weak, in deterministic runs, a load may also read an older store than the
// newest, as far as the C++ memory model (RC11) allows, and the input chooses which
// (core/sched/memory/model.h); TSan's edges then come from the model: an acquire synchronizes
// with the store it read. Elsewhere (SC, threads mode, outside runs) the operations are the real
// std::atomic's. T must be trivially copyable and at most 8 bytes.
template <typename T>
class Atomic {
  static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= sizeof(uint64_t),
                "racefuzz::Atomic<T> needs a trivially copyable T of at most 8 bytes");

 public:
  explicit Atomic(T v = T{}, const char* name = "atomic") : v_(v), name_(name) {}
  Atomic(const Atomic&) = delete;
  Atomic& operator=(const Atomic&) = delete;

  T load(std::memory_order mo = std::memory_order_seq_cst) const {
    yield_point("atomic_load", {name_, 0});
    if (Modelled()) return internal::memory::FromBits<T>(internal::memory::Load(model_, mo));
    return v_.load(mo);
  }
  void store(T v, std::memory_order mo = std::memory_order_seq_cst) {
    yield_point("atomic_store", {name_, 0});
    if (Modelled()) {
      internal::memory::Store(model_, internal::memory::ToBits(v), mo);
      v_.store(v, std::memory_order_relaxed);  // the newest store's value, always
      return;
    }
    v_.store(v, mo);
  }
  T exchange(T v, std::memory_order mo = std::memory_order_seq_cst) {
    yield_point("atomic_xchg", {name_, 0});
    if (Modelled()) {
      internal::memory::Rmw(model_, internal::memory::ToBits(v), mo, "atomic_xchg");
      return v_.exchange(v, std::memory_order_relaxed);
    }
    return v_.exchange(v, mo);
  }
  bool compare_exchange_strong(T& expected, T desired,
                               std::memory_order mo = std::memory_order_seq_cst) {
    yield_point("atomic_cmpxchg", {name_, 0});
    if (Modelled()) {
      // Like every read-modify-write, success and failure both read the newest store.
      if (v_.compare_exchange_strong(expected, desired, std::memory_order_relaxed)) {
        internal::memory::Rmw(model_, internal::memory::ToBits(desired), mo, "atomic_cmpxchg");
        return true;
      }
      internal::memory::ReadNewest(model_, FailureOrder(mo));
      return false;
    }
    return v_.compare_exchange_strong(expected, desired, mo);
  }
  T fetch_add(T d, std::memory_order mo = std::memory_order_seq_cst) {
    yield_point("atomic_add", {name_, 0});
    if (Modelled()) {
      const T old = v_.fetch_add(d, std::memory_order_relaxed);
      internal::memory::Rmw(model_, internal::memory::ToBits(static_cast<T>(old + d)), mo,
                            "atomic_add");
      return old;
    }
    return v_.fetch_add(d, mo);
  }
  T fetch_sub(T d, std::memory_order mo = std::memory_order_seq_cst) {
    yield_point("atomic_sub", {name_, 0});
    if (Modelled()) {
      const T old = v_.fetch_sub(d, std::memory_order_relaxed);
      internal::memory::Rmw(model_, internal::memory::ToBits(static_cast<T>(old - d)), mo,
                            "atomic_sub");
      return old;
    }
    return v_.fetch_sub(d, mo);
  }

 private:
  static constexpr std::memory_order FailureOrder(std::memory_order mo) {
    if (mo == std::memory_order_acq_rel) return std::memory_order_acquire;
    if (mo == std::memory_order_release) return std::memory_order_relaxed;
    return mo;
  }
  // True in a weak run once the model tracks this location (the real atomic then holds the newest
  // store's value and is accessed relaxed only); false elsewhere. Invariants: g_active.memory is
  // null outside deterministic runs (RunScope). Outside deterministic runs the test is the mode
  // that the operation's yield point has just loaded, so it costs no second load: the yield point
  // and this are one load and a branch (bench/engine/fast_path_bench.cc).
  bool Modelled() const {
    if (internal::g_active.mode != Mode::kDeterministic || internal::g_active.memory == nullptr) {
      return false;
    }
    return internal::memory::Track(model_, this, name_,
                                   internal::memory::ToBits(v_.load(std::memory_order_relaxed)),
                                   internal::memory::KindOf<T>(), sizeof(T));
  }

  std::atomic<T> v_;
  const char* name_;
  mutable internal::memory::AtomicState model_;
};

// A fence (std::atomic_thread_fence). In a weak run it orders as RC11 says (release and acquire
// fences pair through the relaxed accesses around them; seq_cst fences also join the SC order);
// elsewhere it is the real fence. A yield point in deterministic runs. A function object, not a
// function: an unqualified call inside namespace racefuzz then finds it alone, where a function
// would be ambiguous with std::atomic_thread_fence (found through the std::memory_order argument).
struct AtomicThreadFence {
  void operator()(std::memory_order mo) const;
};
inline constexpr AtomicThreadFence atomic_thread_fence;

namespace internal {
void WaitSlow(Label op, Object obj, std::source_location site);
void BeginWaitCheckSlow();
// Marks the start of one check of a wait_until predicate (deterministic runs only).
inline void BeginWaitCheck() {
  if (g_active.mode == Mode::kDeterministic) BeginWaitCheckSlow();
}
}  // namespace internal

// Waits until `pred()` is true, re-checking whenever another thread has made a step (deterministic
// mode) or after a sched_yield (threads mode). `pred` should read shared state through Atomic or
// under a lock. A wait no other thread can end is reported as a deadlock; one that spins past the
// step budget as a livelock. A predicate with a yield point after a read (it locks, or loads twice)
// may see other threads run in the middle of its check: its false answer is then checked again
// before the thread parks, so no step between its first read and the park is missed.
template <typename Pred>
void wait_until(Pred pred, Label op = "wait", Object obj = {},
                std::source_location site = std::source_location::current()) {
  for (internal::BeginWaitCheck(); !pred(); internal::BeginWaitCheck()) {
    internal::WaitSlow(op, obj, site);
  }
  if (internal::g_active.memory != nullptr) internal::memory::EndWait();
}

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_SYNC_H_
