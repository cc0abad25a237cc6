// Interleaving coverage: a second signal for libFuzzer in deterministic mode. libFuzzer keeps an
// input when it reaches new code; two inputs that run the same code in another order look the same
// to it. With RACEFUZZ_INTERLEAVING_COVERAGE=1, every event on an object (a yield point or note
// naming one: "atomic_store a", "lock mu") that follows an event on the same object by another
// thread counts the ordered pair of their operations (and the object's kind) in one of
// kInterleavingCounters bytes of the `__libfuzzer_extra_counters` section, which libFuzzer reads
// as coverage. An input whose run puts two sites in a new order on some object is then kept, as
// interleaving-coverage fuzzers keep new reads-from or order pairs (RFF, MUZZ). Bounded: a fixed
// table of the last event per object (collisions forget, they never crash), a fixed counter array.
// Internal to the scheduler.
#ifndef RACEFUZZ_CORE_SCHED_INTERLEAVING_COVERAGE_H_
#define RACEFUZZ_CORE_SCHED_INTERLEAVING_COVERAGE_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"
#include "core/sched/label.h"
#include "core/sched/runtime.h"

namespace racefuzz::internal {

inline constexpr size_t kInterleavingCounters = 4096;

// The counters libFuzzer reads (and clears before every input). Writable for tests, which clear
// them themselves.
absl::Span<uint8_t> InterleavingCounters();

// Invariants: an entry of last_ describes the last event on its object in this run iff its `run`
// is run_; run_ is never 0 (zeroed entries belong to no run).
class InterleavingCoverage {
 public:
  // A new run: no object has had an event yet. O(1) (a generation number).
  void Reset();
  // Thread `t` records operation `op` on `obj`. Objects without a kind, and events outside
  // simulated threads, count nothing.
  void OnEvent(ThreadId t, Label op, Object obj);

 private:
  struct Last {
    const char* kind = nullptr;
    uint64_t id = 0;
    uint64_t kind_hash = 0;  // of the kind's text: the same in every process, unlike its address
    uint64_t op_hash = 0;
    ThreadId thread = kNoThread;
    uint32_t run = 0;
  };
  static constexpr size_t kObjects = 1024;
  std::array<Last, kObjects> last_{};
  uint32_t run_ = 1;
};

}  // namespace racefuzz::internal

#endif  // RACEFUZZ_CORE_SCHED_INTERLEAVING_COVERAGE_H_
