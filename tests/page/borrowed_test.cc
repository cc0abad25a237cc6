// VmallocBuffer, BorrowedPage and AsPageIter.
#include "core/page/borrowed.h"

#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "core/page/pool.h"

namespace racefuzz::page {
namespace {

TEST(VmallocBufferTest, PageIterYieldsEveryPageInOrder) {
  absl::StatusOr<VmallocBuffer> buf = VmallocBuffer::alloc(3 * PAGE_SIZE + 10, GFP_KERNEL);
  ASSERT_TRUE(buf.ok());
  EXPECT_EQ(buf->page_count(), 4u);
  // Byte i of the buffer is i % 251; each page must hold its own slice, in order.
  std::vector<uint8_t> data(buf->size());
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i % 251);
  ASSERT_TRUE(buf->write_raw(data.data(), 0, data.size()).ok());
  size_t index = 0;
  for (BorrowedPage page : buf->page_iter()) {
    uint8_t first;
    ASSERT_TRUE(page->read_raw(&first, 0, 1).ok());
    EXPECT_EQ(first, static_cast<uint8_t>((index * PAGE_SIZE) % 251)) << "page " << index;
    ++index;
  }
  EXPECT_EQ(index, 4u);
  std::vector<uint8_t> back(100);
  ASSERT_TRUE(buf->read_raw(back.data(), PAGE_SIZE - 50, 100).ok());
  for (size_t i = 0; i < 100; ++i) EXPECT_EQ(back[i], data[PAGE_SIZE - 50 + i]);
  EXPECT_TRUE(IsEinval(buf->read_raw(back.data(), buf->size() - 10, 11)));
}

TEST(VmallocBufferTest, BorrowsNeverFreeAndTheBufferFreesOnce) {
  const uint64_t live = pool_stats().live;
  {
    absl::StatusOr<VmallocBuffer> buf = VmallocBuffer::alloc(2 * PAGE_SIZE, GFP_KERNEL);
    ASSERT_TRUE(buf.ok());
    for (BorrowedPage p : buf->page_iter()) (void)p->nid();
    EXPECT_EQ(pool_stats().live, live + 2);
    VmallocBuffer moved = *std::move(buf);
    EXPECT_EQ(pool_stats().live, live + 2);
  }
  EXPECT_EQ(pool_stats().live, live);
}

TEST(VmallocBufferTest, AllocationFailureFreesThePagesTaken) {
  const uint64_t live = pool_stats().live;
  ScopedAllocFaults faults(0b100);  // the third page fails
  EXPECT_TRUE(IsAllocError(VmallocBuffer::alloc(4 * PAGE_SIZE, GFP_KERNEL).status()));
  EXPECT_EQ(pool_stats().live, live);
}

}  // namespace
}  // namespace racefuzz::page
