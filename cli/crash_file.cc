#include "cli/crash_file.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace racefuzz::cli {

absl::StatusOr<CrashFile> ResolveCrashFile(const std::string& file, const Options& options) {
  CrashFile crash;
  crash.path = fs::absolute(file);
  std::error_code ec;
  if (!fs::exists(crash.path, ec)) {
    return absl::NotFoundError(absl::StrFormat(
        "crash file '%s' does not exist. Crash files are under out/artifacts/<target>/<build>/ "
        "(racefuzz fuzz) and out/campaign/crashes/<target>/<build>/ (racefuzz campaign)",
        file));
  }
  if (!fs::is_regular_file(crash.path, ec)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("'%s' is not a file: give one crash file", file));
  }
  auto info = ReadArtifactInfo(crash.path);
  if (info.ok()) {
    crash.info = *info;
    crash.has_metadata = true;
  } else if (absl::IsNotFound(info.status())) {
    // No metadata: .../<target>/<build>/<file>, or the flags.
    crash.info.target = crash.path.parent_path().parent_path().filename().string();
    crash.info.build = crash.path.parent_path().filename().string();
    if (!options.target.empty()) crash.info.target = options.target;
    if (!options.sanitizer.empty()) crash.info.build = options.sanitizer;
    crash.info.run.mode = options.run.mode;
  } else {
    return info.status();
  }
  auto targets = LoadTargets();
  if (!targets.ok()) return targets.status();
  auto target = FindTarget(*targets, crash.info.target);
  if (!target.ok()) {
    if (!crash.has_metadata && options.target.empty()) {
      return absl::NotFoundError(absl::StrFormat(
          "'%s' has no metadata (%s) and is not under out/artifacts/<target>/<build>/: say which "
          "fuzzer it belongs to with --target=<name> --sanitizer=tsan|asan",
          file, MetadataPath(crash.path).filename().string()));
    }
    return target.status();
  }
  crash.target = *target;
  auto build = ParseBuildName(crash.info.build);
  if (!build.ok()) {
    if (!crash.has_metadata) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "cannot tell which build '%s' belongs to: pass --sanitizer=tsan|asan", file));
    }
    return build.status();
  }
  crash.build = *build;
  if (crash.has_metadata && !options.sanitizer.empty() &&
      options.sanitizer != crash.build.sanitizer) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "'%s' was found by the %s build (%s), not %s: its input only means something to that "
        "build. Drop --sanitizer, or use --sanitizer=%s",
        file, crash.build.Name(), crash.build.sanitizer, options.sanitizer, crash.build.sanitizer));
  }
  if (!options.planted_bug.empty() && options.planted_bug != crash.build.planted_bug) {
    return absl::FailedPreconditionError(
        absl::StrFormat("'%s' belongs to build %s, not to planted bug '%s'", file,
                        crash.build.Name(), options.planted_bug));
  }
  return crash;
}

}  // namespace racefuzz::cli
