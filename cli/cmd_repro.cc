// racefuzz repro <crash-file> [--times N]: replays a crash the way it was found and says whether
// it reproduced, printing the sanitizer report and the interleaving timeline of the first run.
#include <cstdio>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/commands.h"
#include "cli/crash_file.h"
#include "cli/fuzzer_run.h"
#include "cli/process.h"
#include "cli/triage.h"

namespace racefuzz::cli {

absl::StatusOr<int> ReproCommand(const std::string& file, const Options& options) {
  auto crash = ResolveCrashFile(file, options);
  if (!crash.ok()) return crash.status();
  if (auto s = EnsureBuilt(crash->build, crash->target, 2); !s.ok()) return s;
  const RunSettings& run = crash->info.run;
  const fs::path binary = crash->build.Binary(crash->target);
  const Invocation inv = ReplayInvocation(binary, crash->path, run);
  std::printf(
      "racefuzz: replaying %s\n  target %s, build %s, %s%s%s\n", crash->path.c_str(),
      crash->target.name.c_str(), crash->build.Name().c_str(), run.Describe().c_str(),
      crash->info.seed != 0 ? absl::StrFormat(", libFuzzer seed %d", crash->info.seed).c_str() : "",
      crash->has_metadata
          ? absl::StrFormat(", found %s at commit %s", crash->info.date, crash->info.git_commit)
                .c_str()
          : " (no metadata: inferred)");
  std::printf("  command: %s\n\n", ShellCommand(inv.argv, inv.env).c_str());
  InstallInterruptHandlers();
  const ReportSignature& expected = crash->info.signature;
  int reproduced = 0, runs = 0;
  ReportSignature first;
  for (int i = 0; i < options.times && !Interrupted(); ++i) {
    auto replay = Replay(binary, crash->path, run);
    if (!replay.ok()) return replay.status();
    ++runs;
    // Same bug = a crash with the recorded signature (any crash when none was recorded).
    const bool same = replay->crashed() && !replay->signature.empty() &&
                      (expected.empty() || replay->signature.id == expected.id);
    if (same) ++reproduced;
    if (i == 0) {
      std::fputs(replay->output.c_str(), stdout);
      first = replay->signature;
    } else if (!same) {
      std::printf("run %d: %s\n", i + 1,
                  replay->crashed()
                      ? absl::StrFormat("a different report: %s", replay->signature.summary).c_str()
                      : "no crash");
    }
  }
  std::printf("\n== racefuzz repro: %s\n", crash->path.filename().c_str());
  if (!first.empty()) {
    std::printf("   report:     %s\n   signature:  %s (top frames: %s)\n", first.summary.c_str(),
                first.id.c_str(), absl::StrJoin(first.frames, " < ").c_str());
  }
  if (!expected.empty() && !first.empty() && first.id != expected.id) {
    std::printf("   recorded:   %s (%s): the report changed since it was found\n",
                expected.summary.c_str(), expected.id.c_str());
  }
  std::printf("   reproduced %d/%d\n", reproduced, runs);
  if (reproduced < runs) std::printf("   %s\n", ShortfallWarning(run, reproduced, runs).c_str());
  return reproduced == runs ? 0 : 1;
}

}  // namespace racefuzz::cli
