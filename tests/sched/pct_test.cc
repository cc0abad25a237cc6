// PCT as published (core/sched/pct_schedule.h): the probabilistic guarantee holds. A depth-2 bug in
// a program of n threads and k decisions is found in at least 1/(n k) of the runs, over many random
// inputs; the decoding is a function of the input alone.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "core/sched/byte_source.h"
#include "core/sched/harness.h"
#include "core/sched/pct_schedule.h"
#include "core/sched/scheduler.h"
#include "core/sched/splitmix.h"
#include "core/sched/sync.h"

namespace racefuzz {
namespace {

constexpr int kThreads = 3;
constexpr int kSteps = 6;  // yield points per thread

// An atomicity violation of depth 2: T0 opens a window between its steps 2 and 3 (`phase` 1); the
// bug is T1 reaching its step 4 inside the window (two orderings: T0's step 2 before it, T0's
// step 3 after). T2 is noise. Returns whether the bug happened and the run's decisions.
struct Outcome {
  bool bug = false;
  size_t decisions = 0;
};

Outcome RunDepth2Program(std::vector<uint8_t> bytes, int depth) {
  ByteSource source(bytes);
  PctSchedule pct(source, depth);
  // std::atomic, not racefuzz::Atomic: the program's only yield points are its steps.
  std::atomic<int> phase{0};
  std::atomic<bool> bug{false};
  Scheduler::Get().Run(pct, [&] {
    for (int t = 0; t < kThreads; ++t) {
      spawn([&, t] {
        for (int i = 0; i < kSteps; ++i) {
          yield_point("step", {"thread", static_cast<uint64_t>(t)});
          if (t == 0 && i == 2) phase = 1;
          if (t == 0 && i == 3) phase = 2;
          if (t == 1 && i == 4 && phase == 1) bug = true;
        }
      });
    }
  });
  return {bug.load(), Scheduler::Get().trace().decisions().size()};
}

std::vector<uint8_t> RandomBytes(uint64_t seed, uint8_t steps_byte) {
  std::vector<uint8_t> bytes(32);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(SplitMix64(seed));
  bytes[0] = steps_byte;
  return bytes;
}

// k, measured: the most decisions any schedule of the program makes (no change point lands when k
// is huge, so this is PCT's plain priority order over many permutations).
size_t MeasuredSteps() {
  size_t k = 0;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    k = std::max(k, RunDepth2Program(RandomBytes(seed, 0xff), 1).decisions);
  }
  return k;
}

TEST(Pct, FindsADepth2BugAtLeastAtThePapersRate) {
  const size_t k = MeasuredSteps();
  ASSERT_GT(k, 10u);
  const uint8_t steps_byte = PctSchedule::StepsByte(static_cast<uint32_t>(k));
  constexpr int kRuns = 4000;
  int found = 0;
  for (uint64_t seed = 1; seed <= kRuns; ++seed) {
    found += RunDepth2Program(RandomBytes(seed * 7919, steps_byte), 2).bug;
  }
  const double bound = 1.0 / (kThreads * static_cast<double>(k));
  RecordProperty("found", found);
  RecordProperty("k", static_cast<int>(k));
  EXPECT_GE(found, kRuns * bound) << "k " << k << ", paper's rate " << bound << ", found " << found
                                  << " of " << kRuns;
  // Depth 1 (no change point) never finds it: the bug needs the preemption.
  int found_depth1 = 0;
  for (uint64_t seed = 1; seed <= 500; ++seed) {
    found_depth1 += RunDepth2Program(RandomBytes(seed * 7919, steps_byte), 1).bug;
  }
  EXPECT_EQ(found_depth1, 0);
}

TEST(Pct, StepsByteRoundTrips) {
  for (uint32_t k : {1u, 2u, 17u, 40u, 1000u, 60000u}) {
    const uint8_t b = PctSchedule::StepsByte(k);
    EXPECT_GE(PctSchedule::StepsOf(b), k);
    if (b > 0) {
      EXPECT_LT(PctSchedule::StepsOf(static_cast<uint8_t>(b - 1)), k);
    }
  }
  EXPECT_EQ(PctSchedule::StepsOf(0), 1u);
}

TEST(Pct, ChangePointsAreUniformOverK) {
  // Over random inputs the change points spread over [0, k): every quarter gets about a quarter.
  const uint8_t steps_byte = PctSchedule::StepsByte(40);
  const uint32_t k = PctSchedule::StepsOf(steps_byte);
  int quarters[4] = {0, 0, 0, 0};
  for (uint64_t seed = 0; seed < 4000; ++seed) {
    std::vector<uint8_t> bytes = RandomBytes(seed, steps_byte);
    ByteSource source(bytes);
    PctSchedule pct(source, 2);
    ASSERT_LT(pct.change_points()[0], k);
    quarters[pct.change_points()[0] * 4 / k]++;
  }
  for (int q : quarters) EXPECT_NEAR(q, 1000, 150);
}

TEST(Pct, SameInputSameRun) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    const std::vector<uint8_t> bytes = RandomBytes(seed, PctSchedule::StepsByte(20));
    RunDepth2Program(bytes, 3);
    const uint64_t first = Scheduler::Get().trace().hash();
    RunDepth2Program(bytes, 3);
    EXPECT_EQ(Scheduler::Get().trace().hash(), first);
  }
}

TEST(Pct, DepthFromTheEnvironment) {
  setenv("RACEFUZZ_PCT_DEPTH", "2", 1);
  const auto ok = HarnessConfigFromEnv();
  setenv("RACEFUZZ_PCT_DEPTH", "65", 1);
  const auto bad = HarnessConfigFromEnv();
  unsetenv("RACEFUZZ_PCT_DEPTH");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->pct_depth, 2);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("RACEFUZZ_PCT_DEPTH=65: expected a bug depth from 1 to 64"),
            absl::string_view::npos);
}

}  // namespace
}  // namespace racefuzz
