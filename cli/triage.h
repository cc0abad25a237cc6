// Triage of one crash file, shared by fuzz and campaign: replay it alone with the settings that
// found it, name its bug (the report signature), and classify it as new, known or unreproduced.
#ifndef RACEFUZZ_CLI_TRIAGE_H_
#define RACEFUZZ_CLI_TRIAGE_H_

#include <filesystem>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "cli/artifact.h"
#include "cli/run_settings.h"
#include "cli/targets.h"

namespace racefuzz::cli {

// What a crash file is to the project: a bug not in the known-crashes file (new), one that is
// (known), or a file that does not crash when replayed alone (unreproduced).
enum class Verdict { kNew, kKnown, kUnreproduced };

// "new", "known", "unreproduced": the word in reports and JSON.
std::string VerdictName(Verdict verdict);

// The verdict of a signature (an UnreproducedId is unreproduced).
Verdict Classify(const ReportSignature& signature, const std::set<std::string>& known);

struct Triage {
  ArtifactInfo info;  // `found` with the signature of the replay
  Verdict verdict = Verdict::kNew;
};

// Replays `file` once in `build` with found.run's settings and fills in its signature. A file that
// does not crash gets UnreproducedId(target, build) and the summary "does not crash when replayed
// alone". Writes nothing: the caller stores the metadata (WriteArtifactInfo) when it is ready.
absl::StatusOr<Triage> TriageCrash(const Build& build, const Target& target,
                                   const std::filesystem::path& file, const ArtifactInfo& found,
                                   const std::set<std::string>& known);

// The loud line for a crash that reproduced in `reproduced` of `runs` replays (fewer than all),
// found with `run`: in deterministic mode that is a racefuzz bug; in threads mode it is expected.
std::string ShortfallWarning(const RunSettings& run, int reproduced, int runs);

}  // namespace racefuzz::cli

#endif  // RACEFUZZ_CLI_TRIAGE_H_
