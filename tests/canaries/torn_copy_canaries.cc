// Canaries for torn byte-wise atomic copies (core/page/chunked_copy.h). Every byte of
// atomic_per_byte_memcpy is its own atomic location, so a reader racing a writer may copy a mix of
// the old and the new record. The violating side trusts its copy and is caught on the real code
// path (the schedule cuts the reader's copy in the middle and the writer lands there); the clean
// twin is a seqlock reader that retries a copy made while the sequence count moved, and never
// returns a torn record whatever the schedule.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/check/report.h"
#include "core/page/bytewise.h"
#include "core/sched/harness.h"
#include "core/sched/sync.h"
#include "tests/canaries/canary.h"

namespace racefuzz::canary {
namespace {

constexpr size_t kRecord = 16;
constexpr uint8_t kOld = 0x11;
constexpr uint8_t kNew = 0x22;

// The shared record: every access to it is byte-wise atomic. Reset before each run.
alignas(8) uint8_t g_record[kRecord];
// The seqlock's sequence count: odd while the writer is in the middle of a write.
Atomic<uint32_t> g_seq(0, "record_seq");

// Replaces the record (every byte kOld) by a new one (every byte kNew).
template <bool kSeqlock>
void WriteRecord() {
  uint8_t next[kRecord];
  std::memset(next, kNew, sizeof next);
  if (kSeqlock) g_seq.fetch_add(1);  // odd: a write is in progress
  yield_point("write_record", {"record", 0});
  page::atomic_per_byte_memcpy(next, g_record, kRecord);
  if (kSeqlock) g_seq.fetch_add(1);  // even again
}

// Copies the record out and uses it as one value: every byte must come from the same write.
template <bool kSeqlock>
void ReadRecord() {
  uint8_t copy[kRecord];
  uint32_t seq = 0;
  do {
    if (kSeqlock) {
      wait_until([&] { return ((seq = g_seq.load()) & 1) == 0; }, "record_seq_even", {"record", 0});
    }
    yield_point("read_record", {"record", 0});
    page::atomic_per_byte_memcpy(g_record, copy, kRecord);
  } while (kSeqlock && g_seq.load() != seq);  // the copy overlapped a write: retry
  for (size_t i = 1; i < kRecord; ++i) {
    RACEFUZZ_CONTRACT(copy[i] == copy[0], "torn-copy",
                      "the record copy is torn: byte 0 is %#x (%s), byte %d is %#x (%s)", copy[0],
                      copy[0] == kNew ? "new" : "old", i, copy[i], copy[i] == kNew ? "new" : "old");
  }
}

// One run of writer T0 and reader T1 under the input schedule `schedule`.
template <bool kSeqlock>
void WriterAndReader(absl::Span<const uint8_t> schedule) {
  SetHarnessConfig(HarnessConfig{});  // deterministic, input schedule
  std::memset(g_record, kOld, sizeof g_record);
  g_seq.store(0);
  RunInput(schedule, [] {
    spawn(WriteRecord<kSeqlock>);
    spawn(ReadRecord<kSeqlock>);
  });
}

// T1 starts its copy (1, 1), the schedule cuts it after 8 bytes (0x80: split, 7: 1 + 7 % 15), the
// writer T0 runs its whole copy uncut (0, 0, then 0: no split), and T1 copies the other 8 bytes.
constexpr uint8_t kTearingSchedule[] = {1, 1, 0x80, 7, 0, 0, 0};

RACEFUZZ_CANARY(bytewise_copy_tears,
                {
                    .clause = "byte-wise atomic copies are atomic per byte only: a copy racing a "
                              "writer may observe a mix of old and new bytes",
                    .builds = kAll,
                    .expect = {"ERROR: racefuzz: contract violation: torn-copy",
                               "byte 0 is 0x11 (old), byte 8 is 0x22 (new)", "racefuzz timeline",
                               "T1 read_record record#0",
                               "T1 atomic_per_byte_memcpy (rest) [8, 16)",
                               "T0 write_record record#0", "SUMMARY: racefuzz: torn-copy"},
                    .violate = [] { WriterAndReader<false>(kTearingSchedule); },
                    .clean =
                        [] {
                          // The seqlock reader under the tearing schedule and 255 others (the
                          // second byte varied), many of which cut the reader's copy too.
                          WriterAndReader<true>(kTearingSchedule);
                          uint8_t schedule[16];
                          for (int v = 0; v < 255; ++v) {
                            for (size_t i = 0; i < sizeof schedule; ++i) {
                              schedule[i] = static_cast<uint8_t>((v * 37 + i * 101) ^ (v >> 1));
                            }
                            WriterAndReader<true>(schedule);
                          }
                        },
                });

}  // namespace
}  // namespace racefuzz::canary
