// Fuzzer self-tests: RACEFUZZ_RCU_PLANT=skip-grace-period|relaxed-publish plants that bug in the
// RCU model for the whole process (grace_period.h, rcu.h: rcu::testing), so a fuzz target can show
// it finds it. Never for campaigns.
#ifndef RACEFUZZ_CORE_RCU_PLANT_H_
#define RACEFUZZ_CORE_RCU_PLANT_H_

namespace racefuzz::rcu::testing {

// Reads RACEFUZZ_RCU_PLANT and plants the bug it names, for good (call from
// LLVMFuzzerInitialize). Unset: does nothing. A bad value prints the choices and exits 2.
void PlantFromEnv();

}  // namespace racefuzz::rcu::testing

#endif  // RACEFUZZ_CORE_RCU_PLANT_H_
