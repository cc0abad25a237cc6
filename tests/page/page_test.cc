// Unit tests of Page, the pool and PageSlot (outside runs: yield points do nothing).
#include "core/page/page.h"

#include <cstring>
#include <optional>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "core/page/pool.h"
#include "core/page/slot.h"
#include "core/page/user.h"
#include "core/sched/round_robin_schedule.h"
#include "core/sched/scheduler.h"

namespace racefuzz::page {
namespace {

Owned<Page> MustAlloc(Flags flags = GFP_KERNEL | __GFP_ZERO) {
  absl::StatusOr<Owned<Page>> p = Page::alloc_page(flags);
  EXPECT_TRUE(p.ok()) << p.status();
  return *std::move(p);
}

std::vector<uint8_t> Contents(const Page& page) {
  std::vector<uint8_t> out(PAGE_SIZE);
  EXPECT_TRUE(page.read_raw(out.data(), 0, PAGE_SIZE).ok());
  return out;
}

TEST(PageRangeTest, AcceptsExactlyTheRangesInsideThePage) {
  const size_t kMax = ~size_t{0};
  EXPECT_TRUE(page_range_ok(0, 0));
  EXPECT_TRUE(page_range_ok(0, PAGE_SIZE));
  EXPECT_TRUE(page_range_ok(PAGE_SIZE, 0));
  EXPECT_TRUE(page_range_ok(100, PAGE_SIZE - 100));
  EXPECT_FALSE(page_range_ok(100, PAGE_SIZE - 99));
  EXPECT_FALSE(page_range_ok(PAGE_SIZE + 1, 0));
  EXPECT_FALSE(page_range_ok(0, PAGE_SIZE + 1));
  // off + len wraps around to a small number: still rejected.
  EXPECT_FALSE(page_range_ok(kMax, 1));
  EXPECT_FALSE(page_range_ok(1, kMax));
  EXPECT_FALSE(page_range_ok(kMax - 10, 20));
  EXPECT_FALSE(page_range_ok(20, kMax - 10));
  EXPECT_FALSE(page_range_ok(kMax, kMax));
}

TEST(PageTest, EveryAccessorChecksBoundsWithEinval) {
  Owned<Page> page = MustAlloc();
  uint8_t buf[16] = {};
  UserMemory user(16);
  UserSliceReader r = user.reader(0, 16);
  const size_t kMax = ~size_t{0};
  for (auto [off, len] : {std::pair<size_t, size_t>{4090, 16}, {kMax - 3, 8}, {8, kMax - 3}}) {
    EXPECT_TRUE(IsEinval(page->read_raw(buf, off, len)));
    EXPECT_TRUE(IsEinval(page->write_raw(buf, off, len)));
    EXPECT_TRUE(IsEinval(page->fill_zero_raw(off, len)));
    EXPECT_TRUE(IsEinval(page->copy_from_user_slice_raw(r, off, len)));
    EXPECT_TRUE(IsEinval(page->read_bytewise_atomic(buf, off, len)));
    EXPECT_TRUE(IsEinval(page->write_bytewise_atomic(buf, off, len)));
  }
  EXPECT_EQ(r.len(), 16u);  // EINVAL before any user memory is read
}

TEST(PageTest, GfpZeroZeroesAndOtherwiseThePatternShows) {
  {
    Owned<Page> dirty = MustAlloc(GFP_KERNEL);
    EXPECT_TRUE(dirty->write_raw(reinterpret_cast<const uint8_t*>("hello"), 0, 5).ok());
  }
  for (int i = 0; i < 200; ++i) {  // past the quarantine, so frames get reused
    Owned<Page> p = MustAlloc();
    std::vector<uint8_t> c = Contents(*p);
    ASSERT_EQ(std::count(c.begin(), c.end(), 0), static_cast<long>(PAGE_SIZE));
    ASSERT_TRUE(p->write_raw(reinterpret_cast<const uint8_t*>("dirty"), 9, 5).ok());
  }
  Owned<Page> raw = MustAlloc(GFP_KERNEL);
  EXPECT_EQ(Contents(*raw)[0], 0xa5);
}

TEST(PageTest, ReadWriteZeroRoundTrip) {
  Owned<Page> page = MustAlloc();
  const char msg[] = "racefuzz";
  ASSERT_TRUE(page->write_raw(reinterpret_cast<const uint8_t*>(msg), 4088, 8).ok());
  uint8_t back[8];
  ASSERT_TRUE(page->read_raw(back, 4088, 8).ok());
  EXPECT_EQ(std::memcmp(back, msg, 8), 0);
  ASSERT_TRUE(page->fill_zero_raw(4090, 6).ok());
  ASSERT_TRUE(page->read_raw(back, 4088, 8).ok());
  EXPECT_EQ(back[0], 'r');
  EXPECT_EQ(back[1], 'a');
  EXPECT_EQ(back[2], 0);
  page->with_page_mapped([](uint8_t* p) { EXPECT_EQ(p[4089], 'a'); });
}

TEST(PageTest, CopyFromUserSlice) {
  Owned<Page> page = MustAlloc();
  UserMemory user(32);
  for (size_t i = 0; i < 32; ++i) ASSERT_TRUE(user.store(i, static_cast<uint8_t>(i + 1)).ok());
  UserSliceReader r = user.reader(8, 16);
  ASSERT_TRUE(page->copy_from_user_slice_raw(r, 100, 10).ok());
  EXPECT_EQ(r.len(), 6u);
  uint8_t got[10];
  ASSERT_TRUE(page->read_raw(got, 100, 10).ok());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(got[i], 9 + i);
  // Only 6 bytes left: EFAULT (not EINVAL: the page range is fine), nothing consumed.
  EXPECT_EQ(page->copy_from_user_slice_raw(r, 0, 7), Efault());
  EXPECT_EQ(r.len(), 6u);
  // A slice that leaves the user buffer: EFAULT, and the page is not written.
  UserSliceReader bad = user.reader(30, 8);
  EXPECT_EQ(page->copy_from_user_slice_raw(bad, 0, 8), Efault());
  EXPECT_EQ(Contents(*page)[0], 0);
  // A page range that leaves the page is EINVAL, checked before user memory is read.
  UserSliceReader fine = user.reader(0, 8);
  EXPECT_TRUE(IsEinval(page->copy_from_user_slice_raw(fine, PAGE_SIZE - 4, 8)));
  EXPECT_EQ(fine.len(), 8u);
}

TEST(PoolTest, PagesComeFromEveryNode) {
  std::set<int> nodes;
  std::vector<Owned<Page>> pages;
  for (int n = 0; n < kNumNodes; ++n) {
    absl::StatusOr<Owned<Page>> p = Page::alloc_page_node(n, GFP_KERNEL);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ((*p)->nid(), n);
    nodes.insert((*p)->nid());
    pages.push_back(*std::move(p));
  }
  EXPECT_EQ(nodes.size(), static_cast<size_t>(kNumNodes));
  EXPECT_TRUE(IsEinval(Page::alloc_page_node(kNumNodes, GFP_KERNEL).status()));
  EXPECT_TRUE(IsEinval(Page::alloc_page_node(-2, GFP_KERNEL).status()));
  EXPECT_EQ(MustAlloc()->nid(), 0);  // outside simulated threads: node 0
}

TEST(PoolTest, SimulatedThreadsAllocateOnTheirLocalNode) {
  int nid[3] = {-1, -1, -1};
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [&] {
    for (int t = 0; t < 3; ++t) spawn([&nid, t] { nid[t] = MustAlloc()->nid(); });
  });
  for (int t = 0; t < 3; ++t) EXPECT_EQ(nid[t], (t + 1) % kNumNodes);
}

TEST(PoolTest, InjectedFailuresFollowTheMaskAndFreeNothing) {
  const PoolStats before = pool_stats();
  {
    ScopedAllocFaults faults(0b101);
    EXPECT_TRUE(IsAllocError(Page::alloc_page(GFP_KERNEL).status()));
    EXPECT_TRUE(Page::alloc_page(GFP_KERNEL).ok());
    EXPECT_TRUE(IsAllocError(Page::alloc_page(GFP_KERNEL).status()));
    EXPECT_TRUE(Page::alloc_page(GFP_KERNEL).ok());
  }
  EXPECT_TRUE(Page::alloc_page(GFP_KERNEL).ok());
  const PoolStats after = pool_stats();
  EXPECT_EQ(after.failed - before.failed, 2u);
  EXPECT_EQ(after.allocated - before.allocated, 3u);
  EXPECT_EQ(after.live, before.live);
}

TEST(PoolTest, IdsRestartWhenNoPageIsLive) {
  ASSERT_EQ(pool_stats().live, 0u);
  uint64_t first;
  {
    Owned<Page> a = MustAlloc();
    Owned<Page> b = MustAlloc();
    first = a->id();
    EXPECT_EQ(b->id(), first + 1);
  }
  EXPECT_EQ(MustAlloc()->id(), 1u);
  EXPECT_EQ(first, 1u);
}

// The address a page is mapped at: its frame (the pool never moves a frame's bytes).
const uint8_t* FrameOf(const Page& page) {
  return page.with_page_mapped([](uint8_t* p) { return p; });
}

TEST(PoolTest, FreedPagesWaitInTheQuarantine) {
  // Whatever earlier tests left: kQuarantinePages frees make the quarantine full, so from here on
  // every free pushes out the oldest frame.
  for (size_t i = 0; i < kQuarantinePages; ++i) MustAlloc();
  ASSERT_EQ(pool_stats().quarantined, kQuarantinePages);
  const uint64_t freed_before = pool_stats().freed;
  const uint8_t* freed = FrameOf(*MustAlloc());  // allocated and freed at once
  EXPECT_EQ(pool_stats().freed, freed_before + 1);
  EXPECT_EQ(pool_stats().quarantined, kQuarantinePages);
  // Not reused while kQuarantinePages newer pages are allocated (on its node: all on node 0)...
  std::vector<Owned<Page>> newer;
  for (size_t i = 0; i < kQuarantinePages; ++i) {
    newer.push_back(MustAlloc());
    EXPECT_NE(FrameOf(*newer.back()), freed) << "reused after " << i << " newer allocations";
  }
  // ...nor after kQuarantinePages - 1 newer frees; the next free pushes it out of the quarantine
  // onto its node's free list, whose next allocation it is.
  while (newer.size() > 1) newer.pop_back();
  Owned<Page> held = MustAlloc();
  EXPECT_NE(FrameOf(*held), freed) << "reused after " << kQuarantinePages - 1 << " newer frees";
  newer.clear();
  EXPECT_EQ(FrameOf(*MustAlloc()), freed)
      << "not reused after " << kQuarantinePages << " newer frees";
}

// One deterministic run in which a simulated thread allocates `n` pages, notes their frames and
// frees them.
std::vector<const uint8_t*> FramesOfARun(int n) {
  std::vector<const uint8_t*> frames;
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [&] {
    spawn([&] {
      std::vector<Owned<Page>> pages;
      for (int i = 0; i < n; ++i) {
        pages.push_back(MustAlloc());
        frames.push_back(FrameOf(*pages.back()));
      }
    });
  });
  return frames;
}

// What earlier inputs do to the pool: a page allocated before the run (a world's) and freed after
// it, and a run that frees and reuses pages, fills the quarantine and the free lists, and uses
// frames in another order.
void ShapeThePool() {
  std::optional<Owned<Page>> world(MustAlloc());
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [&] {
    spawn([] {
      for (int i = 0; i < 100; ++i) MustAlloc();
      std::vector<Owned<Page>> held;
      for (int i = 0; i < 70; ++i) held.push_back(MustAlloc());
      while (!held.empty()) held.erase(held.begin());
    });
  });
  world.reset();
}

TEST(PoolTest, EveryRunStartsFromTheSamePool) {
  ASSERT_EQ(pool_stats().live, 0u);
  ShapeThePool();  // whatever the tests before did outside runs
  const std::vector<const uint8_t*> first = FramesOfARun(3);
  EXPECT_EQ(pool_stats().quarantined, 0u) << "the run's end did not reset the pool";
  ShapeThePool();
  const std::vector<const uint8_t*> second = FramesOfARun(3);
  EXPECT_EQ(pool_stats().quarantined, 0u) << "the run's end did not reset the pool";
#ifndef RACEFUZZ_PAGE_POISON
  // The same frames, neighbours in the direct map (under ASan each frame is a heap block: addresses
  // are the heap's, and a read off a frame's end hits a redzone wherever the block is).
  EXPECT_EQ(first, second) << "a run's frames depend on what ran before it";
  ASSERT_EQ(second.size(), 3u);
  EXPECT_EQ(second[1], second[0] + PAGE_SIZE);
  EXPECT_EQ(second[2], second[1] + PAGE_SIZE);
#endif
}

TEST(PoolTest, AResetWaitsForTheLastLivePage) {
  ASSERT_EQ(pool_stats().live, 0u);
  std::optional<Owned<Page>> outlives(MustAlloc());  // like a fuzz input's world: freed after
  FramesOfARun(1);
  EXPECT_EQ(pool_stats().quarantined, 1u) << "reset while a page was live";
  outlives.reset();
  EXPECT_EQ(pool_stats().quarantined, 0u) << "the last free after the run did not reset the pool";
  EXPECT_EQ(MustAlloc()->id(), 1u);
}

TEST(OwnedTest, IntoRawFromRawAndSwap) {
  Owned<Page> a = MustAlloc();
  Owned<Page> b = MustAlloc();
  const uint64_t ida = a->id();
  const uint64_t idb = b->id();
  a.swap(b);
  EXPECT_EQ(a->id(), idb);
  EXPECT_EQ(b->id(), ida);
  const uint64_t live = pool_stats().live;
  Page* raw = a.into_raw();
  EXPECT_FALSE(a);
  EXPECT_EQ(pool_stats().live, live);
  Owned<Page>::from_raw(raw).reset();
  EXPECT_EQ(pool_stats().live, live - 1);
}

TEST(PageSlotTest, ExchangeReturnsTheOldPage) {
  Owned<Page> first = MustAlloc();
  const uint64_t id1 = first->id();
  PageSlot slot(std::move(first));
  Owned<Page> second = MustAlloc();
  const uint64_t id2 = second->id();
  Owned<Page> old = slot.exchange(std::move(second));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->id(), id1);
  EXPECT_EQ(slot.with_page([](const Page* p) { return p->id(); }), id2);
  old = slot.exchange(Owned<Page>());
  EXPECT_EQ(old->id(), id2);
  EXPECT_TRUE(slot.with_page([](const Page* p) { return p == nullptr; }));
}

}  // namespace
}  // namespace racefuzz::page
