// SRCU as its own flavour (core/rcu/srcu.h): grace periods wait for the domain's pre-existing
// readers only, sections may sleep, call_srcu / srcu_barrier, the index check, in deterministic
// runs, in threads mode and outside runs.
#include <array>
#include <atomic>
#include <vector>

#include <gtest/gtest.h>

#include <fuzzer/FuzzedDataProvider.h>

#include "core/rcu/read_side.h"
#include "core/rcu/srcu.h"
#include "core/sched/harness.h"
#include "core/sched/round_robin_schedule.h"
#include "core/sched/scheduler.h"
#include "core/sched/sync.h"
#include "tests/rcu/for_each_schedule.h"

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

// call_srcu's callback runs after a grace period (its queue's kthread in a deterministic run,
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

// One thread's SRCU callbacks run in the order it queued them; two threads' in either order, as
// the schedule picks (one queue per domain would always run T1's first: it queues first).
TEST(Srcu, OneThreadsCallbacksRunInQueueOrderOthersInAnyOrder) {
  srcu_struct ss("ss");
  int a_before_b = 0, b_before_a = 0;
  std::atomic<int> next{0};
  std::array<std::atomic<int>, 3> at{};  // when a0, a1 and b ran
  std::atomic<int> b_queued{0};
  ForEachSchedule(
      [&] {
        next = 0;
        b_queued = 0;
        spawn([&] {
          wait_until([&] { return b_queued.load(std::memory_order_relaxed) == 1; });
          call_srcu(&ss, [&] { at[0].store(next.fetch_add(1)); });
          call_srcu(&ss, [&] { at[1].store(next.fetch_add(1)); });
        });
        spawn([&] {
          call_srcu(&ss, [&] { at[2].store(next.fetch_add(1)); });
          b_queued.store(1, std::memory_order_relaxed);
        });
      },
      [&] {
        EXPECT_LT(at[0].load(), at[1].load());
        (at[0].load() < at[2].load() ? a_before_b : b_before_a) += 1;
      });
  EXPECT_GT(a_before_b, 0);
  EXPECT_GT(b_before_a, 0);
  cleanup_srcu_struct(&ss);
}

// srcu_barrier waits for the callbacks queued before it, in queue order, and not for one that a
// callback queues (on its own queue), in a run and outside runs.
TEST(Srcu, SrcuBarrierWaitsOnlyForCallbacksQueuedBeforeIt) {
  for (const bool in_run : {true, false}) {
    srcu_struct ss("ss");
    std::vector<int> order;
    auto body = [&] {
      for (int i = 0; i < 4; ++i) call_srcu(&ss, [&order, i] { order.push_back(i); });
      call_srcu(&ss, [&] { call_srcu(&ss, [&] { order.push_back(99); }); });
      srcu_barrier(&ss);
      if (!in_run) EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
      srcu_barrier(&ss);
      EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 99}));
    };
    if (in_run) {
      RoundRobinSchedule rr;
      Scheduler::Get().Run(rr, [&] { spawn(body); });
    } else {
      body();
    }
    cleanup_srcu_struct(&ss);
  }
}

// A semaphore-like section taken on T0, which then exits (no leak: the section is no thread's),
// and released on T1: T2's grace period, asked for while it is open, waits for T1's up_read.
TEST(Srcu, GracePeriodWaitsForADownReadSectionReleasedOnAnotherThread) {
  srcu_struct ss("ss");
  Atomic<int> handed(-1, "handed_idx");
  Atomic<int> inside(0, "inside");
  Atomic<int> asked(0, "asked");
  bool inside_at_end = true;
  bool held_on_down = true;
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [&] {
    spawn([&] {
      const int idx = srcu_down_read(&ss);
      held_on_down = srcu_read_lock_held(&ss);
      inside.store(1);
      handed.store(idx);
    });
    spawn([&] {
      wait_until([&] { return handed.load() != -1 && asked.load() == 1; });
      for (int i = 0; i < 8; ++i) yield_point("reader_busy");
      inside.store(0);
      srcu_up_read(&ss, handed.load());
    });
    spawn([&] {
      wait_until([&] { return inside.load() == 1; });
      asked.store(1);
      synchronize_srcu(&ss);
      inside_at_end = inside.load() == 1;
    });
  });
  EXPECT_FALSE(held_on_down);
  EXPECT_FALSE(inside_at_end);
  cleanup_srcu_struct(&ss);
}

// A down section that takes the index after a grace period's flip is not waited for: the grace
// period ends while it is open (it would deadlock otherwise: the reader waits for the end).
TEST(Srcu, GracePeriodDoesNotWaitForALaterDownReadSection) {
  srcu_struct ss("ss");
  Atomic<int> gp_done(0, "gp_done");
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [&] {
    const int pre = srcu_down_read(&ss);  // holds the first grace period until T1 releases it
    spawn([&] {
      synchronize_srcu(&ss);
      gp_done.store(1);
    });
    spawn([&, pre] {
      // After T0's flip (its grace period is waiting for `pre`): a new down section.
      for (int i = 0; i < 4; ++i) yield_point("let_the_gp_start");
      const int idx = srcu_down_read(&ss);
      EXPECT_NE(idx, pre);
      srcu_up_read(&ss, pre);
      wait_until([&] { return gp_done.load() == 1; });
      srcu_up_read(&ss, idx);
    });
  });
  EXPECT_EQ(gp_done.load(), 1);
  cleanup_srcu_struct(&ss);
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

TEST(SrcuDeathTest, UpReadWithNoDownReadIsReported) {
  EXPECT_DEATH(
      {
        srcu_struct ss("ss");
        const int idx = srcu_down_read(&ss);
        srcu_up_read(&ss, idx ^ 1);
      },
      "srcu-up-read-unmatched");
}

TEST(SrcuDeathTest, CleanupWithADownReadOpenIsReported) {
  EXPECT_DEATH(
      {
        srcu_struct ss("ss");
        (void)srcu_down_read(&ss);
        cleanup_srcu_struct(&ss);
      },
      "srcu-cleanup-busy");
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
