// The page model must cost within 2x of a plain memcpy of the same size when no scheduler is
// active (yield points are a load and a branch, the bounds check is three compares, mappings are
// bookkeeping-free outside ASan builds). Each model benchmark reports `ratio_vs_memcpy`, its time
// per copy divided by BM_Memcpy's at the same size (measured in the same process, first), both in
// thread CPU time.
//
//   cmake --preset release -B build/page-rel && cmake --build build/page-rel --target page_bench
//   build/page-rel/bench/page/page_bench --benchmark_repetitions=5
//   --benchmark_report_aggregates_only
// With -DCMAKE_INTERPROCEDURAL_OPTIMIZATION=ON (ThinLTO) the calls into core/page inline too.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>

#include "core/page/bytewise.h"
#include "core/page/page.h"

namespace racefuzz::page {
namespace {

// ns per memcpy, by size, from BM_Memcpy (which runs first: registered first).
std::map<int64_t, double>& MemcpyNs() {
  static std::map<int64_t, double> ns;
  return ns;
}

void Report(benchmark::State& state, double seconds, bool baseline) {
  const int64_t size = state.range(0);
  const double ns = seconds * 1e9 / static_cast<double>(state.iterations());
  state.SetBytesProcessed(state.iterations() * size);
  if (baseline) {
    MemcpyNs()[size] = ns;
  } else if (auto it = MemcpyNs().find(size); it != MemcpyNs().end()) {
    state.counters["ratio_vs_memcpy"] = ns / it->second;
  }
}

// CPU seconds of the calling thread: on a shared machine, wall time mostly measures the neighbours.
double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

template <typename Body>
void Run(benchmark::State& state, Body body, bool baseline = false) {
  const double start = ThreadCpuSeconds();
  for (auto _ : state) body();
  Report(state, ThreadCpuSeconds() - start, baseline);
}

// Page-aligned memory, filled with `byte`.
struct AlignedPage {
  explicit AlignedPage(uint8_t byte)
      : mem(static_cast<uint8_t*>(std::aligned_alloc(PAGE_SIZE, PAGE_SIZE)), &std::free) {
    std::memset(mem.get(), byte, PAGE_SIZE);
  }
  uint8_t* data() const { return mem.get(); }
  uint8_t& operator[](size_t i) const { return mem.get()[i]; }
  std::unique_ptr<uint8_t, decltype(&std::free)> mem;
};

// Every buffer is page-aligned like a page's bytes, so each benchmark copies between addresses
// with the same offsets (copies between buffers at different offsets within a page run at
// different speeds, 4K aliasing among others: up to 2x at 512 B on this machine).
struct Fixture {
  Owned<Page> page = *Page::alloc_page(GFP_KERNEL | __GFP_ZERO);
  AlignedPage buf{1};
  AlignedPage plain_page{2};
  uint8_t* plain = plain_page.data();
};

void BM_Memcpy(benchmark::State& state) {
  Fixture f;
  const size_t n = state.range(0);
  Run(
      state,
      [&] {
        std::memcpy(f.buf.data(), f.plain, n);
        benchmark::ClobberMemory();
      },
      /*baseline=*/true);
}

void BM_ReadRaw(benchmark::State& state) {
  Fixture f;
  const size_t n = state.range(0);
  Run(state, [&] {
    benchmark::DoNotOptimize(f.page->read_raw(f.buf.data(), 0, n));
    benchmark::ClobberMemory();
  });
}

void BM_WriteRaw(benchmark::State& state) {
  Fixture f;
  const size_t n = state.range(0);
  Run(state, [&] {
    benchmark::DoNotOptimize(f.page->write_raw(f.buf.data(), 0, n));
    benchmark::ClobberMemory();
  });
}

void BM_ReadBytewiseAtomic(benchmark::State& state) {
  Fixture f;
  const size_t n = state.range(0);
  Run(state, [&] {
    benchmark::DoNotOptimize(f.page->read_bytewise_atomic(f.buf.data(), 0, n));
    benchmark::ClobberMemory();
  });
}

void BM_WriteBytewiseAtomic(benchmark::State& state) {
  Fixture f;
  const size_t n = state.range(0);
  Run(state, [&] {
    benchmark::DoNotOptimize(f.page->write_bytewise_atomic(f.buf.data(), 0, n));
    benchmark::ClobberMemory();
  });
}

void BM_AtomicPerByteMemcpy(benchmark::State& state) {
  Fixture f;
  const size_t n = state.range(0);
  Run(state, [&] {
    atomic_per_byte_memcpy(f.plain, f.buf.data(), n);
    benchmark::ClobberMemory();
  });
}

// The alternative atomic_per_byte_memcpy could use: one relaxed atomic per byte. In the TSan build
// (where atomic_per_byte_memcpy uses real atomics: aligned 8-byte words where it can) this shows
// what the wider accesses save; elsewhere both are plain copies.
void BM_OneAtomicPerByteLoop(benchmark::State& state) {
  Fixture f;
  const size_t n = state.range(0);
  Run(state, [&] {
    for (size_t i = 0; i < n; ++i) {
      __atomic_store_n(&f.buf[i], __atomic_load_n(&f.plain[i], __ATOMIC_RELAXED), __ATOMIC_RELAXED);
    }
    benchmark::ClobberMemory();
  });
}

#define PAGE_SIZES Arg(64)->Arg(512)->Arg(4096)
BENCHMARK(BM_Memcpy)->PAGE_SIZES;
BENCHMARK(BM_ReadRaw)->PAGE_SIZES;
BENCHMARK(BM_WriteRaw)->PAGE_SIZES;
BENCHMARK(BM_ReadBytewiseAtomic)->PAGE_SIZES;
BENCHMARK(BM_WriteBytewiseAtomic)->PAGE_SIZES;
BENCHMARK(BM_AtomicPerByteMemcpy)->PAGE_SIZES;
BENCHMARK(BM_OneAtomicPerByteLoop)->PAGE_SIZES;

}  // namespace
}  // namespace racefuzz::page

BENCHMARK_MAIN();
