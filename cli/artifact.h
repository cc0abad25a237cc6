// A crash file and the metadata racefuzz keeps next to it (<file>.racefuzz.json): which target and
// build found it, with which run settings and libFuzzer seed, at which commit, and its report
// signature. With it `racefuzz repro <file>` needs nothing else.
#ifndef RACEFUZZ_CLI_ARTIFACT_H_
#define RACEFUZZ_CLI_ARTIFACT_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/libfuzzer_output.h"
#include "cli/run_settings.h"
#include "nlohmann/json.hpp"

namespace racefuzz::cli {

namespace fs = std::filesystem;

struct ArtifactInfo {
  int racefuzz_artifact = 2;  // the format's version
  std::string file;           // the crash file's name (set when written)
  std::string target;
  std::string build;  // a Build::Name(): tsan, asan, tsan-bug-<name>
  RunSettings run;
  uint64_t seed = 0;  // libFuzzer's -seed of the run that found it (0: unknown)
  std::string git_commit;
  std::string date;
  std::string found_by;  // "fuzz", "campaign", "minimize"
  ReportSignature signature;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ArtifactInfo, racefuzz_artifact, file, target,
                                                build, run, seed, git_commit, date, found_by,
                                                signature)

// "<file>.racefuzz.json".
fs::path MetadataPath(const fs::path& artifact);

absl::Status WriteArtifactInfo(const fs::path& artifact, ArtifactInfo info);

// Reads the metadata of `artifact`. NotFound when there is none; DataLoss when it is corrupt (the
// message says which file and what to do).
absl::StatusOr<ArtifactInfo> ReadArtifactInfo(const fs::path& artifact);

// libFuzzer's outputs in `dir` (crash-*, leak-*, timeout-*, oom-*; slow-unit-* excluded).
std::vector<fs::path> ListArtifacts(const fs::path& dir);

}  // namespace racefuzz::cli

#endif  // RACEFUZZ_CLI_ARTIFACT_H_
