// canary_test: one GoogleTest test per side of every canary registered in this build.
//   canary_test                          runs them all (each side as RACEFUZZ_CANARY_RUNS
//                                        subprocesses of this binary, default 20)
//   canary_test --run-canary NAME violate|clean   runs one side in this process
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/canaries/canary.h"

extern char** environ;

namespace racefuzz::canary {
namespace {

struct Outcome {
  int exit_code = -1;  // 128 + signal if killed by one
  std::string err;
};

Outcome RunSelf(const std::string& name, const char* side) {
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::string self = "/proc/self/exe";
  char* argv[] = {self.data(), const_cast<char*>("--run-canary"), const_cast<char*>(name.c_str()),
                  const_cast<char*>(side), nullptr};
  pid_t pid;
  if (posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv, environ) != 0) std::abort();
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  Outcome out;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.err.append(buf, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return out;
}

int Runs() {
  int n = 20;
  if (const char* v = std::getenv("RACEFUZZ_CANARY_RUNS")) {
    if (!absl::SimpleAtoi(v, &n) || n < 1) n = 20;
  }
  return n;
}

// The timeline lines ("  #12  T1 write_raw page#0 [0, 8)"): identical in every run of a canary.
std::string Timeline(const std::string& err) {
  std::string t;
  for (absl::string_view line : absl::StrSplit(err, '\n')) {
    if (line.size() > 3 && line.substr(0, 3) == "  #") absl::StrAppend(&t, line, "\n");
  }
  return t;
}

void ExpectDetected(const Canary& c) {
  std::string first_timeline;
  for (int run = 0; run < Runs(); ++run) {
    const Outcome out = RunSelf(c.name, "violate");
    ASSERT_NE(out.exit_code, 0) << "run " << run << ": the violation went unreported\n" << out.err;
    size_t pos = 0;
    for (const std::string& want : c.expect) {
      const size_t at = out.err.find(want, pos);
      ASSERT_NE(at, std::string::npos)
          << "run " << run << ": expected, in order: \"" << want << "\"\nstderr:\n"
          << out.err;
      pos = at + want.size();
    }
    const std::string timeline = Timeline(out.err);
    if (run == 0) {
      first_timeline = timeline;
    } else {
      ASSERT_EQ(timeline, first_timeline) << "run " << run << " printed another timeline";
    }
  }
}

void ExpectClean(const Canary& c) {
  for (int run = 0; run < Runs(); ++run) {
    const Outcome out = RunSelf(c.name, "clean");
    ASSERT_EQ(out.exit_code, 0) << "run " << run << ": the clean twin failed\n" << out.err;
    for (const char* report : {"ERROR:", "WARNING: ThreadSanitizer", "SUMMARY:", "runtime error"}) {
      ASSERT_EQ(out.err.find(report), std::string::npos)
          << "run " << run << ": the clean twin reported \"" << report << "\"\n"
          << out.err;
    }
  }
}

// The sanitizers this binary was really compiled with, whatever its build is called.
unsigned CarriedBuild() {
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
  return kTsan;
#elif __has_feature(address_sanitizer)
  return kAsan;
#endif
#endif
  return kDebug;
}

// The build this run must test: RACEFUZZ_EXPECT_SANITIZER (the test presets set it from the preset
// name: `ctest --preset tsan` expects TSan) or else the build's own name. The canaries of that
// build are registered whatever the binary carries, so a "tsan" build without TSan fails its TSan
// canaries (the violation goes unreported) instead of skipping them.
unsigned ExpectedBuild() {
  const char* v = std::getenv("RACEFUZZ_EXPECT_SANITIZER");
  if (v == nullptr || *v == '\0') return ThisBuild();
  if (std::strcmp(v, "tsan") == 0) return kTsan;
  if (std::strcmp(v, "asan") == 0) return kAsan;
  return kDebug;
}

const char* BuildName(unsigned build) {
  return build == kTsan ? "tsan" : build == kAsan ? "asan" : "no sanitizer";
}

class CanaryTest : public testing::Test {
 public:
  CanaryTest(const Canary& c, bool violate) : c_(c), violate_(violate) {}
  void TestBody() override { violate_ ? ExpectDetected(c_) : ExpectClean(c_); }

 private:
  const Canary& c_;
  bool violate_;
};

}  // namespace
}  // namespace racefuzz::canary

int main(int argc, char** argv) {
  using racefuzz::canary::All;
  if (argc == 4 && std::strcmp(argv[1], "--run-canary") == 0) {
    for (const auto& c : All()) {
      if (c.name == std::string(argv[2])) {
        (std::strcmp(argv[3], "violate") == 0 ? c.violate : c.clean)();
        return 0;
      }
    }
    std::fprintf(stderr, "canary_test: no canary named '%s'\n", argv[2]);
    return 2;
  }
  testing::InitGoogleTest(&argc, argv);
  using racefuzz::canary::BuildName;
  const unsigned expected = racefuzz::canary::ExpectedBuild();
  const unsigned carried = racefuzz::canary::CarriedBuild();
  const unsigned labelled = racefuzz::canary::ThisBuild();
  testing::RegisterTest(
      "Build", "CarriesTheSanitizerAskedFor", nullptr, nullptr, __FILE__, __LINE__,
      [=]() -> testing::Test* {
        struct T : testing::Test {
          unsigned expected, carried, labelled;
          T(unsigned e, unsigned c, unsigned l) : expected(e), carried(c), labelled(l) {}
          void TestBody() override {
            EXPECT_EQ(BuildName(carried), std::string(BuildName(expected)))
                << "this binary was compiled without the sanitizer its build asks for: "
                   "reconfigure the build fresh (python3 ci/configure.py <preset>)";
            EXPECT_EQ(BuildName(labelled), std::string(BuildName(expected)))
                << "the build is configured as RACEFUZZ_SANITIZER=" << RACEFUZZ_BUILD_NAME
                << ", not as its preset asks";
          }
        };
        return new T(expected, carried, labelled);
      });
  for (const auto& c : All()) {
    if ((c.builds & expected) == 0) continue;
    for (bool violate : {true, false}) {
      const std::string test = std::string(c.name) + (violate ? "_detected" : "_clean_twin");
      testing::RegisterTest("Canary", test.c_str(), nullptr, c.clause, __FILE__, __LINE__,
                            [&c, violate]() -> testing::Test* {
                              return new racefuzz::canary::CanaryTest(c, violate);
                            });
    }
  }
  return RUN_ALL_TESTS();
}
