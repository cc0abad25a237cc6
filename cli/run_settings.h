// How a fuzzer binary runs an input: the RACEFUZZ_* environment and libFuzzer's per-input timeout.
// racefuzz fuzz takes them from its flags, records them in every crash's metadata, and repro,
// minimize and triage give them back to the binary, so a crash replays the way it was found.
#ifndef RACEFUZZ_CLI_RUN_SETTINGS_H_
#define RACEFUZZ_CLI_RUN_SETTINGS_H_

#include <map>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace racefuzz::cli {

// The accepted values of each setting (the flags' and the metadata's), listed once.
inline const std::vector<std::string> kModes = {"deterministic", "threads"};
inline const std::vector<std::string> kSchedules = {"input", "pct", "round-robin"};
inline const std::vector<std::string> kMemoryModels = {"sc", "weak"};

// The per-input timeout (libFuzzer's -timeout, seconds) when --timeout is not given: far above any
// input's run time in every mode (milliseconds), far below "the progress line froze".
inline constexpr int kDefaultTimeoutSeconds = 10;

struct RunSettings {
  std::string mode = "deterministic";  // RACEFUZZ_MODE
  std::string schedule = "input";      // RACEFUZZ_SCHEDULE
  int pct_depth = 0;                   // RACEFUZZ_PCT_DEPTH with schedule pct; 0: the engine's
  std::string memory = "sc";           // RACEFUZZ_MEMORY
  int timeout_s = kDefaultTimeoutSeconds;

  bool threads() const { return mode == "threads"; }
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
