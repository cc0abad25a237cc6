// A driver's object cache, the kernel's kmem_cache (mm/slab_common.c) reduced to what its clients
// rely on: alloc and free count the objects out, and destroying the cache with objects still out is
// the kernel's "kmem_cache_destroy <name>: Slab cache still has objects" (contract check
// "kmem-cache-busy"). The planted client rcu_module (rcu_module.h) frees its entries into one from
// RCU callbacks, so unloading it before those callbacks ran is that report (or, if destroy is never
// checked, a use after free of the cache).
#ifndef RACEFUZZ_BENCH_PLANTED_CLIENTS_KMEM_CACHE_H_
#define RACEFUZZ_BENCH_PLANTED_CLIENTS_KMEM_CACHE_H_

#include <atomic>
#include <utility>

#include "core/check/report.h"
#include "core/sched/sync.h"

namespace racefuzz::planted {

// Invariants: `live_` is the number of objects alloc() returned that free() has not taken back.
template <typename T>
class KmemCache {
 public:
  explicit KmemCache(const char* name) : name_(name) {}
  KmemCache(const KmemCache&) = delete;
  KmemCache& operator=(const KmemCache&) = delete;
  // kmem_cache_destroy. Safety: every object must have been freed ("kmem-cache-busy").
  ~KmemCache() {
    const int live = live_.load(std::memory_order_relaxed);
    RACEFUZZ_CONTRACT(live == 0, "kmem-cache-busy",
                      "kmem_cache_destroy %s: Slab cache still has objects (%d)", name_, live);
  }

  template <typename... A>
  T* alloc(A&&... args) {
    // Ordering: relaxed: a count, not a publication (callbacks on different threads free).
    live_.fetch_add(1, std::memory_order_relaxed);
    return new T(std::forward<A>(args)...);
  }
  // Safety: `p` came from this cache's alloc and is freed once.
  void free(T* p) {
    delete p;
    live_.fetch_sub(1, std::memory_order_relaxed);
  }

 private:
  const char* name_;
  Atomic<int> live_{0, "kmem_cache_live"};
};

}  // namespace racefuzz::planted

#endif  // RACEFUZZ_BENCH_PLANTED_CLIENTS_KMEM_CACHE_H_
