#include "cli/artifact.h"

#include <algorithm>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace racefuzz::cli {

fs::path MetadataPath(const fs::path& artifact) {
  return fs::path(artifact.string() + ".racefuzz.json");
}

absl::Status WriteArtifactInfo(const fs::path& artifact, ArtifactInfo info) {
  info.file = artifact.filename().string();
  const fs::path path = MetadataPath(artifact);
  std::ofstream out(path);
  out << nlohmann::json(info).dump(2) << "\n";
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  return absl::OkStatus();
}

absl::StatusOr<ArtifactInfo> ReadArtifactInfo(const fs::path& artifact) {
  const fs::path path = MetadataPath(artifact);
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("no metadata file ", path.string()));
  auto corrupt = [&](const std::string& why) {
    return absl::DataLossError(absl::StrCat(
        "the metadata ", path.string(), " is corrupt (", why,
        "): delete it and pass --target=<name> --sanitizer=tsan|asan to say which fuzzer the "
        "crash belongs to"));
  };
  const nlohmann::json json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return corrupt("not a JSON object");
  ArtifactInfo info;
  try {
    info = json.get<ArtifactInfo>();
  } catch (const nlohmann::json::exception& e) {
    return corrupt(e.what());
  }
  if (info.target.empty()) return corrupt("no \"target\"");
  if (info.build.empty()) return corrupt("no \"build\"");
  return info;
}

std::vector<fs::path> ListArtifacts(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || absl::EndsWith(name, ".racefuzz.json")) continue;
    for (const char* prefix : {"crash-", "leak-", "timeout-", "oom-"}) {
      if (absl::StartsWith(name, prefix)) files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace racefuzz::cli
