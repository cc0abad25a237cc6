// Canaries for the engine (core/sched): TSan sees exactly the synchronization the program performs,
// and racefuzz reports deadlocks and livelocks with the blocked sites.
#include <atomic>
#include <thread>

#include "core/check/report.h"
#include "core/sched/harness.h"
#include "core/sched/sync.h"
#include "tests/canaries/canary.h"

namespace racefuzz::canary {
namespace {

int g_counter = 0;

RACEFUZZ_CANARY(engine_unsynchronized_write,
                {
                    .clause = "engine: a plain write in two simulated threads is a data race",
                    .builds = kTsan,
                    .expect = {"WARNING: ThreadSanitizer: data race", "racefuzz timeline",
                               "T1 bump counter#0", "SUMMARY: ThreadSanitizer: data race"},
                    .violate =
                        [] {
                          auto bump = [] {
                            yield_point("bump", {"counter", 0});
                            g_counter++;
                          };
                          RunThreads({bump, bump});
                        },
                    .clean =
                        [] {
                          static Mutex mu("counter_mu");
                          auto bump = [] {
                            Guard g(mu);
                            yield_point("bump", {"counter", 0});
                            g_counter++;
                          };
                          RunThreads({bump, bump});
                        },
                });

// Inputs as libFuzzer runs them: each inside a FuzzInputScope, libFuzzer's work hidden in between.
void RunAsFuzzInputs(void (*last_input)()) {
  for (int i = 0; i < 3; ++i) {
    FuzzInputScope input;
    g_counter++;  // libFuzzer's maps are reset (hidden) after this input
  }
  FuzzInputScope input;
  last_input();
}  // the process then exits with the main thread between inputs: TSan must not fail it

// The entry thread's own accesses are what FuzzInputScope hides between inputs (simulated threads
// are TSan fibers or pool threads of their own), so the canary races the entry thread itself with
// a real thread, inside the last input.
RACEFUZZ_CANARY(engine_race_inside_fuzz_input,
                {
                    .clause = "engine: FuzzInputScope hides only libFuzzer's work between inputs: "
                              "the entry thread's race inside an input is still reported, and "
                              "exiting between inputs is clean",
                    .builds = kTsan,
                    .expect = {"WARNING: ThreadSanitizer: data race",
                               "SUMMARY: ThreadSanitizer: data race"},
                    .violate =
                        [] {
                          RunAsFuzzInputs([] {
                            std::thread other([] { g_counter++; });
                            g_counter++;
                            other.join();
                          });
                        },
                    .clean =
                        [] {
                          RunAsFuzzInputs([] {
                            std::thread other([] { g_counter++; });
                            other.join();
                            g_counter++;
                          });
                        },
                });

int g_message = 0;

template <std::memory_order kStore, std::memory_order kLoad>
void MessagePass() {
  static Atomic<int> flag(0, "flag");
  RunThreads({[] {
                g_message = 42;
                flag.store(1, kStore);
              },
              [] {
                wait_until([] { return flag.load(kLoad) == 1; }, "wait_flag");
                if (g_message != 42) std::abort();
              }});
}

RACEFUZZ_CANARY(
    engine_relaxed_message_pass,
    {
        .clause = "engine: a message passed with relaxed atomics races on the message",
        .builds = kTsan,
        .expect = {"WARNING: ThreadSanitizer: data race", "racefuzz timeline",
                   "atomic_store flag#0", "SUMMARY: ThreadSanitizer: data race"},
        .violate = [] { MessagePass<std::memory_order_relaxed, std::memory_order_relaxed>(); },
        .clean = [] { MessagePass<std::memory_order_release, std::memory_order_acquire>(); },
    });

template <bool kSameOrder>
void TwoLocks() {
  static Mutex a("mu_a");
  static Mutex b("mu_b");
  RunThreads({[] {
                Guard ga(a);
                Guard gb(b);
              },
              [] {
                Mutex& first = kSameOrder ? a : b;
                Mutex& second = kSameOrder ? b : a;
                Guard g1(first);
                Guard g2(second);
              }});
}

RACEFUZZ_CANARY(
    engine_abba_deadlock,
    {
        .clause = "engine: an ABBA lock order is reported as a deadlock naming both sites",
        .builds = kAll,
        .expect = {"ERROR: racefuzz: deadlock", "T0 blocked in lock mu_b#0 at", "sched_canaries.cc",
                   "T1 blocked in lock mu_a#0 at", "sched_canaries.cc", "racefuzz timeline",
                   "SUMMARY: racefuzz: deadlock"},
        .violate = [] { TwoLocks<false>(); },
        .clean = [] { TwoLocks<true>(); },
    });

template <bool kSomeoneSets>
void SpinOnFlag() {
  static Atomic<int> flag(0, "flag");
  RunThreads({[] {
                // A spin loop that never parks: each iteration is a step.
                while (flag.load(std::memory_order_acquire) == 0) {
                }
              },
              [] {
                if (kSomeoneSets) flag.store(1, std::memory_order_release);
              }});
}

RACEFUZZ_CANARY(engine_livelock,
                {
                    .clause = "engine: a spin that never ends is reported as a livelock",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: livelock", "budget of 100000 steps",
                               "atomic_load flag#0", "SUMMARY: racefuzz: livelock"},
                    .violate = [] { SpinOnFlag<false>(); },
                    .clean = [] { SpinOnFlag<true>(); },
                });

template <typename L, bool kOwnerUnlocks>
void UnlockByOther() {
  static L mu("mu");
  static Atomic<int> locked(0, "locked");
  RunThreads({[] {
                mu.lock();
                locked.store(1);
                if (kOwnerUnlocks) mu.unlock();
              },
              [] {
                wait_until([] { return locked.load() == 1; });
                if (!kOwnerUnlocks) mu.unlock();
              }});
}

RACEFUZZ_CANARY(engine_unlock_not_owner,
                {
                    .clause = "engine: a mutex is unlocked only by the thread that holds it",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: mutex-unlock-not-owner",
                               "T1 unlocks mu, held by T0",
                               "SUMMARY: racefuzz: mutex-unlock-not-owner"},
                    .violate = [] { UnlockByOther<Mutex, false>(); },
                    .clean = [] { UnlockByOther<Mutex, true>(); },
                });

RACEFUZZ_CANARY(engine_spin_unlock_not_owner,
                {
                    .clause = "engine: a spinlock is unlocked only by the thread that holds it",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: spinlock-unlock-not-owner",
                               "T1 unlocks mu, held by T0", "racefuzz timeline",
                               "T0 spin_lock mu#0", "SUMMARY: racefuzz: spinlock-unlock-not-owner"},
                    .violate = [] { UnlockByOther<SpinLock, false>(); },
                    .clean = [] { UnlockByOther<SpinLock, true>(); },
                });

// A thread that locks a lock it already holds would wait for itself forever.
template <typename L, bool kRelock>
void LockTwice() {
  static L lk("lk");
  RunThreads({[] {
    lk.lock();
    if (kRelock) lk.lock();
    lk.unlock();
  }});
}

RACEFUZZ_CANARY(engine_mutex_relock,
                {
                    .clause = "engine: a thread does not lock a mutex it already holds",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: mutex-relock",
                               "T0 locks lk, which it already holds", "racefuzz timeline",
                               "T0 lock lk#0", "SUMMARY: racefuzz: mutex-relock"},
                    .violate = [] { LockTwice<Mutex, true>(); },
                    .clean = [] { LockTwice<Mutex, false>(); },
                });

RACEFUZZ_CANARY(engine_spin_relock,
                {
                    .clause = "engine: a thread does not lock a spinlock it already holds",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: spinlock-relock",
                               "T0 locks lk, which it already holds", "racefuzz timeline",
                               "T0 spin_lock lk#0", "SUMMARY: racefuzz: spinlock-relock"},
                    .violate = [] { LockTwice<SpinLock, true>(); },
                    .clean = [] { LockTwice<SpinLock, false>(); },
                });

// A final oracle (RunInput's `finish`, an op fuzzer's World::Finish) runs after the threads ended;
// what it reports must still show the interleaving that left the state it checks.
template <bool kLost>
void FinalOracle() {
  SetHarnessConfig(HarnessConfig{});  // deterministic, input schedule
  static int balance = 0;
  static Mutex mu("balance_mu");
  balance = 0;
  const uint8_t schedule[] = {0, 1, 0, 1, 1, 0, 1, 0};
  RunInput(
      schedule,
      [] {
        for (int t = 0; t < 2; ++t) {
          spawn([] {
            int seen;
            {
              Guard g(mu);
              yield_point("read_balance", {"balance", 0});
              seen = balance;
            }
            // Race-free, but with kLost the read-modify-write is split over two critical
            // sections: an update is lost when both reads come before both writes.
            Guard g(mu);
            yield_point("write_balance", {"balance", 0});
            balance = kLost ? seen + 1 : balance + 1;
          });
        }
      },
      [] {
        RACEFUZZ_CONTRACT(balance == 2, "final-balance", "balance is %d after two deposits",
                          balance);
      });
}

RACEFUZZ_CANARY(engine_final_oracle_timeline,
                {
                    .clause = "engine: a report from the final oracle after the run prints the "
                              "run's timeline",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: final-balance",
                               "balance is 1 after two deposits", "racefuzz timeline",
                               "T1 write_balance balance#0", "SUMMARY: racefuzz: final-balance"},
                    .violate = [] { FinalOracle<true>(); },
                    .clean = [] { FinalOracle<false>(); },
                });

}  // namespace
}  // namespace racefuzz::canary
