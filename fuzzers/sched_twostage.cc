// The two-stage test of the published concurrency-testing benchmarks (SCTBench's twostage_100_bad,
// after Inspect), at 101 simulated threads: 100 workers each set data1 = 1 under one lock (stage
// one), then data2 = data1 + 1 under another (stage two); a reader takes data1 under the first
// lock and, if it is set, data2 under the second, and asserts data2 == data1 + 1. The bug: the two
// stages are not one critical section, so the reader can run between a worker's stages. The whole
// input is the schedule. It exists to show that the engine holds programs of this size and finds
// their bug (tests/fuzz/finds_bug.sh); it is not in campaigns, since its bug is meant to be found.
#include <fuzzer/FuzzedDataProvider.h>

#include "core/check/report.h"
#include "core/sched/harness.h"
#include "core/sched/sync.h"

namespace {

constexpr int kWorkers = 100;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;
  FuzzedDataProvider input(data, size);
  racefuzz::Mutex stage_one("stage_one");
  racefuzz::Mutex stage_two("stage_two");
  int data1 = 0;  // guarded by stage_one
  int data2 = 0;  // guarded by stage_two
  racefuzz::RunInput(input, [&] {
    for (int t = 0; t < kWorkers; ++t) {
      racefuzz::spawn([&] {
        int seen;
        {
          racefuzz::Guard lock(stage_one);
          data1 = 1;
          seen = data1;
        }
        racefuzz::Guard lock(stage_two);
        data2 = seen + 1;
      });
    }
    racefuzz::spawn([&] {
      int seen1;
      {
        racefuzz::Guard lock(stage_one);
        if (data1 == 0) return;
        seen1 = data1;
      }
      int seen2;
      {
        racefuzz::Guard lock(stage_two);
        seen2 = data2;
      }
      if (seen2 != seen1 + 1) {
        racefuzz::check::Fail("twostage-between-stages",
                              absl::StrFormat("the reader saw data1 = %d but data2 = %d: it ran "
                                              "between a worker's two stages",
                                              seen1, seen2));
      }
    });
  });
  return 0;
}
