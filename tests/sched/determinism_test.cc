// Determinism is part of the product: the same input gives the same interleaving and the same
// trace, and a recorded schedule replays to the same trace (the replay round trip is a CI gate).
#include <cstdint>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>
#include <gtest/gtest.h>

#include "core/check/report.h"
#include "core/sched/byte_source.h"
#include "core/sched/harness.h"
#include "core/sched/input_schedule.h"
#include "core/sched/pct_schedule.h"
#include "core/sched/replay_schedule.h"
#include "core/sched/round_robin_schedule.h"
#include "core/sched/scheduler.h"
#include "core/sched/splitmix.h"
#include "core/sched/sync.h"
#include "core/sched/thread_pool.h"

namespace racefuzz {
namespace {

// A program with every kind of decision point: yields, lock contention, atomics, waits, joins and
// threads spawning threads. Its shape is decoded from the back of `fdp`, like a fuzz target's.
struct Program {
  explicit Program(FuzzedDataProvider& fdp)
      : threads(fdp.ConsumeIntegralInRange(2, 4)), ops(fdp.ConsumeIntegralInRange(1, 16)) {}

  void operator()() {
    for (int t = 0; t < threads; ++t) {
      spawn([this, t] {
        for (int i = 0; i < ops; ++i) {
          if ((i + t) % 3 == 0) {
            Guard g(mu);
            shared += t;
            yield_point("critical", {"shared", 0});
          } else {
            counter.fetch_add(1);
          }
        }
        if (t == 0) {
          const ThreadId helper = spawn([this] { counter.fetch_add(100); });
          join(helper);
        }
      });
    }
  }

  int threads;
  int ops;
  Mutex mu{"mu"};
  Atomic<int> counter{0, "counter"};
  int shared = 0;
};

std::vector<uint8_t> RandomInput(uint64_t& state) {
  std::vector<uint8_t> bytes(SplitMix64(state) % 96);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(SplitMix64(state));
  return bytes;
}

uint64_t RunOnce(const std::vector<uint8_t>& bytes) {
  FuzzedDataProvider fdp(bytes.data(), bytes.size());
  Program p(fdp);
  return RunInput(fdp, [&] { p(); });
}

TEST(Determinism, HundredRandomInputsGiveTheSameTraceTwice) {
  SetHarnessConfig(HarnessConfig{});
  uint64_t state = 2026;
  int distinct = 0;
  uint64_t previous = 0;
  for (int i = 0; i < 200; ++i) {
    const std::vector<uint8_t> input = RandomInput(state);
    const uint64_t first = RunOnce(input);
    const uint64_t second = RunOnce(input);
    ASSERT_EQ(first, second) << "input " << i << " gave two traces";
    distinct += first != previous;
    previous = first;
  }
  // The hash is not a constant: different inputs do give different interleavings.
  EXPECT_GT(distinct, 100);
}

TEST(Determinism, RecordedDecisionsReplayToTheSameTrace) {
  uint64_t state = 7;
  for (int i = 0; i < 100; ++i) {
    const std::vector<uint8_t> input = RandomInput(state);
    FuzzedDataProvider fdp(input.data(), input.size());
    Program p(fdp);
    const std::vector<uint8_t> rest = fdp.ConsumeRemainingBytes<uint8_t>();
    ByteSource bytes(rest);
    InputSchedule schedule(bytes);
    Scheduler::Get().Run(schedule, [&] { p(); });
    const uint64_t recorded = Scheduler::Get().trace().hash();
    const auto d = Scheduler::Get().trace().decisions();

    FuzzedDataProvider fdp2(input.data(), input.size());
    Program p2(fdp2);
    ReplaySchedule replay(std::vector<ThreadId>(d.begin(), d.end()));
    Scheduler::Get().Run(replay, [&] { p2(); });
    ASSERT_FALSE(replay.diverged()) << "input " << i;
    ASSERT_EQ(Scheduler::Get().trace().hash(), recorded) << "input " << i;
  }
}

// What a model reads of a thread's last event before the thread's first event of the run (an
// Atomic's initial store in the setup or in a body: the step a weak read's timeline names) is 0,
// not what an earlier run left.
TEST(Determinism, ARunStartsWithNoEventOfAnEarlierRun) {
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [&] {
    for (int i = 0; i < 5; ++i) yield_point("setup_step");
    for (int t = 0; t < 3; ++t) {
      spawn([] {
        for (int i = 0; i < 5; ++i) yield_point("step");
      });
    }
  });
  uint64_t in_setup = 1;
  uint64_t in_body[2] = {1, 1};
  Scheduler::Get().Run(rr, [&] {
    in_setup = Scheduler::Get().last_event();
    for (uint64_t& seen : in_body) spawn([&seen] { seen = Scheduler::Get().last_event(); });
  });
  EXPECT_EQ(in_setup, 0u);
  EXPECT_EQ(in_body[0], 0u);
  EXPECT_EQ(in_body[1], 0u);
}

TEST(Determinism, ScheduleContinuesDeterministicallyWhenInputRunsOut) {
  // One byte of schedule, hundreds of decisions: the fallback generator takes over, and every
  // thread still runs to completion (no thread starves).
  const std::vector<uint8_t> input = {0x01};
  uint64_t hashes[2];
  for (uint64_t& h : hashes) {
    ByteSource bytes(input);
    InputSchedule schedule(bytes);
    Atomic<int> finished(0);
    Scheduler::Get().Run(schedule, [&] {
      for (int t = 0; t < 3; ++t) {
        spawn([&] {
          for (int i = 0; i < 50; ++i) yield_point("step");
          finished.fetch_add(1);
        });
      }
    });
    EXPECT_EQ(finished.load(), 3);
    EXPECT_EQ(schedule.from_input(), 1u);
    EXPECT_GT(schedule.from_fallback(), 100u);
    h = Scheduler::Get().trace().hash();
  }
  EXPECT_EQ(hashes[0], hashes[1]);
}

// Past the input, the schedule continues from the bytes themselves, not only from their count: two
// schedules of one length that make the same first decisions go on differently (seeded by the
// count alone, they would continue identically), and each replays exactly.
TEST(Determinism, FallbackContinuesFromTheBytesNotOnlyTheirCount) {
  // With 2 or 3 threads runnable, bytes 0 and 6 pick the same thread (6 % 2 == 6 % 3 == 0).
  const std::vector<uint8_t> inputs[2] = {{0, 0, 0, 0}, {6, 6, 6, 6}};
  const auto program = [] {
    for (int t = 0; t < 3; ++t) {
      spawn([] {
        for (int k = 0; k < 20; ++k) yield_point("step");
      });
    }
  };
  std::vector<ThreadId> decisions[2];
  uint64_t hashes[2];
  for (int i = 0; i < 2; ++i) {
    for (int repeat = 0; repeat < 2; ++repeat) {
      ByteSource bytes(inputs[i]);
      InputSchedule schedule(bytes);
      Scheduler::Get().Run(schedule, program);
      ASSERT_EQ(schedule.from_input(), 4u);
      ASSERT_GT(schedule.from_fallback(), 20u);
      const Trace& trace = Scheduler::Get().trace();
      if (repeat == 1) {
        EXPECT_EQ(trace.hash(), hashes[i]) << "input " << i << " does not replay exactly";
        continue;
      }
      hashes[i] = trace.hash();
      decisions[i].assign(trace.decisions().begin(), trace.decisions().end());
      // The recorded decisions replay to the same trace in a fresh run.
      ReplaySchedule replay(decisions[i]);
      Scheduler::Get().Run(replay, program);
      EXPECT_FALSE(replay.diverged());
      EXPECT_EQ(Scheduler::Get().trace().hash(), hashes[i]);
    }
  }
  ASSERT_GE(decisions[0].size(), 4u);
  ASSERT_GE(decisions[1].size(), 4u);
  for (size_t k = 0; k < 4; ++k) EXPECT_EQ(decisions[0][k], decisions[1][k]) << "decision " << k;
  EXPECT_NE(std::vector<ThreadId>(decisions[0].begin() + 4, decisions[0].end()),
            std::vector<ThreadId>(decisions[1].begin() + 4, decisions[1].end()))
      << "the fallback continued identically from two different schedules of one length";
  EXPECT_NE(hashes[0], hashes[1]);
}

TEST(Pct, HighestPriorityThreadRunsUntilAChangePoint) {
  // k = StepsOf(0xff), change points far away (0xffff % k): no change within this run.
  // Priorities: T0 takes rank 0, T1 rank 1 % 2 = 1 (above T0), so T1 runs to completion before T0
  // takes any step.
  const std::vector<uint8_t> input = {0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01};
  ByteSource bytes(input);
  PctSchedule pct(bytes, /*depth=*/3);
  std::vector<ThreadId> order;
  Mutex mu;
  Scheduler::Get().Run(pct, [&] {
    for (int t = 0; t < 2; ++t) {
      spawn([&, t] {
        for (int i = 0; i < 3; ++i) {
          yield_point("step");
          Guard g(mu);
          order.push_back(t);
        }
      });
    }
  });
  EXPECT_EQ(order, (std::vector<ThreadId>{1, 1, 1, 0, 0, 0}));
}

TEST(HarnessConfig, RejectsUnknownValuesWithTheChoices) {
  setenv("RACEFUZZ_MODE", "fibers", 1);
  const auto c = HarnessConfigFromEnv();
  unsetenv("RACEFUZZ_MODE");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(
      c.status().message().find("expected 'deterministic', 'threads', 'naive' or 'sequential'"),
      absl::string_view::npos);
  setenv("RACEFUZZ_SCHEDULE", "pct", 1);
  setenv("RACEFUZZ_MAX_STEPS", "500", 1);
  const auto ok = HarnessConfigFromEnv();
  unsetenv("RACEFUZZ_SCHEDULE");
  unsetenv("RACEFUZZ_MAX_STEPS");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->schedule, ScheduleKind::kPct);
  EXPECT_EQ(ok->max_steps, 500u);
  EXPECT_FALSE(ok->interleaving_coverage);  // off by default
  setenv("RACEFUZZ_INTERLEAVING_COVERAGE", "yes", 1);
  const auto bad = HarnessConfigFromEnv();
  setenv("RACEFUZZ_INTERLEAVING_COVERAGE", "1", 1);
  const auto on = HarnessConfigFromEnv();
  unsetenv("RACEFUZZ_INTERLEAVING_COVERAGE");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("expected 0 or 1"), absl::string_view::npos);
  ASSERT_TRUE(on.ok());
  EXPECT_TRUE(on->interleaving_coverage);
}

// Every named variable's error lists the choices from its core table (core/sched/name_table.h).
TEST(HarnessConfig, NamesTheVariableAndEveryChoiceOfEachTable) {
  setenv("RACEFUZZ_SCHEDULE", "fifo", 1);
  const auto schedule = HarnessConfigFromEnv();
  unsetenv("RACEFUZZ_SCHEDULE");
  ASSERT_FALSE(schedule.ok());
  EXPECT_EQ(schedule.status().message(),
            "RACEFUZZ_SCHEDULE=fifo: expected 'input', 'pct' or 'round-robin'");
  setenv("RACEFUZZ_MEMORY", "tso", 1);
  const auto memory = HarnessConfigFromEnv();
  setenv("RACEFUZZ_MEMORY", "weak", 1);
  const auto weak = HarnessConfigFromEnv();
  unsetenv("RACEFUZZ_MEMORY");
  ASSERT_FALSE(memory.ok());
  EXPECT_EQ(memory.status().message(), "RACEFUZZ_MEMORY=tso: expected 'sc' or 'weak'");
  ASSERT_TRUE(weak.ok());
  EXPECT_EQ(weak->memory, MemoryMode::kWeak);
  setenv("RACEFUZZ_SCHEDULE", "round-robin", 1);
  const auto rr = HarnessConfigFromEnv();
  unsetenv("RACEFUZZ_SCHEDULE");
  ASSERT_TRUE(rr.ok());
  EXPECT_EQ(rr->schedule, ScheduleKind::kRoundRobin);
}

TEST(SequentialMode, RunsEachThreadToCompletionInSpawnOrder) {
  setenv("RACEFUZZ_MODE", "sequential", 1);
  const auto c = HarnessConfigFromEnv();
  unsetenv("RACEFUZZ_MODE");
  ASSERT_TRUE(c.ok());
  SetHarnessConfig(*c);
  std::vector<int> order;
  const uint8_t data[8] = {1, 0, 1, 0, 1, 0, 1, 0};
  FuzzedDataProvider fdp(data, sizeof data);
  EXPECT_EQ(RunInput(fdp,
                     [&] {
                       for (int t = 0; t < 2; ++t) {
                         spawn([&, t] {
                           for (int i = 0; i < 3; ++i) {
                             yield_point("step");
                             order.push_back(t);
                           }
                         });
                       }
                     }),
            0u);
  SetHarnessConfig(HarnessConfig{});
  EXPECT_EQ(order, (std::vector<int>{0, 0, 0, 1, 1, 1}));
}

TEST(ThreadsMode, RunsTheSameBodiesOnPoolThreads) {
  int counter = 0;
  Mutex mu;
  for (int round = 0; round < 20; ++round) {
    ThreadPool::Get().Run([&] {
      for (int t = 0; t < 4; ++t) {
        spawn([&] {
          for (int i = 0; i < 100; ++i) {
            Guard g(mu);
            ++counter;
          }
        });
      }
    });
  }
  EXPECT_EQ(counter, 20 * 4 * 100);
}

// RACEFUZZ_TRACE=1: a report raised in a run prints the run's trace hash after its timeline, just
// before the SUMMARY line, so a crashing input compares by hash like any other.
TEST(TraceHashDeathTest, AReportPrintsTheTraceHash) {
  EXPECT_DEATH(
      {
        HarnessConfig c;
        c.schedule = ScheduleKind::kRoundRobin;
        c.print_trace = true;
        SetHarnessConfig(c);
        const uint8_t schedule[] = {0};
        RunInput(schedule, [] {
          spawn([] {
            yield_point("step");
            check::Fail("trace-hash-test", "a report in a run");
          });
        });
      },
      "racefuzz timeline: .*\n.* T0 step\nracefuzz: trace hash [0-9a-f]{16} \\(round-robin "
      "schedule\\)\nSUMMARY: racefuzz: trace-hash-test");
}

}  // namespace
}  // namespace racefuzz
