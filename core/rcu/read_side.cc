#include "core/rcu/read_side.h"

#include <bit>
#include <utility>

#include "absl/strings/str_format.h"
#include "core/check/report.h"
#include "core/rcu/sleep_checks.h"

namespace racefuzz::rcu {

Guard::Guard() : active_(true) {
  token_.slot = internal::CurrentSlot();
  internal::ReaderSlot& s = internal::Slot(token_.slot);
  yield_point("rcu_read_lock");
  const uint64_t live = s.live.load(std::memory_order_relaxed);
  if (live == 0) {
    // Outermost lock: enter a new section. seq_cst so that a grace period that starts after this
    // store sees the reader (the store is ordered before the reader's loads of RCU pointers).
    const uint64_t next = s.seq.load(std::memory_order_relaxed) + 1;
    if (current_mode() == Mode::kDeterministic) {
      // One OS thread: the store only has to be seen; the happens-before a grace period promises
      // is given exactly, and nothing else (grace_period.cc).
      s.seq.store(next, std::memory_order_relaxed);
      internal::BeginSection(token_.slot);
    } else {
      s.seq.store(next, std::memory_order_seq_cst);
    }
  }
  if (live == ~uint64_t{0}) {
    check::Fail("rcu-too-many-guards",
                absl::StrFormat("T%d holds %d RCU read guards at once: racefuzz's limit per thread",
                                token_.slot - 1, internal::kMaxGuards));
  }
  token_.index = std::countr_one(live);  // the lowest free index
  s.live.store(live | (uint64_t{1} << token_.index), std::memory_order_relaxed);
  token_.generation = s.generation[token_.index].load(std::memory_order_relaxed);
  token_.section = s.seq.load(std::memory_order_relaxed);
}

Guard::Guard(Guard&& other) noexcept
    : token_(other.token_), active_(std::exchange(other.active_, false)) {}

Guard& Guard::operator=(Guard&& other) noexcept {
  if (this != &other) {
    unlock();
    token_ = other.token_;
    active_ = std::exchange(other.active_, false);
  }
  return *this;
}

void Guard::check_owner(const char* what) const {
  RACEFUZZ_CONTRACT(active_, "rcu-guard-other-thread", "T%d %s that was already dropped",
                    current_thread(), what);
  const int here = internal::CurrentSlot();
  RACEFUZZ_CONTRACT(here == token_.slot, "rcu-guard-other-thread",
                    "T%d %s taken by T%d: a guard belongs to its thread", here - 1, what,
                    token_.slot - 1);
}

void Guard::unlock() {
  if (!active_) return;
  check_owner("releases an RCU read guard");
  active_ = false;
  internal::ReaderSlot& s = internal::Slot(token_.slot);
  yield_point("rcu_read_unlock");
  // The guard is gone: borrows taken under it are invalid from here on, even inside the section.
  s.generation[token_.index].store(token_.generation + 1, std::memory_order_relaxed);
  const uint64_t live = s.live.load(std::memory_order_relaxed) & ~(uint64_t{1} << token_.index);
  s.live.store(live, std::memory_order_relaxed);
  const int depth = std::popcount(live);
  if (depth == 0) {
    // Outermost unlock: the section ends. Release: everything the reader did in the section
    // happens-before the end of any grace period that observes this store.
    if (current_mode() == Mode::kDeterministic) {
      internal::EndSection(token_.slot);
      s.seq.store(token_.section + 1, std::memory_order_relaxed);
    } else {
      s.seq.store(token_.section + 1, std::memory_order_release);
    }
  }
}

Guard read_lock() { return Guard(); }

namespace {
// Registered at static initialization: this file is linked whenever a Guard is, and only a Guard
// or a callback (which needs read_side.cc too) can make sleeping illegal.
[[maybe_unused]] const bool g_sleep_checks_registered = [] {
  add_might_sleep_hook(&internal::CheckMaySleep);
  return true;
}();
}  // namespace

bool rcu_read_lock_held() {
  return internal::Slot(internal::CurrentSlot()).live.load(std::memory_order_relaxed) != 0;
}

}  // namespace racefuzz::rcu
