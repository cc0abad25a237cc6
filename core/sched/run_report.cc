// Reports raised during a run get the run's timeline: the engine fills the report value
// (core/check/report.h) from the installed run (run.h), and core/check prints it.
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/check/report.h"
#include "core/sched/happens_before.h"
#include "core/sched/heap_threads.h"
#include "core/sched/run.h"
#include "core/sched/trace.h"

namespace racefuzz {
namespace {

// Events a report shows.
constexpr size_t kReportEvents = 40;

// The active run's timeline (and trace hash, with RACEFUZZ_TRACE=1); empty outside runs and in
// threads mode.
std::string RunTimeline() {
  const internal::Run& run = *internal::g_active.run;
  if (run.timeline == nullptr) return "";
  std::string out = run.timeline->Timeline(kReportEvents);
  if (run.print_trace_hash) {
    absl::StrAppend(&out, TraceHashLine(run.timeline->hash(), run.schedule_name));
  }
  return out;
}

[[noreturn]] void Raise(std::string title, absl::string_view kind, absl::string_view details) {
  // SAFETY: the timeline is racefuzz's bookkeeping, written by every fiber; not a race to report.
  TsanIgnoreScope hidden;
  check::Emit(check::Report{.title = std::move(title),
                            .kind = std::string(kind),
                            .details = std::string(details),
                            .timeline = RunTimeline()});
}

}  // namespace

namespace check {

void Fail(absl::string_view kind, absl::string_view details) {
  Raise(std::string(kind), kind, details);
}

void ContractViolation(absl::string_view clause, absl::string_view details) {
  Raise(absl::StrCat("contract violation: ", clause), clause, details);
}

}  // namespace check
}  // namespace racefuzz

// Every sanitizer calls this with its SUMMARY line at the end of a report: racefuzz prints the
// timeline of the run just before it, so a TSan race or an ASan use-after-free reads with the
// interleaving that led to it. Under an ASan report, first the simulated threads of the access, the
// free and the allocation (heap_threads.h): ASan itself sees one OS thread.
extern "C" void __sanitizer_report_error_summary(const char* summary) {
  racefuzz::TsanIgnoreScope hidden;
  racefuzz::internal::PrintHeapThreads();
  const std::string timeline = racefuzz::RunTimeline();
  std::fwrite(timeline.data(), 1, timeline.size(), stderr);
  absl::FPrintF(stderr, "%s\n", summary);
}
