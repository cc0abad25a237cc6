// racefuzz: fuzz locally, run the nightly campaign, reproduce and minimize crashes. The command
// line is CLI11's: each subcommand declares the flags that apply to it (any other is an error),
// every flag checks its value, and the help is generated from these declarations (racefuzz --help,
// racefuzz <command> --help). docs/cli.md describes every command.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/commands.h"
#include "cli/repo.h"
#include "core/sched/pct_schedule.h"

namespace {

using racefuzz::cli::kExitUsage;
using racefuzz::cli::Options;

constexpr char kFooter[] = R"(
exit status: 0 ok / nothing found / reproduced every run; 1 crash found / not reproduced every run;
             2 usage or setup error; 3 campaign found a new crash; 130 interrupted
docs: docs/cli.md)";

// A value of a set ("--mode: random not in {deterministic,threads}").
CLI::IsMember OneOf(const std::vector<std::string>& values) { return CLI::IsMember(values); }

// --time / --timeout: a duration as Abseil writes them (30s, 10m, 1h30m), stored in `out`.
CLI::Option* AddDuration(CLI::App* app, const std::string& name, absl::Duration* out,
                         const std::string& help) {
  return app
      ->add_option_function<std::string>(
          name,
          [out](const std::string& text) {
            if (!absl::ParseDuration(text, out)) *out = absl::ZeroDuration();
          },
          help)
      ->type_name("DURATION")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            absl::Duration d;
            if (!absl::ParseDuration(text, &d) || d < absl::Seconds(1)) {
              return absl::StrFormat("'%s' is not a duration of at least 1s: write 30s, 10m or 1h",
                                     text);
            }
            return "";
          },
          "", "duration"));
}

void AddSanitizer(CLI::App* app, Options& o, const std::string& help) {
  app->add_option("--sanitizer", o.sanitizer, help)->check(OneOf({"tsan", "asan"}));
}

void AddPlantedBug(CLI::App* app, Options& o, const std::string& help) {
  app->add_option("--planted-bug", o.planted_bug, help)->type_name("NAME");
}

void AddJobs(CLI::App* app, Options& o) {
  app->add_option("--jobs", o.jobs, "parallel fuzzing processes (libFuzzer -fork=N)")
      ->check(CLI::Range(1, 1024));
}

void AddTimeout(CLI::App* app, absl::Duration* timeout) {
  AddDuration(app, "--timeout", timeout,
              absl::StrFormat("an input running longer is reported as a hang (libFuzzer "
                              "-timeout; default %ds)",
                              racefuzz::cli::kDefaultTimeoutSeconds));
}

// The flags that decide how the fuzzer runs an input: recorded in each crash's metadata.
void AddRunFlags(CLI::App* app, Options& o, absl::Duration* timeout) {
  app->add_option("--mode", o.run.mode,
                  "deterministic (fibers, exact replay) or threads (real OS threads, stress)")
      ->check(OneOf(racefuzz::cli::kModes));
  app->add_option(
         "--schedule", o.run.schedule,
         absl::StrCat("who runs next: ", racefuzz::ChoiceList(racefuzz::cli::kSchedules, "")))
      ->check(OneOf(racefuzz::cli::kSchedules));
  app->add_option("--pct-depth", o.run.pct_depth,
                  "PCT's bug depth d (with --schedule=pct; default the engine's)")
      ->check(CLI::Range(1, racefuzz::PctSchedule::kMaxDepth));
  app->add_option("--memory", o.run.memory,
                  "memory model of racefuzz::Atomic: sc (sequentially consistent) or weak")
      ->check(OneOf(racefuzz::cli::kMemoryModels));
  app->add_option("--seed", o.seed, "libFuzzer's -seed (default: libFuzzer picks and prints one)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            uint64_t seed;
            return absl::SimpleAtoi(text, &seed)
                       ? ""
                       : absl::StrFormat("'%s' is not a seed: give a number (0 to 2^64-1)", text);
          },
          "", "seed"));
  AddTimeout(app, timeout);
}

int UsageError(const std::string& message, const std::string& help_command) {
  std::fprintf(stderr, "racefuzz: error: %s\n  (%s --help shows the usage)\n", message.c_str(),
               help_command.c_str());
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  absl::Duration time = absl::ZeroDuration();
  absl::Duration timeout = absl::Seconds(racefuzz::cli::kDefaultTimeoutSeconds);
  std::string target, file;
  std::vector<std::string> coverage_targets;

  CLI::App app("racefuzz: race-detection fuzzing, locally and in CI", "racefuzz");
  app.require_subcommand(1);
  app.footer(kFooter);

  CLI::App* list = app.add_subcommand("list", "the fuzz targets, what they exercise, their builds");
  CLI::Option* names = list->add_flag(
      "--names", o.names, "only the names of the targets campaigns run (present, not on-request)");
  list->add_flag("--markdown", o.markdown, "the target table of README.md (its test compares them)")
      ->excludes(names);

  CLI::App* fuzz = app.add_subcommand("fuzz", "fuzz one target (builds what is missing)");
  fuzz->add_option("target", target, "the fuzz target (racefuzz list)")->required();
  AddSanitizer(fuzz, o, "tsan (races, default) or asan (memory errors, UBSan)");
  AddDuration(fuzz, "--time", &time, "how long to fuzz (default 60s)");
  fuzz->add_option("--runs", o.runs,
                   "stop after this many inputs (libFuzzer -runs; with --seed: "
                   "the same run again)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  AddJobs(fuzz, o);
  AddRunFlags(fuzz, o, &timeout);
  AddPlantedBug(fuzz, o, "fuzz a build with this planted bug (bench/planted/, racefuzz list)");

  CLI::App* repro = app.add_subcommand(
      "repro", "replay a crash: report, timeline; exit 0 only if it reproduced every run");
  repro->add_option("crash-file", file, "the crash file")->required();
  repro->add_option("--times", o.times, "how many times to replay (default 1)")
      ->check(CLI::Range(1, 100000));
  repro->add_option("--target", o.target, "the target of a crash file without metadata");
  AddSanitizer(repro, o, "the build of a crash file without metadata (default: the crash's own)");
  repro->add_option("--mode", o.run.mode, "the mode of a crash file without metadata")
      ->check(OneOf(racefuzz::cli::kModes));
  AddPlantedBug(repro, o, "the planted bug of a crash file without metadata");

  CLI::App* minimize = app.add_subcommand("minimize", "the smallest input with the same report");
  minimize->add_option("crash-file", file, "the crash file")->required();
  AddDuration(minimize, "--time", &time, "how long to shrink (default 60s)");
  minimize->add_flag("--save", o.save, "copy the result to corpora/<target>/regression/");
  minimize->add_option("--target", o.target, "the target of a crash file without metadata");
  AddSanitizer(minimize, o, "the build of a crash file without metadata");
  minimize->add_option("--mode", o.run.mode, "the mode of a crash file without metadata")
      ->check(OneOf(racefuzz::cli::kModes));

  CLI::App* campaign = app.add_subcommand(
      "campaign",
      "the nightly job: every target, both builds, fork mode, deterministic mode; corpora merged, "
      "crashes de-duplicated, HTML+JSON report");
  AddDuration(campaign, "--time", &time,
              "the whole budget, split over target x build (default 10m)");
  campaign
      ->add_option("--targets", o.targets, "comma-separated targets (default: all campaign ones)")
      ->delimiter(',');
  AddSanitizer(campaign, o, "run only this build (default both)");
  AddJobs(campaign, o);
  o.known = "ci/known_crashes.txt";
  campaign->add_option("--known", o.known, "the known-crashes file (signature ids, one a line)")
      ->capture_default_str();
  AddPlantedBug(campaign, o, "a drill: run the build with this planted bug");
  AddTimeout(campaign, &timeout);

  CLI::App* coverage =
      app.add_subcommand("coverage", "llvm-cov HTML report of what the corpora reach");
  coverage->add_option("targets", coverage_targets, "targets (default: all campaign ones)");
  AddJobs(coverage, o);

  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      return UsageError(
          absl::StrFormat("unknown command '%s': use %s", argv[1], absl::StrJoin(names, ", ")),
          "racefuzz");
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string where = "racefuzz";
    for (const CLI::App* sub : app.get_subcommands())
      where = absl::StrCat("racefuzz ", sub->get_name());
    if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr && where != "racefuzz") {
      // "The following argument was not expected: --mode=threads": name what was not expected.
      std::string extras = e.what();
      extras = extras.substr(extras.find(':') + 1);
      return UsageError(
          absl::StrCat(where, " does not take", extras, " (a flag of another command, or a typo)"),
          where);
    }
    return UsageError(e.what(), where);
  }
  if (o.run.pct_depth > 0 && !o.run.pct()) {
    return UsageError("--pct-depth applies to --schedule=pct only", "racefuzz fuzz");
  }
  o.time = time;
  o.run.timeout_s = static_cast<int>(absl::ToInt64Seconds(timeout));

  auto root = racefuzz::cli::FindRepoRoot();
  if (!root.ok()) return UsageError(std::string(root.status().message()), "racefuzz");
  racefuzz::cli::SetRoot(*root);

  absl::StatusOr<int> result;
  std::string command = "racefuzz";
  if (*list) {
    result = racefuzz::cli::ListCommand(o);
  } else if (*fuzz) {
    command = "racefuzz fuzz";
    result = racefuzz::cli::FuzzCommand(target, o);
  } else if (*repro) {
    command = "racefuzz repro";
    result = racefuzz::cli::ReproCommand(file, o);
  } else if (*minimize) {
    command = "racefuzz minimize";
    result = racefuzz::cli::MinimizeCommand(file, o);
  } else if (*campaign) {
    command = "racefuzz campaign";
    result = racefuzz::cli::CampaignCommand(o);
  } else if (*coverage) {
    command = "racefuzz coverage";
    result = racefuzz::cli::CoverageCommand(coverage_targets, o);
  }
  if (!result.ok()) {
    std::fprintf(stderr, "racefuzz: error: %s\n", std::string(result.status().message()).c_str());
    return kExitUsage;
  }
  return *result;
}
