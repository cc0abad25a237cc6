#include "core/check/report.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/sched/happens_before.h"

namespace racefuzz::check {
namespace {

void (*g_context_printer)(FILE*) = nullptr;

void PrintContext() {
  if (g_context_printer != nullptr) g_context_printer(stderr);
}

[[noreturn]] void Emit(absl::string_view title, absl::string_view kind, absl::string_view details) {
  // SAFETY: the report reads racefuzz's bookkeeping, written by every fiber; not a race to report.
  tsan_ignore_begin();
  absl::FPrintF(stderr, "==%d==ERROR: racefuzz: %s\n", getpid(), title);
  if (!details.empty()) {
    std::string indented = "  ";
    for (char c : details) {
      indented.push_back(c);
      if (c == '\n') indented += "  ";
    }
    absl::FPrintF(stderr, "%s\n", indented);
  }
  PrintContext();
  absl::FPrintF(stderr, "SUMMARY: racefuzz: %s\n", kind);
  std::fflush(stderr);
  std::abort();
}

}  // namespace

void SetContextPrinter(void (*printer)(FILE*)) { g_context_printer = printer; }

void Fail(absl::string_view kind, absl::string_view details) { Emit(kind, kind, details); }

void ContractViolation(absl::string_view clause, absl::string_view details) {
  Emit(absl::StrCat("contract violation: ", clause), clause, details);
}

}  // namespace racefuzz::check

// Every sanitizer calls this with its SUMMARY line at the end of a report: racefuzz prints the
// timeline of the run just before it, so a TSan race or an ASan use-after-free reads with the
// interleaving that led to it.
extern "C" void __sanitizer_report_error_summary(const char* summary) {
  racefuzz::TsanIgnoreScope hidden;
  racefuzz::check::PrintContext();
  absl::FPrintF(stderr, "%s\n", summary);
}
