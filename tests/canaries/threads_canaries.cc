// Canaries of threads mode (core/sched/thread_pool.h): its watchdog reports a run whose threads
// never finish as a hang, naming each thread's site; a run that finishes, however it blocked on
// the way, is never reported.
#include <chrono>
#include <thread>

#include "absl/time/time.h"
#include "core/sched/sync.h"
#include "core/sched/thread_pool.h"
#include "tests/canaries/canary.h"

namespace racefuzz {
namespace {

using canary::kAll;

// T0 holds the mutex and waits for a flag; T1 blocks on the mutex. With kFlagSet, T2 sets the
// flag after a while (well inside the budget), and everything finishes.
template <bool kFlagSet>
void HangOnLockAndWait() {
  ThreadPool& pool = ThreadPool::Get();
  pool.set_hang_budget(absl::Milliseconds(300));
  Mutex mu("mu");
  Atomic<int> locked(0, "locked");
  Atomic<int> flag(0, "flag");
  pool.Run([&] {
    spawn([&] {
      Guard lock(mu);
      locked.store(1);
      wait_until([&] { return flag.load() != 0; }, "wait", {"flag", 0});
    });
    spawn([&] {
      wait_until([&] { return locked.load() != 0; });  // T0 holds the lock: T1 blocks on it
      Guard lock(mu);
    });
    spawn([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (kFlagSet) flag.store(1);
    });
  });
}

RACEFUZZ_CANARY(threads_hang_reported_with_sites,
                {
                    .clause = "threads mode: a run whose threads never finish is reported as a "
                              "hang with each thread's blocked site",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: threads-hang", "no simulated thread finished",
                               "T0 spinning in wait flag 0 at", "threads_canaries.cc",
                               "T1 blocked in lock mu 0 at", "threads_canaries.cc",
                               "SUMMARY: racefuzz: threads-hang"},
                    .violate = [] { HangOnLockAndWait<false>(); },
                    .clean = [] { HangOnLockAndWait<true>(); },
                });

}  // namespace
}  // namespace racefuzz
