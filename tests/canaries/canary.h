// Canaries: every detector racefuzz relies on is proven by a pair of programs. The violating one
// commits the violation and must produce the expected report lines, in order (compiler-rt's golden
// style: substrings of stderr), on every run; its clean twin does the same work correctly and must
// produce no report at all. A canary that stops detecting is a failing test.
//
//   RACEFUZZ_CANARY(unlocked_counter, {
//       .clause = "engine: unsynchronized writes in two simulated threads race",
//       .builds = kTsan,
//       .expect = {"WARNING: ThreadSanitizer: data race", "racefuzz timeline",
//                  "SUMMARY: ThreadSanitizer: data race"},
//       .violate = [] { ... },
//       .clean = [] { ... },
//   });
//
// canary_test runs each side as a subprocess of itself, RACEFUZZ_CANARY_RUNS times (default 20),
// and also checks that every run of the violating side prints the same timeline.
#ifndef RACEFUZZ_TESTS_CANARIES_CANARY_H_
#define RACEFUZZ_TESTS_CANARIES_CANARY_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/types/span.h"
#include "core/sched/memory/memory_mode.h"

namespace racefuzz::canary {

// Builds in which a detector exists. Contract checks, deadlock and livelock reports exist in all.
enum Builds : unsigned {
  kTsan = 1u << 0,
  kAsan = 1u << 1,
  kDebug = 1u << 2,
  kAll = kTsan | kAsan | kDebug,
};

struct Canary {
  const char* name = "";
  const char* clause = "";  // the docs/contracts.md clause (or engine promise) it proves
  unsigned builds = kAll;
  std::vector<std::string> expect;  // substrings of stderr, in this order
  void (*violate)() = nullptr;
  void (*clean)() = nullptr;
};

int Register(Canary c);
const std::vector<Canary>& All();
// The bit of the running build ("tsan" -> kTsan, ...).
unsigned ThisBuild();

// Runs `bodies` as simulated threads in one deterministic run, round-robin at every yield point.
void RunThreads(std::initializer_list<std::function<void()>> bodies);

// Runs `program(schedule)` (it calls RunInput with the schedule's bytes) under the input schedules
// 0 .. count - 1 in memory mode `memory`. Schedule i is a function of its index alone, so a
// violating program reports at the same schedule, with the same timeline, in every run; a clean
// twin runs under as many.
void UnderSchedules(MemoryMode memory, absl::FunctionRef<void(absl::Span<const uint8_t>)> program,
                    int count = 3000);

}  // namespace racefuzz::canary

#define RACEFUZZ_CANARY(canary_name, ...)                                \
  [[maybe_unused]] static const int racefuzz_canary_##canary_name = [] { \
    ::racefuzz::canary::Canary c __VA_ARGS__;                            \
    c.name = #canary_name;                                               \
    return ::racefuzz::canary::Register(std::move(c));                   \
  }()

#endif  // RACEFUZZ_TESTS_CANARIES_CANARY_H_
