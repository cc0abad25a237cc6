// racefuzz list: every target, what it exercises, and which of its builds exist.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands.h"
#include "cli/targets.h"

namespace racefuzz::cli {

absl::StatusOr<int> ListCommand(const Options& options) {
  auto targets = LoadTargets();
  if (!targets.ok()) return targets.status();
  if (options.names) {  // for scripts: the targets a campaign runs
    for (const Target& t : *targets) {
      if (t.Present() && t.campaign) std::printf("%s\n", t.name.c_str());
    }
    return 0;
  }
  if (options.markdown) {  // README.md's table, generated here so that it cannot drift
    std::printf("| target | what it exercises |\n| --- | --- |\n");
    for (const Target& t : *targets) {
      std::printf("| `%s` | %s%s |\n", t.name.c_str(), t.description.c_str(),
                  t.campaign ? "" : " (on request only: not in campaigns)");
    }
    return 0;
  }
  std::printf("%-20s %-24s %s\n", "TARGET", "BUILDS (built)", "EXERCISES");
  for (const Target& t : *targets) {
    std::vector<std::string> builds;
    for (const char* san : {"tsan", "asan", "coverage"}) {
      Build build{san, ""};
      if (build.Built(t)) builds.push_back(san);
    }
    std::string state = builds.empty() ? "-" : absl::StrJoin(builds, ",");
    if (!t.Present()) state = "(not written yet)";
    std::printf("%-20s %-24s %s%s\n", t.name.c_str(), state.c_str(), t.description.c_str(),
                t.campaign ? "" : " [on request only: not in campaigns]");
  }
  const auto bugs = PlantedBugs();
  if (!bugs.empty()) {
    std::printf(
        "\nPLANTED BUG                 TARGET + BUILD                 (racefuzz fuzz <target> "
        "--planted-bug=<name>)\n");
    for (const auto& bug : bugs) {
      std::printf("%-27s %-30s %s\n", bug.name.c_str(),
                  absl::StrCat(bug.target, " [", bug.sanitizer, "]").c_str(),
                  bug.description.c_str());
    }
  }
  std::printf(
      "\nbuild one: racefuzz fuzz <target> [--sanitizer=tsan|asan] builds what is missing\n");
  return 0;
}

}  // namespace racefuzz::cli
