#include "core/rcu/grace_period.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <limits>

#include "core/check/report.h"
#include "core/rcu/callbacks_internal.h"
#include "core/rcu/read_side.h"
#include "core/rcu/run_state.h"
#include "core/sched/happens_before.h"
#include "core/sched/kthread.h"
#include "core/sched/sync.h"

namespace racefuzz::rcu {
namespace {

// The memory order of the grace-period bookkeeping (the counters and the busy flag). In threads
// mode it is `strong`, so cookies and the serialization are right on real, weakly ordered threads.
// In deterministic mode every simulated thread runs on one OS thread, so the order changes nothing
// but what TSan sees: relaxed there, so that the bookkeeping adds no happens-before between
// updaters, or from an updater to a reader checking an object's age, that would hide a race.
std::memory_order Bookkeeping(std::memory_order strong) {
  return current_mode() == Mode::kThreads ? strong : std::memory_order_relaxed;
}

internal::GracePeriods& RunGracePeriods() { return internal::RunState().gp; }

bool TryClaim(internal::GracePeriods& gps) {
  bool expected = false;
  return gps.busy.compare_exchange_strong(expected, true, Bookkeeping(std::memory_order_acquire));
}

Object ReaderObject(int slot) {
  return slot == 0 ? Object{"setup_reader", 0}
                   : Object{"reader_T", static_cast<uint64_t>(slot - 1)};
}

// Waits until every read-side critical section open now has ended.
void WaitForReaders() {
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
    wait_until([&] { return s.seq.load(std::memory_order_relaxed) != open[i]; }, "rcu_gp_wait",
               ReaderObject(i));
  }
}

// Runs one grace period, on the calling thread.
void RunGracePeriod(internal::GracePeriods& gps) {
  const uint64_t gp = gps.started.fetch_add(1, Bookkeeping(std::memory_order_seq_cst)) + 1;
  WaitForReaders();
  gps.completed.store(gp, Bookkeeping(std::memory_order_seq_cst));
  note("rcu_gp_end");
}

// Runs one grace period on the grace-period kthread (deterministic runs), as the kernel's tree RCU
// does: it starts, then records each reader slot's quiescent state in turn. Before a slot whose
// thread reads in this run, a yield point: the input chooses whether a section about to begin
// begins before the slot's quiescent state (the grace period waits for it) or after (it is ordered
// after the grace period's requesters). At the quiescent state the slot is outside any section:
// the grace period waits until it is, then acquires every section the slot has ended (guarantee 1)
// and records the quiescent state, which the slot's next outermost lock acquires the requesters'
// past for (guarantee 2, BeginSection). The end releases everything acquired to the grace period's
// waiters and callbacks (at_end). Nothing else is ordered: a section that begins after its slot's
// quiescent state is not acquired by this grace period.
void RunGracePeriodOnKthread(internal::RcuRunState& st) {
  internal::GracePeriods& gps = st.gp;
  const uint64_t gp = gps.started.fetch_add(1, std::memory_order_relaxed) + 1;
  // Re-read every turn: a thread spawned while the grace period runs gets a slot past the end.
  for (int i = 0; i < internal::SlotsInUse(); ++i) {
    internal::SlotGracePeriods& slot = st.slots[i];
    const Object reader = ReaderObject(i);
    if (slot.reads.load(std::memory_order_relaxed)) yield_point("rcu_gp_qs", reader);
    internal::ReaderSlot& s = internal::Slot(i);
    if (s.seq.load(std::memory_order_relaxed) & 1) {
      wait_until([&] { return (s.seq.load(std::memory_order_relaxed) & 1) == 0; }, "rcu_gp_wait",
                 reader);
    }
    happens_before_acquire(&s.ended);
    slot.quiescent.store(gp, std::memory_order_relaxed);
  }
  gps.completed.store(gp, std::memory_order_relaxed);
  happens_before_release(&gps.at_end[gp % internal::kGpCells]);
  note("rcu_gp_end");
}

// The grace-period kthread of a deterministic run (the kernel's rcu_gp_kthread): runs grace
// periods while one is requested, telling the callback kthreads after each, and sleeps otherwise.
// The input schedules it like any thread, so when a grace period starts and ends is explored.
void GracePeriodKthread() {
  internal::RcuRunState& st = internal::RunState();
  internal::GracePeriods& gps = st.gp;
  while (!kthread_should_stop()) {
    if (gps.completed.load(std::memory_order_relaxed) <
        gps.requested.load(std::memory_order_relaxed)) {
      RunGracePeriodOnKthread(st);
      internal::WakeCallbackKthreads();
      continue;
    }
    kthread_sleep(&gps.requested, "rcu_gp_kthread_sleep");
  }
}

}  // namespace

namespace internal {

void BeginSection(int slot) {
  internal::RcuRunState& st = RunState();
  SlotGracePeriods& sg = st.slots[slot];
  sg.reads.store(true, std::memory_order_relaxed);
  const uint64_t quiescent = sg.quiescent.load(std::memory_order_relaxed);
  uint64_t from = sg.acquired.load(std::memory_order_relaxed);
  if (quiescent - from > static_cast<uint64_t>(kGpCells)) from = quiescent - kGpCells;
  for (uint64_t g = from + 1; g <= quiescent; ++g) {
    happens_before_acquire(&st.gp.before[g % kGpCells]);
  }
  sg.acquired.store(quiescent, std::memory_order_relaxed);
}

void EndSection(int slot) { happens_before_release(&Slot(slot).ended); }

uint64_t CurrentCookie() {
  return RunGracePeriods().started.load(Bookkeeping(std::memory_order_seq_cst));
}

void ReleaseToReadersAfter(uint64_t gp) {
  if (!kthreads_available()) return;
  happens_before_release(&RunGracePeriods().before[gp % kGpCells]);
  SlotGracePeriods& sg = RunState().slots[CurrentSlot()];
  const uint64_t n = sg.requests.load(std::memory_order_relaxed);
  sg.requested[n % kRequestLog].store(gp, std::memory_order_relaxed);
  sg.requests.store(n + 1, std::memory_order_relaxed);
}

Retirement Retire() {
  Retirement r{.cookie = CurrentCookie()};
  if (kthreads_available()) {
    r.slot = CurrentSlot();
    r.requests = RunState().slots[r.slot].requests.load(std::memory_order_relaxed);
  }
  return r;
}

uint64_t RetirementCookie(const Retirement& r) {
  if (!kthreads_available() || !weak_memory()) return r.cookie;
  const SlotGracePeriods& sg = RunState().slots[r.slot];
  const uint64_t n = sg.requests.load(std::memory_order_relaxed);
  if (n == r.requests) return std::numeric_limits<uint64_t>::max();
  const uint64_t first = std::max(r.requests, n > kRequestLog ? n - kRequestLog : 0);
  // Grace period `gp` (and every later one) orders the retirement: count from gp - 1.
  return std::max(r.cookie, sg.requested[first % kRequestLog].load(std::memory_order_relaxed) - 1);
}

void AcquireReaders() {
  for (int i = 0, slots = SlotsInUse(); i < slots; ++i) {
    (void)Slot(i).seq.load(std::memory_order_acquire);
  }
}

void RequestGracePeriod(uint64_t gp) {
  if (!kthreads_available()) return;
  internal::GracePeriods& gps = RunGracePeriods();
  if (gps.requested.load(std::memory_order_relaxed) < gp) {
    gps.requested.store(gp, std::memory_order_relaxed);
  }
  if (gps.kthread_spawned.exchange(true, std::memory_order_relaxed)) {
    kthread_wake(&gps.requested);
  } else {
    spawn_kthread(&GracePeriodKthread);
  }
}

void CompleteGracePeriodAtRunEnd() {
  internal::GracePeriods& gps = RunGracePeriods();
  const uint64_t gp = gps.started.fetch_add(1, Bookkeeping(std::memory_order_seq_cst)) + 1;
  gps.completed.store(gp, Bookkeeping(std::memory_order_seq_cst));
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
    // Everything before the call happens-before the sections that begin after the grace
    // period's quiescent state on their slot (guarantee 2).
    const uint64_t need = get_state_synchronize_rcu() + 1;
    internal::RequestGracePeriod(need);
    internal::GracePeriods& gps = RunGracePeriods();
    wait_until([&] { return gps.completed.load(std::memory_order_relaxed) >= need; },
               "synchronize_rcu_wait");
    // Every section the grace period waited for happens-before the return (guarantee 1).
    happens_before_acquire(&gps.at_end[need % internal::kGpCells]);
    return;
  }
  internal::GracePeriods& gps = RunGracePeriods();
  wait_until([&] { return TryClaim(gps); }, "rcu_gp_serialize");
  RunGracePeriod(gps);
  gps.busy.store(false, Bookkeeping(std::memory_order_release));
  // Threads mode and outside runs: every reader slot's last outermost unlock happens-before the
  // return (pairs with its release store), a superset of the sections the grace period waited for.
  internal::AcquireReaders();
}

uint64_t get_state_synchronize_rcu() {
  const uint64_t cookie = internal::CurrentCookie();
  internal::ReleaseToReadersAfter(cookie + 1);
  return cookie;
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
  // deterministic mode. There, exactly the sections grace period cookie + 1 (the first that
  // started after the cookie) waited for.
  if (kthreads_available()) {
    happens_before_acquire(&RunGracePeriods().at_end[(cookie + 1) % internal::kGpCells]);
  } else {
    internal::AcquireReaders();
  }
  return true;
}

void cond_synchronize_rcu(uint64_t cookie) {
  yield_point("cond_synchronize_rcu");
  if (!poll_state_synchronize_rcu(cookie)) synchronize_rcu();
}

uint64_t grace_periods_since(uint64_t cookie) {
  // Grace period k started after the cookie was taken iff k > cookie; they complete in order.
  const uint64_t done = RunGracePeriods().completed.load(Bookkeeping(std::memory_order_seq_cst));
  return done > cookie ? done - cookie : 0;
}

}  // namespace racefuzz::rcu
