#include "cli/targets.h"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <fstream>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/process.h"
#include "cli/repo.h"
#include "nlohmann/json.hpp"

namespace racefuzz::cli {

bool Target::Present() const { return fs::exists(Root() / source); }

absl::StatusOr<std::vector<Target>> LoadTargets() {
  const fs::path path = Root() / "fuzzers/manifest.json";
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path.string()));
  nlohmann::json json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object() || !json.contains("targets") ||
      !json["targets"].is_array()) {
    return absl::DataLossError(
        absl::StrCat(path.string(),
                     " is not valid: expected {\"targets\": [{\"name\": ..., \"description\": "
                     "...}, ...]}"));
  }
  std::vector<Target> targets;
  for (const auto& entry : json["targets"]) {
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string()) {
      return absl::DataLossError(
          absl::StrCat(path.string(), ": every target needs a \"name\" string"));
    }
    Target t;
    t.name = entry["name"].get<std::string>();
    t.description = entry.value("description", "");
    t.source = entry.value("source", absl::StrCat("fuzzers/", t.name, ".cc"));
    t.binary = entry.value("binary", absl::StrCat("fuzzers/", t.name));
    t.campaign = entry.value("campaign", true);
    targets.push_back(std::move(t));
  }
  return targets;
}

absl::StatusOr<Target> FindTarget(const std::vector<Target>& targets, const std::string& name) {
  std::vector<std::string> names;
  for (const auto& t : targets) {
    if (t.name == name) {
      if (!t.Present()) {
        return absl::NotFoundError(absl::StrFormat(
            "target '%s' is listed in fuzzers/manifest.json but its source %s is not in this "
            "checkout yet: pull, or pick another target (racefuzz list)",
            name, t.source));
      }
      return t;
    }
    names.push_back(t.name);
  }
  return absl::NotFoundError(
      absl::StrFormat("unknown target '%s'. Known targets: %s (racefuzz list shows them)", name,
                      absl::StrJoin(names, ", ")));
}

std::string Build::Name() const {
  return planted_bug.empty() ? sanitizer : absl::StrCat(sanitizer, "-bug-", planted_bug);
}

fs::path Build::Dir() const { return Root() / "build" / Name(); }

fs::path Build::Binary(const Target& target) const { return Dir() / target.binary; }

bool Build::Built(const Target& target) const { return fs::exists(Binary(target)); }

absl::StatusOr<Build> ParseBuildName(const std::string& name) {
  Build build;
  const size_t bug = name.find("-bug-");
  build.sanitizer = name.substr(0, bug);
  if (bug != std::string::npos) build.planted_bug = name.substr(bug + 5);
  if (build.sanitizer != "tsan" && build.sanitizer != "asan") {
    return absl::InvalidArgumentError(
        absl::StrFormat("unknown build '%s' (expected tsan, asan, or <san>-bug-<name>)", name));
  }
  return build;
}

std::vector<PlantedBug> PlantedBugs() {
  std::vector<PlantedBug> bugs;
  std::ifstream in(Root() / "bench/planted/bugs.tsv");
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() < 5 || !fs::exists(Root() / "bench/planted" / (f[0] + ".patch"))) continue;
    bugs.push_back({f[0], f[1], f[2], f[3], f[4]});
  }
  return bugs;
}

absl::StatusOr<PlantedBug> FindPlantedBug(const std::string& name) {
  const auto bugs = PlantedBugs();
  auto bug =
      std::find_if(bugs.begin(), bugs.end(), [&](const PlantedBug& b) { return b.name == name; });
  if (bug != bugs.end()) return *bug;
  std::vector<std::string> names;
  for (const auto& b : bugs) names.push_back(b.name);
  return absl::NotFoundError(absl::StrFormat(
      "--planted-bug: unknown planted bug '%s'. bench/planted/ has: %s (racefuzz list)", name,
      names.empty() ? "none" : absl::StrJoin(names, ", ")));
}

absl::Status EnsureBuilt(const Build& build, const Target& target, int jobs) {
  std::deque<std::string> tail;
  ProcessOptions options;
  options.on_line = [&tail](const std::string& line) {
    tail.push_back(line);
    if (tail.size() > 60) tail.pop_front();
  };
  auto fail = [&](const std::string& what, const std::vector<std::string>& argv) {
    for (const auto& line : tail) std::fprintf(stderr, "  | %s\n", line.c_str());
    return absl::InternalError(
        absl::StrFormat("%s failed (output above). Command: %s", what, ShellCommand(argv)));
  };
  const fs::path dir = build.Dir();
  // ci/configure.py, the one configure entry point: the preset and the planted bug, checked against
  // the build's cache (compiler, build type, sanitizer, bug). Nothing runs when the cache holds
  // them; a build configured another way (build/<preset> is shared) is configured fresh, and its
  // line saying so is shown.
  const std::vector<std::string> configure = {
      "python3",       (Root() / "ci/configure.py").string(),
      build.sanitizer, "-B",
      dir.string(),    absl::StrCat("-DRACEFUZZ_PLANTED_BUG=", build.planted_bug)};
  if (!fs::exists(dir / "CMakeCache.txt")) {
    std::printf("racefuzz: configuring build/%s ...\n", build.Name().c_str());
    std::fflush(stdout);
  }
  ProcessOptions configure_options = options;
  configure_options.on_line = [&](const std::string& line) {
    options.on_line(line);
    if (absl::StartsWith(line, "racefuzz configure: ")) std::printf("%s\n", line.c_str());
  };
  auto configured = RunProcess(configure, configure_options);
  if (!configured.ok()) return configured.status();
  if (configured->exit_code != 0) return fail("configuring " + build.Name(), configure);
  const bool had_binary = build.Built(target);
  std::vector<std::string> argv = {"cmake",
                                   "--build",
                                   dir.string(),
                                   "--target",
                                   target.name,
                                   "-j",
                                   absl::StrCat(std::max(1, jobs))};
  if (!had_binary) {
    std::printf("racefuzz: building %s [%s] ...\n", target.name.c_str(), build.Name().c_str());
    std::fflush(stdout);
  }
  tail.clear();
  auto result = RunProcess(argv, options);
  if (!result.ok()) return result.status();
  if (result->exit_code != 0) {
    if (!had_binary) return fail("building " + target.name, argv);
    // Someone's half-done change elsewhere in the tree: fuzz what was built last, and say so.
    std::fprintf(stderr,
                 "racefuzz: warning: rebuilding %s [%s] failed; using the binary built before "
                 "(%s shows why)\n",
                 target.name.c_str(), build.Name().c_str(), ShellCommand(argv).c_str());
  }
  if (!build.Built(target)) {
    return absl::InternalError(
        absl::StrFormat("built %s but %s is missing: check \"binary\" in fuzzers/manifest.json",
                        target.name, build.Binary(target).string()));
  }
  return absl::OkStatus();
}

}  // namespace racefuzz::cli
