#include "tests/litmus/litmus.h"

#include <cstdlib>
#include <optional>
#include <string_view>

#include "absl/strings/numbers.h"
#include "core/sched/harness.h"
#include "core/sched/runtime.h"
#include "core/sched/splitmix.h"

namespace racefuzz::litmus {

Observed Explore(const Shape& shape, uint64_t runs, MemoryMode memory) {
  HarnessConfig config;
  config.memory = memory;
  SetHarnessConfig(config);
  uint64_t seed = 0;
  for (char c : std::string_view(shape.name)) seed = seed * 131 + static_cast<unsigned char>(c);
  Observed seen;
  uint8_t bytes[48];
  for (uint64_t i = 0; i < runs; ++i) {
    uint64_t state = seed ^ (i * 0x9e3779b97f4a7c15ull);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(SplitMix64(state));
    std::optional<Vars> vars;
    vars.emplace();
    bool hit = false;
    RunInput(
        bytes,
        [&] {
          for (Thread t : shape.threads) spawn([&vars, t] { t(*vars); });
        },
        [&] { hit = shape.outcome(*vars); });
    ++seen.runs;
    if (hit) {
      ++seen.hits;
      if (seen.first_hit == 0) seen.first_hit = i + 1;
    }
  }
  SetHarnessConfig(HarnessConfig{});
  return seen;
}

uint64_t RunsFromEnv(uint64_t fallback) {
  uint64_t n = 0;
  const char* v = std::getenv("RACEFUZZ_LITMUS_RUNS");
  if (v != nullptr && absl::SimpleAtoi(v, &n) && n > 0) return n;
  return fallback;
}

}  // namespace racefuzz::litmus
