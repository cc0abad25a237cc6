// Canaries for the RCU model (core/rcu): one per clause of rust/kernel/sync/rcu.rs (seed 004) and
// of call_rcu, each with its clean twin. Runs are round-robin at every yield point. In a run, the
// grace-period kthread takes the next thread id after the canary's threads, and each queue's rcuo
// kthread the one after it (T2 and T3 with two threads).
#include <cstdint>
#include <optional>
#include <utility>

#include "core/rcu/rcu.h"
#include "core/rcu/torture.h"
#include "core/sched/round_robin_schedule.h"
#include "core/sched/scheduler.h"
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

// A reader keeps the object it dereferenced while an updater replaces it and frees the old one
// after a grace period (RcuOld's drop: synchronize_rcu, then the free; or, `kDeferred`, kfree_rcu's
// callback). The violation is the client's, on the real path: the reader keeps the pointer past
// its read-side critical section, waits for the free, and uses the object (`use`). The clean twin
// uses it inside its section, busy for a while, as the updater frees: only the grace period keeps
// the free out of the section, so a library that skips it
// (bench/planted/rcu-old-no-grace-period.patch) turns the twin red. `retired` runs on the old
// object right after the unpublish.
template <bool kKeptPastSection, bool kDeferred, typename P, typename Use, typename Retired>
void KeepPastSection(Rcu<P>& x, P replacement, Use use, Retired retired) {
  Atomic<int> dereferenced(0, "dereferenced");
  Atomic<int> freed(0, "freed");
  RunThreads({[&] {
                std::optional<rcu::Guard> g(rcu::read_lock());
                const auto* p = x.dereference(*g)->get();
                dereferenced.store(1, std::memory_order_release);
                if (kKeptPastSection) {
                  g.reset();  // the section ends: p is no longer protected
                  wait_until([&] { return freed.load(std::memory_order_acquire) == 1; },
                             "wait_freed");
                } else {
                  for (int i = 0; i < 16; ++i) yield_point("reader_busy", {"object", 0});
                }
                use(p);
              },
              [&] {
                wait_until([&] { return dereferenced.load(std::memory_order_acquire) == 1; });
                std::optional<RcuOld<P>> old = x.replace(std::move(replacement));
                retired(*old);
                if (kDeferred) {
                  std::move(*old).defer_free();  // kfree_rcu: freed by a callback
                  rcu::rcu_barrier();            // which has run when the barrier returns
                } else {
                  old.reset();  // synchronize_rcu, then free
                }
                freed.store(1, std::memory_order_release);
              }});
  rcu::rcu_barrier();
}

template <bool kKeptPastSection, bool kDeferred>
void FreeDuringReader() {
  Rcu<KBox<int>> x(KBox<int>::make(100));
  KeepPastSection<kKeptPastSection, kDeferred>(
      x, KBox<int>::make(101),
      [](const int* p) {
        if (ReadRaw(p) != 100) std::abort();
      },
      [](RcuOld<KBox<int>>&) {});
}

RACEFUZZ_CANARY(rcu_pointer_kept_past_section_asan,
                {
                    .clause = "RcuOld::drop waits for synchronize_rcu() before freeing; a pointer "
                              "kept past its read-side critical section is used after the free "
                              "(ASan)",
                    .builds = kAsan,
                    .expect = {"ERROR: AddressSanitizer: heap-use-after-free", "ReadRaw",
                               "racefuzz: the access by T0; the heap block [0x",
                               ") allocated before this run, freed by T1\n", "racefuzz timeline",
                               "T2 rcu_gp_end", "SUMMARY: AddressSanitizer: heap-use-after-free"},
                    .violate = [] { FreeDuringReader<true, false>(); },
                    .clean = [] { FreeDuringReader<false, false>(); },
                });

RACEFUZZ_CANARY(rcu_call_rcu_pointer_kept_past_section_asan,
                {
                    .clause = "call_rcu/kfree_rcu frees only after a grace period; a pointer kept "
                              "past its read-side critical section is used after the callback's "
                              "free (ASan)",
                    .builds = kAsan,
                    .expect = {"ERROR: AddressSanitizer: heap-use-after-free", "ReadRaw",
                               "racefuzz: the access by T0; the heap block [0x",
                               ") allocated before this run, freed by T3\n", "racefuzz timeline",
                               "T3 rcu_callback", "SUMMARY: AddressSanitizer: heap-use-after-free"},
                    .violate = [] { FreeDuringReader<true, true>(); },
                    .clean = [] { FreeDuringReader<false, true>(); },
                });

RACEFUZZ_CANARY(rcu_pointer_kept_past_section_tsan,
                {
                    .clause = "RcuOld::drop waits for synchronize_rcu() before freeing; a pointer "
                              "kept past its read-side critical section is used after the free "
                              "(TSan)",
                    .builds = kTsan,
                    .expect = {"WARNING: ThreadSanitizer: heap-use-after-free", "ReadRaw",
                               "racefuzz timeline", "T2 rcu_gp_end",
                               "SUMMARY: ThreadSanitizer: heap-use-after-free"},
                    .violate = [] { FreeDuringReader<true, false>(); },
                    .clean = [] { FreeDuringReader<false, false>(); },
                });

RACEFUZZ_CANARY(rcu_call_rcu_pointer_kept_past_section_tsan,
                {
                    .clause = "call_rcu/kfree_rcu frees only after a grace period; a pointer kept "
                              "past its read-side critical section is used after the callback's "
                              "free (TSan)",
                    .builds = kTsan,
                    .expect = {"WARNING: ThreadSanitizer: heap-use-after-free", "ReadRaw",
                               "racefuzz timeline", "T3 rcu_callback",
                               "SUMMARY: ThreadSanitizer: heap-use-after-free"},
                    .violate = [] { FreeDuringReader<true, true>(); },
                    .clean = [] { FreeDuringReader<false, true>(); },
                });

// The age oracle (rcutorture's pipe count): the object stays allocated (another Arc reference
// keeps it), so the oracle, not ASan, sees a reader holding an object a full grace period after its
// retirement: the reader checks the age past its section, after the updater's grace period (the
// violation), or inside it while the updater waits for it (the twin).
struct Aged {
  int value = 0;
  rcu::TortureAge age;
};

template <bool kKeptPastSection, bool kDeferred>
void AgeOracle() {
  rcu::Arc<Aged> keep = rcu::Arc<Aged>::make();
  Rcu<rcu::Arc<Aged>> x(keep.clone());
  KeepPastSection<kKeptPastSection, kDeferred>(
      x, rcu::Arc<Aged>::make(), [](const Aged* p) { p->age.check("object", 0); },
      [](RcuOld<rcu::Arc<Aged>>& old) { old.get()->age.retire(); });
}

RACEFUZZ_CANARY(rcu_age_oracle_kept_past_section,
                {
                    .clause = "a reader never sees an object a full grace period after its "
                              "retirement (rcutorture age oracle)",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-grace-period-too-short",
                               "T0 reads object 0, retired 1 full grace period(s) ago",
                               "racefuzz timeline", "T2 rcu_gp_end", "T0 atomic_load freed#0",
                               "SUMMARY: racefuzz: rcu-grace-period-too-short"},
                    .violate = [] { AgeOracle<true, false>(); },
                    .clean = [] { AgeOracle<false, false>(); },
                });

RACEFUZZ_CANARY(rcu_call_rcu_age_oracle_kept_past_section,
                {
                    .clause = "call_rcu callbacks run only after readers finish (age oracle)",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-grace-period-too-short",
                               "T0 reads object 0, retired 1 full grace period(s) ago",
                               "racefuzz timeline", "T3 rcu_callback", "T0 atomic_load freed#0",
                               "SUMMARY: racefuzz: rcu-grace-period-too-short"},
                    .violate = [] { AgeOracle<true, true>(); },
                    .clean = [] { AgeOracle<false, true>(); },
                });

// The polled grace-period API with a cookie one grace period early, on the real path (issue 11):
// the updater takes its cookie, a grace period ends, a reader enters and dereferences the object,
// the updater unpublishes it and frees it with reset_after(cookie), whose cond_synchronize_rcu
// returns at once. The age oracle reports the free while the reader still holds the object, before
// any use after free (a count of grace periods since the unpublish is 0 here as for a correct
// free). The clean twin takes its cookie after the unpublish, so reset_after waits for the reader.
template <bool kEarlyCookie>
void PolledFree() {
  Rcu<KBox<int>> x(KBox<int>::make(100), 8);
  Atomic<int> grace_period_done(0, "grace_period_done");
  Atomic<int> dereferenced(0, "dereferenced");
  RunThreads({[&] {
                wait_until([&] { return grace_period_done.load(std::memory_order_acquire) == 1; });
                rcu::Guard g = rcu::read_lock();
                Borrow<int> b = *x.dereference(g);
                dereferenced.store(1, std::memory_order_release);
                for (int i = 0; i < 16; ++i) yield_point("reader_busy", {"object", 100});
                if (*b != 100) std::abort();
              },
              [&] {
                uint64_t cookie = rcu::get_state_synchronize_rcu();
                rcu::synchronize_rcu();
                grace_period_done.store(1, std::memory_order_release);
                wait_until([&] { return dereferenced.load(std::memory_order_acquire) == 1; });
                std::optional<RcuOld<KBox<int>>> old = x.replace(KBox<int>::make(101));
                if (!kEarlyCookie) cookie = rcu::get_state_synchronize_rcu();
                old->reset_after(cookie);
              }});
}

RACEFUZZ_CANARY(rcu_polled_cookie_one_grace_period_early,
                {
                    .clause = "an object is freed only after a grace period that began after its "
                              "unpublish: a cond_synchronize_rcu cookie taken before the unpublish "
                              "is one grace period early (age oracle at the free)",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-grace-period-too-short",
                               "T1 frees an object while T0 is still inside the read-side critical "
                               "section it was in at its unpublish",
                               "racefuzz timeline", "T0 rcu_dereference rcu#8",
                               "T1 rcu_copy_update rcu#8", "T1 cond_synchronize_rcu",
                               "SUMMARY: racefuzz: rcu-grace-period-too-short"},
                    .violate = [] { PolledFree<true>(); },
                    .clean = [] { PolledFree<false>(); },
                });

// Publishing an object to readers: copy_update's Release store orders the object's initialization
// before any reader that sees the new pointer (the clean twin: initialized, then published, read
// with no report; it would report the race if the store were not Release, the planted bug
// rcu-publish-relaxed). Writing the object after publishing it is a client's bug of the same class
// as WRITE_ONCE instead of rcu_assign_pointer: nothing orders that write before the reader's read.
template <bool kWriteAfterPublish>
void Publish() {
  Rcu<KBox<int>> x(nullptr, 7);
  RunThreads({[&] {
                KBox<int> fresh = KBox<int>::make(kWriteAfterPublish ? 0 : 42);
                int* object = fresh.get();
                (void)x.replace(std::move(fresh));
                if (kWriteAfterPublish) *object = 42;
              },
              [&] {
                for (;;) {
                  rcu::Guard g = rcu::read_lock();
                  std::optional<Borrow<int>> v = x.dereference(g);
                  if (!v.has_value()) continue;
                  if (ReadRaw(v->get()) != 42 && !kWriteAfterPublish) std::abort();
                  break;
                }
              }});
}

RACEFUZZ_CANARY(rcu_relaxed_publish,
                {
                    .clause = "dereference pairs with the Release store of copy_update: only what "
                              "was written before the publish is ordered before the reader (TSan)",
                    .builds = kTsan,
                    .expect = {"WARNING: ThreadSanitizer: data race", "Read of size 4 at",
                               "#0 racefuzz::canary::(anonymous namespace)::ReadRaw(",
                               "Previous write of size 4 at",
                               "#0 void racefuzz::canary::(anonymous namespace)::Publish<true>()",
                               "Location is heap block of size 4", "KBox<int>::make",
                               "racefuzz timeline", "T0 rcu_assign_pointer rcu#7",
                               "T1 rcu_dereference rcu#7", "SUMMARY: ThreadSanitizer: data race"},
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
                               "T1 updates rcu#3 while T0 is updating it", "racefuzz timeline",
                               "T0 rcu_copy_update rcu#3",
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
                               "T0 uses a borrow from rcu dereference after the T0 read guard it "
                               "was taken under was dropped; the read-side critical section has "
                               "ended",
                               "racefuzz timeline", "T0 rcu_read_unlock",
                               "SUMMARY: racefuzz: rcu-borrow-after-guard"},
                    .violate = [] { BorrowUse<true>(); },
                    .clean = [] { BorrowUse<false>(); },
                });

// A borrow taken under the inner one of two nested guards, used after the inner guard is dropped:
// the outer guard keeps the section (and the object) alive, but the borrow's lifetime is its own
// guard's. The clean twin borrows under the outer guard.
template <bool kThroughInner>
void NestedBorrowUse() {
  Rcu<KBox<int>> x(KBox<int>::make(5), 5);
  RunThreads({[&] {
                rcu::Guard outer = rcu::read_lock();
                std::optional<Borrow<int>> v;
                {
                  rcu::Guard inner = rcu::read_lock();
                  v = x.dereference(kThroughInner ? inner : outer);
                }
                yield_point("after_inner_unlock");
                const int seen = **v;  // the old object or the new one, still alive
                if (seen != 5 && seen != 6) std::abort();
              },
              [&] { (void)x.replace(KBox<int>::make(6)); }});
}

RACEFUZZ_CANARY(rcu_borrow_after_inner_guard,
                {
                    .clause = "a borrow from dereference is valid only while its own guard lives, "
                              "even if an outer guard keeps the read-side critical section open",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-borrow-after-guard",
                               "T0 uses a borrow from rcu dereference after the T0 read guard it "
                               "was taken under was dropped; the read-side critical section is "
                               "still open (an outer guard holds it)",
                               "racefuzz timeline", "T0 rcu_read_unlock", "T0 after_inner_unlock",
                               "SUMMARY: racefuzz: rcu-borrow-after-guard"},
                    .violate = [] { NestedBorrowUse<true>(); },
                    .clean = [] { NestedBorrowUse<false>(); },
                });

// A simulated thread that exits inside its read-side critical section (a Guard leaked with new):
// without the check, the updater's grace period would wait for it forever (a deadlock report that
// blames the updater).
template <bool kLeak>
void GuardLeakedByThread() {
  Rcu<KBox<int>> x(KBox<int>::make(1), 4);
  RunThreads({[&] {
                auto* g = new rcu::Guard(rcu::read_lock());
                (void)x.dereference(*g);
                if (!kLeak) delete g;
              },
              [&] { (void)x.replace(KBox<int>::make(2)); }});
}

RACEFUZZ_CANARY(
    rcu_guard_leaked_at_thread_exit,
    {
        .clause = "a thread must not exit inside an RCU read-side critical section "
                  "(every guard is dropped before its thread finishes)",
        .builds = kAll,
        .expect = {"ERROR: racefuzz: contract violation: rcu-guard-leaked",
                   "T0 exited inside an RCU read-side critical section: 1 read guard(s) "
                   "taken there were never dropped",
                   "racefuzz timeline", "T0 rcu_dereference rcu#4",
                   "SUMMARY: racefuzz: rcu-guard-leaked"},
        .violate = [] { GuardLeakedByThread<true>(); },
        .clean = [] { GuardLeakedByThread<false>(); },
    });

// The run's setup code (no simulated thread) keeps a guard past the end of the run: the next
// run's grace period would wait for it forever. The clean twin drops it before the threads run;
// both then run a second input whose grace period must complete.
template <bool kLeak>
void GuardLeakedBySetup() {
  Rcu<KBox<int>> x(KBox<int>::make(1), 6);
  std::optional<rcu::Guard> setup_guard;
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [&] {
    setup_guard.emplace(rcu::read_lock());
    (void)x.dereference(*setup_guard);
    if (!kLeak) setup_guard.reset();
    spawn([&] {
      rcu::Guard g = rcu::read_lock();
      (void)x.dereference(g);
    });
  });
  RunThreads({[&] { (void)x.replace(KBox<int>::make(2)); }});
}

RACEFUZZ_CANARY(rcu_guard_leaked_at_run_end,
                {
                    .clause = "code outside the simulated threads must not hold an RCU read guard "
                              "when the run ends (the next run would wait for it)",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-guard-leaked",
                               "the run ended with code outside the simulated threads (the run's "
                               "setup) inside an RCU read-side critical section: 1 read guard(s)",
                               "racefuzz timeline", "T0 rcu_read_unlock",
                               "SUMMARY: racefuzz: rcu-guard-leaked"},
                    .violate = [] { GuardLeakedBySetup<true>(); },
                    .clean = [] { GuardLeakedBySetup<false>(); },
                });

// A guard released on another thread (the Rust Guard is NotThreadSafe). The thread that took it
// waits for the hand-off, so it does not exit inside its section first ("rcu-guard-leaked").
template <bool kOtherThread>
void GuardHandOff() {
  std::optional<rcu::Guard> guard;
  Atomic<int> taken(0, "taken");
  Atomic<int> released(0, "released");
  RunThreads({[&] {
                guard.emplace(rcu::read_lock());
                taken.store(1, std::memory_order_release);
                if (!kOtherThread) guard.reset();
                wait_until([&] { return released.load(std::memory_order_acquire) == 1; });
              },
              [&] {
                wait_until([&] { return taken.load(std::memory_order_acquire) == 1; });
                if (kOtherThread) guard.reset();
                released.store(1, std::memory_order_release);
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
                               "T2 calls rcu_barrier from an RCU callback", "racefuzz timeline",
                               "T2 rcu_callback", "SUMMARY: racefuzz: rcu-barrier-in-callback"},
                    .violate = [] { BarrierInCallback<true>(); },
                    .clean = [] { BarrierInCallback<false>(); },
                });

// synchronize_rcu from an RCU callback: callbacks run in softirq-like context, where nothing may
// wait for a grace period (it would re-enter the callback runner). The clean twin only frees.
template <bool kSynchronize>
void SynchronizeInCallback() {
  RunThreads({[&] {
    rcu::call_rcu([box = KBox<int>::make(1)]() mutable {
      if (kSynchronize) rcu::synchronize_rcu();
      // SAFETY: a grace period has elapsed since call_rcu, and `box` was never published.
      KBox<int> dropped = std::move(box);
    });
    rcu::rcu_barrier();
  }});
}

RACEFUZZ_CANARY(rcu_synchronize_in_callback,
                {
                    .clause = "an RCU callback must not block: no synchronize_rcu (nor RcuOld/Rcu "
                              "drop) from a callback",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-synchronize-in-callback",
                               "T2 calls synchronize_rcu from an RCU callback: callbacks run in "
                               "softirq-like context and must not block",
                               "racefuzz timeline", "T2 rcu_callback",
                               "SUMMARY: racefuzz: rcu-synchronize-in-callback"},
                    .violate = [] { SynchronizeInCallback<true>(); },
                    .clean = [] { SynchronizeInCallback<false>(); },
                });

// The requirements' memory-barrier guarantee 2, their lock-free flag example: a read-side section
// that ends after synchronize_rcu() returned began after everything the updater did before calling
// it, so a flag written before the call is seen, with no race, by a reader that does not go through
// an RCU pointer. The violation writes the flag after synchronize_rcu() instead: nothing orders it
// before the reader. (The clean twin was a false TSan race while no edge gave guarantee 2.)
int g_flag = 0;

template <bool kFlagAfter>
void FlagAroundSynchronize() {
  g_flag = 0;
  Atomic<int> returned(0, "returned");
  RunThreads({[&] {
                for (;;) {
                  rcu::Guard g = rcu::read_lock();
                  if (returned.load(std::memory_order_relaxed) == 1) {
                    if (g_flag != 1) std::abort();
                    break;
                  }
                }
              },
              [&] {
                if (!kFlagAfter) g_flag = 1;
                rcu::synchronize_rcu();
                if (kFlagAfter) g_flag = 1;
                returned.store(1, std::memory_order_relaxed);
              }});
}

RACEFUZZ_CANARY(rcu_flag_before_synchronize_rcu,
                {
                    .clause = "a read-side section that ends after synchronize_rcu() returned "
                              "began after everything the updater did before calling it",
                    .builds = kTsan,
                    .expect = {"WARNING: ThreadSanitizer: data race", "FlagAroundSynchronize",
                               "racefuzz timeline", "T2 rcu_gp_end",
                               "SUMMARY: ThreadSanitizer: data race"},
                    .violate = [] { FlagAroundSynchronize<true>(); },
                    .clean = [] { FlagAroundSynchronize<false>(); },
                });

// Guarantee 1, exactly: a grace period orders before its waiter only the sections it waited for.
// T1 holds the grace period up (its section waits for T0). In the violation, T0's section begins
// after the grace period recorded T0's quiescent state and ends before the updater (T2) returns;
// it reads what the updater writes after the grace period: a race the kernel does not order, which
// a grace period that acquired every reader slot's last section hid. In the clean twin, T0's
// section began before synchronize_rcu() was called: waited for, so ordered before its return.
int g_after_gp = 0;

template <bool kReaderAfterStart>
void ReaderAroundGracePeriodStart() {
  g_after_gp = 0;
  Atomic<int> calling(0, "calling");
  Atomic<int> reader_in(0, "reader_in");
  Atomic<int> reader_done(0, "reader_done");
  Atomic<int> holder_in(0, "holder_in");
  RunThreads({[&] {
                {
                  rcu::Guard warm_up = rcu::read_lock();
                }
                if (kReaderAfterStart) {
                  wait_until([&] { return calling.load(std::memory_order_relaxed) == 1; });
                  for (int i = 0; i < 8; ++i) yield_point("reader_busy");
                }
                rcu::Guard g = rcu::read_lock();
                reader_in.store(1, std::memory_order_relaxed);
                if (!kReaderAfterStart) {
                  wait_until([&] { return calling.load(std::memory_order_relaxed) == 1; });
                }
                if (g_after_gp != 0) std::abort();
                g.unlock();
                reader_done.store(1, std::memory_order_relaxed);
              },
              [&] {
                rcu::Guard g = rcu::read_lock();
                holder_in.store(1, std::memory_order_relaxed);
                wait_until([&] { return reader_done.load(std::memory_order_relaxed) == 1; });
              },
              [&] {
                wait_until([&] {
                  return holder_in.load(std::memory_order_relaxed) == 1 &&
                         (kReaderAfterStart || reader_in.load(std::memory_order_relaxed) == 1);
                });
                calling.store(1, std::memory_order_relaxed);
                rcu::synchronize_rcu();
                g_after_gp = 1;
              }});
}

RACEFUZZ_CANARY(rcu_reader_after_grace_period_start_not_ordered,
                {
                    .clause = "a grace period orders before its return only the read-side "
                              "sections it waited for (those that began before it started)",
                    .builds = kTsan,
                    .expect = {"WARNING: ThreadSanitizer: data race",
                               "ReaderAroundGracePeriodStart", "racefuzz timeline", "T3 rcu_gp_end",
                               "SUMMARY: ThreadSanitizer: data race"},
                    .violate = [] { ReaderAroundGracePeriodStart<true>(); },
                    .clean = [] { ReaderAroundGracePeriodStart<false>(); },
                });

}  // namespace
}  // namespace racefuzz::canary
