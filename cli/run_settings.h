// How a fuzzer binary runs an input: the RACEFUZZ_* environment and libFuzzer's per-input timeout.
// racefuzz fuzz takes them from its flags, records them in every crash's metadata, and repro,
// minimize and triage give them back to the binary, so a crash replays the way it was found.
#ifndef RACEFUZZ_CLI_RUN_SETTINGS_H_
#define RACEFUZZ_CLI_RUN_SETTINGS_H_

#include <map>
#include <string>
#include <vector>

#include "core/sched/memory/memory_mode.h"
#include "core/sched/mode.h"
#include "core/sched/name_table.h"
#include "core/sched/schedule_kind.h"
#include "nlohmann/json.hpp"

namespace racefuzz::cli {

// The accepted values of each setting (the flags' and the metadata's): the names in core's tables.
// Of the modes, the two a fuzzing run uses (naive and sequential are the benchmarks' baselines).
inline const std::vector<std::string> kModes =
    NamesOf(kModeNames, {Mode::kDeterministic, Mode::kThreads});
inline const std::vector<std::string> kSchedules = NamesOf(kScheduleNames);
inline const std::vector<std::string> kMemoryModels = NamesOf(kMemoryModeNames);

// The per-input timeout (libFuzzer's -timeout, seconds) when --timeout is not given: far above any
// input's run time in every mode (milliseconds), far below "the progress line froze".
inline constexpr int kDefaultTimeoutSeconds = 10;

struct RunSettings {
  std::string mode{ModeName(Mode::kDeterministic)};          // RACEFUZZ_MODE
  std::string schedule{ScheduleName(ScheduleKind::kInput)};  // RACEFUZZ_SCHEDULE
  int pct_depth = 0;  // RACEFUZZ_PCT_DEPTH with schedule pct; 0: the engine's
  std::string memory{MemoryModeName(MemoryMode::kSc)};  // RACEFUZZ_MEMORY
  int timeout_s = kDefaultTimeoutSeconds;

  bool threads() const { return mode == ModeName(Mode::kThreads); }
  bool pct() const { return schedule == ScheduleName(ScheduleKind::kPct); }
  // "deterministic mode, schedule input, memory sc" (+ ", pct depth 3" when set).
  std::string Describe() const;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RunSettings, mode, schedule, pct_depth, memory,
                                                timeout_s)

// The environment a fuzzer runs with: the RACEFUZZ_* variables of `run` (PATH is left alone), with
// RACEFUZZ_HANG_MS, threads mode's watchdog, at half the timeout.
std::map<std::string, std::string> FuzzerEnv(const RunSettings& run);

}  // namespace racefuzz::cli

#endif  // RACEFUZZ_CLI_RUN_SETTINGS_H_
