// Every litmus shape at RC11's verdict: in weak mode a forbidden outcome never appears and an
// allowed one does; in SC mode no shape's outcome appears (each is a non-SC outcome). The runs per
// shape come from RACEFUZZ_LITMUS_RUNS (default 4000 here; docs/litmus.md records a 1M-run pass).
#include <cctype>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/sched/input_schedule.h"
#include "core/sched/replay_schedule.h"
#include "core/sched/scheduler.h"
#include "core/sched/splitmix.h"
#include "tests/litmus/litmus.h"
#include "tests/litmus/shapes.h"

namespace racefuzz::litmus {
namespace {

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kAllowed:
      return "allowed";
    case Verdict::kForbidden:
      return "forbidden";
    case Verdict::kAllowedNotProduced:
      return "allowed, not produced";
  }
  return "?";
}

class Litmus : public testing::TestWithParam<Shape> {};

TEST_P(Litmus, WeakModeFollowsRc11) {
  const Shape& shape = GetParam();
  const Observed seen = Explore(shape, RunsFromEnv(4000));
  std::printf("litmus %-24s %-22s %llu of %llu runs, first at run %llu\n", shape.name,
              VerdictName(shape.verdict), static_cast<unsigned long long>(seen.hits),
              static_cast<unsigned long long>(seen.runs),
              static_cast<unsigned long long>(seen.first_hit));
  if (shape.verdict == Verdict::kAllowed) {
    EXPECT_GT(seen.hits, 0u) << shape.name << ": RC11 allows the outcome; never observed";
  } else {
    EXPECT_EQ(seen.hits, 0u) << shape.name << ": outcome observed at run " << seen.first_hit
                             << (shape.verdict == Verdict::kForbidden
                                     ? " but RC11 forbids it"
                                     : " (racefuzz is not expected to produce it: update "
                                       "docs/litmus.md and the shape's verdict)");
  }
}

TEST_P(Litmus, ScModeNeverShowsIt) {
  const Shape& shape = GetParam();
  const Observed seen = Explore(shape, RunsFromEnv(4000) / 4, MemoryMode::kSc);
  EXPECT_EQ(seen.hits, 0u) << shape.name << ": a non-SC outcome under SC, at run "
                           << seen.first_hit;
}

std::string ShapeName(const testing::TestParamInfo<Shape>& info) {
  std::string s;
  for (const char* p = info.param.name; *p != '\0'; ++p) {
    s += (std::isalnum(static_cast<unsigned char>(*p)) != 0) ? *p : '_';
  }
  return s;
}

INSTANTIATE_TEST_SUITE_P(Shapes, Litmus, testing::ValuesIn(AllShapes()), ShapeName);

// RC11 forbids load buffering (po and rf together are acyclic) although ISO C++ and the LKMM allow
// it for relaxed / ONCE accesses: racefuzz never produces it, whatever the schedule.
TEST(LitmusRc11, NeverLoadBuffering) {
  int lb_shapes = 0;
  for (const Shape& shape : AllShapes()) {
    if (std::string(shape.name).rfind("LB", 0) != 0) continue;
    ++lb_shapes;
    EXPECT_EQ(Explore(shape, RunsFromEnv(4000)).hits, 0u) << shape.name;
  }
  EXPECT_GT(lb_shapes, 0) << "no LB shape in AllShapes(): nothing was checked";
}

// A weak run's reads are replayed: its decisions and read choices, fed to a ReplaySchedule, give
// the same trace hash; and some of these runs did read a stale store.
TEST(LitmusRc11, ReplayReproducesReads) {
  const Shape* mp = nullptr;
  for (const Shape& shape : AllShapes()) {
    if (std::string(shape.name) == "MP") mp = &shape;
  }
  ASSERT_NE(mp, nullptr);
  Scheduler& scheduler = Scheduler::Get();
  const RunOptions weak{.memory = MemoryMode::kWeak};
  uint64_t state = 13;
  int stale_runs = 0;
  for (int i = 0; i < 200; ++i) {
    uint8_t bytes[32];
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(SplitMix64(state));
    auto run = [&](ScheduleSource& source) {
      Vars vars;
      scheduler.Run(
          source,
          [&] {
            for (Thread t : mp->threads) spawn([&vars, t] { t(vars); });
          },
          weak);
      return scheduler.trace().hash();
    };
    ByteSource input_bytes(bytes);
    InputSchedule input(input_bytes);
    const uint64_t first = run(input);
    const std::vector<ThreadId> decisions(scheduler.trace().decisions().begin(),
                                          scheduler.trace().decisions().end());
    const std::vector<uint8_t> reads(scheduler.trace().reads().begin(),
                                     scheduler.trace().reads().end());
    for (uint8_t r : reads) stale_runs += r != 0 ? 1 : 0;
    ReplaySchedule replay(decisions, reads);
    ASSERT_EQ(run(replay), first) << "input " << i;
    ASSERT_FALSE(replay.diverged()) << "input " << i;
  }
  EXPECT_GT(stale_runs, 0);
}

}  // namespace

// gtest prints a parameter by its name, not its bytes.
void PrintTo(const Shape& shape, std::ostream* os) { *os << shape.name; }

}  // namespace racefuzz::litmus
