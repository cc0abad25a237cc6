// The racefuzz command on bad input: every mistake gets a clear message saying what to do and a
// non-zero exit, never a stack trace. Runs the built binary as a subprocess.
#include <sys/wait.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace {

namespace fs = std::filesystem;

struct Result {
  int exit_code;
  std::string output;
};

// Runs `racefuzz <args>` in the checkout `root` (default the source tree), without building
// anything.
Result Racefuzz(const std::string& args, const std::string& root = RACEFUZZ_SOURCE_DIR) {
  const std::string command =
      "cd '" + root + "' && RACEFUZZ_ROOT='" + root + "' " RACEFUZZ_CLI_BINARY " " + args + " 2>&1";
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
  for (const char* command : {"list", "fuzz", "repro", "minimize", "campaign", "coverage"}) {
    EXPECT_NE(help.output.find(command), std::string::npos) << command << " in: " << help.output;
  }
  Result fuzz_help = Racefuzz("fuzz --help");
  EXPECT_EQ(fuzz_help.exit_code, 0);
  EXPECT_NE(fuzz_help.output.find("--timeout"), std::string::npos) << fuzz_help.output;
  ExpectCleanError(Racefuzz(""), "A subcommand is required");
}

TEST(CliTest, UnknownCommand) {
  ExpectCleanError(Racefuzz("fuzzz sched_example"), "unknown command 'fuzzz'");
}

TEST(CliTest, UnknownTargetListsTheKnownOnes) {
  Result r = Racefuzz("fuzz no_such_target --time=1s");
  ExpectCleanError(r, "unknown target 'no_such_target'");
  EXPECT_NE(r.output.find("sched_example"), std::string::npos) << r.output;
}

// Every bad value is a usage error (exit 2) whose message names the flag and what it accepts.
TEST(CliTest, BadFlagValuesNameTheFlag) {
  ExpectCleanError(Racefuzz("fuzz sched_example --sanitizer=msan"),
                   "--sanitizer: msan not in {tsan,asan}");
  ExpectCleanError(Racefuzz("fuzz sched_example --mode=random"),
                   "--mode: random not in {deterministic,threads}");
  ExpectCleanError(Racefuzz("fuzz sched_example --schedule=fifo"),
                   "--schedule: fifo not in {input,pct,round-robin}");
  ExpectCleanError(Racefuzz("fuzz sched_example --memory=tso"), "--memory: tso not in {sc,weak}");
  ExpectCleanError(Racefuzz("fuzz sched_example --time=abc"),
                   "--time: 'abc' is not a duration of at least 1s: write 30s, 10m or 1h");
  ExpectCleanError(Racefuzz("fuzz sched_example --timeout=0s"),
                   "--timeout: '0s' is not a duration");
  ExpectCleanError(Racefuzz("fuzz sched_example --seed=abc"), "--seed: 'abc' is not a seed");
  ExpectCleanError(Racefuzz("fuzz sched_example --jobs=0"), "--jobs: Value 0 not in range 1");
  ExpectCleanError(Racefuzz("fuzz sched_example --schedule=pct --pct-depth=0"),
                   "--pct-depth: Value 0 not in range 1");
  ExpectCleanError(Racefuzz("fuzz sched_example --pct-depth=3"),
                   "--pct-depth applies to --schedule=pct only");
  ExpectCleanError(Racefuzz("fuzz sched_example --planted-bug=no-such-bug"),
                   "--planted-bug: unknown planted bug 'no-such-bug'");
  ExpectCleanError(Racefuzz("campaign --targets=sched_example,nope"), "unknown target 'nope'");
  ExpectCleanError(Racefuzz("fuzz"), "target is required");
}

// A flag that exists but not for this subcommand is an error, never silently ignored.
TEST(CliTest, FlagOfAnotherSubcommand) {
  ExpectCleanError(Racefuzz("campaign --mode=threads"),
                   "racefuzz campaign does not take --mode=threads");
  ExpectCleanError(Racefuzz("campaign --schedule=pct"),
                   "racefuzz campaign does not take --schedule=pct");
  ExpectCleanError(Racefuzz("list --time=1s"), "racefuzz list does not take --time=1s");
  ExpectCleanError(Racefuzz("coverage --sanitizer=asan"),
                   "racefuzz coverage does not take --sanitizer=asan");
  ExpectCleanError(Racefuzz("campaign extra"), "racefuzz campaign does not take extra");
}

// A target is declared once, in fuzzers/manifest.json: the README's table is its output.
TEST(CliTest, ReadmeTargetTableIsTheManifests) {
  Result table = Racefuzz("list --markdown");
  ASSERT_EQ(table.exit_code, 0) << table.output;
  std::ifstream in(fs::path(RACEFUZZ_SOURCE_DIR) / "README.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const std::string begin = "cli_test fails when this table drifts -->\n";
  const std::string end = "<!-- end of the generated target table -->";
  const size_t from = readme.find(begin);
  const size_t to = readme.find(end);
  ASSERT_NE(from, std::string::npos) << "README.md lost its generated target table";
  ASSERT_NE(to, std::string::npos) << "README.md lost its generated target table";
  EXPECT_EQ(readme.substr(from + begin.size(), to - from - begin.size()), table.output)
      << "README.md's target table drifted from fuzzers/manifest.json: regenerate it with "
         "./racefuzz list --markdown";
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
  ExpectCleanError(Racefuzz("repro --times=0 " + file_.string()), "--times: Value 0 not in range");
}

#ifdef RACEFUZZ_CLI_PROBE
// A checkout of its own for the probe target (tests/cli/cli_probe_fuzzer.cc): its manifest, a
// "tsan" build holding the probe binary, configured as ci/configure.py (copied with
// CMakePresets.json) asks, so that racefuzz's configure step finds nothing to do (the rebuild it
// tries fails: it warns and uses the binary, as with a real checkout whose rebuild fails), seeds,
// the report template.
class ProbeCheckout : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("racefuzz_probe_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "fuzzers");
    std::ofstream(root_ / "fuzzers/manifest.json")
        << R"({"targets": [{"name": "probe", "description": "the cli tests' probe",)"
        << R"( "source": "probe.cc", "binary": "probe"}]})";
    std::ofstream(root_ / "probe.cc") << "// the probe's source is tests/cli/cli_probe_fuzzer.cc\n";
    fs::create_directories(root_ / "ci");
    fs::copy_file(fs::path(RACEFUZZ_SOURCE_DIR) / "ci/configure.py", root_ / "ci/configure.py");
    fs::copy_file(fs::path(RACEFUZZ_SOURCE_DIR) / "CMakePresets.json", root_ / "CMakePresets.json");
    fs::create_directories(root_ / "build/tsan");
    WriteCache("");
    fs::create_symlink(RACEFUZZ_CLI_PROBE, root_ / "build/tsan/probe");
    fs::create_directories(root_ / "cli");
    fs::copy_file(fs::path(RACEFUZZ_SOURCE_DIR) / "cli/campaign_report.tpl",
                  root_ / "cli/campaign_report.tpl");
  }
  void TearDown() override { fs::remove_all(root_); }

  // build/tsan/CMakeCache.txt as `python3 ci/configure.py tsan` asks for it (what racefuzz asks
  // for: no planted bug), with `defines` ("-DVAR=value ...") on top.
  void WriteCache(const std::string& defines) {
    const std::string command = "python3 '" + (root_ / "ci/configure.py").string() +
                                "' tsan -DRACEFUZZ_PLANTED_BUG= " + defines + " --print cache > '" +
                                (root_ / "build/tsan/CMakeCache.txt").string() + "'";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }

  void Seed(const std::string& name, const std::string& bytes) {
    fs::create_directories(root_ / "corpora/probe/seeds");
    std::ofstream(root_ / "corpora/probe/seeds" / name) << bytes;
  }
  // A crash file with metadata saying a run in `mode` found it.
  fs::path CrashFile(const std::string& bytes, const std::string& mode) {
    const fs::path dir = root_ / "out/artifacts/probe/tsan";
    fs::create_directories(dir);
    const fs::path file = dir / "crash-probe";
    std::ofstream(file) << bytes;
    std::ofstream(file.string() + ".racefuzz.json")
        << R"({"target": "probe", "build": "tsan", "run": {"mode": ")" << mode << R"("}})";
    return file;
  }
  Result Run(const std::string& args) { return Racefuzz(args, root_.string()); }
  std::vector<std::string> Corpus() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(root_ / "out/corpus/probe")) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
  fs::path root_;
};

// A seed that crashes before libFuzzer's first status line is the crash it is (exit 1), every
// time: the second run rewrites the same crash file, which a diff of the artifacts folder misses.
TEST_F(ProbeCheckout, CrashingSeedIsReportedAsACrash) {
  Seed("crashes", "RFZ!C");
  for (int run = 1; run <= 2; ++run) {
    Result r = Run("fuzz probe --time=20s");
    EXPECT_EQ(r.exit_code, 1) << "run " << run << ": " << r.output;
    EXPECT_NE(r.output.find("1 distinct crash(es)"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("libFuzzer: deadly signal (new)"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("printed no libFuzzer status"), std::string::npos) << r.output;
  }
}

// --seed and --runs repeat a run: the same inputs found, the same crash metadata.
TEST_F(ProbeCheckout, SeedRepeatsTheRun) {
  std::vector<std::string> corpora[2];
  for (auto& corpus : corpora) {
    fs::remove_all(root_ / "out");
    Result r = Run("fuzz probe --seed=4242 --runs=20000");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("libFuzzer seed 4242: repeat this run with --seed=4242"),
              std::string::npos)
        << r.output;
    corpus = Corpus();
  }
  EXPECT_GT(corpora[0].size(), 2u);
  EXPECT_EQ(corpora[0], corpora[1]);
  // The seed is in the metadata of what the run finds.
  Seed("crashes", "RFZ!C");
  Result r = Run("fuzz probe --seed=4242 --runs=10");
  ASSERT_EQ(r.exit_code, 1) << r.output;
  std::ifstream metadata(root_ / "out/artifacts/probe/tsan" /
                         "crash-73270ca03eade2ad212a7711824ea8d9fc82814b.racefuzz.json");
  std::stringstream text;
  text << metadata.rdbuf();
  EXPECT_NE(text.str().find("\"seed\": 4242"), std::string::npos) << text.str();
}

// racefuzz configures a build through ci/configure.py, which checks the whole cache against the
// preset: a build of another build type (not only another sanitizer) is configured again, and the
// line saying why is shown. Here that configure fails (the probe checkout has no CMakeLists.txt): a
// clean error, not a run of the build that was not asked for.
TEST_F(ProbeCheckout, ABuildConfiguredAnotherWayIsConfiguredAgain) {
  WriteCache("-DCMAKE_BUILD_TYPE=Debug");
  Result r = Run("fuzz probe --runs=1");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("racefuzz configure: build/tsan is configured another way "
                          "(CMAKE_BUILD_TYPE=Debug"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("racefuzz: error: configuring tsan failed"), std::string::npos)
      << r.output;
}

// minimize runs libFuzzer's -minimize_crash through the one invocation builder and keeps the result
// only with the original's report: the probe's crash needs its first five bytes only.
TEST_F(ProbeCheckout, MinimizeShrinksACrashKeepingItsReport) {
  const fs::path crash = CrashFile("RFZ!Cpadding-to-drop", "deterministic");
  Result r = Run("minimize " + crash.string() + " --time=5s");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("racefuzz: minimized 20 -> "), std::string::npos) << r.output;
  const fs::path out = crash.parent_path() / "minimized-crash-probe";
  ASSERT_TRUE(fs::exists(out)) << r.output;
  EXPECT_LT(fs::file_size(out), 20u) << r.output;
  std::string bytes;
  std::ifstream(out) >> bytes;
  EXPECT_EQ(bytes.substr(0, 5), "RFZ!C");
}

// A fuzzing run's address layout is the same in every process (no ASLR): libFuzzer copies compared
// values, pointers included, into its mutations, so a randomized layout makes a --seed run take
// another path now and then (SeedRepeatsTheRun, about once in 150 runs).
TEST_F(ProbeCheckout, FuzzingRunsHaveOneAddressLayout) {
  Seed("layout", "RFZ!L");
  std::string layouts[2];
  for (auto& layout : layouts) {
    fs::remove_all(root_ / "out");
    Result r = Run("fuzz probe --seed=4242 --runs=1");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::ifstream(root_ / "out/artifacts/probe/tsan/probe-layout") >> layout;
  }
  EXPECT_FALSE(layouts[0].empty());
  EXPECT_EQ(layouts[0], layouts[1]);
}

// A deterministic-mode crash file that reproduces in fewer than all runs, 0 included, is a
// racefuzz bug: repro says so loudly and exits 1.
TEST_F(ProbeCheckout, ReproOfANonReproducingDeterministicCrash) {
  Result none = Run("repro " + CrashFile("RFZ!N", "deterministic").string() + " --times=3");
  EXPECT_EQ(none.exit_code, 1) << none.output;
  EXPECT_NE(none.output.find("reproduced 0/3"), std::string::npos) << none.output;
  EXPECT_NE(none.output.find("RACEFUZZ BUG: a deterministic-mode crash reproduced 0 of 3"),
            std::string::npos)
      << none.output;

  Result some = Run("repro " + CrashFile("RFZ!F2", "deterministic").string() + " --times=5");
  EXPECT_EQ(some.exit_code, 1) << some.output;
  EXPECT_NE(some.output.find("reproduced 2/5"), std::string::npos) << some.output;
  EXPECT_NE(some.output.find("RACEFUZZ BUG: a deterministic-mode crash reproduced 2 of 5"),
            std::string::npos)
      << some.output;

  Result all = Run("repro " + CrashFile("RFZ!C", "deterministic").string() + " --times=3");
  EXPECT_EQ(all.exit_code, 0) << all.output;
  EXPECT_NE(all.output.find("reproduced 3/3"), std::string::npos) << all.output;
  EXPECT_EQ(all.output.find("RACEFUZZ BUG"), std::string::npos) << all.output;
}

// From threads mode a shortfall is expected: a note, no alarm, still exit 1.
TEST_F(ProbeCheckout, ReproOfAThreadsModeCrashThatReproducesSometimes) {
  Result r = Run("repro " + CrashFile("RFZ!F1", "threads").string() + " --times=3");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("reproduced 1/3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("this crash came from threads mode"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("RACEFUZZ BUG"), std::string::npos) << r.output;
}
// --memory, --schedule and --pct-depth reach the binary's environment, are recorded in the crash's
// metadata and come back in the command that replays it.
TEST_F(ProbeCheckout, RunFlagsAreRecordedAndReplayed) {
  Seed("crashes", "RFZ!C");
  Result r = Run("fuzz probe --runs=10 --memory=weak --schedule=pct --pct-depth=2 --timeout=7s");
  ASSERT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("RACEFUZZ_MEMORY=weak RACEFUZZ_MODE=deterministic RACEFUZZ_PCT_DEPTH=2 "
                          "RACEFUZZ_SCHEDULE=pct"),
            std::string::npos)
      << r.output;
  std::ifstream metadata(root_ / "out/artifacts/probe/tsan" /
                         "crash-73270ca03eade2ad212a7711824ea8d9fc82814b.racefuzz.json");
  std::stringstream text;
  text << metadata.rdbuf();
  for (const char* field :
       {"\"memory\": \"weak\"", "\"pct_depth\": 2", "\"schedule\": \"pct\"", "\"timeout_s\": 7"}) {
    EXPECT_NE(text.str().find(field), std::string::npos) << field << " in " << text.str();
  }
  Result repro = Run(
      "repro " +
      (root_ / "out/artifacts/probe/tsan/crash-73270ca03eade2ad212a7711824ea8d9fc82814b").string());
  EXPECT_EQ(repro.exit_code, 0) << repro.output;
  EXPECT_NE(repro.output.find("RACEFUZZ_PCT_DEPTH=2 RACEFUZZ_SCHEDULE=pct"), std::string::npos)
      << repro.output;
  EXPECT_NE(repro.output.find("-timeout=7"), std::string::npos) << repro.output;
}

// Threads mode never hangs: an input whose threads wait forever is reported by the watchdog as a
// hang, with each thread's site, within the timeout, and triaged as the crash it is.
TEST_F(ProbeCheckout, HungThreadsModeInputIsReportedWithinTheTimeout) {
  Seed("hangs", "RFZ!H");
  const auto start = std::chrono::steady_clock::now();
  Result r = Run("fuzz probe --mode=threads --timeout=4s --time=30s");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("racefuzz: threads-hang (new)"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("libFuzzer: timeout"), std::string::npos) << r.output;
  std::ifstream log(root_ / "out/artifacts/probe/tsan.log");
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_NE(text.str().find("no simulated thread finished for 2s"), std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find("T0 spinning in wait probe_flag#0 at"), std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find("T1 blocked in lock probe#0 at"), std::string::npos) << text.str();
  // The hang (2 s) and its triage's replay (2 s more), with room for a loaded machine; far below
  // the --time of 30 s a stuck run would use up.
  EXPECT_LT(seconds, 20) << r.output;
}
#endif  // RACEFUZZ_CLI_PROBE

}  // namespace
