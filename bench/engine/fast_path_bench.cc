// The fast paths outside deterministic runs (issue 12): a yield point costs one load and a branch,
// and a racefuzz::Atomic operation costs its std::atomic operation plus that. Measured outside any
// run (mode kOff), where a fuzz target's setup and final oracle run; a threads-mode run takes the
// same path (mode kThreads). Each iteration ends with benchmark::ClobberMemory(), so the mode is
// loaded again every time, as it is between two model calls, and std::atomic's own cost is
// measured the same way beside it. Each atomic's address escapes first (DoNotOptimize(&v)), so
// that the compiler keeps every access of it, as it must for an atomic that other threads see.
//
//   bench/engine/compare_builds.py OLD/fast_path_bench NEW/fast_path_bench . 10
//
// compares two builds side by side (docs/results.md, "The fast paths").
#include <atomic>

#include <benchmark/benchmark.h>

#include "core/sched/runtime.h"
#include "core/sched/sync.h"

namespace racefuzz::bench {
namespace {

void BM_YieldPoint(benchmark::State& state) {
  for (auto _ : state) {
    yield_point("bench", {"bench", 0});
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_YieldPoint);

void BM_StdAtomicLoad(benchmark::State& state) {
  std::atomic<int> v{1};
  benchmark::DoNotOptimize(&v);
  for (auto _ : state) {
    benchmark::DoNotOptimize(v.load());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_StdAtomicLoad);

void BM_AtomicLoad(benchmark::State& state) {
  Atomic<int> v(1, "bench");
  benchmark::DoNotOptimize(&v);
  for (auto _ : state) {
    benchmark::DoNotOptimize(v.load());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_AtomicLoad);

void BM_StdAtomicStore(benchmark::State& state) {
  std::atomic<int> v{0};
  benchmark::DoNotOptimize(&v);
  int i = 0;
  for (auto _ : state) {
    v.store(++i);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_StdAtomicStore);

void BM_AtomicStore(benchmark::State& state) {
  Atomic<int> v(0, "bench");
  benchmark::DoNotOptimize(&v);
  int i = 0;
  for (auto _ : state) {
    v.store(++i);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_AtomicStore);

}  // namespace
}  // namespace racefuzz::bench

BENCHMARK_MAIN();
