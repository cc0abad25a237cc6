// The kernel's wait queues (include/linux/wait.h) for simulated threads: wait_event() sleeps until
// a condition is true, re-checking it each time the queue is woken; wake_up() wakes the sleepers.
//
//   racefuzz::wait_queue_head wq("ready_wq");  // or init_waitqueue_head(&wq)
//   racefuzz::Atomic<int> ready(0, "ready");
//   // T0                                           // T1
//   wait_event(wq, [&] { return ready.load() != 0; });   ready.store(1);
//                                                   wake_up(&wq);
//
// As in the kernel, the waiter is on the queue before it checks the condition (prepare_to_wait),
// so a wake_up() between the check and the sleep is not lost; a condition made true with no
// wake_up() after it is (a deadlock report naming every sleeper's site, if nothing else wakes it).
// wait_event() waiters are non-exclusive, so wake_up() and wake_up_all() both wake every one of
// them. In deterministic mode every call is a yield point and wake_up -> the woken thread's next
// check of the condition is the happens-before TSan sees (the kernel's wake-up barrier); in
// threads mode the queue is a std::mutex, a wake-up count and a std::condition_variable.
#ifndef RACEFUZZ_CORE_SCHED_WAIT_QUEUE_H_
#define RACEFUZZ_CORE_SCHED_WAIT_QUEUE_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <source_location>

#include "core/sched/runtime.h"
#include "core/sched/wait_list.h"

namespace racefuzz {

// Invariants: in deterministic mode waiters_ holds the threads inside wait_event() that were not
// woken since they last checked the condition; in threads mode wakeups_ counts wake_up() calls.
struct wait_queue_head {
  // init_waitqueue_head() included. `name` shows in the timeline and in deadlock reports.
  explicit wait_queue_head(const char* name = "wait_queue") : name(name) {}
  wait_queue_head(const wait_queue_head&) = delete;
  wait_queue_head& operator=(const wait_queue_head&) = delete;

  const char* name;
  internal::WaitList waiters_;     // deterministic mode
  std::mutex os_mutex_;            // threads mode
  std::condition_variable os_cv_;  // threads mode
  uint64_t wakeups_ = 0;           // threads mode, under os_mutex_
};

// Initializes `wq` with no waiter.
//
// Safety: no thread uses `wq` concurrently.
void init_waitqueue_head(wait_queue_head* wq);

// Wakes every wait_event() sleeper of `wq` (all are non-exclusive). Everything the caller did
// before happens-before each woken thread's next check of its condition.
void wake_up(wait_queue_head* wq);
// The same, for every waiter (the kernel's form that also wakes exclusive waiters).
void wake_up_all(wait_queue_head* wq);

namespace internal {
// One round of wait_event: the caller is queued (prepare_to_wait) by Prepare, checks the condition,
// then Finish (condition true: dequeue) or Sleep (until a wake_up). Threads mode: Prepare returns
// the wake-up count to sleep past.
class WaitEventRound {
 public:
  WaitEventRound(wait_queue_head& wq, std::source_location site);
  void Finish();
  void Sleep();

 private:
  wait_queue_head& wq_;
  std::source_location site_;
  SleepIn sleep_in_;
  Waiter waiter_;
  uint64_t seen_wakeups_ = 0;
};
}  // namespace internal

// Sleeps until `condition()` is true. The condition is checked before sleeping and after every
// wake-up of `wq`.
//
// Safety: may sleep: only where sleeping is allowed (might_sleep, runtime.h, checked even when the
// condition is already true, as in the kernel). On a simulated thread of a run, unless the
// condition is already true (contract check:
// "wait-outside-run"). Whoever makes the condition true must call wake_up(&wq) after the write,
// or the waiter may sleep for ever (a deadlock report naming `site`). `condition` reads shared
// state atomically or under a lock, like any access that races with the writer.
template <typename Condition>
void wait_event(wait_queue_head& wq, Condition condition,
                std::source_location site = std::source_location::current()) {
  might_sleep("wait_event", {wq.name, 0});  // as the kernel's, before the first check
  yield_point("wait_event", {wq.name, 0});
  if (condition()) return;
  for (;;) {
    internal::WaitEventRound round(wq, site);
    if (condition()) return round.Finish();
    round.Sleep();
  }
}

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_WAIT_QUEUE_H_
