#include "core/page/bytewise.h"

#include <algorithm>
#include <cstring>

#include "core/page/chunked_copy.h"
#include "core/page/copy.h"
#include "core/sched/happens_before.h"

namespace racefuzz::page {
namespace {

enum class Side { kPlain, kAtomic };

template <typename W>
W Load(const uint8_t* p, Side side) {
  if (side == Side::kAtomic)
    return __atomic_load_n(reinterpret_cast<const W*>(p), __ATOMIC_RELAXED);
  W w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

template <typename W>
void Store(uint8_t* p, W w, Side side) {
  if (side == Side::kAtomic) {
    __atomic_store_n(reinterpret_cast<W*>(p), w, __ATOMIC_RELAXED);
  } else {
    std::memcpy(p, &w, sizeof w);
  }
}

// The copy loop. In the TSan build the atomic sides use real atomics so TSan tells them from plain
// accesses: aligned 8-byte words where every atomic side is 8-aligned at the same time (an aligned
// word access is atomic for each of its bytes), single bytes elsewhere. Other builds use memcpy,
// as the kernel does (its memcpy is byte-wise atomic on every supported architecture).
void Copy(const uint8_t* src, Side src_side, uint8_t* dst, Side dst_side, size_t len) {
#ifdef RACEFUZZ_HAVE_TSAN
  auto aligned = [&](size_t i) {
    return (src_side == Side::kPlain || (reinterpret_cast<uintptr_t>(src + i) & 7) == 0) &&
           (dst_side == Side::kPlain || (reinterpret_cast<uintptr_t>(dst + i) & 7) == 0);
  };
  size_t i = 0;
  while (i < len) {
    if (len - i >= 8 && aligned(i)) {
      Store<uint64_t>(dst + i, Load<uint64_t>(src + i, src_side), dst_side);
      i += 8;
    } else {
      Store<uint8_t>(dst + i, Load<uint8_t>(src + i, src_side), dst_side);
      i += 1;
    }
  }
#else
  (void)src_side;
  (void)dst_side;
  if (len != 0) std::memcpy(dst, src, len);
#endif
}

}  // namespace

namespace {

// In a weak run, through a bounce buffer: what the loads read (the weak memory model may make some
// bytes older) is what the stores write.
void CopyThroughModel(const uint8_t* src, uint8_t* dst, size_t len) {
  uint8_t bounce[4096];
  for (size_t at = 0; at < len; at += sizeof bounce) {
    const size_t n = std::min(len - at, sizeof bounce);
    internal::CopyAtomicToPlain(src + at, bounce, n);
    internal::CopyPlainToAtomic(bounce, dst + at, n);
  }
}

}  // namespace

void atomic_per_byte_memcpy(const uint8_t* src, uint8_t* dst, size_t len) {
  // In a weak run the copy is an event of its own (in SC runs only its cuts are): the timeline
  // line that says which of its bytes were stale, and the step a later stale read names as the
  // store it did not see, are this copy's, not the thread's previous event's.
  if (weak_memory()) note("atomic_per_byte_memcpy", {}, {0, len});
  internal::CopyInChunks("atomic_per_byte_memcpy (rest)", {}, 0, len, [&](size_t at, size_t n) {
    if (weak_memory()) {
      CopyThroughModel(src + at, dst + at, n);
    } else {
      Copy(src + at, Side::kAtomic, dst + at, Side::kAtomic, n);
    }
  });
}

uint8_t atomic_load_byte(const uint8_t* p) {
  uint8_t v = __atomic_load_n(p, __ATOMIC_RELAXED);
  if (weak_memory()) racefuzz::internal::memory::BytesLoad(p, &v, 1);
  return v;
}
void atomic_store_byte(uint8_t* p, uint8_t v) {
  if (weak_memory()) racefuzz::internal::memory::BytesStore(p, &v, 1);
  __atomic_store_n(p, v, __ATOMIC_RELAXED);
}

#ifdef RACEFUZZ_HAVE_TSAN
namespace internal {
void RawCopyAtomicToPlain(const uint8_t* src, uint8_t* dst, size_t len) {
  Copy(src, Side::kAtomic, dst, Side::kPlain, len);
}
void RawCopyPlainToAtomic(const uint8_t* src, uint8_t* dst, size_t len) {
  Copy(src, Side::kPlain, dst, Side::kAtomic, len);
}
}  // namespace internal
#endif

}  // namespace racefuzz::page
