// Reads libFuzzer's output: its status lines (plain and fork mode) and the report a crash prints,
// reduced to a signature that names the bug, not the input.
#ifndef RACEFUZZ_CLI_LIBFUZZER_OUTPUT_H_
#define RACEFUZZ_CLI_LIBFUZZER_OUTPUT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace racefuzz::cli {

// One status line: "#4096 NEW cov: 130 ft: 245 corp: 24/145b ... exec/s: 2048 rss: 83Mb" or, in
// fork mode, "#123: cov: 130 ft: 245 corp: 24 exec/s: 1000 oom/timeout/crash: 0/0/3 time: 12s".
struct FuzzStatus {
  int64_t execs = 0;
  int64_t cov = 0;
  int64_t ft = 0;
  int64_t corpus = 0;
  int64_t exec_per_sec = 0;
  int64_t crashes = 0;  // fork mode only
};

// The status a line carries, or nullopt for any other line.
std::optional<FuzzStatus> ParseStatusLine(const std::string& line);
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(FuzzStatus, execs, cov, ft, corpus, exec_per_sec,
                                                crashes)

// The file in libFuzzer's "Test unit written to <path>" line (the crash, timeout, leak or OOM
// input it saved), or nullopt for any other line.
std::optional<std::string> ParseArtifactLine(const std::string& line);

// The seed in libFuzzer's "INFO: Seed: <n>" line (the -seed that repeats the run).
std::optional<uint64_t> ParseSeedLine(const std::string& line);

// What a crash report says: the SUMMARY line, the top frames of the first stack, and a short id
// that two reports of the same bug share (paths, addresses, line numbers and the input left out).
struct ReportSignature {
  std::string summary;  // "ThreadSanitizer: data race x.cc in foo", "" when none
  std::vector<std::string>
      frames;      // top frames' function names, sanitizer/libFuzzer frames skipped
  std::string id;  // 16 hex digits; "" when the output has no report

  bool empty() const { return id.empty(); }
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ReportSignature, id, summary, frames)

ReportSignature SignatureOf(const std::string& output);

}  // namespace racefuzz::cli

#endif  // RACEFUZZ_CLI_LIBFUZZER_OUTPUT_H_
