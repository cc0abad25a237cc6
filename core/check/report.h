// racefuzz's own reports: contract violations, deadlocks and livelocks, in the sanitizers' format
// (an ERROR line, details, then the timeline, then a SUMMARY line), so one parser and one
// de-duplication serve every report.
//
//   ==1234==ERROR: racefuzz: contract violation: rcu-guard-other-thread
//     <details>
//   racefuzz timeline: last 40 of 153 events, 12 scheduling decisions
//     #114    T1 read_lock
//     ...
//   SUMMARY: racefuzz: rcu-guard-other-thread
//
// Sanitizer reports get the timeline too: racefuzz defines __sanitizer_report_error_summary, which
// every sanitizer calls with its SUMMARY line.
#ifndef RACEFUZZ_CORE_CHECK_REPORT_H_
#define RACEFUZZ_CORE_CHECK_REPORT_H_

#include <cstdio>
#include "absl/strings/string_view.h"

#include "absl/strings/str_format.h"

namespace racefuzz::check {

// Registers what to print under every report (the scheduler registers its timeline).
void SetContextPrinter(void (*printer)(FILE* out));

// Prints a report of `kind` with `details` and the context, then aborts. `kind` is a stable
// identifier ("deadlock", "livelock", or a contract clause such as "page-bounds"); it is what the
// SUMMARY line names and what campaigns de-duplicate on.
[[noreturn]] void Fail(absl::string_view kind, absl::string_view details);

// Like Fail, for a broken contract clause: "ERROR: racefuzz: contract violation: <clause>".
[[noreturn]] void ContractViolation(absl::string_view clause, absl::string_view details);

}  // namespace racefuzz::check

// Checks a contract clause at run time. On failure: a contract-violation report for `clause`, with
// the message formatted from the remaining arguments (absl::StrFormat), and abort.
#define RACEFUZZ_CONTRACT(cond, clause, ...)                                        \
  do {                                                                              \
    if (!(cond)) [[unlikely]] {                                                     \
      ::racefuzz::check::ContractViolation(clause, ::absl::StrFormat(__VA_ARGS__)); \
    }                                                                               \
  } while (0)

#endif  // RACEFUZZ_CORE_CHECK_REPORT_H_
