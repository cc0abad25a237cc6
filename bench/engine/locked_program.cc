#include "bench/engine/locked_program.h"

#include <array>

#include <fuzzer/FuzzedDataProvider.h>

#include "core/sched/harness.h"
#include "core/sched/runtime.h"
#include "core/sched/splitmix.h"
#include "core/sched/sync.h"

namespace racefuzz::bench {
namespace {

struct Shared {
  std::array<uint64_t, kSlots> counters{};
  Mutex even{"even"};
  Mutex odd{"odd"};
};

// One simulated thread's body: its `ops` operations, each under the lock that guards its slot.
void Body(Shared& shared, const LockedProgram& program, int t) {
  for (int i = 0; i < program.ops; ++i) {
    const size_t k = static_cast<size_t>(t) * program.ops + i;
    const uint8_t slot = program.slot[k];
    Mutex& mu = slot % 2 == 0 ? shared.even : shared.odd;
    Guard lock(mu);
    yield_point("add", {"slot", slot});
    // SAFETY: slot s is guarded by the lock of its parity, held here.
    shared.counters[slot] += program.amount[k];
  }
}

}  // namespace

uint64_t RunLockedProgram(const LockedProgram& program, Mode mode,
                          const std::vector<uint8_t>& input) {
  Shared shared;
  auto setup = [&] {
    for (int t = 0; t < program.threads; ++t) spawn([&, t] { Body(shared, program, t); });
  };
  if (mode == Mode::kSequential) {
    for (int t = 0; t < program.threads; ++t) Body(shared, program, t);
  } else {
    HarnessConfig config;
    config.mode = mode;
    SetHarnessConfig(config);
    FuzzedDataProvider fdp(input.data(), input.size());
    RunInput(fdp, setup);
  }
  uint64_t sum = 0;
  for (uint64_t c : shared.counters) sum += c;
  return sum;
}

LockedProgram MakeLockedProgram(int threads, int ops, uint64_t seed) {
  LockedProgram p{.threads = threads, .ops = ops};
  uint64_t state = seed;
  for (int i = 0; i < threads * ops; ++i) {
    p.slot.push_back(static_cast<uint8_t>(SplitMix64(state) % kSlots));
    p.amount.push_back(static_cast<uint8_t>(SplitMix64(state)));
  }
  return p;
}

std::vector<uint8_t> MakeScheduleInput(size_t size, uint64_t seed) {
  uint64_t state = seed ^ 0x5eedull;
  std::vector<uint8_t> v(size);
  for (uint8_t& b : v) b = static_cast<uint8_t>(SplitMix64(state));
  return v;
}

}  // namespace racefuzz::bench
