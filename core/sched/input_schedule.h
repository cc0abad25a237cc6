// The default schedule: the fuzz input picks the next runnable thread at every decision point, one
// byte per decision, so libFuzzer's mutations explore interleavings the way they explore data.
//
// Bytes come from a ByteSource: the harness hands it the bytes a fuzz target left after decoding
// its program from the back of the input (FuzzedDataProvider's ConsumeIntegral/ConsumeBool take
// bytes from the back), so program and schedule grow from the two ends of the input and a mutation
// of one rarely shifts the other.
//
// When the bytes run out, decisions continue from a splitmix64 generator seeded by a hash of every
// schedule byte the run read (SeedFromBytes, at the first decision past the end): two inputs of one
// length continue differently, the continuation is still a function of the input (exact replay),
// and every runnable thread keeps being picked (no spurious livelock of a spin-wait).
#ifndef RACEFUZZ_CORE_SCHED_INPUT_SCHEDULE_H_
#define RACEFUZZ_CORE_SCHED_INPUT_SCHEDULE_H_

#include <cstdint>

#include "core/sched/byte_source.h"
#include "core/sched/schedule_kind.h"
#include "core/sched/schedule_source.h"

namespace racefuzz {

class InputSchedule : public ScheduleSource {
 public:
  // Safety: `bytes` must outlive this source, which reads from its front.
  explicit InputSchedule(ByteSource& bytes);

  std::string_view name() const override { return ScheduleName(ScheduleKind::kInput); }
  ThreadId Pick(absl::Span<const ThreadId> runnable, ThreadId current) override;
  // One input byte: a spurious wake-up if it is 0xe0 or more (1 in 8). Never once the bytes run
  // out, so the fallback cannot keep a predicate loop waking for ever.
  bool SpuriousWakeup(ThreadId t) override;
  // One input byte: split if it is 0x80 or more (1 in 2); then the offset, from one byte (copies of
  // up to 256 bytes) or two. Never once the bytes run out.
  size_t CopySplit(size_t left) override;
  // One input byte: the newest store if it is below 0x80 (1 in 2), else one of the n - 1 older
  // ones. The newest once the bytes run out, so the fallback never keeps a spin loop reading a
  // stale flag.
  size_t ChooseRead(ThreadId t, size_t n) override;

  // How many decisions came from input bytes and how many from the fallback generator.
  uint64_t from_input() const { return from_input_; }
  uint64_t from_fallback() const { return from_fallback_; }

 private:
  ByteSource& bytes_;
  uint64_t state_ = 0;  // the fallback generator's, seeded at its first decision
  uint64_t from_input_ = 0;
  uint64_t from_fallback_ = 0;
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_INPUT_SCHEDULE_H_
