// Runs one libFuzzer binary: a fuzzing session with readable progress, or a replay of one input.
#ifndef RACEFUZZ_CLI_FUZZER_RUN_H_
#define RACEFUZZ_CLI_FUZZER_RUN_H_

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/libfuzzer_output.h"
#include "cli/targets.h"

namespace racefuzz::cli {

namespace fs = std::filesystem;

// The environment every fuzzer run gets: PATH with llvm-19's symbolizer first, RACEFUZZ_MODE, and
// RACEFUZZ_SCHEDULE when given.
std::map<std::string, std::string> FuzzerEnv(const std::string& mode,
                                             const std::string& schedule = "");

// `env` without PATH, for printing a command a user can paste (PATH only adds llvm-symbolizer).
std::map<std::string, std::string> DisplayEnv(std::map<std::string, std::string> env);

// The libFuzzer flags a target's files give: -dict=corpora/<t>/*.dict (concatenated when there are
// several) and the [libfuzzer] section of corpora/<t>/<t>.options.
std::vector<std::string> TargetFlags(const Target& target);

// The checked-in input dirs of a target that exist: corpora/<t>/seeds and corpora/<t>/regression.
std::vector<fs::path> CheckedInCorpora(const Target& target);

struct StatusSample {
  double seconds = 0;
  FuzzStatus status;
};

struct SessionResult {
  int exit_code = 0;
  bool interrupted = false;
  std::vector<StatusSample> samples;
  std::string output_tail;  // the last lines of output (a failure explains itself with them)
};

// Runs `argv` (a libFuzzer command) with `env`, printing a progress line at most every
// `print_every_s` seconds ("[ 12s] sched_example/tsan  1.2M execs  89k exec/s  cov 130 ..."), and
// the whole output to `log_path`. It runs in `cwd` (the artifacts dir: fork mode also drops crash
// files into its working directory).
absl::StatusOr<SessionResult> RunSession(const std::vector<std::string>& argv,
                                         const std::map<std::string, std::string>& env,
                                         const std::string& label, const std::string& log_path,
                                         double print_every_s, const std::string& cwd);

struct ReplayResult {
  int exit_code = 0;
  std::string output;
  ReportSignature signature;
  bool crashed() const { return exit_code != 0; }
};

// Runs `binary file` once (a libFuzzer binary runs the one input and exits).
absl::StatusOr<ReplayResult> Replay(const fs::path& binary, const fs::path& file,
                                    const std::map<std::string, std::string>& env);

}  // namespace racefuzz::cli

#endif  // RACEFUZZ_CLI_FUZZER_RUN_H_
