#include "core/sched/harness.h"

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "core/sched/happens_before.h"
#include "core/sched/hooks.h"
#include "core/sched/input_schedule.h"
#include "core/sched/pct_schedule.h"
#include "core/sched/round_robin_schedule.h"
#include "core/sched/scheduler.h"
#include "core/sched/thread_pool.h"

namespace racefuzz {
namespace {

std::optional<HarnessConfig>& Config() {
  static std::optional<HarnessConfig> config;
  return config;
}

}  // namespace

absl::StatusOr<HarnessConfig> HarnessConfigFromEnv() {
  HarnessConfig c;
  if (const char* v = std::getenv("RACEFUZZ_MODE"); v != nullptr && *v != '\0') {
    const std::string_view s(v);
    if (s == "deterministic") {
      c.mode = Mode::kDeterministic;
    } else if (s == "threads") {
      c.mode = Mode::kThreads;
    } else if (s == "naive") {
      c.mode = Mode::kThreads;
      c.naive = true;
    } else if (s == "sequential") {
      c.mode = Mode::kOff;
    } else {
      return absl::InvalidArgumentError(absl::StrFormat(
          "RACEFUZZ_MODE=%s: expected 'deterministic', 'threads', 'naive' or 'sequential'", s));
    }
  }
  if (const char* v = std::getenv("RACEFUZZ_SCHEDULE"); v != nullptr && *v != '\0') {
    const std::string_view s(v);
    if (s == "input") {
      c.schedule = ScheduleKind::kInput;
    } else if (s == "pct") {
      c.schedule = ScheduleKind::kPct;
    } else if (s == "round-robin") {
      c.schedule = ScheduleKind::kRoundRobin;
    } else {
      return absl::InvalidArgumentError(
          absl::StrFormat("RACEFUZZ_SCHEDULE=%s: expected 'input', 'pct' or 'round-robin'", s));
    }
  }
  if (const char* v = std::getenv("RACEFUZZ_MAX_STEPS"); v != nullptr && *v != '\0') {
    if (!absl::SimpleAtoi(v, &c.max_steps) || c.max_steps == 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("RACEFUZZ_MAX_STEPS=%s: expected a positive integer", v));
    }
  }
  if (const char* v = std::getenv("RACEFUZZ_TRACE"); v != nullptr) {
    c.print_trace = std::string_view(v) == "1";
  }
  return c;
}

const HarnessConfig& GetHarnessConfig() {
  if (!Config().has_value()) {
    absl::StatusOr<HarnessConfig> c = HarnessConfigFromEnv();
    if (!c.ok()) {
      absl::FPrintF(stderr, "racefuzz: %s\n", c.status().message());
      std::exit(2);
    }
    Config() = *c;
  }
  return *Config();
}

void SetHarnessConfig(const HarnessConfig& config) { Config() = config; }

namespace {
// True on a thread between two of its FuzzInputScopes: its accesses are hidden from TSan.
thread_local bool between_inputs = false;

void ShowAccessesAgain() {
  if (!between_inputs) return;
  between_inputs = false;
  tsan_ignore_end();
}
}  // namespace

FuzzInputScope::FuzzInputScope() { ShowAccessesAgain(); }

FuzzInputScope::~FuzzInputScope() {
  // TSan fails a process whose main thread exits with its accesses hidden.
  [[maybe_unused]] static const int registered = std::atexit(ShowAccessesAgain);
  tsan_ignore_begin();
  between_inputs = true;
}

uint64_t RunInput(FuzzedDataProvider& fdp, absl::FunctionRef<void()> setup) {
  const HarnessConfig& config = GetHarnessConfig();
  if (config.mode == Mode::kOff) {
    setup();                     // sequential: spawn runs each body to completion, inline
    internal::RunRunEndHooks();  // models check and reset their per-run state, as after any run
    return 0;
  }
  if (config.mode == Mode::kThreads) {
    ThreadPool::Get().Run(setup, config.naive);
    return 0;
  }
  // Only the selected source is built: PCT reads its change points from the input on construction.
  std::optional<InputSchedule> input;
  std::optional<PctSchedule> pct;
  RoundRobinSchedule round_robin;
  ScheduleSource* source = &round_robin;
  if (config.schedule == ScheduleKind::kInput) source = &input.emplace(fdp);
  if (config.schedule == ScheduleKind::kPct) source = &pct.emplace(fdp);

  Scheduler& scheduler = Scheduler::Get();
  scheduler.Run(*source, setup, RunOptions{.max_steps = config.max_steps});
  const Trace& trace = scheduler.trace();
  if (config.print_trace) {
    trace.Print(stderr, Trace::kCapacity);
    absl::FPrintF(stderr, "racefuzz: trace hash %016x (%s schedule)\n", trace.hash(),
                  source->name());
  }
  return trace.hash();
}

}  // namespace racefuzz
