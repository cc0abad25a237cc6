// Canaries for ASan's reports in deterministic runs: every simulated thread is a fiber on one OS
// thread, so ASan says "freed by thread T0" whoever freed; the line racefuzz prints under the
// report names the simulated threads of the access, the free and the allocation
// (core/sched/heap_threads.h).
#include "core/sched/sync.h"
#include "tests/canaries/canary.h"

namespace racefuzz::canary {
namespace {

Atomic<int*> g_block(nullptr, "block");
Atomic<int> g_freed(0, "freed");
Atomic<int> g_read(0, "read");
int g_sink = 0;

// T0 allocates the block; T1 frees it; T2 reads it: after the free (the violation) or before it,
// with T1 waiting for the read (the twin).
template <bool kReadFirst>
void AllocFreeRead() {
  g_block.store(nullptr);
  g_freed.store(0);
  g_read.store(0);
  RunThreads({[] { g_block.store(new int(7)); },
              [] {
                wait_until([] { return g_block.load() != nullptr; }, "wait_block");
                if (kReadFirst) wait_until([] { return g_read.load() == 1; }, "wait_read");
                delete g_block.load();
                g_freed.store(1);
              },
              [] {
                wait_until([] { return g_block.load() != nullptr; }, "wait_block");
                if (!kReadFirst) wait_until([] { return g_freed.load() == 1; }, "wait_freed");
                g_sink += *g_block.load();
                g_read.store(1);
              }});
}

RACEFUZZ_CANARY(engine_asan_names_simulated_threads,
                {
                    .clause = "engine: under an ASan report, racefuzz names the simulated threads "
                              "of the access, the free and the allocation",
                    .builds = kAsan,
                    // ASan's own lines (all fibers are its thread T0), then racefuzz's.
                    .expect = {"ERROR: AddressSanitizer: heap-use-after-free", "READ of size 4 at",
                               "freed by thread T0 here:",
                               "previously allocated by thread T0 here:",
                               "racefuzz: the access by T2; the heap block [0x",
                               ") allocated by T0, freed by T1\n", "racefuzz timeline",
                               "SUMMARY: AddressSanitizer: heap-use-after-free"},
                    .violate = [] { AllocFreeRead<false>(); },
                    .clean = [] { AllocFreeRead<true>(); },
                });

}  // namespace
}  // namespace racefuzz::canary
