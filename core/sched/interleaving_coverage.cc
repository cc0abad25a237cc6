#include "core/sched/interleaving_coverage.h"

#include "core/sched/internal.h"

namespace racefuzz::internal {
namespace {

// The section libFuzzer reads as extra coverage counters (it clears it before each input). Outside
// a libFuzzer binary nothing reads it.
__attribute__((section("__libfuzzer_extra_counters"),
               used)) uint8_t racefuzz_interleaving_counters[kInterleavingCounters];

constexpr uint64_t kFnvBasis = 0xcbf29ce484222325ull;
constexpr uint64_t kFnvPrime = 0x100000001b3ull;

RACEFUZZ_SCHED_INTERNAL uint64_t HashText(const char* s) {
  uint64_t h = kFnvBasis;
  for (; *s != '\0'; ++s) h = (h ^ static_cast<unsigned char>(*s)) * kFnvPrime;
  return h;
}

RACEFUZZ_SCHED_INTERNAL uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t z = a ^ (b + 0x9e3779b97f4a7c15ull + (a << 6) + (a >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  return z ^ (z >> 31);
}

}  // namespace

absl::Span<uint8_t> InterleavingCounters() { return racefuzz_interleaving_counters; }

// SAFETY (whole file): written by every fiber with no happens-before between them, like the rest
// of the scheduler's bookkeeping (kept from TSan); libFuzzer reads the counters on the same OS
// thread between inputs.

RACEFUZZ_SCHED_INTERNAL void InterleavingCoverage::Reset() {
  if (++run_ == 0) {  // the generation wrapped: forget every entry for real, once in 2^32 runs
    last_.fill(Last{});
    run_ = 1;
  }
}

RACEFUZZ_SCHED_INTERNAL void InterleavingCoverage::OnEvent(ThreadId t, Label op, Object obj) {
  if (obj.kind == nullptr || t == kNoThread) return;
  Last& last = last_[Mix(reinterpret_cast<uintptr_t>(obj.kind), obj.id) % kObjects];
  const bool same_object = last.run == run_ && last.kind == obj.kind && last.id == obj.id;
  if (same_object && last.thread != t) {
    // The ordered pair (earlier operation, this one) on this kind of object.
    const uint64_t pair = Mix(Mix(last.kind_hash, last.op_hash), op.hash);
    uint8_t& counter = racefuzz_interleaving_counters[pair % kInterleavingCounters];
    if (counter != 0xff) ++counter;
  }
  if (!same_object) {
    last.kind = obj.kind;
    last.id = obj.id;
    last.kind_hash = HashText(obj.kind);
    last.run = run_;
  }
  last.op_hash = op.hash;
  last.thread = t;
}

}  // namespace racefuzz::internal
