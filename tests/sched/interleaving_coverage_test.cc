// Interleaving coverage (core/sched/interleaving_coverage.h): the counters see the order of
// cross-thread events on one object, the same order counts the same, and off counts nothing.
#include "core/sched/interleaving_coverage.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "core/sched/byte_source.h"
#include "core/sched/input_schedule.h"
#include "core/sched/scheduler.h"
#include "core/sched/sync.h"

namespace racefuzz {
namespace {

// Runs a store and a load of one atomic on two threads, the thread that goes first chosen by the
// schedule's first byte, and returns the counters the run left.
std::vector<uint8_t> CountersOfOneOrder(uint8_t first, bool enabled) {
  const absl::Span<uint8_t> counters = internal::InterleavingCounters();
  std::fill(counters.begin(), counters.end(), 0);  // libFuzzer clears them before each input
  const std::vector<uint8_t> schedule(16, first);
  ByteSource bytes(schedule);
  InputSchedule source(bytes);
  Atomic<int> flag(0, "flag");
  Atomic<int> other(0, "other");
  Scheduler::Get().Run(
      source,
      [&] {
        spawn([&] { flag.store(1); });
        spawn([&] {
          other.store(1);  // an object only this thread touches: no pair
          (void)flag.load();
        });
      },
      RunOptions{.interleaving_coverage = enabled});
  return {counters.begin(), counters.end()};
}

int Counted(const std::vector<uint8_t>& counters) {
  return static_cast<int>(
      std::count_if(counters.begin(), counters.end(), [](uint8_t c) { return c != 0; }));
}

TEST(InterleavingCoverage, CountsTheOrderOfCrossThreadEventsOnOneObject) {
  const std::vector<uint8_t> store_first = CountersOfOneOrder(0, true);
  const std::vector<uint8_t> load_first = CountersOfOneOrder(1, true);
  // One pair each: (store, load) or (load, store) on `flag`; `other` has one thread only.
  EXPECT_EQ(Counted(store_first), 1);
  EXPECT_EQ(Counted(load_first), 1);
  EXPECT_NE(store_first, load_first) << "the two orders look the same to libFuzzer";
  // The same order counts the same, in a later run (the per-object table was reset).
  EXPECT_EQ(CountersOfOneOrder(0, true), store_first);
  EXPECT_EQ(CountersOfOneOrder(1, true), load_first);
}

TEST(InterleavingCoverage, OffCountsNothing) {
  EXPECT_EQ(Counted(CountersOfOneOrder(0, false)), 0);
  EXPECT_EQ(Counted(CountersOfOneOrder(1, false)), 0);
}

}  // namespace
}  // namespace racefuzz
