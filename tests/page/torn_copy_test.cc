// Byte-wise atomic copies tear (core/page/chunked_copy.h): over many input schedules a copy racing
// a writer is sometimes cut where the writer lands, each cut is a clean boundary between the old
// and the new bytes, a 4 KiB copy is cut at most kMaxCopyChunks - 1 times, and schedules that
// cannot interleave (one runnable thread, round-robin) never cut.
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/page/bytewise.h"
#include "core/page/chunked_copy.h"
#include "core/page/page.h"
#include "core/sched/byte_source.h"
#include "core/sched/input_schedule.h"
#include "core/sched/replay_schedule.h"
#include "core/sched/round_robin_schedule.h"
#include "core/sched/scheduler.h"
#include "core/sched/splitmix.h"

namespace racefuzz::page {
namespace {

// A schedule of `n` pseudo-random bytes from `seed`.
std::vector<uint8_t> Schedule(uint64_t seed, size_t n = 64) {
  std::vector<uint8_t> s(n);
  for (uint8_t& b : s) b = static_cast<uint8_t>(SplitMix64(seed));
  return s;
}

// How many "(rest)" events the last run's timeline has (the cuts of its copies), in all or by one
// thread.
int Cuts(ThreadId only = kNoThread) {
  int cuts = 0;
  for (const Event& e : Scheduler::Get().trace().Last(1 << 20)) {
    if (std::string(e.op).ends_with(" (rest)") && (only == kNoThread || e.thread == only)) ++cuts;
  }
  return cuts;
}

// How `got` (len bytes) mixes `a` and `b`: 0 all from a, 1 all from b, 2 both.
int Mix(const uint8_t* got, uint8_t a, uint8_t b, size_t len) {
  bool saw_a = false, saw_b = false;
  for (size_t i = 0; i < len; ++i) {
    EXPECT_TRUE(got[i] == a || got[i] == b) << "byte " << i << " is " << int{got[i]};
    (got[i] == a ? saw_a : saw_b) = true;
  }
  return saw_a && saw_b ? 2 : saw_b ? 1 : 0;
}

// T0 writes `len` new bytes into `shared` while T1 copies `shared` out, both with
// atomic_per_byte_memcpy; returns how the copy mixes them.
int RaceCopies(ScheduleSource& source, size_t len) {
  static std::vector<uint8_t> shared, next, out;
  shared.assign(len, 0x11);
  next.assign(len, 0x22);
  out.assign(len, 0);
  Scheduler::Get().Run(source, [] {
    spawn([] { atomic_per_byte_memcpy(next.data(), shared.data(), next.size()); });
    spawn([] { atomic_per_byte_memcpy(shared.data(), out.data(), shared.size()); });
  });
  return Mix(out.data(), 0x11, 0x22, len);
}

TEST(TornCopyTest, InputScheduleTearsARacingCopyAndEveryTearIsACut) {
  int torn = 0;
  for (uint64_t seed = 0; seed < 256; ++seed) {
    const std::vector<uint8_t> bytes = Schedule(seed);
    ByteSource src(bytes);
    InputSchedule schedule(src);
    const int mix = RaceCopies(schedule, 16);
    if (mix == 2) {
      ++torn;
      EXPECT_GE(Cuts(), 1) << "a torn copy with no cut in the timeline (seed " << seed << ")";
    }
  }
  // The mutant "CopySplit always 0" gives 0 here.
  EXPECT_GE(torn, 10) << "the input schedule should tear a racing 16-byte copy in many of 256 runs";
}

// Where the input cut each copy replays: a ReplaySchedule of the recorded run gives the same trace
// (cuts included) and does not diverge.
TEST(TornCopyTest, CutsReplay) {
  int cut_runs = 0;
  for (uint64_t seed = 0; seed < 64; ++seed) {
    const std::vector<uint8_t> bytes = Schedule(seed);
    ByteSource src(bytes);
    InputSchedule schedule(src);
    const int mix = RaceCopies(schedule, 16);
    const uint64_t recorded = Scheduler::Get().trace().hash();
    if (Cuts() > 0) ++cut_runs;
    ReplaySchedule replay(Scheduler::Get().trace());
    EXPECT_EQ(RaceCopies(replay, 16), mix) << "seed " << seed;
    EXPECT_FALSE(replay.diverged()) << "seed " << seed;
    EXPECT_EQ(Scheduler::Get().trace().hash(), recorded) << "seed " << seed;
  }
  EXPECT_GT(cut_runs, 0) << "no run cut a copy: the replay of a cut was not tried";
}

TEST(TornCopyTest, PageCopiesTearToo) {
  static Owned<Page> page;
  absl::StatusOr<Owned<Page>> p = Page::alloc_page(GFP_KERNEL | __GFP_ZERO);
  ASSERT_TRUE(p.ok());
  page = *std::move(p);
  static uint8_t src[64], got[64];
  int torn_write = 0;
  for (uint64_t seed = 0; seed < 256; ++seed) {
    std::memset(src, 0x11, sizeof src);
    const std::vector<uint8_t> bytes = Schedule(seed);
    ByteSource source(bytes);
    InputSchedule schedule(source);
    // write_bytewise_atomic from `src` while another thread rewrites `src` byte-wise atomically:
    // the page receives old and new bytes.
    Scheduler::Get().Run(schedule, [] {
      spawn([] { ASSERT_TRUE(page->write_bytewise_atomic(src, 100, sizeof src).ok()); });
      spawn([] {
        uint8_t next[64];
        std::memset(next, 0x22, sizeof next);
        atomic_per_byte_memcpy(next, src, sizeof next);
      });
    });
    ASSERT_TRUE(page->read_raw(got, 100, sizeof got).ok());
    if (Mix(got, 0x11, 0x22, sizeof got) == 2) ++torn_write;
  }
  EXPECT_GE(torn_write, 10);
  page = Owned<Page>();
}

TEST(TornCopyTest, AFourKiBCopyIsCutAtMostThreeTimes) {
  int most = 0;
  for (uint64_t seed = 0; seed < 256; ++seed) {
    // Every byte but the first asks to split, at an offset from the seed.
    std::vector<uint8_t> bytes = Schedule(seed, 256);
    for (size_t i = 1; i < bytes.size(); i += 2) bytes[i] = 0xff;
    ByteSource src(bytes);
    InputSchedule schedule(src);
    RaceCopies(schedule, PAGE_SIZE);
    for (ThreadId t : {0, 1}) {
      EXPECT_LE(Cuts(t), internal::kMaxCopyChunks - 1) << "seed " << seed;
      most = std::max(most, Cuts(t));
    }
  }
  EXPECT_EQ(most, internal::kMaxCopyChunks - 1)
      << "the bound is never reached: the test is vacuous";
}

TEST(TornCopyTest, NoCutWithoutAnotherRunnableThreadNorUnderRoundRobin) {
  const std::vector<uint8_t> bytes(256, 0xff);
  ByteSource src(bytes);
  InputSchedule schedule(src);
  static std::vector<uint8_t> a(PAGE_SIZE, 1), b(PAGE_SIZE, 0);
  Scheduler::Get().Run(schedule,
                       [] { spawn([] { atomic_per_byte_memcpy(a.data(), b.data(), a.size()); }); });
  EXPECT_EQ(Cuts(), 0);
  EXPECT_EQ(src.remaining(), bytes.size()) << "a lone thread's copy consumed schedule bytes";

  RoundRobinSchedule rr;
  EXPECT_EQ(RaceCopies(rr, 64), 1) << "round-robin: the writer's copy, whole, then the reader's";
  EXPECT_EQ(Cuts(), 0);
}

TEST(TornCopyTest, OutsideARunACopyIsWhole) {
  std::vector<uint8_t> a(PAGE_SIZE, 7), b(PAGE_SIZE, 0);
  atomic_per_byte_memcpy(a.data(), b.data(), a.size());
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace racefuzz::page
