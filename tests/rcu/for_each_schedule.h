// ForEachSchedule: one run under round-robin, then under 256 pseudo-random input schedules, for
// tests of what the input may vary (callback order across threads, say).
#ifndef RACEFUZZ_TESTS_RCU_FOR_EACH_SCHEDULE_H_
#define RACEFUZZ_TESTS_RCU_FOR_EACH_SCHEDULE_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "core/sched/byte_source.h"
#include "core/sched/input_schedule.h"
#include "core/sched/round_robin_schedule.h"
#include "core/sched/scheduler.h"

namespace racefuzz::rcu {

// Runs `setup` deterministically under round-robin and under 256 pseudo-random input schedules,
// calling `check` after each run.
template <typename Setup, typename Check>
void ForEachSchedule(Setup setup, Check check) {
  {
    RoundRobinSchedule rr;
    Scheduler::Get().Run(rr, setup);
    check();
  }
  for (int b = 0; b < 256; ++b) {
    std::vector<uint8_t> bytes(64);
    uint32_t x = 2654435761u * static_cast<uint32_t>(b + 1);
    for (uint8_t& byte : bytes) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      byte = static_cast<uint8_t>(x >> 24);
    }
    ByteSource source(absl::MakeConstSpan(bytes));
    InputSchedule schedule(source);
    Scheduler::Get().Run(schedule, setup);
    check();
  }
}

}  // namespace racefuzz::rcu

#endif  // RACEFUZZ_TESTS_RCU_FOR_EACH_SCHEDULE_H_
