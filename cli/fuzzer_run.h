// Runs one libFuzzer binary: the one way racefuzz builds a libFuzzer invocation (fuzz, campaign,
// minimize and coverage share it), a fuzzing session with readable progress, and the replay of one
// input.
#ifndef RACEFUZZ_CLI_FUZZER_RUN_H_
#define RACEFUZZ_CLI_FUZZER_RUN_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/libfuzzer_output.h"
#include "cli/run_settings.h"
#include "cli/targets.h"
#include "nlohmann/json.hpp"

namespace racefuzz::cli {

namespace fs = std::filesystem;

// The libFuzzer flags a target's files give: -dict=corpora/<t>/*.dict (concatenated when there are
// several).
std::vector<std::string> TargetFlags(const Target& target);

// The checked-in input dirs of a target that exist: corpora/<t>/seeds and corpora/<t>/regression.
std::vector<fs::path> CheckedInCorpora(const Target& target);

// What a libFuzzer run of a target is for.
enum class FuzzJob {
  kFuzz,           // mutate inputs for `seconds` (fuzz, campaign)
  kMinimizeCrash,  // shrink `crash` for `seconds` into `minimized`, crashing still (minimize)
  kReplayCorpora,  // run every input of `corpora` and the checked-in corpora once (coverage)
};

// What one libFuzzer run of a target is asked to do.
struct FuzzPlan {
  FuzzJob job = FuzzJob::kFuzz;
  fs::path artifacts;    // the fuzzer's working directory; kFuzz: crash files go here
  int64_t seconds = 60;  // kFuzz, kMinimizeCrash: libFuzzer's -max_total_time
  RunSettings run;       // the environment and the per-input -timeout

  // kFuzz
  fs::path corpus;  // new inputs go here (the checked-in corpora are read, never written)
  // Fork mode (-fork=jobs -ignore_crashes=1): keeps fuzzing after a crash, one file per hit.
  bool fork = false;
  int jobs = 1;
  uint64_t seed = 0;  // libFuzzer's -seed; 0: libFuzzer picks one (and prints it)
  int64_t runs = 0;   // libFuzzer's -runs (stop after this many inputs); 0: no limit

  // kMinimizeCrash
  fs::path crash;      // the input to shrink
  fs::path minimized;  // where the smallest crashing input is written

  // kReplayCorpora: the generated corpora (the checked-in ones are added)
  std::vector<fs::path> corpora;
};

// A command ready to run: argv, the environment it adds, the working directory.
struct Invocation {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  std::string cwd;
};

// The libFuzzer command that carries out `plan` on `target` in `build`, under `setarch -R` where it
// can run (one address layout: a run is a function of its command line, seed and environment).
Invocation FuzzInvocation(const Build& build, const Target& target, const FuzzPlan& plan);

struct StatusSample {
  double seconds = 0;
  FuzzStatus status;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StatusSample, seconds, status)

struct SessionResult {
  int exit_code = 0;
  bool interrupted = false;
  uint64_t seed = 0;  // from libFuzzer's "INFO: Seed:" line
  std::vector<StatusSample> samples;
  // The inputs libFuzzer said it saved ("Test unit written to"), in order, without repeats.
  std::vector<fs::path> written;
  std::string output_tail;  // the last lines of output (a failure explains itself with them)
};

// Runs `invocation` (a libFuzzer command), printing a progress line at most every `print_every_s`
// seconds ("[ 12s] sched_example/tsan  1.2M execs  89k exec/s  cov 130 ..."), and one saying so
// when the fuzzer has printed nothing for longer than an input may take (`stuck_after_s`), and the
// whole output to `log_path`.
absl::StatusOr<SessionResult> RunSession(const Invocation& invocation, const std::string& label,
                                         const std::string& log_path, double print_every_s,
                                         double stuck_after_s);

struct ReplayResult {
  int exit_code = 0;
  std::string output;
  ReportSignature signature;
  bool crashed() const { return exit_code != 0; }
};

// The command that runs `binary` on the one input `file` with `run`'s settings.
Invocation ReplayInvocation(const fs::path& binary, const fs::path& file, const RunSettings& run);

// Runs ReplayInvocation once (a libFuzzer binary runs the one input and exits).
absl::StatusOr<ReplayResult> Replay(const fs::path& binary, const fs::path& file,
                                    const RunSettings& run);

}  // namespace racefuzz::cli

#endif  // RACEFUZZ_CLI_FUZZER_RUN_H_
