// Which simulated thread allocated and freed each heap block, for ASan's reports. In a
// deterministic run every simulated thread is a fiber on one OS thread, so ASan's "freed by thread
// T0 here" and "previously allocated by thread T0 here" name that OS thread, never the simulated
// thread. Under ASan, HeapThreads records the simulated thread of every allocation and free of the
// run (through ASan's malloc and free hooks), and a sanitizer report prints, under ASan's sections
// and before the timeline, which simulated thread made the access, the free and the allocation,
// named as the timeline names them (T<id>, "main" for the run's setup):
//
//   racefuzz: the access by T2; the heap block [0x502000000010, 0x502000000014) allocated by T0,
//   freed by T1
//
// Threads mode (ASan sees the pool's real OS threads) and builds without ASan: nothing is recorded
// and nothing printed. Internal to core/sched.
#ifndef RACEFUZZ_CORE_SCHED_HEAP_THREADS_H_
#define RACEFUZZ_CORE_SCHED_HEAP_THREADS_H_

#include <pthread.h>

#include <cstdint>
#include <memory>

#include "core/sched/runtime.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RACEFUZZ_HEAP_THREADS 1
#endif
#endif

namespace racefuzz::internal {

// Who allocated or freed a block, beyond the simulated threads' ids and kNoThread ("main").
inline constexpr ThreadId kBeforeRun = -2;  // allocated before this run began
inline constexpr ThreadId kNotFreed = -3;   // not freed (yet)

// One heap block's record: where it begins, and who allocated and freed it in this run.
struct HeapBlock {
  uintptr_t begin = 0;
  ThreadId allocated_by = kBeforeRun;
  ThreadId freed_by = kNotFreed;
};

// A deterministic engine's table of the heap blocks its run allocated or freed: a bounded
// set-associative table (kSets x kWays records), made once with the engine, so recording allocates
// nothing (it runs inside ASan's malloc hook). A set that is full forgets its oldest record; a
// block with no record reads "before this run" (alloc) and "not freed".
//
// Invariants: a record counts only if its generation is generation_ (BeginRun forgets every record
// in O(1)); within a set, the live records are ways [0, n) in insertion order, newest last; at most
// one live record per begin address.
class HeapThreads {
 public:
  static constexpr int kSetBits = 12;
  static constexpr int kSets = 1 << kSetBits;
  static constexpr int kWays = 4;

  // Made on the OS thread that runs the engine's runs; installs ASan's hooks once per process.
  HeapThreads();
  ~HeapThreads();
  HeapThreads(const HeapThreads&) = delete;
  HeapThreads& operator=(const HeapThreads&) = delete;

  // A new run: every record is forgotten.
  void BeginRun();
  // The hooks' work: `by` allocated, or freed, the block at `begin`. A second
  // free of a block keeps the first freer (ASan's double-free report names the first free).
  void Allocated(uintptr_t begin, ThreadId by);
  void Freed(uintptr_t begin, ThreadId by);
  // The record of the block that begins at `begin`, or a record of a block allocated before the run
  // and not freed in it.
  HeapBlock Find(uintptr_t begin) const;

  // Whether the calling OS thread is the one that runs this engine's runs (only its allocations are
  // the simulated threads').
  bool OnRunThread() const { return pthread_equal(pthread_self(), run_thread_) != 0; }

 private:
  // A record. The block's address is kept complemented (~begin): LeakSanitizer scans this table
  // like any memory, and a plain address here would keep every block the run leaked reachable.
  struct Entry {
    uintptr_t hidden_begin = 0;
    ThreadId allocated_by = kBeforeRun;
    ThreadId freed_by = kNotFreed;
    uint32_t generation = 0;
  };
  Entry* SetOf(uintptr_t begin) const;
  Entry* Lookup(uintptr_t begin) const;
  Entry& Insert(uintptr_t begin);

  std::unique_ptr<Entry[]> entries_;  // kSets * kWays; null in builds without ASan
  uint32_t generation_ = 1;
  pthread_t run_thread_;
};

// Prints the racefuzz line under an ASan report of the active deterministic run (the access's
// simulated thread, and for a heap address its block's allocator and freer) to stderr; nothing
// outside a deterministic run, for a report that is not ASan's, and in builds without ASan. Called
// from __sanitizer_report_error_summary (run_report.cc).
void PrintHeapThreads();

}  // namespace racefuzz::internal

#endif  // RACEFUZZ_CORE_SCHED_HEAP_THREADS_H_
