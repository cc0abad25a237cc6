// The campaign report: its JSON carries every field (nlohmann's type macros), and its page escapes
// every value for HTML, quotes included.
#include "cli/campaign_report.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "cli/repo.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace racefuzz::cli {
namespace {

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(CampaignReportTest, PageEscapesEveryValueAndJsonKeepsEveryField) {
  SetRoot(RACEFUZZ_SOURCE_DIR);  // the template lives in the checkout
  const fs::path dir =
      fs::temp_directory_path() / ("racefuzz_report_test_" + std::to_string(::getpid()));
  CampaignReport report;
  report.started = "2026-12-01T00:00:00Z";
  report.git_commit = "abc";
  CampaignCrash crash;
  crash.entry.signature = {"racefuzz: <script>alert('x')</script> & \"more\"", {"f'1"}, "0123"};
  crash.entry.target = "t";
  crash.entry.build = "tsan";
  crash.verdict = "new";
  crash.repro = "./racefuzz repro 'a b'";
  report.crashes.push_back(crash);
  report.runs.push_back({"t", "tsan", 1.5, 2, 3, 0, 0, true, {{1.0, {10, 20, 30, 4, 5, 0}}}});
  ASSERT_TRUE(WriteCampaignReport(report, dir).ok());

  const std::string html = ReadAll(dir / "report.html");
  EXPECT_EQ(html.find("<script>"), std::string::npos) << html;
  EXPECT_EQ(html.find("'x'"), std::string::npos) << html;
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("./racefuzz repro &#39;a b&#39;"), std::string::npos) << html;

  const auto json = nlohmann::json::parse(ReadAll(dir / "report.json"));
  EXPECT_EQ(json.at("crashes").at(0).at("entry").at("signature").at("summary"),
            crash.entry.signature.summary);
  EXPECT_EQ(json.at("crashes").at(0).at("verdict"), "new");
  EXPECT_EQ(json.at("runs").at(0).at("samples").at(0).at("status").at("cov"), 20);
  EXPECT_EQ(json.get<CampaignReport>().runs.at(0).corpus_after, 3);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace racefuzz::cli
