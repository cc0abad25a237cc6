#include "core/sched/condvar.h"

#include "core/sched/happens_before.h"
#include "core/sched/internal.h"
#include "core/sched/run.h"
#include "core/sched/scheduler.h"
#include "core/sched/thread_pool.h"

namespace racefuzz {

// SAFETY (whole file): the waiter list is racefuzz's bookkeeping (wait_list.cc); the one edge a
// condition variable promises, notify -> the wait it ends, is made on the CondVar's address.

void CondVar::wait(Mutex& mu, std::source_location site) {
  const Object obj{name_, 0};
  might_sleep("cond_wait", obj);
  if (internal::WhereToSleep("CondVar::wait", site) == internal::SleepIn::kOs) {
    ThreadPool::BlockedScope blocked("cond_wait", obj, site);
    return os_cv_.wait(mu);
  }
  yield_point("cond_wait", obj);
  internal::Waiter w;
  waiters_.Add(w);  // before the unlock: a notify after it finds this thread
  mu.unlock();      // a yield point: the notifier may run now
  if (!w.woken && internal::ActiveScheduler().SpuriousWakeup("cond_spurious_wakeup", obj)) {
    waiters_.Remove(w);
  } else {
    internal::WaitList::Sleep(w, "cond_wait", obj, site);
    happens_before_acquire(this);  // pairs with the release in notify_one/notify_all
  }
  mu.lock(site);
}

void CondVar::notify_one() {
  if (current_mode() != Mode::kDeterministic) return os_cv_.notify_one();
  yield_point("notify_one", {name_, 0});
  happens_before_release(this);
  waiters_.WakeOne();
}

void CondVar::notify_all() {
  if (current_mode() != Mode::kDeterministic) return os_cv_.notify_all();
  yield_point("notify_all", {name_, 0});
  happens_before_release(this);
  waiters_.WakeAll();
}

}  // namespace racefuzz
