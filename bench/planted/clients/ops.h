// The op-sequence decoding every planted client target shares: 2..3 simulated threads, each with
// 1..8 ops, each op a byte the client interprets. Decoded from the back of the input (the schedule
// takes the front), before the run.
#ifndef RACEFUZZ_BENCH_PLANTED_CLIENTS_OPS_H_
#define RACEFUZZ_BENCH_PLANTED_CLIENTS_OPS_H_

#include <cstdint>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

namespace racefuzz::planted {

struct Op {
  uint8_t kind;
  uint8_t arg;
};

// One op list per simulated thread.
inline std::vector<std::vector<Op>> DecodeThreads(FuzzedDataProvider& in, int max_threads = 3,
                                                  int max_ops = 8) {
  std::vector<std::vector<Op>> threads(in.ConsumeIntegralInRange(2, max_threads));
  for (auto& ops : threads) {
    const int n = in.ConsumeIntegralInRange(1, max_ops);
    for (int i = 0; i < n; ++i) {
      const uint8_t kind = in.ConsumeIntegral<uint8_t>();
      ops.push_back({kind, in.ConsumeIntegral<uint8_t>()});
    }
  }
  return threads;
}

}  // namespace racefuzz::planted

#endif  // RACEFUZZ_BENCH_PLANTED_CLIENTS_OPS_H_
