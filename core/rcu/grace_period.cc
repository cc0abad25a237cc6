#include "core/rcu/grace_period.h"

#include <array>
#include <atomic>

#include "core/check/report.h"
#include "core/rcu/callbacks_internal.h"
#include "core/rcu/read_side.h"
#include "core/sched/kthread.h"
#include "core/sched/sync.h"

namespace racefuzz::rcu {
namespace {

// Numbers of the grace periods started and completed. Grace periods are serialized, so
// completed <= started <= completed + 1.
std::atomic<uint64_t> g_started{0};
std::atomic<uint64_t> g_completed{0};
// Deterministic runs: the highest grace period a waiter or a callback needs; the grace-period
// kthread runs grace periods until it has completed.
std::atomic<uint64_t> g_requested{0};
// Whether this run's grace-period kthread exists (cleared at the end of every run).
std::atomic<bool> g_kthread_spawned{false};
// Threads mode and outside runs: held by the caller running a grace period.
std::atomic<bool> g_busy{false};
std::atomic<bool> g_skip{false};

// The memory order of the grace-period bookkeeping (the counters and the busy flag). In threads
// mode it is `strong`, so cookies and the serialization are right on real, weakly ordered threads.
// In deterministic mode every simulated thread runs on one OS thread, so the order changes nothing
// but what TSan sees: relaxed there, so that the bookkeeping adds no happens-before between
// updaters, or from an updater to a reader checking an object's age, that would hide a race.
std::memory_order Bookkeeping(std::memory_order strong) {
  return current_mode() == Mode::kThreads ? strong : std::memory_order_relaxed;
}

bool TryClaim() {
  bool expected = false;
  return g_busy.compare_exchange_strong(expected, true, Bookkeeping(std::memory_order_acquire));
}

// Waits until every read-side critical section open now has ended.
void WaitForReaders() {
  if (internal::GracePeriodsSkipped()) return;
  // Snapshot: which slots are inside a section now. seq_cst pairs with the reader's seq_cst store
  // at its outermost lock.
  const int slots = internal::SlotsInUse();
  std::array<uint64_t, internal::kSlots> open;
  for (int i = 0; i < slots; ++i) {
    const uint64_t seq = internal::Slot(i).seq.load(std::memory_order_seq_cst);
    open[i] = (seq & 1) ? seq : 0;
  }
  for (int i = 0; i < slots; ++i) {
    if (open[i] == 0) continue;
    internal::ReaderSlot& s = internal::Slot(i);
    wait_until(
        [&] { return s.seq.load(std::memory_order_relaxed) != open[i]; }, "rcu_gp_wait",
        i == 0 ? Object{"setup_reader", 0} : Object{"reader_T", static_cast<uint64_t>(i - 1)});
  }
}

// Runs one grace period, on the calling thread.
void RunGracePeriod() {
  const uint64_t gp = g_started.fetch_add(1, Bookkeeping(std::memory_order_seq_cst)) + 1;
  WaitForReaders();
  g_completed.store(gp, Bookkeeping(std::memory_order_seq_cst));
  note("rcu_gp_end");
}

// The grace-period kthread of a deterministic run (the kernel's rcu_gp_kthread): runs grace
// periods while one is requested, telling the callback kthreads after each, and sleeps otherwise.
// The input schedules it like any thread, so when a grace period starts and ends is explored.
void GracePeriodKthread() {
  while (!kthread_should_stop()) {
    if (g_completed.load(std::memory_order_relaxed) < g_requested.load(std::memory_order_relaxed)) {
      RunGracePeriod();
      internal::WakeCallbackKthreads();
      continue;
    }
    kthread_sleep(&g_requested, "rcu_gp_kthread_sleep");
  }
}

}  // namespace

namespace internal {

bool GracePeriodsSkipped() { return g_skip.load(std::memory_order_relaxed); }

void AcquireReaders() {
  for (int i = 0, slots = SlotsInUse(); i < slots; ++i) {
    (void)Slot(i).seq.load(std::memory_order_acquire);
  }
}

void RequestGracePeriod(uint64_t gp) {
  if (!kthreads_available()) return;
  if (g_requested.load(std::memory_order_relaxed) < gp) {
    g_requested.store(gp, std::memory_order_relaxed);
  }
  if (g_kthread_spawned.exchange(true, std::memory_order_relaxed)) {
    kthread_wake(&g_requested);
  } else {
    spawn_kthread(&GracePeriodKthread);
  }
}

void CompleteGracePeriodAtRunEnd() {
  const uint64_t gp = g_started.fetch_add(1, Bookkeeping(std::memory_order_seq_cst)) + 1;
  g_completed.store(gp, Bookkeeping(std::memory_order_seq_cst));
}

void ForgetGracePeriodKthread() {
  g_kthread_spawned.store(false, std::memory_order_relaxed);
  g_requested.store(g_completed.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

}  // namespace internal

void synchronize_rcu() {
  // Before any lock: from a callback, the callback runner's lock is held by this very thread.
  RACEFUZZ_CONTRACT(!internal::InCallback(), "rcu-synchronize-in-callback",
                    "T%d calls synchronize_rcu from an RCU callback: callbacks run in softirq-like "
                    "context and must not block or wait for a grace period",
                    current_thread());
  RACEFUZZ_CONTRACT(!rcu_read_lock_held(), "rcu-synchronize-in-read-side",
                    "T%d calls synchronize_rcu inside its own RCU read-side critical section: it "
                    "would wait for itself forever",
                    current_thread());
  yield_point("synchronize_rcu");
  if (kthreads_available()) {
    // The first grace period that starts after this call (one in progress may have passed a
    // reader that began before it).
    const uint64_t need = get_state_synchronize_rcu() + 1;
    internal::RequestGracePeriod(need);
    wait_until([&] { return g_completed.load(std::memory_order_relaxed) >= need; },
               "synchronize_rcu_wait");
  } else {
    wait_until(TryClaim, "rcu_gp_serialize");
    RunGracePeriod();
    g_busy.store(false, Bookkeeping(std::memory_order_release));
  }
  // Every reader the grace period waited for happens-before the return: pairs with the release
  // store of each reader's outermost unlock.
  if (!internal::GracePeriodsSkipped()) internal::AcquireReaders();
}

uint64_t get_state_synchronize_rcu() {
  return g_started.load(Bookkeeping(std::memory_order_seq_cst));
}

uint64_t start_poll_synchronize_rcu() {
  const uint64_t cookie = get_state_synchronize_rcu();
  internal::RequestGracePeriod(cookie + 1);
  return cookie;
}

bool poll_state_synchronize_rcu(uint64_t cookie) {
  if (grace_periods_since(cookie) == 0) return false;
  // The readers the elapsed grace period waited for happen-before the caller (who may now free
  // what they read), as after synchronize_rcu; the counters alone carry no happens-before in
  // deterministic mode.
  internal::AcquireReaders();
  return true;
}

void cond_synchronize_rcu(uint64_t cookie) {
  yield_point("cond_synchronize_rcu");
  if (!poll_state_synchronize_rcu(cookie)) synchronize_rcu();
}

uint64_t grace_periods_since(uint64_t cookie) {
  // Grace period k started after the cookie was taken iff k > cookie; they complete in order.
  const uint64_t done = g_completed.load(Bookkeeping(std::memory_order_seq_cst));
  return done > cookie ? done - cookie : 0;
}

namespace testing {

ScopedSkipGracePeriods::ScopedSkipGracePeriods() { g_skip.store(true); }
ScopedSkipGracePeriods::~ScopedSkipGracePeriods() { g_skip.store(false); }

}  // namespace testing
}  // namespace racefuzz::rcu
