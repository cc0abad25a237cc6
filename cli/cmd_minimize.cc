// racefuzz minimize <crash-file> [--save]: the smallest input libFuzzer finds that still gives the
// same report signature; --save copies it to corpora/<target>/regression/.
#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "cli/artifact.h"
#include "cli/commands.h"
#include "cli/crash_file.h"
#include "cli/fuzzer_run.h"
#include "cli/process.h"
#include "cli/repo.h"

namespace racefuzz::cli {

absl::StatusOr<int> MinimizeCommand(const std::string& file, const Options& options) {
  auto crash = ResolveCrashFile(file, options);
  if (!crash.ok()) return crash.status();
  if (auto s = EnsureBuilt(crash->build, crash->target, 2); !s.ok()) return s;
  const RunSettings& run = crash->info.run;
  const fs::path binary = crash->build.Binary(crash->target);
  InstallInterruptHandlers();

  auto original = Replay(binary, crash->path, run);
  if (!original.ok()) return original.status();
  if (!original->crashed() || original->signature.empty()) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s does not crash %s [%s] any more: nothing to minimize (racefuzz repro shows the run)",
        file, crash->target.name, crash->build.Name()));
  }
  const fs::path out =
      crash->path.parent_path() / absl::StrCat("minimized-", crash->path.filename().string());
  const absl::Duration time =
      options.time == absl::ZeroDuration() ? absl::Seconds(60) : options.time;
  FuzzPlan plan;
  plan.job = FuzzJob::kMinimizeCrash;
  plan.artifacts = crash->path.parent_path();
  plan.seconds = absl::ToInt64Seconds(time);
  plan.run = run;
  plan.crash = crash->path;
  plan.minimized = out;
  const Invocation inv = FuzzInvocation(crash->build, crash->target, plan);
  std::printf("racefuzz: minimizing %s (%ju bytes) for %s\n  report: %s\n", crash->path.c_str(),
              static_cast<uintmax_t>(fs::file_size(crash->path)),
              absl::FormatDuration(time).c_str(), original->signature.summary.c_str());
  std::string output;
  ProcessOptions popts;
  popts.env = inv.env;
  popts.output = &output;
  popts.cwd = inv.cwd;
  auto shrink = RunProcess(inv.argv, popts);
  if (!shrink.ok()) return shrink.status();
  if (!fs::exists(out)) {
    return absl::InternalError(
        absl::StrFormat("libFuzzer wrote no minimized input (exit %d). Command: %s",
                        shrink->exit_code, ShellCommand(inv.argv, inv.env)));
  }
  // libFuzzer keeps any crash while it shrinks: keep the result only if it is the same bug.
  auto check = Replay(binary, out, run);
  if (!check.ok()) return check.status();
  if (check->signature.id != original->signature.id) {
    std::printf(
        "racefuzz: the smallest crashing input (%s) gives a different report:\n  %s\n"
        "kept the original; try a shorter --time\n",
        out.c_str(), check->signature.summary.c_str());
    fs::remove(out);
    return 1;
  }
  ArtifactInfo info = crash->info;
  info.target = crash->target.name;
  info.build = crash->build.Name();
  info.signature = check->signature;
  info.date = NowIso();
  info.git_commit = GitCommit();
  info.found_by = "minimize";
  if (auto s = WriteArtifactInfo(out, info); !s.ok()) return s;
  std::printf("racefuzz: minimized %ju -> %ju bytes, same report (%s)\n  %s\n",
              static_cast<uintmax_t>(fs::file_size(crash->path)),
              static_cast<uintmax_t>(fs::file_size(out)), check->signature.id.c_str(), out.c_str());
  std::printf("  reproduce: ./racefuzz repro %s --times=20\n", out.c_str());
  if (options.save) {
    const fs::path dir = Root() / "corpora" / crash->target.name / "regression";
    fs::create_directories(dir);
    const fs::path dest =
        dir / absl::StrCat(check->signature.id, "-", crash->path.filename().string());
    fs::copy_file(out, dest, fs::copy_options::overwrite_existing);
    std::printf(
        "racefuzz: saved %s\n  every build's %s_corpus_replay test replays it: it fails "
        "until the bug is fixed. Commit it with the fix.\n",
        dest.c_str(), crash->target.name.c_str());
  }
  return 0;
}

}  // namespace racefuzz::cli
