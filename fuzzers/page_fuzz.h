// What the page fuzz targets share on top of fuzzers/common: the input-chosen locking discipline,
// pages with a shadow copy (the content oracle), and range clamping for per-thread slices.
#ifndef RACEFUZZ_FUZZERS_PAGE_FUZZ_H_
#define RACEFUZZ_FUZZERS_PAGE_FUZZ_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>

#include "core/check/report.h"
#include "core/page/page.h"
#include "core/sched/happens_before.h"
#include "core/sched/sync.h"
#include "core/sched/trace.h"

namespace racefuzz::fuzz {

// How the threads of one input keep their page accesses race-free (chosen by the input).
enum class Discipline : uint8_t {
  kPerPageLock = 0,  // each page (slot) has its own mutex; every access holds it
  kGlobalLock = 1,   // one mutex for everything
  kSlices = 2,       // no locks: thread t touches only bytes [t * kSlice, (t + 1) * kSlice)
};
inline constexpr uint8_t kNumDisciplines = 3;
inline constexpr size_t kSlice = page::PAGE_SIZE / 4;  // up to 4 threads

// [off, off + len) moved into thread t's slice (kSlices) or clamped into the page (otherwise).
struct ByteRange {
  size_t off;
  size_t len;
};
inline ByteRange Clamp(Discipline d, int thread, uint32_t off, uint32_t len) {
  const size_t base = d == Discipline::kSlices ? static_cast<size_t>(thread) * kSlice : 0;
  const size_t span = d == Discipline::kSlices ? kSlice : page::PAGE_SIZE;
  const size_t o = off % span;
  return {base + o, std::min<size_t>(len, span - o)};
}

// The fuzzers' own bookkeeping (shadows, private buffers, oracle compares) is hidden from TSan, as
// the page pool's is. It is either private to one thread or guarded exactly as the page it mirrors,
// whose accesses through the model stay instrumented, so hiding it loses no report. Its range
// checks were a third of the page fuzzers' time under TSan. The helpers below do it.

// memcmp(a, b, len) == 0, for any len (memcmp's pointers must be non-null even when len is 0).
// For bookkeeping only: the compare is hidden from TSan.
inline bool SameBytes(const uint8_t* a, const uint8_t* b, size_t len) {
  TsanIgnoreScope hidden;
  return len == 0 || std::memcmp(a, b, len) == 0;
}

// memset(dst, byte, len) on bookkeeping (a shadow or a private buffer), hidden from TSan.
inline void FillBookkeeping(uint8_t* dst, uint8_t byte, size_t len) {
  TsanIgnoreScope hidden;
  std::memset(dst, byte, len);
}

// memcpy(dst, src, len) between bookkeeping buffers, hidden from TSan.
inline void CopyBookkeeping(uint8_t* dst, const uint8_t* src, size_t len) {
  TsanIgnoreScope hidden;
  if (len != 0) std::memcpy(dst, src, len);
}

// Locks what the discipline says protects page slot `slot` (nothing for kSlices).
class DisciplineLock {
 public:
  static constexpr int kMaxSlots = 4;
  explicit DisciplineLock(Discipline d) : d_(d) {}

  template <typename F>
  decltype(auto) With(int slot, F&& f) {
    Mutex* mu = d_ == Discipline::kGlobalLock    ? &global_
                : d_ == Discipline::kPerPageLock ? &per_slot_[slot]
                                                 : nullptr;
    if (mu != nullptr) mu->lock();
    struct Unlock {
      Mutex* mu;
      ~Unlock() {
        if (mu != nullptr) mu->unlock();
      }
    } unlock{mu};
    return std::forward<F>(f)();
  }
  Discipline discipline() const { return d_; }

 private:
  Discipline d_;
  Mutex global_{"global_mu"};
  std::array<Mutex, kMaxSlots> per_slot_;
};

// A page and the bytes the program believes it holds. Both are accessed under the same discipline;
// TSan checks the page's accesses (through the model), the shadow's are hidden (bookkeeping).
struct ShadowedPage {
  page::Owned<page::Page> page;
  // Left uninitialized: AllocShadowed loads it from the page (zeroing it first cost a 4 KiB TSan
  // range write per page per input).
  std::array<uint8_t, page::PAGE_SIZE> shadow;

  // Loads the shadow of [off, off + len) from the page (after allocation, or after a copy whose
  // source is racy user memory).
  void Resync(size_t off, size_t len) {
    // SAFETY: the caller holds the page's discipline for this range.
    Check(page->read_raw(shadow.data() + off, off, len), "page-resync");
  }
  // The content oracle: the page holds what the program wrote.
  void Verify(size_t off, size_t len) const {
    uint8_t got[page::PAGE_SIZE];
    Check(page->read_raw(got, off, len), "page-verify");
    RACEFUZZ_CONTRACT(SameBytes(got, shadow.data() + off, len), "page-content",
                      "%s [%d, %d) differs from what was written", ObjectName({"page", page->id()}),
                      off, off + len);
  }
  // Exchanges pages and shadows with `other`. The caller holds what guards both.
  void Swap(ShadowedPage& other) {
    std::swap(page, other.page);
    std::array<uint8_t, page::PAGE_SIZE> tmp;
    CopyBookkeeping(tmp.data(), shadow.data(), page::PAGE_SIZE);
    CopyBookkeeping(shadow.data(), other.shadow.data(), page::PAGE_SIZE);
    CopyBookkeeping(other.shadow.data(), tmp.data(), page::PAGE_SIZE);
  }
  static void Check(const absl::Status& s, const char* what) {
    RACEFUZZ_CONTRACT(s.ok(), "page-unexpected-error", "%s: %s", what, s.ToString());
  }
};

// Allocates a shadowed page; false on (injected) allocation failure, which callers handle.
inline bool AllocShadowed(bool zero, ShadowedPage& out) {
  absl::StatusOr<page::Owned<page::Page>> p =
      page::Page::alloc_page(zero ? page::GFP_KERNEL | page::__GFP_ZERO : page::GFP_KERNEL);
  if (!p.ok()) {
    RACEFUZZ_CONTRACT(page::IsAllocError(p.status()), "page-alloc-error", "alloc_page: %s",
                      p.status().ToString());
    return false;
  }
  out.page = *std::move(p);
  out.Resync(0, page::PAGE_SIZE);
  // The __GFP_ZERO oracle: a page allocated with it reads as zeros before anyone writes it.
  // One range compare: a loop over the bytes would cost 4096 TSan checks and coverage callbacks
  // per allocation (a third of page_ops' time). The loop only runs to name the first wrong byte.
  static constexpr std::array<uint8_t, page::PAGE_SIZE> kZeros{};
  if (zero && !SameBytes(out.shadow.data(), kZeros.data(), page::PAGE_SIZE)) {
    size_t i = 0;
    while (out.shadow[i] == 0) ++i;
    check::ContractViolation(
        "page-gfp-zero", absl::StrFormat("%s allocated with __GFP_ZERO holds 0x%02x at offset %d",
                                         ObjectName({"page", out.page->id()}), out.shadow[i], i));
  }
  return true;
}

}  // namespace racefuzz::fuzz

#endif  // RACEFUZZ_FUZZERS_PAGE_FUZZ_H_
