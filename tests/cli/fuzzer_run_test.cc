// The one libFuzzer invocation builder (cli/fuzzer_run.h): what each job's command line holds.
#include "cli/fuzzer_run.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/repo.h"
#include "gtest/gtest.h"

namespace racefuzz::cli {
namespace {

namespace fs = std::filesystem;

class FuzzInvocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("racefuzz_fuzz_invocation_" + std::to_string(::getpid()));
    fs::create_directories(root_ / "corpora/probe/seeds");
    SetRoot(root_);
    target_.name = "probe";
    target_.binary = "probe";
  }
  void TearDown() override { fs::remove_all(root_); }

  bool Has(const Invocation& inv, const std::string& arg) const {
    return std::find(inv.argv.begin(), inv.argv.end(), arg) != inv.argv.end();
  }
  // The arguments after the binary (and the setarch -R before it, where it can run).
  std::vector<std::string> Args(const Invocation& inv) const {
    const std::string binary = (root_ / "build/tsan/probe").string();
    auto at = std::find(inv.argv.begin(), inv.argv.end(), binary);
    EXPECT_NE(at, inv.argv.end());
    return at == inv.argv.end() ? std::vector<std::string>{}
                                : std::vector<std::string>(at + 1, inv.argv.end());
  }

  fs::path root_;
  Target target_;
  const Build build_{"tsan", ""};
};

TEST_F(FuzzInvocationTest, MinimizeShrinksTheCrashIntoTheGivenFile) {
  FuzzPlan plan;
  plan.job = FuzzJob::kMinimizeCrash;
  plan.artifacts = "/crashes";
  plan.seconds = 30;
  plan.run.timeout_s = 7;
  plan.run.memory = "weak";
  plan.crash = "/crashes/crash-1";
  plan.minimized = "/crashes/minimized-crash-1";
  const Invocation inv = FuzzInvocation(build_, target_, plan);
  EXPECT_EQ(Args(inv), (std::vector<std::string>{
                           "-minimize_crash=1", "-timeout=7", "-max_total_time=30",
                           "-exact_artifact_path=/crashes/minimized-crash-1", "/crashes/crash-1"}));
  EXPECT_EQ(inv.cwd, "/crashes");
  EXPECT_EQ(inv.env.at("RACEFUZZ_MEMORY"), "weak");
}

TEST_F(FuzzInvocationTest, ReplayCorporaRunsEachInputOnceWithTheCheckedInOnes) {
  FuzzPlan plan;
  plan.job = FuzzJob::kReplayCorpora;
  plan.artifacts = "/out/coverage/probe";
  plan.corpora = {"/out/corpus/probe"};
  const Invocation inv = FuzzInvocation(build_, target_, plan);
  EXPECT_EQ(Args(inv), (std::vector<std::string>{"-runs=0", "-timeout=10", "/out/corpus/probe",
                                                 (root_ / "corpora/probe/seeds").string()}));
  EXPECT_EQ(inv.cwd, "/out/coverage/probe");
  EXPECT_EQ(inv.env.at("RACEFUZZ_MODE"), "deterministic");
}

TEST_F(FuzzInvocationTest, FuzzWritesNewInputsToTheFirstCorpus) {
  FuzzPlan plan;
  plan.corpus = "/out/corpus/probe";
  plan.artifacts = "/out/artifacts/probe/tsan";
  plan.seconds = 60;
  plan.seed = 4242;
  const Invocation inv = FuzzInvocation(build_, target_, plan);
  const std::vector<std::string> args = Args(inv);
  EXPECT_TRUE(Has(inv, "-max_total_time=60"));
  EXPECT_TRUE(Has(inv, "-seed=4242"));
  EXPECT_TRUE(Has(inv, "-artifact_prefix=/out/artifacts/probe/tsan/"));
  EXPECT_FALSE(Has(inv, "-minimize_crash=1"));
  ASSERT_GE(args.size(), 2u);
  EXPECT_EQ(args[args.size() - 2], "/out/corpus/probe");
  EXPECT_EQ(args.back(), (root_ / "corpora/probe/seeds").string());
}

}  // namespace
}  // namespace racefuzz::cli
