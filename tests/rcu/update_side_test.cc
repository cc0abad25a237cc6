// The update side of Rcu<P> and lockdep_is_held: rcu_access_pointer, rcu_dereference_protected,
// rcu_replace_pointer, synchronize_rcu_expedited (core/rcu/rcu.h, grace_period.h, sync.h).
#include <optional>

#include <fuzzer/FuzzedDataProvider.h>
#include <gtest/gtest.h>

#include "core/rcu/rcu.h"
#include "core/sched/harness.h"
#include "core/sched/round_robin_schedule.h"
#include "core/sched/scheduler.h"
#include "core/sched/sync.h"

namespace racefuzz::rcu {
namespace {

// lockdep_is_held is true for the holder only, in a run's threads and its setup.
template <typename L>
void HeldByTheHolderOnly() {
  L lock("held");
  Atomic<int> locked(0, "locked");
  Atomic<int> checked(0, "checked");
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [&] {
    EXPECT_FALSE(lockdep_is_held(lock));
    lock.lock();
    EXPECT_TRUE(lockdep_is_held(lock));
    lock.unlock();
    EXPECT_FALSE(lockdep_is_held(lock));
    spawn([&] {
      lock.lock();
      EXPECT_TRUE(lockdep_is_held(lock));
      locked.store(1);
      wait_until([&] { return checked.load() == 1; });
      lock.unlock();
      EXPECT_FALSE(lockdep_is_held(lock));
    });
    spawn([&] {
      wait_until([&] { return locked.load() == 1; });
      EXPECT_FALSE(lockdep_is_held(lock));  // held, but by T0
      checked.store(1);
    });
  });
}

TEST(LockdepIsHeld, MutexIsHeldByItsHolderOnly) { HeldByTheHolderOnly<Mutex>(); }
TEST(LockdepIsHeld, SpinLockIsHeldByItsHolderOnly) { HeldByTheHolderOnly<SpinLock>(); }

TEST(LockdepIsHeld, ThreadsModeAndOutsideRuns) {
  Mutex mu("mu");
  EXPECT_FALSE(lockdep_is_held(mu));
  mu.lock();
  EXPECT_TRUE(lockdep_is_held(mu));
  mu.unlock();
  const HarnessConfig saved = GetHarnessConfig();
  HarnessConfig threads = saved;
  threads.mode = Mode::kThreads;
  SetHarnessConfig(threads);
  for (int iter = 0; iter < 20; ++iter) {
    Atomic<int> holds(0, "holds");
    FuzzedDataProvider fdp(nullptr, 0);
    RunInput(fdp, [&] {
      spawn([&] {
        racefuzz::Guard<Mutex> g(mu);
        EXPECT_TRUE(lockdep_is_held(mu));
        holds.store(1);
        wait_until([&] { return holds.load() == 2; });
      });
      spawn([&] {
        wait_until([&] { return holds.load() == 1; });
        EXPECT_FALSE(lockdep_is_held(mu));
        holds.store(2);
      });
    });
  }
  SetHarnessConfig(saved);
}

// access_pointer compares with what dereference returns, needs no guard, and tells null apart.
TEST(UpdateSide, AccessPointerComparesWithTheDereferencedObject) {
  Rcu<KBox<int>> x(KBox<int>::make(7));
  const void* value = x.access_pointer();
  ASSERT_NE(value, nullptr);
  {
    Guard g = read_lock();
    EXPECT_EQ(value, x.dereference(g)->get());
  }
  std::optional<RcuOld<KBox<int>>> old = x.replace(KBox<int>::make(8));
  EXPECT_NE(x.access_pointer(), value);
  EXPECT_EQ(old->get(), value);
  old.reset();
  Rcu<KBox<int>> empty(nullptr);
  EXPECT_EQ(empty.access_pointer(), nullptr);
}

// replace_pointer under the lock returns the old object; dereference_protected sees the new one.
TEST(UpdateSide, ReplacePointerUnderTheLock) {
  Rcu<KBox<int>> x(KBox<int>::make(1));
  SpinLock update_lock("update_lock");
  update_lock.lock();
  std::optional<RcuOld<KBox<int>>> old =
      x.replace_pointer(KBox<int>::make(2), lockdep_is_held(update_lock));
  EXPECT_EQ(*x.dereference_protected(lockdep_is_held(update_lock)), 2);
  update_lock.unlock();
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(*old->get(), 1);
  old.reset();
}

TEST(UpdateSideDeathTest, ReplacePointerWithoutTheLockIsReported) {
  Rcu<KBox<int>> x(KBox<int>::make(1), 5);
  SpinLock update_lock("update_lock");
  EXPECT_DEATH((void)x.replace_pointer(KBox<int>::make(2), lockdep_is_held(update_lock)),
               "rcu-dereference-unprotected.*calls rcu_replace_pointer on rcu#5 with its "
               "protection false");
}

// synchronize_rcu_expedited waits for a reader that was in its section when it was called.
TEST(UpdateSide, SynchronizeRcuExpeditedWaitsForPreexistingReaders) {
  Atomic<int> in_section(0, "in_section");
  Atomic<int> reader_done(0, "reader_done");
  int seen = -1;
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [&] {
    spawn([&] {
      Guard g = read_lock();
      in_section.store(1);
      for (int i = 0; i < 4; ++i) yield_point("reading");
      reader_done.store(1);
    });
    spawn([&] {
      wait_until([&] { return in_section.load() == 1; });
      synchronize_rcu_expedited();
      seen = reader_done.load();
    });
  });
  EXPECT_EQ(seen, 1);
}

}  // namespace
}  // namespace racefuzz::rcu
