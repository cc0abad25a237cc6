// racefuzz fuzz <target>: builds what is missing, fuzzes with the target's corpus, dictionary and
// options, writes metadata next to every crash and ends with how to reproduce each.
#include <algorithm>
#include <cstdio>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/artifact.h"
#include "cli/commands.h"
#include "cli/fuzzer_run.h"
#include "cli/process.h"
#include "cli/repo.h"
#include "cli/targets.h"

namespace racefuzz::cli {

absl::StatusOr<int> FuzzCommand(const std::string& target_name, const Options& options) {
  auto targets = LoadTargets();
  if (!targets.ok()) return targets.status();
  auto target = FindTarget(*targets, target_name);
  if (!target.ok()) return target.status();
  Build build{options.sanitizer.empty() ? "tsan" : options.sanitizer, options.planted_bug};
  if (!build.planted_bug.empty()) {
    const auto bugs = PlantedBugs();
    auto bug = std::find_if(bugs.begin(), bugs.end(),
                            [&](const PlantedBug& b) { return b.name == build.planted_bug; });
    if (bug == bugs.end()) {
      std::vector<std::string> names;
      for (const auto& b : bugs) names.push_back(b.name);
      return absl::NotFoundError(
          absl::StrFormat("unknown planted bug '%s'. bench/planted/ has: %s (racefuzz list)",
                          build.planted_bug, names.empty() ? "none" : absl::StrJoin(names, ", ")));
    }
    if (options.sanitizer.empty()) build.sanitizer = bug->sanitizer;
    if (bug->target != target->name || bug->sanitizer != build.sanitizer) {
      std::printf("racefuzz: note: %s shows in %s [%s]; fuzzing %s [%s] may not find it\n",
                  bug->name.c_str(), bug->target.c_str(), bug->sanitizer.c_str(),
                  target->name.c_str(), build.sanitizer.c_str());
    }
  }
  if (auto s = ValidateSanitizer(build.sanitizer); !s.ok()) return s;
  if (auto s = EnsureBuilt(build, *target, 2); !s.ok()) return s;

  const fs::path corpus = Root() / "out/corpus" / target->name;
  const fs::path artifacts = Root() / "out/artifacts" / target->name / build.Name();
  fs::create_directories(corpus);
  fs::create_directories(artifacts);
  std::set<fs::path> before;
  for (const auto& f : ListArtifacts(artifacts)) before.insert(f);

  const absl::Duration time =
      options.time == absl::ZeroDuration() ? absl::Seconds(60) : options.time;
  std::vector<std::string> argv = {
      build.Binary(*target).string(),
      absl::StrCat("-max_total_time=", std::max<int64_t>(1, absl::ToInt64Seconds(time))),
      absl::StrCat("-artifact_prefix=", artifacts.string(), "/"), "-print_final_stats=1"};
  if (options.jobs > 1) {
    // Fork mode: N workers, keep going after a crash (one file per hit, de-duplicated below).
    argv.push_back(absl::StrCat("-fork=", options.jobs));
    argv.push_back("-ignore_crashes=1");
  }
  for (auto& f : TargetFlags(*target)) argv.push_back(f);
  argv.push_back(
      corpus.string());  // new inputs go to the first dir: the checked-in seeds stay clean
  for (const auto& d : CheckedInCorpora(*target)) argv.push_back(d.string());
  const auto env = FuzzerEnv(options.mode, options.schedule);

  InstallInterruptHandlers();
  const std::string log =
      (Root() / "out/artifacts" / target->name / absl::StrCat(build.Name(), ".log")).string();
  std::printf("racefuzz: fuzzing %s [%s, %s mode] for %s; corpus %s (%d inputs); log %s\n",
              target->name.c_str(), build.Name().c_str(), options.mode.c_str(),
              absl::FormatDuration(time).c_str(), corpus.string().c_str(), CountFiles(corpus),
              log.c_str());
  const auto shown_env = DisplayEnv(env);
  std::printf("racefuzz: command: %s\n", ShellCommand(argv, shown_env).c_str());
  fs::remove(log);
  auto session = RunSession(argv, env, absl::StrCat(target->name, "/", build.Name()), log, 5,
                            artifacts.string());
  if (!session.ok()) return session.status();
  if (session->samples.empty() && !session->interrupted &&
      ListArtifacts(artifacts).size() == before.size()) {
    return absl::InternalError(absl::StrFormat(
        "%s printed no libFuzzer status: is build/%s a fuzzing build? Its output (%s) ends:\n%s",
        build.Binary(*target).string(), build.Name(), log, session->output_tail));
  }

  // Name every new artifact's bug; de-duplicate by signature.
  std::map<std::string, std::vector<fs::path>> by_signature;
  std::map<std::string, ReportSignature> signatures;
  for (const auto& file : ListArtifacts(artifacts)) {
    if (before.count(file)) continue;
    ArtifactInfo info{target->name, build.Name(),
                      options.mode, options.schedule.empty() ? "input" : options.schedule,
                      GitCommit(),  NowIso(),
                      "fuzz"};
    auto replay = Replay(build.Binary(*target), file, env);
    if (replay.ok()) info.signature = replay->signature;
    if (auto s = WriteArtifactInfo(file, info); !s.ok()) return s;
    const std::string key = info.signature.empty() ? file.filename().string() : info.signature.id;
    by_signature[key].push_back(file);
    signatures[key] = info.signature;
  }

  const auto& last = session->samples.empty() ? StatusSample{} : session->samples.back();
  std::printf("\n== racefuzz fuzz summary: %s [%s]\n", target->name.c_str(), build.Name().c_str());
  std::printf("   %lld execs, coverage %lld (features %lld), corpus %d inputs in %s\n",
              static_cast<long long>(last.status.execs), static_cast<long long>(last.status.cov),
              static_cast<long long>(last.status.ft), CountFiles(corpus), corpus.c_str());
  if (by_signature.empty()) {
    if (session->exit_code != 0 && !session->interrupted) {
      std::printf(
          "   the fuzzer exited with status %d but wrote no crash file; its last output:\n%s\n",
          session->exit_code, session->output_tail.c_str());
      return 1;
    }
    std::printf("   no crash found%s.\n", session->interrupted ? " (interrupted)" : "");
    return session->interrupted ? kExitInterrupted : 0;
  }
  std::printf("   %zu distinct crash(es):\n", by_signature.size());
  for (const auto& [key, files] : by_signature) {
    const auto& sig = signatures[key];
    std::printf("\n   [%s] %s\n", sig.id.empty() ? "no report" : sig.id.c_str(),
                sig.summary.empty() ? "(no sanitizer report on replay)" : sig.summary.c_str());
    if (!sig.frames.empty())
      std::printf("     top frames: %s\n", absl::StrJoin(sig.frames, " < ").c_str());
    std::printf("     %zu file(s), e.g. %s\n", files.size(), files[0].c_str());
    std::printf("     reproduce: ./racefuzz repro %s --times=20\n", files[0].c_str());
    std::printf(
        "     raw:       %s\n",
        ShellCommand({build.Binary(*target).string(), files[0].string()}, shown_env).c_str());
    if (options.mode == "threads") {
      std::printf(
          "     note: found in threads mode (real OS threads): it may not replay exactly\n");
    }
  }
  return 1;
}

}  // namespace racefuzz::cli
