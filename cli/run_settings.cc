#include "cli/run_settings.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace racefuzz::cli {

std::string RunSettings::Describe() const {
  std::string s = absl::StrFormat("%s mode, schedule %s, memory %s", mode, schedule, memory);
  if (pct_depth > 0) absl::StrAppend(&s, ", pct depth ", pct_depth);
  return s;
}

std::map<std::string, std::string> FuzzerEnv(const RunSettings& run) {
  // No PATH: every binary finds llvm-symbolizer by the absolute path compiled into its sanitizer
  // options (sanitizers/sanitizer_options.h.in).
  std::map<std::string, std::string> env = {{"RACEFUZZ_MODE", run.mode},
                                            {"RACEFUZZ_SCHEDULE", run.schedule},
                                            {"RACEFUZZ_MEMORY", run.memory}};
  if (run.pct_depth > 0) env["RACEFUZZ_PCT_DEPTH"] = absl::StrCat(run.pct_depth);
  // Threads mode's watchdog reports a stuck input (with each thread's site) at half the timeout,
  // before libFuzzer's -timeout would (without them).
  env["RACEFUZZ_HANG_MS"] = absl::StrCat(std::max(1, run.timeout_s * 500));
  return env;
}

}  // namespace racefuzz::cli
