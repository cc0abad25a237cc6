#include "core/sched/trace.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/sched/internal.h"
#include "core/sched/memory/value.h"

namespace racefuzz {
namespace {

// SAFETY: no TSan on the trace: it is the scheduler's own bookkeeping, written by every fiber with
// no happens-before between them (switches are no_sync by design).
RACEFUZZ_SCHED_INTERNAL inline uint64_t Mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

}  // namespace

std::string ObjectName(const Object& obj) { return absl::StrFormat("%s#%d", obj.kind, obj.id); }

std::string TraceHashLine(uint64_t hash, std::string_view schedule_name) {
  return absl::StrFormat("racefuzz: trace hash %016x (%s schedule)\n", hash, schedule_name);
}

RACEFUZZ_SCHED_INTERNAL void Trace::Clear(size_t max_decisions) {
  count_ = 0;
  hash_ = 0;
  num_decisions_ = 0;
  num_reads_ = 0;
  num_wakeups_ = 0;
  num_splits_ = 0;
  if (decisions_capacity_ < max_decisions) {
    decisions_ = std::make_unique<ThreadId[]>(max_decisions);
    reads_ = std::make_unique<uint8_t[]>(max_decisions);
    wakeups_ = std::make_unique<uint8_t[]>(max_decisions);
    splits_ = std::make_unique<size_t[]>(max_decisions);
    decisions_capacity_ = max_decisions;
  }
}

RACEFUZZ_SCHED_INTERNAL void Trace::Record(ThreadId thread, Label op, Object obj,
                                           const Range* range) {
  Event& e = ring_[count_ % kCapacity];
  e.step = ++count_;
  e.thread = thread;
  e.op = op.name;
  e.op_hash = op.hash;
  e.object = obj;
  e.has_range = range != nullptr;
  e.range = range ? *range : Range{};
  e.atomic.set = false;
  uint64_t h = Mix(hash_, static_cast<uint64_t>(thread + 1));
  h = Mix(h, op.hash);
  h = Mix(h, obj.id);
  if (range) h = Mix(Mix(h, range->lo), range->hi);
  hash_ = h;
}

RACEFUZZ_SCHED_INTERNAL void Trace::RecordDecision(ThreadId t) {
  if (num_decisions_ < decisions_capacity_) decisions_[num_decisions_++] = t;
  hash_ = Mix(hash_, 0xd5u + static_cast<uint64_t>(t));
}

RACEFUZZ_SCHED_INTERNAL void Trace::Annotate(uint64_t step, const AtomicNote& note) {
  Event& e = ring_[(step - 1) % kCapacity];
  if (step != 0 && e.step == step) e.atomic = note;
}

RACEFUZZ_SCHED_INTERNAL void Trace::RecordRead(uint8_t back) {
  if (num_reads_ < decisions_capacity_) reads_[num_reads_++] = back;
  hash_ = Mix(hash_, 0x4ead00u + back);
}

// Neither answer is mixed into the hash: a spurious wake-up and a cut are events of their own, and
// "no" changes nothing a run does.
RACEFUZZ_SCHED_INTERNAL void Trace::RecordWakeup(bool spurious) {
  if (num_wakeups_ < decisions_capacity_) wakeups_[num_wakeups_++] = spurious ? 1 : 0;
}

RACEFUZZ_SCHED_INTERNAL void Trace::RecordSplit(size_t at) {
  if (num_splits_ < decisions_capacity_) splits_[num_splits_++] = at;
}

RACEFUZZ_SCHED_INTERNAL std::vector<Event> Trace::Last(size_t n) const {
  const uint64_t kept = count_ < kCapacity ? count_ : kCapacity;
  if (n > kept) n = kept;
  std::vector<Event> out;
  out.reserve(n);
  for (uint64_t i = count_ - n; i < count_; ++i) out.push_back(ring_[i % kCapacity]);
  return out;
}

std::string ThreadName(ThreadId t) {
  return t == kNoThread ? std::string("main") : absl::StrFormat("T%d", t);
}

namespace {

// "flag = 0 (stale: reads #12 T0 atomic_store flag = 0; #17 T0 atomic_store flag = 1 not yet
// visible)".
std::string FormatAtomic(const std::string& name, const AtomicNote& n) {
  const auto value = [&](uint64_t bits) {
    return internal::memory::FormatValue(static_cast<internal::memory::ValueKind>(n.kind), n.size,
                                         bits);
  };
  std::string s = absl::StrFormat("%s = %s", name, value(n.value));
  if (!n.stale) return s;
  if (n.read_step == 0) {
    absl::StrAppendFormat(&s, " (stale: reads the initial %s = %s", name, value(n.value));
  } else {
    absl::StrAppendFormat(&s, " (stale: reads #%d %s %s %s = %s", n.read_step,
                          ThreadName(n.read_writer), n.read_op, name, value(n.value));
  }
  absl::StrAppendFormat(&s, "; #%d %s %s %s = %s not yet visible)", n.next_step,
                        ThreadName(n.next_writer), n.next_op, name, value(n.next_value));
  return s;
}

}  // namespace

RACEFUZZ_SCHED_INTERNAL std::string Trace::Format(const Event& e) {
  std::string s = ThreadName(e.thread);
  absl::StrAppend(&s, " ", e.op);
  if (e.atomic.set && e.atomic.bytes != 0) {
    // A byte-wise load that read older bytes: "T1 read_bytewise_atomic page#0 [0, 16) (stale: 9
    // of the 16 bytes read the values before #12 T0 bytewise_store, not yet visible)".
    if (e.object.kind != nullptr) absl::StrAppend(&s, " ", ObjectName(e.object));
    if (e.has_range) absl::StrAppendFormat(&s, " [%d, %d)", e.range.lo, e.range.hi);
    absl::StrAppendFormat(&s,
                          " (stale: %d of the %d bytes read the values before #%d %s %s, not yet "
                          "visible)",
                          e.atomic.stale_bytes, e.atomic.bytes, e.atomic.next_step,
                          ThreadName(e.atomic.next_writer), e.atomic.next_op);
    return s;
  }
  if (e.atomic.set && e.object.kind != nullptr) {
    // An Atomic's events name it alone ("flag"); a model's name the object ("rcu#3").
    absl::StrAppend(
        &s, " ",
        FormatAtomic(e.object.id == 0 ? std::string(e.object.kind) : ObjectName(e.object),
                     e.atomic));
  } else if (e.object.kind != nullptr) {
    absl::StrAppend(&s, " ", ObjectName(e.object));
  }
  if (e.has_range) absl::StrAppendFormat(&s, " [%d, %d)", e.range.lo, e.range.hi);
  return s;
}

RACEFUZZ_SCHED_INTERNAL std::string Trace::Timeline(size_t n) const {
  const std::vector<Event> last = Last(n);
  std::string out =
      absl::StrFormat("racefuzz timeline: last %d of %d events, %d scheduling decisions\n",
                      last.size(), count_, num_decisions_);
  for (const Event& e : last) absl::StrAppendFormat(&out, "  #%-6d %s\n", e.step, Format(e));
  return out;
}

RACEFUZZ_SCHED_INTERNAL void Trace::Print(FILE* out, size_t n) const {
  const std::string text = Timeline(n);
  std::fwrite(text.data(), 1, text.size(), out);
}

}  // namespace racefuzz
