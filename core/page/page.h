// racefuzz's model of the kernel's Rust `Page` (rust/kernel/page.rs: seeds 001, 003, 002, 000).
//
// A Page is one PAGE_SIZE frame of the page pool (pool.h), owned by an Owned<Page>. Its bytes are
// reached only through a closure-scoped local mapping (with_page_mapped), and every access the
// model makes is a yield point ("T1 write_raw page#1 [0, 64)") followed by real, instrumented
// accesses to the page's canonical bytes, so:
//  - races on page bytes are ThreadSanitizer reports, whatever address each thread's mapping got;
//  - bytes used outside a mapping (after the closure, on a thread that did not map the page, after
//    the page was freed) are AddressSanitizer use-after-poison reports;
//  - bounds are always checked (EINVAL, no access);
//  - a page freed twice is an ASan double free, one used through a stale Page* an ASan
//    heap-use-after-free, one freed while mapped a contract violation, and one never freed a
//    LeakSanitizer report.
//
// The kernel marks the raw accessors `unsafe`; here the same requirements are the `Safety:` blocks.
#ifndef RACEFUZZ_CORE_PAGE_PAGE_H_
#define RACEFUZZ_CORE_PAGE_PAGE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/page/chunked_copy.h"
#include "core/page/copy.h"
#include "core/page/mapping.h"
#include "core/page/owned.h"
#include "core/page/pool.h"
#include "core/page/user.h"

namespace racefuzz::page {

// A bitwise shift for the page size.
inline constexpr size_t PAGE_SHIFT = 12;
// The number of bytes in a page.
inline constexpr size_t PAGE_SIZE = size_t{1} << PAGE_SHIFT;
// A bitmask that gives the page containing a given address.
inline constexpr size_t PAGE_MASK = ~(PAGE_SIZE - 1);
// Rounds `addr` up to the next page boundary.
constexpr size_t page_align(size_t addr) { return (addr + (PAGE_SIZE - 1)) & PAGE_MASK; }

// Allocation flags (the kernel's gfp_t).
struct Flags {
  uint32_t bits = 0;
  constexpr Flags operator|(Flags o) const { return {bits | o.bits}; }
  constexpr bool contains(Flags o) const { return (bits & o.bits) == o.bits; }
};
// An ordinary allocation that may sleep.
inline constexpr Flags GFP_KERNEL{1u << 0};
// An allocation that may not sleep (same behaviour in the model).
inline constexpr Flags GFP_ATOMIC{1u << 1};
// The page comes back zeroed.
inline constexpr Flags __GFP_ZERO{1u << 2};  // NOLINT: the kernel's name

// The kernel's error codes as Status: EINVAL (out-of-page range) and AllocError (no memory).
absl::Status Einval();
absl::Status AllocError();
bool IsEinval(const absl::Status& s);
bool IsAllocError(const absl::Status& s);

// The one bounds check of the page API: [off, off + len) lies inside the page. Written so that
// `off + len` cannot overflow: huge values of either are rejected, never wrapped.
constexpr bool page_range_ok(size_t off, size_t len) {
  return off <= PAGE_SIZE && len <= PAGE_SIZE && len <= PAGE_SIZE - off;
}

// A page of the pool, owned through Owned<Page>. Page is Sync and Send like the kernel's: any
// simulated thread may call its methods; the raw ones state what the caller must ensure.
//
// Invariants: `frame_` is a frame of the pool allocated for this Page alone (PAGE_SIZE
// page-aligned canonical bytes, `nid` in [0, kNumNodes), an id unique among live pages) and
// freed only by release(), once; in the ASan build its bytes are poisoned whenever `map_` counts
// no mapping of the running thread (deterministic mode); `map_.total` is the sum of `map_.count`.
class Page {
 public:
  Page(const Page&) = delete;
  Page& operator=(const Page&) = delete;

  // Allocates a page on the local node (numa_node_id()). Fails with AllocError when the fuzzer
  // injects a failure (ScopedAllocFaults): callers must handle it. With __GFP_ZERO the page is
  // zeroed; otherwise its contents are unspecified (the model fills a fixed pattern). The returned
  // Owned<Page> frees the page exactly once when it goes away; a lost page is a LeakSanitizer
  // report.
  static absl::StatusOr<Owned<Page>> alloc_page(Flags flags);
  // Same, on NUMA node `nid` (kNumNodes nodes; out of range: EINVAL).
  static absl::StatusOr<Owned<Page>> alloc_page_node(int nid, Flags flags);

  // The raw page (the kernel's `*mut bindings::page`): this object's address, for from_raw.
  Page* as_ptr() const { return const_cast<Page*>(this); }
  // The NUMA node containing this page, in [0, kNumNodes).
  int nid() const { return frame_.nid; }
  // The name of the page in timelines ("page 3").
  uint64_t id() const { return frame_.id; }

  // Runs `f(ptr)` with this page mapped at `ptr` (PAGE_SIZE bytes) and returns what f returns. The
  // page is unmapped when this call returns. The timeline shows the mapping and its end
  // ("T0 kmap_local_page page#1" ... "T0 kunmap_local page#1").
  //
  // Safety (using the pointer): `ptr` is valid for PAGE_SIZE bytes only for the duration of the
  // closure (a use after it returns is an ASan use-after-poison) and only on the calling thread:
  // the mapping may be local to it, so dereferencing it on another simulated thread is UB (in the
  // ASan build, a page mapped only by other threads is poisoned whenever this thread runs). Two
  // threads mapping the page at once may get different addresses, but it is the same memory: both
  // writing one byte without synchronization is a data race (TSan, on the canonical bytes). The
  // memory may be uninitialized.
  template <typename F>
  decltype(auto) with_page_mapped(F&& f) const {
    return mapped<true>(std::forward<F>(f));
  }

  // Runs `f(ptr)` with `ptr` pointing `off` bytes into the mapped page, valid for `len` bytes, and
  // returns f's Status. If [off, off + len) is not inside the page (page_range_ok), returns EINVAL
  // and does not call `f`. Always checked, in every build.
  //
  // Safety (using the pointer): as for with_page_mapped, for `len` bytes from `ptr`.
  template <typename F>
    requires std::is_invocable_r_v<absl::Status, F, uint8_t*>
  absl::Status with_pointer_into_page(size_t off, size_t len, F&& f) const {
    return mapped_range<true>(off, len, std::forward<F>(f));
  }

  // Maps the page and copies [off, off + len) of it to `dst`. EINVAL if the range leaves the page.
  //
  // Safety: the caller must ensure that
  //  - `dst` is valid for writing `len` bytes (ASan);
  //  - no other concurrent reads or writes to/from `dst[0, len)` happen (TSan);
  //  - this call does not race with a write to this page that overlaps [off, off + len) (TSan).
  absl::Status read_raw(uint8_t* dst, size_t off, size_t len) const;

  // Maps the page and copies `len` bytes from `src` into it at `off`. EINVAL if out of the page.
  //
  // Safety: the caller must ensure that
  //  - `src` is valid for reading `len` bytes (ASan);
  //  - no concurrent writes to `src[0, len)` happen (TSan);
  //  - this call does not race with a read or write of this page that overlaps [off, off + len)
  //    (TSan).
  absl::Status write_raw(const uint8_t* src, size_t off, size_t len) const;

  // Maps the page and zeroes [off, off + len). EINVAL if out of the page.
  //
  // Safety: this call must not race with a read or write of this page that overlaps the range
  // (TSan).
  absl::Status fill_zero_raw(size_t off, size_t len) const;

  // Copies the next `len` bytes of user memory from `reader` into the page at `off`. EINVAL if out
  // of the page (checked before reading user memory); EFAULT if the reader has fewer bytes.
  //
  // Races on the user memory are allowed (it is read byte-wise atomically: no report); races on
  // the page are not.
  //
  // Safety: this call must not race with a read or write of this page that overlaps the range
  // (TSan).
  absl::Status copy_from_user_slice_raw(UserSliceReader& reader, size_t off, size_t len) const;

  // Maps the page and copies [off, off + len) of it to `dst` with byte-wise atomic accesses
  // (atomic_per_byte_memcpy from the page to dst). EINVAL if out of the page. A concurrent atomic
  // reader of `dst` may see a mix of old and new bytes (the copy tears: chunked_copy.h).
  //
  // Safety: the caller must ensure that
  //  - `dst` is valid for writes of `len` bytes for the duration of the call (ASan);
  //  - other accesses to `dst[0, len)` during the call do not race with the atomic accesses of this
  //    copy (all other accesses atomic: fine; a plain one: TSan report);
  //  - this call does not race with a write to this page that overlaps the read (TSan).
  absl::Status read_bytewise_atomic(uint8_t* dst, size_t off, size_t len) const;

  // Maps the page and copies `len` bytes from `src` into it at `off` with byte-wise atomic accesses
  // (atomic_per_byte_memcpy from src to the page). EINVAL if out of the page. If `src` is written
  // concurrently, the page may receive a mix of old and new bytes (chunked_copy.h).
  //
  // Safety: the caller must ensure that
  //  - `src` is valid for reads of `len` bytes for the duration of the call (ASan);
  //  - other accesses to `src[0, len)` during the call do not race with the atomic accesses of this
  //    copy (all other accesses atomic: fine; a plain write: TSan report);
  //  - this call does not race with a read or write of this page that overlaps the write (TSan).
  absl::Status write_bytewise_atomic(const uint8_t* src, size_t off, size_t len) const;

  // Ownable: frees the page (its frame goes to the quarantine, poisoned).
  //
  // Safety: called exactly once per page, by its owner (Owned<Page>), when no mapping and no
  // borrow of it remains. Checked in the ASan build: a second call is an ASan double free
  // ("attempting double-free"); a call while a with_page_mapped closure of any thread still runs
  // is a contract violation ("page-free-mapped"); any later use of the page is an ASan
  // heap-use-after-free, and its bytes stay poisoned in the quarantine (use-after-poison).
  static void release(Page* page) noexcept;

 private:
  friend class SafePage;
  friend struct PageAccess;
  explicit Page(const internal::Frame& frame) : frame_(frame) {}
  ~Page() = default;

  // The closure-scoped mapping of with_page_mapped; `noted`: the mapping and its end are events of
  // the timeline.
  class MapGuard {
   public:
    MapGuard(const Page& page, bool noted)
        : page_(page), noted_(noted), ptr_(internal::kmap_local_page(page.frame_, page.map_)) {
      if (noted_) note("kmap_local_page", {"page", page_.id()});
    }
    ~MapGuard() {
      if (noted_) note("kunmap_local", {"page", page_.id()});
      internal::kunmap_local(page_.frame_, page_.map_);
    }
    MapGuard(const MapGuard&) = delete;
    MapGuard& operator=(const MapGuard&) = delete;
    uint8_t* ptr() const { return ptr_; }

   private:
    const Page& page_;
    bool noted_;
    uint8_t* ptr_;
  };

  // with_page_mapped and with_pointer_into_page; kNoted = false for the model's own accessors,
  // whose yield point already names the access ("T1 read_raw page#1 [0, 64)").
  template <bool kNoted, typename F>
  decltype(auto) mapped(F&& f) const {
    MapGuard mapping(*this, kNoted);
    return std::forward<F>(f)(mapping.ptr());
  }
  template <bool kNoted, typename F>
  absl::Status mapped_range(size_t off, size_t len, F&& f) const {
    if (!page_range_ok(off, len)) return Einval();
    return mapped<kNoted>([&](uint8_t* base) -> absl::Status {
      // SAFETY: page_range_ok(off, len) holds, so base + off and the len bytes after it are inside
      // the mapped page.
      return std::forward<F>(f)(base + off);
    });
  }

  // Frees the frame for Page::release and SafePage::release, after checking it is not mapped.
  static void release_frame(const internal::Frame& frame, const internal::MapState& map);
  // Allocates the frame for Page::alloc_page and SafePage::alloc_page.
  static absl::StatusOr<internal::Frame> alloc_frame(int nid, Flags flags);

  internal::Frame frame_;
  mutable internal::MapState map_;
};

// The mapping behind the model's user-space and device accesses (Vma::user_read/user_write,
// Device::dma_write): not a kmap_local_page, so no timeline events; their yield point names the
// access ("T1 user_write page#1 [5, 6)").
struct PageAccess {
  template <typename F>
  static decltype(auto) Mapped(const Page& page, F&& f) {
    return page.mapped<false>(std::forward<F>(f));
  }
};

// Implementation details. The accessors are inline so that, with no scheduler active, a copy
// through the model is the bounds check, the yield point's one load and branch, and the copy.

inline absl::Status Page::read_raw(uint8_t* dst, size_t off, size_t len) const {
  return mapped_range<false>(off, len, [&](uint8_t* src) {
    yield_point("read_raw", {"page", id()}, {off, off + len});
    // SAFETY: `src` is valid for `len` bytes (bounds checked by mapped_range); `dst` is
    // valid for `len` bytes and not accessed concurrently, and no overlapping write races with this
    // read, by read_raw's contract.
    if (len != 0) std::memcpy(dst, src, len);
    internal::KeepAccess(dst);
    return absl::OkStatus();
  });
}

inline absl::Status Page::write_raw(const uint8_t* src, size_t off, size_t len) const {
  return mapped_range<false>(off, len, [&](uint8_t* dst) {
    yield_point("write_raw", {"page", id()}, {off, off + len});
    // SAFETY: `dst` is valid for `len` bytes (bounds checked); `src` is valid and not written
    // concurrently, and no overlapping access races with this write, by write_raw's contract.
    if (len != 0) std::memcpy(dst, src, len);
    internal::KeepAccess(dst);
    return absl::OkStatus();
  });
}

inline absl::Status Page::fill_zero_raw(size_t off, size_t len) const {
  return mapped_range<false>(off, len, [&](uint8_t* dst) {
    yield_point("fill_zero_raw", {"page", id()}, {off, off + len});
    // SAFETY: bounds checked; no overlapping access races with it, by the contract.
    if (len != 0) std::memset(dst, 0, len);
    internal::KeepAccess(dst);
    return absl::OkStatus();
  });
}

inline absl::Status Page::read_bytewise_atomic(uint8_t* dst, size_t off, size_t len) const {
  return mapped_range<false>(off, len, [&](uint8_t* src) {
    yield_point("read_bytewise_atomic", {"page", id()}, {off, off + len});
    // SAFETY: `src` (the page) is valid for `len` bytes and not written concurrently; `dst` is
    // valid for writes and every other access to it is atomic, by the contract. From the page to
    // `dst`: the page side is read plainly (a racing page write is a report), `dst` atomically.
    // The copy may be interrupted (chunked_copy.h): `dst` then holds a mix of this copy's bytes and
    // a concurrent writer's.
    internal::CopyInChunks(
        "read_bytewise_atomic (rest)", {"page", id()}, off, len,
        [&](size_t at, size_t n) { internal::CopyPlainToAtomic(src + at, dst + at, n); });
    internal::KeepAccess(dst);
    return absl::OkStatus();
  });
}

inline absl::Status Page::write_bytewise_atomic(const uint8_t* src, size_t off, size_t len) const {
  return mapped_range<false>(off, len, [&](uint8_t* dst) {
    yield_point("write_bytewise_atomic", {"page", id()}, {off, off + len});
    // SAFETY: `dst` (the page) is valid for `len` bytes and not accessed concurrently; `src` is
    // valid for reads and every other access to it is atomic, by the contract. From `src` to the
    // page (the direction v2 of the seed got wrong): `src` read atomically, the page written
    // plainly.
    // The copy may be interrupted (chunked_copy.h): the page then holds a mix of `src`'s bytes
    // from before and after a concurrent write to `src`.
    internal::CopyInChunks(
        "write_bytewise_atomic (rest)", {"page", id()}, off, len,
        [&](size_t at, size_t n) { internal::CopyAtomicToPlain(src + at, dst + at, n); });
    internal::KeepAccess(dst);
    return absl::OkStatus();
  });
}

}  // namespace racefuzz::page

#endif  // RACEFUZZ_CORE_PAGE_PAGE_H_
