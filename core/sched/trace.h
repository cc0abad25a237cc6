// The timeline of a deterministic run: the last events in a ring buffer, printed on any report, and
// a running hash of every event and every scheduling decision, compared by determinism tests.
#ifndef RACEFUZZ_CORE_SCHED_TRACE_H_
#define RACEFUZZ_CORE_SCHED_TRACE_H_

#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"
#include "core/sched/label.h"
#include "core/sched/runtime.h"

namespace racefuzz {

// An object as timelines and reports name it: its kind, '#', its id ("page#1", "r2_has_it#0"), so
// that an id never reads as a value ("T3 atomic_load r2_has_it#0", not "... r2_has_it 0").
std::string ObjectName(const Object& obj);

// A simulated thread as every report names it: "T2", or "main" for kNoThread (the run's setup).
std::string ThreadName(ThreadId t);

// "racefuzz: trace hash 0123456789abcdef (input schedule)\n": the line RACEFUZZ_TRACE=1 prints
// after a run's timeline and under a report, so runs and crashing inputs compare by hash.
std::string TraceHashLine(uint64_t hash, std::string_view schedule_name);

// What a weak-memory atomic access read or wrote (core/sched/memory), attached to its event so the
// timeline prints the value and, for a stale load, why: "T1 atomic_load flag = 0 (stale: reads #12
// T0 atomic_store flag = 0; #17 T0 atomic_store flag = 1 not yet visible)".
struct AtomicNote {
  bool set = false;
  uint8_t kind = 0;  // memory::ValueKind
  uint8_t size = 0;
  uint64_t value = 0;
  // A stale load: the store it read (step 0: the value before the run) and the next store in the
  // location's modification order, which the loading thread could not see yet.
  bool stale = false;
  uint64_t read_step = 0;
  ThreadId read_writer = kNoThread;
  const char* read_op = "";
  uint64_t next_step = 0;
  ThreadId next_writer = kNoThread;
  const char* next_op = "";
  uint64_t next_value = 0;
  // A byte-wise load (memory/bytes.h): of its `bytes` bytes, `stale_bytes` read the values from
  // before the store `next_*` (0: none stale). kind, size and value are unused then.
  uint32_t bytes = 0;
  uint32_t stale_bytes = 0;
};

struct Event {
  uint64_t step = 0;  // 1-based position in the run
  ThreadId thread = kNoThread;
  const char* op = "";
  uint64_t op_hash = 0;
  Object object;
  Range range;
  bool has_range = false;
  AtomicNote atomic;
};

class Trace {
 public:
  static constexpr size_t kCapacity = 256;  // events kept for the timeline

  // Starts a new run; keeps room for `max_decisions` decisions without allocating while running.
  void Clear(size_t max_decisions);
  void Record(ThreadId thread, Label op, Object obj, const Range* range);
  // Records that the schedule picked `t` at a decision point (two or more threads runnable).
  void RecordDecision(ThreadId t);
  // Attaches `note` to the event at `step`, if the timeline still holds it.
  void Annotate(uint64_t step, const AtomicNote& note);
  // Records that a weak-memory load read the store `back` places older than the newest (a choice
  // among two or more, ScheduleSource::ChooseRead).
  void RecordRead(uint8_t back);
  // Records the source's answer to a condition variable's spurious wake-up question (asked once per
  // unnotified wait, ScheduleSource::SpuriousWakeup): a spurious one is also an event.
  void RecordWakeup(bool spurious);
  // Records where a byte-wise atomic copy was cut (0: not; ScheduleSource::CopySplit, asked only
  // while another thread can run): a cut is also an event, "<op> (rest)".
  void RecordSplit(size_t at);

  uint64_t hash() const { return hash_; }
  uint64_t events() const { return count_; }
  absl::Span<const ThreadId> decisions() const { return {decisions_.get(), num_decisions_}; }
  absl::Span<const uint8_t> reads() const { return {reads_.get(), num_reads_}; }
  absl::Span<const uint8_t> wakeups() const { return {wakeups_.get(), num_wakeups_}; }
  absl::Span<const size_t> splits() const { return {splits_.get(), num_splits_}; }

  // The last `n` events, oldest first.
  std::vector<Event> Last(size_t n) const;
  // "T2 write_raw page#1 [100, 356)".
  static std::string Format(const Event& e);
  // The last `n` events as a timeline: a heading, then one indented line per event.
  std::string Timeline(size_t n) const;
  // Prints Timeline(n).
  void Print(FILE* out, size_t n) const;

 private:
  std::array<Event, kCapacity> ring_{};
  uint64_t count_ = 0;
  uint64_t hash_ = 0;
  // A plain array, not a vector: fibers append with no happens-before between them, and a vector's
  // out-of-line growth would be instrumented by TSan.
  std::unique_ptr<ThreadId[]> decisions_;
  size_t num_decisions_ = 0;
  size_t decisions_capacity_ = 0;
  std::unique_ptr<uint8_t[]> reads_;  // the same, for read choices,
  size_t num_reads_ = 0;
  std::unique_ptr<uint8_t[]> wakeups_;  // spurious wake-up answers (1: spurious),
  size_t num_wakeups_ = 0;
  std::unique_ptr<size_t[]> splits_;  // and copy cuts; each answer is an event at most
  size_t num_splits_ = 0;
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_TRACE_H_
