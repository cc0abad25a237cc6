// SRCU as its own flavour (core/rcu/srcu.h): grace periods wait for the domain's pre-existing
// readers only, sections may sleep, call_srcu / srcu_barrier, the index check, in deterministic
// runs, in threads mode and outside runs.
#include <gtest/gtest.h>

#include <fuzzer/FuzzedDataProvider.h>

#include "core/rcu/read_side.h"
#include "core/rcu/srcu.h"
#include "core/sched/harness.h"
#include "core/sched/round_robin_schedule.h"
#include "core/sched/scheduler.h"
#include "core/sched/sync.h"

namespace racefuzz::rcu {
namespace {

// T0 is inside a section of `reader_domain` until T1's grace period of `gp_domain` has ended, or
// (same domain) until T1 has asked for it. Returns whether the reader was still inside when the
// grace period ended.
bool ReaderInsideAtGracePeriodEnd(bool same_domain) {
  srcu_struct a("ss_a");
  srcu_struct b("ss_b");
  srcu_struct& gp_domain = same_domain ? a : b;
  Atomic<int> inside(0, "inside");
  Atomic<int> asked(0, "asked");
  Atomic<int> gp_done(0, "gp_done");
  bool inside_at_end = false;
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [&] {
    spawn([&] {
      const int idx = srcu_read_lock(&a);
      inside.store(1);
      // Waits inside the section: SRCU readers may block.
      wait_until([&] { return same_domain ? asked.load() == 1 : gp_done.load() == 1; });
      for (int i = 0; i < 8; ++i) yield_point("reader_busy");
      inside.store(0);
      srcu_read_unlock(&a, idx);
    });
    spawn([&] {
      wait_until([&] { return inside.load() == 1; });
      asked.store(1);
      synchronize_srcu(&gp_domain);
      inside_at_end = inside.load() == 1;
      gp_done.store(1);
    });
  });
  cleanup_srcu_struct(&a);
  cleanup_srcu_struct(&b);
  return inside_at_end;
}

TEST(Srcu, SynchronizeSrcuWaitsForTheDomainsPreexistingReader) {
  EXPECT_FALSE(ReaderInsideAtGracePeriodEnd(/*same_domain=*/true));
}

// A reader of one domain does not delay another's grace period: the reader waits for that grace
// period inside its section, which would be a deadlock if it did.
TEST(Srcu, AnotherDomainsReaderDoesNotDelayTheGracePeriod) {
  EXPECT_TRUE(ReaderInsideAtGracePeriodEnd(/*same_domain=*/false));
}

// A Mutex (which may sleep) inside an SRCU section is allowed: RCU's might_sleep check does not
// fire; inside rcu_read_lock it would (canary rcu_mutex_lock_in_read_side).
TEST(Srcu, SectionsMaySleep) {
  srcu_struct ss("ss");
  Mutex mu("mu");
  int n = 0;
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [&] {
    for (int t = 0; t < 2; ++t) {
      spawn([&] {
        const int idx = srcu_read_lock(&ss);
        EXPECT_TRUE(srcu_read_lock_held(&ss));
        EXPECT_FALSE(rcu_read_lock_held());
        {
          racefuzz::Guard<Mutex> lock(mu);
          ++n;
        }
        srcu_read_unlock(&ss, idx);
        EXPECT_FALSE(srcu_read_lock_held(&ss));
      });
    }
  });
  EXPECT_EQ(n, 2);
}

// Nested sections across a grace period take different indices; each unlock names its own.
TEST(Srcu, NestedSectionsAcrossAGracePeriodTakeBothIndices) {
  srcu_struct ss("ss");
  const int outer = srcu_read_lock(&ss);
  srcu_struct other("other");
  synchronize_srcu(&other);  // another domain's grace period flips only its own index
  const int same = srcu_read_lock(&ss);
  EXPECT_EQ(outer, same);
  srcu_read_unlock(&ss, same);
  srcu_read_unlock(&ss, outer);
  synchronize_srcu(&ss);
  const int next = srcu_read_lock(&ss);
  EXPECT_NE(outer, next);
  srcu_read_unlock(&ss, next);
}

// call_srcu's callback runs after a grace period (the domain's kthread in a deterministic run,
// srcu_barrier elsewhere); srcu_barrier waits for it.
TEST(Srcu, CallSrcuRunsItsCallbackBySrcuBarrier) {
  for (const bool in_run : {true, false}) {
    srcu_struct ss("ss");
    int ran = 0;
    auto body = [&] {
      call_srcu(&ss, [&] { ++ran; });
      call_srcu(&ss, [&] { ran *= 10; });  // queue order
      srcu_barrier(&ss);
      EXPECT_EQ(ran, 10);
    };
    if (in_run) {
      RoundRobinSchedule rr;
      Scheduler::Get().Run(rr, [&] { spawn(body); });
    } else {
      body();
    }
    EXPECT_EQ(ran, 10);
    cleanup_srcu_struct(&ss);
  }
}

// A thread that only waits for a callback's effect is no deadlock: the kthread runs it.
TEST(Srcu, WaitingForACallbacksEffectIsNoDeadlock) {
  srcu_struct ss("ss");
  Atomic<int> ran(0, "ran");
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [&] {
    spawn([&] {
      call_srcu(&ss, [&] { ran.store(1); });
      wait_until([&] { return ran.load() == 1; });
    });
  });
  EXPECT_EQ(ran.load(), 1);
}

TEST(Srcu, ThreadsMode) {
  const HarnessConfig saved = GetHarnessConfig();
  HarnessConfig threads = saved;
  threads.mode = Mode::kThreads;
  SetHarnessConfig(threads);
  for (int iter = 0; iter < 20; ++iter) {
    srcu_struct ss("ss");
    Atomic<int*> p(new int(1), "p");
    FuzzedDataProvider fdp(nullptr, 0);
    RunInput(fdp, [&] {
      spawn([&] {
        const int idx = srcu_read_lock(&ss);
        const int* v = p.load(std::memory_order_acquire);
        EXPECT_GE(*v, 1);
        srcu_read_unlock(&ss, idx);
      });
      spawn([&] {
        int* old = p.exchange(new int(2), std::memory_order_acq_rel);
        synchronize_srcu(&ss);
        delete old;
        int* cur = p.load(std::memory_order_acquire);
        call_srcu(&ss, [] {});
        srcu_barrier(&ss);
        EXPECT_EQ(*cur, 2);
      });
    });
    delete p.load();
    cleanup_srcu_struct(&ss);
  }
  SetHarnessConfig(saved);
}

TEST(SrcuDeathTest, UnlockWithTheOtherIndexIsReported) {
  EXPECT_DEATH(
      {
        srcu_struct ss("ss");
        const int idx = srcu_read_lock(&ss);
        srcu_read_unlock(&ss, idx ^ 1);
      },
      "srcu-unlock-wrong-index");
}

TEST(SrcuDeathTest, UnlockOfAnotherDomainIsReported) {
  EXPECT_DEATH(
      {
        srcu_struct a("ss_a");
        srcu_struct b("ss_b");
        const int idx = srcu_read_lock(&a);
        srcu_read_unlock(&b, idx);
      },
      "srcu-unlock-wrong-index");
}

TEST(SrcuDeathTest, CleanupWithACallbackPendingIsReported) {
  EXPECT_DEATH(
      {
        srcu_struct ss("ss");
        call_srcu(&ss, [] {});
        cleanup_srcu_struct(&ss);
      },
      "srcu-cleanup-busy");
}

// synchronize_srcu inside the caller's own section of the same domain waits for itself: the
// engine reports the deadlock.
TEST(SrcuDeathTest, SynchronizeSrcuInsideItsOwnReaderDeadlocks) {
  EXPECT_DEATH(
      {
        srcu_struct ss("ss");
        RoundRobinSchedule rr;
        Scheduler::Get().Run(rr, [&] {
          spawn([&] {
            const int idx = srcu_read_lock(&ss);
            synchronize_srcu(&ss);
            srcu_read_unlock(&ss, idx);
          });
        });
      },
      "deadlock");
}

}  // namespace
}  // namespace racefuzz::rcu
