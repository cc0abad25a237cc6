#include "core/rcu/torture.h"

#include "core/check/report.h"
#include "core/rcu/callbacks_internal.h"
#include "core/rcu/grace_period.h"
#include "core/sched/runtime.h"

namespace racefuzz::rcu {

void TortureAge::retire() const {
  retired_cookie_.store(internal::CurrentCookie(), std::memory_order_relaxed);
}

uint64_t TortureAge::age() const {
  const uint64_t cookie = retired_cookie_.load(std::memory_order_relaxed);
  return cookie == kLive ? 0 : grace_periods_since(cookie);
}

void TortureAge::check(const char* what, uint64_t id) const {
  const uint64_t a = age();
  RACEFUZZ_CONTRACT(a == 0, "rcu-grace-period-too-short",
                    "T%d reads %s %d, retired %d full grace period(s) ago: a reader that can still "
                    "see an object must have begun before its retirement, and no grace period may "
                    "end while that reader is in its read-side critical section",
                    current_thread(), what, id, a);
}

}  // namespace racefuzz::rcu
