#include "tests/canaries/canary.h"

#include <array>
#include <cstring>

#include "core/sched/harness.h"
#include "core/sched/round_robin_schedule.h"
#include "core/sched/scheduler.h"
#include "tests/sched/indexed_schedule.h"

namespace racefuzz::canary {

std::vector<Canary>& Registry() {
  static std::vector<Canary>* all = new std::vector<Canary>();
  return *all;
}

int Register(Canary c) {
  Registry().push_back(std::move(c));
  return static_cast<int>(Registry().size());
}

const std::vector<Canary>& All() { return Registry(); }

unsigned ThisBuild() {
  if (std::strcmp(RACEFUZZ_BUILD_NAME, "tsan") == 0) return kTsan;
  if (std::strcmp(RACEFUZZ_BUILD_NAME, "asan") == 0) return kAsan;
  return kDebug;
}

void RunThreads(std::initializer_list<std::function<void()>> bodies) {
  RoundRobinSchedule rr;
  // RACEFUZZ_MEMORY=weak runs them in the weak memory model (round-robin reads the newest store;
  // TSan's edges then come from the model).
  Scheduler::Get().Run(rr,
                       [&] {
                         for (const auto& body : bodies) spawn(body);
                       },
                       {.memory = GetHarnessConfig().memory});
}

void UnderSchedules(MemoryMode memory, absl::FunctionRef<void(absl::Span<const uint8_t>)> program,
                    int count) {
  HarnessConfig config;
  config.memory = memory;
  SetHarnessConfig(config);
  for (int i = 0; i < count; ++i) {
    const std::array<uint8_t, 32> bytes = ::racefuzz::testing::IndexedScheduleBytes<32>(0x1ea4u, i);
    program(absl::Span<const uint8_t>(bytes));
  }
}

}  // namespace racefuzz::canary
