// Canaries for RCU lists (core/rcu/list.h): a traversal outside any reader and without the update
// side's protection is reported; an entry freed right after list_del_rcu, without a grace period,
// is a use after free of the reader standing on it; an entry deleted twice, or added while it is
// on the list, is list corruption (CONFIG_DEBUG_LIST's reports). Each with its clean twin.
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

// Two threads remove the entry with key 2: each finds it by a lock-free lookup, then takes the
// update lock and unlinks it. Violating: neither checks, under the lock, that the entry is still
// on the list, so the second unlinks it again (in the kernel: a write through LIST_POISON2, or
// CONFIG_DEBUG_LIST's "list_del corruption"). The twin re-checks a `dead` flag under the lock,
// as the kernel's lookups-then-delete do.
struct Removable : rcu::list_head {
  explicit Removable(int k) : key(k) {}
  int key;
  bool dead = false;  // under the update lock
};

template <bool kRecheck>
void RemoveFoundEntry() {
  rcu::list_head items;
  SpinLock items_lock("items_lock");
  Removable a(1), b(2);
  rcu::list_add_tail_rcu(&a, &items);
  rcu::list_add_tail_rcu(&b, &items);
  auto remove = [&] {
    Removable* victim = nullptr;
    {
      rcu::Guard g = rcu::read_lock();
      for (Removable* e : rcu::list_for_each_entry_rcu<Removable>(&items)) {
        if (e->key == 2) victim = e;
      }
    }
    if (victim == nullptr) return;
    Guard<SpinLock> lock(items_lock);
    if (kRecheck && victim->dead) return;
    victim->dead = true;
    rcu::list_del_rcu(victim);
  };
  RunThreads({remove, remove});
}

RACEFUZZ_CANARY(rcu_list_del_twice,
                {
                    .clause = "an entry is deleted from its list once: list_del_rcu of an entry "
                              "already deleted is list corruption",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: list-del-corruption",
                               "T1: list_del corruption, the entry's prev is LIST_POISON2: it was "
                               "already deleted",
                               "racefuzz timeline", "SUMMARY: racefuzz: list-del-corruption"},
                    .violate = [] { RemoveFoundEntry<false>(); },
                    .clean = [] { RemoveFoundEntry<true>(); },
                });

// The hlist form: T1 deletes the node T0 already deleted.
template <bool kRecheck>
void RemoveFoundNode() {
  struct Node : rcu::hlist_node {
    bool dead = false;  // under the bucket lock
  };
  rcu::hlist_head bucket;
  SpinLock bucket_lock("bucket_lock");
  Node n;
  rcu::hlist_add_head_rcu(&n, &bucket);
  auto remove = [&] {
    Guard<SpinLock> lock(bucket_lock);
    if (kRecheck && n.dead) return;
    n.dead = true;
    rcu::hlist_del_rcu(&n);
  };
  RunThreads({remove, remove});
}

RACEFUZZ_CANARY(
    rcu_hlist_del_twice,
    {
        .clause = "a node is deleted from its hash bucket once: hlist_del_rcu of a node "
                  "already deleted is list corruption",
        .builds = kAll,
        .expect = {"ERROR: racefuzz: contract violation: list-del-corruption",
                   "T1: hlist_del corruption, the node's pprev is LIST_POISON2",
                   "racefuzz timeline", "SUMMARY: racefuzz: list-del-corruption"},
        .violate = [] { RemoveFoundNode<false>(); },
        .clean = [] { RemoveFoundNode<true>(); },
    });

// An updater re-adds an entry that is still on the list (it meant to move it: list_del_rcu first).
// Violating: list_add_rcu of the list's first entry at the front again. The twin deletes it first,
// waits for a grace period (readers may still stand on it), then adds it.
template <bool kDeleteFirst>
void MoveToFront() {
  rcu::list_head items;
  SpinLock items_lock("items_lock");
  Entry a(1), b(2);
  rcu::list_add_rcu(&a, &items);
  rcu::list_add_rcu(&b, &items);  // items: b, a
  RunThreads({[&] {
                rcu::Guard g = rcu::read_lock();
                for (Entry* e : rcu::list_for_each_entry_rcu<Entry>(&items)) g_list_sum += e->key;
              },
              [&] {
                if (kDeleteFirst) {
                  {
                    Guard<SpinLock> lock(items_lock);
                    rcu::list_del_rcu(&b);
                  }
                  rcu::synchronize_rcu();
                }
                Guard<SpinLock> lock(items_lock);
                rcu::list_add_rcu(&b, &items);
              }});
}

RACEFUZZ_CANARY(rcu_list_add_twice,
                {
                    .clause = "an entry is added to a list only while it is on none: list_add_rcu "
                              "of an entry on the list is list corruption",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: list-add-corruption",
                               "T1: list_add double add", "racefuzz timeline",
                               "SUMMARY: racefuzz: list-add-corruption"},
                    .violate = [] { MoveToFront<false>(); },
                    .clean = [] { MoveToFront<true>(); },
                });

}  // namespace
}  // namespace racefuzz::canary
