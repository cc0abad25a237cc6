// Byte-wise atomic copies in the weak memory model (RACEFUZZ_MEMORY=weak, core/sched/memory/
// bytes.h): a copy by a thread that has not synchronized with the writer may read, per byte, the
// values from before a store it has not seen (never in SC mode once the writer is done); never a
// byte older than happens-before allows; per byte, a later copy never reads older than an earlier
// one (coherence); and a schedule replays its bytes. Each program runs under the input schedules 0,
// 1, 2, ... (a function of their index).
#include <array>
#include <cstdint>
#include <cstdio>

#include <gtest/gtest.h>

#include "core/page/bytewise.h"
#include "core/sched/byte_source.h"
#include "core/sched/input_schedule.h"
#include "core/sched/scheduler.h"
#include "core/sched/splitmix.h"
#include "core/sched/sync.h"
#include "tests/sched/indexed_schedule.h"

namespace racefuzz::page {
namespace {

constexpr int kSchedules = 2000;
constexpr size_t kLen = 16;
using Bytes = std::array<uint8_t, kLen>;

template <typename Threads>
void RunSchedule(int i, MemoryMode memory, Threads threads) {
  ::racefuzz::testing::RunIndexedSchedule<64>(0xb17e5u, i, memory, threads);
}

// T0 copies 1s, then 2s, into the shared buffer (zeros before), then sets `done` with `kDone`. T1
// waits for `done` (with `kWait`), then copies the buffer twice.
template <std::memory_order kDone, std::memory_order kWait>
std::array<Bytes, 2> WriteTwiceThenRead(int i, MemoryMode memory) {
  static const Bytes kOnes = [] {
    Bytes b;
    b.fill(1);
    return b;
  }();
  static const Bytes kTwos = [] {
    Bytes b;
    b.fill(2);
    return b;
  }();
  Bytes shared{};
  std::array<Bytes, 2> seen{};
  Atomic<int> done(0, "done");
  RunSchedule(i, memory, [&] {
    spawn([&] {
      atomic_per_byte_memcpy(kOnes.data(), shared.data(), kLen);
      atomic_per_byte_memcpy(kTwos.data(), shared.data(), kLen);
      done.store(1, kDone);
    });
    spawn([&] {
      wait_until([&] { return done.load(kWait) == 1; });
      atomic_per_byte_memcpy(shared.data(), seen[0].data(), kLen);
      atomic_per_byte_memcpy(shared.data(), seen[1].data(), kLen);
    });
  });
  return seen;
}

constexpr auto rlx = std::memory_order_relaxed;
constexpr auto rel = std::memory_order_release;
constexpr auto acq = std::memory_order_acquire;

// Runs in which the first copy read a byte older than the newest (2).
int StaleRuns(std::array<Bytes, 2> (*program)(int, MemoryMode), MemoryMode memory) {
  int stale = 0;
  for (int i = 0; i < kSchedules; ++i) {
    const std::array<Bytes, 2> seen = program(i, memory);
    bool any = false;
    for (size_t b = 0; b < kLen; ++b) {
      any |= seen[0][b] != 2;
      // Coherence: per byte, the second copy reads no older store than the first (0 < 1 < 2).
      EXPECT_GE(seen[1][b], seen[0][b]) << "schedule " << i << " byte " << b;
    }
    stale += any;
  }
  std::printf("%s: %d of %d runs read older bytes\n", MemoryModeName(memory).data(), stale,
              kSchedules);
  return stale;
}

TEST(WeakBytes, AnUnsynchronizedCopyMayReadOlderBytes) {
  EXPECT_GT(StaleRuns(&WriteTwiceThenRead<rlx, rlx>, MemoryMode::kWeak), 0);
  EXPECT_EQ(StaleRuns(&WriteTwiceThenRead<rlx, rlx>, MemoryMode::kSc), 0);
}

TEST(WeakBytes, NeverAByteOlderThanHappensBeforeAllows) {
  EXPECT_EQ(StaleRuns(&WriteTwiceThenRead<rel, acq>, MemoryMode::kWeak), 0);
}

TEST(WeakBytes, AScheduleReplaysItsBytes) {
  for (int i = 0; i < 200; ++i) {
    const std::array<Bytes, 2> first = WriteTwiceThenRead<rlx, rlx>(i, MemoryMode::kWeak);
    EXPECT_EQ((WriteTwiceThenRead<rlx, rlx>(i, MemoryMode::kWeak)), first) << "schedule " << i;
  }
}

}  // namespace
}  // namespace racefuzz::page
