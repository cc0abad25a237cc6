// The program every engine benchmark runs: `threads` simulated threads, each doing `ops` operations
// on a shared array of counters, every operation under one of two racefuzz::Mutex locks. It is
// race-free, so every mode runs it to the end; it is the shape of a small fuzz target (lock, yield
// point, read-modify-write, unlock).
#ifndef RACEFUZZ_BENCH_ENGINE_LOCKED_PROGRAM_H_
#define RACEFUZZ_BENCH_ENGINE_LOCKED_PROGRAM_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/sched/mode.h"

namespace racefuzz::bench {

// One input's program: for every (thread, op), the slot it adds to and the amount.
struct LockedProgram {
  int threads = 3;
  int ops = 16;
  std::vector<uint8_t> slot;    // threads * ops entries, each in [0, kSlots)
  std::vector<uint8_t> amount;  // threads * ops entries
};

inline constexpr int kSlots = 16;

// Runs `program` once in `mode` (through racefuzz::RunInput; kSequential: no scheduler at all, the
// bodies called one after the other); the schedule (deterministic mode) is read from the front of
// `input`. Returns the sum of the counters (checked by the caller: the program is race-free, so
// it is the same in every mode).
uint64_t RunLockedProgram(const LockedProgram& program, Mode mode,
                          const std::vector<uint8_t>& input);

// A reproducible pseudo-random program and schedule input for iteration `seed`.
LockedProgram MakeLockedProgram(int threads, int ops, uint64_t seed);
std::vector<uint8_t> MakeScheduleInput(size_t size, uint64_t seed);

}  // namespace racefuzz::bench

#endif  // RACEFUZZ_BENCH_ENGINE_LOCKED_PROGRAM_H_
