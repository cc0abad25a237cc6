#include "core/rcu/run_state.h"

namespace racefuzz::rcu::internal {
namespace {

const int g_kind = add_model_state([]() -> ModelState* { return new RcuRunState(); });

}  // namespace

RcuRunState& RunState() { return static_cast<RcuRunState&>(run_model_state(g_kind)); }

void RcuRunState::Reset() {
  gp.started.store(0, std::memory_order_relaxed);
  gp.completed.store(0, std::memory_order_relaxed);
  gp.requested.store(0, std::memory_order_relaxed);
  gp.kthread_spawned.store(false, std::memory_order_relaxed);
  for (int q = 0, queues_used = SlotsInUse(); q < queues_used; ++q) {
    slots[q].quiescent.store(0, std::memory_order_relaxed);
    slots[q].acquired.store(0, std::memory_order_relaxed);
    slots[q].reads.store(false, std::memory_order_relaxed);
    slots[q].requests.store(0, std::memory_order_relaxed);
    CallbackQueue& cq = queues[q];
    cq.queued.store(0, std::memory_order_relaxed);
    cq.invoked.store(0, std::memory_order_relaxed);
    cq.kthread_spawned.store(false, std::memory_order_relaxed);
    cq.wakeups.store(0, std::memory_order_relaxed);
  }
}

}  // namespace racefuzz::rcu::internal
