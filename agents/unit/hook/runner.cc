#include "agents/unit/hook/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace skein::agent {
namespace {

constexpr auto kKillGrace = std::chrono::milliseconds(2000);
constexpr auto kDrainAfterExit = std::chrono::milliseconds(200);

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// Splits a stream into lines for the output callback.
struct LineBuffer {
  std::string pending;
  void Feed(const char* data, size_t n, bool is_stderr, const HookRunner::OutputFn& output) {
    pending.append(data, n);
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      if (output) output(is_stderr, pending.substr(start, nl - start));
    }
    pending.erase(0, start);
  }
  void Finish(bool is_stderr, const HookRunner::OutputFn& output) {
    if (!pending.empty() && output) output(is_stderr, pending);
    pending.clear();
  }
};

int PidfdOpen(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  errno = ENOSYS;
  return -1;
#endif
}

}  // namespace

HookOutcome CharmDirRunner::Run(const std::string& hook_name, const std::map<std::string, std::string>& env,
                                const OutputFn& output) {
  HookOutcome outcome;
  if (!Exists(charm_dir_ + "/metadata.yaml")) {
    outcome.kind = HookOutcome::Kind::kFailed;
    outcome.error = "charm missing from disk";
    return outcome;
  }
  std::string path = charm_dir_ + "/dispatch";
  if (!IsExecutableFile(path)) {
    // Actions come as `actions/<name>` (hook names never hold a '/').
    path = absl::StartsWith(hook_name, "actions/") ? charm_dir_ + "/" + hook_name : charm_dir_ + "/hooks/" + hook_name;
    if (!Exists(path)) {
      outcome.kind = HookOutcome::Kind::kMissing;
      return outcome;
    }
    if (!IsExecutableFile(path)) {
      outcome.kind = HookOutcome::Kind::kFailed;
      outcome.error = absl::StrCat("fork/exec ", path, ": permission denied");
      return outcome;
    }
  }

  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string argv0 = path;
  char* argv[] = {argv0.data(), nullptr};

  int out[2], err[2], exec_err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 || ::pipe2(exec_err, O_CLOEXEC) != 0) {
    return HookOutcome{HookOutcome::Kind::kFailed, 0, absl::StrCat("pipe: ", std::strerror(errno))};
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (kill_requested_) {
    for (int fd : {out[0], out[1], err[0], err[1], exec_err[0], exec_err[1]}) ::close(fd);
    return HookOutcome{HookOutcome::Kind::kKilled, 0, "agent stopping"};
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    // Child: async-signal-safe calls only. Own session = own process group, so that killing
    // the group stops everything the hook started.
    ::setsid();
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    if (::chdir(charm_dir_.c_str()) == 0) ::execve(argv[0], argv, envp.data());
    int e = errno;
    (void)!::write(exec_err[1], &e, sizeof(e));
    ::_exit(127);
  }
  if (pid < 0) {
    lock.unlock();
    for (int fd : {out[0], out[1], err[0], err[1], exec_err[0], exec_err[1]}) ::close(fd);
    return HookOutcome{HookOutcome::Kind::kFailed, 0, absl::StrCat("fork: ", std::strerror(errno))};
  }
  pid_ = pid;
  lock.unlock();
  ::close(out[1]);
  ::close(err[1]);
  ::close(exec_err[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(exec_err[0], &child_errno, sizeof(child_errno));
  } while (n < 0 && errno == EINTR);
  ::close(exec_err[0]);
  bool exec_failed = n == sizeof(child_errno);

  // Read both streams until the hook exits. A hook may leave a background process holding
  // its stdout; once the hook itself is gone (pidfd readable) we stop waiting for EOF.
  int pidfd = PidfdOpen(pid);
  LineBuffer out_lines, err_lines;
  pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {pidfd, POLLIN, 0}};
  bool exited = false;
  std::chrono::steady_clock::time_point exit_seen{};
  std::chrono::steady_clock::time_point kill_deadline{};
  bool escalated = false;
  char buf[65536];
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    int timeout_ms = exited ? 0 : 200;
    int r = ::poll(fds, 3, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    {
      std::lock_guard<std::mutex> g(mu_);
      if (kill_requested_ && !escalated) {
        auto now = std::chrono::steady_clock::now();
        if (kill_deadline == std::chrono::steady_clock::time_point{}) kill_deadline = now + kKillGrace;
        if (now >= kill_deadline) {
          ::kill(-pid, SIGKILL);
          escalated = true;
        }
      }
    }
    if (pidfd >= 0 && fds[2].fd >= 0 && (fds[2].revents & POLLIN)) {
      exited = true;
      exit_seen = std::chrono::steady_clock::now();
      fds[2].fd = -1;
    }
    bool got_data = false;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t m = ::read(fds[i].fd, buf, sizeof(buf));
      if (m > 0) {
        (i == 0 ? out_lines : err_lines).Feed(buf, static_cast<size_t>(m), i == 1, output);
        got_data = true;
      } else if (m == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
      }
    }
    // The hook is gone: take what it wrote, but do not wait on its background processes.
    if (exited && ((!got_data && r == 0) || std::chrono::steady_clock::now() - exit_seen > kDrainAfterExit)) break;
  }
  for (int i = 0; i < 2; ++i) {
    if (fds[i].fd >= 0) ::close(fds[i].fd);
  }
  if (pidfd >= 0) ::close(pidfd);
  out_lines.Finish(false, output);
  err_lines.Finish(true, output);

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  bool killed;
  {
    std::lock_guard<std::mutex> g(mu_);
    pid_ = 0;
    killed = kill_requested_;
  }
  if (exec_failed) {
    return HookOutcome{HookOutcome::Kind::kFailed, 127,
                       absl::StrCat("fork/exec ", path, ": ", std::strerror(child_errno))};
  }
  if (killed) return HookOutcome{HookOutcome::Kind::kKilled, 0, "killed by the agent"};
  if (WIFEXITED(status)) {
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.exit_code = 128 + WTERMSIG(status);
  }
  if (outcome.exit_code != 0) {
    outcome.kind = HookOutcome::Kind::kFailed;
    outcome.error = WIFSIGNALED(status) ? absl::StrCat("signal: ", strsignal(WTERMSIG(status)))
                                        : absl::StrCat("exit status ", outcome.exit_code);
  }
  return outcome;
}

void CharmDirRunner::Kill() {
  std::lock_guard<std::mutex> lock(mu_);
  kill_requested_ = true;
  if (pid_ > 0) {
    ::kill(-pid_, SIGTERM);
    ::kill(pid_, SIGTERM);
  }
}

}  // namespace skein::agent
