#include "core/page/page.h"

#include <cstring>

#include "core/page/copy.h"
#include "core/sched/runtime.h"

namespace racefuzz::page {

absl::Status Einval() { return absl::InvalidArgumentError("EINVAL"); }
absl::Status AllocError() { return absl::ResourceExhaustedError("AllocError: out of memory"); }
bool IsEinval(const absl::Status& s) {
  return absl::IsInvalidArgument(s) && s.message() == "EINVAL";
}
bool IsAllocError(const absl::Status& s) { return absl::IsResourceExhausted(s); }

absl::StatusOr<internal::Frame> Page::alloc_frame(int nid, Flags flags) {
  if (nid != internal::kAnyNode && (nid < 0 || nid >= kNumNodes)) return Einval();
  yield_point("alloc_page");
  internal::Frame frame;
  if (!internal::AllocFrame(nid, flags.contains(__GFP_ZERO), frame)) {
    note("alloc_page_failed");
    return AllocError();
  }
  note("alloc_page", {"page", frame.id});
  return frame;
}

absl::StatusOr<Owned<Page>> Page::alloc_page(Flags flags) {
  return alloc_page_node(internal::kAnyNode, flags);
}

absl::StatusOr<Owned<Page>> Page::alloc_page_node(int nid, Flags flags) {
  absl::StatusOr<internal::Frame> frame = alloc_frame(nid, flags);
  if (!frame.ok()) return frame.status();
  // SAFETY: the frame was just allocated; the new Owned<Page> is its only owner.
  return Owned<Page>::from_raw(new Page(*frame));
}

void Page::release(Page* page) noexcept {
  note("free_page", {"page", page->frame_.id});
  // SAFETY: by release's contract this is the only release of `page`, so its frame is freed once.
  internal::FreeFrame(page->frame_);
  delete page;
}

absl::Status Page::read_raw(uint8_t* dst, size_t off, size_t len) const {
  return with_pointer_into_page(off, len, [&](uint8_t* src) {
    yield_point("read_raw", {"page", id()}, {off, off + len});
    // SAFETY: `src` is valid for `len` bytes (bounds checked by with_pointer_into_page); `dst` is
    // valid for `len` bytes and not accessed concurrently, and no overlapping write races with this
    // read, by read_raw's contract.
    if (len != 0) std::memcpy(dst, src, len);
    return absl::OkStatus();
  });
}

absl::Status Page::write_raw(const uint8_t* src, size_t off, size_t len) const {
  return with_pointer_into_page(off, len, [&](uint8_t* dst) {
    yield_point("write_raw", {"page", id()}, {off, off + len});
    // SAFETY: `dst` is valid for `len` bytes (bounds checked); `src` is valid and not written
    // concurrently, and no overlapping access races with this write, by write_raw's contract.
    if (len != 0) std::memcpy(dst, src, len);
    return absl::OkStatus();
  });
}

absl::Status Page::fill_zero_raw(size_t off, size_t len) const {
  return with_pointer_into_page(off, len, [&](uint8_t* dst) {
    yield_point("fill_zero_raw", {"page", id()}, {off, off + len});
    // SAFETY: bounds checked; no overlapping access races with it, by the contract.
    if (len != 0) std::memset(dst, 0, len);
    return absl::OkStatus();
  });
}

absl::Status Page::copy_from_user_slice_raw(UserSliceReader& reader, size_t off, size_t len) const {
  return with_pointer_into_page(off, len, [&](uint8_t* dst) {
    yield_point("copy_from_user_slice_raw", {"page", id()}, {off, off + len});
    // SAFETY: `dst` is valid for `len` bytes (bounds checked) and no overlapping access races with
    // this write, by the contract; the reader loads user memory atomically.
    return reader.read_raw(dst, len);
  });
}

absl::Status Page::read_bytewise_atomic(uint8_t* dst, size_t off, size_t len) const {
  return with_pointer_into_page(off, len, [&](uint8_t* src) {
    yield_point("read_bytewise_atomic", {"page", id()}, {off, off + len});
    // SAFETY: `src` (the page) is valid for `len` bytes and not written concurrently; `dst` is
    // valid for writes and every other access to it is atomic, by the contract. From the page to
    // `dst`: the page side is read plainly (a racing page write is a report), `dst` atomically.
    internal::CopyPlainToAtomic(src, dst, len);
    return absl::OkStatus();
  });
}

absl::Status Page::write_bytewise_atomic(const uint8_t* src, size_t off, size_t len) const {
  return with_pointer_into_page(off, len, [&](uint8_t* dst) {
    yield_point("write_bytewise_atomic", {"page", id()}, {off, off + len});
    // SAFETY: `dst` (the page) is valid for `len` bytes and not accessed concurrently; `src` is
    // valid for reads and every other access to it is atomic, by the contract. From `src` to the
    // page (the direction v2 of the seed got wrong): `src` read atomically, the page written
    // plainly.
    internal::CopyAtomicToPlain(src, dst, len);
    return absl::OkStatus();
  });
}

}  // namespace racefuzz::page
