#include "core/sched/sync.h"

#include "absl/strings/str_cat.h"
#include "core/check/report.h"
#include "core/sched/happens_before.h"
#include "core/sched/internal.h"
#include "core/sched/run.h"
#include "core/sched/scheduler.h"
#include "core/sched/thread_pool.h"

namespace racefuzz {

// SAFETY (whole file): in deterministic mode the primitives' own state (LockModel::owner, its
// waiters) is racefuzz's bookkeeping, touched by fibers with no happens-before between them; the
// file is compiled without TSan (core/CMakeLists.txt: it is on every lock's path, and TSan's
// function-entry and access hooks were a third of a decision's cost), so the edges every primitive
// promises are made explicitly: the lock model's, and threads mode's SpinLock's flag (std::mutex
// is seen through TSan's pthread interceptors).

namespace internal {

RACEFUZZ_SCHED_INTERNAL void LockModel::Lock(const void* lock, const char* name, const Names& names,
                                             std::source_location site) {
  Scheduler& s = ActiveScheduler();
  yield_point(names.lock_op, {name, 0});
  if (s.current() == kNoThread) {  // a run's setup: no simulated thread has run yet
    happens_before_acquire(lock);
    setup_held = true;
    return;
  }
  RACEFUZZ_CONTRACT(owner != s.current(), names.relock_clause,
                    "T%d locks %s, which it already holds", s.current(), name);
  // A thread that waits for the lock (sleeping or spinning) makes no progress until the owner
  // unlocks: modelled as blocking, so a lock cycle is a deadlock report, not a livelock.
  while (owner != kNoThread) {
    Waiter w;
    waiters.Add(w);
    WaitList::Sleep(w, names.lock_op, {name, 0}, site);
  }
  owner = s.current();
  happens_before_acquire(lock);
}

RACEFUZZ_SCHED_INTERNAL bool LockModel::TryLock(const void* lock, const char* name, Label op) {
  yield_point(op, {name, 0});
  if (owner != kNoThread) return false;
  owner = current_thread();
  happens_before_acquire(lock);
  return true;
}

RACEFUZZ_SCHED_INTERNAL void LockModel::Unlock(const void* lock, const char* name,
                                               const Names& names) {
  Scheduler& s = ActiveScheduler();
  if (s.current() == kNoThread) {  // a run's setup
    setup_held = false;
    happens_before_release(lock);
    return;
  }
  RACEFUZZ_CONTRACT(owner == s.current(), names.unlock_clause, "T%d unlocks %s, held by %s",
                    s.current(), name,
                    owner == kNoThread ? std::string("nobody") : absl::StrCat("T", owner));
  happens_before_release(lock);
  owner = kNoThread;
  waiters.WakeOne();
  yield_point(names.unlock_op, {name, 0});
}

RACEFUZZ_SCHED_INTERNAL bool LockModel::HeldByMe() const {
  const ThreadId me = current_thread();
  return me == kNoThread ? setup_held : owner == me;
}

}  // namespace internal

namespace {
constexpr internal::LockModel::Names kMutexNames{"lock", "unlock", "mutex-relock",
                                                 "mutex-unlock-not-owner"};
constexpr internal::LockModel::Names kSpinLockNames{"spin_lock", "spin_unlock", "spinlock-relock",
                                                    "spinlock-unlock-not-owner"};
}  // namespace

void Mutex::lock(std::source_location site) {
  might_sleep("mutex_lock", {name_, 0});  // a mutex may sleep, even uncontended
  if (current_mode() == Mode::kDeterministic) return model_.Lock(this, name_, kMutexNames, site);
  ThreadPool::BlockedScope blocked("lock", {name_, 0}, site);  // for the watchdog's report
  os_mutex_.lock();
  os_holder_.Set();
}

bool Mutex::try_lock() {
  if (current_mode() == Mode::kDeterministic) return model_.TryLock(this, name_, "try_lock");
  if (!os_mutex_.try_lock()) return false;
  os_holder_.Set();
  return true;
}

void Mutex::unlock() {
  if (current_mode() == Mode::kDeterministic) return model_.Unlock(this, name_, kMutexNames);
  os_holder_.Clear();
  os_mutex_.unlock();
}

bool Mutex::held_by_me() const {
  return current_mode() == Mode::kDeterministic ? model_.HeldByMe() : os_holder_.IsMe();
}

void AtomicThreadFence::operator()(std::memory_order mo) const {
  yield_point("atomic_thread_fence");
  if (internal::g_active.memory != nullptr) return internal::memory::Fence(mo);
  std::atomic_thread_fence(mo);
}

void SpinLock::lock(std::source_location site) {
  if (current_mode() == Mode::kDeterministic) return model_.Lock(this, name_, kSpinLockNames, site);
  ThreadPool::BlockedScope blocked("spin_lock", {name_, 0}, site);
  while (flag_.test_and_set(std::memory_order_acquire)) std::this_thread::yield();
  happens_before_acquire(this);  // this file is uninstrumented: TSan does not see the flag
  os_holder_.Set();
}

void SpinLock::unlock() {
  if (current_mode() == Mode::kDeterministic) return model_.Unlock(this, name_, kSpinLockNames);
  os_holder_.Clear();
  happens_before_release(this);
  flag_.clear(std::memory_order_release);
}

bool SpinLock::held_by_me() const {
  return current_mode() == Mode::kDeterministic ? model_.HeldByMe() : os_holder_.IsMe();
}

}  // namespace racefuzz
