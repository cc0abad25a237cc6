#include "core/sched/completion.h"

#include "core/sched/happens_before.h"
#include "core/sched/runtime.h"
#include "core/sched/thread_pool.h"

namespace racefuzz {

// SAFETY (whole file): in deterministic mode the internal lock is modelled by its happens-before
// edges on `lock_` (no yield inside a locked section, so nothing else runs while it is "held");
// `done` stays visible to TSan, so an unlocked access (reinit_completion) racing a locked one is a
// data race report. The waiter list is racefuzz's bookkeeping (wait_list.cc).

namespace {

bool Deterministic() { return current_mode() == Mode::kDeterministic; }

// A locked section of the kernel's x->wait.lock.
template <typename F>
void Locked(completion* x, F f) {
  if (Deterministic()) {
    happens_before_acquire(&x->lock_);
    f();
    happens_before_release(&x->lock_);
  } else {
    std::lock_guard<std::mutex> lock(x->os_mutex_);
    f();
  }
}

}  // namespace

void init_completion(completion* x) {
  if (Deterministic()) yield_point("init_completion", {x->name, 0});
  x->done = 0;
}

void reinit_completion(completion* x) {
  if (Deterministic()) yield_point("reinit_completion", {x->name, 0});
  x->done = 0;
}

void complete(completion* x) {
  if (Deterministic()) yield_point("complete", {x->name, 0});
  Locked(x, [x] {
    if (x->done != UINT_MAX) ++x->done;
    if (Deterministic()) {
      x->waiters_.WakeOne();
    } else {
      x->os_cv_.notify_one();
    }
  });
}

void complete_all(completion* x) {
  if (Deterministic()) yield_point("complete_all", {x->name, 0});
  Locked(x, [x] {
    x->done = UINT_MAX;
    if (Deterministic()) {
      x->waiters_.WakeAll();
    } else {
      x->os_cv_.notify_all();
    }
  });
}

void wait_for_completion(completion* x, std::source_location site) {
  const Object obj{x->name, 0};
  might_sleep("wait_for_completion", obj);
  if (current_mode() == Mode::kOff) {  // no run, or sequential mode: only a completion already made
    std::lock_guard<std::mutex> lock(x->os_mutex_);
    if (x->done == 0) internal::FailWaitOutsideRun("wait_for_completion", site);
    if (x->done != UINT_MAX) --x->done;
    return;
  }
  if (internal::WhereToSleep("wait_for_completion", site) == internal::SleepIn::kOs) {
    ThreadPool::BlockedScope blocked("wait_for_completion", obj, site);
    std::unique_lock<std::mutex> lock(x->os_mutex_);
    x->os_cv_.wait(lock, [x] { return x->done != 0; });
    if (x->done != UINT_MAX) --x->done;
    return;
  }
  yield_point("wait_for_completion", obj);
  happens_before_acquire(&x->lock_);
  while (x->done == 0) {
    internal::Waiter w;
    x->waiters_.Add(w);
    happens_before_release(&x->lock_);  // the kernel drops the lock to sleep
    internal::WaitList::Sleep(w, "wait_for_completion", obj, site);
    happens_before_acquire(&x->lock_);
  }
  if (x->done != UINT_MAX) --x->done;
  happens_before_release(&x->lock_);
}

}  // namespace racefuzz
