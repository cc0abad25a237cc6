// Canaries for the update side of Rcu<P> (core/rcu/rcu.h): dereference_protected and
// replace_pointer check their protection (the kernel's rcu_dereference_protected(p,
// lockdep_is_held(&lock))), each with a clean twin that holds the lock.
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

}  // namespace
}  // namespace racefuzz::canary
