#include "core/sched/memory/bytes.h"

#include "core/sched/internal.h"

namespace racefuzz::internal::memory {

// SAFETY (whole file): compiled without TSan (core/CMakeLists.txt); the bytes are copied one
// relaxed atomic byte at a time, not with memcpy, which TSan intercepts even from uninstrumented
// code (and a plain loop may become a memcpy call). The bytes at `addr` are byte-wise atomic
// memory, which other simulated threads access atomically only.
RACEFUZZ_SCHED_INTERNAL BytesRecord& BytesHistory::Add(const uint8_t* addr, const uint8_t* bytes,
                                                       size_t len) {
  const uint32_t ts = next_ts_++;
  BytesRecord& r = records_[ts % kRecords];
  r.addr = addr;
  r.len = static_cast<uint32_t>(len);
  r.ts = ts;
  r.slot = ts % kRecords;
  uint8_t* old = &arena_[2 * r.slot * kMaxRecordBytes];
  uint8_t* now = old + kMaxRecordBytes;
  for (size_t i = 0; i < len; ++i) {
    __atomic_store_n(&old[i], __atomic_load_n(&addr[i], __ATOMIC_RELAXED), __ATOMIC_RELAXED);
    __atomic_store_n(&now[i], __atomic_load_n(&bytes[i], __ATOMIC_RELAXED), __ATOMIC_RELAXED);
  }
  return r;
}

}  // namespace racefuzz::internal::memory
