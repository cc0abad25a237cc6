// Engine benchmark: executions per second of one program (N simulated threads x M locked operations
// on shared counters) under four executors, side by side in one process:
//
//   Exec/deterministic  racefuzz::RunInput, fibers on one OS thread, input-driven schedule
//   Exec/threads        racefuzz::RunInput, RACEFUZZ_MODE=threads (persistent thread pool)
//   Exec/naive          racefuzz::RunInput, RACEFUZZ_MODE=naive (a std::thread per thread per
//   input) Exec/sequential     no scheduler: the bodies called in sequence (the limit to approach)
//
// Arguments are threads/ops. After the table, the ratios deterministic/naive and threads/naive are
// printed for every (threads, ops) measured (the "Ratios" block), from the same run.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench/engine/locked_program.h"

namespace racefuzz::bench {
namespace {

constexpr int kInputs = 64;           // distinct programs/schedules cycled through
constexpr size_t kInputBytes = 4096;  // enough schedule bytes for 8 threads x 64 ops (more above)

void BM_Exec(benchmark::State& state, Mode mode) {
  const int threads = static_cast<int>(state.range(0));
  const int ops = static_cast<int>(state.range(1));
  std::vector<LockedProgram> programs;
  std::vector<std::vector<uint8_t>> inputs;
  std::vector<uint64_t> expected;
  for (int i = 0; i < kInputs; ++i) {
    programs.push_back(MakeLockedProgram(threads, ops, i));
    inputs.push_back(MakeScheduleInput(std::max<size_t>(kInputBytes, threads * ops * 8), i));
    uint64_t sum = 0;
    for (uint8_t a : programs.back().amount) sum += a;
    expected.push_back(sum);
  }
  size_t i = 0;
  for (auto _ : state) {
    const uint64_t sum = RunLockedProgram(programs[i], mode, inputs[i]);
    if (sum != expected[i]) {
      state.SkipWithError("lost update: the locked program is not race-free in this mode");
      break;
    }
    i = (i + 1) % kInputs;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["ops_per_exec"] = threads * ops;
}

// Prints the usual console table, then the ratios of the executors measured in this run.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      // Names look like "Exec/<executor>/<threads>/<ops>/...".
      const std::string name = run.benchmark_name();
      const size_t a = name.find('/');
      const size_t b = name.find('/', a + 1);
      if (a == std::string::npos || b == std::string::npos) continue;
      const std::string executor = name.substr(a + 1, b - a - 1);
      std::string shape = name.substr(b + 1);
      if (const size_t c = shape.find("/min_time"); c != std::string::npos) shape.resize(c);
      if (const size_t c = shape.find("/real_time"); c != std::string::npos) shape.resize(c);
      auto it = run.counters.find("items_per_second");
      if (it != run.counters.end()) rates_[shape][executor] = it->second.value;
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\nRatios (executions/s over the naive harness's, same run; threads/ops):\n");
    std::printf("%-10s %14s %14s %14s %14s %10s %10s %10s\n", "shape", "determ/s", "threads/s",
                "naive/s", "sequential/s", "det/naive", "thr/naive", "seq/det");
    for (const auto& [shape, r] : rates_) {
      auto get = [&r](const char* k) {
        auto it = r.find(k);
        return it == r.end() ? 0.0 : it->second;
      };
      const double det = get("deterministic"), thr = get("threads"), naive = get("naive"),
                   seq = get("sequential");
      std::printf("%-10s %14.0f %14.0f %14.0f %14.0f %10.2f %10.2f %10.2f\n", shape.c_str(), det,
                  thr, naive, seq, naive > 0 ? det / naive : 0.0, naive > 0 ? thr / naive : 0.0,
                  det > 0 ? seq / det : 0.0);
    }
  }

 private:
  std::map<std::string, std::map<std::string, double>> rates_;
};

void RegisterAll() {
  for (const auto& [mode, name] : kModeNames) {
    auto* b = benchmark::RegisterBenchmark((std::string("Exec/") + std::string(name)).c_str(),
                                           [mode](benchmark::State& s) { BM_Exec(s, mode); });
    // The headline program (3 x 16), then growth in threads (2..128 at 16 ops) and in ops (4..64
    // at 3 threads).
    b->ArgNames({"threads", "ops"});
    for (int t : {2, 3, 4, 8, 32, 128}) b->Args({t, 16});
    for (int o : {4, 64}) b->Args({3, o});
    // Wall-clock time: the threads and naive executors spend their time in other OS threads.
    b->UseRealTime();
  }
}

}  // namespace
}  // namespace racefuzz::bench

int main(int argc, char** argv) {
  racefuzz::bench::RegisterAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  racefuzz::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
