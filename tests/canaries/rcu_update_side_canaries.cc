// Canaries for the update side of Rcu<P> (core/rcu/rcu.h): dereference_protected and
// replace_pointer check their protection (the kernel's rcu_dereference_protected(p,
// lockdep_is_held(&lock))), with a clean twin that holds the lock; a lockless xchg overlapping a
// copy_update is reported, with a clean twin where every updater publishes by xchg.
#include <optional>

#include "core/rcu/rcu.h"
#include "core/sched/sync.h"
#include "tests/canaries/canary.h"

namespace racefuzz::canary {
namespace {

using rcu::KBox;
using rcu::Rcu;
using rcu::RcuOld;

// T0 replaces the object under the update lock; T1 reads it on the update side. Violating: T1
// does not take the lock (T0 may hold it: a lock held by another thread protects nothing here).
template <bool kHeld>
void ProtectedDereference() {
  Rcu<KBox<int>> x(KBox<int>::make(1), 3);
  Mutex update_lock("update_lock");
  RunThreads({[&] {
                std::optional<RcuOld<KBox<int>>> old;
                {
                  Guard<Mutex> lock(update_lock);
                  old = x.replace_pointer(KBox<int>::make(2), lockdep_is_held(update_lock));
                }
                old.reset();
              },
              [&] {
                std::optional<Guard<Mutex>> lock;
                if (kHeld) lock.emplace(update_lock);
                const int* p = x.dereference_protected(lockdep_is_held(update_lock));
                if (p == nullptr || (*p != 1 && *p != 2)) std::abort();
              }});
}

RACEFUZZ_CANARY(rcu_dereference_protected_without_lock,
                {
                    .clause = "rcu_dereference_protected / rcu_replace_pointer only with their "
                              "protection true: the update-side lock held by the calling thread",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-dereference-unprotected",
                               "T1 calls rcu_dereference_protected on rcu#3 with its protection "
                               "false",
                               "racefuzz timeline",
                               "SUMMARY: racefuzz: rcu-dereference-unprotected"},
                    .violate = [] { ProtectedDereference<false>(); },
                    .clean = [] { ProtectedDereference<true>(); },
                });

int g_published = 0;  // external linkage: the reader's read is not optimized away

// T0 and T1 publish new objects without a lock; a reader dereferences. Violating: T0 updates with
// copy_update (read, then store: its read-to-store window is open across the yield in `f`), T1
// with xchg, which lands inside the window. The twin: both publish with xchg, each one atomic
// exchange, so each gets its own old object.
template <bool kMixed>
void LocklessPublish() {
  Rcu<KBox<int>> x(KBox<int>::make(1), 4);
  RunThreads({[&] {
                std::optional<RcuOld<KBox<int>>> old;
                if (kMixed) {
                  old = x.copy_update([](const int*) {
                    yield_point("compute_next");
                    return std::optional<KBox<int>>(KBox<int>::make(2));
                  });
                } else {
                  old = x.xchg(KBox<int>::make(2));
                }
              },
              [&] { std::optional<RcuOld<KBox<int>>> old = x.xchg(KBox<int>::make(3)); },
              [&] {
                rcu::Guard g = rcu::read_lock();
                // Reads the object it finds: TSan checks that its publish ordered its
                // initialization.
                if (auto b = x.dereference(g)) g_published = **b;
              }});
}

RACEFUZZ_CANARY(rcu_xchg_during_copy_update,
                {
                    .clause = "Rcu::xchg (the kernel's lockless xchg publish) never overlaps a "
                              "copy_update / replace / replace_pointer of the same pointer",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: rcu-concurrent-updaters",
                               "T1 xchg's rcu#4 while T0 is updating it with copy_update",
                               "racefuzz timeline", "T0 rcu_copy_update rcu#4", "T1 rcu_xchg rcu#4",
                               "SUMMARY: racefuzz: rcu-concurrent-updaters"},
                    .violate = [] { LocklessPublish<true>(); },
                    .clean = [] { LocklessPublish<false>(); },
                });

}  // namespace
}  // namespace racefuzz::canary
