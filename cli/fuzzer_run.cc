#include "cli/fuzzer_run.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli/process.h"
#include "cli/repo.h"

namespace racefuzz::cli {
namespace {

std::string Human(int64_t n) {
  if (n >= 10'000'000) return absl::StrFormat("%.0fM", n / 1e6);
  if (n >= 1'000'000) return absl::StrFormat("%.1fM", n / 1e6);
  if (n >= 10'000) return absl::StrFormat("%.0fk", n / 1e3);
  return absl::StrCat(n);
}

}  // namespace

std::map<std::string, std::string> FuzzerEnv(const std::string& mode, const std::string& schedule) {
  const char* path = std::getenv("PATH");
  std::map<std::string, std::string> env = {
      {"PATH", absl::StrCat("/usr/lib/llvm-19/bin:", path != nullptr ? path : "/usr/bin:/bin")},
      {"RACEFUZZ_MODE", mode}};
  if (!schedule.empty()) env["RACEFUZZ_SCHEDULE"] = schedule;
  return env;
}

std::map<std::string, std::string> DisplayEnv(std::map<std::string, std::string> env) {
  env.erase("PATH");
  return env;
}

std::vector<std::string> TargetFlags(const Target& target) {
  std::vector<std::string> flags;
  const fs::path dir = Root() / "corpora" / target.name;
  std::vector<fs::path> dicts;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".dict") dicts.push_back(entry.path());
  }
  std::sort(dicts.begin(), dicts.end());
  if (dicts.size() == 1) {
    flags.push_back(absl::StrCat("-dict=", dicts[0].string()));
  } else if (dicts.size() > 1) {
    // libFuzzer takes one -dict: join them into out/dict/<t>.dict.
    const fs::path joined = Root() / "out/dict" / (target.name + ".dict");
    fs::create_directories(joined.parent_path(), ec);
    std::ofstream out(joined);
    for (const auto& d : dicts) out << std::ifstream(d).rdbuf() << "\n";
    flags.push_back(absl::StrCat("-dict=", joined.string()));
  }
  std::ifstream options(dir / (target.name + ".options"));
  bool in_libfuzzer = false;
  for (std::string line; std::getline(options, line);) {
    absl::string_view l = absl::StripAsciiWhitespace(line);
    if (l.empty() || l[0] == '#' || l[0] == ';') continue;
    if (l[0] == '[') {
      in_libfuzzer = l == "[libfuzzer]";
      continue;
    }
    if (!in_libfuzzer) continue;
    std::pair<std::string, std::string> kv = absl::StrSplit(l, absl::MaxSplits('=', 1));
    flags.push_back(absl::StrCat("-", absl::StripAsciiWhitespace(kv.first), "=",
                                 absl::StripAsciiWhitespace(kv.second)));
  }
  return flags;
}

std::vector<fs::path> CheckedInCorpora(const Target& target) {
  std::vector<fs::path> dirs;
  for (const char* sub : {"seeds", "regression"}) {
    const fs::path dir = Root() / "corpora" / target.name / sub;
    if (fs::is_directory(dir)) dirs.push_back(dir);
  }
  return dirs;
}

absl::StatusOr<SessionResult> RunSession(const std::vector<std::string>& argv,
                                         const std::map<std::string, std::string>& env,
                                         const std::string& label, const std::string& log_path,
                                         double print_every_s, const std::string& cwd) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  double last_print = -1e9;
  SessionResult session;
  std::deque<std::string> tail;
  FuzzStatus last;
  auto print = [&](double t) {
    std::printf("[%5.0fs] %-28s %8s execs %7s exec/s  cov %-6lld ft %-6lld corpus %-6lld%s\n", t,
                label.c_str(), Human(last.execs).c_str(), Human(last.exec_per_sec).c_str(),
                static_cast<long long>(last.cov), static_cast<long long>(last.ft),
                static_cast<long long>(last.corpus),
                last.crashes > 0 ? absl::StrFormat("  crashes %d", last.crashes).c_str() : "");
    std::fflush(stdout);
    last_print = t;
  };
  ProcessOptions options;
  options.env = env;
  options.log_path = log_path;
  options.cwd = cwd;
  options.on_line = [&](const std::string& line) {
    tail.push_back(line);
    if (tail.size() > 80) tail.pop_front();
    auto status = ParseStatusLine(line);
    if (!status) return;
    const double t = std::chrono::duration<double>(Clock::now() - start).count();
    // libFuzzer prints exec/s 0 early in a run and in fork mode when jobs end in crashes: use
    // the run's average then.
    if (status->exec_per_sec == 0 && t >= 1) {
      status->exec_per_sec = static_cast<int64_t>(static_cast<double>(status->execs) / t);
    }
    last = *status;
    session.samples.push_back({t, *status});
    if (t - last_print >= print_every_s) print(t);
  };
  auto result = RunProcess(argv, options);
  if (!result.ok()) return result.status();
  if (!session.samples.empty()) print(session.samples.back().seconds);
  session.exit_code = result->exit_code;
  session.interrupted = Interrupted();
  session.output_tail = absl::StrJoin(tail, "\n");
  return session;
}

absl::StatusOr<ReplayResult> Replay(const fs::path& binary, const fs::path& file,
                                    const std::map<std::string, std::string>& env) {
  ReplayResult replay;
  ProcessOptions options;
  options.env = env;
  options.output = &replay.output;
  options.cwd = file.parent_path().string();
  auto result = RunProcess({binary.string(), file.string()}, options);
  if (!result.ok()) return result.status();
  replay.exit_code = result->exit_code;
  replay.signature = SignatureOf(replay.output);
  return replay;
}

}  // namespace racefuzz::cli
