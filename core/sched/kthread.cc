#include "core/sched/kthread.h"

#include "absl/strings/str_format.h"
#include "core/check/report.h"
#include "core/sched/run.h"
#include "core/sched/scheduler.h"

namespace racefuzz {
namespace {

void RequireDeterministicRun(const char* what) {
  if (kthreads_available()) return;
  check::Fail("kthread-outside-deterministic-run",
              absl::StrFormat("%s outside a deterministic run: kthreads exist only there (threads "
                              "mode and code outside runs do the work in their callers)",
                              what));
}

}  // namespace

ThreadId spawn_kthread(absl::AnyInvocable<void()> body) {
  RequireDeterministicRun("spawn_kthread");
  return internal::ActiveScheduler().SpawnKthread(std::move(body));
}

bool kthread_should_stop() {
  return kthreads_available() && internal::ActiveScheduler().KthreadShouldStop();
}

void kthread_sleep(const void* on, Label op, Object obj, std::source_location site) {
  RequireDeterministicRun("kthread_sleep");
  internal::ActiveScheduler().KthreadSleep(on, op, obj, site);
}

void kthread_wake(const void* on) {
  if (kthreads_available()) internal::ActiveScheduler().Wake(on);
}

}  // namespace racefuzz
