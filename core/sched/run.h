// The state of one run, installed for the run's duration (as loom scopes its execution state to
// model(...)): which engine executes the simulated threads, the deterministic scheduler if any,
// and the timeline a report prints. runtime.h's calls (spawn, join, current_thread, yield_point,
// wait_until) and the lock models go through the installed run; nothing else holds run state.
// Internal to core/sched.
#ifndef RACEFUZZ_CORE_SCHED_RUN_H_
#define RACEFUZZ_CORE_SCHED_RUN_H_

#include <source_location>
#include <string_view>

#include "absl/functional/any_invocable.h"
#include "core/sched/label.h"
#include "core/sched/mode.h"
#include "core/sched/runtime.h"

namespace racefuzz {

class Scheduler;
class Trace;

namespace internal {

class HeapThreads;
class ModelStates;

// What executes a run's simulated threads: the deterministic Scheduler, the ThreadPool (threads
// and naive modes), or the sequential engine (sequential mode, and outside any run).
class Engine {
 public:
  virtual ~Engine() = default;
  // runtime.h's spawn and join.
  virtual ThreadId Spawn(absl::AnyInvocable<void()> body) = 0;
  virtual void Join(ThreadId t) = 0;
  // The simulated thread running now (current_thread), kNoThread outside simulated threads.
  virtual ThreadId Running() const = 0;
  // wait_until's slow path: lets the other threads make progress before `pred` is re-checked.
  virtual void Wait(Label op, Object obj, std::source_location site) = 0;
};

// One run's state. Installed by RunScope; runtime.h's internal::g_active points at it.
//
// Invariants (of g_active): `run` is never null (outside runs it is the sequential "no run");
// `mode` is the execution mode of `run` (kNaive runs as kThreads, kSequential as kOff). Written
// only by RunScope, on the OS thread that runs the run; at most one run is active in a process.
struct Run {
  // How the run executes (kDeterministic, kThreads, kNaive, kSequential), or kOff for the
  // finishing scope (the final oracle after a run: no simulated thread, but the run's timeline).
  Mode mode = Mode::kOff;
  Engine* engine = nullptr;
  // Deterministic runs only: the scheduler that yield points and lock models call.
  Scheduler* scheduler = nullptr;
  // The timeline printed under every report raised during the run; null when there is none (threads
  // mode cannot know the interleaving).
  const Trace* timeline = nullptr;
  // RACEFUZZ_TRACE=1: a report also prints the trace hash (with the schedule's name), so a crashing
  // input can be compared by hash too.
  bool print_trace_hash = false;
  std::string_view schedule_name;
  // Deterministic runs with RACEFUZZ_MEMORY=weak only: the memory model Atomic follows (null: every
  // load reads the newest store).
  memory::Model* memory = nullptr;
  // The models' per-run states (model_state.h), owned by the engine; null: the no run's.
  ModelStates* models = nullptr;
  // Deterministic runs only: who allocated and freed each heap block (heap_threads.h; recorded and
  // printed under ASan only).
  HeapThreads* heap = nullptr;
};

// Installs `run` for the scope's lifetime and restores the previous one (the "no run", or the run a
// finishing scope is nested in) at its end.
//
// Safety: `run` must outlive the scope; scopes nest strictly (one OS thread, LIFO).
class RunScope {
 public:
  explicit RunScope(Run& run);
  ~RunScope();
  RunScope(const RunScope&) = delete;
  RunScope& operator=(const RunScope&) = delete;

 private:
  ActiveRun saved_;
};

// The engine of sequential mode and of code outside any run: spawn runs the body inline, there is
// no simulated thread, and a wait_until that is not already true can never become true.
Engine& SequentialEngine();

// A program that spawns more than kMaxThreads threads in one run: a property of the program under
// test, not a bug it has. Prints a usage error and stops the process with exit status 2, without
// the abort (or exit) that libFuzzer would save as a crash.
[[noreturn]] void ExitTooManyThreads();

// The active deterministic run's scheduler.
//
// Safety: only while current_mode() == Mode::kDeterministic (checked in debug builds only: it is on
// every lock's path).
inline Scheduler& ActiveScheduler() { return *g_active.run->scheduler; }

}  // namespace internal
}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_RUN_H_
