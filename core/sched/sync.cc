#include "core/sched/sync.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/check/report.h"
#include "core/sched/happens_before.h"
#include "core/sched/internal.h"
#include "core/sched/scheduler.h"

namespace racefuzz {

// SAFETY (whole file): in deterministic mode the primitives' own state (owner_) is racefuzz's
// bookkeeping, touched by fibers with no happens-before between them; it is kept from TSan with
// RACEFUZZ_SCHED_INTERNAL, and the edges the primitive promises are made explicitly.

RACEFUZZ_SCHED_INTERNAL void Mutex::lock(std::source_location site) {
  if (current_mode() != Mode::kDeterministic) {
    os_mutex_.lock();
    return;
  }
  Scheduler& s = Scheduler::Get();
  yield_point("lock", {name_, 0});
  if (s.current() == kNoThread) {  // a run's setup: no simulated thread has run yet
    happens_before_acquire(this);
    return;
  }
  RACEFUZZ_CONTRACT(owner_ != s.current(), "mutex-relock", "T%d locks %s, which it already holds",
                    s.current(), name_);
  while (owner_ != kNoThread) s.Block(this, "lock", {name_, 0}, site);
  owner_ = s.current();
  happens_before_acquire(this);
}

RACEFUZZ_SCHED_INTERNAL bool Mutex::try_lock() {
  if (current_mode() != Mode::kDeterministic) return os_mutex_.try_lock();
  yield_point("try_lock", {name_, 0});
  if (owner_ != kNoThread) return false;
  owner_ = current_thread();
  happens_before_acquire(this);
  return true;
}

RACEFUZZ_SCHED_INTERNAL void Mutex::unlock() {
  if (current_mode() != Mode::kDeterministic) {
    os_mutex_.unlock();
    return;
  }
  Scheduler& s = Scheduler::Get();
  if (s.current() == kNoThread) {  // a run's setup
    happens_before_release(this);
    return;
  }
  RACEFUZZ_CONTRACT(owner_ == s.current(), "mutex-unlock-not-owner", "T%d unlocks %s, held by %s",
                    s.current(), name_,
                    owner_ == kNoThread ? std::string("nobody") : absl::StrCat("T", owner_));
  happens_before_release(this);
  owner_ = kNoThread;
  s.Wake(this);
  yield_point("unlock", {name_, 0});
}

RACEFUZZ_SCHED_INTERNAL void SpinLock::lock(std::source_location site) {
  if (current_mode() != Mode::kDeterministic) {
    while (flag_.test_and_set(std::memory_order_acquire)) std::this_thread::yield();
    return;
  }
  Scheduler& s = Scheduler::Get();
  yield_point("spin_lock", {name_, 0});
  if (s.current() == kNoThread) {  // a run's setup: no simulated thread has run yet
    happens_before_acquire(this);
    return;
  }
  RACEFUZZ_CONTRACT(owner_ != s.current(), "spinlock-relock",
                    "T%d locks %s, which it already holds", s.current(), name_);
  // A spinning thread makes no progress until the owner unlocks: modelled as blocking, so a lock
  // cycle is a deadlock report, not a livelock.
  while (owner_ != kNoThread) s.Block(this, "spin_lock", {name_, 0}, site);
  owner_ = s.current();
  happens_before_acquire(this);
}

RACEFUZZ_SCHED_INTERNAL void SpinLock::unlock() {
  if (current_mode() != Mode::kDeterministic) {
    flag_.clear(std::memory_order_release);
    return;
  }
  Scheduler& s = Scheduler::Get();
  if (s.current() == kNoThread) {  // a run's setup
    happens_before_release(this);
    return;
  }
  RACEFUZZ_CONTRACT(owner_ == s.current(), "spinlock-unlock-not-owner",
                    "T%d unlocks %s, held by %s", s.current(), name_,
                    owner_ == kNoThread ? std::string("nobody") : absl::StrCat("T", owner_));
  happens_before_release(this);
  owner_ = kNoThread;
  s.Wake(this);
  yield_point("spin_unlock", {name_, 0});
}

namespace internal {

RACEFUZZ_SCHED_INTERNAL void WaitSlow(Label op, Object obj, std::source_location site) {
  switch (current_mode()) {
    case Mode::kDeterministic:
      Scheduler::Get().Park(op, obj, site);
      return;
    case Mode::kThreads:
      std::this_thread::yield();
      return;
    case Mode::kOff:
      break;
  }
  check::Fail("wait-outside-run",
              absl::StrFormat("wait_until at %s:%d outside a run: nothing else can make the "
                              "condition true",
                              site.file_name(), site.line()));
}

}  // namespace internal
}  // namespace racefuzz
