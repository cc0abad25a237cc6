#include "core/page/page.h"

#include <cstring>

#include "core/page/direct_map.h"
#include "core/sched/runtime.h"

namespace racefuzz::page {

static_assert(internal::kFrameSize == PAGE_SIZE, "a frame of the direct map is one page");

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
  if (internal::AlreadyFreed(page)) {
    // A second release of the same page (ASan build). Deleting the object again makes ASan report
    // it as the double free it is ("attempting double-free"), with the stack of the first free.
    delete page;
    return;
  }
  release_frame(page->frame_, page->map_);
  delete page;
}

void Page::release_frame(const internal::Frame& frame, const internal::MapState& map) {
  note("free_page", {"page", frame.id});
  internal::CheckUnmapped(frame, map);
  // SAFETY: by release's contract this is the only release of the page, so its frame is freed
  // once; CheckUnmapped (ASan build) has just checked that no mapping of it remains.
  internal::FreeFrame(frame);
}

absl::Status Page::copy_from_user_slice_raw(UserSliceReader& reader, size_t off, size_t len) const {
  return mapped_range<false>(off, len, [&](uint8_t* dst) {
    yield_point("copy_from_user_slice_raw", {"page", id()}, {off, off + len});
    // SAFETY: `dst` is valid for `len` bytes (bounds checked) and no overlapping access races with
    // this write, by the contract; the reader loads user memory atomically.
    return reader.read_raw(dst, len);
  });
}

}  // namespace racefuzz::page
