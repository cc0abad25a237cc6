#include "core/page/pool.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <vector>

#include "core/page/direct_map.h"
#include "core/page/mapping.h"
#include "core/sched/happens_before.h"
#include "core/sched/runtime.h"

namespace racefuzz::page {
namespace {

using internal::kFrameSize;

struct Pool {
  std::vector<uint8_t*> free[kNumNodes];
  std::deque<internal::Frame> quarantine;
  PoolStats stats;
  uint64_t next_id = 1;
  ScopedAllocFaults* faults = nullptr;
  // A run ended since the last reset: the pool resets as soon as no page is live (OnRunEnd).
  bool reset_pending = false;
  std::mutex mu;  // threads mode only: in a deterministic run no switch happens inside the pool
};

Pool& GetPool() {
  static Pool* pool = new Pool();  // never destroyed: pages may be freed during exit
  return *pool;
}

// The pool's bookkeeping is the allocator's own state: hidden from TSan (a real allocator has its
// own locks), locked in threads mode.
class PoolLock {
 public:
  PoolLock() : threads_(current_mode() == Mode::kThreads) {
    if (threads_) GetPool().mu.lock();
    tsan_ignore_begin();
  }
  ~PoolLock() {
    tsan_ignore_end();
    if (threads_) GetPool().mu.unlock();
  }

 private:
  bool threads_;
};

// Every frame not live becomes fresh again and ids restart at 1: the pool is as a new process finds
// it. Only when no page is live (a live page's frame cannot move).
void Reset(Pool& pool) {
  for (std::vector<uint8_t*>& node : pool.free) {
    for (uint8_t* bytes : node) internal::DropFrame(bytes);
    node.clear();
  }
  for (const internal::Frame& frame : pool.quarantine) internal::DropFrame(frame.bytes);
  pool.quarantine.clear();
  internal::ResetDirectMap();
  pool.next_id = 1;
  pool.reset_pending = false;
}

// A frame for an allocation on `nid`: the node's most recently reusable frame, else a fresh one,
// else (all of physical memory handed out) any node's, else the oldest in the quarantine.
uint8_t* TakeFrame(Pool& pool, int nid) {
  if (!pool.free[nid].empty()) {
    uint8_t* bytes = pool.free[nid].back();
    pool.free[nid].pop_back();
    return bytes;
  }
  if (uint8_t* bytes = internal::FreshFrame()) return bytes;
  for (std::vector<uint8_t*>& node : pool.free) {
    if (node.empty()) continue;
    uint8_t* bytes = node.back();
    node.pop_back();
    return bytes;
  }
  if (!pool.quarantine.empty()) {
    uint8_t* bytes = pool.quarantine.front().bytes;
    pool.quarantine.pop_front();
    return bytes;
  }
  std::fprintf(stderr, "racefuzz: the page pool is exhausted: all %zu frames are live\n",
               internal::kMaxFrames);
  std::abort();
}

// Run end hook: every run starts from the pool state of a new process, so that which frame lies
// next to which (what a read running off a page's end reaches) depends on the run alone and a
// report replays in a fresh process. Pages the run's setup still owns (a fuzz input's world) are
// freed after the run ends: the reset waits for the last of them (FreeFrame). A page kept past
// that, into later runs, postpones the reset until it is freed: those runs are laid out by
// history (the harness frees every page of an input before the next starts; a page never freed
// is a LeakSanitizer report).
void OnRunEnd() {
  PoolLock lock;
  Pool& pool = GetPool();
  pool.reset_pending = true;
  if (pool.stats.live == 0) Reset(pool);
}

[[maybe_unused]] const bool g_hooks_registered = [] {
  add_run_end_hook(&OnRunEnd);
  return true;
}();

}  // namespace

struct PoolAccess {
  // True if the current allocation attempt must fail.
  static bool InjectFailure(Pool& pool) {
    ScopedAllocFaults* f = pool.faults;
    if (f == nullptr) return false;
    const uint64_t k = f->attempts_++;
    return k < 64 && ((f->mask_ >> k) & 1) != 0;
  }
};

ScopedAllocFaults::ScopedAllocFaults(uint64_t fail_mask) : mask_(fail_mask) {
  PoolLock lock;
  prev_ = GetPool().faults;
  GetPool().faults = this;
}

ScopedAllocFaults::~ScopedAllocFaults() {
  PoolLock lock;
  GetPool().faults = prev_;
}

PoolStats pool_stats() {
  PoolLock lock;
  PoolStats s = GetPool().stats;
  s.quarantined = GetPool().quarantine.size();
  return s;
}

int numa_node_id() {
  const ThreadId t = current_thread();
  return t == kNoThread ? 0 : (t + 1) % kNumNodes;
}

namespace internal {

bool AllocFrame(int nid, bool zero, Frame& out) {
  if (nid == kAnyNode) nid = numa_node_id();
  uint8_t* bytes = nullptr;
  {
    PoolLock lock;
    Pool& pool = GetPool();
    if (PoolAccess::InjectFailure(pool)) {
      pool.stats.failed++;
      return false;
    }
    if (pool.stats.live == 0) pool.next_id = 1;  // each input numbers its pages from 1
    out.id = pool.next_id++;
    out.nid = nid;
    pool.stats.live++;
    pool.stats.allocated++;
    bytes = TakeFrame(pool, nid);
  }
  // SAFETY: pairs with the release in FreeFrame: the previous owner's accesses to these bytes
  // (in this run or an earlier one) happen-before the new owner's, as with any allocator.
  happens_before_acquire(bytes);
  UnpoisonFrame(bytes);
  std::memset(bytes, zero ? 0 : 0xa5, kFrameSize);
  PoisonFrame(bytes);  // unmapped until someone maps it
  out.bytes = bytes;
  return true;
}

void FreeFrame(const Frame& frame) {
  PoisonFrame(frame.bytes);
  happens_before_release(frame.bytes);
  PoolLock lock;
  Pool& pool = GetPool();
  pool.stats.live--;
  pool.stats.freed++;
  pool.quarantine.push_back(frame);
  if (pool.quarantine.size() > kQuarantinePages) {
    const Frame old = pool.quarantine.front();
    pool.quarantine.pop_front();
    pool.free[old.nid].push_back(old.bytes);  // stays poisoned until allocated again
  }
  if (pool.stats.live == 0 && pool.reset_pending) Reset(pool);
}

}  // namespace internal
}  // namespace racefuzz::page
