// A condition variable for simulated threads, used with racefuzz::Mutex like
// std::condition_variable with std::mutex. In deterministic mode every operation is a yield point,
// a waiter sleeps in the scheduler (a wait nobody ends is a deadlock report naming its site), the
// input may end a wait spuriously, and notify -> the wait it ends is the happens-before edge TSan
// sees. In threads mode it is std::condition_variable_any on the Mutex (real spurious wake-ups
// included).
//
//   racefuzz::Mutex mu("queue");
//   racefuzz::CondVar cv("nonempty");
//   // consumer                                // producer
//   mu.lock();                                  { racefuzz::Guard g(mu); ++items; }
//   cv.wait(mu, [&] { return items > 0; });     cv.notify_one();
//   --items;
//   mu.unlock();
#ifndef RACEFUZZ_CORE_SCHED_CONDVAR_H_
#define RACEFUZZ_CORE_SCHED_CONDVAR_H_

#include <condition_variable>
#include <source_location>

#include "core/sched/runtime.h"
#include "core/sched/sync.h"
#include "core/sched/wait_list.h"

namespace racefuzz {

// Invariants (deterministic mode): waiters_ holds exactly the threads inside wait() that were not
// yet notified and did not wake spuriously.
class CondVar {
 public:
  // `name` shows in the timeline and in deadlock reports ("cond_wait nonempty#0").
  explicit CondVar(const char* name = "condvar") : name_(name) {}
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Atomically unlocks `mu` and sleeps until notified (or woken spuriously: the input decides in
  // deterministic mode, the OS in threads mode), then locks `mu` again.
  //
  // Safety: sleeps: only where sleeping is allowed (might_sleep, runtime.h). The caller holds `mu`
  // (checked by Mutex: "mutex-unlock-not-owner"). Without a
  // predicate a wake-up says nothing about the state: a notify that came before the wait is lost
  // (a deadlock report if nothing else ends the wait), and a spurious wake-up returns with the
  // condition still false. Use wait(mu, pred).
  void wait(Mutex& mu, std::source_location site = std::source_location::current());

  // Waits until `pred()` is true: while (!pred()) wait(mu). `pred` runs with `mu` held.
  //
  // Safety: the caller holds `mu`; `pred` reads only state that is written under `mu` (or
  // atomically), and whoever makes it true notifies after the write.
  template <typename Pred>
  void wait(Mutex& mu, Pred pred, std::source_location site = std::source_location::current()) {
    while (!pred()) wait(mu, site);
  }

  // Wakes the longest-waiting thread, if any. Everything the caller did before happens-before the
  // return of the wait it ends. May be called with or without the mutex held.
  void notify_one();
  // Wakes every waiting thread, with the same edge to each.
  void notify_all();

 private:
  const char* name_;
  internal::WaitList waiters_;         // deterministic mode
  std::condition_variable_any os_cv_;  // threads mode
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_CONDVAR_H_
