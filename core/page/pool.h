// The page pool: racefuzz's stand-in for physical memory. Pages come from kNumNodes NUMA nodes;
// freed pages stay poisoned in a quarantine before reuse, so a stale user is an ASan report; the
// fuzzer can make allocations fail.
//
// Every run starts from the pool state of a new process (no frame reusable, an empty quarantine,
// ids from 1, frames handed out in direct_map.h's fixed order), so that which frame lies next to
// which is a function of the run alone: a report that depends on it (a read off a page's end that
// races with the neighbouring page's writer) replays in a fresh process. The reset happens at the
// end of a run, or, if pages are still live then (a fuzz input's world is destroyed after its run),
// when the last of them is freed.
//
// Invariants (pool.cc's Pool): every frame handed out since the last reset is in exactly one
// place: live (owned by one Page or SafePage), in the quarantine (poisoned, at most
// kQuarantinePages, oldest first), or in its node's free list (poisoned); stats.live counts the
// live frames, and ids restart at 1 only when none is live; `faults` is the innermost live
// ScopedAllocFaults or null; `reset_pending` is set only while a page is live.
//
// The pool's own bookkeeping is the allocator's business (the kernel's allocator has its own
// locks), so it is hidden from TSan; a page handed from a free to a later allocation carries
// happens-before, like a real allocator. The page bytes themselves are never hidden.
#ifndef RACEFUZZ_CORE_PAGE_POOL_H_
#define RACEFUZZ_CORE_PAGE_POOL_H_

#include <cstddef>
#include <cstdint>

namespace racefuzz::page {

// NUMA nodes of the pool; nid() of a page is in [0, kNumNodes).
inline constexpr int kNumNodes = 4;
// Freed pages wait in the quarantine (poisoned) until this many newer pages were freed.
inline constexpr size_t kQuarantinePages = 64;

struct PoolStats {
  uint64_t live = 0;         // pages allocated and not yet freed
  uint64_t allocated = 0;    // successful allocations, ever
  uint64_t freed = 0;        // frees, ever
  uint64_t failed = 0;       // allocations that failed (injected)
  uint64_t quarantined = 0;  // freed pages not yet reusable
};
PoolStats pool_stats();

// The node an allocation without an explicit node uses on the calling simulated thread (the
// kernel's numa_node_id()): thread t runs on node (t + 1) % kNumNodes; setup code (no simulated
// thread) on node 0.
int numa_node_id();

// Fault injection: while a ScopedAllocFaults lives, the k-th allocation attempt since its creation
// (k = 0, 1, ...) fails with AllocError if bit k of `fail_mask` is set (k >= 64 never fails).
// Scopes nest; the innermost decides.
//
// Safety: scopes are created and destroyed in LIFO order (it is a stack: a scope destroyed out of
// order would reinstate a dead one), by the code that sets a run up, outside the run's simulated
// threads and before it starts; it counts every allocation attempt of the process while it lives,
// so it must not outlive the run it was made for (the next run's attempts would be counted, and
// its failures would differ: not a deterministic replay). Nothing checks this.
class ScopedAllocFaults {
 public:
  explicit ScopedAllocFaults(uint64_t fail_mask);
  ~ScopedAllocFaults();
  ScopedAllocFaults(const ScopedAllocFaults&) = delete;
  ScopedAllocFaults& operator=(const ScopedAllocFaults&) = delete;

 private:
  uint64_t mask_;
  uint64_t attempts_ = 0;
  ScopedAllocFaults* prev_;
  friend struct PoolAccess;
};

namespace internal {
// One page frame of the pool: its canonical bytes (PAGE_SIZE, page-aligned), its node and the id
// the timeline names it by ("page 3"; ids restart at 1 whenever no page is live, so each fuzz input
// numbers its pages the same way every run).
struct Frame {
  uint8_t* bytes = nullptr;
  uint64_t id = 0;
  int nid = 0;
};
// Allocates a frame on `nid` (kAnyNode: numa_node_id()); false on (injected) failure. `zero` clears
// it; otherwise it holds a fixed pattern (0xa5: deterministic "uninitialized" contents). The frame
// is returned unmapped (ASan-poisoned).
inline constexpr int kAnyNode = -1;
bool AllocFrame(int nid, bool zero, Frame& out);
// Returns a frame to the pool: poisoned, quarantined. Safety: each frame is freed once.
void FreeFrame(const Frame& frame);
}  // namespace internal

}  // namespace racefuzz::page

#endif  // RACEFUZZ_CORE_PAGE_POOL_H_
