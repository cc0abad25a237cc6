// Canaries for byte-wise atomic memory in the weak memory model (core/sched/memory/bytes.h,
// RACEFUZZ_MEMORY=weak): each byte of atomic_per_byte_memcpy is its own atomic location, so a copy
// by a thread that has not synchronized with the writer may read some bytes from before a store it
// has not seen and others from after it, even when the writer finished long ago. A client that
// trusts such a copy is caught; one that synchronizes, or validates as a seqlock must (smp_rmb
// between the copy and the re-check), is clean. Each side runs under the input schedules 0, 1, 2,
// ... (canary.h's UnderSchedules), so the violation shows at the same schedule in every run.
//
// The record is 16 bytes: 8 bytes of key, 8 of value, written by the writer field by field (two
// byte-wise stores), so that the weak model can show one field's new bytes and the other's old.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/check/report.h"
#include "core/page/bytewise.h"
#include "core/sched/harness.h"
#include "core/sched/memory/kernel.h"
#include "core/sched/sync.h"
#include "tests/canaries/canary.h"

namespace racefuzz::canary {
namespace {

constexpr size_t kRecord = 16;
constexpr size_t kField = 8;
constexpr uint8_t kOld = 0x11;
constexpr uint8_t kNew = 0x22;

// Every access to it is byte-wise atomic; reset before each run.
alignas(8) uint8_t g_record[kRecord];

// Replaces the record's two fields, one byte-wise store each.
void WriteFields() {
  uint8_t next[kField];
  std::memset(next, kNew, sizeof next);
  page::atomic_per_byte_memcpy(next, g_record, kField);
  page::atomic_per_byte_memcpy(next, g_record + kField, kField);
}

// The client's own check: every byte of its copy comes from the same version of the record.
void CheckUntorn(const uint8_t (&copy)[kRecord]) {
  for (size_t i = 1; i < kRecord; ++i) {
    RACEFUZZ_CONTRACT(copy[i] == copy[0], "torn-copy",
                      "the record copy is torn: byte 0 is %#x (%s), byte %d is %#x (%s)", copy[0],
                      copy[0] == kNew ? "new" : "old", i, copy[i], copy[i] == kNew ? "new" : "old");
  }
}

// T0 writes the record, then says so in `done` (with kDone); T1 waits for `done` (with kWait), then
// copies the record and trusts the copy. Relaxed, the wait carries nothing: T1's copy may read one
// field's new bytes and the other's old. Release/acquire, it reads the new record.
template <std::memory_order kDone, std::memory_order kWait>
void CopyAfterFlag(absl::Span<const uint8_t> schedule) {
  std::memset(g_record, kOld, sizeof g_record);
  Atomic<int> done(0, "done");
  RunInput(schedule, [&] {
    spawn([&] {
      WriteFields();
      done.store(1, kDone);
    });
    spawn([&] {
      wait_until([&] { return done.load(kWait) == 1; }, "wait_done");
      uint8_t copy[kRecord];
      page::atomic_per_byte_memcpy(g_record, copy, kRecord);
      CheckUntorn(copy);
    });
  });
}

constexpr auto rlx = std::memory_order_relaxed;
constexpr auto rel = std::memory_order_release;
constexpr auto acq = std::memory_order_acquire;

RACEFUZZ_CANARY(
    bytewise_weak_copy_tears,
    {
        .clause = "weak memory: a byte-wise copy by a thread not synchronized with the "
                  "writer may read a mix of old and new bytes after the writer is done; "
                  "release/acquire publishes the whole record",
        .builds = kAll,
        .expect = {"ERROR: racefuzz: contract violation: torn-copy",
                   "the record copy is torn: byte 0 is 0x22 (new), byte 11 is 0x11 (old)",
                   "racefuzz timeline", "T0 atomic_store done = 1", "T1 atomic_load done = 1",
                   "T1 atomic_per_byte_memcpy [0, 16) (stale: 5 of the 16 bytes read the values "
                   "before #6 T0 bytewise_store, not yet visible)",
                   "SUMMARY: racefuzz: torn-copy"},
        .violate = [] { UnderSchedules(MemoryMode::kWeak, CopyAfterFlag<rlx, rlx>); },
        .clean = [] { UnderSchedules(MemoryMode::kWeak, CopyAfterFlag<rel, acq>); },
    });

// A seqlock (the kernel's seqcount_t): the writer makes the count odd, smp_wmb(), writes the
// fields, smp_wmb(), makes it even; the reader reads the count (acquire), copies, and trusts the
// copy if the count is even and unchanged. Without smp_rmb() between the copy and the re-check,
// the re-check may read the count from before the write whose bytes the copy saw (the loads are
// not ordered): the reader trusts a torn copy. With it, the copy's bytes carry the writer's view,
// and the re-check sees the count move.
template <bool kRmb>
void SeqlockReader(absl::Span<const uint8_t> schedule) {
  std::memset(g_record, kOld, sizeof g_record);
  Atomic<uint32_t> seq(0, "seq");
  RunInput(schedule, [&] {
    spawn([&] {
      WRITE_ONCE(seq, 1u);
      smp_wmb();
      WriteFields();
      smp_wmb();
      WRITE_ONCE(seq, 2u);
    });
    spawn([&] {
      const uint32_t begin = smp_load_acquire(seq);
      if (begin & 1) return;
      uint8_t copy[kRecord];
      page::atomic_per_byte_memcpy(g_record, copy, kRecord);
      if (kRmb) smp_rmb();
      if (READ_ONCE(seq) != begin) return;  // a write overlapped the copy: the caller retries
      CheckUntorn(copy);
    });
  });
}

RACEFUZZ_CANARY(bytewise_seqlock_needs_rmb,
                {
                    .clause = "weak memory: a seqlock reader's re-check is ordered after its "
                              "byte-wise copy only by smp_rmb(); without it the reader may trust "
                              "a torn copy",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: torn-copy",
                               "the record copy is torn: byte 0 is 0x11 (old), byte 8 is 0x22",
                               "racefuzz timeline", "T0 atomic_store seq = 1",
                               "T1 atomic_load seq = 0 (stale: reads the initial seq = 0; #3 T0 "
                               "atomic_store seq = 1 not yet visible)",
                               "T1 atomic_per_byte_memcpy [0, 16)", "T0 atomic_per_byte_memcpy",
                               "T1 atomic_load seq = 0 (stale", "SUMMARY: racefuzz: torn-copy"},
                    .violate = [] { UnderSchedules(MemoryMode::kWeak, SeqlockReader<false>); },
                    .clean = [] { UnderSchedules(MemoryMode::kWeak, SeqlockReader<true>); },
                });

}  // namespace
}  // namespace racefuzz::canary
