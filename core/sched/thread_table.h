// The simulated threads of a deterministic run: each thread's record (state, fiber, what it waits
// for), and the sets the decision loop reads, kept up to date at every state change so that no
// decision scans the whole table. Internal to the scheduler.
#ifndef RACEFUZZ_CORE_SCHED_THREAD_TABLE_H_
#define RACEFUZZ_CORE_SCHED_THREAD_TABLE_H_

#include <cstdint>
#include <memory>
#include <source_location>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/types/span.h"
#include "core/sched/fiber.h"
#include "core/sched/runtime.h"

namespace racefuzz {

class Scheduler;

namespace internal {

enum class ThreadState : uint8_t { kRunnable, kBlocked, kParked, kFinished };

struct SimThread {
  Scheduler* owner = nullptr;
  ThreadId id = kNoThread;
  ThreadState state = ThreadState::kFinished;
  FiberContext ctx;
  FiberStack stack;  // mapped once, reused by every later run's thread of the same id
  absl::AnyInvocable<void()> body;
  bool kthread = false;   // spawned by spawn_kthread (kthread.h)
  bool sleeping = false;  // a kthread inside kthread_sleep: no part of a deadlock
  // What the thread is blocked or parked on, for Wake and for deadlock reports.
  const void* blocked_on = nullptr;
  int blocked_index = -1;  // its place in ThreadTable's blocked set while kBlocked
  const char* blocked_op = nullptr;
  Object blocked_obj;
  std::source_location blocked_site;
  // wait_until's current check of its predicate (Scheduler::BeginWaitCheck): the step its first
  // event gets (0: no check open), and whether the thread was switched out after that event, so
  // that other threads may have run after the predicate's first read (Scheduler::Park).
  uint64_t check_from = 0;
  bool check_interrupted = false;
};

// Invariants: threads_[0, size_) are this run's threads, with ids equal to their index;
// `runnable_` holds exactly the kRunnable ones, ascending; `parked_` and `blocked_` exactly the
// kParked and kBlocked ones (in no particular order), and a kBlocked thread t is at
// blocked_[threads_[t]->blocked_index]; finished_ counts the kFinished ones. The
// vectors never reallocate while a run is active (their room for kMaxThreads is reserved up
// front): fibers touch them with no happens-before, and TSan must not see an allocation there.
class ThreadTable {
 public:
  explicit ThreadTable(Scheduler* owner);

  // Starts a new run: no threads.
  void Reset();
  // Adds a runnable thread running `body` and returns it (its stack and TSan fiber are reused from
  // an earlier run when there was one). Safety: size() < kMaxThreads (the caller reports the
  // limit).
  SimThread& Add(absl::AnyInvocable<void()> body);

  int size() const { return size_; }
  SimThread& operator[](ThreadId t) { return *threads_[t]; }
  const SimThread& operator[](ThreadId t) const { return *threads_[t]; }
  bool all_finished() const { return finished_ == size_; }

  // The runnable threads, ascending (the schedule's choice set).
  absl::Span<const ThreadId> runnable() const { return runnable_; }

  // Thread `t`, runnable, stops: it waits for Wake(on) (kBlocked), for another thread's next event
  // (kParked), or it has finished (kFinished).
  void Stop(ThreadId t, ThreadState state);
  // Every thread blocked on `on` becomes runnable. O(blocked threads).
  void Wake(const void* on);
  // Thread `t` becomes runnable if it is blocked on `on` (it may not have blocked yet: then
  // nothing). O(1) but for the insertion into the ascending runnable set (a move of the ids
  // above it).
  void WakeThread(ThreadId t, const void* on);
  // Every parked thread becomes runnable (another thread made a step). O(parked threads).
  void WakeParked() {
    if (!parked_.empty()) WakeParkedSlow();
  }

 private:
  void MakeRunnable(SimThread& th);
  // Takes blocked thread `th` out of blocked_ (swapping the last one into its place).
  void Unblock(SimThread& th);
  void WakeParkedSlow();

  Scheduler* owner_;
  std::vector<std::unique_ptr<SimThread>> threads_;  // grows; records outlive runs
  int size_ = 0;
  int finished_ = 0;
  std::vector<ThreadId> runnable_;
  std::vector<ThreadId> parked_;
  std::vector<ThreadId> blocked_;
};

}  // namespace internal
}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_THREAD_TABLE_H_
