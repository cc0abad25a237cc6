// runtime.h's calls, dispatched to the installed run's engine (run.h).
#include "core/sched/run.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "absl/strings/str_format.h"
#include "core/check/report.h"
#include "core/sched/internal.h"
#include "core/sched/scheduler.h"
#include "core/sched/sync.h"
#include "core/sched/wait_list.h"

namespace racefuzz {
namespace internal {
namespace {

class Sequential final : public Engine {
 public:
  constexpr Sequential() = default;
  ThreadId Spawn(absl::AnyInvocable<void()> body) override {
    body();
    return kNoThread;
  }
  void Join(ThreadId) override {}
  ThreadId Running() const override { return kNoThread; }
  void Wait(Label, Object, std::source_location site) override {
    FailWaitOutsideRun("wait_until", site);
  }
};

constinit Sequential g_sequential;
// thread_ids_used(): a fact about the process (which rows any run has touched), not about one run.
constinit std::atomic<int> g_thread_ids_used{0};
constinit Run g_no_run{.mode = Mode::kOff, .engine = &g_sequential};

constexpr Mode ExecutionMode(Mode m) {
  switch (m) {
    case Mode::kNaive:
      return Mode::kThreads;
    case Mode::kSequential:
      return Mode::kOff;
    default:
      return m;
  }
}

}  // namespace

constinit ActiveRun g_active{.mode = Mode::kOff, .run = &g_no_run};

Engine& SequentialEngine() { return g_sequential; }

void ExitTooManyThreads() {
  absl::FPrintF(stderr,
                "racefuzz: usage error: the program spawns more than %d simulated threads in one "
                "run, the most racefuzz holds (core/sched/runtime.h: kMaxThreads). Make the fuzz "
                "target spawn fewer threads per input.\n",
                kMaxThreads);
  std::fflush(stderr);
  _exit(2);  // not exit(): libFuzzer takes an exit() inside an input for a crash and saves it
}

// Called by both engines' Spawn before the new thread runs. Uninstrumented: the store orders the
// machine's accesses (threads mode) but TSan sees no release, so thread_ids_used() adds no
// happens-before between the spawner and whoever loads it.
RACEFUZZ_SCHED_INTERNAL void NoteThreadId(ThreadId t) {
  if (g_thread_ids_used.load(std::memory_order_relaxed) <= t) {
    g_thread_ids_used.store(t + 1, std::memory_order_seq_cst);
  }
}

RunScope::RunScope(Run& run) : saved_(g_active) {
  g_active = ActiveRun{.mode = ExecutionMode(run.mode), .run = &run, .memory = run.memory};
}
RunScope::~RunScope() { g_active = saved_; }

RACEFUZZ_SCHED_INTERNAL void YieldPointSlow(Label op, Object obj, const Range* range) {
  ActiveScheduler().YieldPoint(op, obj, range);
}
RACEFUZZ_SCHED_INTERNAL void NoteSlow(Label op, Object obj, const Range* range) {
  ActiveScheduler().Note(op, obj, range);
}
RACEFUZZ_SCHED_INTERNAL size_t CopySplitSlow(size_t left) {
  return ActiveScheduler().CopySplit(left);
}
RACEFUZZ_SCHED_INTERNAL void BeginWaitCheckSlow() { ActiveScheduler().BeginWaitCheck(); }
void WaitSlow(Label op, Object obj, std::source_location site) {
  g_active.run->engine->Wait(op, obj, site);
}

}  // namespace internal

int thread_ids_used() { return internal::g_thread_ids_used.load(std::memory_order_seq_cst); }

ThreadId current_thread() { return internal::g_active.run->engine->Running(); }

ThreadId spawn(absl::AnyInvocable<void()> body) {
  return internal::g_active.run->engine->Spawn(std::move(body));
}

void join(ThreadId t) { internal::g_active.run->engine->Join(t); }

}  // namespace racefuzz
