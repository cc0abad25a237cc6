// The RCU-protected pointer Rcu<P> and the unpublished old value RcuOld<P> (seed 004,
// rust/kernel/sync/rcu.rs), over any ForeignOwnable owner (KBox, Arc, Owned<Page>, ...).
//
//      T0 (reader)                                 T1 (updater)
//      Guard g = rcu::read_lock();
//      auto b = x.dereference(g);
//                                                  auto old = x.replace(KBox<int>::make(101));
//      use(*b);     // still the old object          // x holds the new object now
//      g.unlock();
//                                                  old.reset();  // synchronize_rcu(), then free
//
// Memory order: the kernel's dereference is a Relaxed load paired by address dependency with the
// Release store in copy_update. Neither C++ nor TSan orders by dependency, so dereference() loads
// with memory_order_consume, which compilers, TSan and the weak memory model treat as acquire: a
// publish that is not Release (the planted bug rcu-publish-relaxed), or a write to the object after
// it was published, is then reported by TSan as a race with the reader, as it would be a real bug
// on a weakly ordered CPU.
//
// The pointer is a location of the weak memory model (RACEFUZZ_MEMORY=weak, core/sched/memory):
// dereference is consume promoted to acquire *of the store it read*: the input may make a reader
// read an older pointer than the newest where coherence and happens-before allow (a reader that
// has not synchronized with the update, e.g. one whose section began before the grace period's
// quiescent state on its slot), and the reader then synchronizes with the store of that older
// pointer only. copy_update, replace and replace_pointer store with Release (null: relaxed);
// access_pointer, dereference_protected and the updater's own read are relaxed. What the promotion
// cannot find: a bug that needs a compiler to break the dependency (a reader that compares the
// pointer with a known one and then reads through the known one), and the LKMM's ordering of the
// reader's later plain accesses by dependency beyond the pointer itself (which is at most the
// acquire the promotion gives: racefuzz is stronger there, never weaker).
#ifndef RACEFUZZ_CORE_RCU_RCU_H_
#define RACEFUZZ_CORE_RCU_RCU_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <utility>

#include "core/check/report.h"
#include "core/rcu/callbacks.h"
#include "core/rcu/foreign_ownable.h"
#include "core/rcu/grace_period.h"
#include "core/rcu/read_side.h"
#include "core/sched/memory/field.h"
#include "core/sched/runtime.h"
#include "core/sched/trace.h"

namespace racefuzz::rcu {

// A shared borrow of an RCU-protected object (the kernel's `P::Borrowed<'rcu>`).
//
// Safety: valid only while the Guard it was taken under lives (the Rust lifetime ties it to that
// guard), not merely while its thread's read-side critical section is open: a borrow taken under
// an inner guard of nested guards dies with the inner guard, even though the outer guard keeps the
// section (and the object) alive. Every access through get(), * and -> is checked by a contract
// check ("rcu-borrow-after-guard"); a raw pointer kept from get() and used after a grace period is
// caught by ASan (use after free).
template <typename T>
class Borrow {
 public:
  Borrow(const T* p, const Guard& g) : p_(p), guard_(g.token()) {}

  const T* get() const {
    // SAFETY: the guard is alive, so its section is open and no grace period that frees *p_ can
    // have completed.
    internal::CheckGuardAlive(guard_);
    return p_;
  }
  const T& operator*() const { return *get(); }
  const T* operator->() const { return get(); }

 private:
  const T* p_;
  internal::GuardToken guard_;  // the guard it was taken under
};

template <ForeignOwnable P>
class Rcu;

// A pointer that has been unpublished but has not waited for a grace period yet: the object may
// still have readers, so it is freed only after a grace period.
//
// Invariants: `p_` is null or a value of P::into_foreign() that no Rcu holds any more and this
// RcuOld owns exclusively; it is handed to from_foreign (freed) exactly once, after a grace period
// (reset, reset_after) or by a call_rcu callback (defer_free); a moved-from RcuOld is null.
// `readers_` is the reader snapshot taken when the object was unpublished: the age oracle checks,
// at the free, that none of those sections is still open ("rcu-grace-period-too-short").
//
// Safety: dropping it (or reset()) calls synchronize_rcu(), so it must happen where sleeping is
// allowed: not inside a read-side critical section (contract check
// "rcu-synchronize-in-read-side"). defer_free() frees it with call_rcu instead, without blocking.
template <ForeignOwnable P>
class [[nodiscard]] RcuOld {
 public:
  using T = TargetOf<P>;
  using Traits = ForeignOwnableTraits<P>;

  RcuOld(RcuOld&& other) noexcept
      : p_(std::exchange(other.p_, nullptr)), readers_(other.readers_) {}
  // Drops (reset()) the value held, then takes `other`'s.
  RcuOld& operator=(RcuOld&& other) noexcept {
    reset();
    p_ = std::exchange(other.p_, nullptr);
    readers_ = other.readers_;
    return *this;
  }
  RcuOld(const RcuOld&) = delete;
  RcuOld& operator=(const RcuOld&) = delete;
  ~RcuOld() { reset(); }

  // The old object, still owned (readers may still see it: only shared access), or nullptr.
  //
  // Safety: the caller only reads through the pointer (readers that began before the unpublish
  // may still be reading it, so a write races: TSan), and uses it only while this RcuOld still
  // holds it: reset(), defer_free(), a move out of it or its destruction frees it after a grace
  // period, and a use after that is an ASan heap-use-after-free.
  const T* get() const { return p_ == nullptr ? nullptr : Traits::borrow(p_); }

  // Waits for a grace period, then frees the object (the Rust `drop(old)`).
  void reset() {
    if (p_ == nullptr) return;
    synchronize_rcu();
    // SAFETY: the grace period above guarantees that no borrow of it exists any more.
    free_now();
  }

  // Frees the object once a full grace period has elapsed since `cookie`
  // (get_state_synchronize_rcu), waiting for one if it has not: the kernel's polled pattern
  // `cond_synchronize_rcu(cookie); kfree(old)`.
  //
  // Safety: `cookie` must be taken after the object was unpublished (after the copy_update or
  // replace that returned this RcuOld); an older cookie may name a grace period that did not wait
  // for a reader still holding the object ("rcu-grace-period-too-short" at the free). Blocks as
  // synchronize_rcu when it waits.
  void reset_after(uint64_t cookie) {
    if (p_ == nullptr) return;
    cond_synchronize_rcu(cookie);
    // SAFETY: a full grace period has elapsed since `cookie`, taken after the unpublish (the
    // caller's contract, checked by the age oracle).
    free_now();
  }

  // Frees the object after a grace period without blocking (kfree_rcu).
  void defer_free() && {
    if (p_ == nullptr) return;
    // SAFETY: p_ came from into_foreign and is unpublished; kfree_rcu frees it after a grace
    // period.
    kfree_rcu(Traits::from_foreign(std::exchange(p_, nullptr)));
  }

 private:
  friend class Rcu<P>;
  // Called right after the unpublish: the readers that may still hold the object are the sections
  // open now.
  explicit RcuOld(void* p) : p_(p), readers_(internal::ReaderSnapshot::Take()) {}

  // Frees the object after its grace period; the age oracle first checks that every reader open at
  // the unpublish has left its section.
  //
  // Safety: a grace period that began after the unpublish has ended; p_ came from into_foreign and
  // RcuOld owns it exclusively.
  void free_now() {
    readers_.CheckReadersLeft("frees an object", "its unpublish");
    P dropped = Traits::from_foreign(std::exchange(p_, nullptr));
  }

  void* p_;
  internal::ReaderSnapshot readers_;
};

// An RCU-protected pointer: readers dereference it under a guard; one updater at a time replaces
// it (read-copy-update).
//
// Invariants: `ptr_` is null or a value of P::into_foreign() that the Rcu exclusively owns (a
// value it stops pointing to is handed out as an RcuOld, never freed here before a grace period);
// `updater_` is kIdle except while one UpdaterScope (copy_update, the destructor) runs. Not
// movable (the Rust type is pinned).
template <ForeignOwnable P>
class Rcu {
 public:
  using T = TargetOf<P>;
  using Traits = ForeignOwnableTraits<P>;

  // `id` names the pointer in the timeline ("rcu_dereference rcu 2").
  explicit Rcu(P p, uint64_t id = 0) : ptr_(Traits::into_foreign(std::move(p)), "rcu"), id_(id) {}
  explicit Rcu(std::nullptr_t, uint64_t id = 0) : ptr_(nullptr, "rcu"), id_(id) {}
  Rcu(const Rcu&) = delete;
  Rcu& operator=(const Rcu&) = delete;

  // Waits for a grace period and frees the object, if any.
  //
  // Safety: exclusive, as an updater ("rcu-concurrent-updaters"), and where sleeping is allowed
  // ("rcu-synchronize-in-read-side").
  ~Rcu() {
    UpdaterScope scope(*this, "drops");
    void* p = ptr_.load(std::memory_order_relaxed);
    if (p == nullptr) return;
    const internal::ReaderSnapshot readers = internal::ReaderSnapshot::Take();
    synchronize_rcu();
    readers.CheckReadersLeft("frees an object", "its unpublish (the Rcu's drop)");
    // SAFETY: p came from into_foreign and the Rcu owns it; after the grace period no borrow of it
    // exists any more.
    P dropped = Traits::from_foreign(p);
  }

  // The protected object, or nullopt if the pointer is null.
  //
  // Safety: `guard` must be held by the calling thread ("rcu-guard-other-thread"); the borrow is
  // valid only while `guard` itself lives, even if an outer guard keeps the read-side critical
  // section open ("rcu-borrow-after-guard", Borrow). It may outlive the reference to the Rcu
  // itself.
  std::optional<Borrow<T>> dereference(const Guard& guard) const {
    guard.check_owner("dereferences an Rcu with an RCU read guard");
    yield_point("rcu_dereference", {"rcu", id_});
    // Ordering: consume (acquire of the store it read) pairs with the Release store in
    // copy_update (the kernel relies on the address dependency of a Relaxed load; see the file
    // comment).
    void* p = ptr_.load(std::memory_order_consume);
    if (p == nullptr) return std::nullopt;
    // SAFETY: p is non-null so it came from into_foreign; the guard's section prevents the grace
    // period that a drop of RcuOld or Rcu waits for, so from_foreign is not called while the
    // borrow's guard lives.
    return Borrow<T>(Traits::borrow(p), guard);
  }

  // Reads, copies and updates: `f` gets the old object (nullptr if none) and returns the new value
  // (nullopt for null). Returns the old value, to be freed after a grace period.
  //
  // Safety: needs exclusive access (the seed takes Pin<&mut Self>): two concurrent updaters would
  // both get the same old object and free it twice. Updaters must be serialized by the caller
  // (e.g. a Mutex); overlapping updaters are a contract check ("rcu-concurrent-updaters"), and the
  // double free an ASan report.
  template <typename F>
  std::optional<RcuOld<P>> copy_update(F&& f) {
    UpdaterScope scope(*this, "updates");
    yield_point("rcu_copy_update", {"rcu", id_});
    void* old = ptr_.load(std::memory_order_relaxed);
    // SAFETY: old came from into_foreign and, with exclusive access, from_foreign was not called.
    std::optional<P> next = std::forward<F>(f)(old == nullptr ? nullptr : Traits::borrow(old));
    if (next.has_value()) {
      void* p = Traits::into_foreign(std::move(*next));
      yield_point("rcu_assign_pointer", {"rcu", id_});
      // Ordering: Release pairs with the consume load in dereference().
      ptr_.store(p, std::memory_order_release, "rcu_assign_pointer");
    } else {
      yield_point("rcu_assign_null", {"rcu", id_});
      // Ordering: storing null publishes nothing.
      ptr_.store(nullptr, std::memory_order_relaxed, "rcu_assign_null");
    }
    if (old == nullptr) return std::nullopt;
    return RcuOld<P>(old);
  }

  // Replaces the pointer with `next`; returns the old value. Safety: as copy_update.
  std::optional<RcuOld<P>> replace(P next) {
    return copy_update([&](const T*) { return std::optional<P>(std::move(next)); });
  }

  // Publishes `next` and returns the old value, without an update-side lock: the kernel's
  // unrcu_pointer(xchg(&p, RCU_INITIALIZER(next))). The exchange is one atomic read-modify-write,
  // fully ordered as every value-returning xchg in the kernel (seq_cst: Release publishes `next`'s
  // initialization to readers that dereference it, Acquire orders the old object's reuse after
  // its publisher's writes), so concurrent xchg callers each get a different old value: no lock is
  // needed among them.
  //
  // Safety: the old value is freed only after a grace period (RcuOld: ASan, TSan, the age
  // oracle). It must not overlap a copy_update, replace or replace_pointer, which read the old
  // pointer and store the new one in two steps (an xchg between them is lost, and its old value
  // handed out twice): contract check "rcu-concurrent-updaters".
  std::optional<RcuOld<P>> xchg(P next) {
    void* p = Traits::into_foreign(std::move(next));
    yield_point("rcu_xchg", {"rcu", id_});
    const int updater = updater_.load(std::memory_order_relaxed);
    RACEFUZZ_CONTRACT(updater == kIdle, "rcu-concurrent-updaters",
                      "T%d xchg's %s while T%d is updating it with copy_update: the update "
                      "stores over the exchanged value, and both hand out the same old object",
                      current_thread(), ObjectName({"rcu", id_}), updater);
    // Ordering: seq_cst (the kernel's xchg is fully ordered); no yield point since the check, so
    // no copy_update can begin in between.
    void* old = ptr_.exchange(p, std::memory_order_seq_cst, "rcu_xchg");
    if (old == nullptr) return std::nullopt;
    return RcuOld<P>(old);
  }

  // The pointer's value, for comparison only (with nullptr, or with a pointer from dereference or
  // dereference_protected): the kernel's rcu_access_pointer. Needs no guard and no lock. It is a
  // `const void*` so that it cannot be dereferenced: without a guard, the object may be freed at
  // any moment.
  const void* access_pointer() const {
    yield_point("rcu_access_pointer", {"rcu", id_});
    // Ordering: relaxed (the kernel's READ_ONCE): nothing is read through the value.
    void* p = ptr_.load(std::memory_order_relaxed);
    return p == nullptr ? nullptr : Traits::borrow(p);
  }

  // The protected object, or nullptr, on the update side: the kernel's
  // rcu_dereference_protected(p, c). `protection` says why the pointer cannot change and the
  // object cannot be freed meanwhile, typically lockdep_is_held(update_lock) (core/sched/sync.h).
  //
  // Safety: `protection` must be true (contract check "rcu-dereference-unprotected": the kernel's
  // lockdep splat "suspicious rcu_dereference_protected() usage"). The pointer is valid while the
  // protection lasts (while the caller holds the lock), and only for reading: readers may be
  // reading the object at the same time (a write races: TSan).
  const T* dereference_protected(bool protection) const {
    CheckProtected(protection, "rcu_dereference_protected");
    yield_point("rcu_dereference_protected", {"rcu", id_});
    // Ordering: relaxed: the protection (the update-side lock) orders the last update before it.
    void* p = ptr_.load(std::memory_order_relaxed);
    return p == nullptr ? nullptr : Traits::borrow(p);
  }

  // Replaces the pointer with `next` under the update side's protection and returns the old value:
  // the kernel's rcu_replace_pointer(p, next, c).
  //
  // Safety: as copy_update (exclusive access, "rcu-concurrent-updaters"), and `protection` must be
  // true ("rcu-dereference-unprotected"), as for dereference_protected.
  std::optional<RcuOld<P>> replace_pointer(P next, bool protection) {
    CheckProtected(protection, "rcu_replace_pointer");
    return replace(std::move(next));
  }

 private:
  static constexpr int kIdle = -2;

  // Reports "rcu-dereference-unprotected" if the update side's `protection` is false.
  void CheckProtected(bool protection, const char* op) const {
    RACEFUZZ_CONTRACT(protection, "rcu-dereference-unprotected",
                      "T%d calls %s on rcu#%d with its protection false (the update-side lock "
                      "not held by T%d?): suspicious %s() usage; only the update side, holding "
                      "what keeps the pointer from changing, may access it without a read guard",
                      current_thread(), op, id_, current_thread(), op);
  }

  // Marks the calling thread as the updater for its scope (relaxed: the check must not add
  // happens-before between updaters that TSan would otherwise see).
  class UpdaterScope {
   public:
    UpdaterScope(Rcu& rcu, const char* what) : rcu_(rcu) {
      const int me = current_thread();
      const int other = rcu_.updater_.exchange(me, std::memory_order_relaxed);
      RACEFUZZ_CONTRACT(other == kIdle, "rcu-concurrent-updaters",
                        "T%d %s %s while T%d is updating it: updaters need exclusive access; "
                        "both would get the same old object and free it twice",
                        me, what, ObjectName({"rcu", rcu_.id_}), other);
    }
    ~UpdaterScope() { rcu_.updater_.store(kIdle, std::memory_order_relaxed); }

   private:
    Rcu& rcu_;
  };

  racefuzz::internal::memory::ModelledField<void*> ptr_;  // a weak-memory location
  std::atomic<int> updater_{kIdle};
  uint64_t id_;
};

}  // namespace racefuzz::rcu

#endif  // RACEFUZZ_CORE_RCU_RCU_H_
