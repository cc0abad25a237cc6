#include "core/page/pool.h"

#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <vector>

#include "core/page/mapping.h"
#include "core/sched/happens_before.h"
#include "core/sched/runtime.h"

namespace racefuzz::page {
namespace {

constexpr size_t kFrameSize = 4096;  // PAGE_SIZE (page.h includes this header)

struct Pool {
  std::vector<uint8_t*> free[kNumNodes];
  std::deque<internal::Frame> quarantine;
  PoolStats stats;
  uint64_t next_id = 1;
  ScopedAllocFaults* faults = nullptr;
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
    if (!pool.free[nid].empty()) {
      bytes = pool.free[nid].back();
      pool.free[nid].pop_back();
    }
  }
  if (bytes == nullptr) {
    bytes = static_cast<uint8_t*>(std::aligned_alloc(kFrameSize, kFrameSize));
    if (bytes == nullptr) std::abort();
  } else {
    // SAFETY: pairs with the release in FreeFrame: the previous owner's accesses to these bytes
    // happen-before the new owner's, as with any allocator.
    happens_before_acquire(bytes);
  }
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
}

}  // namespace internal
}  // namespace racefuzz::page
