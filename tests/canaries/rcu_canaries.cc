// Canaries for the RCU model (core/rcu): one per clause of rust/kernel/sync/rcu.rs (seed 004) and
// of call_rcu, each with its clean twin. Runs are round-robin at every yield point.
#include <optional>

#include "core/rcu/rcu.h"
#include "core/rcu/torture.h"
#include "core/sched/sync.h"
#include "tests/canaries/canary.h"

namespace racefuzz::canary {
namespace {

using rcu::Borrow;
using rcu::KBox;
using rcu::Rcu;
using rcu::RcuOld;

// Reads through a raw pointer, as code that kept b.get() would (a Borrow access is checked first).
int ReadRaw(const int* p) { return *static_cast<const volatile int*>(p); }

// A reader keeps the object it dereferenced while an updater replaces it and frees the old one.
// With `kSkip`, the grace period is skipped (the planted bug): the free lands inside the reader's
// section and its next read is a use after free.
template <bool kSkip, bool kDeferred>
void FreeDuringReader() {
  std::optional<rcu::testing::ScopedSkipGracePeriods> skip;
  if (kSkip) skip.emplace();
  Rcu<KBox<int>> x(KBox<int>::make(100));
  Atomic<int> dereferenced(0, "dereferenced");
  RunThreads({[&] {
                rcu::Guard g = rcu::read_lock();
                const int* p = x.dereference(g)->get();
                dereferenced.store(1, std::memory_order_release);
                for (int i = 0; i < 16; ++i) yield_point("reader_busy", {"object", 100});
                if (ReadRaw(p) != 100) std::abort();
              },
              [&] {
                wait_until([&] { return dereferenced.load(std::memory_order_acquire) == 1; });
                std::optional<RcuOld<KBox<int>>> old = x.replace(KBox<int>::make(101));
                if (kDeferred) {
                  std::move(*old).defer_free();  // kfree_rcu: freed by a callback
                  rcu::synchronize_rcu();        // the grace period that runs it
                } else {
                  old.reset();  // synchronize_rcu, then free
                }
              }});
  rcu::rcu_barrier();
}

RACEFUZZ_CANARY(rcu_free_without_grace_period_asan,
                {
                    .clause = "RcuOld::drop waits for synchronize_rcu() before freeing (ASan)",
                    .builds = kAsan,
                    .expect = {"ERROR: AddressSanitizer: heap-use-after-free", "ReadRaw",
                               "racefuzz timeline", "T1 rcu_gp_end",
                               "SUMMARY: AddressSanitizer: heap-use-after-free"},
                    .violate = [] { FreeDuringReader<true, false>(); },
                    .clean = [] { FreeDuringReader<false, false>(); },
                });

RACEFUZZ_CANARY(rcu_call_rcu_skipped_grace_period_asan,
                {
                    .clause = "call_rcu/kfree_rcu frees only after a grace period (ASan)",
                    .builds = kAsan,
                    .expect = {"ERROR: AddressSanitizer: heap-use-after-free", "ReadRaw",
                               "racefuzz timeline", "T1 rcu_callback",
                               "SUMMARY: AddressSanitizer: heap-use-after-free"},
                    .violate = [] { FreeDuringReader<true, true>(); },
                    .clean = [] { FreeDuringReader<false, true>(); },
                });

RACEFUZZ_CANARY(rcu_free_without_grace_period_tsan,
                {
                    .clause = "RcuOld::drop waits for synchronize_rcu() before freeing (TSan)",
                    .builds = kTsan,
                    .expect = {"WARNING: ThreadSanitizer: heap-use-after-free", "ReadRaw",
                               "racefuzz timeline", "T1 rcu_gp_end",
                               "SUMMARY: ThreadSanitizer: heap-use-after-free"},
                    .violate = [] { FreeDuringReader<true, false>(); },
                    .clean = [] { FreeDuringReader<false, false>(); },
                });

RACEFUZZ_CANARY(rcu_call_rcu_skipped_grace_period_tsan,
                {
                    .clause = "call_rcu/kfree_rcu frees only after a grace period (TSan)",
                    .builds = kTsan,
                    .expect = {"WARNING: ThreadSanitizer: heap-use-after-free", "ReadRaw",
                               "racefuzz timeline", "T1 rcu_callback",
                               "SUMMARY: ThreadSanitizer: heap-use-after-free"},
                    .violate = [] { FreeDuringReader<true, true>(); },
                    .clean = [] { FreeDuringReader<false, true>(); },
                });

// The age oracle (rcutorture's pipe count): the object stays allocated (another Arc reference
// keeps it), so the oracle, not ASan, sees a reader holding an object a full grace period after its
// retirement.
struct Aged {
  int value = 0;
  rcu::TortureAge age;
};

template <bool kSkip, bool kDeferred>
void AgeOracle() {
  std::optional<rcu::testing::ScopedSkipGracePeriods> skip;
  if (kSkip) skip.emplace();
  rcu::Arc<Aged> keep = rcu::Arc<Aged>::make();
  Rcu<rcu::Arc<Aged>> x(keep.clone());
  Atomic<int> dereferenced(0, "dereferenced");
  RunThreads({[&] {
                rcu::Guard g = rcu::read_lock();
                Borrow<Aged> b = *x.dereference(g);
                dereferenced.store(1, std::memory_order_release);
                for (int i = 0; i < 16; ++i) yield_point("reader_busy", {"object", 0});
                b->age.check("object", 0);
              },
              [&] {
                wait_until([&] { return dereferenced.load(std::memory_order_acquire) == 1; });
                std::optional<RcuOld<rcu::Arc<Aged>>> old = x.replace(rcu::Arc<Aged>::make());
                old->get()->age.retire();
                if (kDeferred) {
                  std::move(*old).defer_free();
                  rcu::synchronize_rcu();
                } else {
                  old.reset();
                }
              }});
  rcu::rcu_barrier();
}

RACEFUZZ_CANARY(rcu_grace_period_too_short,
                {
                    .clause = "a reader never sees an object a full grace period after its "
                              "retirement (rcutorture age oracle)",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-grace-period-too-short",
                               "T0 reads object 0, retired 1 full grace period(s) ago",
                               "racefuzz timeline", "T1 rcu_gp_end", "T0 reader_busy object 0",
                               "SUMMARY: racefuzz: rcu-grace-period-too-short"},
                    .violate = [] { AgeOracle<true, false>(); },
                    .clean = [] { AgeOracle<false, false>(); },
                });

RACEFUZZ_CANARY(rcu_call_rcu_grace_period_too_short,
                {
                    .clause = "call_rcu callbacks run only after readers finish (age oracle)",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-grace-period-too-short",
                               "T0 reads object 0, retired 1 full grace period(s) ago",
                               "racefuzz timeline", "T1 rcu_callback",
                               "SUMMARY: racefuzz: rcu-grace-period-too-short"},
                    .violate = [] { AgeOracle<true, true>(); },
                    .clean = [] { AgeOracle<false, true>(); },
                });

// Publishing with a Relaxed store (WRITE_ONCE instead of rcu_assign_pointer): the reader's read of
// the new object races with its initialization.
template <bool kRelaxed>
void Publish() {
  std::optional<rcu::testing::ScopedRelaxedPublish> relaxed;
  if (kRelaxed) relaxed.emplace();
  Rcu<KBox<int>> x(nullptr, 7);
  RunThreads({[&] { (void)x.replace(KBox<int>::make(42)); },
              [&] {
                for (;;) {
                  rcu::Guard g = rcu::read_lock();
                  std::optional<Borrow<int>> v = x.dereference(g);
                  if (!v.has_value()) continue;
                  if (**v != 42) std::abort();
                  break;
                }
              }});
}

RACEFUZZ_CANARY(rcu_relaxed_publish,
                {
                    .clause = "dereference pairs with the Release store of copy_update: a Relaxed "
                              "publish races on the new object's initialization (TSan)",
                    .builds = kTsan,
                    .expect = {"WARNING: ThreadSanitizer: data race", "Previous write",
                               "KBox<int>::make", "racefuzz timeline",
                               "T0 rcu_assign_pointer rcu 7", "T1 rcu_dereference rcu 7",
                               "SUMMARY: ThreadSanitizer: data race"},
                    .violate = [] { Publish<true>(); },
                    .clean = [] { Publish<false>(); },
                });

// Two updaters without the exclusive access copy_update requires.
template <bool kSerialized>
void TwoUpdaters() {
  Rcu<KBox<int>> x(KBox<int>::make(0), 3);
  Mutex updater("updater");
  auto update = [&] {
    std::optional<Guard<Mutex>> lock;
    if (kSerialized) lock.emplace(updater);
    std::optional<RcuOld<KBox<int>>> old =
        x.copy_update([](const int* v) { return std::optional(KBox<int>::make(*v + 1)); });
    lock.reset();
  };
  RunThreads({update, update});
}

RACEFUZZ_CANARY(rcu_concurrent_updaters,
                {
                    .clause = "copy_update needs exclusive access (two updaters would double free)",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-concurrent-updaters",
                               "T1 updates rcu 3 while T0 is updating it", "racefuzz timeline",
                               "T0 rcu_copy_update rcu 3",
                               "SUMMARY: racefuzz: rcu-concurrent-updaters"},
                    .violate = [] { TwoUpdaters<false>(); },
                    .clean = [] { TwoUpdaters<true>(); },
                });

// A borrow used after its guard was dropped.
template <bool kAfterGuard>
void BorrowUse() {
  Rcu<KBox<int>> x(KBox<int>::make(5), 1);
  RunThreads({[&] {
                rcu::Guard g = rcu::read_lock();
                Borrow<int> v = *x.dereference(g);
                if (!kAfterGuard && *v != 5) std::abort();
                g.unlock();
                yield_point("after_unlock");
                if (kAfterGuard && *v != 5) std::abort();
              },
              [&] { (void)x.replace(KBox<int>::make(6)); }});
}

RACEFUZZ_CANARY(rcu_borrow_after_guard,
                {
                    .clause = "a borrow from dereference is valid only while its guard lives",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-borrow-after-guard",
                               "T0 uses a borrow from rcu dereference after T0's read-side",
                               "racefuzz timeline", "T0 rcu_read_unlock",
                               "SUMMARY: racefuzz: rcu-borrow-after-guard"},
                    .violate = [] { BorrowUse<true>(); },
                    .clean = [] { BorrowUse<false>(); },
                });

// A guard released on another thread (the Rust Guard is NotThreadSafe).
template <bool kOtherThread>
void GuardHandOff() {
  std::optional<rcu::Guard> guard;
  Atomic<int> taken(0, "taken");
  RunThreads({[&] {
                guard.emplace(rcu::read_lock());
                taken.store(1, std::memory_order_release);
                if (!kOtherThread) guard.reset();
              },
              [&] {
                wait_until([&] { return taken.load(std::memory_order_acquire) == 1; });
                if (kOtherThread) guard.reset();
              }});
}

RACEFUZZ_CANARY(rcu_guard_other_thread,
                {
                    .clause = "an RCU read guard is released by the thread that took it",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-guard-other-thread",
                               "T1 releases an RCU read guard taken by T0", "racefuzz timeline",
                               "T0 rcu_read_lock", "SUMMARY: racefuzz: rcu-guard-other-thread"},
                    .violate = [] { GuardHandOff<true>(); },
                    .clean = [] { GuardHandOff<false>(); },
                });

// Dropping an RcuOld (which calls synchronize_rcu) inside a read-side critical section.
template <bool kInside>
void DropOldInReadSide() {
  Rcu<KBox<int>> x(KBox<int>::make(1), 2);
  RunThreads({[&] {
                rcu::Guard g = rcu::read_lock();
                std::optional<RcuOld<KBox<int>>> old = x.replace(KBox<int>::make(2));
                if (!kInside) g.unlock();
                old.reset();
              },
              [&] {
                rcu::Guard g = rcu::read_lock();
                (void)x.dereference(g);
              }});
}

RACEFUZZ_CANARY(rcu_synchronize_in_read_side,
                {
                    .clause = "RcuOld::drop / synchronize_rcu must not be called inside a "
                              "read-side critical section (it would deadlock)",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-synchronize-in-read-side",
                               "T0 calls synchronize_rcu inside its own RCU read-side critical "
                               "section",
                               "racefuzz timeline", "T0 rcu_read_lock",
                               "SUMMARY: racefuzz: rcu-synchronize-in-read-side"},
                    .violate = [] { DropOldInReadSide<true>(); },
                    .clean = [] { DropOldInReadSide<false>(); },
                });

// rcu_barrier from an RCU callback: it would wait for the callback that calls it.
template <bool kFromCallback>
void BarrierInCallback() {
  int ran = 0;
  RunThreads({[&] {
    rcu::call_rcu([&] {
      if (kFromCallback) {
        rcu::rcu_barrier();
      } else {
        rcu::call_rcu([&] { ++ran; });  // queuing more work from a callback is fine
      }
    });
    rcu::rcu_barrier();
  }});
  if (!kFromCallback && ran != 1) std::abort();
}

RACEFUZZ_CANARY(rcu_barrier_in_callback,
                {
                    .clause = "rcu_barrier must not be called from an RCU callback (it would "
                              "wait for itself)",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-barrier-in-callback",
                               "T0 calls rcu_barrier from an RCU callback", "racefuzz timeline",
                               "T0 rcu_callback", "SUMMARY: racefuzz: rcu-barrier-in-callback"},
                    .violate = [] { BarrierInCallback<true>(); },
                    .clean = [] { BarrierInCallback<false>(); },
                });

}  // namespace
}  // namespace racefuzz::canary
