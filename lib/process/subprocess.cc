#include "lib/process/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace skein::process {
namespace {

int OpenOrDie(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  return fd;
}

RunResult DecodeWait(int status) {
  RunResult r;
  if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.signaled = true;
    r.signal = WTERMSIG(status);
    r.exit_code = 128 + r.signal;
  }
  return r;
}

struct Pipes {
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
};

absl::StatusOr<pid_t> SpawnImpl(const SpawnOptions& o, Pipes* pipes) {
  if (o.argv.empty()) return absl::InvalidArgumentError("empty argv");
  int errpipe[2];
  if (::pipe2(errpipe, O_CLOEXEC) != 0) return absl::InternalError("pipe failed");
  std::vector<std::string> env_strings;
  std::vector<char*> envp;
  if (o.env) {
    for (const auto& [k, v] : *o.env) env_strings.push_back(k + "=" + v);
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
  }
  std::vector<char*> argv;
  std::vector<std::string> argv_copy = o.argv;
  for (auto& a : argv_copy) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(errpipe[0]);
    ::close(errpipe[1]);
    return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on.
    if (o.new_session) ::setsid();
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    signal(SIGPIPE, SIG_DFL);
    int in = o.stdin_path.empty() ? ::open("/dev/null", O_RDONLY) : ::open(o.stdin_path.c_str(), O_RDONLY);
    if (in >= 0) ::dup2(in, 0);
    if (pipes != nullptr) {
      ::dup2(pipes->out[1], 1);
      ::dup2(pipes->err[1], 2);
    } else {
      if (!o.stdout_path.empty()) {
        int fd = OpenOrDie(o.stdout_path, O_WRONLY | O_CREAT | O_APPEND);
        if (fd >= 0) ::dup2(fd, 1);
      }
      if (!o.stderr_path.empty()) {
        int fd = OpenOrDie(o.stderr_path, O_WRONLY | O_CREAT | O_APPEND);
        if (fd >= 0) ::dup2(fd, 2);
      }
    }
    if (!o.cwd.empty() && ::chdir(o.cwd.c_str()) != 0) {
      int e = errno;
      (void)!::write(errpipe[1], &e, sizeof(e));
      ::_exit(127);
    }
    if (o.env) {
      ::execve(argv[0], argv.data(), envp.data());
    } else {
      ::execve(argv[0], argv.data(), environ);
    }
    int e = errno;
    (void)!::write(errpipe[1], &e, sizeof(e));
    ::_exit(127);
  }
  ::close(errpipe[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(errpipe[0], &child_errno, sizeof(child_errno));
  } while (n < 0 && errno == EINTR);
  ::close(errpipe[0]);
  if (n == sizeof(child_errno)) {
    ::waitpid(pid, nullptr, 0);
    return absl::InternalError(absl::StrCat("cannot run \"", o.argv[0], "\": ", strerror(child_errno)));
  }
  return pid;
}

}  // namespace

absl::StatusOr<pid_t> Spawn(const SpawnOptions& options) { return SpawnImpl(options, nullptr); }

absl::StatusOr<RunResult> Run(const SpawnOptions& options, std::optional<std::chrono::milliseconds> timeout) {
  Pipes pipes;
  if (::pipe2(pipes.out, O_CLOEXEC) != 0 || ::pipe2(pipes.err, O_CLOEXEC) != 0) {
    return absl::InternalError("pipe failed");
  }
  SpawnOptions o = options;
  o.new_session = true;
  auto pid = SpawnImpl(o, &pipes);
  ::close(pipes.out[1]);
  ::close(pipes.err[1]);
  if (!pid.ok()) {
    ::close(pipes.out[0]);
    ::close(pipes.err[0]);
    return pid.status();
  }
  std::string out, err;
  auto deadline = timeout ? std::chrono::steady_clock::now() + *timeout : std::chrono::steady_clock::time_point::max();
  pollfd fds[2] = {{pipes.out[0], POLLIN, 0}, {pipes.err[0], POLLIN, 0}};
  int open_fds = 2;
  bool killed = false;
  char buf[65536];
  while (open_fds > 0) {
    int wait_ms = -1;
    if (timeout) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      wait_ms = static_cast<int>(std::max<int64_t>(0, left.count()));
    }
    int r = ::poll(fds, 2, wait_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0 && !killed) {
      ::kill(-*pid, SIGKILL);
      killed = true;
      continue;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        (i == 0 ? out : err).append(buf, static_cast<size_t>(n));
      } else if (n == 0 || (n < 0 && errno != EINTR)) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  struct rusage usage {};
  while (::wait4(*pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  RunResult result = DecodeWait(status);
  result.peak_rss_kib = usage.ru_maxrss;
  result.stdout_text = std::move(out);
  result.stderr_text = std::move(err);
  return result;
}

std::optional<RunResult> Reap(pid_t pid, bool block) {
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return std::nullopt;
  if (r < 0) return RunResult{};  // not our child or already reaped
  return DecodeWait(status);
}

bool IsAlive(pid_t pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  auto close_paren = line.rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 >= line.size()) return true;
  char state = line[close_paren + 2];
  return state != 'Z' && state != 'X';
}

bool Terminate(pid_t pid, std::chrono::milliseconds grace, bool group) {
  if (pid <= 0) return true;
  auto gone = [&] {
    Reap(pid, false);
    return !IsAlive(pid);
  };
  if (gone()) return true;
  ::kill(group ? -pid : pid, SIGTERM);
  if (group) ::kill(pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  auto step = std::chrono::milliseconds(2);
  while (std::chrono::steady_clock::now() < deadline) {
    if (gone()) return true;
    std::this_thread::sleep_for(step);
    step = std::min(step * 2, std::chrono::milliseconds(50));
  }
  ::kill(group ? -pid : pid, SIGKILL);
  if (group) ::kill(pid, SIGKILL);
  for (int i = 0; i < 200; ++i) {
    if (gone()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return gone();
}

void WritePidFile(const std::string& path) {
  std::ofstream f(path, std::ios::trunc);
  f << ::getpid() << "\n";
}

std::optional<pid_t> ReadPidFile(const std::string& path) {
  std::ifstream f(path);
  pid_t pid = 0;
  if (f >> pid && pid > 0) return pid;
  return std::nullopt;
}

}  // namespace skein::process
