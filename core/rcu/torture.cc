#include "core/rcu/torture.h"

#include "core/check/report.h"
#include "core/rcu/callbacks_internal.h"
#include "core/rcu/grace_period.h"
#include "core/sched/runtime.h"

namespace racefuzz::rcu {

// Relaxed: the oracle adds no happens-before (the retirement's slot and request count matter in
// deterministic runs only, one OS thread, where the reader sees all three stores).
void TortureAge::retire() const {
  const internal::Retirement r = internal::Retire();
  retired_slot_.store(r.slot, std::memory_order_relaxed);
  retired_requests_.store(r.requests, std::memory_order_relaxed);
  retired_cookie_.store(r.cookie, std::memory_order_relaxed);
}

uint64_t TortureAge::age() const {
  const uint64_t cookie = retired_cookie_.load(std::memory_order_relaxed);
  if (cookie == kLive) return 0;
  return grace_periods_since(
      internal::RetirementCookie({.cookie = cookie,
                                  .slot = retired_slot_.load(std::memory_order_relaxed),
                                  .requests = retired_requests_.load(std::memory_order_relaxed)}));
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
