// Resolves a crash file given on the command line to its target, build and replay settings, from
// the metadata next to it, from its place under out/artifacts/<target>/<build>/, or from --target
// and --sanitizer.
#ifndef RACEFUZZ_CLI_CRASH_FILE_H_
#define RACEFUZZ_CLI_CRASH_FILE_H_

#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "cli/artifact.h"
#include "cli/commands.h"
#include "cli/targets.h"

namespace racefuzz::cli {

struct CrashFile {
  std::filesystem::path path;
  ArtifactInfo info;
  Target target;
  Build build;
  bool has_metadata = false;
};

// Errors: the file is missing or not a file; its metadata is corrupt; it names an unknown target;
// --sanitizer contradicts the build that found it ("a crash file of another build").
absl::StatusOr<CrashFile> ResolveCrashFile(const std::string& file, const Options& options);

}  // namespace racefuzz::cli

#endif  // RACEFUZZ_CLI_CRASH_FILE_H_
