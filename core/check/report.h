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
// A report is a value: the engine fills it (kind, details, and the timeline of the run it belongs
// to) and this file only formats and prints it. Fail and ContractViolation, the calls models make,
// are defined by the engine (core/sched/run_report.cc), which knows the run; core/check knows no
// run. Sanitizer reports get the timeline too: the engine defines __sanitizer_report_error_summary,
// which every sanitizer calls with its SUMMARY line.
#ifndef RACEFUZZ_CORE_CHECK_REPORT_H_
#define RACEFUZZ_CORE_CHECK_REPORT_H_

#include <string>

#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace racefuzz::check {

struct Report {
  std::string title;  // after "ERROR: racefuzz: ": "deadlock", "contract violation: page-bounds"
  // A stable identifier ("deadlock", "livelock", or a contract clause such as "page-bounds"): what
  // the SUMMARY line names and what campaigns de-duplicate on.
  std::string kind;
  std::string details;   // printed indented under the ERROR line; may be empty
  std::string timeline;  // the run's timeline, as the engine formats it; empty outside runs
};

// The report's text, from its ERROR line to its SUMMARY line; `pid` names the process.
std::string FormatReport(const Report& report, int pid);

// Prints the report to stderr and aborts (so libFuzzer saves the input).
[[noreturn]] void Emit(const Report& report);

// Reports `kind` with `details`, and the active run's timeline, then aborts. Defined by the
// engine (core/sched/run_report.cc).
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
