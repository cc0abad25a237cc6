// Fuzz target planted_ring: producers and a consumer on the transmit ring (ring.h). Thread 0 is the
// consumer; the others produce. Finds: ring-unlock-early (TSan), ring-full-off-by-one (contract
// check), sched-unlock-no-release (TSan).
#include <fuzzer/FuzzedDataProvider.h>

#include "bench/planted/clients/ops.h"
#include "bench/planted/clients/ring.h"
#include "core/sched/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;
  FuzzedDataProvider in(data, size);
  const auto threads = racefuzz::planted::DecodeThreads(in);
  racefuzz::planted::Ring ring;
  racefuzz::RunInput(in, [&] {
    for (size_t t = 0; t < threads.size(); ++t) {
      racefuzz::spawn([&, t] {
        for (const auto& op : threads[t]) {
          if (t == 0) {
            ring.consume();
          } else {
            ring.produce(op.arg);
          }
        }
      });
    }
  });
  return 0;
}
