// Threads mode: the bodies of a run on real OS threads from a persistent pool (no thread creation
// per input). It finds what the sequentially consistent fiber run cannot (real reorderings, real
// timing), but a crash found this way does not replay exactly: the OS picked the interleaving.
//
// With fresh_os_threads, every spawn creates a std::thread and every join joins it: the harness a
// user would write without racefuzz ("naive" mode), kept as the baseline the benchmarks compare to.
#ifndef RACEFUZZ_CORE_SCHED_THREAD_POOL_H_
#define RACEFUZZ_CORE_SCHED_THREAD_POOL_H_

#include <array>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "core/sched/run.h"
#include "core/sched/runtime.h"

namespace racefuzz {

class ThreadPool final : public internal::Engine {
 public:
  // The process's pool; its workers live until the process exits.
  static ThreadPool& Get();

  // Runs `setup`, which spawns, then waits for every spawned body. Like Scheduler::Run, all the
  // bodies did happens-before the return (the pool's mutex carries the edge).
  void Run(absl::FunctionRef<void()> setup, bool fresh_os_threads = false);

  // Runtime entry points (runtime.h, sync.h), through the installed run.
  ThreadId Spawn(absl::AnyInvocable<void()> body) override;
  void Join(ThreadId t) override;
  ThreadId Running() const override { return Current(); }
  // wait_until's slow path: lets the OS run another thread.
  void Wait(Label op, Object obj, std::source_location site) override;
  // The simulated thread id of the calling worker, kNoThread elsewhere.
  static ThreadId Current();

 private:
  struct Worker {
    std::thread os_thread;
    std::mutex mu;
    std::condition_variable cv;
    absl::AnyInvocable<void()> job;
    bool busy = false;
  };

  ThreadPool() = default;
  static void WorkerLoop(Worker* w, ThreadId id);

  std::array<std::unique_ptr<Worker>, kMaxThreads> workers_;
  std::array<std::thread, kMaxThreads> fresh_;  // naive mode
  bool fresh_os_threads_ = false;
  internal::Run run_;
  std::mutex mu_;
  int spawned_ = 0;
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_THREAD_POOL_H_
