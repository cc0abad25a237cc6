#include "cli/artifact.h"

#include <algorithm>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace racefuzz::cli {

fs::path MetadataPath(const fs::path& artifact) {
  return fs::path(artifact.string() + ".racefuzz.json");
}

absl::Status WriteArtifactInfo(const fs::path& artifact, const ArtifactInfo& info) {
  nlohmann::json json = {
      {"racefuzz_artifact", 1},
      {"file", artifact.filename().string()},
      {"target", info.target},
      {"build", info.build},
      {"mode", info.mode},
      {"schedule", info.schedule},
      {"git_commit", info.git_commit},
      {"date", info.date},
      {"found_by", info.found_by},
      {"signature",
       {{"id", info.signature.id},
        {"summary", info.signature.summary},
        {"frames", info.signature.frames}}},
  };
  const fs::path path = MetadataPath(artifact);
  std::ofstream out(path);
  out << json.dump(2) << "\n";
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  return absl::OkStatus();
}

absl::StatusOr<ArtifactInfo> ReadArtifactInfo(const fs::path& artifact) {
  const fs::path path = MetadataPath(artifact);
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("no metadata file ", path.string()));
  nlohmann::json json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  auto corrupt = [&](const std::string& why) {
    return absl::DataLossError(absl::StrCat(
        "the metadata ", path.string(), " is corrupt (", why,
        "): delete it and pass --target=<name> --sanitizer=tsan|asan to say which fuzzer the "
        "crash belongs to"));
  };
  if (json.is_discarded() || !json.is_object()) return corrupt("not a JSON object");
  for (const char* key : {"target", "build"}) {
    if (!json.contains(key) || !json[key].is_string() || json[key].get<std::string>().empty()) {
      return corrupt(absl::StrCat("no \"", key, "\""));
    }
  }
  ArtifactInfo info;
  try {
    info.target = json["target"].get<std::string>();
    info.build = json["build"].get<std::string>();
    info.mode = json.value("mode", "deterministic");
    info.schedule = json.value("schedule", "input");
    info.git_commit = json.value("git_commit", "");
    info.date = json.value("date", "");
    info.found_by = json.value("found_by", "");
    if (json.contains("signature") && json["signature"].is_object()) {
      const auto& sig = json["signature"];
      info.signature.id = sig.value("id", "");
      info.signature.summary = sig.value("summary", "");
      info.signature.frames = sig.value("frames", std::vector<std::string>{});
    }
  } catch (const nlohmann::json::exception& e) {
    return corrupt(e.what());
  }
  return info;
}

std::map<std::string, std::string> ReplayEnv(const ArtifactInfo& info) {
  return {{"RACEFUZZ_MODE", info.mode}, {"RACEFUZZ_SCHEDULE", info.schedule}};
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
