// A deterministic run from its start to its end, and the threads' lives in it: spawn, the fiber's
// body, exit, join. The decision loop is in decision.cc.
#include "core/sched/scheduler.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "core/check/report.h"
#include "core/sched/happens_before.h"
#include "core/sched/hooks.h"
#include "core/sched/internal.h"

namespace racefuzz {

using internal::SimThread;
using internal::ThreadState;

Scheduler& Scheduler::Get() {
  // One per OS thread, never destroyed (fiber stacks and TSan fibers live for the process).
  static thread_local Scheduler* scheduler = new Scheduler();
  return *scheduler;
}

Scheduler::Scheduler() : threads_(this) {}

RACEFUZZ_SCHED_INTERNAL void Scheduler::Run(ScheduleSource& source, absl::FunctionRef<void()> setup,
                                            RunOptions options) {
  if (running_) check::Fail("scheduler-reentered", "Scheduler::Run called inside a run");
  running_ = true;
  source_ = &source;
  options_ = options;
  trace_.Clear(options.max_steps + 1);
  if (options.interleaving_coverage) coverage_.Reset();
  std::fill_n(last_event_.begin(), threads_.size() + 1, 0);
  threads_.Reset();
  stopping_ = false;
  current_ = kNoThread;
  internal::CaptureCurrent(main_);
  run_ = internal::Run{.mode = Mode::kDeterministic,
                       .engine = this,
                       .scheduler = this,
                       .timeline = &trace_,
                       .print_trace_hash = options.print_trace_hash,
                       .schedule_name = source.name()};
  models_.CreateMissing();
  run_.models = &models_;
  heap_threads_.BeginRun();
  run_.heap = &heap_threads_;
  if (options.memory == MemoryMode::kWeak) {
    memory_.Reset();
    run_.memory = &memory_;
  }
  {
    internal::RunScope installed(run_);
    setup();

    // The main context hands the CPU to a simulated thread, and gets it back each time one
    // finishes.
    for (;;) {
      const absl::Span<const ThreadId> runnable = threads_.runnable();
      if (runnable.empty()) {
        if (threads_.all_finished()) break;
        if (!StopSleepingKthreads()) ReportDeadlock();
        continue;
      }
      const ThreadId next = Choose(runnable);
      current_ = next;
      internal::SwitchFiber(main_, threads_[next].ctx, /*from_exits=*/false);
      OnThreadExit(current_);
    }

    // Joins every thread: all they did happens-before what the caller does next.
    for (int t = 0; t < threads_.size(); ++t) happens_before_acquire(&threads_[t]);
    current_ = kNoThread;
    internal::RunRunEndHooks();  // still installed: a report prints the timeline
  }
  running_ = false;
}

RACEFUZZ_SWITCH_CODE void Scheduler::FiberMain(void* arg) {
  SimThread& th = *static_cast<SimThread*>(arg);
  th.owner->RunBody(th);
  internal::SwitchFiber(th.ctx, th.owner->main_, /*from_exits=*/true);
}

void Scheduler::RunBody(SimThread& th) {
  happens_before_acquire(&th);  // pairs with the release in Spawn, like pthread_create
  internal::RunSwitchHooks(th.id);
  th.body();
  th.body = nullptr;  // destroys the captures on this thread, before the join edge
  internal::RunThreadExitHooks(th.id);
  happens_before_release(&th);  // pairs with the acquire in Join / the end of Run
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::OnThreadExit(ThreadId t) {
  threads_.Stop(t, ThreadState::kFinished);
  Record("exit", {}, nullptr);
  Wake(&threads_[t]);
}

RACEFUZZ_SCHED_INTERNAL ThreadId Scheduler::Spawn(absl::AnyInvocable<void()> body) {
  return SpawnThread(std::move(body), /*kthread=*/false);
}

RACEFUZZ_SCHED_INTERNAL ThreadId Scheduler::SpawnKthread(absl::AnyInvocable<void()> body) {
  return SpawnThread(std::move(body), /*kthread=*/true);
}

RACEFUZZ_SCHED_INTERNAL ThreadId Scheduler::SpawnThread(absl::AnyInvocable<void()> body,
                                                        bool kthread) {
  if (threads_.size() >= kMaxThreads) internal::ExitTooManyThreads();
  SimThread& th = threads_.Add(std::move(body));
  internal::NoteThreadId(th.id);
  th.kthread = kthread;
  // TSan numbers threads its own way ("thread T2"); the fiber name carries racefuzz's id.
  char name[40];
  if (kthread) {
    absl::SNPrintF(name, sizeof(name), "racefuzz T%d (kthread)", th.id);
  } else {
    absl::SNPrintF(name, sizeof(name), "racefuzz T%d", th.id);
  }
  internal::PrepareFiber(th.ctx, th.stack, &Scheduler::FiberMain, &th, name);
  happens_before_release(&th);
  source_->OnSpawn(th.id);
  const Object spawned{"thread", static_cast<uint64_t>(th.id)};
  if (kthread) {
    Record("spawn_kthread", spawned, nullptr);
  } else {
    Record("spawn", spawned, nullptr);
  }
  if (current_ != kNoThread) Reschedule();  // the new thread may run at once
  return th.id;
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::Join(ThreadId t) {
  if (t < 0 || t >= threads_.size() || t == current_) {
    check::Fail("bad-join", absl::StrFormat("T%d cannot join T%d", current_, t));
  }
  if (current_ == kNoThread) {
    check::Fail("bad-join", "join is for simulated threads; Run joins every thread at its end");
  }
  YieldPoint("join", {"thread", static_cast<uint64_t>(t)}, nullptr);
  while (threads_[t].state != ThreadState::kFinished) {
    Block(&threads_[t], "join", {"thread", static_cast<uint64_t>(t)},
          std::source_location::current());
  }
  happens_before_acquire(&threads_[t]);
}

}  // namespace racefuzz
