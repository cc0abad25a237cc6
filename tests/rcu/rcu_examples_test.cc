// The examples of the seed's doc comments (rust/kernel/sync/rcu.rs, seed 004), ported.
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

// `Rcu::dereference`: read under the RCU read lock.
TEST(RcuExamples, Dereference) {
  Rcu<KBox<int>> x(KBox<int>::make(100));
  Guard g = read_lock();
  std::optional<Borrow<int>> v = x.dereference(g);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(**v, 100);
}

struct Config {
  int a;
  int b;
  int c;
};

// `Rcu::dereference`: a worker keeps reading the object after dropping its reference to the Rcu;
// the main thread waits for the drop, then drops the Rcu (which waits a grace period).
struct ConfigExample {
  using Shared = Arc<Rcu<KBox<Config>>>;
  std::optional<Shared> shared = Shared::make(KBox<Config>::make(Config{1, 2, 3}));
  std::optional<Shared> cloned = shared->clone();
  // Use an atomic to simulate a special refcounting.
  Atomic<int> flag{0, "FLAG"};
  int seen_a = 0;

  // The run's setup: the work item and the main thread.
  void operator()() {
    spawn([this] {
      Guard g = read_lock();
      Borrow<Config> v = *(*cloned)->dereference(g);
      cloned.reset();  // release the reference to `shared`.
      flag.store(1, std::memory_order_release);
      yield_point("worker_keeps_reading");
      seen_a = v->a;  // but still need to access `v`.
      g.unlock();
    });
    spawn([this] {
      // Wait until `cloned` is dropped.
      wait_until([this] { return flag.load(std::memory_order_acquire) == 1; }, "wait_flag");
      shared.reset();  // the last reference: ~Rcu waits for the worker's section, then frees.
    });
  }
};

TEST(RcuExamples, ConfigWorkerReadsAfterDroppingItsReference) {
  RoundRobinSchedule rr;
  ConfigExample example;
  Scheduler::Get().Run(rr, [&] { example(); });
  EXPECT_EQ(example.seen_a, 1);
  EXPECT_FALSE(example.shared.has_value());
}

TEST(RcuExamples, ConfigUnderInputSchedules) {
  // Every interleaving the input picks is correct: no report, whatever the bytes.
  for (int seed = 0; seed < 64; ++seed) {
    uint8_t bytes[32];
    for (int i = 0; i < 32; ++i) bytes[i] = static_cast<uint8_t>(seed * 131 + i * 17);
    FuzzedDataProvider fdp(bytes, sizeof(bytes));
    ConfigExample example;
    RunInput(fdp, [&] { example(); });
    EXPECT_EQ(example.seen_a, 1);
  }
}

// `Rcu::replace`: a reader keeps the old value; new readers get the new one; the old value is
// freed outside the read-side critical section.
TEST(RcuExamples, Replace) {
  Rcu<KBox<int>> x(KBox<int>::make(100));
  KBox<int> q = KBox<int>::make(101);

  Guard g = read_lock();
  std::optional<Borrow<int>> v = x.dereference(g);

  std::optional<RcuOld<KBox<int>>> old = x.replace(std::move(q));
  ASSERT_TRUE(old.has_value());

  // `v` still reads the old value.
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(**v, 100);
  // New readers get the new value.
  EXPECT_EQ(**x.dereference(g), 101);

  g.unlock();
  // Can free the object outside the read-side critical section.
  old.reset();
}

// `copy_update` returns the old value, or nothing if the pointer was null; null can be stored.
TEST(RcuExamples, CopyUpdateNullAndOld) {
  Rcu<KBox<int>> x(nullptr);
  {
    Guard g = read_lock();
    EXPECT_FALSE(x.dereference(g).has_value());
  }
  EXPECT_FALSE(x.copy_update([](const int* old) {
                  EXPECT_EQ(old, nullptr);
                  return std::optional<KBox<int>>(KBox<int>::make(7));
                }).has_value());
  std::optional<RcuOld<KBox<int>>> old = x.copy_update([](const int* old) {
    EXPECT_EQ(*old, 7);
    return std::optional<KBox<int>>(KBox<int>::make(*old + 1));
  });
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(*old->get(), 7);
  old.reset();
  std::optional<RcuOld<KBox<int>>> last =
      x.copy_update([](const int*) { return std::optional<KBox<int>>(); });
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(*last->get(), 8);
  Guard g = read_lock();
  EXPECT_FALSE(x.dereference(g).has_value());
  g.unlock();
}

// Arc works as the foreign owner: the Rcu holds one reference.
TEST(RcuExamples, ArcOwner) {
  Arc<int> a = Arc<int>::make(5);
  Rcu<Arc<int>> x(a.clone());
  {
    Guard g = read_lock();
    EXPECT_EQ(**x.dereference(g), 5);
  }
  std::optional<RcuOld<Arc<int>>> old = x.replace(Arc<int>::make(6));
  old.reset();
  EXPECT_EQ(*a, 5);  // our reference keeps the first object alive
}

// Guards nest: the section ends with the last guard, whatever the order of drops.
TEST(RcuExamples, GuardsNest) {
  EXPECT_FALSE(rcu_read_lock_held());
  {
    Guard outer = read_lock();
    {
      Guard inner = read_lock();
      EXPECT_TRUE(rcu_read_lock_held());
    }
    EXPECT_TRUE(rcu_read_lock_held());
  }
  EXPECT_FALSE(rcu_read_lock_held());
  std::optional<Guard> first(read_lock());
  Guard second = read_lock();
  first.reset();
  EXPECT_TRUE(rcu_read_lock_held());
  second.unlock();
  EXPECT_FALSE(rcu_read_lock_held());
}

}  // namespace
}  // namespace racefuzz::rcu
