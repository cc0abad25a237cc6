#include "core/page/borrowed.h"

#include <algorithm>

namespace racefuzz::page {

absl::StatusOr<VmallocBuffer> VmallocBuffer::alloc(size_t size, Flags flags) {
  if (size == 0 || size > (size_t{1} << 30)) return Einval();
  VmallocBuffer buf;
  buf.state_->size = size;
  const size_t n = page_align(size) / PAGE_SIZE;
  buf.state_->pages.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    absl::StatusOr<Owned<Page>> page = Page::alloc_page(flags);
    if (!page.ok()) return page.status();  // the pages taken so far are freed with `buf`
    buf.state_->pages.push_back(*std::move(page));
  }
  return buf;
}

absl::Status VmallocBuffer::read_raw(uint8_t* dst, size_t off, size_t len) const {
  if (off > size() || len > size() - off) return Einval();
  while (len > 0) {
    const size_t in_page = off % PAGE_SIZE;
    const size_t n = std::min(len, PAGE_SIZE - in_page);
    // SAFETY: [in_page, in_page + n) is inside one page; the rest is read_raw's contract.
    if (absl::Status s = state_->pages[off / PAGE_SIZE]->read_raw(dst, in_page, n); !s.ok()) {
      return s;
    }
    dst += n;
    off += n;
    len -= n;
  }
  return absl::OkStatus();
}

absl::Status VmallocBuffer::write_raw(const uint8_t* src, size_t off, size_t len) const {
  if (off > size() || len > size() - off) return Einval();
  while (len > 0) {
    const size_t in_page = off % PAGE_SIZE;
    const size_t n = std::min(len, PAGE_SIZE - in_page);
    // SAFETY: [in_page, in_page + n) is inside one page; the rest is write_raw's contract.
    if (absl::Status s = state_->pages[off / PAGE_SIZE]->write_raw(src, in_page, n); !s.ok()) {
      return s;
    }
    src += n;
    off += n;
    len -= n;
  }
  return absl::OkStatus();
}

BorrowedPage VmallocBuffer::PageIter::iterator::operator*() const {
  // SAFETY: the buffer is alive (the iterator's contract), so its state and pages are; the
  // buffer owns the page for as long as the borrow may live.
  const auto* state = static_cast<const State*>(state_);
  return BorrowedPage::from_raw(state->pages[index_].get());
}

}  // namespace racefuzz::page
