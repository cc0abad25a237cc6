// Runs child processes for the racefuzz command: builds, fuzzers, llvm tools. A child is started
// with posix_spawn (never through a shell) in its own process group; SIGINT/SIGTERM sent to
// racefuzz are forwarded to that group, so a user's Ctrl-C stops libFuzzer cleanly (it keeps what
// it already wrote) and racefuzz can still finish its bookkeeping.
#ifndef RACEFUZZ_CLI_PROCESS_H_
#define RACEFUZZ_CLI_PROCESS_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace racefuzz::cli {

struct ProcessOptions {
  // Variables set (or overridden) in the child's environment.
  std::map<std::string, std::string> env;
  // Called with each line of the child's merged stdout+stderr (without the newline). When unset,
  // the child writes straight to racefuzz's own stdout/stderr.
  std::function<void(const std::string&)> on_line;
  // When on_line is set: called about once a second while the child prints nothing (a progress
  // line can then say that the child is stuck).
  std::function<void()> on_idle;
  // When on_line is set: also append every line here (the whole output, for reports).
  std::string* output = nullptr;
  // When not empty: the child's merged output is also written to this file.
  std::string log_path;
  // When not empty: the child's working directory (libFuzzer drops some files into it).
  std::string cwd;
};

struct ProcessResult {
  int exit_code = 0;  // the exit status, or 128 + signal when killed by a signal
  bool signaled = false;
};

// Runs argv[0] (looked up in PATH) with argv and waits for it. An error only when it cannot start.
absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         const ProcessOptions& options = {});

// Installs the SIGINT/SIGTERM handlers that forward to the running child and remember the request.
void InstallInterruptHandlers();

// True once the user asked racefuzz to stop (SIGINT or SIGTERM). While it is set, a new child is
// stopped as soon as it starts.
bool Interrupted();

// Returns Interrupted() and clears it: after a stop request, a command that still has bookkeeping
// to do (triage the crashes a campaign wrote) calls this; a second Ctrl-C stops that too.
bool TakeInterrupt();

// Quotes argv as a shell command line a user can paste (for display only: racefuzz never runs a
// shell).
std::string ShellCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {});

}  // namespace racefuzz::cli

#endif  // RACEFUZZ_CLI_PROCESS_H_
