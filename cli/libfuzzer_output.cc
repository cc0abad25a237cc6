#include "cli/libfuzzer_output.h"

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace racefuzz::cli {
namespace {

// The integer right after `key` in `line` (digits only; "24/145b" gives 24).
std::optional<int64_t> Field(absl::string_view line, absl::string_view key) {
  const size_t at = line.find(key);
  if (at == absl::string_view::npos) return std::nullopt;
  absl::string_view rest = line.substr(at + key.size());
  size_t n = 0;
  while (n < rest.size() && absl::ascii_isdigit(rest[n])) ++n;
  int64_t value = 0;
  if (n == 0 || !absl::SimpleAtoi(rest.substr(0, n), &value)) return std::nullopt;
  return value;
}

uint64_t Fnv1a(absl::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// "/work/main/fuzzers/x.cc:23:20" -> "x.cc"; other words unchanged.
std::string StripLocation(absl::string_view word) {
  if (!absl::StrContains(word, '/')) return std::string(word);
  absl::string_view base = word.substr(word.rfind('/') + 1);
  return std::string(base.substr(0, base.find(':')));
}

// The function name in a stack frame line, or "" when the line is not a frame. Frames look like
// "    #0 0x55d0 in foo(int) /path/x.cc:1:2" (ASan) or "    #0 foo(int) /path/x.cc:1:2 (bin+0x1)".
std::string FrameFunction(absl::string_view line) {
  line = absl::StripLeadingAsciiWhitespace(line);
  if (!absl::ConsumePrefix(&line, "#")) return "";
  size_t n = 0;
  while (n < line.size() && absl::ascii_isdigit(line[n])) ++n;
  if (n == 0 || n >= line.size() || line[n] != ' ') return "";
  line.remove_prefix(n + 1);
  if (absl::StartsWith(line, "0x")) {
    const size_t in = line.find(" in ");
    if (in == absl::string_view::npos) return "";
    line.remove_prefix(in + 4);
  }
  // The function ends where the location starts: " /path", " (module+0x..)" or " <null>".
  size_t end = line.size();
  for (absl::string_view marker : {" /", " (", " <"}) {
    const size_t at = line.rfind(marker);
    if (at != absl::string_view::npos && at < end) {
      // For " (" only a trailing module suffix counts, not a parameter list.
      if (marker == " (" && !absl::StrContains(line.substr(at), "+0x")) continue;
      end = at;
    }
  }
  return std::string(absl::StripAsciiWhitespace(line.substr(0, end)));
}

bool Boring(absl::string_view function) {
  for (absl::string_view prefix :
       {"__sanitizer", "__tsan", "__asan", "__ubsan", "__interceptor", "fuzzer::", "__libc",
        "abort", "raise", "__pthread", "pthread_kill", "gsignal", "racefuzz::check",
        "racefuzz::internal", "__GI_", "__cxa_", "std::terminate"}) {
    if (absl::StartsWith(function, prefix)) return true;
  }
  // Call plumbing (std::invoke, std::function, absl::AnyInvocable), whatever its return type.
  for (absl::string_view part :
       {"std::__invoke", "std::invoke", "std::__function::", "std::_Function_handler",
        "internal_any_invocable::", "functional_internal::"}) {
    if (absl::StrContains(function, part)) return true;
  }
  return function.empty() || function == "<null>";
}

}  // namespace

std::optional<FuzzStatus> ParseStatusLine(const std::string& line) {
  if (!absl::StartsWith(line, "#")) return std::nullopt;
  FuzzStatus status;
  auto execs = Field(line, "#");
  auto cov = Field(line, "cov: ");
  if (!execs || !cov) return std::nullopt;
  status.execs = *execs;
  status.cov = *cov;
  status.ft = Field(line, "ft: ").value_or(0);
  status.corpus = Field(line, "corp: ").value_or(0);
  status.exec_per_sec = Field(line, "exec/s: ").value_or(0);
  if (const size_t at = line.find("oom/timeout/crash: "); at != std::string::npos) {
    std::vector<std::string> parts =
        absl::StrSplit(absl::string_view(line).substr(at + 19), absl::MaxSplits('/', 2));
    if (parts.size() == 3) {
      int64_t crashes = 0;
      if (!absl::SimpleAtoi(absl::string_view(parts[2]).substr(0, parts[2].find(' ')), &crashes)) {
        crashes = 0;
      }
      status.crashes = crashes;
    }
  }
  return status;
}

std::optional<std::string> ParseArtifactLine(const std::string& line) {
  static constexpr char kWritten[] = "Test unit written to ";
  const size_t at = line.find(kWritten);
  if (at == std::string::npos) return std::nullopt;
  absl::string_view path =
      absl::StripAsciiWhitespace(absl::string_view(line).substr(at + sizeof(kWritten) - 1));
  if (path.empty()) return std::nullopt;
  return std::string(path);
}

std::optional<uint64_t> ParseSeedLine(const std::string& line) {
  absl::string_view rest(line);
  if (!absl::ConsumePrefix(&rest, "INFO: Seed: ")) return std::nullopt;
  uint64_t seed = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &seed)) return std::nullopt;
  return seed;
}

namespace {

// The first frame of a report that is racefuzz's or the user's (not a sanitizer's, libFuzzer's or
// the C library's): its function, and the base name of its source file ("" when unsymbolized).
struct Frame {
  std::string function;
  std::string file;
};

// The source location's base name in a frame line: its last word that is a path.
std::string FrameFile(absl::string_view line) {
  std::string file;
  for (absl::string_view w : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
    if (absl::StartsWith(w, "/")) file = StripLocation(w);
  }
  return file;
}

// A SUMMARY line without its "SUMMARY: " and what differs between builds: paths and line numbers
// ("x.cc"), the module and offset of an unsymbolized frame and its BuildId ("(bin+0x10017e)
// (BuildId: 8924...)"). A report whose top frame is an interceptor (TSan's "in __tsan_memcpy", an
// "in __asan_memset") names the first frame of racefuzz or the user instead, with its file, as the
// sanitizer names a top frame of user code: whether a copy goes through the interceptor or is
// inlined differs between builds.
std::string StableSummary(absl::string_view line, const Frame* first) {
  absl::string_view function;
  if (const size_t in = line.find(" in "); in != absl::string_view::npos) {
    function = line.substr(in + 4);
    line = line.substr(0, in);
  }
  const bool interceptor = !function.empty() && Boring(function) && first != nullptr;
  std::vector<std::string> words;
  bool build_id = false;
  for (absl::string_view w : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
    if (build_id) {  // the BuildId's hex digits
      build_id = false;
      continue;
    }
    if (absl::StartsWith(w, "(")) {  // "(bin+0x1)", "(BuildId:"
      build_id = w == "(BuildId:";
      continue;
    }
    if (interceptor && absl::StrContains(w, '/')) continue;  // the interceptor's own source
    words.push_back(StripLocation(w));
  }
  if (interceptor) {
    if (!first->file.empty()) words.push_back(first->file);
    function = first->function;
  }
  if (!function.empty()) words.push_back(absl::StrCat("in ", function));
  return absl::StrJoin(words, " ");
}

}  // namespace

ReportSignature SignatureOf(const std::string& output) {
  ReportSignature sig;
  absl::string_view summary_line;
  std::optional<Frame> first;
  bool in_first_stack = false, stack_done = false;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (summary_line.empty() && absl::ConsumePrefix(&line, "SUMMARY: ")) summary_line = line;
    if (stack_done) continue;
    const std::string function = FrameFunction(line);
    if (function.empty()) {
      if (in_first_stack && sig.frames.size() > 0) stack_done = true;
      continue;
    }
    in_first_stack = true;
    if (!Boring(function) && sig.frames.size() < 3) {
      if (sig.frames.empty()) first = Frame{.function = function, .file = FrameFile(line)};
      sig.frames.push_back(function);
    }
    if (sig.frames.size() == 3) stack_done = true;
  }
  if (!summary_line.empty()) {
    sig.summary = StableSummary(summary_line, first ? &*first : nullptr);
  }
  if (sig.summary.empty()) {
    // No sanitizer/racefuzz summary: libFuzzer's own verdicts (timeouts, OOM, leaks).
    for (absl::string_view line : absl::StrSplit(output, '\n')) {
      if (absl::StrContains(line, "ERROR: libFuzzer: ")) {
        sig.summary =
            std::string(absl::StripAsciiWhitespace(line.substr(line.find("libFuzzer: "))));
        break;
      }
    }
  }
  if (sig.summary.empty()) return sig;
  sig.id = absl::StrFormat("%016x",
                           Fnv1a(absl::StrCat(sig.summary, "|", absl::StrJoin(sig.frames, "|"))));
  return sig;
}

}  // namespace racefuzz::cli
