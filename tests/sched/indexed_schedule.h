// Test programs that run under "input schedule i": the schedule decoded from kBytes bytes of
// SplitMix64 seeded with `base + i`, so schedule i is a function of its index alone and a failing
// index replays.
#ifndef RACEFUZZ_TESTS_SCHED_INDEXED_SCHEDULE_H_
#define RACEFUZZ_TESTS_SCHED_INDEXED_SCHEDULE_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"
#include "core/sched/byte_source.h"
#include "core/sched/input_schedule.h"
#include "core/sched/memory/memory_mode.h"
#include "core/sched/scheduler.h"
#include "core/sched/splitmix.h"

namespace racefuzz::testing {

// The bytes of input schedule `i` of the family `base`.
template <size_t kBytes>
std::array<uint8_t, kBytes> IndexedScheduleBytes(uint64_t base, int i) {
  std::array<uint8_t, kBytes> bytes;
  uint64_t state = base + static_cast<uint64_t>(i);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(SplitMix64(state));
  return bytes;
}

// Runs `threads` (it spawns them) under input schedule `i` of the family `base`, in memory mode
// `memory`.
template <size_t kBytes, typename Threads>
void RunIndexedSchedule(uint64_t base, int i, MemoryMode memory, Threads threads) {
  const std::array<uint8_t, kBytes> bytes = IndexedScheduleBytes<kBytes>(base, i);
  ByteSource source{absl::Span<const uint8_t>(bytes)};
  InputSchedule schedule(source);
  Scheduler::Get().Run(schedule, threads, {.memory = memory});
}

}  // namespace racefuzz::testing

#endif  // RACEFUZZ_TESTS_SCHED_INDEXED_SCHEDULE_H_
