// The deterministic scheduler: runs simulated threads as fibers on the calling OS thread and lets a
// ScheduleSource pick which one runs at every decision point. Models do not use this class; they
// use runtime.h and sync.h. Fuzz targets use harness.h.
//
// Failure reports (all print the timeline, then abort so libFuzzer saves the input):
// - deadlock: every live thread is blocked; each thread's blocked site is printed.
// - livelock: the run passed its step budget (a spin that never ends, a thread that never yields
//   control to the one it waits for).
#ifndef RACEFUZZ_CORE_SCHED_SCHEDULER_H_
#define RACEFUZZ_CORE_SCHED_SCHEDULER_H_

#include <array>
#include <cstdint>
#include <memory>
#include <source_location>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "core/sched/fiber.h"
#include "core/sched/runtime.h"
#include "core/sched/schedule_source.h"
#include "core/sched/trace.h"

namespace racefuzz {

struct RunOptions {
  // Events after which a run is reported as a livelock.
  uint64_t max_steps = 100000;
};

class Scheduler {
 public:
  // The scheduler of the calling OS thread (fiber stacks are mapped once and reused).
  static Scheduler& Get();

  // Runs `setup`, which spawns simulated threads, then runs them all to completion with `source`
  // picking at every decision point. Not reentrant.
  void Run(ScheduleSource& source, absl::FunctionRef<void()> setup, RunOptions options = {});

  // The trace of the current or last run.
  const Trace& trace() const { return trace_; }
  // The source of the current or last run.
  const ScheduleSource* source() const { return source_; }
  bool running() const { return running_; }
  ThreadId current() const { return current_; }

  // Runtime entry points (runtime.h, sync.h).
  ThreadId Spawn(absl::AnyInvocable<void()> body);
  void Join(ThreadId t);
  void YieldPoint(Label op, Object obj, const Range* range);
  void Note(Label op, Object obj, const Range* range);
  // Blocks the current thread until Wake(on). Records `op obj` and `site` for deadlock reports.
  void Block(const void* on, Label op, Object obj, std::source_location site);
  // Makes every thread blocked on `on` runnable again.
  void Wake(const void* on);
  // Parks the current thread until another thread records an event (wait_until's slow path).
  void Park(Label op, Object obj, std::source_location site);

 private:
  enum class State : uint8_t { kUnused, kRunnable, kBlocked, kParked, kFinished };

  struct Thread {
    Scheduler* owner = nullptr;
    ThreadId id = kNoThread;
    State state = State::kUnused;
    internal::FiberContext ctx;
    absl::AnyInvocable<void()> body;
    // What the thread is blocked or parked on, for Wake and for deadlock reports.
    const void* blocked_on = nullptr;
    const char* blocked_op = nullptr;
    Object blocked_obj;
    std::source_location blocked_site;
  };

  Scheduler();
  // Fiber entry: runs the body, then switches to the main context for good. Uninstrumented, so the
  // pooled TSan fiber's shadow call stack stays balanced across runs.
  static void FiberMain(void* arg);
  void RunBody(Thread& th);
  // Main context: the thread that just finished is done; wake its joiners.
  void OnThreadExit(ThreadId t);
  // The current thread stops running until Wake(on) (kBlocked) or another thread's next event
  // (kParked); records what it waits for, for deadlock reports.
  void Wait(State state, const void* on, Label op, Object obj, std::source_location site);
  // Collects runnable threads; returns how many.
  int Runnable(std::array<ThreadId, kMaxThreads>& out) const;
  ThreadId Choose(const std::array<ThreadId, kMaxThreads>& runnable, int n);
  // A simulated thread gives up the CPU: picks the next thread and switches to it (returns when
  // the current thread is picked again). Reports a deadlock if no thread can run.
  void Reschedule();
  void Record(Label op, Object obj, const Range* range);
  internal::FiberContext& ContextOf(ThreadId t) { return t == kNoThread ? main_ : threads_[t].ctx; }
  [[noreturn]] void ReportDeadlock(std::source_location where = std::source_location::current());
  [[noreturn]] void ReportLivelock();
  static void PrintTimeline(FILE* out);

  std::array<Thread, kMaxThreads> threads_;
  std::array<std::unique_ptr<internal::FiberStack>, kMaxThreads> stacks_;
  internal::FiberContext main_;
  ScheduleSource* source_ = nullptr;
  RunOptions options_;
  Trace trace_;
  ThreadId current_ = kNoThread;
  int spawned_ = 0;
  bool running_ = false;
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_SCHEDULER_H_
