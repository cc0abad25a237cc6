// A driver module whose entries are RCU-protected, written as a kernel driver writes one against
// racefuzz's RCU update side (the planted client rcu_module; rcu_module_fuzz.cc drives it):
//
// - entries on an RCU list (core/rcu/list.h), looked up by lock-free readers under rcu_read_lock,
//   added and removed under the module's spinlock, allocated from the module's own kmem_cache
//   (kmem_cache.h);
// - each entry belongs to a group, which counts its linked entries; a group is removed once it has
//   none, and freed by an RCU callback;
// - a removed entry is freed one of three ways: call_rcu (its callback also drops the group
//   reference the pending free holds), synchronize_rcu then free, or parked on a pool with a
//   start_poll_synchronize_rcu cookie and reused by a later insert once
//   poll_state_synchronize_rcu(cookie) says its grace period has passed;
// - every operation holds a module reference (try_module_get / module_put); unload (rmmod) refuses
//   new references, waits for the ones held, unlinks every entry, frees them after
//   synchronize_rcu(), waits for the operations' pending callbacks with rcu_barrier() and destroys
//   the cache.
//
// It is correct. The planted bugs rcu-module-unload-synchronize-rcu,
// rcu-module-barrier-as-grace-period, rcu-module-callback-order and
// rcu-module-poll-cookie-before-unpublish (bench/planted/bugs.tsv) each patch one of those rules
// as a real driver gets it wrong (checklist.rst, rcubarrier.rst).
#ifndef RACEFUZZ_BENCH_PLANTED_CLIENTS_RCU_MODULE_H_
#define RACEFUZZ_BENCH_PLANTED_CLIENTS_RCU_MODULE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "bench/planted/clients/kmem_cache.h"
#include "core/rcu/callbacks.h"
#include "core/rcu/grace_period.h"
#include "core/rcu/list.h"
#include "core/rcu/read_side.h"
#include "core/sched/runtime.h"
#include "core/sched/sync.h"

namespace racefuzz::planted {

// How remove() frees the entry it unlinked.
enum class RcuFree : uint8_t { kCallRcu, kSynchronize, kPolled };

// Invariants: `refs` is 1 (the module's, while the group is registered) plus one per entry whose
// call_rcu free is pending; the put that drops it to 0 frees the group. `nr_linked` (guarded by the
// module's lock) counts the group's entries on the list.
struct RcuModuleGroup {
  explicit RcuModuleGroup(uint32_t i) : id(i) {}
  uint32_t id;
  uint32_t nr_linked = 0;
  Atomic<int> refs{1, "group_refs"};
};

// Invariants: fields are written only while the entry is off the list and no reader can hold it
// (before its first publish, or after its grace period); `check == ~value`.
struct RcuModuleEntry : rcu::list_head {
  uint32_t key = 0;
  uint64_t value = 0;
  uint64_t check = ~uint64_t{0};
  RcuModuleGroup* group = nullptr;
  uint64_t cookie = 0;  // on the pool: the grace period it waits for
};

class RcuModule {
 public:
  static constexpr int kGroups = 2;

  // module_init: the cache, the groups and `entries` entries (keys 0.., group key % kGroups).
  explicit RcuModule(int entries);
  RcuModule(const RcuModule&) = delete;
  RcuModule& operator=(const RcuModule&) = delete;
  // Unloads the module if no operation did.
  ~RcuModule() { unload(); }

  // Looks `key` up under rcu_read_lock and checks the entry (a trap if it is torn or reused).
  // Safety: none.
  bool lookup(uint32_t key);
  // Publishes a new entry for `key` in group `group` (creating the group if it was removed),
  // reusing a pooled entry whose grace period has passed. Safety: none.
  void insert(uint32_t key, uint32_t group);
  // Unlinks the first entry for `key` and frees it as `how` says. Safety: outside any read-side
  // section (kSynchronize waits for a grace period).
  void remove(uint32_t key, RcuFree how);
  // Unregisters group `group` if it has no linked entry; an RCU callback drops its reference.
  // Safety: none.
  void remove_group(uint32_t group);
  // rmmod: the first call unloads (later ones return); the operations of other threads that have
  // not started by then do nothing. Safety: outside any read-side section.
  void unload();

 private:
  // A module reference for one operation (try_module_get; module_put when destroyed).
  class Ref {
   public:
    explicit Ref(RcuModule& m);
    ~Ref();
    explicit operator bool() const { return held_; }

   private:
    RcuModule& m_;
    bool held_;
  };

  RcuModuleEntry* find_locked(uint32_t key);
  RcuModuleGroup* group_locked(uint32_t group);
  // Drops a group reference; the last one frees the group.
  static void group_put(RcuModuleGroup* g);
  // Queues the entry's free: its callback drops the group reference taken here.
  void free_entry_rcu_locked(RcuModuleEntry* e);
  // Queues the unregistered group's release: the module's reference is dropped after a grace
  // period.
  static void release_group_rcu(RcuModuleGroup* g);

  SpinLock lock_{"module_lock"};
  rcu::list_head entries_;                         // guarded by lock_ for updaters
  std::array<RcuModuleGroup*, kGroups> groups_{};  // guarded by lock_
  std::vector<RcuModuleEntry*> pool_;              // guarded by lock_: removed, awaiting reuse
  std::unique_ptr<KmemCache<RcuModuleEntry>> cache_;
  bool going_ = false;  // guarded by lock_: unload has begun (MODULE_STATE_GOING)
  Atomic<int> refs_{0, "module_refs"};
  uint64_t next_value_ = 1;  // guarded by lock_
};

inline RcuModule::Ref::Ref(RcuModule& m) : m_(m) {
  Guard<SpinLock> lock(m_.lock_);
  held_ = !m_.going_;
  // Ordering: relaxed, as the kernel's per-CPU module refcount: taking a reference orders nothing.
  if (held_) m_.refs_.fetch_add(1, std::memory_order_relaxed);
}

inline RcuModule::Ref::~Ref() {
  // Ordering: Release pairs with unload's Acquire load: the operation happens-before the unload.
  if (held_) m_.refs_.fetch_sub(1, std::memory_order_release);
}

inline RcuModule::RcuModule(int entries)
    : cache_(std::make_unique<KmemCache<RcuModuleEntry>>("module_entries")) {
  for (int i = 0; i < entries; ++i) insert(static_cast<uint32_t>(i), static_cast<uint32_t>(i));
}

inline bool RcuModule::lookup(uint32_t key) {
  Ref ref(*this);
  if (!ref) return false;
  const rcu::Guard g = rcu::read_lock();
  for (RcuModuleEntry* e : rcu::list_for_each_entry_rcu<RcuModuleEntry>(&entries_)) {
    if (e->key != key) continue;
    const uint64_t value = e->value;
    yield_point("module_lookup", {"entry", key});
    // SAFETY: the read-side section keeps `e` from being freed or reused.
    if (e->key != key || e->check != ~value) __builtin_trap();  // torn, or reused under us
    return true;
  }
  return false;
}

inline RcuModuleEntry* RcuModule::find_locked(uint32_t key) {
  for (RcuModuleEntry* e :
       rcu::list_for_each_entry_rcu<RcuModuleEntry>(&entries_, lockdep_is_held(lock_))) {
    if (e->key == key) return e;
  }
  return nullptr;
}

inline RcuModuleGroup* RcuModule::group_locked(uint32_t group) {
  RcuModuleGroup*& g = groups_[group % kGroups];
  if (g == nullptr) g = new RcuModuleGroup(group % kGroups);
  return g;
}

inline void RcuModule::insert(uint32_t key, uint32_t group) {
  Ref ref(*this);
  if (!ref) return;
  Guard<SpinLock> lock(lock_);
  RcuModuleEntry* e = nullptr;
  for (auto it = pool_.begin(); it != pool_.end(); ++it) {
    if (rcu::poll_state_synchronize_rcu((*it)->cookie)) {
      e = *it;
      pool_.erase(it);
      break;
    }
  }
  // SAFETY: a pooled entry's grace period has passed (poll_state_synchronize_rcu): no reader holds
  // it, so it may be rewritten; a new one is not published yet.
  if (e == nullptr) e = cache_->alloc();
  e->key = key;
  e->value = next_value_++;
  e->check = ~e->value;
  e->group = group_locked(group);
  ++e->group->nr_linked;
  rcu::list_add_rcu(e, &entries_);
}

inline void RcuModule::group_put(RcuModuleGroup* g) {
  // Ordering: acq_rel, as kref_put: every put happens-before the free.
  if (g->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete g;
}

inline void RcuModule::free_entry_rcu_locked(RcuModuleEntry* e) {
  // The pending free holds a group reference: the group's own callback may run first (callbacks
  // queued on different threads run in any order).
  e->group->refs.fetch_add(1, std::memory_order_relaxed);
  rcu::call_rcu([cache = cache_.get(), e] {
    // SAFETY: a grace period has passed since `e` was unlinked: no reader holds it.
    yield_point("module_free_entry", {"group", e->group->id});
    group_put(e->group);
    cache->free(e);
  });
}

inline void RcuModule::release_group_rcu(RcuModuleGroup* g) {
  rcu::call_rcu([g] { group_put(g); });
}

inline void RcuModule::remove(uint32_t key, RcuFree how) {
  Ref ref(*this);
  if (!ref) return;
  RcuModuleEntry* e = nullptr;
  {
    Guard<SpinLock> lock(lock_);
    e = find_locked(key);
    if (e == nullptr) return;
    rcu::list_del_rcu(e);
    --e->group->nr_linked;
    switch (how) {
      case RcuFree::kCallRcu:
        free_entry_rcu_locked(e);
        return;
      case RcuFree::kPolled:
        // The cookie is taken after the unpublish: the grace period it names waits for every
        // reader that can still hold `e`.
        e->cookie = rcu::start_poll_synchronize_rcu();
        pool_.push_back(e);
        return;
      case RcuFree::kSynchronize:
        break;
    }
  }
  rcu::synchronize_rcu();
  // SAFETY: the grace period has passed: no reader holds `e`.
  cache_->free(e);
}

inline void RcuModule::remove_group(uint32_t group) {
  Ref ref(*this);
  if (!ref) return;
  Guard<SpinLock> lock(lock_);
  RcuModuleGroup*& g = groups_[group % kGroups];
  if (g == nullptr || g->nr_linked != 0) return;
  release_group_rcu(g);
  g = nullptr;
}

inline void RcuModule::unload() {
  {
    Guard<SpinLock> lock(lock_);
    if (going_) return;
    going_ = true;
  }
  // Ordering: Acquire pairs with module_put's Release: every operation that held a reference
  // happens-before the teardown.
  wait_until([&] { return refs_.load(std::memory_order_acquire) == 0; }, "module_refs");
  std::vector<RcuModuleEntry*> gone;
  std::array<RcuModuleGroup*, kGroups> groups{};
  {
    Guard<SpinLock> lock(lock_);
    for (RcuModuleEntry* e :
         rcu::list_for_each_entry_rcu<RcuModuleEntry>(&entries_, lockdep_is_held(lock_))) {
      gone.push_back(e);
    }
    for (RcuModuleEntry* e : gone) rcu::list_del_rcu(e);
    gone.insert(gone.end(), pool_.begin(), pool_.end());
    pool_.clear();
    groups.swap(groups_);
  }
  rcu::synchronize_rcu();
  // SAFETY: a grace period has passed since every entry was unlinked (the pooled ones earlier).
  for (RcuModuleEntry* e : gone) cache_->free(e);
  for (RcuModuleGroup* g : groups) {
    if (g != nullptr) group_put(g);
  }
  // The call_rcu callbacks the operations queued are still pending: they free into the cache and
  // run this module's code. Wait for them before the cache goes (rcubarrier.rst).
  rcu::rcu_barrier();
  cache_.reset();  // kmem_cache_destroy
}

}  // namespace racefuzz::planted

#endif  // RACEFUZZ_BENCH_PLANTED_CLIENTS_RCU_MODULE_H_
