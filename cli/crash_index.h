// The campaign's crash database: every crash signature seen in out/campaign/crashes/, how often,
// one example file each, and whether it is known (listed in the known-crashes file) or new.
#ifndef RACEFUZZ_CLI_CRASH_INDEX_H_
#define RACEFUZZ_CLI_CRASH_INDEX_H_

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/libfuzzer_output.h"
#include "nlohmann/json.hpp"

namespace racefuzz::cli {

namespace fs = std::filesystem;

// The signature id of crash files of `target` in `build` that do not crash when replayed alone:
// grouped into one entry, shown in reports, never a new bug (there is nothing to reproduce).
std::string UnreproducedId(const std::string& target, const std::string& build);
bool IsUnreproduced(const std::string& signature_id);

struct CrashEntry {
  ReportSignature signature;
  std::string target;
  std::string build;
  std::string example;     // the file kept for this signature
  std::string first_seen;  // date
  int64_t hits = 0;        // crash files seen with this signature, over all campaigns
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CrashEntry, signature, target, build, example,
                                                first_seen, hits)

class CrashIndex {
 public:
  // Loads `path` (an empty index when it does not exist; an error when it is corrupt).
  static absl::StatusOr<CrashIndex> Load(const fs::path& path);
  absl::Status Save() const;

  // Records one crash file. True when the file becomes its signature's example (a new signature,
  // or the old example is gone); false for a duplicate, which the caller may delete.
  bool Add(const ReportSignature& signature, const std::string& target, const std::string& build,
           const fs::path& file, const std::string& date);

  const std::map<std::string, CrashEntry>& entries() const { return entries_; }

 private:
  fs::path path_;
  std::map<std::string, CrashEntry> entries_;  // by signature id
};

// Signature ids from a known-crashes file: one id per line, '#' starts a comment. A missing file
// is an empty set.
std::set<std::string> LoadKnownCrashes(const fs::path& path);

}  // namespace racefuzz::cli

#endif  // RACEFUZZ_CLI_CRASH_INDEX_H_
