// RcuPageSlot: pages published through Rcu<Owned<Page>>.
#include "core/rcu/page_slot.h"

#include <cstdint>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "core/sched/round_robin_schedule.h"
#include "core/sched/scheduler.h"

namespace racefuzz::rcu {
namespace {

using page::Owned;
using page::Page;

Owned<Page> FilledPage(uint8_t byte) {
  absl::StatusOr<Owned<Page>> p = Page::alloc_page(page::GFP_KERNEL);
  EXPECT_TRUE(p.ok());
  std::vector<uint8_t> bytes(page::PAGE_SIZE, byte);
  EXPECT_TRUE((*p)->write_raw(bytes.data(), 0, bytes.size()).ok());
  return std::move(*p);
}

TEST(RcuPageSlot, ReadersKeepTheOldPageUntilTheyLeave) {
  RcuPageSlot slot(FilledPage(1));
  Guard g = read_lock();
  uint8_t b = 0;
  ASSERT_TRUE(slot.read(g, &b, 100, 1).ok());
  EXPECT_EQ(b, 1);
  std::optional<Borrow<Page>> old_page = slot.current(g);
  std::optional<RcuPageSlot::PageOld> old = slot.swap(FilledPage(2));
  ASSERT_TRUE(old.has_value());
  ASSERT_TRUE((*old_page)->read_raw(&b, 7, 1).ok());  // still the old page
  EXPECT_EQ(b, 1);
  ASSERT_TRUE(slot.read(g, &b, 7, 1).ok());  // new readers see the new page
  EXPECT_EQ(b, 2);
  EXPECT_TRUE(page::IsEinval(slot.read(g, &b, page::PAGE_SIZE, 1)));
  g.unlock();
  old.reset();  // a grace period, then the page goes back to the pool
}

TEST(RcuPageSlot, SwapsRaceWithReadersInADeterministicRun) {
  RcuPageSlot slot(FilledPage(0), 1);
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [&] {
    for (int t = 0; t < 2; ++t) {
      spawn([&] {
        for (int i = 0; i < 4; ++i) {
          Guard g = read_lock();
          uint8_t bytes[16];
          ASSERT_TRUE(slot.read(g, bytes, 4000, sizeof(bytes)).ok());
          for (uint8_t b : bytes) ASSERT_EQ(b, bytes[0]);  // never a torn page
        }
      });
    }
    spawn([&] {
      for (uint8_t v = 1; v <= 3; ++v) {
        std::optional<RcuPageSlot::PageOld> old = slot.swap(FilledPage(v));
        if (v % 2 == 0) {
          std::move(*old).defer_free();
        }
      }
      rcu_barrier();
    });
  });
}

}  // namespace
}  // namespace racefuzz::rcu
