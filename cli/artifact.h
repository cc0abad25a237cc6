// A crash file and the metadata racefuzz keeps next to it (<file>.racefuzz.json): which target and
// build found it, in which mode and schedule, at which commit, and its report signature. With it
// `racefuzz repro <file>` needs nothing else.
#ifndef RACEFUZZ_CLI_ARTIFACT_H_
#define RACEFUZZ_CLI_ARTIFACT_H_

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/libfuzzer_output.h"

namespace racefuzz::cli {

namespace fs = std::filesystem;

struct ArtifactInfo {
  std::string target;
  std::string build;  // a Build::Name(): tsan, asan, tsan-bug-<name>
  std::string mode = "deterministic";
  std::string schedule = "input";
  std::string git_commit;
  std::string date;
  std::string found_by;  // "fuzz", "campaign"
  ReportSignature signature;
};

// "<file>.racefuzz.json".
fs::path MetadataPath(const fs::path& artifact);

absl::Status WriteArtifactInfo(const fs::path& artifact, const ArtifactInfo& info);

// Reads the metadata of `artifact`. NotFound when there is none; DataLoss when it is corrupt (the
// message says which file and what to do).
absl::StatusOr<ArtifactInfo> ReadArtifactInfo(const fs::path& artifact);

// The environment that replays an artifact the way it was found (RACEFUZZ_MODE, RACEFUZZ_SCHEDULE).
std::map<std::string, std::string> ReplayEnv(const ArtifactInfo& info);

// libFuzzer's outputs in `dir` (crash-*, leak-*, timeout-*, oom-*, slow-unit-* excluded).
std::vector<fs::path> ListArtifacts(const fs::path& dir);

}  // namespace racefuzz::cli

#endif  // RACEFUZZ_CLI_ARTIFACT_H_
