// Threads mode: the bodies of a run on real OS threads from a persistent pool (no thread creation
// per input). It finds what the sequentially consistent fiber run cannot (real reorderings, real
// timing), but a crash found this way does not replay exactly: the OS picked the interleaving.
//
// With fresh_os_threads, every spawn creates a std::thread and every join joins it: the harness a
// user would write without racefuzz ("naive" mode), kept as the baseline the benchmarks compare to.
//
// The watchdog: threads mode has no deadlock or livelock detection of its own (the OS schedules),
// so a run in which no simulated thread finishes for the hang budget is reported as a hang
// ("threads-hang"), naming each unfinished thread's site: the lock it is blocked on, the wait it
// spins in, or "running" when it is in neither. The budget is RACEFUZZ_HANG_MS (default 5000);
// racefuzz fuzz sets it to half of libFuzzer's -timeout, so the hang is reported with its sites
// before libFuzzer's timeout would report it without them.
#ifndef RACEFUZZ_CORE_SCHED_THREAD_POOL_H_
#define RACEFUZZ_CORE_SCHED_THREAD_POOL_H_

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <source_location>
#include <thread>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "core/sched/label.h"
#include "core/sched/model_state.h"
#include "core/sched/run.h"
#include "core/sched/runtime.h"

namespace racefuzz {

// Invariants: spawned_ <= kMaxThreads; workers_[t] exists for every t < spawned_ (pool mode);
// finished_ counts the bodies that returned, over the pool's life (it only grows).
class ThreadPool final : public internal::Engine {
 public:
  // The process's pool; its workers live until the process exits.
  static ThreadPool& Get();

  // Runs `setup`, which spawns, then waits for every spawned body. Like Scheduler::Run, all the
  // bodies did happens-before the return (the pool's mutex carries the edge). A run in which no
  // body finishes for hang_budget() is reported as a hang (check::Fail "threads-hang": does not
  // return).
  void Run(absl::FunctionRef<void()> setup, bool fresh_os_threads = false);

  // Runtime entry points (runtime.h, sync.h), through the installed run.
  ThreadId Spawn(absl::AnyInvocable<void()> body) override;
  void Join(ThreadId t) override;
  ThreadId Running() const override { return Current(); }
  // wait_until's slow path: lets the OS run another thread.
  void Wait(Label op, Object obj, std::source_location site) override;
  // The simulated thread id of the calling worker, kNoThread elsewhere.
  static ThreadId Current();

  // Threads mode's blocking primitives say where the calling worker waits, for the watchdog's
  // report. Safety: none; outside a worker (kNoThread) they do nothing.
  //   NoteBlocked: about to block in `op` on `obj` (a lock, a join); NoteUnblocked once it got it.
  //   NoteSpinning: one more round of a spin-wait (wait_until) in `op` on `obj`; the site stays the
  //   thread's last wait until it blocks elsewhere or finishes.
  static void NoteBlocked(Label op, Object obj, std::source_location site);
  static void NoteUnblocked();
  static void NoteSpinning(Label op, Object obj, std::source_location site);
  // NoteBlocked for the scope's lifetime: every blocking call of threads mode (locks, join, the
  // OS waits of CondVar, completion and wait queues) sleeps inside one.
  class BlockedScope {
   public:
    BlockedScope(Label op, Object obj, std::source_location site) { NoteBlocked(op, obj, site); }
    ~BlockedScope() { NoteUnblocked(); }
    BlockedScope(const BlockedScope&) = delete;
    BlockedScope& operator=(const BlockedScope&) = delete;
  };

  absl::Duration hang_budget() const { return hang_budget_; }
  // Safety: call between runs (the canaries shorten it).
  void set_hang_budget(absl::Duration budget) { hang_budget_ = budget; }

 private:
  struct Worker {
    std::thread os_thread;
    std::mutex mu;
    std::condition_variable cv;
    absl::AnyInvocable<void()> job;
    bool busy = false;
  };
  // Where a simulated thread waits, written by the thread itself, read by the watchdog: atomics,
  // so the watchdog's reads race with nothing.
  struct Site {
    enum State : int { kRunning, kBlocked, kSpinning };
    std::atomic<int> state{kRunning};
    std::atomic<const char*> op{nullptr};
    std::atomic<const char*> kind{nullptr};
    std::atomic<uint64_t> id{0};
    std::atomic<const char*> file{nullptr};
    std::atomic<int> line{0};
    std::atomic<uint64_t> spins{0};
    std::atomic<bool> done{true};
    void Set(State s, Label o, Object obj, std::source_location where);
  };

  ThreadPool();
  static void WorkerLoop(Worker* w, ThreadId id);
  static void Finished(ThreadId t);
  // Waits for body `t` to finish; reports a hang when no body finished for hang_budget_.
  void AwaitWithWatchdog(ThreadId t);
  [[noreturn]] void ReportHang(int threads);

  std::array<std::unique_ptr<Worker>, kMaxThreads> workers_;
  std::array<std::thread, kMaxThreads> fresh_;  // naive mode
  std::array<Site, kMaxThreads> sites_;
  std::atomic<uint64_t> finished_{0};
  absl::Duration hang_budget_;
  bool fresh_os_threads_ = false;
  internal::Run run_;
  internal::ModelStates models_;  // the models' per-run states, installed in every run
  std::mutex mu_;
  int spawned_ = 0;
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_THREAD_POOL_H_
