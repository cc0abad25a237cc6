// CondVar, completion and wait queues (core/sched/condvar.h, completion.h, wait_queue.h): they
// do what they promise under every schedule the input picks, in deterministic and threads mode;
// a wait nobody ends is a deadlock report naming its site; the input decides spurious wake-ups;
// the same input gives the same trace.
#include <cstdint>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>
#include <gtest/gtest.h>

#include "core/sched/byte_source.h"
#include "core/sched/completion.h"
#include "core/sched/condvar.h"
#include "core/sched/harness.h"
#include "core/sched/input_schedule.h"
#include "core/sched/replay_schedule.h"
#include "core/sched/round_robin_schedule.h"
#include "core/sched/scheduler.h"
#include "core/sched/splitmix.h"
#include "core/sched/sync.h"
#include "core/sched/wait_queue.h"

namespace racefuzz {
namespace {

std::vector<uint8_t> Bytes(uint64_t seed, size_t n) {
  std::vector<uint8_t> bytes(n);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(SplitMix64(seed));
  return bytes;
}

// A bounded queue of capacity 2: two producers, two consumers, one mutex and two condition
// variables. Every item is consumed exactly once, whatever the schedule and spurious wake-ups.
struct BoundedQueue {
  void operator()() {
    for (int p = 0; p < 2; ++p) {
      spawn([this] {
        for (int i = 0; i < 4; ++i) {
          Guard g(mu);
          not_full.wait(mu, [this] { return items < 2; });
          ++items;
          ++produced;
          not_empty.notify_one();
        }
      });
    }
    for (int c = 0; c < 2; ++c) {
      spawn([this] {
        for (int i = 0; i < 4; ++i) {
          Guard g(mu);
          not_empty.wait(mu, [this] { return items > 0; });
          --items;
          ++consumed;
          not_full.notify_all();
        }
      });
    }
  }
  Mutex mu{"queue"};
  CondVar not_empty{"not_empty"};
  CondVar not_full{"not_full"};
  int items = 0;
  int produced = 0;
  int consumed = 0;
};

uint64_t RunWithInput(const std::vector<uint8_t>& bytes, absl::FunctionRef<void()> program) {
  ByteSource source(bytes);
  InputSchedule input(source);
  Scheduler::Get().Run(input, program);
  return Scheduler::Get().trace().hash();
}

TEST(CondVar, BoundedQueueUnderManySchedules) {
  for (uint64_t seed = 0; seed < 300; ++seed) {
    BoundedQueue q;
    RunWithInput(Bytes(seed, 200), [&] { q(); });
    ASSERT_EQ(q.produced, 8) << "seed " << seed;
    ASSERT_EQ(q.consumed, 8) << "seed " << seed;
    ASSERT_EQ(q.items, 0) << "seed " << seed;
  }
}

TEST(CondVar, SameInputSameTrace) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const std::vector<uint8_t> bytes = Bytes(seed, 150);
    BoundedQueue a;
    BoundedQueue b;
    EXPECT_EQ(RunWithInput(bytes, [&] { a(); }), RunWithInput(bytes, [&] { b(); }))
        << "seed " << seed;
  }
}

// One waiter without a predicate, notified once: it returns after the notify, or earlier if the
// input chose a spurious wake-up. Both happen over a range of inputs; no notify is ever lost.
TEST(CondVar, InputChoosesSpuriousWakeups) {
  int spurious = 0;
  int notified = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    Mutex mu("mu");
    CondVar cv("cv");
    Atomic<int> waiting(0, "waiting");
    bool sent = false;
    bool seen_sent = false;
    RunWithInput(Bytes(seed, 64), [&] {
      spawn([&] {
        Guard g(mu);
        waiting.store(1);
        cv.wait(mu);
        seen_sent = sent;
      });
      spawn([&] {
        wait_until([&] { return waiting.load() == 1; });
        Guard g(mu);  // the waiter holds mu until it waits
        sent = true;
        cv.notify_one();
      });
    });
    (seen_sent ? notified : spurious)++;
  }
  EXPECT_GT(spurious, 0);
  EXPECT_GT(notified, spurious);
}

// What the input chose at every wait, spurious or not, replays: a ReplaySchedule of the recorded
// run gives the same trace, spurious wake-ups included, and does not diverge.
TEST(CondVar, SpuriousWakeupsReplay) {
  int spurious_runs = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    const auto program = [] {
      static Mutex mu("mu");
      static CondVar cv("cv");
      static Atomic<int> waiting(0, "waiting");
      waiting.store(0);
      spawn([] {
        Guard g(mu);
        waiting.store(1);
        cv.wait(mu);
      });
      spawn([] {
        wait_until([] { return waiting.load() == 1; });
        Guard g(mu);
        cv.notify_one();
      });
    };
    const uint64_t recorded = RunWithInput(Bytes(seed, 64), program);
    const Trace& trace = Scheduler::Get().trace();
    const auto wakeups = trace.wakeups();
    ASSERT_LE(wakeups.size(), 1u) << "seed " << seed << ": a wait not yet notified asks once";
    if (!wakeups.empty()) spurious_runs += wakeups[0];
    ReplaySchedule replay(trace);
    Scheduler::Get().Run(replay, program);
    EXPECT_FALSE(replay.diverged()) << "seed " << seed;
    EXPECT_EQ(Scheduler::Get().trace().hash(), recorded) << "seed " << seed;
  }
  EXPECT_GT(spurious_runs, 0) << "no run woke spuriously: the replay of one was not tried";
}

TEST(CondVar, NotifyOneWakesOneNotifyAllWakesAll) {
  RoundRobinSchedule rr;
  Mutex mu("mu");
  CondVar cv("cv");
  Atomic<int> waiting(0, "waiting");
  int woken = 0;
  int woken_after_one = -1;
  Scheduler::Get().Run(rr, [&] {
    for (int t = 0; t < 3; ++t) {
      spawn([&] {
        Guard g(mu);
        waiting.fetch_add(1);
        cv.wait(mu);
        ++woken;
      });
    }
    spawn([&] {
      wait_until([&] { return waiting.load() == 3; });
      {
        Guard g(mu);
      }  // the last waiter released mu: all three wait
      cv.notify_one();
      for (int i = 0; i < 20; ++i) yield_point("idle");
      {
        Guard g(mu);
        woken_after_one = woken;
      }
      cv.notify_all();
    });
  });
  EXPECT_EQ(woken_after_one, 1);
  EXPECT_EQ(woken, 3);
}

TEST(CondVarDeathTest, LostWakeupIsADeadlockNamingTheWait) {
  EXPECT_DEATH(
      {
        RoundRobinSchedule rr;
        Mutex mu("mu");
        CondVar cv("cv");
        Atomic<int> notified(0, "notified");
        Scheduler::Get().Run(rr, [&] {
          spawn([&] {
            cv.notify_one();
            notified.store(1);
          });
          spawn([&] {
            wait_until([&] { return notified.load() == 1; });
            Guard g(mu);
            cv.wait(mu);
          });
        });
      },
      "deadlock.*\n.*T1 blocked in cond_wait cv#0 at .*waits_test.cc");
}

TEST(Completion, EveryWaiterReturnsOncePerComplete) {
  for (uint64_t seed = 0; seed < 300; ++seed) {
    completion done("done");
    Atomic<int> returned(0, "returned");
    RunWithInput(Bytes(seed, 100), [&] {
      for (int t = 0; t < 3; ++t) {
        spawn([&] {
          wait_for_completion(&done);
          returned.fetch_add(1);
        });
      }
      spawn([&] {
        for (int i = 0; i < 3; ++i) complete(&done);
      });
    });
    ASSERT_EQ(returned.load(), 3) << "seed " << seed;
    ASSERT_EQ(done.done, 0u) << "seed " << seed;
  }
}

TEST(Completion, CompleteAllReleasesEveryWaitUntilReinit) {
  for (uint64_t seed = 0; seed < 100; ++seed) {
    completion done("done");
    Atomic<int> returned(0, "returned");
    RunWithInput(Bytes(seed, 100), [&] {
      for (int t = 0; t < 4; ++t) {
        spawn([&] {
          wait_for_completion(&done);
          wait_for_completion(&done);  // still done: complete_all is for good
          returned.fetch_add(1);
        });
      }
      spawn([&] { complete_all(&done); });
    });
    ASSERT_EQ(returned.load(), 4) << "seed " << seed;
    ASSERT_EQ(done.done, UINT_MAX);
    reinit_completion(&done);
    EXPECT_EQ(done.done, 0u);
  }
}

TEST(CompletionDeathTest, WaitNobodyCompletesIsADeadlock) {
  EXPECT_DEATH(
      {
        RoundRobinSchedule rr;
        completion done("probe_done");
        Scheduler::Get().Run(rr, [&] {
          spawn([&] { wait_for_completion(&done); });
          spawn([&] { yield_point("forgets_to_complete"); });
        });
      },
      "deadlock.*\n.*T0 blocked in wait_for_completion probe_done#0 at .*waits_test.cc");
}

TEST(WaitQueue, WaitEventSeesTheCondition) {
  for (uint64_t seed = 0; seed < 300; ++seed) {
    wait_queue_head wq("wq");
    Atomic<int> ready(0, "ready");
    Atomic<int> seen(0, "seen");
    RunWithInput(Bytes(seed, 80), [&] {
      for (int t = 0; t < 2; ++t) {
        spawn([&] {
          wait_event(wq, [&] { return ready.load() >= 2; });
          seen.fetch_add(1);
        });
      }
      spawn([&] {
        for (int i = 0; i < 2; ++i) {
          ready.fetch_add(1);
          wake_up(&wq);
        }
      });
    });
    ASSERT_EQ(seen.load(), 2) << "seed " << seed;
  }
}

TEST(WaitQueueDeathTest, ConditionSetWithoutWakeUpIsADeadlock) {
  EXPECT_DEATH(
      {
        RoundRobinSchedule rr;
        wait_queue_head wq("ready_wq");
        Atomic<int> ready(0, "ready");
        Atomic<int> checked(0, "checked");
        Scheduler::Get().Run(rr, [&] {
          spawn([&] {
            wait_event(wq, [&] {
              const bool r = ready.load() == 1;
              checked.fetch_add(1);
              return r;
            });
          });
          spawn([&] {
            // The waiter checked twice (before and after queueing): it sleeps next.
            wait_until([&] { return checked.load() == 2; });
            ready.store(1);  // no wake_up(&wq)
          });
        });
      },
      "deadlock.*\n.*T0 blocked in wait_event ready_wq#0 at .*waits_test.cc");
}

// Threads mode: the same programs on real OS threads with the OS primitives.
class WaitsThreadsMode : public ::testing::Test {
 protected:
  void SetUp() override {
    HarnessConfig c;
    c.mode = Mode::kThreads;
    SetHarnessConfig(c);
  }
  void TearDown() override { SetHarnessConfig(HarnessConfig{}); }
};

TEST_F(WaitsThreadsMode, AllThreePrimitives) {
  for (int round = 0; round < 20; ++round) {
    BoundedQueue q;
    completion done("done");
    wait_queue_head wq("wq");
    Atomic<int> ready(0, "ready");
    int got = 0;
    std::vector<uint8_t> none;
    FuzzedDataProvider fdp(none.data(), 0);
    RunInput(fdp, [&] {
      q();
      spawn([&] {
        wait_for_completion(&done);
        wait_event(wq, [&] { return ready.load() == 1; });
        got = 1;
      });
      spawn([&] {
        complete(&done);
        ready.store(1);
        wake_up(&wq);
      });
    });
    ASSERT_EQ(q.consumed, 8);
    ASSERT_EQ(got, 1);
  }
}

// A thread's last access before it blocks comes after its last event (the yield point precedes
// the access): a thread parked in wait_until must check again when another blocks, or this
// correct program is a false deadlock report (T1's fetch_add in its condition is its last step
// before it sleeps, and what T0 waits for).
TEST(WaitUntil, SeesTheLastWriteOfAThreadThatThenBlocks) {
  RoundRobinSchedule rr;
  wait_queue_head wq("wq");
  Atomic<int> go(0, "go");
  Atomic<int> checked(0, "checked");
  Scheduler::Get().Run(rr, [&] {
    spawn([&] {
      wait_until([&] { return checked.load() == 2; });
      go.store(1);
      wake_up(&wq);
    });
    spawn([&] {
      wait_event(wq, [&] {
        const bool r = go.load() == 1;
        checked.fetch_add(1);
        return r;
      });
    });
  });
  EXPECT_EQ(go.load(), 1);
}

TEST(WaitsDeathTest, WaitOutsideARunIsReported) {
  EXPECT_DEATH(
      {
        completion done("done");
        wait_for_completion(&done);
      },
      "wait-outside-run.*wait_for_completion at .*waits_test.cc");
}

// wait_until goes through the same report: outside any run (the sequential engine) and in a run's
// setup (no simulated thread runs until the setup returns).
TEST(WaitsDeathTest, WaitUntilOutsideARunIsReported) {
  EXPECT_DEATH(wait_until([] { return false; }), "wait-outside-run.*wait_until at .*waits_test.cc");
}

TEST(WaitsDeathTest, WaitUntilInARunsSetupIsReported) {
  EXPECT_DEATH(
      {
        RoundRobinSchedule rr;
        Scheduler::Get().Run(rr, [] { wait_until([] { return false; }); });
      },
      "wait-outside-run.*wait_until at .*waits_test.cc");
}

TEST(WaitsDeathTest, CondVarWaitOutsideARunIsReported) {
  EXPECT_DEATH(
      {
        Mutex mu("mu");
        CondVar cv("cv");
        mu.lock();
        cv.wait(mu);
      },
      "wait-outside-run.*CondVar::wait at .*waits_test.cc");
}

}  // namespace
}  // namespace racefuzz
