#include "core/sched/scheduler.h"

#include <cstdlib>
#include <string>

#include "absl/strings/str_format.h"
#include "core/check/report.h"
#include "core/sched/happens_before.h"
#include "core/sched/hooks.h"
#include "core/sched/internal.h"
#include "core/sched/thread_pool.h"

namespace racefuzz {

namespace internal {
Mode g_mode = Mode::kOff;

RACEFUZZ_SCHED_INTERNAL void YieldPointSlow(Label op, Object obj, const Range* range) {
  Scheduler::Get().YieldPoint(op, obj, range);
}
RACEFUZZ_SCHED_INTERNAL void NoteSlow(Label op, Object obj, const Range* range) {
  Scheduler::Get().Note(op, obj, range);
}
}  // namespace internal

ThreadId current_thread() {
  switch (internal::g_mode) {
    case Mode::kDeterministic:
      return Scheduler::Get().current();
    case Mode::kThreads:
      return ThreadPool::Current();
    case Mode::kOff:
      break;
  }
  return kNoThread;
}

ThreadId spawn(absl::AnyInvocable<void()> body) {
  switch (internal::g_mode) {
    case Mode::kDeterministic:
      return Scheduler::Get().Spawn(std::move(body));
    case Mode::kThreads:
      return ThreadPool::Get().Spawn(std::move(body));
    case Mode::kOff:
      break;
  }
  body();
  return kNoThread;
}

void join(ThreadId t) {
  switch (internal::g_mode) {
    case Mode::kDeterministic:
      return Scheduler::Get().Join(t);
    case Mode::kThreads:
      return ThreadPool::Get().Join(t);
    case Mode::kOff:
      break;
  }
}

Scheduler& Scheduler::Get() {
  // One per OS thread, never destroyed (fiber stacks and TSan fibers live for the process).
  static thread_local Scheduler* scheduler = new Scheduler();
  return *scheduler;
}

Scheduler::Scheduler() {
  for (int t = 0; t < kMaxThreads; ++t) {
    threads_[t].owner = this;
    threads_[t].id = t;
  }
  check::SetContextPrinter(&Scheduler::PrintTimeline);
}

void Scheduler::PrintTimeline(FILE* out) {
  if (internal::g_mode != Mode::kDeterministic) return;
  const Scheduler& s = Get();
  s.trace_.Print(out, 40);
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::Run(ScheduleSource& source, absl::FunctionRef<void()> setup,
                                            RunOptions options) {
  if (running_) check::Fail("scheduler-reentered", "Scheduler::Run called inside a run");
  running_ = true;
  source_ = &source;
  options_ = options;
  trace_.Clear(options.max_steps + 1);
  for (Thread& th : threads_) th.state = State::kUnused;
  spawned_ = 0;
  current_ = kNoThread;
  internal::CaptureCurrent(main_);
  internal::g_mode = Mode::kDeterministic;

  setup();

  // The main context hands the CPU to a simulated thread, and gets it back each time one finishes.
  std::array<ThreadId, kMaxThreads> runnable;
  for (;;) {
    const int n = Runnable(runnable);
    if (n == 0) {
      for (int t = 0; t < spawned_; ++t) {
        if (threads_[t].state != State::kFinished) ReportDeadlock();
      }
      break;
    }
    const ThreadId next = Choose(runnable, n);
    current_ = next;
    internal::SwitchFiber(main_, threads_[next].ctx, /*from_exits=*/false);
    OnThreadExit(current_);
  }

  // Joins every thread: all they did happens-before what the caller does next.
  for (int t = 0; t < spawned_; ++t) happens_before_acquire(&threads_[t]);
  current_ = kNoThread;
  internal::RunRunEndHooks();  // still in deterministic mode: a report prints the timeline
  internal::g_mode = Mode::kOff;
  running_ = false;
}

RACEFUZZ_SCHED_INTERNAL int Scheduler::Runnable(std::array<ThreadId, kMaxThreads>& out) const {
  int n = 0;
  for (int t = 0; t < spawned_; ++t) {
    if (threads_[t].state == State::kRunnable) out[n++] = t;
  }
  return n;
}

RACEFUZZ_SCHED_INTERNAL ThreadId
Scheduler::Choose(const std::array<ThreadId, kMaxThreads>& runnable, int n) {
  if (n == 1) return runnable[0];
  // SAFETY: the source's state (and the FuzzedDataProvider it reads) is touched by every fiber with
  // no happens-before between them; it is racefuzz's bookkeeping, so TSan must not see it.
  ThreadId next;
  {
    TsanIgnoreScope hidden;
    next = source_->Pick(absl::MakeConstSpan(runnable.data(), n), current_);
  }
  trace_.RecordDecision(next);
  return next;
}

RACEFUZZ_SWITCH_CODE void Scheduler::FiberMain(void* arg) {
  Thread& th = *static_cast<Thread*>(arg);
  th.owner->RunBody(th);
  th.state = State::kFinished;
  internal::SwitchFiber(th.ctx, th.owner->main_, /*from_exits=*/true);
}

void Scheduler::RunBody(Thread& th) {
  happens_before_acquire(&th);  // pairs with the release in Spawn, like pthread_create
  internal::RunSwitchHooks(th.id);
  th.body();
  th.body = nullptr;  // destroys the captures on this thread, before the join edge
  internal::RunThreadExitHooks(th.id);
  happens_before_release(&th);  // pairs with the acquire in Join / the end of Run
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::OnThreadExit(ThreadId t) {
  Record("exit", {}, nullptr);
  Wake(&threads_[t]);
}

RACEFUZZ_SCHED_INTERNAL ThreadId Scheduler::Spawn(absl::AnyInvocable<void()> body) {
  if (spawned_ >= kMaxThreads) {
    check::Fail("too-many-threads",
                absl::StrFormat("a run may spawn at most %d simulated threads", kMaxThreads));
  }
  const ThreadId t = spawned_++;
  Thread& th = threads_[t];
  th.body = std::move(body);
  th.state = State::kRunnable;
  th.blocked_on = nullptr;
  if (!stacks_[t]) stacks_[t] = std::make_unique<internal::FiberStack>();
  // TSan numbers threads its own way ("thread T2"); the fiber name carries racefuzz's id.
  static constexpr const char* kNames[kMaxThreads] = {
      "racefuzz T0",  "racefuzz T1",  "racefuzz T2",  "racefuzz T3", "racefuzz T4",  "racefuzz T5",
      "racefuzz T6",  "racefuzz T7",  "racefuzz T8",  "racefuzz T9", "racefuzz T10", "racefuzz T11",
      "racefuzz T12", "racefuzz T13", "racefuzz T14", "racefuzz T15"};
  internal::PrepareFiber(th.ctx, *stacks_[t], &Scheduler::FiberMain, &th, kNames[t]);
  happens_before_release(&th);
  {
    TsanIgnoreScope hidden;
    source_->OnSpawn(t);
  }
  Record("spawn", {"thread", static_cast<uint64_t>(t)}, nullptr);
  if (current_ != kNoThread) Reschedule();  // the new thread may run at once
  return t;
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::Join(ThreadId t) {
  if (t < 0 || t >= spawned_ || t == current_) {
    check::Fail("bad-join", absl::StrFormat("T%d cannot join T%d", current_, t));
  }
  if (current_ == kNoThread) {
    check::Fail("bad-join", "join is for simulated threads; Run joins every thread at its end");
  }
  YieldPoint("join", {"thread", static_cast<uint64_t>(t)}, nullptr);
  while (threads_[t].state != State::kFinished) {
    Block(&threads_[t], "join", {"thread", static_cast<uint64_t>(t)},
          std::source_location::current());
  }
  happens_before_acquire(&threads_[t]);
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::Record(Label op, Object obj, const Range* range) {
  trace_.Record(current_, op, obj, range);
  if (trace_.events() > options_.max_steps) ReportLivelock();
  // Another thread's step may have changed what a parked thread waits for.
  for (int t = 0; t < spawned_; ++t) {
    if (threads_[t].state == State::kParked && t != current_) threads_[t].state = State::kRunnable;
  }
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::YieldPoint(Label op, Object obj, const Range* range) {
  Record(op, obj, range);
  if (current_ != kNoThread) Reschedule();
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::Note(Label op, Object obj, const Range* range) {
  Record(op, obj, range);
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::Reschedule() {
  std::array<ThreadId, kMaxThreads> runnable;
  const int n = Runnable(runnable);
  if (n == 0) ReportDeadlock();
  const ThreadId next = Choose(runnable, n);
  if (next == current_) return;
  const ThreadId prev = current_;
  current_ = next;
  internal::SwitchFiber(threads_[prev].ctx, threads_[next].ctx, /*from_exits=*/false);
  internal::RunSwitchHooks(current_);  // this thread runs again
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::Wait(State state, const void* on, Label op, Object obj,
                                             std::source_location site) {
  Thread& th = threads_[current_];
  th.state = state;
  th.blocked_on = on;
  th.blocked_op = op.name;
  th.blocked_obj = obj;
  th.blocked_site = site;
  Reschedule();
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::Block(const void* on, Label op, Object obj,
                                              std::source_location site) {
  Wait(State::kBlocked, on, op, obj, site);
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::Wake(const void* on) {
  for (int t = 0; t < spawned_; ++t) {
    Thread& th = threads_[t];
    if (th.state == State::kBlocked && th.blocked_on == on) {
      th.state = State::kRunnable;
      th.blocked_on = nullptr;
    }
  }
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::Park(Label op, Object obj, std::source_location site) {
  Wait(State::kParked, nullptr, op, obj, site);
}

RACEFUZZ_SCHED_INTERNAL void Scheduler::ReportDeadlock(std::source_location) {
  std::string details = "every live simulated thread is blocked:";
  for (int t = 0; t < spawned_; ++t) {
    const Thread& th = threads_[t];
    if (th.state == State::kFinished) continue;
    absl::StrAppendFormat(&details, "\n  T%d %s in %s", t,
                          th.state == State::kParked ? "waits" : "blocked", th.blocked_op);
    if (th.blocked_obj.kind != nullptr) {
      absl::StrAppendFormat(&details, " %s %d", th.blocked_obj.kind, th.blocked_obj.id);
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
