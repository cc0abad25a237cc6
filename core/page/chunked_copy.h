// Byte-wise atomic copies tear. Every byte of atomic_per_byte_memcpy, read_bytewise_atomic and
// write_bytewise_atomic is its own atomic location, so a copy racing with a writer may observe a
// mix of old and new bytes (LKMM, and the C++ model, promise nothing more). Fibers run a copy in
// one step, which would hide that: in deterministic mode the schedule may cut a copy into chunks
// at offsets it chooses, with a yield point between them, so a concurrent writer lands in the
// middle. That tears even with a sequentially consistent memory model. In weak runs each byte may
// also read an older store than the newest (core/sched/memory/bytes.h, copy.h).
//
// Cost: at most kMaxCopyChunks chunks whatever the length (a 4 KiB copy is still at most three
// more decisions), and no decision at all while no other thread can run.
#ifndef RACEFUZZ_CORE_PAGE_CHUNKED_COPY_H_
#define RACEFUZZ_CORE_PAGE_CHUNKED_COPY_H_

#include <cstddef>

#include "core/sched/runtime.h"

namespace racefuzz::page::internal {

// Most chunks one copy is cut into. One cut inside a value is enough to tear it; a few let several
// values of one copy (a header and a payload) tear independently. More would cost decisions on
// every copy for tears that one cut already shows.
inline constexpr int kMaxCopyChunks = 4;

// Calls `copy(at, n)` for consecutive chunks [at, at + n) covering [0, len). Between two chunks,
// a yield point `rest_op obj [off + at, off + len)` (what is left of the copy, in the object's
// offsets starting at `off`), so the timeline shows where the copy was interrupted.
template <typename Copy>
inline void CopyInChunks(Label rest_op, Object obj, size_t off, size_t len, Copy copy) {
  size_t done = 0;
  for (int chunk = 1; chunk < kMaxCopyChunks; ++chunk) {
    const size_t n = copy_split_point(len - done);
    if (n == 0) break;
    copy(done, n);
    done += n;
    yield_point(rest_op, obj, {off + done, off + len});
  }
  copy(done, len - done);
}

}  // namespace racefuzz::page::internal

#endif  // RACEFUZZ_CORE_PAGE_CHUNKED_COPY_H_
