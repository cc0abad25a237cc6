#include "core/sched/wait_queue.h"

#include "core/sched/happens_before.h"
#include "core/sched/thread_pool.h"

namespace racefuzz {

// SAFETY (whole file): the waiter list is racefuzz's bookkeeping (wait_list.cc); the edge a wake-up
// promises is made on the queue's address, released by wake_up and acquired by each thread it
// woke before that thread checks its condition again.

namespace {
void WakeUp(wait_queue_head* wq, Label op) {
  if (current_mode() != Mode::kDeterministic) {
    {
      std::lock_guard<std::mutex> lock(wq->os_mutex_);
      ++wq->wakeups_;
    }
    wq->os_cv_.notify_all();
    return;
  }
  yield_point(op, {wq->name, 0});
  happens_before_release(wq);
  wq->waiters_.WakeAll();
}
}  // namespace

void init_waitqueue_head(wait_queue_head* wq) {
  if (current_mode() == Mode::kDeterministic) yield_point("init_waitqueue_head", {wq->name, 0});
  std::lock_guard<std::mutex> lock(wq->os_mutex_);
  wq->wakeups_ = 0;
}

void wake_up(wait_queue_head* wq) { WakeUp(wq, "wake_up"); }
void wake_up_all(wait_queue_head* wq) { WakeUp(wq, "wake_up_all"); }

namespace internal {

WaitEventRound::WaitEventRound(wait_queue_head& wq, std::source_location site)
    : wq_(wq), site_(site), sleep_in_(WhereToSleep("wait_event", site)) {
  if (sleep_in_ == SleepIn::kScheduler) {
    wq_.waiters_.Add(waiter_);
    return;
  }
  std::lock_guard<std::mutex> lock(wq_.os_mutex_);
  seen_wakeups_ = wq_.wakeups_;
}

void WaitEventRound::Finish() {
  if (sleep_in_ == SleepIn::kScheduler) wq_.waiters_.Remove(waiter_);
}

void WaitEventRound::Sleep() {
  if (sleep_in_ == SleepIn::kOs) {
    ThreadPool::BlockedScope blocked("wait_event", {wq_.name, 0}, site_);
    std::unique_lock<std::mutex> lock(wq_.os_mutex_);
    wq_.os_cv_.wait(lock, [this] { return wq_.wakeups_ != seen_wakeups_; });
    return;
  }
  WaitList::Sleep(waiter_, "wait_event", {wq_.name, 0}, site_);
  happens_before_acquire(&wq_);  // pairs with the release in wake_up
}

}  // namespace internal
}  // namespace racefuzz
