// Canary for the planted clients' kmem_cache (bench/planted/clients/kmem_cache.h): destroying a
// cache with an object still out is the kernel's "Slab cache still has objects", reported as the
// contract check kmem-cache-busy (the planted bug rcu-module-unload-synchronize-rcu reaches it
// through an rmmod without rcu_barrier; this commits it directly, every run).
#include <memory>

#include "bench/planted/clients/kmem_cache.h"
#include "tests/canaries/canary.h"

namespace racefuzz::canary {
namespace {

// T0 allocates an entry and T1 frees it; T0 destroys the cache before the free (the violation) or
// after it, waiting for it (the twin).
template <bool kWaitForTheFree>
void DestroyCacheWithAnEntryOut() {
  auto cache = std::make_unique<planted::KmemCache<int>>("entries");
  Atomic<int*> entry(nullptr, "entry");
  Atomic<int> freed(0, "freed");
  RunThreads({[&] {
                entry.store(cache->alloc(7));
                if (kWaitForTheFree) wait_until([&] { return freed.load() == 1; }, "wait_freed");
                cache.reset();  // kmem_cache_destroy
              },
              [&] {
                wait_until([&] { return entry.load() != nullptr; }, "wait_entry");
                if (!kWaitForTheFree) return;  // the entry stays out
                cache->free(entry.load());
                freed.store(1);
              }});
}

RACEFUZZ_CANARY(kmem_cache_destroyed_with_an_object_out,
                {
                    .clause = "a kmem_cache is destroyed with every object freed",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: kmem-cache-busy",
                               "kmem_cache_destroy entries: Slab cache still has objects (1)",
                               "SUMMARY: racefuzz: kmem-cache-busy"},
                    .violate = [] { DestroyCacheWithAnEntryOut<false>(); },
                    .clean = [] { DestroyCacheWithAnEntryOut<true>(); },
                });

}  // namespace
}  // namespace racefuzz::canary
