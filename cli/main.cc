// racefuzz: fuzz locally, run the nightly campaign, reproduce and minimize crashes.
//
//   racefuzz list
//   racefuzz fuzz <target> [--sanitizer=tsan|asan] [--time=60s] [--jobs=N]
//                          [--mode=deterministic|threads] [--planted-bug=<name>]
//   racefuzz repro <crash-file> [--times=20]
//   racefuzz minimize <crash-file> [--time=60s] [--save]
//   racefuzz campaign [--time=10m] [--targets=a,b] [--sanitizer=tsan|asan] [--jobs=N]
//   racefuzz coverage [<target>...]
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "cli/commands.h"
#include "cli/repo.h"

ABSL_FLAG(std::string, sanitizer, "",
          "tsan (races) or asan (memory errors, UBSan); default tsan "
          "for fuzz, both for campaign, the crash's own for repro");
ABSL_FLAG(absl::Duration, time, absl::ZeroDuration(),
          "how long to fuzz (fuzz: 60s, minimize: 60s, campaign: 10m in total)");
ABSL_FLAG(int, jobs, 1, "parallel fuzzing processes (libFuzzer -fork=N)");
ABSL_FLAG(std::string, mode, "deterministic",
          "deterministic (fibers, exact replay) or threads (real OS threads, stress)");
ABSL_FLAG(std::string, schedule, "", "schedule source for new runs: input, pct or round-robin");
ABSL_FLAG(std::string, planted_bug, "", "fuzz a build with this planted bug (bench/planted/)");
ABSL_FLAG(
    bool, names, false,
    "list: only the names of the targets campaigns run (present, not on-request), one a line");
ABSL_FLAG(int, times, 1, "repro: how many times to replay");
ABSL_FLAG(bool, save, false, "minimize: copy the result to corpora/<target>/regression/");
ABSL_FLAG(std::vector<std::string>, targets, {}, "campaign: comma-separated targets (default all)");
ABSL_FLAG(std::string, target, "", "repro/minimize: the target of a crash file without metadata");
ABSL_FLAG(std::string, known, "ci/known_crashes.txt",
          "campaign: the known-crashes file (signature ids, one per line)");

namespace {

constexpr char kUsage[] = R"(racefuzz: race-detection fuzzing, locally and in CI

usage:
  racefuzz list [--names]               the fuzz targets, what they exercise, which builds exist
  racefuzz fuzz <target>                fuzz one target (builds what is missing)
      [--sanitizer=tsan|asan] [--time=60s] [--jobs=N] [--mode=deterministic|threads]
      [--planted-bug=<name>]            fuzz a build with a known bug planted (bench/planted/)
  racefuzz repro <crash-file>           replay a crash: report, timeline, exit 0 if reproduced
      [--times=20]
  racefuzz minimize <crash-file>        smallest input with the same report
      [--time=60s] [--save]             --save: into corpora/<target>/regression/
  racefuzz campaign                     the nightly job: every target, both builds, fork mode,
      [--time=10m] [--targets=a,b] [--sanitizer=tsan|asan] [--jobs=N] [--known=file]
                                        corpora merged, crashes de-duplicated, HTML+JSON report
  racefuzz coverage [<target>...]       llvm-cov HTML report of what the corpora reach

exit status: 0 ok / nothing found / reproduced; 1 crash found / not reproduced;
             2 usage or setup error; 3 campaign found a new crash; 130 interrupted
docs: docs/cli.md
)";

// absl flags are snake_case; let users type --planted-bug as well as --planted_bug.
std::vector<char*> NormalizeFlagNames(int argc, char** argv, std::vector<std::string>& storage) {
  storage.assign(argv, argv + argc);
  for (size_t i = 1; i < storage.size(); ++i) {
    std::string& a = storage[i];
    if (!absl::StartsWith(a, "--")) continue;
    const size_t end = std::min(a.find('='), a.size());
    for (size_t j = 2; j < end; ++j) {
      if (a[j] == '-') a[j] = '_';
    }
  }
  std::vector<char*> out;
  for (auto& s : storage) out.push_back(s.data());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using racefuzz::cli::kExitUsage;
  absl::SetProgramUsageMessage(kUsage);
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h" || a == "help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
  }
  std::vector<std::string> storage;
  std::vector<char*> args = NormalizeFlagNames(argc, argv, storage);
  std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  if (positional.size() < 2) {
    std::fputs(kUsage, stderr);
    return kExitUsage;
  }
  const std::string command = positional[1];
  std::vector<std::string> rest(positional.begin() + 2, positional.end());

  racefuzz::cli::Options options;
  options.sanitizer = absl::GetFlag(FLAGS_sanitizer);
  options.time = absl::GetFlag(FLAGS_time);
  options.jobs = absl::GetFlag(FLAGS_jobs);
  options.mode = absl::GetFlag(FLAGS_mode);
  options.schedule = absl::GetFlag(FLAGS_schedule);
  options.planted_bug = absl::GetFlag(FLAGS_planted_bug);
  options.names = absl::GetFlag(FLAGS_names);
  options.times = absl::GetFlag(FLAGS_times);
  options.save = absl::GetFlag(FLAGS_save);
  options.targets = absl::GetFlag(FLAGS_targets);
  options.target = absl::GetFlag(FLAGS_target);
  options.known = absl::GetFlag(FLAGS_known);

  auto fail = [](const std::string& message) {
    std::fprintf(stderr, "racefuzz: error: %s\n", message.c_str());
    return kExitUsage;
  };
  if (options.mode != "deterministic" && options.mode != "threads") {
    return fail(absl::StrFormat("--mode=%s: choose deterministic or threads", options.mode));
  }
  if (options.jobs < 1) return fail("--jobs must be at least 1");
  if (options.time < absl::ZeroDuration()) return fail("--time must be positive");

  auto root = racefuzz::cli::FindRepoRoot();
  if (!root.ok()) return fail(std::string(root.status().message()));
  racefuzz::cli::SetRoot(*root);

  auto one_arg = [&](const char* what) -> absl::StatusOr<std::string> {
    if (rest.size() != 1) {
      return absl::InvalidArgumentError(
          absl::StrFormat("racefuzz %s takes one %s (racefuzz --help)", command, what));
    }
    return rest[0];
  };
  absl::StatusOr<int> result;
  if (command == "list") {
    result = racefuzz::cli::ListCommand(options);
  } else if (command == "fuzz") {
    auto target = one_arg("<target>");
    result = target.ok() ? racefuzz::cli::FuzzCommand(*target, options) : target.status();
  } else if (command == "repro") {
    auto file = one_arg("<crash-file>");
    result = file.ok() ? racefuzz::cli::ReproCommand(*file, options) : file.status();
  } else if (command == "minimize") {
    auto file = one_arg("<crash-file>");
    result = file.ok() ? racefuzz::cli::MinimizeCommand(*file, options) : file.status();
  } else if (command == "campaign") {
    result =
        rest.empty()
            ? racefuzz::cli::CampaignCommand(options)
            : absl::InvalidArgumentError("racefuzz campaign takes no arguments: use --targets=a,b");
  } else if (command == "coverage") {
    result = racefuzz::cli::CoverageCommand(rest, options);
  } else {
    return fail(absl::StrFormat(
        "unknown command '%s': use list, fuzz, repro, minimize, campaign or coverage "
        "(racefuzz --help)",
        command));
  }
  if (!result.ok()) return fail(std::string(result.status().message()));
  return *result;
}
