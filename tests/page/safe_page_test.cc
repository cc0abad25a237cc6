// SafePage, and the user-mapping and device models it cannot be given to.
#include "core/page/safe_page.h"

#include <gtest/gtest.h>

namespace racefuzz::page {
namespace {

TEST(SafePageTest, ContentsAreOrdinarySpans) {
  absl::StatusOr<Owned<SafePage>> p = SafePage::alloc_page(GFP_KERNEL | __GFP_ZERO);
  ASSERT_TRUE(p.ok());
  SafePage& page = **p;
  page.with_contents([](std::span<uint8_t, PAGE_SIZE> bytes) {
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i);
  });
  uint8_t got[4];
  ASSERT_TRUE(page.read(got, 254).ok());
  EXPECT_EQ(got[0], 254);
  EXPECT_EQ(got[2], 0);
  const uint8_t msg[3] = {7, 8, 9};
  ASSERT_TRUE(page.write(msg, PAGE_SIZE - 3).ok());
  EXPECT_TRUE(IsEinval(page.write(msg, PAGE_SIZE - 2)));
  ASSERT_TRUE(page.fill_zero(0, 10).ok());
  const SafePage& cpage = page;
  cpage.with_contents([](std::span<const uint8_t, PAGE_SIZE> bytes) {
    EXPECT_EQ(bytes[9], 0);
    EXPECT_EQ(bytes[10], 10);
    EXPECT_EQ(bytes[PAGE_SIZE - 1], 9);
  });
  EXPECT_EQ(page.nid(), 0);  // allocated outside the simulated threads: node 0 (numa_node_id)
}

TEST(VmaTest, UserWritesReachTheInsertedPage) {
  Owned<Page> page = *Page::alloc_page(GFP_KERNEL | __GFP_ZERO);
  Vma vma(2);
  EXPECT_TRUE(IsEinval(vm_insert_page(vma, 3, *page)));
  EXPECT_TRUE(IsEinval(vm_insert_page(vma, 2 * PAGE_SIZE, *page)));
  ASSERT_TRUE(vm_insert_page(vma, PAGE_SIZE, *page).ok());
  EXPECT_FALSE(vma.user_write(5, 1).ok());  // nothing mapped at page 0
  ASSERT_TRUE(vma.user_write(PAGE_SIZE + 5, 42).ok());
  uint8_t b;
  ASSERT_TRUE(page->read_raw(&b, 5, 1).ok());
  EXPECT_EQ(b, 42);
  EXPECT_EQ(*vma.user_read(PAGE_SIZE + 5), 42);
}

TEST(DeviceTest, DmaWritesReachTheMappedPage) {
  Owned<Page> page = *Page::alloc_page(GFP_KERNEL | __GFP_ZERO);
  Device dev;
  EXPECT_TRUE(IsEinval(dma_map_page(dev, *page, 4000, 100).status()));
  absl::StatusOr<uint64_t> handle = dma_map_page(dev, *page, 0, PAGE_SIZE);
  ASSERT_TRUE(handle.ok());
  ASSERT_TRUE(dev.dma_write(*handle, 17, 3).ok());
  uint8_t b;
  ASSERT_TRUE(page->read_raw(&b, 17, 1).ok());
  EXPECT_EQ(b, 3);
}

}  // namespace
}  // namespace racefuzz::page
