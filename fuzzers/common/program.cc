#include "fuzzers/common/program.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace racefuzz::fuzz {

std::string FormatProgram(const Program& program, absl::Span<const OpSpec> ops) {
  std::string out;
  for (size_t t = 0; t < program.threads.size(); ++t) {
    absl::StrAppend(&out, "T", t, ":");
    for (const Op& op : program.threads[t]) {
      const OpSpec& spec = ops[op.code];
      absl::StrAppend(&out, " ", spec.name, "(",
                      absl::StrJoin(op.arg.begin(), op.arg.begin() + spec.args, ", "), ")");
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

}  // namespace racefuzz::fuzz
