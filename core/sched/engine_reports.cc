// The deterministic engine's own reports: every live thread blocked (deadlock), the step budget
// passed (livelock).
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/check/report.h"
#include "core/sched/internal.h"
#include "core/sched/scheduler.h"

namespace racefuzz {

using internal::ThreadState;

RACEFUZZ_SCHED_INTERNAL void Scheduler::ReportDeadlock() {
  std::string details = "every live simulated thread is blocked:";
  for (int t = 0; t < threads_.size(); ++t) {
    const internal::SimThread& th = threads_[t];
    // A sleeping kthread waits for work, not for the others (kthread.h).
    if (th.state == ThreadState::kFinished || th.sleeping) continue;
    absl::StrAppendFormat(&details, "\n  T%d %s in %s", t,
                          th.state == ThreadState::kParked ? "waits" : "blocked", th.blocked_op);
    if (th.blocked_obj.kind != nullptr) {
      absl::StrAppend(&details, " ", ObjectName(th.blocked_obj));
    }
    absl::StrAppendFormat(&details, " at %s:%d", th.blocked_site.file_name(),
                          th.blocked_site.line());
  }
  check::Fail("deadlock", details);
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::ReportLivelock() {
  check::Fail(
      "livelock",
      absl::StrFormat("the run passed its budget of %d steps (a spin-wait that never "
                      "ends?); raise it with RACEFUZZ_MAX_STEPS if the program is just long",
                      options_.max_steps));
}

}  // namespace racefuzz
