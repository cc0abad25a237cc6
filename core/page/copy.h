// Internal copy loops of core/page: which side of a copy is accessed atomically. Page bytes are
// always accessed plainly (a race on the page is a bug); user memory and the buffers of the
// byte-wise atomic copies are accessed atomically (races on them are allowed).
#ifndef RACEFUZZ_CORE_PAGE_COPY_H_
#define RACEFUZZ_CORE_PAGE_COPY_H_

#include <cstddef>
#include <cstdint>

namespace racefuzz::page::internal {

// Atomic (relaxed, per byte) loads from `src`, plain stores to `dst`.
// Safety: `src` readable and `dst` writable for `len` bytes; `dst` not accessed concurrently.
void CopyAtomicToPlain(const uint8_t* src, uint8_t* dst, size_t len);
// Plain loads from `src`, atomic (relaxed, per byte) stores to `dst`.
// Safety: as above, with `src` not written concurrently.
void CopyPlainToAtomic(const uint8_t* src, uint8_t* dst, size_t len);

}  // namespace racefuzz::page::internal

#endif  // RACEFUZZ_CORE_PAGE_COPY_H_
