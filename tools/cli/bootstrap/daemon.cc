#include "tools/cli/bootstrap/daemon.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "lib/base/logging.h"
#include "lib/process/subprocess.h"

namespace skein::cli::bootstrap {
namespace fs = std::filesystem;
namespace {

std::string ReadProcFile(pid_t pid, const char* name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + name, std::ios::binary);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> SplitNul(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == '\0') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

bool IsUnder(const std::string& path, const std::string& root) {
  if (path.empty() || root.empty()) return false;
  std::string p = fs::path(path).lexically_normal().string();
  std::string r = fs::path(root).lexically_normal().string();
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p == r || (p.size() > r.size() && p.compare(0, r.size(), r) == 0 && p[r.size()] == '/');
}

pid_t ParentOf(pid_t pid) {
  std::string stat = ReadProcFile(pid, "stat");
  auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(stat.substr(close + 2));
  char state;
  pid_t ppid = 0;
  rest >> state >> ppid;
  return ppid;
}

// The last non-empty line of a log file, to say why a daemon stopped.
std::string LastLine(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

bool BelongsTo(pid_t pid, const std::string& root) {
  std::vector<std::string> argv = ProcessArgv(pid);
  for (size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] == "--data-dir" && i + 1 < argv.size() && IsUnder(argv[i + 1], root)) return true;
    if (argv[i].rfind("--data-dir=", 0) == 0 && IsUnder(argv[i].substr(11), root)) return true;
  }
  for (const auto& var : SplitNul(ReadProcFile(pid, "environ"))) {
    for (const char* key : {"JUJU_CHARM_DIR=", "JUJU_AGENT_SOCKET_ADDRESS="}) {
      size_t n = std::strlen(key);
      if (var.compare(0, n, key) == 0 && IsUnder(var.substr(n), root)) return true;
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<Daemon> StartDaemon(const DaemonSpec& spec, const Clock& clock) {
  // The daemon rotates this file as it logs; what it prints outside its logger is appended to the
  // file it was started with, rotated here first if full (lib/base/logging.h).
  if (absl::Status s = RotateLogIfFull(spec.log_path, LogRotationFromEnv().value_or(LogRotation{})); !s.ok()) {
    return s;
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  // The write end must survive exec in the child; the read end stays ours alone.
  ::fcntl(fds[1], F_SETFD, 0);
  process::SpawnOptions options;
  options.argv.push_back(spec.binary);
  options.argv.insert(options.argv.end(), spec.args.begin(), spec.args.end());
  options.argv.push_back("--ready-fd");
  options.argv.push_back(std::to_string(fds[1]));
  options.stdout_path = spec.log_path;
  options.stderr_path = spec.log_path;
  options.new_session = spec.new_session;
  auto pid = process::Spawn(options);
  ::close(fds[1]);
  if (!pid.ok()) {
    ::close(fds[0]);
    return pid.status();
  }
  const std::string name = spec.display_name.empty() ? fs::path(spec.binary).filename().string() : spec.display_name;
  const Clock::TimePoint deadline = clock.Now() + spec.ready_timeout;
  std::string line;
  bool got_line = false, closed = false;
  while (!got_line && !closed) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.Now());
    if (left.count() <= 0) break;
    pollfd p{fds[0], POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    char buf[256];
    ssize_t n = ::read(fds[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      closed = true;
      break;
    }
    line.append(buf, static_cast<size_t>(n));
    if (auto nl = line.find('\n'); nl != std::string::npos) {
      line.resize(nl);
      got_line = true;
    }
  }
  ::close(fds[0]);
  if (got_line) return Daemon{*pid, line};
  StopProcess(*pid, std::chrono::milliseconds(2000));
  if (closed) {
    std::string last = LastLine(spec.log_path);
    return absl::UnavailableError(absl::StrCat(name, " stopped before it was ready",
                                               last.empty() ? "" : ": " + last));
  }
  return absl::DeadlineExceededError(
      absl::StrCat(name, " was not ready after ", spec.ready_timeout.count(), "ms"));
}

std::vector<std::string> ProcessArgv(pid_t pid) { return SplitNul(ReadProcFile(pid, "cmdline")); }

bool ProcessIs(pid_t pid, const std::string& binary_name) {
  if (!process::IsAlive(pid)) return false;
  std::vector<std::string> argv = ProcessArgv(pid);
  if (!argv.empty() && fs::path(argv[0]).filename() == binary_name) return true;
  // A script run through its interpreter: `/bin/sh /path/skein-controller ...`.
  if (argv.size() > 1 && fs::path(argv[1]).filename() == binary_name) return true;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
  return !ec && exe.filename() == binary_name;
}

bool StopProcess(pid_t pid, std::chrono::milliseconds grace) { return process::Terminate(pid, grace, true); }

std::vector<pid_t> FindProcessesUnder(const std::string& root) {
  std::set<pid_t> excluded;
  for (pid_t p = ::getpid(); p > 1 && !excluded.count(p); p = ParentOf(p)) excluded.insert(p);
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = static_cast<pid_t>(std::stol(name));
    if (excluded.count(pid) || !process::IsAlive(pid)) continue;
    if (BelongsTo(pid, root)) out.push_back(pid);
  }
  return out;
}

}  // namespace skein::cli::bootstrap
