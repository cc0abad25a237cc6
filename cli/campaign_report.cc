#include "cli/campaign_report.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/process.h"
#include "cli/repo.h"
#include "cli/triage.h"
#include "ctemplate/template.h"
#include "nlohmann/json.hpp"

namespace racefuzz::cli {
namespace {

// One plot as inline SVG: `column` (2 = cov, 3 = exec/s) of every build of `target` over time.
std::string Plot(const CampaignReport& report, const std::string& target, int column,
                 const std::string& ylabel, const fs::path& work) {
  std::vector<std::string> series;
  for (const auto& r : report.runs) {
    if (r.target != target || r.samples.empty()) continue;
    const fs::path data = work / absl::StrCat(target, "-", r.build, ".dat");
    std::ofstream out(data);
    for (const auto& s : r.samples) {
      out << s.seconds << " " << s.status.cov << " " << s.status.exec_per_sec << "\n";
    }
    series.push_back(absl::StrFormat("'%s' using 1:%d with linespoints pt 7 ps 0.4 lw 2 title '%s'",
                                     data.string(), column, r.build));
  }
  if (series.empty()) return "<p class=note>no status samples</p>";
  const fs::path script = work / absl::StrCat(target, "-", column, ".gp");
  {
    std::ofstream gp(script);
    gp << "set terminal svg size 540,300 noenhanced font 'sans,11' background rgb 'white'\n"
       << "set title '" << target << ": " << ylabel << "'\n"
       << "set xlabel 'seconds into the run'\nset ylabel '" << ylabel << "'\n"
       << "set key bottom right\nset grid\nset yrange [0:*]\n"
       << "plot " << absl::StrJoin(series, ", ") << "\n";
  }
  std::string svg;
  ProcessOptions options;
  options.output = &svg;
  auto result = RunProcess({"gnuplot", script.string()}, options);
  if (!result.ok() || result->exit_code != 0 || svg.find("<svg") == std::string::npos) {
    return "<p class=note>no plot: install gnuplot (Debian: gnuplot-nox) and rerun</p>";
  }
  return svg.substr(svg.find("<svg"));  // inline: drop the XML prolog and DOCTYPE
}

absl::StatusOr<std::string> RenderHtml(const CampaignReport& report, const fs::path& work) {
  const fs::path template_path = Root() / "cli/campaign_report.tpl";
  std::ifstream in(template_path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in ||
      !ctemplate::StringToTemplateCache("campaign_report", text.str(), ctemplate::DO_NOT_STRIP)) {
    return absl::InternalError(
        absl::StrCat("cannot read the report template ", template_path.string()));
  }
  ctemplate::TemplateDictionary page("campaign_report");
  page.SetValue("STARTED", report.started);
  page.SetValue("FINISHED", report.finished);
  page.SetValue("GIT_COMMIT", report.git_commit);
  page.SetValue("TIME_BUDGET", report.time_budget);
  if (report.interrupted) page.ShowSection("INTERRUPTED");
  int new_crashes = 0;
  for (const auto& c : report.crashes) new_crashes += c.verdict == VerdictName(Verdict::kNew);
  page.SetIntValue("CRASH_COUNT", static_cast<long>(report.crashes.size()));
  page.SetIntValue("NEW_COUNT", new_crashes);
  page.SetValue("NEW_CLASS", new_crashes > 0 ? "new" : "known");
  for (const auto& r : report.runs) {
    const FuzzStatus last = r.samples.empty() ? FuzzStatus{} : r.samples.back().status;
    ctemplate::TemplateDictionary* row = page.AddSectionDictionary("RUN");
    row->SetValue("TARGET", r.target);
    row->SetValue("BUILD", r.build);
    row->SetValue("SECONDS", absl::StrFormat("%.0f", r.seconds));
    row->SetValue("EXECS", absl::StrCat(last.execs));
    row->SetValue("EXEC_PER_SEC", absl::StrCat(last.exec_per_sec));
    row->SetValue("COV", absl::StrCat(last.cov));
    row->SetValue("FT", absl::StrCat(last.ft));
    row->SetIntValue("CORPUS_BEFORE", r.corpus_before);
    row->SetIntValue("CORPUS_AFTER", r.corpus_after);
    if (r.merged) row->ShowSection("MERGED");
    row->SetIntValue("CRASH_FILES", r.crash_files);
  }
  if (report.crashes.empty()) page.ShowSection("NO_CRASH");
  for (const auto& c : report.crashes) {
    ctemplate::TemplateDictionary* crash = page.AddSectionDictionary("CRASH");
    crash->SetValue("VERDICT", c.verdict);
    crash->SetValue("VERDICT_LABEL", c.verdict == "unreproduced"
                                         ? "DOES NOT REPRODUCE"
                                         : absl::AsciiStrToUpper(c.verdict));
    crash->SetValue("ID", c.entry.signature.id);
    crash->SetValue("SUMMARY", c.entry.signature.summary);
    crash->SetValue("TARGET", c.entry.target);
    crash->SetValue("BUILD", c.entry.build);
    crash->SetIntValue("FILES", c.files_this_campaign);
    crash->SetValue("HITS", absl::StrCat(c.entry.hits));
    crash->SetValue("FIRST_SEEN", c.entry.first_seen);
    crash->SetValue("FRAMES", absl::StrJoin(c.entry.signature.frames, " < "));
    crash->SetValue("REPRO", c.repro);
    if (!c.warning.empty()) crash->SetValueAndShowSection("TEXT", c.warning, "WARNING");
  }
  std::vector<std::string> targets;
  for (const auto& r : report.runs) {
    if (std::find(targets.begin(), targets.end(), r.target) == targets.end()) {
      targets.push_back(r.target);
    }
  }
  for (const auto& t : targets) {
    ctemplate::TemplateDictionary* plots = page.AddSectionDictionary("PLOTS");
    plots->SetValue("TARGET", t);
    plots->SetValue("COV_PLOT", Plot(report, t, 2, "coverage (edges)", work));
    plots->SetValue("SPEED_PLOT", Plot(report, t, 3, "exec/s", work));
  }
  std::string html;
  if (!ctemplate::ExpandTemplate("campaign_report", ctemplate::DO_NOT_STRIP, &page, &html)) {
    return absl::InternalError(absl::StrCat("the report template ", template_path.string(),
                                            " does not expand (ctemplate's message above)"));
  }
  return html;
}

}  // namespace

absl::Status WriteCampaignReport(const CampaignReport& report, const fs::path& dir) {
  fs::create_directories(dir / "plot-data");
  {
    std::ofstream json(dir / "report.json");
    json << nlohmann::json(report).dump(2) << "\n";
    if (!json) return absl::InternalError(absl::StrCat("cannot write ", dir.string()));
  }
  auto html = RenderHtml(report, dir / "plot-data");
  if (!html.ok()) return html.status();
  std::ofstream out(dir / "report.html");
  out << *html;
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", dir.string()));
  return absl::OkStatus();
}

}  // namespace racefuzz::cli
