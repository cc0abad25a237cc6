#include "core/rcu/plant.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "core/rcu/grace_period.h"
#include "core/rcu/rcu.h"

namespace racefuzz::rcu::testing {

void PlantFromEnv() {
  const char* plant = std::getenv("RACEFUZZ_RCU_PLANT");
  if (plant == nullptr || *plant == '\0') return;
  // Static: the bug stays planted until the process exits (and nothing leaks).
  static std::optional<ScopedSkipGracePeriods> skip;
  static std::optional<ScopedRelaxedPublish> relaxed;
  if (std::strcmp(plant, "skip-grace-period") == 0) {
    skip.emplace();
  } else if (std::strcmp(plant, "relaxed-publish") == 0) {
    relaxed.emplace();
  } else {
    std::fprintf(stderr, "RACEFUZZ_RCU_PLANT=%s: must be skip-grace-period or relaxed-publish\n",
                 plant);
    std::exit(2);
  }
  std::fprintf(stderr, "racefuzz: RCU planted bug: %s\n", plant);
}

}  // namespace racefuzz::rcu::testing
