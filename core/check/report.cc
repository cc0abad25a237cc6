#include "core/check/report.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "core/sched/happens_before.h"

namespace racefuzz::check {

std::string FormatReport(const Report& report, int pid) {
  std::string out = absl::StrFormat("==%d==ERROR: racefuzz: %s\n", pid, report.title);
  if (!report.details.empty()) {
    out += "  ";
    for (char c : report.details) {
      out.push_back(c);
      if (c == '\n') out += "  ";
    }
    out += "\n";
  }
  absl::StrAppend(&out, report.timeline, "SUMMARY: racefuzz: ", report.kind, "\n");
  return out;
}

void Emit(const Report& report) {
  // SAFETY: the report's text was built from racefuzz's bookkeeping, written by every fiber; not a
  // race to report.
  tsan_ignore_begin();
  const std::string text = FormatReport(report, getpid());
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
  std::abort();
}

}  // namespace racefuzz::check
