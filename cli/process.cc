#include "cli/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace racefuzz::cli {
namespace {

volatile sig_atomic_t g_interrupted = 0;
volatile pid_t g_child_group = 0;

void ForwardSignal(int sig) {
  g_interrupted = 1;
  if (g_child_group > 0) kill(-g_child_group, sig);
}

std::string Quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789-_=/.,:+%@") == std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

void InstallInterruptHandlers() {
  struct sigaction sa = {};
  sa.sa_handler = ForwardSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool Interrupted() { return g_interrupted != 0; }

bool TakeInterrupt() {
  const bool was = g_interrupted != 0;
  g_interrupted = 0;
  return was;
}

std::string ShellCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : env) parts.push_back(absl::StrCat(k, "=", Quote(v)));
  for (const auto& a : argv) parts.push_back(Quote(a));
  return absl::StrJoin(parts, " ");
}

absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         const ProcessOptions& options) {
  if (argv.empty()) return absl::InvalidArgumentError("empty command");
  const bool capture =
      static_cast<bool>(options.on_line) || !options.log_path.empty() || options.output != nullptr;
  int fds[2] = {-1, -1};
  if (capture && pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    setpgid(0, 0);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (capture) {
      dup2(fds[1], 1);
      dup2(fds[1], 2);
    }
    for (const auto& [k, v] : options.env) setenv(k.c_str(), v.c_str(), 1);
    if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) {
      std::fprintf(stderr, "racefuzz: cannot enter '%s': %s\n", options.cwd.c_str(),
                   std::strerror(errno));
      _exit(127);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::fprintf(stderr, "racefuzz: cannot run '%s': %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  setpgid(pid, pid);  // also in the parent: no race with the first signal
  g_child_group = pid;
  if (g_interrupted) kill(-pid, SIGINT);
  if (capture) {
    close(fds[1]);
    std::ofstream log;
    if (!options.log_path.empty()) log.open(options.log_path, std::ios::app);
    std::string pending;
    char buf[65536];
    auto emit = [&](const std::string& line) {
      if (log.is_open()) log << line << '\n';
      if (options.output != nullptr) absl::StrAppend(options.output, line, "\n");
      if (options.on_line) options.on_line(line);
    };
    for (;;) {
      const ssize_t n = read(fds[0], buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      pending.append(buf, n);
      size_t start = 0;
      for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
        emit(pending.substr(start, nl - start));
      }
      pending.erase(0, start);
    }
    if (!pending.empty()) emit(pending);
    close(fds[0]);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  g_child_group = 0;
  ProcessResult result;
  if (WIFSIGNALED(status)) {
    result.signaled = true;
    result.exit_code = 128 + WTERMSIG(status);
  } else {
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

}  // namespace racefuzz::cli
