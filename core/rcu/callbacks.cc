#include "core/rcu/callbacks.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <optional>

#include "core/check/report.h"
#include "core/rcu/callbacks_internal.h"
#include "core/rcu/grace_period.h"
#include "core/rcu/read_side.h"
#include "core/rcu/run_state.h"
#include "core/sched/happens_before.h"
#include "core/sched/kthread.h"
#include "core/sched/sync.h"

namespace racefuzz::rcu {
namespace {

using internal::CallbackQueue;
using internal::Pending;

// Tells queue `q`'s rcuo kthread to look again.
void WakeQueue(CallbackQueue& cq) {
  cq.wakeups.fetch_add(1, std::memory_order_relaxed);
  kthread_wake(&cq.wakeups);
}

std::array<CallbackQueue, internal::kSlots>& Queues() { return internal::RunState().queues; }

// A callback that queues another queues it on its own queue (the same CPU), and blocking in one is
// a contract violation, not a deadlock (RcuRunState::invoking).
std::atomic<int>& Invoking() { return internal::RunState().invoking[internal::CurrentSlot()]; }

// Takes queue `q`'s oldest callback if a full grace period has elapsed since it was queued, and
// invokes it on the calling thread. Returns whether it did.
bool InvokeOneReady(int q) {
  CallbackQueue& cq = Queues()[q];
  std::optional<Pending> p;
  {
    racefuzz::Guard<SpinLock> lock(cq.mu);
    // poll_state_synchronize_rcu acquires the readers the grace period waited for, so their
    // accesses happen-before the callback (TSan).
    if (!cq.pending.empty() && poll_state_synchronize_rcu(cq.pending.front().cookie)) {
      p.emplace(std::move(cq.pending.front()));
      cq.pending.pop_front();
    }
  }
  if (!p.has_value()) return false;
  note("rcu_callback");
  p->readers.CheckReadersLeft("runs an RCU callback", "its call_rcu");
  {
    const internal::InvokingCallback invoking(q);
    // SAFETY: the callback's grace period has completed (poll_state_synchronize_rcu above), so no
    // reader that could see what it frees is still in its read-side critical section (the age
    // oracle just checked).
    std::move(p->callback)();
  }
  // The callback happens-before an rcu_barrier that waits for it.
  happens_before_release(&cq.invoked);
  cq.invoked.fetch_add(1, std::memory_order_relaxed);
  return true;
}

// The rcuo kthread of queue `q` (deterministic runs): invokes the queue's callbacks as their grace
// periods complete, in queue order, and sleeps otherwise.
// A wake-up that comes while it looks (the queue lock's unlock is a yield point) finds it awake: it
// sleeps only if none came since it began to look, with no yield point between that check and the
// sleep, so no wake-up is lost.
void CallbackKthread(int q) {
  CallbackQueue& cq = Queues()[q];
  while (!kthread_should_stop()) {
    const uint64_t seen = cq.wakeups.load(std::memory_order_relaxed);
    if (InvokeOneReady(q)) continue;
    if (cq.wakeups.load(std::memory_order_relaxed) != seen) continue;
    kthread_sleep(&cq.wakeups, "rcuo_sleep", {"rcuo", static_cast<uint64_t>(q)});
  }
}

// Callbacks queued before an rcu_barrier: each queue's `queued` at its call.
using Targets = std::array<uint64_t, internal::kSlots>;

bool AllInvoked(const Targets& targets) {
  for (int q = 0, queues = internal::SlotsInUse(); q < queues; ++q) {
    if (Queues()[q].invoked.load(std::memory_order_relaxed) < targets[q]) return false;
  }
  return true;
}

// Run end hook: the run's kthreads are gone. In deterministic runs they left nothing pending (a
// kthread sleeps only with no work); in threads mode, the callbacks no rcu_barrier invoked are
// invoked here, after a grace period that no reader can hold up any more. Then the run's RCU state
// is reset: the next run starts from the same one.
void OnRunEnd() {
  for (;;) {
    bool left = false;
    for (CallbackQueue& cq : Queues()) {
      left |=
          cq.queued.load(std::memory_order_relaxed) != cq.invoked.load(std::memory_order_relaxed);
    }
    if (!left) break;
    internal::CompleteGracePeriodAtRunEnd();
    for (int q = 0; q < internal::kSlots; ++q) {
      while (InvokeOneReady(q)) {
      }
    }
  }
  internal::RunState().Reset();
}

[[maybe_unused]] const bool g_hooks_registered = [] {
  add_run_end_hook(&OnRunEnd);
  return true;
}();

}  // namespace

void call_rcu(absl::AnyInvocable<void() &&> callback) {
  const uint64_t cookie = get_state_synchronize_rcu();
  const internal::ReaderSnapshot readers = internal::ReaderSnapshot::Take();
  const int q = internal::CallbackQueueOfCaller();
  CallbackQueue& cq = Queues()[q];
  {
    racefuzz::Guard<SpinLock> lock(cq.mu);
    yield_point("call_rcu");
    cq.pending.push_back({cookie, readers, std::move(callback)});
    cq.queued.fetch_add(1, std::memory_order_relaxed);
  }
  if (!kthreads_available()) return;
  internal::RequestGracePeriod(cookie + 1);
  if (!cq.kthread_spawned.exchange(true, std::memory_order_relaxed)) {
    spawn_kthread([q] { CallbackKthread(q); });
  } else {
    // Its grace period may have completed already (one started before the cookie was taken).
    WakeQueue(cq);
  }
}

namespace internal {

void WakeCallbackKthreads() {
  for (CallbackQueue& cq : Queues()) {
    if (cq.kthread_spawned.load(std::memory_order_relaxed)) WakeQueue(cq);
  }
}

bool InCallback() { return Invoking().load(std::memory_order_relaxed) != 0; }

int CallbackQueueOfCaller() {
  const int invoking = Invoking().load(std::memory_order_relaxed);
  return invoking != 0 ? invoking - 1 : CurrentSlot();
}

InvokingCallback::InvokingCallback(int q) : outer_(Invoking().load(std::memory_order_relaxed)) {
  Invoking().store(q + 1, std::memory_order_relaxed);
}

InvokingCallback::~InvokingCallback() { Invoking().store(outer_, std::memory_order_relaxed); }

}  // namespace internal

void rcu_barrier() {
  // Checked before synchronize_rcu's own "rcu-synchronize-in-callback": the more precise clause.
  RACEFUZZ_CONTRACT(!internal::InCallback(), "rcu-barrier-in-callback",
                    "T%d calls rcu_barrier from an RCU callback: callbacks run in softirq-like "
                    "context and must not block; it would wait for itself",
                    current_thread());
  RACEFUZZ_CONTRACT(!rcu_read_lock_held(), "rcu-synchronize-in-read-side",
                    "T%d calls rcu_barrier inside its own RCU read-side critical section: it would "
                    "wait for itself forever",
                    current_thread());
  yield_point("rcu_barrier");
  Targets targets{};
  for (int q = 0, queues = internal::SlotsInUse(); q < queues; ++q) {
    targets[q] = Queues()[q].queued.load(std::memory_order_relaxed);
  }
  if (kthreads_available()) {
    // The rcuo kthreads invoke them.
    wait_until([&] { return AllInvoked(targets); }, "rcu_barrier_wait");
  } else {
    // No kthreads: the caller runs a grace period (after it, every callback queued before the call
    // is ready) and invokes them.
    while (!AllInvoked(targets)) {
      synchronize_rcu();
      for (int q = 0, queues = internal::SlotsInUse(); q < queues; ++q) {
        while (Queues()[q].invoked.load(std::memory_order_relaxed) < targets[q] &&
               InvokeOneReady(q)) {
        }
      }
    }
  }
  for (int q = 0, queues = internal::SlotsInUse(); q < queues; ++q) {
    if (targets[q] != 0) happens_before_acquire(&Queues()[q].invoked);
  }
}

}  // namespace racefuzz::rcu
