// Grace periods, call_rcu / kfree_rcu / rcu_barrier, the age oracle, and threads mode.
#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>
#include <gtest/gtest.h>

#include "core/rcu/rcu.h"
#include "core/rcu/torture.h"
#include "core/sched/harness.h"
#include "core/sched/round_robin_schedule.h"
#include "core/sched/scheduler.h"
#include "core/sched/sync.h"
#include "tests/rcu/for_each_schedule.h"

namespace racefuzz::rcu {
namespace {

// synchronize_rcu returns only after a reader that was in its section at the start has left it.
TEST(GracePeriod, WaitsForPreexistingReaders) {
  for (int spins = 0; spins < 8; ++spins) {
    Atomic<int> in_section(0, "in_section");
    Atomic<int> reader_done(0, "reader_done");
    int done_seen_by_updater = -1;
    RoundRobinSchedule rr;
    Scheduler::Get().Run(rr, [&] {
      spawn([&] {
        Guard g = read_lock();
        in_section.store(1, std::memory_order_release);
        for (int i = 0; i < spins; ++i) yield_point("reading");
        reader_done.store(1, std::memory_order_release);
      });
      spawn([&] {
        wait_until([&] { return in_section.load(std::memory_order_acquire) == 1; });
        synchronize_rcu();
        done_seen_by_updater = reader_done.load(std::memory_order_acquire);
      });
    });
    EXPECT_EQ(done_seen_by_updater, 1) << "spins " << spins;
  }
}

// A reader that keeps starting new sections does not hold a grace period up forever.
TEST(GracePeriod, DoesNotWaitForNewReaders) {
  Atomic<int> stop(0, "stop");
  uint64_t elapsed = 0;
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [&] {
    // Grace periods are numbered per run (run_state.h): the cookie is taken in the run.
    const uint64_t cookie = get_state_synchronize_rcu();
    spawn([&] {
      while (stop.load(std::memory_order_acquire) == 0) {
        Guard g = read_lock();
        yield_point("reading");
      }
    });
    spawn([&, cookie] {
      for (int i = 0; i < 5; ++i) synchronize_rcu();
      elapsed = grace_periods_since(cookie);
      stop.store(1, std::memory_order_release);
    });
  });
  // A grace period that waited for the reader's later sections would never end: a livelock
  // report (abort) instead of five completed grace periods.
  EXPECT_EQ(elapsed, 5u);
}

TEST(GracePeriod, PolledCookies) {
  const uint64_t cookie = get_state_synchronize_rcu();
  EXPECT_FALSE(poll_state_synchronize_rcu(cookie));
  EXPECT_EQ(grace_periods_since(cookie), 0u);
  synchronize_rcu();
  EXPECT_TRUE(poll_state_synchronize_rcu(cookie));
  synchronize_rcu();
  EXPECT_EQ(grace_periods_since(cookie), 2u);
}

// cond_synchronize_rcu waits for a grace period only when none has elapsed since the cookie.
TEST(GracePeriod, CondSynchronizeRcuWaitsOnlyWithoutAnElapsedGracePeriod) {
  const uint64_t cookie = get_state_synchronize_rcu();
  cond_synchronize_rcu(cookie);
  EXPECT_EQ(grace_periods_since(cookie), 1u);
  cond_synchronize_rcu(cookie);  // one has elapsed: returns at once
  EXPECT_EQ(grace_periods_since(cookie), 1u);
}

// The age oracle's reader snapshot: a section open at the snapshot and still open at the check is
// a grace period too short; one that ended since, or began after the snapshot, is not.
TEST(AgeOracle, ReportsAReaderStillInsideItsSectionFromTheSnapshot) {
  Guard g = read_lock();
  const internal::ReaderSnapshot at_unpublish = internal::ReaderSnapshot::Take();
  EXPECT_DEATH(at_unpublish.CheckReadersLeft("frees an object", "its unpublish"),
               "rcu-grace-period-too-short.*frees an object while code outside the simulated "
               "threads .* is still inside the read-side critical section it was in at its "
               "unpublish");
  g.unlock();
  at_unpublish.CheckReadersLeft("frees an object", "its unpublish");
}

TEST(AgeOracle, IgnoresSectionsThatBeganAfterTheSnapshot) {
  const internal::ReaderSnapshot at_unpublish = internal::ReaderSnapshot::Take();
  Guard g = read_lock();
  at_unpublish.CheckReadersLeft("frees an object", "its unpublish");
}

// RcuOld::reset_after frees at once with a cookie from after the unpublish that a grace period has
// passed, and waits for one otherwise.
TEST(AgeOracle, ResetAfterWaitsForTheCookiesGracePeriod) {
  Rcu<KBox<int>> x(KBox<int>::make(1));
  std::optional<RcuOld<KBox<int>>> old = x.replace(KBox<int>::make(2));
  const uint64_t cookie = get_state_synchronize_rcu();
  old->reset_after(cookie);
  EXPECT_EQ(old->get(), nullptr);
  EXPECT_EQ(grace_periods_since(cookie), 1u);
  old = x.replace(KBox<int>::make(3));
  const uint64_t later = get_state_synchronize_rcu();
  synchronize_rcu();
  old->reset_after(later);
  EXPECT_EQ(old->get(), nullptr) << "a grace period had passed: reset_after frees at once";
  EXPECT_EQ(grace_periods_since(later), 1u);
}

TEST(GracePeriod, TortureAgeCountsGracePeriodsSinceRetirement) {
  TortureAge age;
  EXPECT_EQ(age.age(), 0u);
  synchronize_rcu();
  EXPECT_EQ(age.age(), 0u);  // live objects do not age
  age.retire();
  age.check("object", 1);
  synchronize_rcu();
  EXPECT_EQ(age.age(), 1u);
}

// synchronize_rcu waits for a grace period only: it runs no callback (outside runs, rcu_barrier
// invokes them).
TEST(Callbacks, SynchronizeRcuRunsNoCallback) {
  int ran = 0;
  {
    Guard g = read_lock();
    call_rcu([&] { ++ran; });  // allowed inside a read-side critical section
  }
  EXPECT_EQ(ran, 0);
  synchronize_rcu();
  EXPECT_EQ(ran, 0);
  rcu_barrier();
  EXPECT_EQ(ran, 1);
}

// rcu_barrier waits for the callbacks queued before it, in queue order, and not for one that a
// callback queues (the kernel's rcubarrier.rst example); a later rcu_barrier does.
TEST(Callbacks, RcuBarrierWaitsOnlyForCallbacksQueuedBeforeIt) {
  std::vector<int> order;
  for (int i = 0; i < 4; ++i) call_rcu([&order, i] { order.push_back(i); });
  call_rcu([&] { call_rcu([&] { order.push_back(99); }); });  // queued by a callback
  rcu_barrier();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3}));
  rcu_barrier();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 99}));
}

// rcu_barrier is no grace period: with nothing queued it returns at once.
TEST(Callbacks, RcuBarrierWithNothingQueuedIsNoGracePeriod) {
  rcu_barrier();
  const uint64_t cookie = get_state_synchronize_rcu();
  rcu_barrier();
  EXPECT_EQ(grace_periods_since(cookie), 0u);
}

// The RCU state is the run's (run_state.h): a callback queued outside any run is no part of the
// next run, whose rcu_barrier does not wait for it (it has no rcuo kthread there: a process-wide
// queue made that a deadlock report); an rcu_barrier outside runs invokes it. And the run's own
// callbacks have all run when the run ends.
TEST(Callbacks, ACallbackQueuedOutsideRunsIsNoPartOfTheNextRun) {
  int outside = 0;
  std::atomic<int> inside{0};
  call_rcu([&] { ++outside; });
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [&] {
    spawn([&] {
      call_rcu([&] { inside.store(1, std::memory_order_relaxed); });
      rcu_barrier();
    });
  });
  EXPECT_EQ(inside.load(), 1);
  EXPECT_EQ(outside, 0);
  rcu_barrier();
  EXPECT_EQ(outside, 1);
}

// A callback left queued at a run's end (no rcu_barrier in the run) runs at the run's end: no
// callback outlives its run.
TEST(Callbacks, ACallbackLeftQueuedRunsAtItsRunsEnd) {
  std::atomic<int> ran{0};
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [&] {
    spawn([&] {
      Guard g = read_lock();
      call_rcu([&] { ran.store(1, std::memory_order_relaxed); });
    });
  });
  EXPECT_EQ(ran.load(), 1);
  const uint64_t cookie = get_state_synchronize_rcu();
  rcu_barrier();  // outside runs: nothing of the run is left to wait for
  EXPECT_EQ(grace_periods_since(cookie), 0u);
}

// In a run, callbacks run on their own (the grace-period and rcuo kthreads): a thread that waits
// for a callback's effect is not a deadlock, and synchronize_rcu may return before a callback
// queued before it has run.
TEST(Callbacks, CallbacksRunOnTheirOwnInARun) {
  int returned_before_callback = 0;
  std::atomic<int> ran{0};
  std::atomic<int> seen_at_return{-1};
  ForEachSchedule(
      [&] {
        ran = 0;
        spawn([&] {
          call_rcu([&] { ran.store(1, std::memory_order_relaxed); });
          synchronize_rcu();
          seen_at_return.store(ran.load(std::memory_order_relaxed), std::memory_order_relaxed);
        });
        spawn([&] {
          std::atomic<int> mine{0};
          call_rcu([&] { mine.store(1, std::memory_order_relaxed); });
          wait_until([&] { return mine.load(std::memory_order_relaxed) == 1; });
        });
      },
      [&] {
        EXPECT_EQ(ran.load(), 1);
        returned_before_callback += seen_at_return.load() == 0;
      });
  EXPECT_GT(returned_before_callback, 0);
}

// One thread's callbacks run in the order it queued them; two threads' in either order, as the
// schedule picks (one global FIFO would always run T1's first: it queues first).
TEST(Callbacks, OneThreadsCallbacksRunInQueueOrderOthersInAnyOrder) {
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
          call_rcu([&] { at[0].store(next.fetch_add(1)); });
          call_rcu([&] { at[1].store(next.fetch_add(1)); });
        });
        spawn([&] {
          call_rcu([&] { at[2].store(next.fetch_add(1)); });
          b_queued.store(1, std::memory_order_relaxed);
        });
      },
      [&] {
        EXPECT_LT(at[0].load(), at[1].load());
        (at[0].load() < at[2].load() ? a_before_b : b_before_a) += 1;
      });
  EXPECT_GT(a_before_b, 0);
  EXPECT_GT(b_before_a, 0);
}

TEST(Callbacks, KfreeRcuAndDeferFree) {
  Arc<int> a = Arc<int>::make(1);
  kfree_rcu(a.clone());
  Rcu<Arc<int>> x(a.clone());
  std::optional<RcuOld<Arc<int>>> old = x.replace(Arc<int>::make(2));
  std::move(*old).defer_free();
  rcu_barrier();
  // Both references were dropped after the grace period: only `a` is left (ASan/LSan check the
  // frees; the value is still readable through our reference).
  EXPECT_EQ(*a, 1);
}

// In a deterministic run, callbacks run on the thread that completes the grace period, after the
// readers that could see the object have left their sections.
TEST(Callbacks, CallbackRunsAfterReaders) {
  Atomic<int> reader_done(0, "reader_done");
  Atomic<int> published(0, "published");
  int seen_at_free = -1;
  Rcu<KBox<int>> x(KBox<int>::make(1));
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [&] {
    spawn([&] {
      Guard g = read_lock();
      std::optional<Borrow<int>> v = x.dereference(g);
      published.store(1, std::memory_order_release);
      for (int i = 0; i < 4; ++i) yield_point("reading");
      EXPECT_EQ(**v, 1);
      reader_done.store(1, std::memory_order_release);
    });
    spawn([&] {
      wait_until([&] { return published.load(std::memory_order_acquire) == 1; });
      std::optional<RcuOld<KBox<int>>> old = x.replace(KBox<int>::make(2));
      call_rcu([&] { seen_at_free = reader_done.load(std::memory_order_acquire); });
      std::move(*old).defer_free();
      rcu_barrier();
    });
  });
  EXPECT_EQ(seen_at_free, 1);
}

// Threads mode: the same model on real OS threads (TSan checks the real orderings).
TEST(ThreadsMode, ReadersAndSerializedUpdaters) {
  const HarnessConfig saved = GetHarnessConfig();
  HarnessConfig threads = saved;
  threads.mode = Mode::kThreads;
  SetHarnessConfig(threads);
  for (int iter = 0; iter < 50; ++iter) {
    Rcu<KBox<int>> x(KBox<int>::make(0));
    Mutex updater("updater");
    FuzzedDataProvider fdp(nullptr, 0);
    RunInput(fdp, [&] {
      for (int t = 0; t < 2; ++t) {
        spawn([&] {
          // The updater publishes 1, 2, ..., 10 in order: a reader never sees a value go back.
          int last = 0;
          for (int i = 0; i < 20; ++i) {
            Guard g = read_lock();
            const int v = **x.dereference(g);
            EXPECT_GE(v, last);
            EXPECT_LE(v, 10);
            last = v;
          }
        });
      }
      spawn([&] {
        for (int i = 1; i <= 10; ++i) {
          std::optional<RcuOld<KBox<int>>> old;
          {
            racefuzz::Guard<Mutex> lock(updater);
            old = x.replace(KBox<int>::make(i));
          }
          if (i % 2 == 0) {
            old.reset();
          } else {
            std::move(*old).defer_free();
          }
        }
        rcu_barrier();
      });
    });
  }
  SetHarnessConfig(saved);
}

}  // namespace
}  // namespace racefuzz::rcu
