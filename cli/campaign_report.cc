#include "cli/campaign_report.h"

#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "cli/process.h"
#include "nlohmann/json.hpp"

namespace racefuzz::cli {
namespace {

std::string Html(const std::string& s) {
  return absl::StrReplaceAll(s, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}});
}

nlohmann::json ToJson(const CampaignReport& report) {
  nlohmann::json runs = nlohmann::json::array();
  for (const auto& r : report.runs) {
    nlohmann::json samples = nlohmann::json::array();
    for (const auto& s : r.samples) {
      samples.push_back({{"t", s.seconds},
                         {"execs", s.status.execs},
                         {"cov", s.status.cov},
                         {"ft", s.status.ft},
                         {"corpus", s.status.corpus},
                         {"exec_per_sec", s.status.exec_per_sec}});
    }
    runs.push_back({{"target", r.target},
                    {"build", r.build},
                    {"seconds", r.seconds},
                    {"corpus_before", r.corpus_before},
                    {"corpus_after", r.corpus_after},
                    {"crash_files", r.crash_files},
                    {"exit_code", r.exit_code},
                    {"merged", r.merged},
                    {"samples", samples}});
  }
  nlohmann::json crashes = nlohmann::json::array();
  for (const auto& c : report.crashes) {
    crashes.push_back(
        {{"signature", c.entry.signature.id},
         {"summary", c.entry.signature.summary},
         {"frames", c.entry.signature.frames},
         {"target", c.entry.target},
         {"build", c.entry.build},
         {"example", c.entry.example},
         {"first_seen", c.entry.first_seen},
         {"hits_total", c.entry.hits},
         {"files_this_campaign", c.files_this_campaign},
         {"status",
          c.known ? "known" : (IsUnreproduced(c.entry.signature.id) ? "unreproduced" : "new")},
         {"repro", c.repro}});
  }
  return {{"racefuzz_campaign", 1},
          {"started", report.started},
          {"finished", report.finished},
          {"git_commit", report.git_commit},
          {"time_budget", report.time_budget},
          {"interrupted", report.interrupted},
          {"runs", runs},
          {"crashes", crashes}};
}

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

std::string RenderHtml(const CampaignReport& report, const fs::path& work) {
  std::ostringstream h;
  int new_crashes = 0;
  for (const auto& c : report.crashes) {
    if (!c.known && !IsUnreproduced(c.entry.signature.id)) ++new_crashes;
  }
  h << "<!doctype html><html><head><meta charset=utf-8><title>racefuzz campaign "
    << Html(report.started) << "</title><style>"
    << "body{font-family:sans-serif;margin:24px;max-width:1150px}"
    << "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;"
       "font-size:13px;text-align:left}th{background:#f0f0f0}"
    << ".new{color:#b00;font-weight:bold}.known{color:#666}.note{color:#666}"
    << ".plots{display:flex;flex-wrap:wrap;gap:8px}code{font-size:12px}</style></head><body>"
    << "<h1>racefuzz campaign</h1><p>" << Html(report.started) << " &rarr; "
    << Html(report.finished) << ", commit <code>" << Html(report.git_commit) << "</code>, budget "
    << Html(report.time_budget)
    << (report.interrupted ? " <b>(interrupted: corpus and crashes kept)</b>" : "") << "</p>";
  h << "<p>" << report.crashes.size()
    << " distinct crash signature(s) hit, <span class=" << (new_crashes ? "new" : "known") << ">"
    << new_crashes << " new</span>.</p>";
  h << "<h2>Runs</h2><table><tr><th>target</th><th>build</th><th>seconds</th><th>execs</th>"
       "<th>final exec/s</th><th>coverage</th><th>features</th><th>corpus before &rarr; after"
       "</th><th>crash files</th></tr>";
  for (const auto& r : report.runs) {
    const FuzzStatus last = r.samples.empty() ? FuzzStatus{} : r.samples.back().status;
    h << "<tr><td>" << Html(r.target) << "</td><td>" << Html(r.build) << "</td><td>"
      << absl::StrFormat("%.0f", r.seconds) << "</td><td>" << last.execs << "</td><td>"
      << last.exec_per_sec << "</td><td>" << last.cov << "</td><td>" << last.ft << "</td><td>"
      << r.corpus_before << " &rarr; " << r.corpus_after << (r.merged ? " (merged)" : "")
      << "</td><td>" << r.crash_files << "</td></tr>";
  }
  h << "</table><h2>Crashes</h2>";
  if (report.crashes.empty()) h << "<p>none</p>";
  for (const auto& c : report.crashes) {
    const bool unreproduced = IsUnreproduced(c.entry.signature.id);
    h << "<p><span class="
      << (c.known ? "known>KNOWN" : (unreproduced ? "known>DOES NOT REPRODUCE" : "new>NEW"))
      << "</span> <code>" << Html(c.entry.signature.id) << "</code> "
      << Html(c.entry.signature.summary) << "<br>" << Html(c.entry.target) << " ["
      << Html(c.entry.build) << "], " << c.files_this_campaign << " file(s) this campaign, "
      << c.entry.hits << " in all, first seen " << Html(c.entry.first_seen)
      << "<br>top frames: <code>" << Html(absl::StrJoin(c.entry.signature.frames, " < "))
      << "</code><br>reproduce: <code>" << Html(c.repro) << "</code></p>";
  }
  std::vector<std::string> targets;
  for (const auto& r : report.runs) {
    if (std::find(targets.begin(), targets.end(), r.target) == targets.end()) {
      targets.push_back(r.target);
    }
  }
  h << "<h2>Coverage and speed over the campaign</h2>";
  for (const auto& t : targets) {
    h << "<h3>" << Html(t) << "</h3><div class=plots>"
      << Plot(report, t, 2, "coverage (edges)", work) << Plot(report, t, 3, "exec/s", work)
      << "</div>";
  }
  h << "<p class=note>The same data: report.json.</p></body></html>\n";
  return h.str();
}

}  // namespace

absl::Status WriteCampaignReport(const CampaignReport& report, const fs::path& dir) {
  fs::create_directories(dir / "plot-data");
  {
    std::ofstream json(dir / "report.json");
    json << ToJson(report).dump(2) << "\n";
    if (!json) return absl::InternalError(absl::StrCat("cannot write ", dir.string()));
  }
  std::ofstream html(dir / "report.html");
  html << RenderHtml(report, dir / "plot-data");
  if (!html) return absl::InternalError(absl::StrCat("cannot write ", dir.string()));
  return absl::OkStatus();
}

}  // namespace racefuzz::cli
