#include "core/rcu/read_side.h"

#include <array>
#include <utility>

#include "core/check/report.h"

namespace racefuzz::rcu {
namespace internal {

ReaderSlot& Slot(int index) {
  static std::array<ReaderSlot, kSlots> slots;
  return slots[index];
}

void CheckSectionOpen(int slot, uint64_t seq) {
  RACEFUZZ_CONTRACT(Slot(slot).seq.load(std::memory_order_relaxed) == seq, "rcu-borrow-after-guard",
                    "T%d uses a borrow from rcu dereference after T%d's read-side critical section "
                    "that it was taken in has ended: the object may already be freed",
                    current_thread(), slot - 1);
}

}  // namespace internal

Guard::Guard() : slot_(internal::CurrentSlot()), active_(true) {
  internal::ReaderSlot& s = internal::Slot(slot_);
  yield_point("rcu_read_lock");
  const int depth = s.nesting.load(std::memory_order_relaxed);
  if (depth == 0) {
    // Outermost lock: enter a new section. seq_cst so that a grace period that starts after this
    // store sees the reader (the store is ordered before the reader's loads of RCU pointers).
    const uint64_t next = s.seq.load(std::memory_order_relaxed) + 1;
    s.seq.store(next, std::memory_order_seq_cst);
  }
  s.nesting.store(depth + 1, std::memory_order_relaxed);
  seq_ = s.seq.load(std::memory_order_relaxed);
}

Guard::Guard(Guard&& other) noexcept
    : slot_(other.slot_), seq_(other.seq_), active_(std::exchange(other.active_, false)) {}

Guard& Guard::operator=(Guard&& other) noexcept {
  if (this != &other) {
    unlock();
    slot_ = other.slot_;
    seq_ = other.seq_;
    active_ = std::exchange(other.active_, false);
  }
  return *this;
}

void Guard::check_owner(const char* what) const {
  RACEFUZZ_CONTRACT(active_, "rcu-guard-other-thread", "T%d %s that was already dropped",
                    current_thread(), what);
  const int here = internal::CurrentSlot();
  RACEFUZZ_CONTRACT(here == slot_, "rcu-guard-other-thread",
                    "T%d %s taken by T%d: a guard belongs to its thread", here - 1, what,
                    slot_ - 1);
}

void Guard::unlock() {
  if (!active_) return;
  check_owner("releases an RCU read guard");
  active_ = false;
  internal::ReaderSlot& s = internal::Slot(slot_);
  yield_point("rcu_read_unlock");
  const int depth = s.nesting.load(std::memory_order_relaxed) - 1;
  s.nesting.store(depth, std::memory_order_relaxed);
  if (depth == 0) {
    // Outermost unlock: the section ends. Release: everything the reader did in the section
    // happens-before the end of any grace period that observes this store.
    s.seq.store(seq_ + 1, std::memory_order_release);
  }
}

Guard read_lock() { return Guard(); }

bool in_read_side() {
  return internal::Slot(internal::CurrentSlot()).nesting.load(std::memory_order_relaxed) > 0;
}

}  // namespace racefuzz::rcu
