// How a run executes its simulated threads: the one Mode enum the harness (RACEFUZZ_MODE), the
// CLI (--mode) and the benchmarks share, with its names.
#ifndef RACEFUZZ_CORE_SCHED_MODE_H_
#define RACEFUZZ_CORE_SCHED_MODE_H_

#include <cstdint>
#include <string_view>

#include "core/sched/name_table.h"

namespace racefuzz {

enum class Mode : uint8_t {
  kOff,            // no run is active: yield points do nothing, spawn runs the body inline.
  kDeterministic,  // fibers, input-driven schedule, exact replay.
  kThreads,        // real OS threads from a pool: stress, cannot replay.
  kNaive,          // a fresh std::thread per simulated thread per input: the baseline harness. A
                   // naive run is a threads run: current_mode() says kThreads inside it.
  kSequential,     // no scheduler: each body runs to completion at its spawn, in spawn order (the
                   // speed limit the engine approaches; benchmarks only). current_mode() says kOff.
};

// The modes a user may choose, with their names ("deterministic", "threads", "naive",
// "sequential"), in the order usage texts list them.
inline constexpr NameTable<Mode, 4> kModeNames = {{
    {Mode::kDeterministic, "deterministic"},
    {Mode::kThreads, "threads"},
    {Mode::kNaive, "naive"},
    {Mode::kSequential, "sequential"},
}};

// kOff, which no user chooses, is "off".
inline constexpr std::string_view ModeName(Mode mode) {
  return NameOf(kModeNames, mode).value_or("off");
}

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_MODE_H_
