#include "cli/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

extern char** environ;

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

namespace {

// environ with `overrides` set: the child's envp.
std::vector<std::string> ChildEnvironment(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    if (!overrides.count(entry.substr(0, entry.find('=')))) env.push_back(entry);
  }
  for (const auto& [k, v] : overrides) env.push_back(absl::StrCat(k, "=", v));
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// posix_spawn's attributes and file actions, released on every path out.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

}  // namespace

absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv,
                                         const ProcessOptions& options) {
  if (argv.empty()) return absl::InvalidArgumentError("empty command");
  if (!options.cwd.empty() && !std::filesystem::is_directory(options.cwd)) {
    return absl::NotFoundError(
        absl::StrCat("cannot run ", argv[0], " in '", options.cwd, "': no such directory"));
  }
  const bool capture =
      static_cast<bool>(options.on_line) || !options.log_path.empty() || options.output != nullptr;
  int fds[2] = {-1, -1};
  if (capture && pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  SpawnSetup spawn;
  // Its own process group (Ctrl-C reaches racefuzz, which forwards it), default SIGINT/SIGTERM.
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(&spawn.attr, &defaults);
  posix_spawnattr_setpgroup(&spawn.attr, 0);
  posix_spawnattr_setflags(&spawn.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
  if (capture) {
    posix_spawn_file_actions_adddup2(&spawn.actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&spawn.actions, fds[1], 2);
  }
  if (!options.cwd.empty()) {
    posix_spawn_file_actions_addchdir_np(&spawn.actions, options.cwd.c_str());
  }
  std::vector<std::string> args(argv.begin(), argv.end());
  std::vector<std::string> env = ChildEnvironment(options.env);
  std::vector<char*> arg_ptrs = Pointers(args);
  std::vector<char*> env_ptrs = Pointers(env);
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, arg_ptrs[0], &spawn.actions, &spawn.attr, arg_ptrs.data(),
                                   env_ptrs.data());
  if (capture) close(fds[1]);
  if (spawned != 0) {
    if (capture) close(fds[0]);
    return absl::NotFoundError(
        absl::StrCat("cannot run '", argv[0], "': ", std::strerror(spawned)));
  }
  g_child_group = pid;
  if (g_interrupted) kill(-pid, SIGINT);
  if (capture) {
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
      pollfd p = {fds[0], POLLIN, 0};
      const int ready = poll(&p, 1, 1000);
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) {
        if (options.on_idle) options.on_idle();
        continue;
      }
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
