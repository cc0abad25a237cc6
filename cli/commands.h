// The racefuzz subcommands. Each returns the process exit status, or an error whose message tells
// the user what to do (main prints it and exits 2).
#ifndef RACEFUZZ_CLI_COMMANDS_H_
#define RACEFUZZ_CLI_COMMANDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/run_settings.h"

namespace racefuzz::cli {

// The parsed flags (main.cc gives each subcommand only the flags that apply to it); empty/zero
// values mean "the command's default".
struct Options {
  std::string sanitizer;  // tsan | asan
  absl::Duration time = absl::ZeroDuration();
  int jobs = 1;
  RunSettings run;    // --mode, --schedule, --pct-depth, --memory, --timeout
  uint64_t seed = 0;  // --seed: libFuzzer's -seed (0: libFuzzer picks)
  int64_t runs = 0;   // --runs: libFuzzer's -runs (0: until --time)
  std::string planted_bug;
  bool names = false;     // list: names only
  bool markdown = false;  // list: the README's target table
  int times = 1;
  bool save = false;
  std::vector<std::string> targets;
  std::string target;  // repro/minimize of a file without metadata
  std::string known;   // campaign: the known-crashes file
};

// Exit statuses beyond 0/1: 2 = usage or setup error, 3 = a campaign found a new crash,
// 130 = interrupted.
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNewCrash = 3;
inline constexpr int kExitInterrupted = 130;

absl::StatusOr<int> ListCommand(const Options& options);
absl::StatusOr<int> FuzzCommand(const std::string& target, const Options& options);
absl::StatusOr<int> ReproCommand(const std::string& file, const Options& options);
absl::StatusOr<int> MinimizeCommand(const std::string& file, const Options& options);
absl::StatusOr<int> CampaignCommand(const Options& options);
absl::StatusOr<int> CoverageCommand(const std::vector<std::string>& targets,
                                    const Options& options);

}  // namespace racefuzz::cli

#endif  // RACEFUZZ_CLI_COMMANDS_H_
