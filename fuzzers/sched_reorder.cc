// The reorder test of the published concurrency-testing benchmarks (SCTBench's reorder_X_bad, after
// CHESS), at 21 simulated threads: one setter writes a = 1 then b = -1, and 20 checkers each read a
// then b and assert they saw both writes or neither. The bug: a checker reads a after the setter's
// first write and b before its second. The whole input is the schedule. It exists to show that the
// engine holds programs of this size and finds their bug (tests/fuzz/finds_bug.sh); it is not in
// campaigns, since its bug is meant to be found.
#include <fuzzer/FuzzedDataProvider.h>

#include "core/check/report.h"
#include "core/sched/harness.h"
#include "core/sched/sync.h"

namespace {

constexpr int kCheckers = 20;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;
  FuzzedDataProvider input(data, size);
  racefuzz::Atomic<int> a(0, "a");
  racefuzz::Atomic<int> b(0, "b");
  racefuzz::RunInput(input, [&] {
    racefuzz::spawn([&] {
      a.store(1);
      b.store(-1);
    });
    for (int t = 0; t < kCheckers; ++t) {
      racefuzz::spawn([&] {
        const int seen_a = a.load();
        const int seen_b = b.load();
        if (!((seen_a == 0 && seen_b == 0) || (seen_a == 1 && seen_b == -1))) {
          racefuzz::check::Fail("reorder-half-seen",
                                absl::StrFormat("T%d read a = %d, b = %d: half of the setter's two "
                                                "writes",
                                                racefuzz::current_thread(), seen_a, seen_b));
        }
      });
    }
  });
  return 0;
}
