// ContractsDoc: docs/contracts.md and the code agree, both ways (the doc's "Kept from drifting"):
//  - every canary registered in tests/canaries is named in a proof column, and every canary named
//    there exists, with a violating side and a clean twin;
//  - every proof-table row names a proof, and every repository path the doc names exists;
//  - every kind the code can report (RACEFUZZ_CONTRACT, check::Fail, check::ContractViolation, the
//    lock models' names) or a canary expects is named in the doc, and every kind the doc names is
//    reported somewhere.
// It links the canary registry (canary.h), so it runs inside canary_test.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/canaries/canary.h"

namespace racefuzz::canary {
namespace {

namespace fs = std::filesystem;

constexpr char kDoc[] = "docs/contracts.md";

fs::path Root() { return RACEFUZZ_SOURCE_DIR; }

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool IsKind(const std::string& s) {
  static const std::regex kKind("[a-z][a-z0-9]*(-[a-z0-9]+)*");
  return std::regex_match(s, kKind);
}

// A repository path: a known top-level folder, then at least one more component.
bool IsRepoPath(const std::string& s) {
  static const std::regex kPath("(core|fuzzers|tests|bench|docs|cli|sanitizers|ci)(/[\\w.-]+)+");
  return std::regex_match(s, kPath);
}

std::vector<std::string> Backticked(absl::string_view cell) {
  std::vector<std::string> out;
  const std::string text(cell);
  static const std::regex kTick("`([^`]+)`");
  for (std::sregex_iterator it(text.begin(), text.end(), kTick), end; it != end; ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

// What docs/contracts.md names. Tables whose header starts with "| clause |" are proof tables
// (columns: clause, source, declaration, detector, proof); "| kind |" tables list kinds in their
// first column.
struct Doc {
  std::set<std::string> canaries;  // in proof columns
  std::set<std::string> paths;     // anywhere in a table
  std::set<std::string> kinds;     // in detector columns and kind tables
  std::vector<std::string> rows_without_proof;
};

Doc ParseDoc() {
  Doc doc;
  enum { kNone, kProof, kKinds } table = kNone;
  int detector = -1, proof = -1;
  std::istringstream in(Read(Root() / kDoc));
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] != '|') {
      table = kNone;
      continue;
    }
    std::vector<absl::string_view> cells = absl::StrSplit(line, '|');
    // "| a | b |" splits into "", " a ", " b ", "".
    cells = std::vector<absl::string_view>(cells.begin() + 1, cells.end() - 1);
    for (absl::string_view& c : cells) c = absl::StripAsciiWhitespace(c);
    if (table == kNone) {
      table = cells[0] == "clause" ? kProof : cells[0] == "kind" ? kKinds : kNone;
      for (int i = 0; i < static_cast<int>(cells.size()); ++i) {
        if (cells[i] == "detector") detector = i;
        if (cells[i] == "proof") proof = i;
      }
      continue;
    }
    if (absl::StartsWith(cells[0], "---")) continue;
    for (absl::string_view cell : cells) {
      for (const std::string& t : Backticked(cell)) {
        if (IsRepoPath(t)) doc.paths.insert(t);
      }
    }
    if (table == kKinds) {
      for (const std::string& t : Backticked(cells[0])) {
        if (IsKind(t)) doc.kinds.insert(t);
      }
    } else if (table == kProof && detector >= 0 && proof >= 0 &&
               static_cast<int>(cells.size()) > std::max(detector, proof)) {
      for (const std::string& t : Backticked(cells[detector])) {
        if (IsKind(t)) doc.kinds.insert(t);
      }
      int proofs = 0;
      for (const std::string& t : Backticked(cells[proof])) {
        if (IsRepoPath(t)) {
          ++proofs;
        } else if (std::regex_match(t, std::regex("[a-z0-9_]+"))) {
          doc.canaries.insert(t);
          ++proofs;
        }
      }
      if (proofs == 0) doc.rows_without_proof.push_back(line);
    }
  }
  return doc;
}

// Every kind the code can report, with one file that reports it.
std::map<std::string, std::string> SourceKinds() {
  static const std::regex kCall(
      "(RACEFUZZ_CONTRACT\\(|check::Fail\\(|check::ContractViolation\\(|LockModel::Names\\s+\\w+)"
      "([^;]*)");
  static const std::regex kLiteral("\"([^\"\\\\]*)\"");
  std::map<std::string, std::string> kinds;
  for (const char* dir : {"core", "fuzzers", "bench/planted/clients"}) {
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(Root() / dir)) {
      const std::string ext = e.path().extension();
      if (ext != ".h" && ext != ".cc") continue;
      const std::string text = Read(e.path());
      const std::string file = fs::relative(e.path(), Root());
      for (std::sregex_iterator it(text.begin(), text.end(), kCall), end; it != end; ++it) {
        const std::string call = (*it)[1], args = (*it)[2];
        const bool names = absl::StartsWith(call, "LockModel::Names");
        for (std::sregex_iterator lit(args.begin(), args.end(), kLiteral); lit != end; ++lit) {
          const std::string s = (*lit)[1];
          // A call's kind is its first string literal; the lock models name theirs in a table
          // ({"lock", "unlock", "mutex-relock", "mutex-unlock-not-owner"}: the ones with a dash).
          if (names ? (IsKind(s) && s.find('-') != std::string::npos) : IsKind(s)) {
            kinds.emplace(s, file);
          }
          if (!names) break;
        }
      }
    }
  }
  return kinds;
}

// Every kind a canary expects to see reported ("racefuzz: <kind>").
std::map<std::string, std::string> CanaryKinds() {
  // A report's ERROR or SUMMARY line; not racefuzz's lines under a sanitizer's report.
  static const std::regex kReport(
      "(ERROR|SUMMARY): racefuzz: (contract violation: )?([a-z][a-z0-9-]*)");
  std::map<std::string, std::string> kinds;
  for (const Canary& c : All()) {
    for (const std::string& want : c.expect) {
      std::smatch m;
      if (std::regex_search(want, m, kReport)) kinds.emplace(m[3], c.name);
    }
  }
  return kinds;
}

TEST(ContractsDoc, EveryCanaryIsDocumented) {
  const Doc doc = ParseDoc();
  ASSERT_FALSE(doc.canaries.empty()) << kDoc << " names no canary: is it there?";
  for (const Canary& c : All()) {
    EXPECT_TRUE(doc.canaries.count(c.name))
        << "canary " << c.name << " (\"" << c.clause << "\") is not in " << kDoc
        << ": name it in the proof column of the row of the clause it proves (add the row if the "
           "clause has none)";
  }
}

TEST(ContractsDoc, EveryDocumentedCanaryExistsWithItsCleanTwin) {
  std::map<std::string, const Canary*> registered;
  for (const Canary& c : All()) registered[c.name] = &c;
  for (const std::string& name : ParseDoc().canaries) {
    auto it = registered.find(name);
    if (it == registered.end()) {
      ADD_FAILURE() << kDoc << " names canary " << name
                    << ", which tests/canaries does not register: fix the name or remove it";
      continue;
    }
    EXPECT_NE(it->second->violate, nullptr) << name << " has no violating side";
    EXPECT_NE(it->second->clean, nullptr) << name << " has no clean twin";
    EXPECT_FALSE(it->second->expect.empty()) << name << " expects no report lines";
  }
}

TEST(ContractsDoc, EveryRowHasAProofAndEveryPathExists) {
  const Doc doc = ParseDoc();
  EXPECT_TRUE(doc.rows_without_proof.empty())
      << "rows of " << kDoc << " with no canary, test or planted bug in their proof column "
      << "(a clause with no proof belongs in \"Checks with no canary yet\"):\n"
      << absl::StrJoin(doc.rows_without_proof, "\n");
  for (const std::string& p : doc.paths) {
    EXPECT_TRUE(fs::exists(Root() / p)) << kDoc << " names " << p << ", which does not exist";
  }
}

TEST(ContractsDoc, EveryReportedKindIsDocumented) {
  const Doc doc = ParseDoc();
  std::map<std::string, std::string> reported = SourceKinds();
  ASSERT_TRUE(reported.count("page-free-mapped"))
      << "the source scan found no kinds: is it broken?";
  reported.merge(CanaryKinds());
  for (const auto& [kind, where] : reported) {
    EXPECT_TRUE(doc.kinds.count(kind))
        << "'" << kind << "' (reported by " << where << ") is not in " << kDoc
        << ": add it to the detector column of its clause's row, or to \"Checks with no canary "
           "yet\"";
  }
}

TEST(ContractsDoc, EveryDocumentedKindIsReported) {
  std::map<std::string, std::string> reported = SourceKinds();
  reported.merge(CanaryKinds());
  for (const std::string& kind : ParseDoc().kinds) {
    EXPECT_TRUE(reported.count(kind))
        << kDoc << " names '" << kind << "', which nothing in core/, fuzzers/, "
        << "bench/planted/clients/ or the canaries reports: fix the name or remove it";
  }
}

}  // namespace
}  // namespace racefuzz::canary
