// Byte-wise atomic memory copy (seed 002, rust/kernel/sync/atomic.rs).
#ifndef RACEFUZZ_CORE_PAGE_BYTEWISE_H_
#define RACEFUZZ_CORE_PAGE_BYTEWISE_H_

#include <cstddef>
#include <cstdint>

namespace racefuzz::page {

// Copies `len` bytes from `src` to `dst` (note the kernel's argument order: source first), every
// byte with an atomic (relaxed) access. Not ordered: a copy does not synchronize with anything.
// Each byte is its own atomic location, so a copy racing with a writer of `src` (or a reader of
// `dst`) may observe a mix of old and new bytes: a caller that needs an untorn value must validate
// it (a seqlock's retry, a checksum). In deterministic mode the schedule may cut the copy into
// chunks with a yield point between them, so such tears happen (chunked_copy.h).
//
// Safety: the caller must ensure that
//  - `src` is valid for reads of `len` bytes for the duration of the call (ASan),
//  - `dst` is valid for writes of `len` bytes for the duration of the call (ASan),
//  - other accesses to `src[0, len)` and `dst[0, len)` during the call do not race with these
//    atomic accesses: if all other accesses are atomic, this holds trivially; a plain access that
//    races with the copy is a data race (TSan).
// In the TSan build every access is a TSan-visible relaxed atomic (aligned words where both sides
// are aligned: still atomic per byte); elsewhere it is memcpy, which the kernel also relies on
// being byte-wise atomic.
void atomic_per_byte_memcpy(const uint8_t* src, uint8_t* dst, size_t len);

// One byte of memory that other threads may access concurrently (user memory, a buffer shared with
// a byte-wise atomic copy): relaxed atomic load and store. Safe: no contract.
uint8_t atomic_load_byte(const uint8_t* p);
void atomic_store_byte(uint8_t* p, uint8_t v);

}  // namespace racefuzz::page

#endif  // RACEFUZZ_CORE_PAGE_BYTEWISE_H_
