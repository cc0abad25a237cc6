#include "core/sched/scheduler.h"

#include <array>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>
#include <gtest/gtest.h>

#include "core/sched/byte_source.h"
#include "core/sched/harness.h"
#include "core/sched/input_schedule.h"
#include "core/sched/internal.h"
#include "core/sched/replay_schedule.h"
#include "core/sched/round_robin_schedule.h"
#include "core/sched/sync.h"

namespace racefuzz {
namespace {

TEST(Scheduler, RunsEveryThreadToCompletion) {
  RoundRobinSchedule rr;
  int done[3] = {0, 0, 0};
  Scheduler::Get().Run(rr, [&] {
    for (int t = 0; t < 3; ++t) {
      spawn([&, t] {
        for (int i = 0; i < 5; ++i) yield_point("step");
        done[t] = 1;
      });
    }
  });
  EXPECT_EQ(done[0] + done[1] + done[2], 3);
  EXPECT_GT(Scheduler::Get().trace().decisions().size(), 10u);
}

TEST(Scheduler, MutexSerializesCriticalSections) {
  RoundRobinSchedule rr;
  int counter = 0;
  Mutex mu;
  Scheduler::Get().Run(rr, [&] {
    for (int t = 0; t < 3; ++t) {
      spawn([&] {
        for (int i = 0; i < 10; ++i) {
          Guard g(mu);
          const int v = counter;
          yield_point("between");
          counter = v + 1;
        }
      });
    }
  });
  EXPECT_EQ(counter, 30);
}

// A schedule that runs T0 for its first two decisions (so it takes the lock), then always the
// highest runnable id, and records how many threads were runnable at each decision.
// SAFETY: Pick runs on every fiber with no happens-before between them, like the engine's own
// sources: kept from TSan (RACEFUZZ_SCHED_INTERNAL), on a fixed array (no allocation).
class HoldThenHighest : public ScheduleSource {
 public:
  std::string_view name() const override { return "hold-then-highest"; }
  RACEFUZZ_SCHED_INTERNAL ThreadId Pick(absl::Span<const ThreadId> runnable, ThreadId) override {
    if (decisions < sizes.size()) sizes[decisions] = runnable.size();
    ++decisions;
    return decisions <= 2 ? runnable[0] : runnable.back();
  }
  std::array<size_t, 64> sizes{};
  size_t decisions = 0;
};

// An unlock wakes one sleeper, the oldest, not every thread blocked on the lock: T0 holds the lock
// while T3, T2, T1 block on it in that order; T0's unlock wakes T3 only, and each later unlock the
// next. Waking them all would make 4 threads runnable there, and
// every loser would block again, a wasted switch each (bench/engine: 128 threads).
TEST(Scheduler, UnlockWakesTheOldestSleeperOnly) {
  HoldThenHighest source;
  Mutex mu("mu");
  std::vector<ThreadId> order;
  Scheduler::Get().Run(source, [&] {
    for (int t = 0; t < 4; ++t) {
      spawn([&, t] {
        Guard g(mu);
        if (t == 0) yield_point("hold");
        order.push_back(current_thread());
      });
    }
  });
  EXPECT_EQ(order, (std::vector<ThreadId>{0, 3, 2, 1}));
  // After T0 took the lock, the others block one by one (decisions 3 to 5); from then on the
  // runnable threads are at most T0 (its section over, its body not), the thread that just
  // unlocked and the one sleeper it woke: never a sleeper still queued (4 with wake-all).
  ASSERT_GT(source.decisions, 6u);
  ASSERT_LE(source.decisions, source.sizes.size());
  for (size_t i = 6; i < source.decisions; ++i) {
    EXPECT_LE(source.sizes[i], 3u) << "decision " << i << " of " << source.decisions;
  }
}

TEST(Scheduler, SameInputSameTrace) {
  std::vector<uint8_t> bytes(64);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 37 + 11);
  uint64_t hashes[2];
  for (uint64_t& h : hashes) {
    FuzzedDataProvider fdp(bytes.data(), bytes.size());
    Mutex mu;
    int x = 0;
    h = RunInput(fdp, [&] {
      for (int t = 0; t < 3; ++t) {
        spawn([&] {
          for (int i = 0; i < 4; ++i) {
            Guard g(mu);
            ++x;
          }
        });
      }
    });
  }
  EXPECT_EQ(hashes[0], hashes[1]);
}

TEST(Scheduler, ReplayOfRecordedDecisionsGivesTheSameTrace) {
  std::vector<uint8_t> bytes(40, 0x93);
  auto program = [] {
    for (int t = 0; t < 3; ++t) {
      spawn([] {
        for (int i = 0; i < 6; ++i) yield_point("step");
      });
    }
  };
  ByteSource source(bytes);
  InputSchedule input(source);
  Scheduler::Get().Run(input, program);
  const uint64_t first = Scheduler::Get().trace().hash();
  const auto d = Scheduler::Get().trace().decisions();
  ReplaySchedule replay(std::vector<ThreadId>(d.begin(), d.end()));
  Scheduler::Get().Run(replay, program);
  EXPECT_FALSE(replay.diverged());
  EXPECT_EQ(Scheduler::Get().trace().hash(), first);
}

TEST(Scheduler, JoinWaitsForTheThread) {
  RoundRobinSchedule rr;
  int value = 0;
  int seen = -1;
  Scheduler::Get().Run(rr, [&] {
    spawn([&] {
      const ThreadId child = spawn([&] {
        for (int i = 0; i < 3; ++i) yield_point("work");
        value = 42;
      });
      join(child);
      seen = value;
    });
  });
  EXPECT_EQ(seen, 42);
}

TEST(Scheduler, WaitUntilSeesAnotherThreadsStore) {
  RoundRobinSchedule rr;
  Atomic<int> flag(0, "flag");
  int data = 0;
  int seen = 0;
  Scheduler::Get().Run(rr, [&] {
    spawn([&] {
      wait_until([&] { return flag.load(std::memory_order_acquire) == 1; });
      seen = data;
    });
    spawn([&] {
      data = 7;
      flag.store(1, std::memory_order_release);
    });
  });
  EXPECT_EQ(seen, 7);
}

// A predicate with two yield points can be interrupted after its first read: the schedule here
// (T0 reads under the lock, the switch to T1 comes at T0's unlock, T1 sets the flag and ends)
// leaves T0 with a false answer that is already out of date. It must check again, not park: no
// other thread is left to wake it, so parking is a false deadlock report (the abort fails this
// test).
TEST(Scheduler, WaitUntilWithALockingPredicateMissesNoEvent) {
  Mutex mu("mu");
  bool flag = false;
  bool seen = false;
  // Decisions: T0 first; T0 at its lock; T1 at T0's unlock; T1 at its lock and its unlock.
  ReplaySchedule replay({0, 0, 1, 1, 1});
  Scheduler::Get().Run(replay, [&] {
    spawn([&] {
      wait_until([&] {
        Guard g(mu);
        return flag;
      });
      seen = true;
    });
    spawn([&] {
      Guard g(mu);
      flag = true;
    });
  });
  EXPECT_TRUE(seen);
  EXPECT_FALSE(replay.diverged());
}

// The same window without a lock: `a || b` reads a, and the switch at b's load lets T1 set a and
// end before T0 reads b.
TEST(Scheduler, WaitUntilWithTwoLoadsMissesNoEvent) {
  Atomic<int> a(0, "a");
  Atomic<int> b(0, "b");
  bool seen = false;
  // Decisions: T0 first; T0 at a's load; T1 at b's load; T1 at its store.
  ReplaySchedule replay({0, 0, 1, 1});
  Scheduler::Get().Run(replay, [&] {
    spawn([&] {
      wait_until([&] { return a.load() == 1 || b.load() == 1; });
      seen = true;
    });
    spawn([&] { a.store(1); });
  });
  EXPECT_TRUE(seen);
  EXPECT_FALSE(replay.diverged());
}

// A check whose reads all follow its one switch (a single load) parks as before, even when other
// threads ran at that switch: the fix adds no re-check there, so what a checked-in input schedules
// with such predicates is unchanged. T1's "work" runs at T0's load, T0 reads 0 and parks; T1's
// store wakes it, and it reads 1 at its second check. (Re-checking after any switch would check a
// third time: T1 is picked at the second check's load, and T0 again before T1 stores.)
TEST(Scheduler, WaitUntilWithOneLoadDoesNotCheckAgainBeforeParking) {
  Atomic<int> flag(0, "flag");
  int checks = 0;
  // Decisions: T0 first; T1 at T0's load; T0 at T1's work; T1 at its store (T0 woken by it);
  // a last one for the re-checking version only.
  ReplaySchedule replay({0, 1, 0, 1, 0});
  Scheduler::Get().Run(replay, [&] {
    spawn([&] {
      wait_until([&] {
        ++checks;
        return flag.load() == 1;
      });
    });
    spawn([&] {
      yield_point("work");
      flag.store(1);
    });
  });
  EXPECT_EQ(checks, 2);
}

// The most threads one run holds all run, in both executing modes, and each sees the others' locked
// updates: kMaxThreads threads (each also spawned by a thread, not only by the setup) add under one
// mutex. Run twice in deterministic mode, so the second run reuses the first one's thread records.
TEST(Scheduler, RunsTheMostThreadsItHolds) {
  static_assert(kMaxThreads >= 256);
  for (const Mode mode : {Mode::kDeterministic, Mode::kDeterministic, Mode::kThreads}) {
    HarnessConfig config;
    config.mode = mode;
    SetHarnessConfig(config);
    const std::vector<uint8_t> schedule(4096, 0x5a);
    Mutex mu;
    int sum = 0;
    RunInput(schedule, [&] {
      for (int t = 0; t < kMaxThreads / 2; ++t) {
        spawn([&] {
          spawn([&] {
            Guard g(mu);
            ++sum;
          });
          Guard g(mu);
          ++sum;
        });
      }
    });
    EXPECT_EQ(sum, kMaxThreads) << "mode " << static_cast<int>(mode);
  }
  SetHarnessConfig(HarnessConfig{});
}

// More threads than the engine holds is the program's property, not a bug it has: a usage error
// with exit status 2 (libFuzzer saves no crash for it), never an abort.
void SpawnOneTooMany(Mode mode) {
  HarnessConfig config;
  config.mode = mode;
  SetHarnessConfig(config);
  const uint8_t schedule[] = {0};
  RunInput(schedule, [] {
    for (int t = 0; t <= kMaxThreads; ++t) spawn([] { yield_point("step"); });
  });
}

TEST(SchedulerDeathTest, TooManyThreadsIsAUsageErrorWithExitStatus2) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  for (const Mode mode : {Mode::kDeterministic, Mode::kThreads}) {
    EXPECT_EXIT(SpawnOneTooMany(mode), testing::ExitedWithCode(2),
                "usage error: the program spawns more than [0-9]+ simulated threads");
  }
}

}  // namespace
}  // namespace racefuzz
