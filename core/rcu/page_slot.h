// RcuPageSlot: a page published through an Rcu<Owned<Page>>, the way a driver like Binder would use
// the page and RCU abstractions together. Readers map and copy the current page under an RCU read
// guard, without a lock; an updater allocates and fills a new page, swaps it in, and retires the
// old one after a grace period. A published page is never written: readers can race only with a
// free, which the grace period orders after them. (The lock-based swap is core/page/slot.h.)
//
// Header-only: link racefuzz_page and racefuzz_rcu.
#ifndef RACEFUZZ_CORE_RCU_PAGE_SLOT_H_
#define RACEFUZZ_CORE_RCU_PAGE_SLOT_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "core/page/page.h"
#include "core/rcu/owned_page.h"
#include "core/rcu/rcu.h"
#include "core/sched/sync.h"

namespace racefuzz::rcu {

class RcuPageSlot {
 public:
  using PageOld = RcuOld<page::Owned<page::Page>>;

  // `id` names the slot in the timeline ("rcu_dereference rcu 1").
  explicit RcuPageSlot(page::Owned<page::Page> page, uint64_t id = 0)
      : updater_("rcu_page_updater"), rcu_(std::move(page), id) {}
  RcuPageSlot(const RcuPageSlot&) = delete;
  RcuPageSlot& operator=(const RcuPageSlot&) = delete;

  // The current page, borrowed under `guard`, or nullopt if the slot is empty.
  //
  // Safety: as Rcu::dereference: `guard` is held by the calling thread; the page may be used only
  // while `guard` itself lives (contract check on every access through the Borrow,
  // "rcu-borrow-after-guard"; ASan use-after-poison for a raw Page* kept past a grace period, since
  // freed pages stay poisoned in the pool's quarantine).
  std::optional<Borrow<page::Page>> current(const Guard& guard) const {
    return rcu_.dereference(guard);
  }

  // Copies [off, off + len) of the current page into `dst` under `guard` (read_raw). NotFound if
  // the slot is empty, EINVAL if the range leaves the page.
  //
  // Safety: as current(), and as Page::read_raw for `dst` (valid for `len` bytes, not accessed
  // concurrently: ASan, TSan).
  absl::Status read(const Guard& guard, uint8_t* dst, size_t off, size_t len) const {
    std::optional<Borrow<page::Page>> p = current(guard);
    if (!p.has_value()) return absl::NotFoundError("empty page slot");
    // SAFETY: the borrow's guard lives, so the page is not freed; published pages are never
    // written, so the read races with nothing.
    return (*p)->read_raw(dst, off, len);
  }

  // Publishes `next` (already filled: it is never written once published) and returns the old
  // page, to be freed after a grace period (drop: synchronize_rcu; or defer_free: kfree_rcu).
  // Updaters are serialized by the slot's own spinlock, so swap needs no outside lock.
  //
  // Safety: the returned value must be dropped outside a read-side critical section
  // ("rcu-synchronize-in-read-side"), or freed with defer_free.
  std::optional<PageOld> swap(page::Owned<page::Page> next) {
    racefuzz::Guard<SpinLock> lock(updater_);
    // SAFETY: updater_ serializes updaters: copy_update's exclusive access.
    return rcu_.replace(std::move(next));
  }

 private:
  SpinLock updater_;  // swap may be called inside a read-side section: it must not sleep
  Rcu<page::Owned<page::Page>> rcu_;
};

}  // namespace racefuzz::rcu

#endif  // RACEFUZZ_CORE_RCU_PAGE_SLOT_H_
