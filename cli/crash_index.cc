#include "cli/crash_index.h"

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace racefuzz::cli {

namespace {
constexpr char kUnreproduced[] = "unreproduced-";
}  // namespace

std::string UnreproducedId(const std::string& target, const std::string& build) {
  return absl::StrCat(kUnreproduced, target, "-", build);
}

bool IsUnreproduced(const std::string& signature_id) {
  return absl::StartsWith(signature_id, kUnreproduced);
}

absl::StatusOr<CrashIndex> CrashIndex::Load(const fs::path& path) {
  CrashIndex index;
  index.path_ = path;
  std::ifstream in(path);
  if (!in) return index;
  nlohmann::json json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object() || !json.contains("crashes")) {
    return absl::DataLossError(
        absl::StrCat(path.string(),
                     " is corrupt: move it away; the next campaign rebuilds it from the crash "
                     "files' metadata"));
  }
  try {
    json["crashes"].get_to(index.entries_);
  } catch (const nlohmann::json::exception& e) {
    return absl::DataLossError(absl::StrCat(path.string(), " is corrupt (", e.what(), ")"));
  }
  for (auto& [id, entry] : index.entries_) entry.signature.id = id;
  return index;
}

absl::Status CrashIndex::Save() const {
  fs::create_directories(path_.parent_path());
  const fs::path tmp = path_.string() + ".tmp";
  {
    std::ofstream out(tmp);
    out << nlohmann::json{{"crashes", entries_}}.dump(2) << "\n";
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", tmp.string()));
  }
  fs::rename(tmp, path_);  // atomic: a kill never leaves half an index
  return absl::OkStatus();
}

bool CrashIndex::Add(const ReportSignature& signature, const std::string& target,
                     const std::string& build, const fs::path& file, const std::string& date) {
  auto [it, inserted] = entries_.try_emplace(signature.id);
  CrashEntry& e = it->second;
  ++e.hits;
  if (inserted) e.first_seen = date;
  if (!inserted && fs::exists(e.example)) return false;
  e.signature = signature;
  e.target = target;
  e.build = build;
  e.example = file.string();
  return true;
}

std::set<std::string> LoadKnownCrashes(const fs::path& path) {
  std::set<std::string> known;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    line = line.substr(0, line.find('#'));
    absl::StripAsciiWhitespace(&line);
    if (!line.empty()) known.insert(line.substr(0, line.find_first_of(" \t")));
  }
  return known;
}

}  // namespace racefuzz::cli
