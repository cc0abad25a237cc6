#include "core/rcu/sleep_checks.h"

#include "core/check/report.h"
#include "core/rcu/callbacks_internal.h"
#include "core/rcu/read_side.h"

namespace racefuzz::rcu::internal {

void CheckMaySleep(Label op, Object obj) {
  // A callback is checked first: one that takes a guard and then sleeps breaks the stronger rule.
  RACEFUZZ_CONTRACT(!InCallback(), "rcu-sleep-in-callback",
                    "T%d calls %s(%s), which may sleep, from an RCU callback: callbacks run in "
                    "softirq-like context and must not sleep (a spinlock may be taken)",
                    current_thread(), op.name, obj.kind == nullptr ? "" : obj.kind);
  RACEFUZZ_CONTRACT(!rcu_read_lock_held(), "rcu-sleep-in-read-side",
                    "T%d calls %s(%s), which may sleep, inside its RCU read-side critical "
                    "section: a reader must not sleep (the kernel: \"Illegal context switch in RCU "
                    "read-side critical section\"; a spinlock may be taken, or use SRCU)",
                    current_thread(), op.name, obj.kind == nullptr ? "" : obj.kind);
}

}  // namespace racefuzz::rcu::internal
