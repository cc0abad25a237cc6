// The racefuzz command on bad input: every mistake gets a clear message saying what to do and a
// non-zero exit, never a stack trace. Runs the built binary as a subprocess.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace {

namespace fs = std::filesystem;

struct Result {
  int exit_code;
  std::string output;
};

// Runs `racefuzz <args>` in the source tree, without building anything.
Result Racefuzz(const std::string& args) {
  const std::string command = "cd " RACEFUZZ_SOURCE_DIR " && RACEFUZZ_ROOT=" RACEFUZZ_SOURCE_DIR
                              " " RACEFUZZ_CLI_BINARY " " +
                              args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  Result result{-1, ""};
  if (pipe == nullptr) return result;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), pipe)) > 0;) result.output.append(buf, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

// A crash file in a fresh temporary dir, with `metadata` next to it when not empty.
class CrashFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("racefuzz_cli_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    file_ = dir_ / "crash-0123";
    std::ofstream(file_) << "\x01\x02\x03";
  }
  void TearDown() override { fs::remove_all(dir_); }
  void WriteMetadata(const std::string& text) {
    std::ofstream(file_.string() + ".racefuzz.json") << text;
  }
  fs::path dir_;
  fs::path file_;
};

void ExpectCleanError(const Result& r, const std::string& message) {
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("racefuzz: error: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(message), std::string::npos) << r.output;
  // No crash, no sanitizer, no C++ exception text.
  for (const char* bad : {"terminate called", "Aborted", "what():", "Segmentation", "#0 "}) {
    EXPECT_EQ(r.output.find(bad), std::string::npos) << bad << " in: " << r.output;
  }
}

TEST(CliTest, HelpAndNoArguments) {
  Result help = Racefuzz("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("racefuzz campaign"), std::string::npos);
  EXPECT_EQ(Racefuzz("").exit_code, 2);
}

TEST(CliTest, UnknownCommand) {
  ExpectCleanError(Racefuzz("fuzzz sched_example"), "unknown command 'fuzzz'");
}

TEST(CliTest, UnknownTargetListsTheKnownOnes) {
  Result r = Racefuzz("fuzz no_such_target --time=1s");
  ExpectCleanError(r, "unknown target 'no_such_target'");
  EXPECT_NE(r.output.find("sched_example"), std::string::npos) << r.output;
}

TEST(CliTest, BadFlagValues) {
  ExpectCleanError(Racefuzz("fuzz sched_example --sanitizer=msan"), "choose tsan");
  ExpectCleanError(Racefuzz("fuzz sched_example --mode=random"), "choose deterministic or threads");
  ExpectCleanError(Racefuzz("fuzz sched_example --planted-bug=no-such-bug"),
                   "unknown planted bug 'no-such-bug'");
  ExpectCleanError(Racefuzz("campaign --targets=sched_example,nope"), "unknown target 'nope'");
  ExpectCleanError(Racefuzz("fuzz"), "takes one <target>");
}

TEST(CliTest, ListShowsTargets) {
  Result r = Racefuzz("list");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("sched_example"), std::string::npos) << r.output;
}

TEST_F(CrashFileTest, MissingCrashFile) {
  ExpectCleanError(Racefuzz("repro " + (dir_ / "nope").string()), "does not exist");
  ExpectCleanError(Racefuzz("minimize " + (dir_ / "nope").string()), "does not exist");
}

TEST_F(CrashFileTest, DirectoryInsteadOfFile) {
  ExpectCleanError(Racefuzz("repro " + dir_.string()), "is not a file");
}

TEST_F(CrashFileTest, NoMetadataAndNoFlags) {
  ExpectCleanError(Racefuzz("repro " + file_.string()), "--target=<name> --sanitizer=tsan|asan");
}

TEST_F(CrashFileTest, CorruptMetadata) {
  WriteMetadata("{\"target\": \"sched_exa");
  ExpectCleanError(Racefuzz("repro " + file_.string()), "is corrupt");
  WriteMetadata("[1, 2, 3]");
  ExpectCleanError(Racefuzz("repro " + file_.string()), "is corrupt");
  WriteMetadata("{\"target\": 7, \"build\": \"tsan\"}");
  ExpectCleanError(Racefuzz("repro " + file_.string()), "is corrupt");
}

TEST_F(CrashFileTest, MetadataNamesUnknownTarget) {
  WriteMetadata(R"({"target": "gone_target", "build": "tsan"})");
  ExpectCleanError(Racefuzz("repro " + file_.string()), "unknown target 'gone_target'");
}

TEST_F(CrashFileTest, MetadataNamesUnknownBuild) {
  WriteMetadata(R"({"target": "sched_example", "build": "msan"})");
  ExpectCleanError(Racefuzz("repro " + file_.string()), "unknown build 'msan'");
}

TEST_F(CrashFileTest, CrashFileOfAnotherBuild) {
  WriteMetadata(R"({"target": "sched_example", "build": "tsan"})");
  Result r = Racefuzz("repro --sanitizer=asan " + file_.string());
  ExpectCleanError(r, "was found by the tsan build");
  EXPECT_NE(r.output.find("--sanitizer=tsan"), std::string::npos) << r.output;
}

TEST_F(CrashFileTest, BadTimes) {
  WriteMetadata(R"({"target": "sched_example", "build": "tsan"})");
  ExpectCleanError(Racefuzz("repro --times=0 " + file_.string()), "--times must be at least 1");
}

}  // namespace
