// Canaries for SRCU (core/rcu/srcu.h), each with its clean twin. Runs are round-robin at every
// yield point; with two canary threads, the kthread of the first queue used (call_srcu) is T2.
#include <atomic>
#include <cstdlib>
#include <utility>

#include "core/rcu/srcu.h"
#include "core/sched/sync.h"
#include "tests/canaries/canary.h"

namespace racefuzz::canary {
namespace {

using rcu::srcu_struct;

// Reads through a raw pointer kept from the section (what a use after free reads).
int ReadRaw(const int* p) { return *static_cast<const volatile int*>(p); }

// T0 reads the object published under domain `a`; T1 unpublishes it and frees it after a grace
// period. Violation: the grace period is domain b's, which does not wait for a's readers.
template <bool kOtherDomain>
void FreeAfterGracePeriod() {
  srcu_struct a("ss_a");
  srcu_struct b("ss_b");
  Atomic<int*> p(new int(100), "p");
  Atomic<int> reading(0, "reading");
  RunThreads({[&] {
                const int idx = rcu::srcu_read_lock(&a);
                const int* v = p.load(std::memory_order_acquire);
                reading.store(1, std::memory_order_relaxed);
                for (int i = 0; i < 16; ++i) yield_point("reader_busy", {"object", 100});
                if (ReadRaw(v) != 100) std::abort();
                rcu::srcu_read_unlock(&a, idx);
              },
              [&] {
                wait_until([&] { return reading.load(std::memory_order_relaxed) == 1; });
                int* old = p.exchange(new int(101), std::memory_order_acq_rel);
                rcu::synchronize_srcu(kOtherDomain ? &b : &a);
                delete old;
              }});
  delete p.load();
  rcu::cleanup_srcu_struct(&a);
  rcu::cleanup_srcu_struct(&b);
}

RACEFUZZ_CANARY(srcu_other_domains_grace_period_asan,
                {
                    .clause = "a grace period of one SRCU domain waits only for that domain's "
                              "readers: freeing what domain a's reader holds after "
                              "synchronize_srcu(b) is a use after free (ASan)",
                    .builds = kAsan,
                    .expect = {"ERROR: AddressSanitizer: heap-use-after-free", "ReadRaw",
                               "racefuzz timeline", "T1 synchronize_srcu ss_b#0",
                               "SUMMARY: AddressSanitizer: heap-use-after-free"},
                    .violate = [] { FreeAfterGracePeriod<true>(); },
                    .clean = [] { FreeAfterGracePeriod<false>(); },
                });

RACEFUZZ_CANARY(srcu_other_domains_grace_period_tsan,
                {
                    .clause = "a grace period of one SRCU domain waits only for that domain's "
                              "readers: freeing what domain a's reader holds after "
                              "synchronize_srcu(b) races with the read (TSan)",
                    .builds = kTsan,
                    .expect = {"WARNING: ThreadSanitizer:", "racefuzz timeline",
                               "T1 synchronize_srcu ss_b#0", "SUMMARY: ThreadSanitizer:"},
                    .violate = [] { FreeAfterGracePeriod<true>(); },
                    .clean = [] { FreeAfterGracePeriod<false>(); },
                });

// A reader of domain a leaves its section through domain b (the copy-paste slip); the twin
// unlocks a.
template <bool kWrong>
void UnlockDomain() {
  srcu_struct a("ss_a");
  srcu_struct b("ss_b");
  RunThreads({[&] {
    const int idx = rcu::srcu_read_lock(&a);
    rcu::srcu_read_unlock(kWrong ? &b : &a, idx);
  }});
}

RACEFUZZ_CANARY(srcu_unlock_wrong_index,
                {
                    .clause = "srcu_read_unlock(ssp, idx) names a section the thread holds: the "
                              "domain and the index its srcu_read_lock returned",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: srcu-unlock-wrong-index",
                               "T0 calls srcu_read_unlock(ss_b, 0) but holds no read-side "
                               "critical section of ss_b",
                               "racefuzz timeline", "T0 srcu_read_lock ss_a#0",
                               "SUMMARY: racefuzz: srcu-unlock-wrong-index"},
                    .violate = [] { UnlockDomain<true>(); },
                    .clean = [] { UnlockDomain<false>(); },
                });

// A module's exit cleans up its domain with a call_srcu callback pending; the twin calls
// srcu_barrier first.
template <bool kNoBarrier>
void CleanupDomain() {
  srcu_struct ss("ss");
  int freed = 0;
  RunThreads({[&] {
    rcu::call_srcu(&ss, [&] { ++freed; });
    if (!kNoBarrier) rcu::srcu_barrier(&ss);
    rcu::cleanup_srcu_struct(&ss);
  }});
}

RACEFUZZ_CANARY(srcu_cleanup_busy,
                {
                    .clause = "cleanup_srcu_struct with no reader inside and no callback pending "
                              "(srcu_barrier first)",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: srcu-cleanup-busy",
                               "T0 calls cleanup_srcu_struct(ss) with 1 call_srcu callback(s) "
                               "still pending",
                               "racefuzz timeline", "T0 call_srcu ss#0",
                               "SUMMARY: racefuzz: srcu-cleanup-busy"},
                    .violate = [] { CleanupDomain<true>(); },
                    .clean = [] { CleanupDomain<false>(); },
                });

// synchronize_srcu inside the caller's own section of the same domain waits for itself; the twin
// waits for another domain's grace period there, which is allowed (and sleeps).
template <bool kSameDomain>
void SynchronizeInsideReader() {
  srcu_struct a("ss_a");
  srcu_struct b("ss_b");
  RunThreads({[&] {
    const int idx = rcu::srcu_read_lock(&a);
    rcu::synchronize_srcu(kSameDomain ? &a : &b);
    rcu::srcu_read_unlock(&a, idx);
  }});
}

RACEFUZZ_CANARY(srcu_synchronize_in_own_reader,
                {
                    .clause = "synchronize_srcu(ssp) inside the caller's own section of ssp "
                              "waits for itself (another domain's is allowed)",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: deadlock", "srcu_gp_wait", "racefuzz timeline",
                               "T0 synchronize_srcu ss_a#0", "SUMMARY: racefuzz: deadlock"},
                    .violate = [] { SynchronizeInsideReader<true>(); },
                    .clean = [] { SynchronizeInsideReader<false>(); },
                });

// Guarantee 2 per domain, the requirements' lock-free flag example: a section of the domain that
// ends after synchronize_srcu() returned began after everything the updater did before calling
// it, so a flag written before the call is read without a race. The violation writes it after.
int g_flag = 0;

template <bool kFlagAfter>
void FlagAroundSynchronize() {
  g_flag = 0;
  srcu_struct ss("ss");
  Atomic<int> returned(0, "returned");
  RunThreads({[&] {
                for (;;) {
                  const int idx = rcu::srcu_read_lock(&ss);
                  const bool done = returned.load(std::memory_order_relaxed) == 1;
                  if (done && g_flag != 1) std::abort();
                  rcu::srcu_read_unlock(&ss, idx);
                  if (done) break;
                }
              },
              [&] {
                if (!kFlagAfter) g_flag = 1;
                rcu::synchronize_srcu(&ss);
                if (kFlagAfter) g_flag = 1;
                returned.store(1, std::memory_order_relaxed);
              }});
}

RACEFUZZ_CANARY(srcu_flag_before_synchronize_srcu,
                {
                    .clause = "a read-side section of a domain that ends after synchronize_srcu() "
                              "returned began after everything the updater did before calling it",
                    .builds = kTsan,
                    .expect = {"WARNING: ThreadSanitizer: data race", "FlagAroundSynchronize",
                               "racefuzz timeline", "T1 srcu_gp_end ss#0",
                               "SUMMARY: ThreadSanitizer: data race"},
                    .violate = [] { FlagAroundSynchronize<true>(); },
                    .clean = [] { FlagAroundSynchronize<false>(); },
                });

// A reader returns from its work inside an SRCU section (an early return that skips the unlock);
// the twin unlocks on that path too.
template <bool kLeak>
void ReturnInsideSection() {
  srcu_struct ss("ss");
  RunThreads({[&] {
    const int idx = rcu::srcu_read_lock(&ss);
    if (kLeak) return;
    rcu::srcu_read_unlock(&ss, idx);
  }});
}

RACEFUZZ_CANARY(srcu_read_lock_leaked_at_thread_exit,
                {
                    .clause = "a thread leaves its SRCU read-side sections before it exits",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: srcu-read-lock-leaked",
                               "T0 exited inside read-side critical sections of 1 SRCU domain(s)",
                               "racefuzz timeline", "T0 srcu_read_lock ss#0",
                               "SUMMARY: racefuzz: srcu-read-lock-leaked"},
                    .violate = [] { ReturnInsideSection<true>(); },
                    .clean = [] { ReturnInsideSection<false>(); },
                });

// Two threads queue SRCU callbacks on one domain; T1 then reads what T0 wrote before its call_srcu,
// ordered only by a relaxed flag: call_srcu orders no two callers (each thread queues on its own
// CPU's list, as srcu_data's), so it is a race. The twin publishes the flag with release/acquire.
int g_written_before_call = 0;

template <bool kRelaxed>
void TwoCallSrcuCallers() {
  g_written_before_call = 0;
  srcu_struct ss("ss");
  Atomic<int> queued(0, "queued");
  RunThreads({[&] {
                g_written_before_call = 1;
                rcu::call_srcu(&ss, [] {});
                queued.store(1, kRelaxed ? std::memory_order_relaxed : std::memory_order_release);
              },
              [&] {
                wait_until([&] {
                  return queued.load(kRelaxed ? std::memory_order_relaxed
                                              : std::memory_order_acquire) == 1;
                });
                rcu::call_srcu(&ss, [] {});
                if (g_written_before_call != 1) std::abort();
              }});
  rcu::srcu_barrier(&ss);
  rcu::cleanup_srcu_struct(&ss);
}

RACEFUZZ_CANARY(srcu_call_srcu_orders_no_callers,
                {
                    .clause = "call_srcu gives no happens-before between two threads that call "
                              "it: each queues on its own CPU's list",
                    .builds = kTsan,
                    .expect = {"WARNING: ThreadSanitizer: data race", "TwoCallSrcuCallers",
                               "racefuzz timeline", "T0 call_srcu ss#0", "T1 call_srcu ss#0",
                               "SUMMARY: ThreadSanitizer: data race"},
                    .violate = [] { TwoCallSrcuCallers<true>(); },
                    .clean = [] { TwoCallSrcuCallers<false>(); },
                });

// A semaphore-like section taken on T0 is released on T1 (the index travels), then released again
// there (a double up); the twin releases it once.
template <bool kTwice>
void UpReadOnAnotherThread() {
  srcu_struct ss("ss");
  Atomic<int> handed(-1, "handed_idx");
  RunThreads({[&] { handed.store(rcu::srcu_down_read(&ss), std::memory_order_release); },
              [&] {
                wait_until([&] { return handed.load(std::memory_order_acquire) != -1; });
                const int idx = handed.load(std::memory_order_acquire);
                rcu::srcu_up_read(&ss, idx);
                if (kTwice) rcu::srcu_up_read(&ss, idx);
              }});
  rcu::cleanup_srcu_struct(&ss);
}

RACEFUZZ_CANARY(srcu_up_read_unmatched,
                {
                    .clause = "srcu_up_read(ssp, idx), on any thread, releases an open "
                              "srcu_down_read section of ssp taken with idx, once",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: srcu-up-read-unmatched",
                               "T1 calls srcu_up_read(ss, 0) but no srcu_down_read section of ss "
                               "taken with index 0 is open",
                               "racefuzz timeline", "T0 srcu_down_read ss#0",
                               "T1 srcu_up_read ss#0", "T1 srcu_up_read ss#0",
                               "SUMMARY: racefuzz: srcu-up-read-unmatched"},
                    .violate = [] { UpReadOnAnotherThread<true>(); },
                    .clean = [] { UpReadOnAnotherThread<false>(); },
                });

}  // namespace
}  // namespace racefuzz::canary
