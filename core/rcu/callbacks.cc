#include "core/rcu/callbacks.h"

#include <cstdint>
#include <deque>
#include <vector>

#include "core/check/report.h"
#include "core/rcu/callbacks_internal.h"
#include "core/rcu/grace_period.h"
#include "core/rcu/read_side.h"
#include "core/sched/sync.h"

namespace racefuzz::rcu {
namespace {

struct Pending {
  uint64_t cookie;                   // get_state_synchronize_rcu() when queued
  internal::ReaderSnapshot readers;  // the sections open when queued (the age oracle)
  absl::AnyInvocable<void() &&> callback;
};

// The queue, in call order (cookies never decrease along it). Guarded by QueueMutex().
std::deque<Pending>& Queue() {
  static auto* q = new std::deque<Pending>();
  return *q;
}
Mutex& QueueMutex() {
  static auto* mu = new Mutex("rcu_callbacks");
  return *mu;
}
// Held while a batch runs: rcu_barrier() takes it to know that no batch is still running.
Mutex& RunnerMutex() {
  static auto* mu = new Mutex("rcu_callback_runner");
  return *mu;
}
// Callbacks queued and not yet taken. Lets a grace period skip the queue locks when there is
// nothing to run, so that synchronize_rcu adds no happens-before between its callers (TSan would
// otherwise miss races between updaters). Relaxed: the queue itself is read under its lock.
std::atomic<int> g_queued{0};
// The simulated thread running callbacks (current_thread(), kNoThread outside the simulated
// threads), or kNoRunner: blocking in a callback is a contract violation, not a deadlock.
// Compared only with the reader's own id, so a stale value is never taken for it (relaxed).
constexpr int kNoRunner = -2;
std::atomic<int> g_runner{kNoRunner};

// Takes the callbacks that are ready (a full grace period elapsed since each was queued).
std::vector<Pending> TakeReady() {
  std::vector<Pending> ready;
  racefuzz::Guard<Mutex> lock(QueueMutex());
  std::deque<Pending>& q = Queue();
  while (!q.empty() && poll_state_synchronize_rcu(q.front().cookie)) {
    ready.push_back(std::move(q.front()));
    q.pop_front();
    g_queued.fetch_sub(1, std::memory_order_relaxed);
  }
  return ready;
}

}  // namespace

void call_rcu(absl::AnyInvocable<void() &&> callback) {
  const uint64_t cookie = get_state_synchronize_rcu();
  const internal::ReaderSnapshot readers = internal::ReaderSnapshot::Take();
  racefuzz::Guard<Mutex> lock(QueueMutex());
  yield_point("call_rcu");
  Queue().push_back({cookie, readers, std::move(callback)});
  g_queued.fetch_add(1, std::memory_order_relaxed);
}

namespace internal {

void RunReadyCallbacks() {
  if (g_queued.load(std::memory_order_relaxed) == 0) return;
  racefuzz::Guard<Mutex> runner(RunnerMutex());
  std::vector<Pending> ready = TakeReady();
  if (ready.empty()) return;
  g_runner.store(current_thread(), std::memory_order_relaxed);
  for (Pending& p : ready) {
    note("rcu_callback");
    p.readers.CheckReadersLeft("runs an RCU callback", "its call_rcu");
    // SAFETY: the callback's grace period has completed (TakeReady), so no reader that could see
    // what it frees is still in its read-side critical section (the age oracle just checked).
    std::move(p.callback)();
  }
  g_runner.store(kNoRunner, std::memory_order_relaxed);
}

bool InCallback() { return g_runner.load(std::memory_order_relaxed) == current_thread(); }

}  // namespace internal

void rcu_barrier() {
  // Checked before synchronize_rcu's own "rcu-synchronize-in-callback": the more precise clause.
  RACEFUZZ_CONTRACT(!internal::InCallback(), "rcu-barrier-in-callback",
                    "T%d calls rcu_barrier from an RCU callback: callbacks run in softirq-like "
                    "context and must not block; it would wait for itself",
                    current_thread());
  yield_point("rcu_barrier");
  // Every callback queued before this point has a cookie older than the next grace period's
  // start, so one grace period makes them all ready; synchronize_rcu runs the ready ones, and
  // holding the runner lock afterwards waits out a batch another thread may still be running.
  for (;;) {
    synchronize_rcu();
    bool empty;
    {
      racefuzz::Guard<Mutex> lock(QueueMutex());
      empty = Queue().empty();
    }
    if (empty) break;
  }
  racefuzz::Guard<Mutex> runner(RunnerMutex());
}

}  // namespace racefuzz::rcu
