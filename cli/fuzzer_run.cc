#include "cli/fuzzer_run.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <set>

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

// True when `setarch -R` can start a program here. It cannot under a seccomp profile that
// forbids personality(ADDR_NO_RANDOMIZE) (Docker's default one, for example); there the fuzzer
// runs with the layout it gets, and racefuzz says once that a --seed run may then differ.
bool CanRunWithoutAslr() {
  static const bool can = [] {
    ProcessOptions quiet;
    quiet.on_line = [](const std::string&) {};
    absl::StatusOr<ProcessResult> r = RunProcess({"setarch", "-R", "true"}, quiet);
    const bool ok = r.ok() && r->exit_code == 0;
    if (!ok) {
      std::fprintf(stderr,
                   "racefuzz: warning: 'setarch -R true' failed here (no util-linux setarch, or "
                   "personality() forbidden by seccomp): the fuzzer runs with a randomized address "
                   "layout, so the same --seed may take another path now and then\n");
    }
    return ok;
  }();
  return can;
}

}  // namespace

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

Invocation FuzzInvocation(const Build& build, const Target& target, const FuzzPlan& plan) {
  Invocation inv;
  // Under `setarch -R` (no address-space randomization), so that a run is a function of its
  // command line, its seed and its environment alone. libFuzzer's comparison tracing
  // (-use_cmp) records every 8-byte comparison of instrumented code, also the pointer
  // comparisons of loops over the environment and the heap, in its table of recent compares, and
  // its mutations copy those values into inputs: with a randomized layout the same --seed took
  // another path about once in 150 runs (ProbeCheckout.SeedRepeatsTheRun, a stack address seen
  // in that table at the first input, different in every process).
  if (CanRunWithoutAslr()) inv.argv = {"setarch", "-R"};
  inv.argv.push_back(build.Binary(target).string());
  const std::string max_total_time =
      absl::StrCat("-max_total_time=", std::max<int64_t>(1, plan.seconds));
  const std::string timeout = absl::StrCat("-timeout=", plan.run.timeout_s);
  switch (plan.job) {
    case FuzzJob::kFuzz:
      inv.argv.insert(
          inv.argv.end(),
          {max_total_time, timeout, absl::StrCat("-artifact_prefix=", plan.artifacts.string(), "/"),
           "-print_final_stats=1"});
      if (plan.seed != 0) inv.argv.push_back(absl::StrCat("-seed=", plan.seed));
      if (plan.runs > 0) inv.argv.push_back(absl::StrCat("-runs=", plan.runs));
      if (plan.fork) {
        inv.argv.push_back(absl::StrCat("-fork=", std::max(1, plan.jobs)));
        inv.argv.push_back("-ignore_crashes=1");
      }
      for (auto& f : TargetFlags(target)) inv.argv.push_back(f);
      // New inputs go to the first dir (fork mode merges each job's into it as the job ends).
      inv.argv.push_back(plan.corpus.string());
      for (const auto& d : CheckedInCorpora(target)) inv.argv.push_back(d.string());
      break;
    case FuzzJob::kMinimizeCrash:
      inv.argv.insert(
          inv.argv.end(),
          {"-minimize_crash=1", timeout, max_total_time,
           absl::StrCat("-exact_artifact_path=", plan.minimized.string()), plan.crash.string()});
      break;
    case FuzzJob::kReplayCorpora:
      inv.argv.insert(inv.argv.end(), {"-runs=0", timeout});
      for (const auto& d : plan.corpora) inv.argv.push_back(d.string());
      for (const auto& d : CheckedInCorpora(target)) inv.argv.push_back(d.string());
      break;
  }
  inv.env = FuzzerEnv(plan.run);
  // Fork mode also drops files into its working directory; a crashing corpus input is written
  // there too, not into the checkout.
  inv.cwd = plan.artifacts.string();
  return inv;
}

absl::StatusOr<SessionResult> RunSession(const Invocation& invocation, const std::string& label,
                                         const std::string& log_path, double print_every_s,
                                         double stuck_after_s) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto now = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  double last_print = -1e9;
  double last_line = 0;
  bool stuck_shown = false;
  SessionResult session;
  std::deque<std::string> tail;
  std::set<std::string> written;
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
  options.env = invocation.env;
  options.log_path = log_path;
  options.cwd = invocation.cwd;
  options.on_line = [&](const std::string& line) {
    last_line = now();
    stuck_shown = false;
    tail.push_back(line);
    if (tail.size() > 80) tail.pop_front();
    if (auto seed = ParseSeedLine(line)) session.seed = *seed;
    if (auto file = ParseArtifactLine(line); file && written.insert(*file).second) {
      session.written.push_back(fs::absolute(fs::path(invocation.cwd) / *file));
    }
    auto status = ParseStatusLine(line);
    if (!status) return;
    const double t = now();
    // libFuzzer prints exec/s 0 early in a run and in fork mode when jobs end in crashes: use
    // the run's average then.
    if (status->exec_per_sec == 0 && t >= 1) {
      status->exec_per_sec = static_cast<int64_t>(static_cast<double>(status->execs) / t);
    }
    last = *status;
    session.samples.push_back({t, *status});
    if (t - last_print >= print_every_s) print(t);
  };
  options.on_idle = [&] {
    const double t = now();
    if (stuck_shown || t - last_line < stuck_after_s) return;
    std::printf(
        "[%5.0fs] %-28s STUCK: no output for %.0fs (an input runs longer than expected; "
        "libFuzzer's -timeout reports it)\n",
        t, label.c_str(), t - last_line);
    std::fflush(stdout);
    stuck_shown = true;
  };
  auto result = RunProcess(invocation.argv, options);
  if (!result.ok()) return result.status();
  if (!session.samples.empty()) print(session.samples.back().seconds);
  session.exit_code = result->exit_code;
  session.interrupted = Interrupted();
  session.output_tail = absl::StrJoin(tail, "\n");
  return session;
}

Invocation ReplayInvocation(const fs::path& binary, const fs::path& file, const RunSettings& run) {
  return {{binary.string(), absl::StrCat("-timeout=", run.timeout_s), file.string()},
          FuzzerEnv(run),
          file.parent_path().string()};
}

absl::StatusOr<ReplayResult> Replay(const fs::path& binary, const fs::path& file,
                                    const RunSettings& run) {
  const Invocation inv = ReplayInvocation(binary, file, run);
  ReplayResult replay;
  ProcessOptions options;
  options.env = inv.env;
  options.output = &replay.output;
  options.cwd = inv.cwd;
  auto result = RunProcess(inv.argv, options);
  if (!result.ok()) return result.status();
  replay.exit_code = result->exit_code;
  replay.signature = SignatureOf(replay.output);
  return replay;
}

}  // namespace racefuzz::cli
