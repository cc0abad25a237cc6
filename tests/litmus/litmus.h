// Litmus tests of the weak memory model (core/sched/memory/model.h): small programs whose one
// outcome in question the C++ model (RC11) either allows or forbids. Each runs many times in weak
// mode under random input schedules; a forbidden outcome must never appear, an allowed one must.
// docs/litmus.md is the table of shapes, verdicts (RC11 and the kernel's LKMM) and what was seen.
#ifndef RACEFUZZ_TESTS_LITMUS_LITMUS_H_
#define RACEFUZZ_TESTS_LITMUS_LITMUS_H_

#include <atomic>
#include <cstdint>
#include <vector>

#include "core/sched/memory/memory_mode.h"
#include "core/sched/sync.h"

namespace racefuzz::litmus {

inline constexpr std::memory_order rlx = std::memory_order_relaxed;
inline constexpr std::memory_order acq = std::memory_order_acquire;
inline constexpr std::memory_order rel = std::memory_order_release;
inline constexpr std::memory_order acq_rel = std::memory_order_acq_rel;
inline constexpr std::memory_order sc = std::memory_order_seq_cst;

// The shared state of one execution: three locations and the registers the threads load into.
// Built fresh for every execution.
struct Vars {
  Atomic<int> x{0, "x"};
  Atomic<int> y{0, "y"};
  Atomic<int> z{0, "z"};
  int r[6] = {};
  Mutex mu{"mu"};
  int plain = 0;  // under mu
};

using Thread = void (*)(Vars&);
// The outcome in question, evaluated after the execution (final values read with x.load()).
using Outcome = bool (*)(Vars&);

enum class Verdict {
  kAllowed,    // RC11 allows it: must be observed
  kForbidden,  // RC11 forbids it: must never be observed
  // RC11 allows it, racefuzz never produces it (a store always goes last in the modification
  // order): asserted never, so a change to that shows here and in docs/litmus.md.
  kAllowedNotProduced,
};

struct Shape {
  const char* name;
  Verdict verdict;
  std::vector<Thread> threads;
  Outcome outcome;
};

struct Observed {
  uint64_t runs = 0;
  uint64_t hits = 0;       // executions with the outcome
  uint64_t first_hit = 0;  // 1-based execution of the first hit, 0 if none
};

// Runs `shape` `runs` times in memory mode `memory`, each under its own random input schedule
// (execution i's bytes are a function of i and the shape's name: the same every time).
Observed Explore(const Shape& shape, uint64_t runs, MemoryMode memory = MemoryMode::kWeak);

// RACEFUZZ_LITMUS_RUNS, or `fallback`.
uint64_t RunsFromEnv(uint64_t fallback);

}  // namespace racefuzz::litmus

#endif  // RACEFUZZ_TESTS_LITMUS_LITMUS_H_
