// The README's example: a racefuzz target in about twenty lines. Three simulated threads move money
// between two accounts under a mutex; the input decides the amounts and every interleaving. The
// invariant (money is neither created nor lost) is checked at the end, and TSan checks the locking.
#include <fuzzer/FuzzedDataProvider.h>

#include "core/sched/harness.h"
#include "core/sched/sync.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  racefuzz::FuzzInputScope scope;  // optional: hides libFuzzer's own work between inputs from TSan
  FuzzedDataProvider input(data, size);
  const int threads = input.ConsumeIntegralInRange(2, 3);
  int amounts[3] = {input.ConsumeIntegral<uint8_t>(), input.ConsumeIntegral<uint8_t>(),
                    input.ConsumeIntegral<uint8_t>()};
  int accounts[2] = {1000, 1000};
  racefuzz::Mutex mu("accounts");
  racefuzz::RunInput(input, [&] {
    for (int t = 0; t < threads; ++t) {
      racefuzz::spawn([&, t] {
        racefuzz::Guard lock(mu);
        racefuzz::yield_point("transfer", {"account", static_cast<uint64_t>(t % 2)});
        accounts[t % 2] -= amounts[t];
        accounts[1 - t % 2] += amounts[t];
      });
    }
  });
  if (accounts[0] + accounts[1] != 2000) __builtin_trap();
  return 0;
}
