// Fuzz target planted_stats: datapath threads count packets while others show the statistics
// (stats.h). Finds: stats-unlocked-read (TSan), sched-spinlock-no-acquire (TSan).
#include <fuzzer/FuzzedDataProvider.h>

#include "bench/planted/clients/ops.h"
#include "bench/planted/clients/stats.h"
#include "core/sched/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;
  FuzzedDataProvider in(data, size);
  const auto threads = racefuzz::planted::DecodeThreads(in);
  racefuzz::planted::DeviceStats stats;
  racefuzz::RunInput(in, [&] {
    for (size_t t = 0; t < threads.size(); ++t) {
      racefuzz::spawn([&, t] {
        for (const auto& op : threads[t]) {
          if (op.kind % 4 == 0) {
            stats.show();
          } else {
            stats.count(op.arg);
          }
        }
      });
    }
  });
  return 0;
}
