#include "agents/unit/workload/supervisor.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/logging.h"
#include "lib/process/subprocess.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace skein::agent::workload {
namespace {

namespace fs = std::filesystem;

constexpr char kDefaultPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Names become file names (`<name>.log`), so they are restricted to a safe alphabet and may not
// start with a dot (no `.`, `..` or hidden files).
bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 128 || name[0] == '.') return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

absl::Status Validate(const std::vector<ServiceSpec>& services) {
  std::set<std::string> names;
  for (const auto& s : services) {
    if (!ValidName(s.name)) return absl::InvalidArgumentError(absl::StrCat("invalid service name \"", s.name, "\""));
    if (!names.insert(s.name).second) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate service \"", s.name, "\""));
    }
    if (s.command.empty() || s.command[0].empty()) {
      return absl::InvalidArgumentError(absl::StrCat("service \"", s.name, "\" has no command"));
    }
  }
  return absl::OkStatus();
}

nlohmann::json ToJson(const std::vector<ServiceSpec>& services) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : services) {
    list.push_back({{"name", s.name},
                    {"command", s.command},
                    {"environment", s.environment},
                    {"working-dir", s.working_dir}});
  }
  return {{"services", list}};
}

std::vector<ServiceSpec> FromJson(const nlohmann::json& doc) {
  std::vector<ServiceSpec> services;
  for (const auto& j : doc.at("services")) {
    ServiceSpec s;
    s.name = j.at("name").get<std::string>();
    s.command = j.at("command").get<std::vector<std::string>>();
    s.environment = j.value("environment", std::map<std::string, std::string>{});
    s.working_dir = j.value("working-dir", "");
    services.push_back(std::move(s));
  }
  return services;
}

// execve() does not search PATH, so a bare command name is resolved here, in the service's own
// PATH; when nothing matches, the name is kept and the start fails with a clear error.
std::string ResolveCommand(const std::string& command, const std::string& path) {
  if (command.find('/') != std::string::npos) return command;
  for (const auto& dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
    std::string candidate = absl::StrCat(dir, "/", command);
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return command;
}

// Blocks until `pid` has exited, leaving it a zombie (WNOWAIT): as long as it is not reaped, its
// pid and process group id cannot be reused, so signalling the group stays safe. False when the
// child is not ours to wait for (something else reaped it), when its ids may already be reused.
bool WaitExited(pid_t pid) {
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0) {
    if (errno != EINTR) return false;
  }
  return true;
}

void SignalGroup(pid_t pid, int signal) {
  ::kill(-pid, signal);
  // The leader too, in case it moved itself to another process group.
  ::kill(pid, signal);
}

}  // namespace

Supervisor::Supervisor(std::string state_dir, Clock& clock, SupervisorOptions options)
    : dir_(std::move(state_dir)), clock_(clock), options_(options) {}

Supervisor::~Supervisor() { Stop(); }

absl::Status Supervisor::Replan(const std::vector<ServiceSpec>& services) {
  if (absl::Status valid = Validate(services); !valid.ok()) return valid;
  MutexLock plan_lock(plan_mu_);
  if (stopped_) return absl::FailedPreconditionError("workload supervisor is stopped");
  if (absl::Status written = WritePlan(services); !written.ok()) return written;
  Apply(services);
  return absl::OkStatus();
}

absl::Status Supervisor::Start() {
  MutexLock plan_lock(plan_mu_);
  if (stopped_) return absl::FailedPreconditionError("workload supervisor is stopped");
  const std::string path = (fs::path(dir_) / "plan.json").string();
  std::error_code ec;
  if (!fs::exists(path, ec)) return absl::OkStatus();
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return absl::InternalError(absl::StrCat("cannot read ", path));
  std::vector<ServiceSpec> services;
  try {
    services = FromJson(nlohmann::json::parse(text.str()));
  } catch (const nlohmann::json::exception& e) {
    return absl::DataLossError(absl::StrCat("cannot parse ", path, ": ", e.what()));
  }
  if (absl::Status valid = Validate(services); !valid.ok()) {
    return absl::DataLossError(absl::StrCat(path, ": ", valid.message()));
  }
  spdlog::info("workload: starting {} service(s) from the saved plan", services.size());
  Apply(services);
  return absl::OkStatus();
}

absl::Status Supervisor::WritePlan(const std::vector<ServiceSpec>& services) const {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir_, ": ", ec.message()));
  const std::string path = (fs::path(dir_) / "plan.json").string();
  const std::string tmp = path + ".tmp";
  const std::string text = ToJson(services).dump(2) + "\n";
  // Temp file + fsync + rename: a crash leaves either the old plan or the new one, never half.
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot write ", tmp, ": ", strerror(errno)));
  size_t done = 0;
  bool ok = true;
  while (ok && done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  int saved_errno = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) saved_errno = errno;
    ::unlink(tmp.c_str());
    return absl::InternalError(absl::StrCat("cannot write ", path, ": ", strerror(saved_errno)));
  }
  return absl::OkStatus();
}

void Supervisor::Apply(const std::vector<ServiceSpec>& services) {
  std::map<std::string, const ServiceSpec*> wanted;
  for (const auto& s : services) wanted[s.name] = &s;

  // Changed and removed services stop before new ones start, so that a changed service never
  // runs twice at once (it may hold a port or a lock file).
  std::vector<std::unique_ptr<Service>> to_stop;
  {
    MutexLock lock(mu_);
    for (auto it = services_.begin(); it != services_.end();) {
      auto w = wanted.find(it->first);
      if (w == wanted.end() || !(*w->second == it->second->spec)) {
        spdlog::info("workload: stopping service {} ({})", it->first, w == wanted.end() ? "removed" : "changed");
        to_stop.push_back(std::move(it->second));
        it = services_.erase(it);
      } else {
        ++it;
      }
    }
  }
  StopServices(std::move(to_stop));

  for (const auto& spec : services) {
    if (services_.count(spec.name) != 0) continue;  // unchanged and running: reading needs only plan_mu_
    auto service = std::make_unique<Service>();
    service->spec = spec;
    Service* raw = service.get();
    {
      MutexLock lock(mu_);
      services_[spec.name] = std::move(service);
    }
    // Only Apply and Stop touch `thread`, both under plan_mu_.
    raw->thread = std::thread([this, raw] { Supervise(raw); });
  }
}

void Supervisor::Supervise(Service* s) {
  process::SpawnOptions spawn;
  spawn.env = s->spec.environment;
  if (spawn.env->count("PATH") == 0) (*spawn.env)["PATH"] = kDefaultPath;
  spawn.argv = s->spec.command;
  spawn.argv[0] = ResolveCommand(spawn.argv[0], spawn.env->at("PATH"));
  spawn.cwd = s->spec.working_dir.empty() ? dir_ : s->spec.working_dir;
  spawn.stdout_path = (fs::path(dir_) / (s->spec.name + ".log")).string();
  spawn.stderr_path = spawn.stdout_path;
  spawn.new_session = true;
  // This thread lives exactly as long as the service is supervised, so the death signal ties the
  // process to the agent without cutting a run short.
  spawn.die_with_parent = options_.die_with_agent;
  const std::string& name = s->spec.name;
  const LogRotation log_rotation = LogRotationFromEnv().value_or(LogRotation{});

  auto backoff = options_.initial_backoff;
  mu_.Lock();
  while (!s->stop) {
    // Spawning under mu_ means Stop() either sees the new pid or has set `stop` before this
    // check, so no process can escape it. Spawn returns only after exec, by when the child has
    // its own process group.
    const Clock::TimePoint started = clock_.Now();
    // A workload's output goes straight to its log file, so the file rotates between runs.
    if (absl::Status rotated = RotateLogIfFull(spawn.stdout_path, log_rotation); !rotated.ok()) {
      spdlog::warn("workload {}: {}", name, std::string(rotated.message()));
    }
    absl::StatusOr<pid_t> pid = process::Spawn(spawn);
    if (pid.ok()) {
      s->pid = *pid;
      s->last_error.clear();
      spdlog::info("workload: service {} started (pid {})", name, *pid);
      mu_.Unlock();
      const bool zombie = WaitExited(*pid);
      mu_.Lock();
      // Kill what the service left in its group, then reap the leader; both under mu_, so that
      // Stop() never signals a pid that was reaped (and may be reused).
      if (zombie) ::kill(-*pid, SIGKILL);
      std::optional<process::RunResult> result = process::Reap(*pid, true);
      s->pid = 0;
      s->last_exit_status = result ? result->exit_code : 0;
      cv_.NotifyAll();
      if (s->stop) break;
    } else {
      s->last_error = std::string(pid.status().message());
    }
    if (clock_.Now() - started > options_.reset_after) backoff = options_.initial_backoff;
    if (pid.ok()) {
      spdlog::warn("workload: service {} exited with status {}; restarting in {} ms", name, *s->last_exit_status,
                   backoff.count());
    } else {
      spdlog::warn("workload: service {} cannot start: {}; retrying in {} ms", name, s->last_error, backoff.count());
    }
    if (clock_.WaitFor(mu_, cv_, backoff, [s] { return s->stop; })) break;
    backoff = std::min(backoff * 2, options_.max_backoff);
    ++s->restarts;
  }
  mu_.Unlock();
}

void Supervisor::StopServices(std::vector<std::unique_ptr<Service>> services) {
  if (services.empty()) return;
  {
    MutexLock lock(mu_);
    for (auto& s : services) {
      s->stop = true;
      if (s->pid > 0) SignalGroup(s->pid, SIGTERM);
    }
    cv_.NotifyAll();
    auto all_down = [&] {
      for (auto& s : services) {
        if (s->pid > 0) return false;
      }
      return true;
    };
    if (!clock_.WaitFor(mu_, cv_, options_.kill_grace, all_down)) {
      for (auto& s : services) {
        if (s->pid <= 0) continue;
        spdlog::warn("workload: service {} ignored SIGTERM for {} ms; killing it", s->spec.name,
                     options_.kill_grace.count());
        SignalGroup(s->pid, SIGKILL);
      }
    }
  }
  for (auto& s : services) {
    if (s->thread.joinable()) s->thread.join();
  }
}

std::vector<ServiceInfo> Supervisor::Services() const {
  MutexLock lock(mu_);
  std::vector<ServiceInfo> out;
  for (const auto& [name, s] : services_) {
    ServiceInfo info;
    info.name = name;
    info.running = s->pid > 0;
    info.pid = s->pid;
    info.restarts = s->restarts;
    info.last_exit_status = s->last_exit_status;
    info.last_error = s->last_error;
    out.push_back(std::move(info));
  }
  return out;
}

void Supervisor::Stop() {
  MutexLock plan_lock(plan_mu_);
  if (stopped_) return;
  stopped_ = true;
  std::vector<std::unique_ptr<Service>> all;
  {
    MutexLock lock(mu_);
    for (auto& [name, s] : services_) all.push_back(std::move(s));
    services_.clear();
  }
  StopServices(std::move(all));
}

}  // namespace skein::agent::workload
