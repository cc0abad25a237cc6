// Canaries for the weak memory model itself (core/sched/memory/model.h, RACEFUZZ_MEMORY=weak).
// Each violating side runs its program under the input schedules 0, 1, 2, ... until the weak
// behaviour shows (the program's own check, or TSan, reports it); the schedules are a function of
// their index, so every run finds it at the same schedule with the same timeline. Each clean twin
// runs the corrected program under as many schedules and must never report.
#include <atomic>
#include <cstdint>

#include "core/check/report.h"
#include "core/sched/harness.h"
#include "core/sched/sync.h"
#include "tests/canaries/canary.h"

namespace racefuzz::canary {
namespace {

constexpr std::memory_order rlx = std::memory_order_relaxed;
constexpr std::memory_order rel = std::memory_order_release;
constexpr std::memory_order acq = std::memory_order_acquire;

// Message passing through atomics: T0 writes the data, then the flag; T1 reads the flag, then the
// data, and checks it saw the data the flag announced.
template <std::memory_order kStore, std::memory_order kLoad>
void FlagThenData(absl::Span<const uint8_t> schedule) {
  Atomic<int> data(0, "data");
  Atomic<int> flag(0, "flag");
  RunInput(schedule, [&] {
    spawn([&] {
      data.store(42, rlx);
      flag.store(1, kStore);
    });
    spawn([&] {
      if (flag.load(kLoad) != 1) return;
      const int d = data.load(rlx);
      RACEFUZZ_CONTRACT(d == 42, "stale-read", "T1 saw flag = 1, then data = %d, not 42", d);
    });
  });
}

RACEFUZZ_CANARY(memory_relaxed_mp_reads_stale,
                {
                    .clause = "weak memory: a flag published relaxed does not publish the data "
                              "before it; with release/acquire it does",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: stale-read",
                               "T1 saw flag = 1, then data = 0, not 42", "racefuzz timeline",
                               "T0 atomic_store flag = 1",
                               "T1 atomic_load data = 0 (stale: reads the initial data = 0; #",
                               "T0 atomic_store data = 42 not yet visible)",
                               "SUMMARY: racefuzz: stale-read"},
                    .violate = [] { UnderSchedules(MemoryMode::kWeak, FlagThenData<rlx, rlx>); },
                    .clean = [] { UnderSchedules(MemoryMode::kWeak, FlagThenData<rel, acq>); },
                });

// The data is a plain int: only happens-before protects it. T0 first stores flag = 1 relaxed
// (nothing published yet), then writes the data and publishes flag = 2 with release. T1 waits
// until T0 is done (a relaxed flag: no edge), then reads the flag with acquire. The weak model may
// let it read the stale flag = 1, which synchronizes with nothing: if T1 then trusts any non-zero
// flag, its read of the data races with T0's write, and TSan must say so (with the real
// std::atomic, the acquire would have synchronized with the newest store, flag = 2, and hidden the
// race). The clean twin trusts only flag = 2.
int g_data = 0;

template <int kTrusted>
void StaleAcquire(absl::Span<const uint8_t> schedule) {
  Atomic<int> flag(0, "flag");
  Atomic<int> done(0, "done");
  g_data = 0;
  RunInput(schedule, [&] {
    spawn([&] {
      flag.store(1, rlx);
      g_data = 42;
      flag.store(2, rel);
      done.store(1, rlx);
    });
    spawn([&] {
      if (done.load(rlx) == 0) return;
      if (flag.load(acq) < kTrusted) return;
      [[maybe_unused]] volatile int d = g_data;
    });
  });
}

RACEFUZZ_CANARY(memory_acquire_syncs_with_the_store_it_read,
                {
                    .clause = "weak memory: an acquire load synchronizes with the store it read, "
                              "not with the newest one; a stale read does not hide a race",
                    .builds = kTsan,
                    .expect = {"WARNING: ThreadSanitizer: data race", "racefuzz timeline",
                               "T1 atomic_load flag = 1 (stale: reads #",
                               "T0 atomic_store flag = 1; #",
                               "T0 atomic_store flag = 2 not yet visible)",
                               "SUMMARY: ThreadSanitizer: data race"},
                    .violate = [] { UnderSchedules(MemoryMode::kWeak, StaleAcquire<1>); },
                    .clean = [] { UnderSchedules(MemoryMode::kWeak, StaleAcquire<2>); },
                });

// Store buffering: each thread stores one flag, fences, and loads the other. With seq_cst fences
// at least one sees the other's store; with acquire-release fences both may read 0.
template <std::memory_order kFence>
void StoreBuffering(absl::Span<const uint8_t> schedule) {
  Atomic<int> x(0, "x");
  Atomic<int> y(0, "y");
  int r0 = -1;
  int r1 = -1;
  RunInput(
      schedule,
      [&] {
        spawn([&] {
          x.store(1, rlx);
          racefuzz::atomic_thread_fence(kFence);
          r0 = y.load(rlx);
        });
        spawn([&] {
          y.store(1, rlx);
          racefuzz::atomic_thread_fence(kFence);
          r1 = x.load(rlx);
        });
      },
      [&] {
        RACEFUZZ_CONTRACT(r0 != 0 || r1 != 0, "store-buffering",
                          "both threads read 0: each missed the other's store");
      });
}

RACEFUZZ_CANARY(
    memory_sb_seq_cst_fences,
    {
        .clause = "weak memory: seq_cst fences forbid store buffering; acquire-release "
                  "fences do not",
        .builds = kAll,
        .expect = {"ERROR: racefuzz: contract violation: store-buffering", "both threads read 0",
                   "racefuzz timeline", "atomic_thread_fence",
                   "SUMMARY: racefuzz: store-buffering"},
        .violate =
            [] { UnderSchedules(MemoryMode::kWeak, StoreBuffering<std::memory_order_acq_rel>); },
        .clean =
            [] { UnderSchedules(MemoryMode::kWeak, StoreBuffering<std::memory_order_seq_cst>); },
    });

}  // namespace
}  // namespace racefuzz::canary
