// The API that models and fuzz targets call from simulated threads.
//
// racefuzz runs the simulated threads of one fuzz input either as fibers on one OS thread, with the
// fuzz input picking which one runs at every yield point (deterministic mode: exact replay), or on
// real OS threads from a persistent pool (threads mode: real reorderings, no replay). The calls
// here work in both modes and outside any run (where they do nothing but the access itself), so a
// model is written once.
//
// Happens-before, as ThreadSanitizer sees it, comes only from the modelled primitives (sync.h),
// spawn/join, and atomics. A thread switch itself synchronizes nothing.
#ifndef RACEFUZZ_CORE_SCHED_RUNTIME_H_
#define RACEFUZZ_CORE_SCHED_RUNTIME_H_

#include <cstddef>
#include <cstdint>

#include "absl/functional/any_invocable.h"
#include "core/sched/label.h"
#include "core/sched/mode.h"

namespace racefuzz {

using ThreadId = int;
inline constexpr ThreadId kNoThread = -1;
// Most simulated threads one run may have (spawned over the whole run). Published concurrency
// benchmarks reach 101 (a two-stage test with 100 workers); spawning more is a usage error (exit
// status 2, run.h). The tables sized by it are reserved once per process (ThreadTable) or static,
// so a run at 2 threads pays nothing for the room (bench/engine, docs/results.md).
inline constexpr int kMaxThreads = 256;

// What a yield point touches, for the timeline: `kind` and `id` print as "page 1".
struct Object {
  const char* kind = nullptr;
  uint64_t id = 0;
};

// A byte range [lo, hi) of an object, for the timeline.
struct Range {
  uint64_t lo = 0;
  uint64_t hi = 0;
};

namespace internal {
struct Run;
namespace memory {
class Model;
}
// The installed run (core/sched/run.h: its state, and who installs it) and its execution mode, the
// one word yield points load: kDeterministic only inside a deterministic run, kThreads inside a
// threads or naive run, kOff otherwise. `memory` is the run's weak memory model, or null (every
// mode but a deterministic run with RACEFUZZ_MEMORY=weak): what Atomic and the happens-before
// edges check.
struct ActiveRun {
  Mode mode;
  Run* run;
  memory::Model* memory = nullptr;
};
extern constinit ActiveRun g_active;
void YieldPointSlow(Label op, Object obj, const Range* range);
void NoteSlow(Label op, Object obj, const Range* range);
size_t CopySplitSlow(size_t left);
// Both engines' spawn: thread id `t` is in use (raises thread_ids_used() to t + 1 if lower).
void NoteThreadId(ThreadId t);
}  // namespace internal

// How the active run executes: kDeterministic, kThreads (also in a naive run) or kOff (outside
// runs, and in a sequential run).
inline Mode current_mode() { return internal::g_active.mode; }

// Whether the active run follows the weak memory model (a deterministic run with
// RACEFUZZ_MEMORY=weak): a load may read an older store than the newest.
inline bool weak_memory() { return internal::g_active.memory != nullptr; }

// The simulated thread running now, or kNoThread (outside a run, or on the thread that runs setup).
ThreadId current_thread();

// How many simulated thread ids (0 .. n - 1) any run of this process has used so far: it only
// grows. A table with a row per thread id that must be scanned whole (core/rcu's reader slots)
// scans only these rows; the others were never touched. The load is seq_cst, after the seq_cst
// store of the spawn that raised it, made before the new thread ran (on real threads, a thread
// whose writes a later seq_cst load sees is counted); TSan sees no edge from it (run.cc).
int thread_ids_used();

// A yield point: in deterministic mode the schedule may switch to another simulated thread here.
// Models call it just before every access to shared state, naming the operation and what it
// touches, so the timeline reads "T2 write_raw page#1 [100, 356)". Costs one load and a branch
// outside deterministic runs.
inline void yield_point(Label op, Object obj = {}) {
  if (internal::g_active.mode == Mode::kDeterministic) internal::YieldPointSlow(op, obj, nullptr);
}
inline void yield_point(Label op, Object obj, Range range) {
  if (internal::g_active.mode == Mode::kDeterministic) internal::YieldPointSlow(op, obj, &range);
}

// Records an event in the timeline without a scheduling decision (e.g. "alloc_page page#3").
inline void note(Label op, Object obj = {}) {
  if (internal::g_active.mode == Mode::kDeterministic) internal::NoteSlow(op, obj, nullptr);
}
inline void note(Label op, Object obj, Range range) {
  if (internal::g_active.mode == Mode::kDeterministic) internal::NoteSlow(op, obj, &range);
}

// Where a copy whose every byte is its own atomic location (byte-wise atomic copies,
// core/page/chunked_copy.h), with `left` bytes still to copy, is interrupted by a yield point, so
// that a concurrent writer can land in the middle of it: 0 copies the rest in one go, otherwise the
// number of bytes to copy first (1 to left - 1). The schedule decides (ScheduleSource::CopySplit),
// only in deterministic runs and only while another thread could run; elsewhere always 0, for one
// load and a branch.
inline size_t copy_split_point(size_t left) {
  if (internal::g_active.mode != Mode::kDeterministic || left < 2) return 0;
  return internal::CopySplitSlow(left);
}

// Starts a simulated thread running `body`. Callable from a run's setup or from a simulated
// thread. Like pthread_create, everything the caller did before happens-before the body.
// Outside a run, `body` runs inline and its id is kNoThread.
ThreadId spawn(absl::AnyInvocable<void()> body);

// Hooks let models keep per-thread and per-run state. At most kMaxHooks of each kind; adding one is
// not thread-safe (do it at static initialization). A hook must not yield.
inline constexpr int kMaxHooks = 4;

// A function called on a simulated thread each time it starts or resumes running in a
// deterministic run (after every switch to it), with its id. Models use it to make per-thread state
// visible to the sanitizers (core/page poisons the page mappings that belong to other threads). It
// runs on the fiber and must not touch shared model data visibly to TSan.
using SwitchHook = void (*)(ThreadId now_running);
void add_switch_hook(SwitchHook hook);

// A function called on a simulated thread when it finishes, in every mode: after its body returned
// and the body's captures were destroyed, with its id. Models use it to check what a thread must
// not keep past its end (core/rcu: a read-side critical section still open) and report it as a
// contract violation.
using ThreadExitHook = void (*)(ThreadId finished);
void add_thread_exit_hook(ThreadExitHook hook);

// A function called once at the end of every run, in every mode: on the OS thread that ran it,
// after every simulated thread finished and was joined (so all they did happens-before it), while
// the run's mode is still set (a report prints the run's timeline). Models use it to check and
// reset per-run state (core/rcu resets its reader slots), so the next run starts clean.
using RunEndHook = void (*)();
void add_run_end_hook(RunEndHook hook);

// The kernel's might_sleep() (CONFIG_DEBUG_ATOMIC_SLEEP): every primitive that may sleep calls it
// on entry, whether or not it would sleep this time (Mutex::lock, CondVar::wait,
// wait_for_completion, wait_event), in every mode. A model in which sleeping is illegal in some
// context registers a hook that reports it (core/rcu: inside a read-side critical section, and in
// an RCU callback). `op` is the primitive's kernel name ("mutex_lock"), `obj` what it waits on.
// A hook must not yield; it may report (and so not return).
using MightSleepHook = void (*)(Label op, Object obj);
void add_might_sleep_hook(MightSleepHook hook);
void might_sleep(Label op, Object obj = {});

// Waits, yielding, for simulated thread `t` to finish. Like pthread_join, everything `t` did
// happens-before the return. Threads that are never joined are joined at the end of the run.
void join(ThreadId t);

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_RUNTIME_H_
