#include "cli/triage.h"

#include "absl/strings/str_format.h"
#include "cli/crash_index.h"
#include "cli/fuzzer_run.h"

namespace racefuzz::cli {

std::string VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kNew:
      return "new";
    case Verdict::kKnown:
      return "known";
    case Verdict::kUnreproduced:
      return "unreproduced";
  }
  return "new";
}

Verdict Classify(const ReportSignature& signature, const std::set<std::string>& known) {
  if (signature.empty() || IsUnreproduced(signature.id)) return Verdict::kUnreproduced;
  return known.count(signature.id) > 0 ? Verdict::kKnown : Verdict::kNew;
}

absl::StatusOr<Triage> TriageCrash(const Build& build, const Target& target,
                                   const std::filesystem::path& file, const ArtifactInfo& found,
                                   const std::set<std::string>& known) {
  auto replay = Replay(build.Binary(target), file, found.run);
  if (!replay.ok()) return replay.status();
  Triage triage{found, Verdict::kNew};
  triage.info.target = target.name;
  triage.info.build = build.Name();
  triage.info.signature = replay->crashed() ? replay->signature : ReportSignature{};
  if (triage.info.signature.empty()) {
    triage.info.signature.id = UnreproducedId(target.name, build.Name());
    triage.info.signature.summary = "does not crash when replayed alone";
  }
  triage.verdict = Classify(triage.info.signature, known);
  return triage;
}

std::string ShortfallWarning(const RunSettings& run, int reproduced, int runs) {
  if (run.threads()) {
    return absl::StrFormat(
        "note: reproduced %d of %d: this crash came from threads mode (real OS threads), whose "
        "interleaving is not replayed exactly, so it may reproduce only sometimes",
        reproduced, runs);
  }
  return absl::StrFormat(
      "WARNING: RACEFUZZ BUG: a %s-mode crash reproduced %d of %d times. Deterministic mode "
      "must replay every crash on every run: please report it with this file and its metadata",
      run.mode, reproduced, runs);
}

}  // namespace racefuzz::cli
