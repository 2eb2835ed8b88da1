#include "lib/process/subprocess.h"

#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>

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

  const pid_t parent = ::getpid();
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
    if (o.die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      // The parent may have gone between fork and prctl: then nothing would ever signal us.
      if (::getppid() != parent) ::_exit(127);
    }
    if (!o.private_binds.empty()) {
      // A namespace of our own, with every mount made private first (systemd makes / shared), so
      // that the binds below stay in it.
      bool ok = ::unshare(CLONE_NEWNS) == 0 && ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
      for (const auto& bind : o.private_binds) {
        ok = ok && ::mount(bind.source.c_str(), bind.target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) == 0;
      }
      if (!ok) {
        int e = errno;
        (void)!::write(errpipe[1], &e, sizeof(e));
        ::_exit(127);
      }
    }
    // The switch comes first, so that the child opens its files with its own rights: a name in a
    // directory it owns cannot send root's writes elsewhere.
    if (o.run_as && (::setgroups(0, nullptr) != 0 || ::setgid(o.run_as->gid) != 0 || ::setuid(o.run_as->uid) != 0)) {
      int e = errno;
      (void)!::write(errpipe[1], &e, sizeof(e));
      ::_exit(127);
    }
    if (!o.inherit_stdin) {
      int in = o.stdin_path.empty() ? ::open("/dev/null", O_RDONLY) : ::open(o.stdin_path.c_str(), O_RDONLY);
      if (in >= 0) ::dup2(in, 0);
    }
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

RunCanceller::RunCanceller() : wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

RunCanceller::~RunCanceller() {
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void RunCanceller::Cancel() {
  MutexLock lock(mu_);
  if (cancelled_) return;
  cancelled_ = true;
  // The counter is never read back: once cancelled the fd stays readable, which is the point.
  const uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof(one));
}

bool RunCanceller::cancelled() const {
  MutexLock lock(mu_);
  return cancelled_;
}

namespace {

// Splits one stream into lines for RunOptions::on_line, or keeps it whole when there is none.
class StreamReader {
 public:
  StreamReader(OutputStream stream, const RunOptions& options) : stream_(stream), options_(options) {}

  void Feed(const char* data, size_t n) {
    text_.append(data, n);
    if (!options_.on_line) return;
    size_t start = 0;
    for (size_t nl; (nl = text_.find('\n', start)) != std::string::npos; start = nl + 1) {
      options_.on_line(stream_, std::string_view(text_).substr(start, nl - start));
    }
    text_.erase(0, start);
  }
  // The stream ended: the last line, if it had no newline, or the whole text.
  std::string Finish() {
    if (!options_.on_line) return std::move(text_);
    if (!text_.empty()) options_.on_line(stream_, text_);
    text_.clear();
    return {};
  }

 private:
  const OutputStream stream_;
  const RunOptions& options_;
  std::string text_;
};

int PidfdOpen(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  errno = ENOSYS;
  return -1;
#endif
}

// Milliseconds for poll(2) until `deadline` (rounded up, so the wait never ends just short of it).
int PollMillis(Clock::TimePoint now, Clock::TimePoint deadline) {
  if (deadline <= now) return 0;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
  return static_cast<int>(std::min<int64_t>(left, std::numeric_limits<int>::max()));
}

}  // namespace

absl::StatusOr<RunResult> Run(const SpawnOptions& spawn, const RunOptions& options) {
  if (options.canceller != nullptr && options.canceller->cancelled()) {
    return absl::CancelledError("stopped before it started");
  }
  Pipes pipes;
  if (::pipe2(pipes.out, O_CLOEXEC) != 0 || ::pipe2(pipes.err, O_CLOEXEC) != 0) {
    return absl::InternalError("pipe failed");
  }
  SpawnOptions o = spawn;
  o.new_session = true;
  auto pid = SpawnImpl(o, &pipes);
  ::close(pipes.out[1]);
  ::close(pipes.err[1]);
  if (!pid.ok()) {
    ::close(pipes.out[0]);
    ::close(pipes.err[0]);
    return pid.status();
  }

  Clock& clock = RealClock();
  const Clock::TimePoint kNever = Clock::TimePoint::max();
  const Clock::TimePoint timeout_at = options.timeout ? clock.Now() + *options.timeout : kNever;
  // Once the child was asked to stop: when SIGKILL follows.
  std::optional<Clock::TimePoint> kill_at;
  bool kill_sent = false;
  bool timed_out = false;
  bool cancelled = false;
  auto stop = [&](Clock::TimePoint now) {
    if (kill_at) return;
    if (options.kill_grace > Clock::Duration::zero()) {
      ::kill(-*pid, SIGTERM);
      ::kill(*pid, SIGTERM);  // in case it left its group
      kill_at = now + options.kill_grace;
    } else {
      kill_at = now;
    }
  };

  // Exit is seen through a pidfd, so that a process the child left running with our pipes does
  // not keep us reading. Without pidfds (Linux < 5.3) Run reads until every writer closed them.
  const int pidfd = options.drain_after_exit ? PidfdOpen(*pid) : -1;
  const int cancel_fd = options.canceller != nullptr ? options.canceller->wake_fd() : -1;
  StreamReader out(OutputStream::kStdout, options), err(OutputStream::kStderr, options);
  pollfd fds[4] = {{pipes.out[0], POLLIN, 0}, {pipes.err[0], POLLIN, 0}, {pidfd, POLLIN, 0}, {cancel_fd, POLLIN, 0}};
  std::optional<Clock::TimePoint> exited_at;
  char buf[65536];
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    Clock::TimePoint now = clock.Now();
    if (!kill_at && now >= timeout_at) {
      timed_out = true;
      stop(now);
    }
    if (kill_at && !kill_sent && now >= *kill_at) {
      ::kill(-*pid, SIGKILL);
      ::kill(*pid, SIGKILL);
      kill_sent = true;
    }
    Clock::TimePoint wake_at = kill_at ? (kill_sent ? kNever : *kill_at) : timeout_at;
    // After the exit only what is already in the pipes is read: no waiting.
    int wait_ms = exited_at ? 0 : (wake_at == kNever ? -1 : PollMillis(now, wake_at));
    int ready = ::poll(fds, 4, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    now = clock.Now();
    if (fds[3].fd >= 0 && (fds[3].revents & POLLIN)) {
      fds[3].fd = -1;  // stays readable: stop watching it
      if (!kill_at) {
        cancelled = true;
        stop(now);
      }
    }
    if (fds[2].fd >= 0 && (fds[2].revents & POLLIN)) {
      fds[2].fd = -1;
      exited_at = now;
    }
    bool got_data = false;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        (i == 0 ? out : err).Feed(buf, static_cast<size_t>(n));
        got_data = true;
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
      }
    }
    if (exited_at && ((!got_data && ready == 0) || now - *exited_at > *options.drain_after_exit)) break;
  }
  for (int i = 0; i < 2; ++i) {
    if (fds[i].fd >= 0) ::close(fds[i].fd);
  }
  if (pidfd >= 0) ::close(pidfd);

  int status = 0;
  struct rusage usage {};
  while (::wait4(*pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  RunResult result = DecodeWait(status);
  result.peak_rss_kib = usage.ru_maxrss;
  result.stdout_text = out.Finish();
  result.stderr_text = err.Finish();
  result.timed_out = timed_out;
  result.cancelled = cancelled;
  return result;
}

absl::StatusOr<RunResult> Run(const SpawnOptions& options, std::optional<std::chrono::milliseconds> timeout) {
  RunOptions run;
  if (timeout) run.timeout = *timeout;
  return Run(options, run);
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

namespace {

// Waits until `gone()` (up to `timeout`), woken by the pidfd when the process exits. Without a
// pidfd (the process is not ours to open, or Linux < 5.3) it looks again every few milliseconds.
bool WaitGone(int pidfd, Clock::Duration timeout, const std::function<bool()>& gone) {
  Clock& clock = RealClock();
  const Clock::TimePoint deadline = clock.Now() + timeout;
  auto step = std::chrono::milliseconds(2);
  while (!gone()) {
    const Clock::TimePoint now = clock.Now();
    if (now >= deadline) return false;
    if (pidfd >= 0) {
      pollfd fd = {pidfd, POLLIN, 0};
      ::poll(&fd, 1, PollMillis(now, deadline));
    } else {
      clock.SleepFor(std::min<Clock::Duration>(step, deadline - now));
      step = std::min(step * 2, std::chrono::milliseconds(50));
    }
  }
  return true;
}

}  // namespace

bool Terminate(pid_t pid, std::chrono::milliseconds grace, bool group) {
  if (pid <= 0) return true;
  auto gone = [&] {
    Reap(pid, false);
    return !IsAlive(pid);
  };
  if (gone()) return true;
  const int pidfd = PidfdOpen(pid);
  ::kill(group ? -pid : pid, SIGTERM);
  if (group) ::kill(pid, SIGTERM);
  bool done = WaitGone(pidfd, grace, gone);
  if (!done) {
    ::kill(group ? -pid : pid, SIGKILL);
    if (group) ::kill(pid, SIGKILL);
    done = WaitGone(pidfd, std::chrono::seconds(1), gone);
  }
  if (pidfd >= 0) ::close(pidfd);
  return done;
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

bool AnyProcessOfUid(uid_t uid) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    struct stat st {};
    if (::stat(entry.path().c_str(), &st) != 0 || st.st_uid != uid) continue;
    // A zombie runs nothing: it waits for its parent to reap it.
    std::ifstream in(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t paren = text.rfind(')');
    if (paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'Z') continue;
    return true;
  }
  return false;
}

absl::Status KillAllProcessesOfUid(uid_t uid, Clock& clock) {
  // kill(-1) as `uid` reaches exactly its processes (and not the caller). A process forking
  // meanwhile may leave a child the signal missed: the next round takes it. Zombies count as
  // signalled (kill succeeds on them), so the rounds are bounded and the result is checked.
  for (int attempt = 0; attempt < 5; ++attempt) {
    pid_t pid = ::fork();
    if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
    if (pid == 0) {
      // Child: only async-signal-safe calls.
      if (::setgroups(0, nullptr) != 0 || ::setgid(uid) != 0 || ::setuid(uid) != 0) ::_exit(2);
      for (int round = 0; round < 3; ++round) {
        if (::kill(-1, SIGKILL) != 0 && errno == ESRCH) break;
        ::sched_yield();
      }
      ::_exit(0);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      return absl::InternalError(absl::StrCat("cannot take uid ", uid, " to stop its processes"));
    }
    // A killed process is gone once the kernel has torn it down; give it a moment.
    for (int wait = 0; wait < 200; ++wait) {
      if (!AnyProcessOfUid(uid)) return absl::OkStatus();
      clock.SleepFor(std::chrono::milliseconds(1));
    }
  }
  return absl::InternalError(absl::StrCat("processes of uid ", uid, " are still running"));
}

}  // namespace skein::process
