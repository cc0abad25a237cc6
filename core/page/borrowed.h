// BorrowedPage and AsPageIter (seed 003): non-owning references to pages that some other entity
// owns, such as a vmalloc allocation (VBox/VVec in the kernel; VmallocBuffer here).
#ifndef RACEFUZZ_CORE_PAGE_BORROWED_H_
#define RACEFUZZ_CORE_PAGE_BORROWED_H_

#include <concepts>
#include <cstddef>
#include <iterator>
#include <memory>
#include <ranges>
#include <vector>

#include "absl/status/statusor.h"
#include "core/page/page.h"

namespace racefuzz::page {

// A non-owning reference to a Page owned by something else. Never frees the page (the kernel's
// ManuallyDrop): dropping a BorrowedPage does nothing, so LeakSanitizer and ASan stay clean.
class BorrowedPage {
 public:
  // Borrows the page at `ptr`.
  //
  // Safety: `ptr` points to a valid page and stays valid for the whole life of the BorrowedPage
  // (and of every copy of it). Using a borrowed page after its owner freed it is an ASan
  // heap-use-after-free (the Page) or use-after-poison (its bytes, in the quarantine).
  static BorrowedPage from_raw(Page* ptr) { return BorrowedPage(ptr); }

  // Deref to the page.
  const Page& operator*() const { return *page_; }
  const Page* operator->() const { return page_; }

 private:
  explicit BorrowedPage(Page* page) : page_(page) {}
  Page* page_;
};

// A type whose objects own pages and can iterate them as BorrowedPages, in order (the kernel's
// AsPageIter::page_iter(&mut self)).
template <typename T>
concept AsPageIter = requires(T& t) {
  { t.page_iter() } -> std::ranges::input_range;
  requires std::same_as<std::ranges::range_value_t<decltype(t.page_iter())>, BorrowedPage>;
};

// A vmalloc-like allocation: `size` bytes backed by page_align(size) / PAGE_SIZE pages of the
// pool, virtually contiguous for its user (read/write at any offset), owned as a whole and freed
// when the VmallocBuffer goes away. Move-only; moving keeps the pages (iterators stay valid).
class VmallocBuffer {
 public:
  // Allocates the pages (AllocError if any allocation fails; the ones already taken are freed).
  static absl::StatusOr<VmallocBuffer> alloc(size_t size, Flags flags);

  VmallocBuffer(VmallocBuffer&&) noexcept = default;
  VmallocBuffer& operator=(VmallocBuffer&&) noexcept = default;
  ~VmallocBuffer() = default;

  size_t size() const { return state_->size; }
  size_t page_count() const { return state_->pages.size(); }

  // Copies [off, off + len) of the buffer, across page boundaries. EINVAL if out of the buffer.
  // Safety: as Page::read_raw / Page::write_raw for every page the range touches.
  absl::Status read_raw(uint8_t* dst, size_t off, size_t len) const;
  absl::Status write_raw(const uint8_t* src, size_t off, size_t len) const;

  // Iterates the buffer's pages, in order, as BorrowedPages.
  class PageIter {
   public:
    class iterator {
     public:
      using value_type = BorrowedPage;
      using difference_type = std::ptrdiff_t;
      iterator() = default;
      // Safety: the buffer the iterator came from is still alive: after it is freed,
      // dereferencing the iterator is an ASan heap-use-after-free.
      BorrowedPage operator*() const;
      iterator& operator++() {
        ++index_;
        return *this;
      }
      void operator++(int) { ++index_; }
      bool operator==(const iterator& o) const { return index_ == o.index_; }

     private:
      friend class PageIter;
      iterator(const VmallocBuffer* buf, size_t index) : state_(buf->state_.get()), index_(index) {}
      const void* state_ = nullptr;
      size_t index_ = 0;
    };
    iterator begin() const { return iterator(buf_, 0); }
    iterator end() const { return iterator(buf_, buf_->page_count()); }

   private:
    friend class VmallocBuffer;
    explicit PageIter(const VmallocBuffer* buf) : buf_(buf) {}
    const VmallocBuffer* buf_;
  };

  // The pages of the buffer in order. Every BorrowedPage it yields borrows from this buffer.
  //
  // Safety: the iterator and the pages it yields must not outlive this buffer (ASan).
  PageIter page_iter() { return PageIter(this); }

 private:
  struct State {
    size_t size = 0;
    std::vector<Owned<Page>> pages;
  };
  VmallocBuffer() : state_(std::make_unique<State>()) {}
  std::unique_ptr<State> state_;
};

static_assert(AsPageIter<VmallocBuffer>);

}  // namespace racefuzz::page

#endif  // RACEFUZZ_CORE_PAGE_BORROWED_H_
