// The update side of Rcu<P> and lockdep_is_held: rcu_access_pointer, rcu_dereference_protected,
// rcu_replace_pointer, synchronize_rcu_expedited (core/rcu/rcu.h, grace_period.h, sync.h).
#include <cstdint>
#include <optional>
#include <set>

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

// Lockless publishers (Rcu::xchg, the kernel's xchg publish): under every schedule, each caller
// gets a different old object, and the one left published is the one no caller got back; readers
// see every published object initialized (TSan: the exchange's Release). In SC runs and in weak
// runs, where the exchange is the model's read-modify-write (ModelledField::exchange).
void XchgCallersEachGetAnotherOldObject(MemoryMode memory) {
  const HarnessConfig saved = GetHarnessConfig();
  HarnessConfig config = saved;
  config.memory = memory;
  SetHarnessConfig(config);
  for (int i = 0; i < 300; ++i) {
    uint8_t bytes[24];
    for (size_t b = 0; b < sizeof bytes; ++b) bytes[b] = static_cast<uint8_t>(i * 31 + b * 7);
    Rcu<KBox<int>> x(KBox<int>::make(0), 6);
    int got[3] = {-1, -1, -1};
    RunInput(absl::Span<const uint8_t>(bytes), [&] {
      for (int t = 0; t < 3; ++t) {
        spawn([&, t] {
          std::optional<RcuOld<KBox<int>>> old = x.xchg(KBox<int>::make(t + 1));
          ASSERT_TRUE(old.has_value());
          got[t] = *old->get();
        });
      }
      spawn([&] {
        rcu::Guard g = rcu::read_lock();
        if (auto b = x.dereference(g)) EXPECT_LE(**b, 3);
      });
    });
    const int* left = x.dereference_protected(true);
    ASSERT_NE(left, nullptr);
    std::set<int> all = {got[0], got[1], got[2], *left};
    EXPECT_EQ(all, (std::set<int>{0, 1, 2, 3})) << "schedule " << i;
  }
  SetHarnessConfig(saved);
}

TEST(UpdateSide, XchgCallersEachGetAnotherOldObject) {
  XchgCallersEachGetAnotherOldObject(MemoryMode::kSc);
}
TEST(UpdateSide, XchgCallersEachGetAnotherOldObjectInWeakRuns) {
  XchgCallersEachGetAnotherOldObject(MemoryMode::kWeak);
}

TEST(UpdateSideDeathTest, XchgDuringCopyUpdateIsReported) {
  EXPECT_DEATH(
      {
        Rcu<KBox<int>> x(KBox<int>::make(1), 8);
        RoundRobinSchedule rr;
        Scheduler::Get().Run(rr, [&] {
          spawn([&] {
            std::optional<RcuOld<KBox<int>>> old = x.copy_update([](const int*) {
              yield_point("compute_next");
              return std::optional<KBox<int>>(KBox<int>::make(2));
            });
          });
          spawn([&] { std::optional<RcuOld<KBox<int>>> old = x.xchg(KBox<int>::make(3)); });
        });
      },
      "rcu-concurrent-updaters.*T1 xchg's rcu#8 while T0 is updating it with copy_update");
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
