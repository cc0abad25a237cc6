#include "core/sched/heap_threads.h"

#include <cstdio>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/sched/run.h"
#include "core/sched/trace.h"

#ifdef RACEFUZZ_HEAP_THREADS
#include <sanitizer/allocator_interface.h>
#include <sanitizer/asan_interface.h>
#endif

namespace racefuzz::internal {
namespace {

#ifdef RACEFUZZ_HEAP_THREADS
// The table of the run that the calling OS thread executes now, or null. ASan calls its hooks on
// every OS thread; only the deterministic run's own thread (its fibers) allocates for simulated
// threads, and threads mode's pool threads are ASan's own threads already.
HeapThreads* Recording() {
  if (g_active.mode != Mode::kDeterministic) return nullptr;
  HeapThreads* heap = g_active.run->heap;
  return heap != nullptr && heap->OnRunThread() ? heap : nullptr;
}

void OnMalloc(const volatile void* ptr, size_t) {
  if (HeapThreads* heap = Recording()) {
    heap->Allocated(reinterpret_cast<uintptr_t>(ptr), current_thread());
  }
}

void OnFree(const volatile void* ptr) {
  if (HeapThreads* heap = Recording())
    heap->Freed(reinterpret_cast<uintptr_t>(ptr), current_thread());
}

// ASan holds up to 5 hook pairs (libFuzzer's -malloc_limit_mb and leak tracking take one).
bool InstallHooks() { return __sanitizer_install_malloc_and_free_hooks(&OnMalloc, &OnFree) != 0; }

std::string Allocated(ThreadId t) {
  return t == kBeforeRun ? std::string("allocated before this run")
                         : absl::StrCat("allocated by ", ThreadName(t));
}

std::string Freed(ThreadId t) {
  return t == kNotFreed ? std::string("not freed") : absl::StrCat("freed by ", ThreadName(t));
}
#endif

// Fibonacci hashing of the block's address (ASan's blocks are 16-byte aligned).
size_t SetIndex(uintptr_t begin) {
  return static_cast<size_t>(((begin >> 4) * 0x9E3779B97F4A7C15ull) >>
                             (64 - HeapThreads::kSetBits));
}

}  // namespace

HeapThreads::HeapThreads() : run_thread_(pthread_self()) {
#ifdef RACEFUZZ_HEAP_THREADS
  entries_ = std::make_unique<Entry[]>(size_t{kSets} * kWays);
  [[maybe_unused]] static const bool installed = InstallHooks();
#endif
}

HeapThreads::~HeapThreads() = default;

void HeapThreads::BeginRun() { ++generation_; }

HeapThreads::Entry* HeapThreads::SetOf(uintptr_t begin) const {
  return entries_.get() + SetIndex(begin) * kWays;
}

HeapThreads::Entry* HeapThreads::Lookup(uintptr_t begin) const {
  Entry* set = SetOf(begin);
  for (int w = 0; w < kWays && set[w].generation == generation_; ++w) {
    if (set[w].hidden_begin == ~begin) return &set[w];
  }
  return nullptr;
}

HeapThreads::Entry& HeapThreads::Insert(uintptr_t begin) {
  Entry* set = SetOf(begin);
  int n = 0;
  while (n < kWays && set[n].generation == generation_) ++n;
  if (n == kWays) {  // full: forget the oldest
    std::memmove(set, set + 1, sizeof(Entry) * (kWays - 1));
    n = kWays - 1;
  }
  set[n] = Entry{.hidden_begin = ~begin, .generation = generation_};
  return set[n];
}

void HeapThreads::Allocated(uintptr_t begin, ThreadId by) {
  Entry* e = Lookup(begin);  // the block's address was freed and is reused
  if (e == nullptr) e = &Insert(begin);
  e->allocated_by = by;
  e->freed_by = kNotFreed;
}

void HeapThreads::Freed(uintptr_t begin, ThreadId by) {
  Entry* e = Lookup(begin);
  if (e == nullptr) e = &Insert(begin);  // allocated before this run
  if (e->freed_by == kNotFreed) e->freed_by = by;
}

HeapBlock HeapThreads::Find(uintptr_t begin) const {
  const Entry* e = Lookup(begin);
  if (e == nullptr) return HeapBlock{.begin = begin};
  return HeapBlock{.begin = begin, .allocated_by = e->allocated_by, .freed_by = e->freed_by};
}

void PrintHeapThreads() {
#ifdef RACEFUZZ_HEAP_THREADS
  if (g_active.mode != Mode::kDeterministic) return;
  void* const address = __asan_get_report_address();
  if (address == nullptr) return;  // not ASan's report (UBSan's, LeakSanitizer's)
  std::string line = absl::StrCat("racefuzz: the access by ", ThreadName(current_thread()));
  // Returns the region's kind ("heap", "stack", "global", ...); `name` is a variable's name.
  void* region = nullptr;
  size_t region_size = 0;
  const char* kind = __asan_locate_address(address, nullptr, 0, &region, &region_size);
  const HeapThreads* heap = g_active.run->heap;
  if (heap != nullptr && kind != nullptr && std::strcmp(kind, "heap") == 0 && region != nullptr) {
    const auto begin = reinterpret_cast<uintptr_t>(region);
    const HeapBlock block = heap->Find(begin);
    absl::StrAppendFormat(&line, "; the heap block [%#x, %#x) %s, %s", begin, begin + region_size,
                          Allocated(block.allocated_by), Freed(block.freed_by));
  }
  absl::FPrintF(stderr, "%s\n", line);
#endif
}

}  // namespace racefuzz::internal
