// The default schedule: the fuzz input picks the next runnable thread at every decision point, one
// byte per decision, so libFuzzer's mutations explore interleavings the way they explore data.
//
// Bytes come from the front of the FuzzedDataProvider (ConsumeData), while fuzz targets decode
// their program with ConsumeIntegral/ConsumeBool, which take bytes from the back: program and
// schedule grow from the two ends of the input and a mutation of one rarely shifts the other.
//
// When the bytes run out, decisions continue from a splitmix64 generator seeded by the number of
// bytes the input had for its schedule: still a function of the input, so still exact replay, and
// every runnable thread keeps being picked (no spurious livelock of a spin-wait).
#ifndef RACEFUZZ_CORE_SCHED_INPUT_SCHEDULE_H_
#define RACEFUZZ_CORE_SCHED_INPUT_SCHEDULE_H_

#include <cstdint>

#include <fuzzer/FuzzedDataProvider.h>

#include "core/sched/schedule_source.h"

namespace racefuzz {

class InputSchedule : public ScheduleSource {
 public:
  // `fdp` must outlive this source; the source consumes its bytes from the front.
  explicit InputSchedule(FuzzedDataProvider& fdp);

  const char* name() const override { return "input"; }
  ThreadId Pick(absl::Span<const ThreadId> runnable, ThreadId current) override;

  // How many decisions came from input bytes and how many from the fallback generator.
  uint64_t from_input() const { return from_input_; }
  uint64_t from_fallback() const { return from_fallback_; }

 private:
  FuzzedDataProvider& fdp_;
  uint64_t state_;
  uint64_t from_input_ = 0;
  uint64_t from_fallback_ = 0;
};

}  // namespace racefuzz

#endif  // RACEFUZZ_CORE_SCHED_INPUT_SCHEDULE_H_
