#include "core/sched/thread_pool.h"

#include "core/sched/hooks.h"

namespace racefuzz {
namespace {
thread_local ThreadId t_current = kNoThread;
}  // namespace

ThreadPool& ThreadPool::Get() {
  static ThreadPool* pool = new ThreadPool();  // never destroyed: workers run until exit
  return *pool;
}

ThreadId ThreadPool::Current() { return t_current; }

void ThreadPool::WorkerLoop(Worker* w, ThreadId id) {
  t_current = id;
  std::unique_lock<std::mutex> lock(w->mu);
  for (;;) {
    w->cv.wait(lock, [w] { return w->busy && w->job != nullptr; });
    absl::AnyInvocable<void()> job = std::move(w->job);
    w->job = nullptr;
    lock.unlock();
    job();
    job = nullptr;
    internal::RunThreadExitHooks(id);
    lock.lock();
    w->busy = false;
    w->cv.notify_all();
  }
}

ThreadId ThreadPool::Spawn(absl::AnyInvocable<void()> body) {
  ThreadId t;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (spawned_ >= kMaxThreads) internal::ExitTooManyThreads();
    t = spawned_++;
    if (fresh_os_threads_) {
      fresh_[t] = std::thread([t, body = std::move(body)]() mutable {
        t_current = t;
        body();
        body = nullptr;
        internal::RunThreadExitHooks(t);
      });
      return t;
    }
    if (!workers_[t]) {
      workers_[t] = std::make_unique<Worker>();
      workers_[t]->os_thread = std::thread(&ThreadPool::WorkerLoop, workers_[t].get(), t);
      workers_[t]->os_thread.detach();
    }
  }
  Worker& w = *workers_[t];
  std::lock_guard<std::mutex> lock(w.mu);
  w.job = std::move(body);
  w.busy = true;
  w.cv.notify_all();
  return t;
}

void ThreadPool::Join(ThreadId t) {
  if (fresh_os_threads_) {
    if (fresh_[t].joinable()) fresh_[t].join();
    return;
  }
  Worker& w = *workers_[t];
  std::unique_lock<std::mutex> lock(w.mu);
  w.cv.wait(lock, [&w] { return !w.busy; });
}

void ThreadPool::Wait(Label, Object, std::source_location) { std::this_thread::yield(); }

void ThreadPool::Run(absl::FunctionRef<void()> setup, bool fresh_os_threads) {
  fresh_os_threads_ = fresh_os_threads;
  run_ = internal::Run{.mode = fresh_os_threads ? Mode::kNaive : Mode::kThreads, .engine = this};
  internal::RunScope installed(run_);
  setup();
  int n;
  {
    std::lock_guard<std::mutex> lock(mu_);
    n = spawned_;
  }
  for (int t = 0; t < n; ++t) Join(t);
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Threads may spawn threads: join until no new ones appeared.
    while (n < spawned_) {
      const int m = spawned_;
      mu_.unlock();
      for (int t = n; t < m; ++t) Join(t);
      mu_.lock();
      n = m;
    }
    spawned_ = 0;
  }
  internal::RunRunEndHooks();  // every body was joined: all it did happens-before the hooks
}

}  // namespace racefuzz
