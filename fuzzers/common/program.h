// The program of an op-sequence fuzz target: N simulated threads, each running a sequence of ops
// with arguments. A target describes its op set (OpSpec: a name and each argument's range); the
// shared decoder turns the back of the input into a Program over that set.
#ifndef RACEFUZZ_FUZZERS_COMMON_PROGRAM_H_
#define RACEFUZZ_FUZZERS_COMMON_PROGRAM_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"

namespace racefuzz::fuzz {

inline constexpr int kMaxArgs = 4;

// One op of a target's op set: its name (for printed programs) and the inclusive upper bound of
// each argument (arguments range over [0, max]); `args` of them are decoded.
struct OpSpec {
  const char* name;
  int args = 0;
  std::array<uint32_t, kMaxArgs> max = {};
};

struct Op {
  uint8_t code = 0;  // index into the target's OpSpec table
  std::array<uint32_t, kMaxArgs> arg = {};
  bool operator==(const Op&) const = default;
};

struct Program {
  std::vector<std::vector<Op>> threads;  // threads[t] = the ops of simulated thread t
  bool operator==(const Program&) const = default;
};

// The size limits of a target's programs.
struct ProgramShape {
  int min_threads = 2;
  int max_threads = 4;
  int max_ops = 16;  // per thread
};

// Reads (Reader) or writes (Writer) `program` over `ops`, within `shape`. Layout: thread count,
// then per thread its op count and ops (code, then the code's arguments).
template <typename C>
void VisitProgram(C& c, const ProgramShape& shape, absl::Span<const OpSpec> ops, Program& program) {
  int n = static_cast<int>(program.threads.size());
  c.Field(n, shape.min_threads, shape.max_threads);
  if constexpr (C::kReading) program.threads.assign(n, {});
  for (std::vector<Op>& thread : program.threads) {
    int len = static_cast<int>(thread.size());
    c.Field(len, 0, shape.max_ops);
    if constexpr (C::kReading) thread.assign(len, {});
    for (Op& op : thread) {
      c.Field(op.code, uint8_t{0}, static_cast<uint8_t>(ops.size() - 1));
      const OpSpec& spec = ops[op.code];
      for (int a = 0; a < spec.args; ++a) c.Field(op.arg[a], uint32_t{0}, spec.max[a]);
    }
  }
}

// "T0: write(1, 0, 64) read(0, 8, 8)\nT1: ..." for logs and crash triage.
std::string FormatProgram(const Program& program, absl::Span<const OpSpec> ops);

}  // namespace racefuzz::fuzz

#endif  // RACEFUZZ_FUZZERS_COMMON_PROGRAM_H_
