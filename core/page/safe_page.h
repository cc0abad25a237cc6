// SafePage (seed 000): a page with exclusive access to its contents, so they can be handed out as
// ordinary spans; and the APIs that share a page with user space or a device, which reject it at
// compile time.
#ifndef RACEFUZZ_CORE_PAGE_SAFE_PAGE_H_
#define RACEFUZZ_CORE_PAGE_SAFE_PAGE_H_

#include <concepts>
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/page/page.h"

namespace racefuzz::page {

// A page whose owner has exclusive access to its contents: there are no data races on its bytes.
// The contents are reachable only through the SafePage (never as a shareable Page&), so they can be
// handed out as plain spans; reaching them from two simulated threads without synchronization is
// a TSan report. It cannot be mapped to user space or shared with devices: vm_insert_page and
// dma_map_page do not compile with a SafePage (tests/page/compile_fail).
class SafePage {
 public:
  SafePage(const SafePage&) = delete;
  SafePage& operator=(const SafePage&) = delete;

  // Allocates a SafePage: same flags, failure and ownership as Page::alloc_page.
  static absl::StatusOr<Owned<SafePage>> alloc_page(Flags flags);

  int nid() const { return page_.nid(); }
  uint64_t id() const { return page_.id(); }

  // Runs `f(span)` with the page mapped and its PAGE_SIZE bytes as a span, mutable through a
  // mutable SafePage (the kernel's DerefMut), read-only through a const one. Returns what f
  // returns.
  //
  // Safety: the span is valid only for the duration of the closure and on the calling thread (as
  // Page::with_page_mapped: ASan). Exclusivity is the type's invariant: the SafePage must be
  // reached by one thread at a time, with happens-before between them (TSan).
  template <typename F>
  decltype(auto) with_contents(F&& f) {
    return page_.with_page_mapped([&](uint8_t* p) -> decltype(auto) {
      // SAFETY: `*this` is reached exclusively (type invariant), so no one else accesses the bytes.
      return std::invoke(std::forward<F>(f), std::span<uint8_t, PAGE_SIZE>(p, PAGE_SIZE));
    });
  }
  template <typename F>
  decltype(auto) with_contents(F&& f) const {
    return page_.with_page_mapped([&](uint8_t* p) -> decltype(auto) {
      return std::invoke(std::forward<F>(f), std::span<const uint8_t, PAGE_SIZE>(p, PAGE_SIZE));
    });
  }

  // Safe copies (no Safety block needed: exclusivity holds by the type; spans carry their length).
  // EINVAL if [off, off + size) leaves the page. Each is a yield point ("safe_read page 2 [0, 8)").
  absl::Status read(std::span<uint8_t> dst, size_t off) const;
  absl::Status write(std::span<const uint8_t> src, size_t off);
  absl::Status fill_zero(size_t off, size_t len);

  // Ownable: as Page::release.
  static void release(SafePage* page) noexcept;

 private:
  explicit SafePage(const internal::Frame& frame) : page_(frame) {}
  ~SafePage() = default;
  Page page_;
};

// A user-space mapping (a VMA). vm_insert_page maps a page into it; the user program then accesses
// the page's bytes whenever it likes (user_write/user_read: plain accesses, as user space is not
// bound by the kernel's locks), which is why a SafePage must never get there.
class Vma {
 public:
  explicit Vma(size_t pages) : pages_(pages, nullptr) {}
  // The user program writes/reads one byte at `addr` (page addr / PAGE_SIZE of the VMA). EFAULT if
  // nothing is mapped there. A yield point ("user_write page 1 [off, off+1)").
  //
  // Safety: the inserted page must still be alive (ASan); these are plain accesses to the page, so
  // a kernel access racing with them is a data race on the page (TSan).
  absl::Status user_write(size_t addr, uint8_t v);
  absl::StatusOr<uint8_t> user_read(size_t addr) const;

 private:
  friend absl::Status vm_insert_page(Vma&, size_t, const Page&);
  std::vector<const Page*> pages_;
};

// A device that can access pages by DMA.
class Device {
 public:
  // The device writes `v` at `off` of the page mapped for it (a yield point "dma_write page#1").
  //
  // Safety: the page must still be alive; a DMA write races with CPU accesses to the same bytes
  // (TSan).
  absl::Status dma_write(uint64_t dma_handle, size_t off, uint8_t v);

 private:
  friend absl::StatusOr<uint64_t> dma_map_page(Device&, const Page&, size_t, size_t);
  std::vector<const Page*> mapped_;
};

// Pages that may be shared with user space or a device: a plain Page (never a SafePage, which would
// break its exclusivity).
template <typename P>
concept SharablePage = std::same_as<std::remove_cvref_t<P>, Page>;

// Inserts `page` into `vma` at user address `addr` (page-aligned, inside the VMA; else EINVAL).
// Safety: `page` must outlive the mapping (ASan).
absl::Status vm_insert_page(Vma& vma, size_t addr, const Page& page);
// A SafePage cannot be mapped to user space: does not compile.
template <typename P>
  requires(!SharablePage<P>)
absl::Status vm_insert_page(Vma& vma, size_t addr, const P& page) = delete;

// Maps [off, off + len) of `page` for DMA by `dev`; returns the DMA handle (EINVAL if out of page).
// Safety: `page` must outlive the mapping (ASan).
absl::StatusOr<uint64_t> dma_map_page(Device& dev, const Page& page, size_t off, size_t len);
// A SafePage cannot be shared with a device: does not compile.
template <typename P>
  requires(!SharablePage<P>)
absl::StatusOr<uint64_t> dma_map_page(Device& dev, const P& page, size_t off, size_t len) = delete;

}  // namespace racefuzz::page

#endif  // RACEFUZZ_CORE_PAGE_SAFE_PAGE_H_
