// Rcu<P> and the RCU lists in the weak memory model (RACEFUZZ_MEMORY=weak; core/rcu/rcu.h,
// list.h): a reader that has not synchronized with an update may read the pointer from before it
// (observed in weak mode, never in SC mode), and a reader whose section begins after
// synchronize_rcu() returned never does (the grace period's guarantee 2 reaches the model), in
// many weak runs. Each program runs under the input schedules 0, 1, 2, ... (a function of their
// index), so every run of the test sees the same outcomes.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "core/rcu/list.h"
#include "core/rcu/rcu.h"
#include "core/rcu/torture.h"
#include "core/sched/byte_source.h"
#include "core/sched/input_schedule.h"
#include "core/sched/scheduler.h"
#include "core/sched/splitmix.h"
#include "core/sched/sync.h"
#include "tests/sched/indexed_schedule.h"

namespace racefuzz::rcu {
namespace {

constexpr int kSchedules = 3000;
constexpr std::memory_order rlx = std::memory_order_relaxed;

enum class Read { kNone, kOld, kNew };

template <typename Threads>
void RunSchedule(int i, MemoryMode memory, Threads threads) {
  ::racefuzz::testing::RunIndexedSchedule<48>(0x5ca1eu, i, memory, threads);
}

// T0 replaces x's object (1) with a new one (2), frees the old one after a grace period and tells
// T1 with a relaxed flag (no happens-before): before the grace period (kAfterReturn false) or after
// synchronize_rcu returned (true). T1 waits for the flag and dereferences x, inside a section that
// began before its wait (false) or after it (true). What T1 read.
template <bool kAfterReturn>
Read ReplaceThenDereference(int i, MemoryMode memory) {
  Rcu<KBox<int>> x(KBox<int>::make(1), 1);
  const void* old_object = x.access_pointer();
  Atomic<int> flag(0, "flag");
  Read read = Read::kNone;
  RunSchedule(i, memory, [&] {
    spawn([&] {
      std::optional<RcuOld<KBox<int>>> old = x.replace(KBox<int>::make(2));
      if (!kAfterReturn) flag.store(1, rlx);
      old.reset();  // synchronize_rcu, then free
      if (kAfterReturn) flag.store(1, rlx);
    });
    spawn([&] {
      std::optional<Guard> g;
      if (!kAfterReturn) g.emplace(read_lock());
      wait_until([&] { return flag.load(rlx) == 1; });
      if (kAfterReturn) g.emplace(read_lock());
      const int* seen = x.dereference(*g)->get();
      // Compared before any read through it: after the return, the old object is freed.
      read = seen == old_object ? Read::kOld : (*seen == 2 ? Read::kNew : Read::kNone);
    });
  });
  return read;
}

struct Entry : list_head {
  explicit Entry(int k) : key(k) {}
  int key;
};

// The same with an RCU list [a, b]: T0 unlinks a (list_del_rcu) and frees it after a grace period;
// T1 reads the list's first entry.
template <bool kAfterReturn>
Read DeleteThenTraverse(int i, MemoryMode memory) {
  list_head head;
  auto* a = new Entry(1);
  auto* b = new Entry(2);
  list_add_tail_rcu(a, &head);
  list_add_tail_rcu(b, &head);
  Atomic<int> flag(0, "flag");
  Read read = Read::kNone;
  RunSchedule(i, memory, [&] {
    spawn([&] {
      list_del_rcu(a);
      if (!kAfterReturn) flag.store(1, rlx);
      synchronize_rcu();
      delete a;
      if (kAfterReturn) flag.store(1, rlx);
    });
    spawn([&] {
      std::optional<Guard> g;
      if (!kAfterReturn) g.emplace(read_lock());
      wait_until([&] { return flag.load(rlx) == 1; });
      if (kAfterReturn) g.emplace(read_lock());
      for (Entry* e : list_for_each_entry_rcu<Entry>(&head)) {
        // Compared before any read through it: after the return, a is freed.
        read = e == a ? Read::kOld : (e->key == 2 ? Read::kNew : Read::kNone);
        break;
      }
    });
  });
  list_del_rcu(b);
  delete b;
  return read;
}

// How often the reader read the old pointer in kSchedules runs (and no run read nothing).
int OldReads(Read (*program)(int, MemoryMode), MemoryMode memory) {
  int old = 0;
  for (int i = 0; i < kSchedules; ++i) {
    const Read r = program(i, memory);
    EXPECT_NE(r, Read::kNone) << "schedule " << i;
    old += r == Read::kOld;
  }
  std::printf("%s: %d of %d runs read the old pointer\n", MemoryModeName(memory).data(), old,
              kSchedules);
  return old;
}

// The first schedule under which the reader read the old pointer reads it again (replay).
void ReplaysTheOldRead(Read (*program)(int, MemoryMode)) {
  for (int i = 0; i < kSchedules; ++i) {
    if (program(i, MemoryMode::kWeak) != Read::kOld) continue;
    for (int again = 0; again < 5; ++again) EXPECT_EQ(program(i, MemoryMode::kWeak), Read::kOld);
    return;
  }
  ADD_FAILURE() << "no schedule read the old pointer";
}

// A reader that has not synchronized with the update may read the old value in weak runs, never in
// SC runs, and the schedule that read it reads it again.
void ExpectOldReadsOnlyInWeakRuns(Read (*program)(int, MemoryMode)) {
  EXPECT_GT(OldReads(program, MemoryMode::kWeak), 0);
  EXPECT_EQ(OldReads(program, MemoryMode::kSc), 0);
  ReplaysTheOldRead(program);
}

TEST(RcuWeak, AnUnsynchronizedReaderMayDereferenceTheOldPointer) {
  ExpectOldReadsOnlyInWeakRuns(&ReplaceThenDereference<false>);
}

TEST(RcuWeak, AReaderAfterSynchronizeRcuNeverDereferencesTheOldPointer) {
  EXPECT_EQ(OldReads(&ReplaceThenDereference<true>, MemoryMode::kWeak), 0);
}

TEST(RcuListWeak, AnUnsynchronizedReaderMaySeeTheUnlinkedEntry) {
  ExpectOldReadsOnlyInWeakRuns(&DeleteThenTraverse<false>);
}

TEST(RcuListWeak, AReaderAfterSynchronizeRcuNeverSeesTheUnlinkedEntry) {
  EXPECT_EQ(OldReads(&DeleteThenTraverse<true>, MemoryMode::kWeak), 0);
}

// TortureAge in weak runs: T0 replaces A with B and waits for a grace period; T1 then replaces B
// with C (serialized by the updater lock), retires B and waits for its own. T0, once its wait has
// returned, reads x: a grace period T1 did not ask for (T0's, if it started after T1's retirement)
// does not order the retirement before T0's section, so T0 may still read B, and B's age must
// then be 0: T1's own grace period waits for T0. (Counting every grace period that started after
// the retirement was a false "rcu-grace-period-too-short" in rcu_ops, rcu_list_ops and page_swap.)
struct Aged {
  explicit Aged(int v) : value(v) {}
  TortureAge age;
  int value;
};

// Whether T0 read B after its retirement, and B's age then.
struct AgedRead {
  bool read_retired = false;
  uint64_t age = 0;
};

AgedRead ReadAfterAnotherUpdate(int i) {
  Rcu<KBox<Aged>> x(KBox<Aged>::make(0), 2);
  SpinLock updater("updater");
  // Not a model location (the test's own bookkeeping): T0 reads the newest value.
  std::atomic<bool> t1_retired_b{false};
  AgedRead out;
  RunSchedule(i, MemoryMode::kWeak, [&] {
    spawn([&] {
      std::optional<RcuOld<KBox<Aged>>> old;
      {
        racefuzz::Guard<SpinLock> l(updater);
        old = x.replace(KBox<Aged>::make(1));
      }
      old->get()->age.retire();
      old.reset();
      Guard g = read_lock();
      const Aged* seen = x.dereference(g)->get();
      if (seen->value == 1) {
        out.age = seen->age.age();
        out.read_retired = t1_retired_b.load(std::memory_order_relaxed);
      }
    });
    spawn([&] {
      std::optional<RcuOld<KBox<Aged>>> old;
      {
        racefuzz::Guard<SpinLock> l(updater);
        old = x.replace(KBox<Aged>::make(2));
      }
      old->get()->age.retire();
      if (old->get()->value == 1) t1_retired_b.store(true, std::memory_order_relaxed);
      old.reset();
    });
  });
  return out;
}

TEST(TortureAgeWeak, CountsOnlyTheGracePeriodsTheRetirerAskedFor) {
  int retired_reads = 0;
  for (int i = 0; i < kSchedules; ++i) {
    const AgedRead r = ReadAfterAnotherUpdate(i);
    EXPECT_EQ(r.age, 0u) << "schedule " << i;
    retired_reads += r.read_retired;
  }
  std::printf("weak: T0 read the object T1 retired in %d of %d runs\n", retired_reads, kSchedules);
  EXPECT_GT(retired_reads, 0);
}

}  // namespace
}  // namespace racefuzz::rcu
