#include "cli/repo.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "cli/process.h"

namespace racefuzz::cli {
namespace {

fs::path g_root;

std::string Capture(const std::vector<std::string>& argv) {
  std::string out;
  ProcessOptions options;
  options.output = &out;
  auto result = RunProcess(argv, options);
  if (!result.ok() || result->exit_code != 0) return "";
  return std::string(absl::StripTrailingAsciiWhitespace(out));
}

std::string FormatNow(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm tm;
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), format, &tm);
  return buf;
}

}  // namespace

absl::StatusOr<fs::path> FindRepoRoot() {
  if (const char* env = std::getenv("RACEFUZZ_ROOT"); env != nullptr && *env != '\0') {
    fs::path root = fs::absolute(env);
    if (!fs::exists(root / "fuzzers/manifest.json")) {
      return absl::NotFoundError(absl::StrCat("RACEFUZZ_ROOT=", env,
                                              " is not a racefuzz checkout (no "
                                              "fuzzers/manifest.json there)"));
    }
    return root;
  }
  std::error_code ec;
  for (fs::path dir = fs::current_path(ec); !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / "fuzzers/manifest.json")) return dir;
    if (dir == dir.root_path()) break;
  }
  return absl::NotFoundError(
      "not inside a racefuzz checkout: cd into one (or set RACEFUZZ_ROOT), or run ./racefuzz from "
      "the checkout's root");
}

const fs::path& Root() { return g_root; }
void SetRoot(fs::path root) { g_root = std::move(root); }

std::string GitCommit() {
  const std::string dir = Root().string();
  std::string commit = Capture({"git", "-C", dir, "rev-parse", "--short=12", "HEAD"});
  if (commit.empty()) return "unknown";
  if (!Capture({"git", "-C", dir, "status", "--porcelain", "--untracked-files=no"}).empty()) {
    absl::StrAppend(&commit, "-dirty");
  }
  return commit;
}

std::string NowIso() { return FormatNow("%Y-%m-%dT%H:%M:%SZ"); }
std::string NowStamp() { return FormatNow("%Y%m%d-%H%M%S"); }

int CountFiles(const fs::path& dir) {
  std::error_code ec;
  int n = 0;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) ++n;
  }
  return n;
}

}  // namespace racefuzz::cli
