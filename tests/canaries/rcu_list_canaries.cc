// Canaries for RCU lists (core/rcu/list.h): a traversal outside any reader and without the update
// side's protection is reported; an entry freed right after list_del_rcu, without a grace period,
// is a use after free of the reader standing on it. Each with its clean twin.
#include "core/rcu/grace_period.h"
#include "core/rcu/list.h"
#include "core/sched/sync.h"
#include "tests/canaries/canary.h"

namespace racefuzz::canary {
namespace {

struct Entry : rcu::list_head {
  explicit Entry(int k) : key(k) {}
  int key;
};

// External linkage, so the reads below are not optimized away.
int g_list_sum = 0;

// T0 sums the list; T1 adds to it under the update lock. Violating: T0 traverses with neither a
// read guard nor the lock. The twin traverses once as a reader and once under the lock (cond).
template <bool kReader>
void Traverse() {
  rcu::list_head items;
  SpinLock items_lock("items_lock");
  Entry a(1), b(2);
  rcu::list_add_rcu(&a, &items);
  RunThreads({[&] {
                if (kReader) {
                  {
                    rcu::Guard g = rcu::read_lock();
                    for (Entry* e : rcu::list_for_each_entry_rcu<Entry>(&items))
                      g_list_sum += e->key;
                  }
                  Guard<SpinLock> lock(items_lock);
                  for (Entry* e :
                       rcu::list_for_each_entry_rcu<Entry>(&items, lockdep_is_held(items_lock))) {
                    g_list_sum += e->key;
                  }
                } else {
                  for (Entry* e : rcu::list_for_each_entry_rcu<Entry>(&items)) g_list_sum += e->key;
                }
              },
              [&] {
                Guard<SpinLock> lock(items_lock);
                rcu::list_add_tail_rcu(&b, &items);
              }});
}

RACEFUZZ_CANARY(rcu_list_traversed_outside_reader,
                {
                    .clause = "list_for_each_entry_rcu / hlist_for_each_entry_rcu only inside a "
                              "read-side critical section or with the update side's protection",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: "
                               "rcu-list-traversed-outside-reader",
                               "T0 runs list_for_each_entry_rcu outside any RCU read-side "
                               "critical section",
                               "racefuzz timeline",
                               "SUMMARY: racefuzz: rcu-list-traversed-outside-reader"},
                    .violate = [] { Traverse<false>(); },
                    .clean = [] { Traverse<true>(); },
                });

// T0 stands on entry b while T1 unlinks and frees it. Violating: T1 frees right after
// list_del_rcu; the twin waits for a grace period first.
template <bool kGracePeriod>
void DeleteThenFree() {
  rcu::hlist_head bucket;
  struct HEntry : rcu::hlist_node {
    explicit HEntry(int k) : key(k) {}
    int key;
  };
  auto* a = new HEntry(1);
  auto* b = new HEntry(2);
  rcu::hlist_add_head_rcu(a, &bucket);
  rcu::hlist_add_head_rcu(b, &bucket);  // bucket: b, a
  SpinLock bucket_lock("bucket_lock");
  Atomic<int> on_b(0, "on_b");
  RunThreads({[&] {
                rcu::Guard g = rcu::read_lock();
                for (HEntry* e : rcu::hlist_for_each_entry_rcu<HEntry>(&bucket)) {
                  if (e->key == 2) {
                    on_b.store(1);
                    for (int i = 0; i < 8; ++i) yield_point("reader_busy");
                  }
                  g_list_sum += e->key;  // b's key: a use after free if it was freed
                }
              },
              [&] {
                wait_until([&] { return on_b.load() == 1; });
                {
                  Guard<SpinLock> lock(bucket_lock);
                  rcu::hlist_del_rcu(b);
                }
                if (kGracePeriod) rcu::synchronize_rcu();
                delete b;
              }});
  delete a;
}

RACEFUZZ_CANARY(rcu_list_del_free_without_grace_period,
                {
                    .clause = "an entry unlinked by list_del_rcu / hlist_del_rcu is freed only "
                              "after a grace period",
                    .builds = kTsan | kAsan,
                    .expect = {"heap-use-after-free", "racefuzz timeline"},
                    .violate = [] { DeleteThenFree<false>(); },
                    .clean = [] { DeleteThenFree<true>(); },
                });

}  // namespace
}  // namespace racefuzz::canary
