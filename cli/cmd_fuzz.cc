// racefuzz fuzz <target>: builds what is missing, fuzzes with the target's corpus, dictionary and
// options, triages every input libFuzzer saved (metadata next to it) and ends with how to
// reproduce each crash and how to repeat the run (its libFuzzer seed).
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/artifact.h"
#include "cli/commands.h"
#include "cli/crash_index.h"
#include "cli/fuzzer_run.h"
#include "cli/process.h"
#include "cli/repo.h"
#include "cli/targets.h"
#include "cli/triage.h"

namespace racefuzz::cli {

absl::StatusOr<int> FuzzCommand(const std::string& target_name, const Options& options) {
  auto targets = LoadTargets();
  if (!targets.ok()) return targets.status();
  auto target = FindTarget(*targets, target_name);
  if (!target.ok()) return target.status();
  Build build{options.sanitizer.empty() ? "tsan" : options.sanitizer, options.planted_bug};
  if (!build.planted_bug.empty()) {
    auto bug = FindPlantedBug(build.planted_bug);
    if (!bug.ok()) return bug.status();
    if (options.sanitizer.empty()) build.sanitizer = bug->sanitizer;
    if (bug->target != target->name || bug->sanitizer != build.sanitizer) {
      std::printf("racefuzz: note: %s shows in %s [%s]; fuzzing %s [%s] may not find it\n",
                  bug->name.c_str(), bug->target.c_str(), bug->sanitizer.c_str(),
                  target->name.c_str(), build.sanitizer.c_str());
    }
  }
  if (auto s = EnsureBuilt(build, *target, 2); !s.ok()) return s;

  FuzzPlan plan;
  plan.corpus = Root() / "out/corpus" / target->name;
  plan.artifacts = Root() / "out/artifacts" / target->name / build.Name();
  const absl::Duration time =
      options.time == absl::ZeroDuration() ? absl::Seconds(60) : options.time;
  plan.seconds = absl::ToInt64Seconds(time);
  plan.fork = options.jobs > 1;
  plan.jobs = options.jobs;
  plan.seed = options.seed;
  plan.runs = options.runs;
  plan.run = options.run;
  fs::create_directories(plan.corpus);
  fs::create_directories(plan.artifacts);
  const Invocation inv = FuzzInvocation(build, *target, plan);

  InstallInterruptHandlers();
  const std::string log =
      (Root() / "out/artifacts" / target->name / absl::StrCat(build.Name(), ".log")).string();
  std::printf("racefuzz: fuzzing %s [%s, %s] for %s; corpus %s (%d inputs); log %s\n",
              target->name.c_str(), build.Name().c_str(), plan.run.Describe().c_str(),
              absl::FormatDuration(time).c_str(), plan.corpus.c_str(), CountFiles(plan.corpus),
              log.c_str());
  std::printf("racefuzz: command: %s\n", ShellCommand(inv.argv, inv.env).c_str());
  fs::remove(log);
  auto session = RunSession(inv, absl::StrCat(target->name, "/", build.Name()), log, 5,
                            std::max(5, plan.run.timeout_s));
  if (!session.ok()) return session.status();

  // The inputs to triage: every one libFuzzer said it saved; in fork mode (whose jobs' logs
  // libFuzzer does not show) every crash file not triaged yet.
  std::vector<fs::path> files = session->written;
  if (plan.fork) {
    for (const auto& f : ListArtifacts(plan.artifacts)) {
      if (!fs::exists(MetadataPath(f)) && std::find(files.begin(), files.end(), f) == files.end()) {
        files.push_back(f);
      }
    }
  }
  if (session->samples.empty() && files.empty() && !session->interrupted) {
    return absl::InternalError(absl::StrFormat(
        "%s printed no libFuzzer status: is build/%s a fuzzing build? Its output (%s) ends:\n%s",
        build.Binary(*target).string(), build.Name(), log, session->output_tail));
  }

  const std::set<std::string> known = LoadKnownCrashes(Root() / "ci/known_crashes.txt");
  std::map<std::string, std::vector<fs::path>> by_signature;
  std::map<std::string, Triage> triaged;
  for (const auto& file : files) {
    ArtifactInfo found;
    found.run = plan.run;
    found.seed = session->seed;
    found.git_commit = GitCommit();
    found.date = NowIso();
    found.found_by = "fuzz";
    auto triage = TriageCrash(build, *target, file, found, known);
    if (!triage.ok()) return triage.status();
    if (auto s = WriteArtifactInfo(file, triage->info); !s.ok()) return s;
    by_signature[triage->info.signature.id].push_back(file);
    triaged.emplace(triage->info.signature.id, *triage);
  }

  const auto& last = session->samples.empty() ? StatusSample{} : session->samples.back();
  std::printf("\n== racefuzz fuzz summary: %s [%s]\n", target->name.c_str(), build.Name().c_str());
  std::printf("   %lld execs, coverage %lld (features %lld), corpus %d inputs in %s\n",
              static_cast<long long>(last.status.execs), static_cast<long long>(last.status.cov),
              static_cast<long long>(last.status.ft), CountFiles(plan.corpus), plan.corpus.c_str());
  if (session->seed != 0) {
    std::printf("   libFuzzer seed %llu: repeat this run with --seed=%llu\n",
                static_cast<unsigned long long>(session->seed),
                static_cast<unsigned long long>(session->seed));
  }
  if (by_signature.empty()) {
    if (session->exit_code != 0 && !session->interrupted) {
      std::printf("   the fuzzer exited with status %d but saved no input; its last output:\n%s\n",
                  session->exit_code, session->output_tail.c_str());
      return 1;
    }
    std::printf("   no crash found%s.\n", session->interrupted ? " (interrupted)" : "");
    return session->interrupted ? kExitInterrupted : 0;
  }
  std::printf("   %zu distinct crash(es):\n", by_signature.size());
  for (const auto& [id, files_of] : by_signature) {
    const Triage& t = triaged.at(id);
    const auto& sig = t.info.signature;
    std::printf("\n   [%s] %s (%s)\n", sig.id.c_str(), sig.summary.c_str(),
                VerdictName(t.verdict).c_str());
    if (!sig.frames.empty())
      std::printf("     top frames: %s\n", absl::StrJoin(sig.frames, " < ").c_str());
    std::printf("     %zu file(s), e.g. %s\n", files_of.size(), files_of[0].c_str());
    std::printf("     reproduce: ./racefuzz repro %s --times=20\n", files_of[0].c_str());
    const Invocation replay = ReplayInvocation(build.Binary(*target), files_of[0], plan.run);
    std::printf("     raw:       %s\n", ShellCommand(replay.argv, replay.env).c_str());
    if (t.verdict == Verdict::kUnreproduced) {
      std::printf("     %s\n", ShortfallWarning(plan.run, 0, 1).c_str());
    } else if (plan.run.threads()) {
      std::printf(
          "     note: found in threads mode (real OS threads): it may not replay exactly\n");
    }
  }
  return 1;
}

}  // namespace racefuzz::cli
