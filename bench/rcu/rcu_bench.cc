// RCU benchmark (README.md):
//
//   ReadSide/<mode>/readers:R     one read-side critical section (read_lock, dereference, read the
//                                 object, unlock) per item; R simulated threads each run kBatch of
//                                 them in one run (one RunInput per iteration).
//   Synchronize/<mode>/readers:R  one synchronize_rcu() per item, while R reader threads keep
//                                 entering and leaving read-side sections until the updater is
//                                 done: the wall-clock latency of a grace period.
//
// <mode> is off (no run: plain calls, the floor), deterministic (fibers, round-robin at every
// yield point) or threads (the persistent pool, real OS threads). Deterministic and off runs use
// one OS thread and are timed in CPU time (robust to a loaded machine); threads runs in real time.
#include <cstdint>
#include <optional>

#include <benchmark/benchmark.h>
#include <fuzzer/FuzzedDataProvider.h>

#include "core/rcu/rcu.h"
#include "core/sched/harness.h"
#include "core/sched/sync.h"

namespace racefuzz::rcu {
namespace {

constexpr int kBatch = 1024;  // read-side sections per reader per run
constexpr int kGps = 32;      // grace periods per run

// Runs `setup` as one run in `mode` (Mode::kOff: calls it directly, spawn runs bodies inline).
template <typename F>
void RunIn(Mode mode, F&& setup) {
  if (mode == Mode::kOff) {
    setup();
    return;
  }
  HarnessConfig config;
  config.mode = mode;
  config.schedule = ScheduleKind::kRoundRobin;
  config.max_steps = 1u << 20;  // the trace reserves one slot per step
  SetHarnessConfig(config);
  FuzzedDataProvider fdp(nullptr, 0);
  RunInput(fdp, setup);
}

int ReadOnce(const Rcu<KBox<int>>& x) {
  Guard g = read_lock();
  return **x.dereference(g);
}

void BM_ReadSide(benchmark::State& state, Mode mode) {
  const int readers = static_cast<int>(state.range(0));
  Rcu<KBox<int>> x(KBox<int>::make(42));
  for (auto _ : state) {
    RunIn(mode, [&] {
      for (int r = 0; r < readers; ++r) {
        spawn([&] {
          int sum = 0;
          for (int i = 0; i < kBatch; ++i) sum += ReadOnce(x);
          benchmark::DoNotOptimize(sum);
        });
      }
    });
  }
  state.SetItemsProcessed(state.iterations() * readers * kBatch);
}

void BM_Synchronize(benchmark::State& state, Mode mode) {
  const int readers = static_cast<int>(state.range(0));
  Rcu<KBox<int>> x(KBox<int>::make(42));
  for (auto _ : state) {
    Atomic<int> done(0, "done");
    RunIn(mode, [&] {
      for (int r = 0; r < readers; ++r) {
        spawn([&] {
          while (done.load(std::memory_order_acquire) == 0) benchmark::DoNotOptimize(ReadOnce(x));
        });
      }
      spawn([&] {
        for (int i = 0; i < kGps; ++i) synchronize_rcu();
        done.store(1, std::memory_order_release);
      });
    });
  }
  state.SetItemsProcessed(state.iterations() * kGps);
}

BENCHMARK_CAPTURE(BM_ReadSide, off, Mode::kOff)->ArgName("readers")->Arg(1);
BENCHMARK_CAPTURE(BM_ReadSide, deterministic, Mode::kDeterministic)
    ->ArgName("readers")
    ->Arg(1)
    ->Arg(4);
BENCHMARK_CAPTURE(BM_ReadSide, threads, Mode::kThreads)
    ->ArgName("readers")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Synchronize, off, Mode::kOff)->ArgName("readers")->Arg(0);
BENCHMARK_CAPTURE(BM_Synchronize, deterministic, Mode::kDeterministic)
    ->ArgName("readers")
    ->Arg(0)
    ->Arg(1)
    ->Arg(4);
BENCHMARK_CAPTURE(BM_Synchronize, threads, Mode::kThreads)
    ->ArgName("readers")
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime();

}  // namespace
}  // namespace racefuzz::rcu

BENCHMARK_MAIN();
