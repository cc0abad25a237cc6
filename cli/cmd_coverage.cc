// racefuzz coverage [<target>...]: what the corpora reach, as an llvm-cov HTML report, from the
// `coverage` build (source-based coverage) replaying every corpus input once.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/commands.h"
#include "cli/fuzzer_run.h"
#include "cli/process.h"
#include "cli/repo.h"
#include "cli/targets.h"

namespace racefuzz::cli {

absl::StatusOr<int> CoverageCommand(const std::vector<std::string>& names, const Options& options) {
  auto all = LoadTargets();
  if (!all.ok()) return all.status();
  std::vector<Target> targets;
  for (const auto& name : names) {
    auto t = FindTarget(*all, name);
    if (!t.ok()) return t.status();
    targets.push_back(*t);
  }
  if (names.empty()) {
    for (const auto& t : *all) {
      if (t.Present() && t.campaign) targets.push_back(t);
    }
  }
  InstallInterruptHandlers();
  const Build build{"coverage", ""};
  for (const auto& target : targets) {
    if (auto s = EnsureBuilt(build, target, options.jobs); !s.ok()) return s;
    const fs::path out = Root() / "out/coverage" / target.name;
    fs::remove_all(out);
    fs::create_directories(out / "profraw");
    FuzzPlan plan;
    plan.job = FuzzJob::kReplayCorpora;
    plan.artifacts = out;
    for (const fs::path& dir :
         {Root() / "out/campaign/corpus" / target.name, Root() / "out/corpus" / target.name}) {
      if (fs::is_directory(dir)) plan.corpora.push_back(dir);
    }
    Invocation inv = FuzzInvocation(build, target, plan);
    inv.env["LLVM_PROFILE_FILE"] = (out / "profraw/%p.profraw").string();
    int inputs = 0;
    for (const fs::path& dir : plan.corpora) inputs += CountFiles(dir);
    for (const fs::path& dir : CheckedInCorpora(target)) inputs += CountFiles(dir);
    std::printf("racefuzz: coverage of %s: replaying %d corpus inputs\n", target.name.c_str(),
                inputs);
    ProcessOptions popts;
    popts.env = inv.env;
    popts.log_path = (out / "replay.log").string();
    popts.cwd = inv.cwd;
    auto replay = RunProcess(inv.argv, popts);
    if (!replay.ok()) return replay.status();
    if (Interrupted()) return kExitInterrupted;
    std::vector<std::string> merge = {"llvm-profdata-19", "merge", "-sparse", "-o",
                                      (out / "merged.profdata").string()};
    for (const auto& e : fs::directory_iterator(out / "profraw")) merge.push_back(e.path());
    if (merge.size() == 5) {
      return absl::InternalError(absl::StrFormat("the replay wrote no profile (exit %d): see %s",
                                                 replay->exit_code, (out / "replay.log").string()));
    }
    auto merged = RunProcess(merge);
    if (!merged.ok() || merged->exit_code != 0) {
      return absl::InternalError(absl::StrCat("failed: ", ShellCommand(merge)));
    }
    const std::vector<std::string> common = {
        absl::StrCat("-instr-profile=", (out / "merged.profdata").string()),
        build.Binary(target).string(), "-ignore-filename-regex=(/usr/|build/|tests/)"};
    std::vector<std::string> show = {"llvm-cov-19", "show", "-format=html",
                                     absl::StrCat("-output-dir=", (out / "html").string()),
                                     "-show-line-counts-or-regions"};
    show.insert(show.end(), common.begin(), common.end());
    auto shown = RunProcess(show);
    if (!shown.ok() || shown->exit_code != 0) {
      return absl::InternalError(absl::StrCat("failed: ", ShellCommand(show)));
    }
    std::vector<std::string> summary = {"llvm-cov-19", "report", "-summary-only"};
    summary.insert(summary.end(), common.begin(), common.end());
    std::string text;
    ProcessOptions sopts;
    sopts.output = &text;
    RunProcess(summary, sopts).IgnoreError();
    const size_t total = text.rfind("TOTAL");
    std::printf("  %s\n  report: %s\n",
                total == std::string::npos
                    ? ""
                    : text.substr(total, text.find('\n', total) - total).c_str(),
                (out / "html/index.html").c_str());
  }
  return 0;
}

}  // namespace racefuzz::cli
