// Internal copy loops of core/page: which side of a copy is accessed atomically. Page bytes are
// always accessed plainly (a race on the page is a bug); user memory and the buffers of the
// byte-wise atomic copies are accessed atomically (races on them are allowed).
#ifndef RACEFUZZ_CORE_PAGE_COPY_H_
#define RACEFUZZ_CORE_PAGE_COPY_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/sched/happens_before.h"
#include "core/sched/memory/model.h"

namespace racefuzz::page::internal {

// Makes the bytes at `p` count as used, so the compiler keeps the access that produced them: a
// read_raw into a buffer nobody reads afterwards is still a read of the page, which TSan and ASan
// must see (an inlined memcpy into a dead local would otherwise be deleted). Emits no instruction.
inline void KeepAccess(const void* p) { asm volatile("" : : "r"(p) : "memory"); }

// The copy loops themselves: RawCopyAtomicToPlain and RawCopyPlainToAtomic, as
// CopyAtomicToPlain and CopyPlainToAtomic below without the weak memory model.
#ifdef RACEFUZZ_HAVE_TSAN
void RawCopyAtomicToPlain(const uint8_t* src, uint8_t* dst, size_t len);
void RawCopyPlainToAtomic(const uint8_t* src, uint8_t* dst, size_t len);
#else
// Outside the TSan build nothing could tell an atomic side from a plain one, so both are memcpy,
// which the kernel also relies on being byte-wise atomic; inline, so that a copy through the page
// model costs what memcpy costs (bench/page).
inline void RawCopyAtomicToPlain(const uint8_t* src, uint8_t* dst, size_t len) {
  if (len != 0) std::memcpy(dst, src, len);
}
inline void RawCopyPlainToAtomic(const uint8_t* src, uint8_t* dst, size_t len) {
  if (len != 0) std::memcpy(dst, src, len);
}
#endif

// Atomic (relaxed, per byte) loads from `src`, plain stores to `dst`. In a weak run the loads go
// through the weak memory model (core/sched/memory/bytes.h): `dst` may get, for some bytes, what
// they held before a store the thread has not seen.
// Safety: `src` readable and `dst` writable for `len` bytes; `dst` not accessed concurrently.
inline void CopyAtomicToPlain(const uint8_t* src, uint8_t* dst, size_t len) {
  RawCopyAtomicToPlain(src, dst, len);
  if (weak_memory() && len != 0) racefuzz::internal::memory::BytesLoad(src, dst, len);
}
// Plain loads from `src`, atomic (relaxed, per byte) stores to `dst` (in a weak run, recorded by
// the weak memory model first). Safety: as above, with `src` not written concurrently.
inline void CopyPlainToAtomic(const uint8_t* src, uint8_t* dst, size_t len) {
  if (weak_memory() && len != 0) racefuzz::internal::memory::BytesStore(dst, src, len);
  RawCopyPlainToAtomic(src, dst, len);
}

}  // namespace racefuzz::page::internal

#endif  // RACEFUZZ_CORE_PAGE_COPY_H_
