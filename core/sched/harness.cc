#include "core/sched/harness.h"

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "core/sched/byte_source.h"
#include "core/sched/happens_before.h"
#include "core/sched/hooks.h"
#include "core/sched/input_schedule.h"
#include "core/sched/pct_schedule.h"
#include "core/sched/round_robin_schedule.h"
#include "core/sched/run.h"
#include "core/sched/scheduler.h"
#include "core/sched/thread_pool.h"

namespace racefuzz {
namespace {

std::optional<HarnessConfig>& Config() {
  static std::optional<HarnessConfig> config;
  return config;
}

// Sets `out` from the variable `var` when it is set and not empty: one of `table`'s names, or an
// error naming the variable and every choice.
template <typename Enum, size_t N>
absl::Status ParseNamedEnv(const char* var, const NameTable<Enum, N>& table, Enum& out) {
  const char* v = std::getenv(var);
  if (v == nullptr || *v == '\0') return absl::OkStatus();
  const std::optional<Enum> value = ValueOf(table, v);
  if (!value.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s=%s: expected %s", var, v, ChoiceList(NamesOf(table), "'")));
  }
  out = *value;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<HarnessConfig> HarnessConfigFromEnv() {
  HarnessConfig c;
  if (absl::Status s = ParseNamedEnv("RACEFUZZ_MODE", kModeNames, c.mode); !s.ok()) return s;
  if (absl::Status s = ParseNamedEnv("RACEFUZZ_SCHEDULE", kScheduleNames, c.schedule); !s.ok()) {
    return s;
  }
  if (const char* v = std::getenv("RACEFUZZ_PCT_DEPTH"); v != nullptr && *v != '\0') {
    if (!absl::SimpleAtoi(v, &c.pct_depth) || c.pct_depth < 1 ||
        c.pct_depth > PctSchedule::kMaxDepth) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "RACEFUZZ_PCT_DEPTH=%s: expected a bug depth from 1 to %d", v, PctSchedule::kMaxDepth));
    }
  }
  if (absl::Status s = ParseNamedEnv("RACEFUZZ_MEMORY", kMemoryModeNames, c.memory); !s.ok()) {
    return s;
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
  if (const char* v = std::getenv("RACEFUZZ_INTERLEAVING_COVERAGE"); v != nullptr && *v != '\0') {
    const std::string_view s(v);
    if (s != "0" && s != "1") {
      return absl::InvalidArgumentError(
          absl::StrFormat("RACEFUZZ_INTERLEAVING_COVERAGE=%s: expected 0 or 1", s));
    }
    c.interleaving_coverage = s == "1";
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

namespace {

uint64_t RunDeterministic(const HarnessConfig& config, absl::Span<const uint8_t> schedule,
                          absl::FunctionRef<void()> setup, absl::FunctionRef<void()> finish) {
  ByteSource bytes(schedule);
  // Only the selected source is built: PCT reads its change points from the input on construction.
  std::optional<InputSchedule> input;
  std::optional<PctSchedule> pct;
  RoundRobinSchedule round_robin;
  ScheduleSource* source = &round_robin;
  if (config.schedule == ScheduleKind::kInput) source = &input.emplace(bytes);
  if (config.schedule == ScheduleKind::kPct) source = &pct.emplace(bytes, config.pct_depth);

  Scheduler& scheduler = Scheduler::Get();
  scheduler.Run(*source, setup,
                RunOptions{.max_steps = config.max_steps,
                           .print_trace_hash = config.print_trace,
                           .memory = config.memory,
                           .interleaving_coverage = config.interleaving_coverage});
  const Trace& trace = scheduler.trace();
  if (config.print_trace) {
    trace.Print(stderr, Trace::kCapacity);
    absl::FPrintF(stderr, "%s", TraceHashLine(trace.hash(), source->name()));
  }
  // The final oracle: no simulated thread any more, but a report still shows the interleaving.
  internal::Run finishing{.mode = Mode::kOff,
                          .engine = &internal::SequentialEngine(),
                          .timeline = &trace,
                          .print_trace_hash = config.print_trace,
                          .schedule_name = source->name()};
  internal::RunScope installed(finishing);
  finish();
  return trace.hash();
}

}  // namespace

uint64_t RunInput(absl::Span<const uint8_t> schedule, absl::FunctionRef<void()> setup,
                  absl::FunctionRef<void()> finish) {
  const HarnessConfig& config = GetHarnessConfig();
  switch (config.mode) {
    case Mode::kDeterministic:
      return RunDeterministic(config, schedule, setup, finish);
    case Mode::kThreads:
    case Mode::kNaive:
      ThreadPool::Get().Run(setup, config.mode == Mode::kNaive);
      break;
    case Mode::kOff:
    case Mode::kSequential: {
      // No scheduler: spawn runs each body to completion, inline.
      internal::Run sequential{.mode = Mode::kSequential, .engine = &internal::SequentialEngine()};
      internal::RunScope installed(sequential);
      setup();
      internal::RunRunEndHooks();  // models check and reset their per-run state, as after any run
      break;
    }
  }
  finish();
  return 0;
}

uint64_t RunInput(FuzzedDataProvider& fdp, absl::FunctionRef<void()> setup,
                  absl::FunctionRef<void()> finish) {
  if (GetHarnessConfig().mode != Mode::kDeterministic) return RunInput({}, setup, finish);
  // The bytes the target left, from the front (reused across inputs: no allocation per run).
  static thread_local std::vector<uint8_t> schedule;
  {
    // SAFETY: a copy of the input on the thread that runs it, before any simulated thread: it races
    // with nothing, and TSan would check it byte range by byte range.
    TsanIgnoreScope hidden;
    schedule.resize(fdp.remaining_bytes());
    if (!schedule.empty()) fdp.ConsumeData(schedule.data(), schedule.size());
  }
  return RunInput(schedule, setup, finish);
}

}  // namespace racefuzz
