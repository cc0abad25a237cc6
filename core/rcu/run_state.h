// The RCU model's state for one run (issue 12): the grace-period numbers and the grace-period
// kthread's request, the callback queues and who is invoking a callback. Owned by the engine that
// executes runs and installed in each run (core/sched/model_state.h), not a process global: each
// deterministic scheduler, the thread pool and code outside runs have their own, and the end of a
// run resets its own (callbacks.cc) after invoking what is left. Code outside runs is one long run:
// its callbacks are invoked by an rcu_barrier outside runs (or at the end of a sequential run),
// never by a run's kthreads, and a run's rcu_barrier does not wait for them.
//
// The reader slots (read_side.h) are not in it: they are a table by thread id, reset at every
// run's end (reader_slots.cc). Not for models or targets.
#ifndef RACEFUZZ_CORE_RCU_RUN_STATE_H_
#define RACEFUZZ_CORE_RCU_RUN_STATE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>

#include "absl/functional/any_invocable.h"
#include "core/rcu/read_side.h"
#include "core/sched/model_state.h"
#include "core/sched/sync.h"

namespace racefuzz::rcu::internal {

// Happens-before cells per grace period (deterministic runs), indexed by its number mod kGpCells.
// A cell is reused kGpCells grace periods later: an edge through it is then a superset, which can
// happen only to a waiter that sees its grace period completed 64 later, or a reader slot that
// begins no section for 62 grace periods (docs/rcu.md).
inline constexpr int kGpCells = 64;

// Requests kept per reader slot (SlotGracePeriods::requested). An older one is forgotten: an age
// then begins at a later request (smaller: the oracle may miss a bug there, never report a false
// one).
inline constexpr int kRequestLog = 16;

// Grace periods of one run (grace_period.cc).
//
// Invariants: completed <= started <= completed + 1 (grace periods are serialized); all start at 0
// in every run.
struct GracePeriods {
  // Deterministic runs, the requirements' two memory-barrier guarantees as happens-before: what
  // every requester of grace period g did before asking (released into before[g % kGpCells]) ->
  // each section that begins after g's quiescent state on its slot (acquired at its outermost
  // lock: guarantee 2); the sections g waited for -> g's waiters and the callbacks g made ready
  // (the grace-period kthread releases at_end[g % kGpCells] when g completes: guarantee 1).
  std::array<char, kGpCells> before{};
  std::array<char, kGpCells> at_end{};
  // Numbers of the grace periods started and completed.
  std::atomic<uint64_t> started{0};
  std::atomic<uint64_t> completed{0};
  // Deterministic runs: the highest grace period a waiter or a callback needs; the grace-period
  // kthread runs grace periods until it has completed.
  std::atomic<uint64_t> requested{0};
  // Whether the run's grace-period kthread exists.
  std::atomic<bool> kthread_spawned{false};
  // Threads mode and outside runs: held by the caller running a grace period.
  std::atomic<bool> busy{false};
};

// A callback queued by call_rcu.
struct Pending {
  uint64_t cookie;         // get_state_synchronize_rcu() when queued
  ReaderSnapshot readers;  // the sections open when queued (the age oracle)
  absl::AnyInvocable<void() &&> callback;
};

// One callback queue per reader slot: the kernel's per-CPU callback lists, each invoked by its own
// rcuo kthread in deterministic runs (as with rcu_nocbs). One thread's callbacks run in the order
// it queued them; callbacks of different threads in whatever order the schedule picks.
//
// Invariants: `pending` is in call order (cookies never decrease along it) and guarded by `mu`;
// `queued` counts every callback queued here in the run, `invoked` every one that has returned, so
// invoked <= queued and queued - invoked callbacks are pending or running.
struct CallbackQueue {
  // A spinlock, as in the kernel: call_rcu may be called inside a read-side critical section or
  // a callback, where nothing may sleep (sleep_checks.h).
  SpinLock mu{"rcu_callbacks"};
  std::deque<Pending> pending;
  std::atomic<uint64_t> queued{0};
  std::atomic<uint64_t> invoked{0};
  std::atomic<bool> kthread_spawned{false};  // the run's rcuo kthread for this queue exists
  // Bumped by every wake-up of the rcuo kthread (a callback queued, a grace period completed): it
  // sleeps only if none came since it began to look, so none is lost.
  std::atomic<uint64_t> wakeups{0};
};

// A reader slot in the run's grace periods (deterministic runs).
struct SlotGracePeriods {
  // The newest grace period that recorded this slot's quiescent state (written by the grace-period
  // kthread): the slot's sections that begin from now on are ordered after its requesters.
  std::atomic<uint64_t> quiescent{0};
  // The newest grace period whose requesters this slot's sections are ordered after (its reader).
  std::atomic<uint64_t> acquired{0};
  // Whether the slot's thread has begun a section in the run: only then does a grace period yield
  // before its quiescent state, to let the input choose whether a reader about to begin is waited
  // for or ordered after the grace period's start.
  std::atomic<bool> reads{false};
  // The grace periods the slot's thread has asked for (get_state_synchronize_rcu and every
  // request made through it), the last kRequestLog of them by request number: where TortureAge's
  // age begins in weak runs (RetirementCookie).
  std::atomic<uint64_t> requests{0};
  std::array<std::atomic<uint64_t>, kRequestLog> requested{};
};

class RcuRunState final : public ModelState {
 public:
  GracePeriods gp;
  std::array<SlotGracePeriods, kSlots> slots;
  std::array<CallbackQueue, kSlots> queues;
  // Per reader slot: 1 + the queue whose callback the slot's thread is invoking now, or 0. Each
  // entry is written by its slot's thread only (relaxed).
  std::array<std::atomic<int>, kSlots> invoking{};
  // Per reader slot: how many SRCU domains its thread is inside a read-side section of (srcu.cc),
  // so that a thread exiting inside one is reported. Written by its slot's thread only (relaxed);
  // checked and reset by srcu.cc's run end hook.
  std::array<std::atomic<int>, kSlots> srcu_sections{};

  // The end of a run, once nothing is pending: back to the state every run starts from.
  //
  // Safety: no callback pending or running, no thread of the run left.
  void Reset();
};

// The active run's RCU state.
RcuRunState& RunState();

}  // namespace racefuzz::rcu::internal

#endif  // RACEFUZZ_CORE_RCU_RUN_STATE_H_
