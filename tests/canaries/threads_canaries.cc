// Canaries of threads mode (core/sched/thread_pool.h): its watchdog reports a run whose threads
// never finish as a hang, naming each thread's site; a run that finishes, however it blocked on
// the way, is never reported.
#include <chrono>
#include <thread>

#include "absl/time/time.h"
#include "core/sched/completion.h"
#include "core/sched/condvar.h"
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
                               "T0 spinning in wait flag#0 at", "threads_canaries.cc",
                               "T1 blocked in lock mu#0 at", "threads_canaries.cc",
                               "SUMMARY: racefuzz: threads-hang"},
                    .violate = [] { HangOnLockAndWait<false>(); },
                    .clean = [] { HangOnLockAndWait<true>(); },
                });

// T0 sleeps in CondVar::wait, T1 in wait_for_completion; with kWoken, T2 notifies and completes
// after a while (well inside the budget), and everything finishes.
template <bool kWoken>
void HangInSleepingWaits() {
  ThreadPool& pool = ThreadPool::Get();
  pool.set_hang_budget(absl::Milliseconds(300));
  Mutex mu("mu");
  CondVar cv("cv");
  completion done("done");
  Atomic<int> ready(0, "ready");
  pool.Run([&] {
    spawn([&] {
      Guard lock(mu);
      while (ready.load() == 0) cv.wait(mu);
    });
    spawn([&] { wait_for_completion(&done); });
    spawn([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (!kWoken) return;
      {
        Guard lock(mu);
        ready.store(1);
      }
      cv.notify_all();
      complete(&done);
    });
  });
}

RACEFUZZ_CANARY(threads_hang_names_sleeping_waits,
                {
                    .clause = "threads mode: a hang report names a thread asleep in a CondVar or a "
                              "completion by its wait's site",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: threads-hang", "T0 blocked in cond_wait cv#0 at",
                               "threads_canaries.cc", "T1 blocked in wait_for_completion done#0 at",
                               "threads_canaries.cc", "SUMMARY: racefuzz: threads-hang"},
                    .violate = [] { HangInSleepingWaits<false>(); },
                    .clean = [] { HangInSleepingWaits<true>(); },
                });

}  // namespace
}  // namespace racefuzz
