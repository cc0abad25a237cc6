// A shared slot holding a page that threads swap while others work on it (the lock-based swap; the
// RCU-published swap is core/rcu's page_swap).
#ifndef RACEFUZZ_CORE_PAGE_SLOT_H_
#define RACEFUZZ_CORE_PAGE_SLOT_H_

#include <functional>
#include <utility>

#include "core/page/page.h"
#include "core/sched/sync.h"

namespace racefuzz::page {

// An Owned<Page> behind a Mutex. Every method locks, so a swap never races with a user of the page
// that goes through with_page; the old page goes back to the caller (who frees it).
class PageSlot {
 public:
  explicit PageSlot(Owned<Page> page, const char* name = "page_slot")
      : mu_(name), page_(std::move(page)) {}

  // Puts `page` in the slot and returns the page it held ("swap_page" in the timeline).
  Owned<Page> exchange(Owned<Page> page) {
    Guard<Mutex> g(mu_);
    note("swap_page", {"page", page ? page->id() : 0});
    page_.swap(page);
    return page;
  }

  // Runs `f(const Page*)` (null if the slot is empty) under the slot's lock; returns what f
  // returns.
  //
  // Safety: the Page* is valid only inside `f` (after it, another thread may swap the page out and
  // free it: ASan).
  template <typename F>
  decltype(auto) with_page(F&& f) {
    Guard<Mutex> g(mu_);
    return std::invoke(std::forward<F>(f), static_cast<const Page*>(page_.get()));
  }

 private:
  Mutex mu_;
  Owned<Page> page_;
};

}  // namespace racefuzz::page

#endif  // RACEFUZZ_CORE_PAGE_SLOT_H_
