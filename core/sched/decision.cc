// The decision loop of a deterministic run: every event is recorded, and at every yield point or
// block the schedule picks the next thread among the runnable ones. Nothing here scans the thread
// table: the runnable set is kept by ThreadTable, and a decision with one runnable thread asks no
// one. A fiber switch (and the sanitizers' fiber annotations) happens only when the pick is another
// thread.
#include "absl/strings/str_format.h"
#include "core/check/report.h"
#include "core/sched/hooks.h"
#include "core/sched/internal.h"
#include "core/sched/scheduler.h"
#include "core/sched/wait_list.h"

namespace racefuzz {

using internal::ThreadState;

// SAFETY (whole file): the sources' and the table's state are touched by every fiber with no
// happens-before between them; they are racefuzz's bookkeeping, compiled without TSan (every
// schedule source is, too: core/CMakeLists.txt).

RACEFUZZ_SCHED_INTERNAL ThreadId Scheduler::Choose(absl::Span<const ThreadId> runnable) {
  if (runnable.size() == 1) return runnable[0];
  const ThreadId next = source_->Pick(runnable, current_);
  trace_.RecordDecision(next);
  return next;
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::Record(Label op, Object obj, const Range* range) {
  trace_.Record(current_, op, obj, range);
  last_event_[current_ + 1] = trace_.events();
  if (options_.interleaving_coverage) coverage_.OnEvent(current_, op, obj);
  if (trace_.events() > options_.max_steps) ReportLivelock();
  // Another thread's step may have changed what a parked thread waits for.
  threads_.WakeParked();
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::YieldPoint(Label op, Object obj, const Range* range) {
  Record(op, obj, range);
  if (current_ != kNoThread) Reschedule();
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::Note(Label op, Object obj, const Range* range) {
  Record(op, obj, range);
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::Reschedule() {
  absl::Span<const ThreadId> runnable = threads_.runnable();
  if (runnable.empty()) {
    if (!StopSleepingKthreads()) ReportDeadlock();
    runnable = threads_.runnable();
  }
  const ThreadId next = Choose(runnable);
  if (next == current_) return;
  const ThreadId prev = current_;
  internal::SimThread& from = threads_[prev];
  // Switched out after the first event of a predicate check: the others run after its first read.
  if (from.check_from != 0 && last_event_[prev + 1] > from.check_from)
    from.check_interrupted = true;
  current_ = next;
  internal::SwitchFiber(threads_[prev].ctx, threads_[next].ctx, /*from_exits=*/false);
  internal::RunSwitchHooks(current_);  // this thread runs again
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::Suspend(ThreadState state, const void* on, Label op,
                                                Object obj, std::source_location site) {
  internal::SimThread& th = threads_[current_];
  th.blocked_on = on;
  th.blocked_op = op.name;
  th.blocked_obj = obj;
  th.blocked_site = site;
  threads_.Stop(current_, state);
  Reschedule();
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::Block(const void* on, Label op, Object obj,
                                              std::source_location site) {
  // What this thread did since its last event (the access after a yield point) may be what a
  // parked thread waits for: it checks again, or a wait_until would be a false deadlock report.
  threads_.WakeParked();
  Suspend(ThreadState::kBlocked, on, op, obj, site);
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::KthreadSleep(const void* on, Label op, Object obj,
                                                     std::source_location site) {
  if (current_ == kNoThread || !threads_[current_].kthread) {
    check::Fail("kthread-outside-deterministic-run",
                absl::StrFormat("kthread_sleep called by T%d, which is not a kthread", current_));
  }
  if (stopping_) return;
  internal::SimThread& th = threads_[current_];
  th.sleeping = true;
  Block(on, op, obj, site);
  th.sleeping = false;
}

RACEFUZZ_SCHED_INTERNAL bool Scheduler::StopSleepingKthreads() {
  bool any = false;
  for (int t = 0; t < threads_.size(); ++t) {
    const internal::SimThread& th = threads_[t];
    if (th.state == ThreadState::kFinished) continue;
    if (th.state != ThreadState::kBlocked || !th.sleeping) return false;
    any = true;
  }
  if (!any) return false;
  stopping_ = true;
  for (int t = 0; t < threads_.size(); ++t) {
    const internal::SimThread& th = threads_[t];
    if (th.state == ThreadState::kBlocked) threads_.Wake(th.blocked_on);
  }
  return true;
}

RACEFUZZ_SCHED_INTERNAL bool Scheduler::SpuriousWakeup(Label op, Object obj) {
  if (current_ == kNoThread) return false;
  const bool spurious = source_->SpuriousWakeup(current_);
  trace_.RecordWakeup(spurious);
  if (spurious) Record(op, obj, nullptr);
  return spurious;
}

RACEFUZZ_SCHED_INTERNAL size_t Scheduler::CopySplit(size_t left) {
  // With one runnable thread nobody could run in the middle: no split, no input byte.
  if (current_ == kNoThread || left < 2 || threads_.runnable().size() < 2) return 0;
  size_t n = source_->CopySplit(left);
  if (n >= left) n = 0;
  trace_.RecordSplit(n);
  return n;
}

RACEFUZZ_SCHED_INTERNAL size_t Scheduler::ChooseRead(size_t n) {
  const size_t back = source_->ChooseRead(current_, n);
  if (back >= n) return 0;
  trace_.RecordRead(static_cast<uint8_t>(back));
  return back;
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::BeginWaitCheck() {
  if (current_ == kNoThread) return;  // a run's setup: Park reports the wait
  internal::SimThread& th = threads_[current_];
  // The thread runs on until its first event: that event is the next step. Switched out at that
  // event, the others run before the predicate's first read, which sees what they did.
  th.check_from = trace_.events() + 1;
  th.check_interrupted = false;
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::Park(Label op, Object obj, std::source_location site) {
  if (current_ == kNoThread) internal::FailWaitOutsideRun("wait_until", site);
  internal::SimThread& th = threads_[current_];
  const bool interrupted = th.check_interrupted;
  th.check_from = 0;
  th.check_interrupted = false;
  if (run_.memory != nullptr) {
    // A wait that failed on a stale read is checked once more against the newest stores before
    // the thread parks: otherwise a waiter whose waker has finished would be a false deadlock.
    if (run_.memory->TakeStaleRead()) {
      run_.memory->SetNewestOnly(true);
      return;
    }
    run_.memory->SetNewestOnly(false);
  }
  if (interrupted) return;  // what the predicate read first may have changed since: check again
  Suspend(ThreadState::kParked, nullptr, op, obj, site);
}

}  // namespace racefuzz
