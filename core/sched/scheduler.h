// The deterministic scheduler: runs simulated threads as fibers on the calling OS thread and lets a
// ScheduleSource pick which one runs at every decision point. Models do not use this class; they
// use runtime.h and sync.h. Fuzz targets use harness.h.
//
// Its code is split along its seams: scheduler.cc (a run from start to end, spawn and join),
// decision.cc (the decision loop: events, choices, switches, blocking), thread_table.* (the
// threads and their runnable/blocked/parked sets), trace.* (the timeline), engine_reports.cc
// (deadlock and livelock reports).
//
// Failure reports (all print the timeline, then abort so libFuzzer saves the input):
// - deadlock: every live thread is blocked; each thread's blocked site is printed. A kthread
//   asleep in kthread_sleep (kthread.h) is no part of one: when only sleeping kthreads are left,
//   the run is stopping and they are woken to return.
// - livelock: the run passed its step budget (a spin that never ends, a thread that never yields
//   control to the one it waits for).
#ifndef RACEFUZZ_CORE_SCHED_SCHEDULER_H_
#define RACEFUZZ_CORE_SCHED_SCHEDULER_H_

#include <array>
#include <cstdint>
#include <source_location>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "core/sched/fiber.h"
#include "core/sched/heap_threads.h"
#include "core/sched/interleaving_coverage.h"
#include "core/sched/memory/memory_mode.h"
#include "core/sched/memory/model.h"
#include "core/sched/model_state.h"
#include "core/sched/run.h"
#include "core/sched/runtime.h"
#include "core/sched/schedule_source.h"
#include "core/sched/thread_table.h"
#include "core/sched/trace.h"

namespace racefuzz {

struct RunOptions {
  // Events after which a run is reported as a livelock.
  uint64_t max_steps = 100000;
  // A report also prints the run's trace hash (RACEFUZZ_TRACE=1).
  bool print_trace_hash = false;
  // What racefuzz::Atomic's loads may read (RACEFUZZ_MEMORY).
  MemoryMode memory = MemoryMode::kSc;
  // Count ordered site pairs on each object for libFuzzer (interleaving_coverage.h;
  // RACEFUZZ_INTERLEAVING_COVERAGE=1).
  bool interleaving_coverage = false;
};

// Invariants: between runs no simulated thread exists and no run is installed; during Run, the run
// (run.h) installed is `run_`, and `current_` is the thread whose fiber is executing (kNoThread on
// the main context).
class Scheduler final : public internal::Engine {
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

  // Runtime entry points (runtime.h, sync.h), through the installed run.
  ThreadId Spawn(absl::AnyInvocable<void()> body) override;
  void Join(ThreadId t) override;
  // kthread.h: a spawn of a kthread; whether the run is stopping; the current kthread sleeps until
  // Wake(on) or the stop.
  ThreadId SpawnKthread(absl::AnyInvocable<void()> body);
  bool KthreadShouldStop() const { return stopping_; }
  void KthreadSleep(const void* on, Label op, Object obj, std::source_location site);
  ThreadId Running() const override { return current_; }
  // wait_until's slow path: parks the current thread until another thread records an event.
  void Wait(Label op, Object obj, std::source_location site) override { Park(op, obj, site); }
  // wait_until is about to check its predicate (again) on the current thread: Park then knows
  // whether other threads ran in the middle of that check.
  void BeginWaitCheck();
  void YieldPoint(Label op, Object obj, const Range* range);
  void Note(Label op, Object obj, const Range* range);
  // Blocks the current thread until Wake(on). Records `op obj` and `site` for deadlock reports.
  void Block(const void* on, Label op, Object obj, std::source_location site);
  // Makes every thread blocked on `on` runnable again.
  void Wake(const void* on) { threads_.Wake(on); }
  // Makes thread `t` runnable again if it is blocked on `on` (O(1) in the thread count: a wait
  // list's WakeOne).
  void WakeThread(ThreadId t, const void* on) { threads_.WakeThread(t, on); }
  // Parks the current thread until another thread records an event (wait_until's slow path). If
  // other threads ran after the predicate's first read (it has a yield point after a read: a lock,
  // a second load), its false answer may be out of date: returns at once, so the predicate is
  // checked again, as a real thread's loop would.
  void Park(Label op, Object obj, std::source_location site);
  // Asks the source whether the current thread's wait ends spuriously (condvar.h); if so, records
  // `op obj` in the timeline.
  bool SpuriousWakeup(Label op, Object obj);
  // Asks the source where the current thread's byte-wise atomic copy, `left` bytes to go, is
  // interrupted (0: not), when another thread could run in the middle (copy_split_point).
  size_t CopySplit(size_t left);
  // Asks the source which of `n` stores the current thread's weak-memory load reads (0: the newest)
  // and records the choice in the trace.
  size_t ChooseRead(size_t n);
  // The current thread's last event in the trace (its step), and a note attached to it.
  uint64_t last_event() const { return last_event_[current_ + 1]; }
  void Annotate(const AtomicNote& note) { trace_.Annotate(last_event(), note); }

 private:
  Scheduler();
  // Fiber entry: runs the body, then switches to the main context for good. Uninstrumented, so the
  // pooled TSan fiber's shadow call stack stays balanced across runs.
  static void FiberMain(void* arg);
  void RunBody(internal::SimThread& th);
  ThreadId SpawnThread(absl::AnyInvocable<void()> body, bool kthread);
  // No thread can run. If every live thread is a sleeping kthread, the run is stopping: wakes them
  // all (kthread_should_stop() is true from now on) and returns true.
  bool StopSleepingKthreads();
  // Main context: the thread that just finished is done; wake its joiners.
  void OnThreadExit(ThreadId t);
  // The current thread stops running until Wake(on) (kBlocked) or another thread's next event
  // (kParked); records what it waits for, for deadlock reports.
  void Suspend(internal::ThreadState state, const void* on, Label op, Object obj,
               std::source_location site);
  // The next thread to run among the runnable ones (asks the source if there are two or more).
  ThreadId Choose(absl::Span<const ThreadId> runnable);
  // A simulated thread gives up the CPU: picks the next thread and switches to it if it is another
  // one (returns when the current thread is picked again). Reports a deadlock if no thread can run.
  void Reschedule();
  void Record(Label op, Object obj, const Range* range);
  [[noreturn]] void ReportDeadlock();
  [[noreturn]] void ReportLivelock();

  internal::ThreadTable threads_;
  internal::ModelStates models_;             // the models' per-run states, installed in every run
  internal::HeapThreads heap_threads_;       // who allocated and freed each heap block (ASan)
  internal::InterleavingCoverage coverage_;  // used when options_.interleaving_coverage
  internal::FiberContext main_;
  ScheduleSource* source_ = nullptr;
  RunOptions options_;
  Trace trace_;
  internal::Run run_;
  internal::memory::Model memory_;  // the weak memory model, reset for every weak run
  ThreadId current_ = kNoThread;
  bool running_ = false;
  // By thread id + 1 (0: the run's setup); 0 until its first event of the run. Reset at each run's
  // start (the entries the last run used): a model reads it before a thread's first event (an
  // Atomic's initial store in the setup or a thread's body), and a value left by an earlier run
  // would make the timeline depend on what ran before.
  std::array<uint64_t, kMaxThreads + 1> last_event_{};
  bool stopping_ = false;  // kthread_should_stop() of the current run
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_SCHEDULER_H_
