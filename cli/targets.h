// The fuzz targets (fuzzers/manifest.json) and the builds that hold them (build/<preset> and
// build/<preset>-bug-<name>), built on demand.
#ifndef RACEFUZZ_CLI_TARGETS_H_
#define RACEFUZZ_CLI_TARGETS_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace racefuzz::cli {

namespace fs = std::filesystem;

struct Target {
  std::string name;
  std::string description;
  std::string source;  // relative to the root; the target is "not written yet" while it is missing
  std::string binary;  // relative to a build dir
  bool campaign = true;  // false: only on request (the planted-bug clients of bench/planted)
  // True when the source exists in this checkout.
  bool Present() const;
};

// Reads fuzzers/manifest.json. An error names the file and what is wrong with it.
absl::StatusOr<std::vector<Target>> LoadTargets();

// The target called `name`; an error lists the known targets.
absl::StatusOr<Target> FindTarget(const std::vector<Target>& targets, const std::string& name);

// One build of the fuzzers: a sanitizer preset, optionally with a planted bug.
struct Build {
  std::string sanitizer;    // tsan | asan | coverage
  std::string planted_bug;  // empty: the real code

  // "tsan", or "tsan-bug-<name>": the build dir's name under build/ and the artifacts' build name.
  std::string Name() const;
  fs::path Dir() const;
  fs::path Binary(const Target& target) const;
  bool Built(const Target& target) const;
};

// Parses a build name ("asan", "tsan-bug-lost_lock") back into a Build.
absl::StatusOr<Build> ParseBuildName(const std::string& name);

// A known bug bench/planted/ can plant (bench/planted/bugs.tsv): which target shows it, in which
// build, and what its report says.
struct PlantedBug {
  std::string name;
  std::string target;
  std::string sanitizer;
  std::string expect;
  std::string description;
};
std::vector<PlantedBug> PlantedBugs();

// The planted bug called `name`; an error lists the known ones.
absl::StatusOr<PlantedBug> FindPlantedBug(const std::string& name);

// Configures the build when needed and builds `target` in it (cmake --preset, cmake --build).
// Prints one line while it works, the tail of the build log on failure.
absl::Status EnsureBuilt(const Build& build, const Target& target, int jobs);

}  // namespace racefuzz::cli

#endif  // RACEFUZZ_CLI_TARGETS_H_
