// Kthreads (core/sched/kthread.h): they sleep until woken, the run ends when only sleeping kthreads
// are left (they are stopped and return), and a sleeping kthread is no part of a deadlock report.
#include <atomic>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "absl/types/span.h"
#include "core/sched/byte_source.h"
#include "core/sched/input_schedule.h"
#include "core/sched/kthread.h"
#include "core/sched/round_robin_schedule.h"
#include "core/sched/scheduler.h"
#include "core/sched/sync.h"

namespace racefuzz {
namespace {

// A worker kthread: does one unit of work per request, sleeps when there is none, and returns when
// the run stops. Relaxed atomics: a kthread gets no happens-before from its callers.
struct Worker {
  std::atomic<int> requests{0};
  std::atomic<int> done{0};
  std::atomic<bool> returned{false};

  void Body() {
    while (!kthread_should_stop()) {
      if (done.load(std::memory_order_relaxed) < requests.load(std::memory_order_relaxed)) {
        yield_point("work");
        done.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      kthread_sleep(this, "worker_sleep");
    }
    returned.store(true, std::memory_order_relaxed);
  }

  void Request() {
    requests.fetch_add(1, std::memory_order_relaxed);
    kthread_wake(this);
    const int want = requests.load(std::memory_order_relaxed);
    wait_until([&] { return done.load(std::memory_order_relaxed) >= want; });
  }
};

TEST(Kthread, DoesRequestedWorkAndStopsWhenOnlySleepingKthreadsAreLeft) {
  // Round-robin, and every schedule of two input bytes.
  for (int input = -1; input < 256; ++input) {
    Worker worker;
    auto setup = [&] {
      spawn_kthread([&] { worker.Body(); });
      spawn([&] {
        for (int i = 0; i < 3; ++i) worker.Request();
      });
    };
    if (input < 0) {
      RoundRobinSchedule rr;
      Scheduler::Get().Run(rr, setup);
    } else {
      const uint8_t bytes[] = {static_cast<uint8_t>(input), static_cast<uint8_t>(input * 7)};
      ByteSource source(absl::MakeConstSpan(bytes));
      InputSchedule schedule(source);
      Scheduler::Get().Run(schedule, setup);
    }
    EXPECT_EQ(worker.done.load(), 3) << "input " << input;
    EXPECT_TRUE(worker.returned.load()) << "input " << input;
  }
}

// A kthread nobody wakes still lets the run end; spawned from a simulated thread, too.
TEST(Kthread, NeverWokenStillEndsTheRun) {
  Worker worker;
  RoundRobinSchedule rr;
  Scheduler::Get().Run(rr, [&] { spawn([&] { spawn_kthread([&] { worker.Body(); }); }); });
  EXPECT_TRUE(worker.returned.load());
  EXPECT_EQ(worker.done.load(), 0);
  EXPECT_FALSE(kthread_should_stop());  // outside a run
}

// Whether a death's stderr has every one of `want` and not `absent`.
class ReportIs : public ::testing::MatcherInterface<const std::string&> {
 public:
  ReportIs(std::vector<std::string> want, std::string absent)
      : want_(std::move(want)), absent_(std::move(absent)) {}
  bool MatchAndExplain(const std::string& s, ::testing::MatchResultListener*) const override {
    for (const std::string& w : want_) {
      if (s.find(w) == std::string::npos) return false;
    }
    return s.find(absent_) == std::string::npos;
  }
  void DescribeTo(std::ostream* os) const override {
    for (const std::string& w : want_) *os << "has \"" << w << "\", ";
    *os << "has no \"" << absent_ << "\"";
  }

 private:
  std::vector<std::string> want_;
  std::string absent_;
};

// A real deadlock next to a sleeping kthread is reported, naming the blocked thread and not the
// kthread.
TEST(KthreadDeathTest, DeadlockReportLeavesOutSleepingKthreads) {
  EXPECT_DEATH(
      {
        Worker worker;
        RoundRobinSchedule rr;
        Scheduler::Get().Run(rr, [&] {
          spawn_kthread([&] { worker.Body(); });
          spawn([] { wait_until([] { return false; }, "never"); });
        });
      },
      ::testing::Matcher<const std::string&>(
          new ReportIs({"deadlock", "T1 waits in never"}, "worker_sleep")));
}

TEST(KthreadDeathTest, OnlyInDeterministicRuns) {
  EXPECT_DEATH(spawn_kthread([] {}), "kthread-outside-deterministic-run.*spawn_kthread outside");
  EXPECT_DEATH(
      {
        RoundRobinSchedule rr;
        Scheduler::Get().Run(rr, [] { spawn([] { kthread_sleep(nullptr, "nap"); }); });
      },
      "kthread-outside-deterministic-run.*T0, which is not a kthread");
}

}  // namespace
}  // namespace racefuzz
