// The campaign report: the same facts as JSON (for machines) and as one self-contained HTML page
// whose plots (coverage and exec/s of every target over the campaign) gnuplot draws as inline SVG.
#ifndef RACEFUZZ_CLI_CAMPAIGN_REPORT_H_
#define RACEFUZZ_CLI_CAMPAIGN_REPORT_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "cli/crash_index.h"
#include "cli/fuzzer_run.h"
#include "nlohmann/json.hpp"

namespace racefuzz::cli {

namespace fs = std::filesystem;

// One target in one build during the campaign.
struct CampaignRun {
  std::string target;
  std::string build;
  double seconds = 0;
  int corpus_before = 0;  // inputs in the campaign corpus when the run started
  int corpus_after = 0;   // after the run and its merge
  int crash_files = 0;    // crash files the run wrote (before de-duplication)
  int exit_code = 0;
  bool merged = false;
  std::vector<StatusSample> samples;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CampaignRun, target, build, seconds, corpus_before,
                                                corpus_after, crash_files, exit_code, merged,
                                                samples)

struct CampaignCrash {
  CrashEntry entry;
  int files_this_campaign = 0;
  std::string verdict;  // VerdictName(): new, known, unreproduced
  std::string repro;    // the command that reproduces it
  std::string warning;  // for a crash that does not reproduce: what that means (else empty)
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CampaignCrash, entry, files_this_campaign, verdict,
                                                repro, warning)

struct CampaignReport {
  int racefuzz_campaign = 2;  // the format's version
  std::string started;
  std::string finished;
  std::string git_commit;
  std::string time_budget;
  bool interrupted = false;
  std::vector<CampaignRun> runs;
  std::vector<CampaignCrash> crashes;  // signatures hit in this campaign
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CampaignReport, racefuzz_campaign, started,
                                                finished, git_commit, time_budget, interrupted,
                                                runs, crashes)

// Writes report.json and report.html (from the template cli/campaign_report.tpl) into `dir`.
// Without gnuplot the page says how to get plots.
absl::Status WriteCampaignReport(const CampaignReport& report, const fs::path& dir);

}  // namespace racefuzz::cli

#endif  // RACEFUZZ_CLI_CAMPAIGN_REPORT_H_
