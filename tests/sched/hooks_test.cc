// The engine's thread exit and run end hooks (runtime.h) in every mode: each simulated thread's
// exit hook runs on that thread after its body (and the body's captures), and the run end hook
// runs once per run, after every exit hook, with the run's mode still set.
#include <fuzzer/FuzzedDataProvider.h>
#include <atomic>

#include <gtest/gtest.h>

#include "core/sched/harness.h"
#include "core/sched/round_robin_schedule.h"
#include "core/sched/scheduler.h"

namespace racefuzz {
namespace {

// What the hooks saw. Written by the hooks (on simulated threads and on the run's thread) and by
// the test between runs; atomics, since threads mode runs the exit hooks on pool threads.
std::atomic<int> g_exits{0};
std::atomic<int> g_exits_on_own_thread{0};
std::atomic<int> g_run_ends{0};
std::atomic<int> g_exits_before_run_end{-1};
std::atomic<bool> g_mode_set_at_run_end{false};
// Per simulated thread: its body's capture was destroyed (on that thread).
std::atomic<bool> g_capture_destroyed[kMaxThreads];

void OnThreadExit(ThreadId finished) {
  g_exits.fetch_add(1);
  if (current_thread() == finished && g_capture_destroyed[finished].load()) {
    g_exits_on_own_thread.fetch_add(1);
  }
}
void OnRunEnd() {
  g_run_ends.fetch_add(1);
  g_exits_before_run_end.store(g_exits.load());
  g_mode_set_at_run_end.store(current_mode() != Mode::kOff);
}

[[maybe_unused]] const bool g_registered = [] {
  add_thread_exit_hook(&OnThreadExit);
  add_run_end_hook(&OnRunEnd);
  return true;
}();

// A body's capture: records the thread its last instance (not moved from) is destroyed on.
struct Capture {
  Capture() = default;
  Capture(Capture&& other) noexcept { other.moved_from = true; }
  ~Capture() {
    if (!moved_from && current_thread() != kNoThread) g_capture_destroyed[current_thread()] = true;
  }
  bool moved_from = false;
};

void Reset() {
  g_exits = 0;
  g_exits_on_own_thread = 0;
  g_run_ends = 0;
  g_exits_before_run_end = -1;
  g_mode_set_at_run_end = false;
  for (std::atomic<bool>& d : g_capture_destroyed) d = false;
}

// Three threads, one of them spawned by another; each body holds a Capture.
void Spawn3() {
  for (int t = 0; t < 2; ++t) {
    spawn([c = Capture(), t] {
      if (t == 0) spawn([c = Capture()] { yield_point("child"); });
      yield_point("work");
    });
  }
}

void ExpectHooksRan() {
  EXPECT_EQ(g_exits.load(), 3);
  EXPECT_EQ(g_exits_on_own_thread.load(), 3);
  EXPECT_EQ(g_run_ends.load(), 1);
  EXPECT_EQ(g_exits_before_run_end.load(), 3);
  EXPECT_TRUE(g_mode_set_at_run_end.load());
}

TEST(Hooks, DeterministicRunCallsExitAndRunEndHooks) {
  Reset();
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [] { Spawn3(); });
  ExpectHooksRan();
}

TEST(Hooks, ThreadsModeCallsExitAndRunEndHooks) {
  const HarnessConfig saved = GetHarnessConfig();
  for (const Mode mode : {Mode::kThreads, Mode::kNaive}) {
    HarnessConfig threads = saved;
    threads.mode = mode;
    SetHarnessConfig(threads);
    Reset();
    FuzzedDataProvider fdp(nullptr, 0);
    RunInput(fdp, [] { Spawn3(); });
    ExpectHooksRan();
  }
  SetHarnessConfig(saved);
}

}  // namespace
}  // namespace racefuzz
