#include "core/page/safe_page.h"

#include "core/page/pool.h"

namespace racefuzz::page {

absl::StatusOr<Owned<SafePage>> SafePage::alloc_page(Flags flags) {
  absl::StatusOr<internal::Frame> frame = Page::alloc_frame(internal::kAnyNode, flags);
  if (!frame.ok()) return frame.status();
  // SAFETY: the frame was just allocated; the new Owned<SafePage> is its only owner, and the
  // SafePage never hands out its Page, so its contents stay exclusive.
  return Owned<SafePage>::from_raw(new SafePage(*frame));
}

void SafePage::release(SafePage* page) noexcept {
  if (internal::AlreadyFreed(page)) {
    delete page;  // a second release: ASan reports "attempting double-free" (see Page::release)
    return;
  }
  Page::release_frame(page->page_.frame_, page->page_.map_);
  delete page;
}

absl::Status SafePage::read(std::span<uint8_t> dst, size_t off) const {
  // SAFETY: `dst` is a valid span; exclusivity (the type invariant) rules out racing accesses.
  return page_.read_raw(dst.data(), off, dst.size());
}

absl::Status SafePage::write(std::span<const uint8_t> src, size_t off) {
  // SAFETY: as read.
  return page_.write_raw(src.data(), off, src.size());
}

absl::Status SafePage::fill_zero(size_t off, size_t len) {
  // SAFETY: as read.
  return page_.fill_zero_raw(off, len);
}

absl::Status Vma::user_write(size_t addr, uint8_t v) {
  const size_t idx = addr / PAGE_SIZE;
  if (idx >= pages_.size() || pages_[idx] == nullptr) return Efault();
  const Page* page = pages_[idx];
  const size_t off = addr % PAGE_SIZE;
  yield_point("user_write", {"page", page->id()}, {off, off + 1});
  // A user-space access: a plain store to the page, bound by no kernel lock.
  PageAccess::Mapped(*page, [&](uint8_t* p) { p[off] = v; });
  return absl::OkStatus();
}

absl::StatusOr<uint8_t> Vma::user_read(size_t addr) const {
  const size_t idx = addr / PAGE_SIZE;
  if (idx >= pages_.size() || pages_[idx] == nullptr) return Efault();
  const Page* page = pages_[idx];
  const size_t off = addr % PAGE_SIZE;
  yield_point("user_read", {"page", page->id()}, {off, off + 1});
  return PageAccess::Mapped(*page, [&](uint8_t* p) { return p[off]; });
}

absl::Status vm_insert_page(Vma& vma, size_t addr, const Page& page) {
  if (addr % PAGE_SIZE != 0 || addr / PAGE_SIZE >= vma.pages_.size()) return Einval();
  note("vm_insert_page", {"page", page.id()});
  vma.pages_[addr / PAGE_SIZE] = &page;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> dma_map_page(Device& dev, const Page& page, size_t off, size_t len) {
  if (!page_range_ok(off, len)) return Einval();
  note("dma_map_page", {"page", page.id()});
  dev.mapped_.push_back(&page);
  return dev.mapped_.size() - 1;
}

absl::Status Device::dma_write(uint64_t dma_handle, size_t off, uint8_t v) {
  if (dma_handle >= mapped_.size() || off >= PAGE_SIZE) return Einval();
  const Page* page = mapped_[dma_handle];
  yield_point("dma_write", {"page", page->id()}, {off, off + 1});
  // The device writes the page behind the CPU's back: a plain store.
  PageAccess::Mapped(*page, [&](uint8_t* p) { p[off] = v; });
  return absl::OkStatus();
}

}  // namespace racefuzz::page
