// racefuzz campaign: the nightly job. Every target in both builds with libFuzzer's fork mode; the
// corpus is merged back and minimised; crashes re-run, de-duplicated by report signature and split
// into new and known; an HTML + JSON report. Everything lives under out/campaign/ and is written as
// it is found, so a killed campaign loses nothing and the next one starts from what it kept.
#include <algorithm>
#include <cstdio>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/artifact.h"
#include "cli/campaign_report.h"
#include "cli/commands.h"
#include "cli/crash_index.h"
#include "cli/fuzzer_run.h"
#include "cli/process.h"
#include "cli/repo.h"
#include "cli/targets.h"
#include "cli/triage.h"

namespace racefuzz::cli {
namespace {

// A merge replaces corpus/<t> by corpus/<t>.merged via corpus/<t>.old; a kill between the two
// renames leaves .old, which the next campaign puts back.
void RecoverCorpus(const fs::path& corpus) {
  const fs::path old = corpus.string() + ".old";
  if (!fs::exists(corpus) && fs::exists(old)) fs::rename(old, corpus);
  fs::remove_all(old);
  fs::remove_all(corpus.string() + ".merged");
  fs::create_directories(corpus);
}

// Merges (minimises) the corpus in place: only inputs that add coverage stay.
bool MergeCorpus(const fs::path& binary, const fs::path& corpus,
                 const std::map<std::string, std::string>& env, const fs::path& log) {
  const fs::path merged = corpus.string() + ".merged";
  fs::remove_all(merged);
  fs::create_directories(merged);
  ProcessOptions options;
  options.env = env;
  options.log_path = log.string();
  auto result =
      RunProcess({binary.string(), "-merge=1", merged.string(), corpus.string()}, options);
  if (!result.ok() || result->exit_code != 0 || Interrupted() ||
      (CountFiles(merged) == 0 && CountFiles(corpus) > 0)) {
    fs::remove_all(merged);
    return false;
  }
  const fs::path old = corpus.string() + ".old";
  fs::rename(corpus, old);
  fs::rename(merged, corpus);
  fs::remove_all(old);
  return true;
}

}  // namespace

absl::StatusOr<int> CampaignCommand(const Options& options) {
  auto all = LoadTargets();
  if (!all.ok()) return all.status();
  std::vector<Target> targets;
  if (options.targets.empty()) {
    for (const auto& t : *all) {
      if (t.Present() && t.campaign) targets.push_back(t);
    }
  } else {
    for (const auto& name : options.targets) {
      auto t = FindTarget(*all, name);
      if (!t.ok()) return t.status();
      targets.push_back(*t);
    }
  }
  if (targets.empty()) return absl::NotFoundError("no fuzz targets to run (racefuzz list)");
  std::vector<std::string> sanitizers = {"tsan", "asan"};
  if (!options.planted_bug.empty()) {
    // A campaign against a planted bug (a drill: does the nightly job catch it?) runs its build.
    auto bug = FindPlantedBug(options.planted_bug);
    if (!bug.ok()) return bug.status();
    sanitizers = {bug->sanitizer};
  }
  if (!options.sanitizer.empty()) sanitizers = {options.sanitizer};
  const absl::Duration budget =
      options.time == absl::ZeroDuration() ? absl::Minutes(10) : options.time;
  const int pairs = static_cast<int>(targets.size() * sanitizers.size());
  const int64_t per_run = std::max<int64_t>(10, absl::ToInt64Seconds(budget) / pairs);

  const fs::path base = Root() / "out/campaign";
  const std::string stamp = NowStamp();
  const fs::path logs = base / "logs" / stamp;
  fs::create_directories(logs);
  auto index = CrashIndex::Load(base / "crashes/index.json");
  if (!index.ok()) return index.status();
  const fs::path known_path =
      fs::path(options.known).is_absolute() ? fs::path(options.known) : Root() / options.known;
  const std::set<std::string> known = LoadKnownCrashes(known_path);

  CampaignReport report;
  report.started = NowIso();
  report.git_commit = GitCommit();
  report.time_budget = absl::StrFormat("%s (%ds per target and build, %d job(s))",
                                       absl::FormatDuration(budget), per_run, options.jobs);
  std::map<std::string, int> hits_now;     // signature -> crash files this campaign
  std::set<std::string> unreproduced_now;  // unreproduced ids with a crash file of this campaign
  InstallInterruptHandlers();
  std::printf("racefuzz campaign: %zu target(s) x %s, %llds each, %d job(s); work dir %s\n",
              targets.size(), absl::StrJoin(sanitizers, "+").c_str(),
              static_cast<long long>(per_run), options.jobs, base.c_str());

  for (const auto& target : targets) {
    for (const auto& san : sanitizers) {
      if (report.interrupted) break;
      const Build build{san, options.planted_bug};
      if (auto s = EnsureBuilt(build, target, options.jobs); !s.ok()) return s;
      const fs::path corpus = base / "corpus" / target.name;
      const fs::path crashes = base / "crashes" / target.name / build.Name();
      RecoverCorpus(corpus);
      fs::create_directories(crashes);
      CampaignRun run{target.name, build.Name()};
      run.corpus_before = CountFiles(corpus);
      // Crash files older than this are left over from an earlier campaign (killed before its
      // triage), found by whatever binary was built then.
      const fs::file_time_type fuzz_started = fs::file_time_type::clock::now();
      FuzzPlan plan;
      plan.corpus = corpus;
      plan.artifacts = crashes;
      plan.seconds = per_run;
      plan.fork = true;
      plan.jobs = options.jobs;
      plan.run = options.run;  // the campaign's: deterministic mode, schedule input, --timeout
      const Invocation inv = FuzzInvocation(build, target, plan);
      const fs::path log = logs / absl::StrCat(target.name, "-", build.Name(), ".log");
      std::printf("\n== %s [%s]: corpus %d inputs\n   %s\n", target.name.c_str(),
                  build.Name().c_str(), run.corpus_before, ShellCommand(inv.argv).c_str());
      auto session = RunSession(inv, absl::StrCat(target.name, "/", build.Name()), log.string(), 10,
                                std::max(10, plan.run.timeout_s));
      if (!session.ok()) return session.status();
      for (const auto& sample : session->samples) {
        // Fork mode's first line comes before any input ran (all zeros): not a measurement.
        if (sample.status.cov > 0) run.samples.push_back(sample);
      }
      run.exit_code = session->exit_code;
      run.seconds = run.samples.empty() ? 0 : run.samples.back().seconds;
      report.interrupted = TakeInterrupt() || session->interrupted;
      if (!report.interrupted) {
        run.merged = MergeCorpus(build.Binary(target), corpus, inv.env, log);
        report.interrupted = TakeInterrupt();
      }
      run.corpus_after = CountFiles(corpus);

      // Triage: every crash file without metadata is new to racefuzz.
      std::vector<fs::path> untriaged;
      for (const auto& file : ListArtifacts(crashes)) {
        if (!fs::exists(MetadataPath(file))) untriaged.push_back(file);
      }
      if (!untriaged.empty()) {
        std::printf("   triaging %zu crash file(s): replay, signature, de-duplication ...\n",
                    untriaged.size());
        std::fflush(stdout);
      }
      for (const auto& file : untriaged) {
        if (Interrupted()) break;  // a second Ctrl-C: the rest waits for the next campaign
        ++run.crash_files;
        ArtifactInfo found;
        found.run = plan.run;
        found.seed = session->seed;
        found.git_commit = report.git_commit;
        found.date = NowIso();
        found.found_by = "campaign";
        auto triage = TriageCrash(build, target, file, found, known);
        if (!triage.ok()) return triage.status();
        ArtifactInfo& info = triage->info;
        if (triage->verdict == Verdict::kUnreproduced) {
          // Keep it, unnamed, for a person to look at. A file left by an earlier campaign most
          // often no longer crashes because the bug was fixed since it was found; one this
          // campaign wrote is a racefuzz bug (deterministic mode replays every crash).
          std::error_code ec;
          const bool earlier = fs::last_write_time(file, ec) < fuzz_started && !ec;
          if (earlier) {
            info.signature.summary =
                "crash files from an earlier campaign that no longer crash with this build "
                "(fixed since they were found?)";
          } else {
            info.signature.summary = "crash files that do not crash when replayed alone";
            if (absl::StartsWith(file.filename().string(), "crash-")) {
              unreproduced_now.insert(info.signature.id);
            }
            std::printf("   %s: %s\n", file.filename().c_str(),
                        ShortfallWarning(plan.run, 0, 1).c_str());
          }
        }
        // Index first, then the metadata that marks the file triaged: a kill in between only
        // makes the next campaign triage this file again.
        const bool kept = index->Add(info.signature, target.name, build.Name(), file, info.date);
        if (auto s = index->Save(); !s.ok()) return s;
        if (auto s = WriteArtifactInfo(file, info); !s.ok()) return s;
        ++hits_now[info.signature.id];
        if (!kept) {  // a duplicate of a signature that has its example: drop it
          fs::remove(file);
          fs::remove(MetadataPath(file));
        }
      }
      if (auto s = index->Save(); !s.ok()) return s;
      report.runs.push_back(std::move(run));
    }
  }

  int failures = 0;  // new crashes, and crash files of this campaign that do not reproduce
  for (const auto& [id, files] : hits_now) {
    const CrashEntry& entry = index->entries().at(id);
    const Verdict verdict = Classify(entry.signature, known);
    CampaignCrash crash{entry, files, VerdictName(verdict),
                        absl::StrCat("./racefuzz repro ", entry.example, " --times=20"), ""};
    if (unreproduced_now.count(id)) crash.warning = ShortfallWarning(options.run, 0, 1);
    if (verdict == Verdict::kNew || !crash.warning.empty()) ++failures;
    report.crashes.push_back(crash);
  }
  report.finished = NowIso();
  const fs::path report_dir = base / "reports" / stamp;
  if (auto s = WriteCampaignReport(report, report_dir); !s.ok()) return s;
  for (const char* name : {"report.html", "report.json"}) {
    fs::copy_file(report_dir / name, base / name, fs::copy_options::overwrite_existing);
  }

  std::printf("\n== racefuzz campaign %s%s\n", report.interrupted ? "interrupted" : "done",
              report.interrupted ? " (corpus and crashes kept; the next campaign resumes)" : "");
  for (const auto& r : report.runs) {
    const FuzzStatus last = r.samples.empty() ? FuzzStatus{} : r.samples.back().status;
    std::printf("   %-20s %-6s cov %-6lld corpus %d -> %d%s  crash files %d\n", r.target.c_str(),
                r.build.c_str(), static_cast<long long>(last.cov), r.corpus_before, r.corpus_after,
                r.merged ? " (merged)" : "", r.crash_files);
  }
  for (const auto& c : report.crashes) {
    std::printf("   %-12s %s %s [%s] %d file(s)\n      %s\n", c.verdict.c_str(),
                c.entry.signature.id.c_str(), c.entry.signature.summary.c_str(),
                c.entry.build.c_str(), c.files_this_campaign, c.repro.c_str());
    if (!c.warning.empty()) std::printf("      %s\n", c.warning.c_str());
    if (c.verdict == VerdictName(Verdict::kNew)) {
      std::printf("      to mark it known: echo '%s  # %s' >> %s\n", c.entry.signature.id.c_str(),
                  c.entry.signature.summary.c_str(), options.known.c_str());
    }
  }
  std::printf("   report: %s\n           %s\n", (report_dir / "report.html").c_str(),
              (report_dir / "report.json").c_str());
  if (report.interrupted) return kExitInterrupted;
  return failures > 0 ? kExitNewCrash : 0;
}

}  // namespace racefuzz::cli
