// Where things live in a racefuzz checkout: the sources, the builds, the working dirs under out/.
#ifndef RACEFUZZ_CLI_REPO_H_
#define RACEFUZZ_CLI_REPO_H_

#include <filesystem>
#include <string>

#include "absl/status/statusor.h"

namespace racefuzz::cli {

namespace fs = std::filesystem;

// The checkout racefuzz works on: $RACEFUZZ_ROOT, else the nearest directory above the current one
// that holds fuzzers/manifest.json. An error tells the user to cd into a checkout.
absl::StatusOr<fs::path> FindRepoRoot();

// The root found at startup (FindRepoRoot must have succeeded).
const fs::path& Root();
void SetRoot(fs::path root);

// The current git commit of the checkout ("unknown" outside git), with "-dirty" when the tree has
// changes.
std::string GitCommit();

// The current UTC time as 2026-11-22T04:05:06Z, and as a file-name-safe stamp 20261122-040506.
std::string NowIso();
std::string NowStamp();

// Number of regular files in `dir` (0 when it does not exist).
int CountFiles(const fs::path& dir);

}  // namespace racefuzz::cli

#endif  // RACEFUZZ_CLI_REPO_H_
