// An rcutorture-style oracle: an object protected by RCU carries its age in grace periods since it
// was retired (unpublished), the "pipe count" of rcutorture. A reader must never see an object
// that a full grace period has passed since retiring: it would mean a grace period ended while a
// reader that could see the object was still in its read-side critical section. In weak runs the
// age counts only grace periods the retiring thread asked for after the retirement (as
// rcutorture's writer counts its own): another thread's grace period does not order the retirement
// before later readers, which may then still read the old pointer (RetirementCookie).
//
// Embed a TortureAge in the protected type, call retire() right after unpublishing (through
// RcuOld::get()), and check() in the reader before reading the object. The age lives in the object
// (like rcutorture's rtort_pipe_count), so a use after the object is freed is ASan's to report;
// the oracle catches too-short grace periods while the memory is still valid (Arc, pools).
#ifndef RACEFUZZ_CORE_RCU_TORTURE_H_
#define RACEFUZZ_CORE_RCU_TORTURE_H_

#include <atomic>
#include <cstdint>
#include <limits>

#include "core/rcu/callbacks_internal.h"

namespace racefuzz::rcu {

class TortureAge {
 public:
  // Records that the object was unpublished now. Call after the store that unpublished it.
  void retire() const;

  // Grace periods completed entirely since retire(), 0 while live.
  uint64_t age() const;

  // Checks, in a reader holding a borrow of the object, that no full grace period has passed
  // since its retirement (contract check "rcu-grace-period-too-short"). `what` and `id` name the
  // object in the report.
  void check(const char* what, uint64_t id) const;

 private:
  static constexpr uint64_t kLive = std::numeric_limits<uint64_t>::max();
  // Atomics: written by the updater while readers may read them. The retirement (Retirement):
  // its cookie, kLive until then, and the slot and request count that weak runs count from.
  mutable std::atomic<uint64_t> retired_cookie_{kLive};
  mutable std::atomic<int> retired_slot_{0};
  mutable std::atomic<uint64_t> retired_requests_{0};
};

}  // namespace racefuzz::rcu

#endif  // RACEFUZZ_CORE_RCU_TORTURE_H_
