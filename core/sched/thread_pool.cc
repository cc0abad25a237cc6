#include "core/sched/thread_pool.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/check/report.h"
#include "core/sched/hooks.h"
#include "core/sched/trace.h"

namespace racefuzz {
namespace {

thread_local ThreadId t_current = kNoThread;

constexpr int64_t kDefaultHangMs = 5000;

// RACEFUZZ_HANG_MS, or the default; a bad value stops the process with a message (exit 2), as the
// harness does for its variables.
absl::Duration HangBudgetFromEnv() {
  const char* v = std::getenv("RACEFUZZ_HANG_MS");
  if (v == nullptr || *v == '\0') return absl::Milliseconds(kDefaultHangMs);
  int64_t ms = 0;
  if (!absl::SimpleAtoi(v, &ms) || ms <= 0) {
    std::fprintf(stderr, "racefuzz: RACEFUZZ_HANG_MS=%s: expected a positive number of ms\n", v);
    std::exit(2);
  }
  return absl::Milliseconds(ms);
}

}  // namespace

ThreadPool::ThreadPool() : hang_budget_(HangBudgetFromEnv()) {}

ThreadPool& ThreadPool::Get() {
  static ThreadPool* pool = new ThreadPool();  // never destroyed: workers run until exit
  return *pool;
}

ThreadId ThreadPool::Current() { return t_current; }

void ThreadPool::Site::Set(State s, Label o, Object obj, std::source_location where) {
  op.store(o.name, std::memory_order_relaxed);
  kind.store(obj.kind, std::memory_order_relaxed);
  id.store(obj.id, std::memory_order_relaxed);
  file.store(where.file_name(), std::memory_order_relaxed);
  line.store(static_cast<int>(where.line()), std::memory_order_relaxed);
  state.store(s, std::memory_order_release);
}

void ThreadPool::NoteBlocked(Label op, Object obj, std::source_location site) {
  if (t_current == kNoThread) return;
  Get().sites_[t_current].Set(Site::kBlocked, op, obj, site);
}

void ThreadPool::NoteUnblocked() {
  if (t_current == kNoThread) return;
  Get().sites_[t_current].state.store(Site::kRunning, std::memory_order_release);
}

void ThreadPool::NoteSpinning(Label op, Object obj, std::source_location site) {
  if (t_current == kNoThread) return;
  Site& s = Get().sites_[t_current];
  s.Set(Site::kSpinning, op, obj, site);
  s.spins.fetch_add(1, std::memory_order_relaxed);
}

void ThreadPool::Finished(ThreadId t) {
  ThreadPool& pool = Get();
  pool.sites_[t].state.store(Site::kRunning, std::memory_order_relaxed);
  pool.sites_[t].done.store(true, std::memory_order_release);
  pool.finished_.fetch_add(1, std::memory_order_release);
}

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
    Finished(id);
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
    internal::NoteThreadId(t);
    sites_[t].state.store(Site::kRunning, std::memory_order_relaxed);
    sites_[t].done.store(false, std::memory_order_relaxed);
    if (fresh_os_threads_) {
      fresh_[t] = std::thread([t, body = std::move(body)]() mutable {
        t_current = t;
        body();
        body = nullptr;
        internal::RunThreadExitHooks(t);
        Finished(t);
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
  BlockedScope blocked("join", {"thread", static_cast<uint64_t>(t)},
                       std::source_location::current());
  if (fresh_os_threads_) {
    if (fresh_[t].joinable()) fresh_[t].join();
  } else {
    Worker& w = *workers_[t];
    std::unique_lock<std::mutex> lock(w.mu);
    w.cv.wait(lock, [&w] { return !w.busy; });
  }
}

void ThreadPool::AwaitWithWatchdog(ThreadId t) {
  if (fresh_os_threads_) {
    // Naive mode is the baseline harness users write without racefuzz: a plain join, no watchdog.
    if (fresh_[t].joinable()) fresh_[t].join();
    return;
  }
  Worker& w = *workers_[t];
  std::unique_lock<std::mutex> lock(w.mu);
  uint64_t seen = finished_.load(std::memory_order_acquire);
  const auto budget = absl::ToChronoNanoseconds(hang_budget_);
  while (!w.cv.wait_for(lock, budget, [&w] { return !w.busy; })) {
    const uint64_t now = finished_.load(std::memory_order_acquire);
    if (now == seen) {
      lock.unlock();
      int threads;
      {
        std::lock_guard<std::mutex> pool_lock(mu_);
        threads = spawned_;
      }
      ReportHang(threads);
    }
    seen = now;  // another body finished meanwhile: that is progress, wait another budget
  }
}

void ThreadPool::ReportHang(int threads) {
  // A spinning thread's counter moves; one that left its last wait does not.
  uint64_t spins_before[kMaxThreads];
  for (int t = 0; t < threads; ++t) spins_before[t] = sites_[t].spins.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::string details = absl::StrFormat(
      "threads mode: no simulated thread finished for %s (the hang budget, RACEFUZZ_HANG_MS); "
      "the threads still running:",
      absl::FormatDuration(hang_budget_));
  for (int t = 0; t < threads; ++t) {
    const Site& s = sites_[t];
    if (s.done.load(std::memory_order_acquire)) continue;
    const int state = s.state.load(std::memory_order_acquire);
    const std::string where = absl::StrFormat(
        "%s %s at %s:%d", s.op.load() ? s.op.load() : "?",
        ObjectName({.kind = s.kind.load() ? s.kind.load() : "-", .id = s.id.load()}),
        s.file.load() ? s.file.load() : "?", s.line.load());
    if (state == Site::kBlocked) {
      absl::StrAppend(&details, "\n    T", t, " blocked in ", where);
    } else if (state == Site::kSpinning && s.spins.load() != spins_before[t]) {
      absl::StrAppend(&details, "\n    T", t, " spinning in ", where);
    } else if (state == Site::kSpinning) {
      absl::StrAppend(&details, "\n    T", t,
                      " running outside racefuzz's waits and locks (its last wait: ", where, ")");
    } else {
      absl::StrAppend(&details, "\n    T", t, " running outside racefuzz's waits and locks");
    }
  }
  check::Fail("threads-hang", details);
}

void ThreadPool::Wait(Label op, Object obj, std::source_location site) {
  NoteSpinning(op, obj, site);  // the watchdog's report names this wait if the run hangs
  std::this_thread::yield();
}

void ThreadPool::Run(absl::FunctionRef<void()> setup, bool fresh_os_threads) {
  fresh_os_threads_ = fresh_os_threads;
  models_.CreateMissing();
  run_ = internal::Run{
      .mode = fresh_os_threads ? Mode::kNaive : Mode::kThreads, .engine = this, .models = &models_};
  internal::RunScope installed(run_);
  setup();
  int n;
  {
    std::lock_guard<std::mutex> lock(mu_);
    n = spawned_;
  }
  for (int t = 0; t < n; ++t) AwaitWithWatchdog(t);
  {
    std::unique_lock<std::mutex> lock(mu_);
    // Threads may spawn threads: join until no new ones appeared.
    while (n < spawned_) {
      const int m = spawned_;
      lock.unlock();
      for (int t = n; t < m; ++t) AwaitWithWatchdog(t);
      lock.lock();
      n = m;
    }
    spawned_ = 0;
  }
  internal::RunRunEndHooks();  // every body was joined: all it did happens-before the hooks
}

}  // namespace racefuzz
