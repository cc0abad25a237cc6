// Byte-wise atomic copies: contents and, above all, directions (seed 002's v2 called the wrong copy
// function: these tests fail if read and write are swapped).
#include "core/page/bytewise.h"

#include <cstring>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "core/page/page.h"

namespace racefuzz::page {
namespace {

TEST(BytewiseTest, AtomicPerByteMemcpyCopiesSrcToDstAtAnyAlignment) {
  std::vector<uint8_t> src(200);
  std::iota(src.begin(), src.end(), 1);
  for (size_t so = 0; so < 9; ++so) {
    for (size_t dof = 0; dof < 9; ++dof) {
      for (size_t len : {0, 1, 7, 8, 9, 63, 64, 65, 150}) {
        std::vector<uint8_t> dst(200, 0xee);
        atomic_per_byte_memcpy(src.data() + so, dst.data() + dof, len);
        ASSERT_EQ(std::memcmp(dst.data() + dof, src.data() + so, len), 0);
        ASSERT_EQ(dst[dof + len], 0xee) << "wrote past len";
        if (dof > 0) ASSERT_EQ(dst[dof - 1], 0xee);
      }
    }
  }
}

TEST(BytewiseTest, ReadCopiesFromThePageAndLeavesItAlone) {
  Owned<Page> page = *Page::alloc_page(GFP_KERNEL | __GFP_ZERO);
  uint8_t pattern[40];
  std::iota(pattern, pattern + 40, 1);
  ASSERT_TRUE(page->write_raw(pattern, 1000, 40).ok());
  uint8_t dst[40] = {};
  ASSERT_TRUE(page->read_bytewise_atomic(dst, 1000, 40).ok());
  EXPECT_EQ(std::memcmp(dst, pattern, 40), 0);
  uint8_t after[40];
  ASSERT_TRUE(page->read_raw(after, 1000, 40).ok());
  EXPECT_EQ(std::memcmp(after, pattern, 40), 0) << "read_bytewise_atomic wrote into the page";
}

TEST(BytewiseTest, WriteCopiesIntoThePageAndLeavesSrcAlone) {
  Owned<Page> page = *Page::alloc_page(GFP_KERNEL | __GFP_ZERO);
  uint8_t src[40];
  std::iota(src, src + 40, 1);
  ASSERT_TRUE(page->write_bytewise_atomic(src, 3, 40).ok());
  uint8_t got[40];
  ASSERT_TRUE(page->read_raw(got, 3, 40).ok());
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(got[i], i + 1);
    EXPECT_EQ(src[i], i + 1) << "write_bytewise_atomic wrote into src";
  }
}

}  // namespace
}  // namespace racefuzz::page
