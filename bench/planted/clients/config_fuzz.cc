// Fuzz target planted_config: readers and updaters of the published configuration
// (config_store.h). Each op is a read (even kind) or an update (odd kind). Finds:
// config-publish-relaxed (TSan), config-no-grace-period (ASan), config-two-updaters (ASan),
// sched-atomic-load-relaxed (TSan).
#include <fuzzer/FuzzedDataProvider.h>

#include "bench/planted/clients/config_store.h"
#include "bench/planted/clients/ops.h"
#include "core/sched/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;
  FuzzedDataProvider in(data, size);
  const auto threads = racefuzz::planted::DecodeThreads(in);
  racefuzz::planted::ConfigStore store;
  racefuzz::RunInput(in, [&] {
    for (size_t t = 0; t < threads.size(); ++t) {
      racefuzz::spawn([&, t] {
        for (const auto& op : threads[t]) {
          if (op.kind % 2 == 0) {
            store.read();
          } else {
            store.update(op.kind >> 1, op.arg);
          }
        }
      });
    }
  });
  return 0;
}
