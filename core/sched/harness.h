// The harness fuzz targets share: one call runs the simulated threads of one fuzz input, in the
// mode and with the schedule the environment selects.
//
//   RACEFUZZ_MODE=deterministic|threads|naive|sequential
//                                         (default deterministic; naive = a new std::thread per
//                                          simulated thread per input: the baseline harness;
//                                          sequential = no scheduler at all: each simulated
//                                          thread runs to completion in spawn order, the speed
//                                          limit the engine can approach, for benchmarks only: a
//                                          wait on another thread is a "wait-outside-run" report)
//   RACEFUZZ_SCHEDULE=input|pct|round-robin (default input; deterministic mode only)
//   RACEFUZZ_PCT_DEPTH=d                  (PCT's bug depth, 1..64, default 3: d - 1 change points)
//   RACEFUZZ_MEMORY=sc|weak               (default sc; deterministic mode only. weak: the input
//                                          also chooses which store each racefuzz::Atomic load
//                                          reads, as RC11 allows: core/sched/memory/model.h)
//   RACEFUZZ_MAX_STEPS=N                  (livelock budget, default 100000)
//   RACEFUZZ_TRACE=1                      (print every run's whole timeline and hash to stderr)
//   RACEFUZZ_INTERLEAVING_COVERAGE=1      (deterministic mode: also give libFuzzer the ordered
//                                          operation pairs on each object as coverage; off by
//                                          default, docs/results.md section 8 says why)
//
// A fuzz target decodes its program from the back of the FuzzedDataProvider (ConsumeIntegral,
// ConsumeBool, ...) before calling RunInput; RunInput hands the bytes left to the schedule, which
// reads them from the front (core/sched/byte_source.h).
#ifndef RACEFUZZ_CORE_SCHED_HARNESS_H_
#define RACEFUZZ_CORE_SCHED_HARNESS_H_

#include <cstdint>

#include <fuzzer/FuzzedDataProvider.h>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/sched/memory/memory_mode.h"
#include "core/sched/mode.h"
#include "core/sched/pct_schedule.h"
#include "core/sched/runtime.h"
#include "core/sched/schedule_kind.h"

namespace racefuzz {

struct HarnessConfig {
  Mode mode = Mode::kDeterministic;  // kOff runs as kSequential
  ScheduleKind schedule = ScheduleKind::kInput;
  int pct_depth = PctSchedule::kDefaultDepth;
  MemoryMode memory = MemoryMode::kSc;
  uint64_t max_steps = 100000;
  bool print_trace = false;
  bool interleaving_coverage = false;
};

// Parses the RACEFUZZ_* variables; a bad value is an error naming the variable and its choices.
absl::StatusOr<HarnessConfig> HarnessConfigFromEnv();

// The configuration RunInput uses: HarnessConfigFromEnv() on first use (a bad value prints the
// error and exits 2), or what SetHarnessConfig set.
const HarnessConfig& GetHarnessConfig();
void SetHarnessConfig(const HarnessConfig& config);

// Runs `setup` (which spawns simulated threads with racefuzz::spawn) and the threads, scheduled by
// the rest of `fdp` (deterministic mode), then `finish`: the run's final oracle (a check of the
// state the threads left, e.g. "page-content"), after every thread was joined and the run ended
// (yield points do nothing in it), with the run's timeline still printed under any report it
// raises. Returns the run's trace hash (0 outside deterministic mode).
uint64_t RunInput(
    FuzzedDataProvider& fdp, absl::FunctionRef<void()> setup,
    absl::FunctionRef<void()> finish = [] {});
// The same with the schedule's bytes given directly.
uint64_t RunInput(
    absl::Span<const uint8_t> schedule, absl::FunctionRef<void()> setup,
    absl::FunctionRef<void()> finish = [] {});

// One fuzz input, from the top of LLVMFuzzerTestOneInput to its return: construct one first thing
// in the entry point. Between inputs, the calling thread's memory accesses are hidden from TSan.
// That work is libFuzzer's own (resetting its coverage maps with memsets that TSan intercepts and
// checks cell by cell, up to a sixth of a fast target's time); it races with nothing. Leaving the
// scope out costs only speed. At exit the thread's accesses are visible again, as TSan requires.
class FuzzInputScope {
 public:
  FuzzInputScope();
  ~FuzzInputScope();
  FuzzInputScope(const FuzzInputScope&) = delete;
  FuzzInputScope& operator=(const FuzzInputScope&) = delete;
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_HARNESS_H_
