#include "tools/cli/bootstrap/supervisor.h"

#include <signal.h>

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/base/time.h"

namespace skein::cli::bootstrap {
namespace {

std::string Seconds(Clock::Duration d) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms % 1000 == 0) return absl::StrCat(ms / 1000, "s");
  return absl::StrCat(ms / 1000, ".", absl::Dec(ms % 1000, absl::kZeroPad3), "s");
}

}  // namespace

std::string DescribeExit(const process::RunResult& result) {
  if (result.signaled) return absl::StrCat("was killed by signal ", result.signal, " (", ::strsignal(result.signal), ")");
  return absl::StrCat("exited with code ", result.exit_code);
}

bool IsCleanExit(const process::RunResult& result) {
  if (result.signaled) return result.signal == SIGTERM || result.signal == SIGINT;
  return result.exit_code == 0;
}

Supervisor::Supervisor(SupervisorOptions options, Clock& clock, std::ostream& log)
    : options_(std::move(options)),
      clock_(clock),
      log_(log),
      name_(options_.daemon.display_name.empty()
                ? std::filesystem::path(options_.daemon.binary).filename().string()
                : options_.daemon.display_name) {}

Supervisor::~Supervisor() { StopDaemon(); }

void Supervisor::Log(const std::string& line) {
  log_ << FormatRfc3339(clock_.WallNow()) << " " << kSupervisorBinary << ": " << line << std::endl;
}

void Supervisor::Watch(pid_t pid) {
  {
    MutexLock lock(mu_);
    pid_ = pid;
    exit_.reset();
  }
  waiter_ = std::thread([this, pid] {
    std::optional<process::RunResult> result = process::Reap(pid, true);
    MutexLock lock(mu_);
    exit_ = result.value_or(process::RunResult{});
    pid_ = 0;
    changed_.NotifyAll();
  });
}

absl::StatusOr<Daemon> Supervisor::Start() {
  auto daemon = StartDaemon(options_.daemon, clock_);
  if (daemon.ok()) Watch(daemon->pid);
  return daemon;
}

void Supervisor::Run() {
  rpc::Backoff backoff(options_.backoff);
  Clock::TimePoint started = clock_.Now();
  while (true) {
    process::RunResult result;
    {
      MutexLock lock(mu_);
      while (!stop_ && !exit_.has_value() && waiter_.joinable()) changed_.Wait(mu_);
      if (stop_) break;
      if (exit_.has_value()) result = *exit_;
    }
    if (waiter_.joinable()) waiter_.join();
    const Clock::Duration ran = clock_.Now() - started;
    if (IsCleanExit(result)) {
      Log(absl::StrCat(name_, " ", DescribeExit(result), " after ", Seconds(ran), "; not restarting it"));
      return;
    }
    if (ran >= options_.stable_after) backoff.Reset();
    const Clock::Duration delay = backoff.Next();
    Log(absl::StrCat(name_, " ", DescribeExit(result), " after ", Seconds(ran), "; restarting it in ", Seconds(delay)));
    {
      MutexLock lock(mu_);
      if (clock_.WaitUntil(mu_, changed_, clock_.Now() + delay, [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return stop_; })) {
        break;
      }
      ++restarts_;
    }
    started = clock_.Now();
    auto daemon = Start();
    if (daemon.ok()) {
      Log(absl::StrCat(name_, " restarted (pid ", daemon->pid, ")"));
    } else {
      // Counted as a run that ended at once: the next delay is longer.
      Log(absl::StrCat("restarting ", name_, " failed: ", daemon.status().message()));
    }
  }
  StopDaemon();
}

void Supervisor::Stop() {
  MutexLock lock(mu_);
  stop_ = true;
  changed_.NotifyAll();
}

void Supervisor::StopDaemon() {
  pid_t pid;
  {
    MutexLock lock(mu_);
    pid = pid_;
  }
  // The daemon is our child: Terminate may reap it, and then the waiter's wait simply ends.
  if (pid > 0) StopProcess(pid, options_.stop_grace);
  if (waiter_.joinable()) waiter_.join();
}

pid_t Supervisor::pid() const {
  MutexLock lock(mu_);
  return pid_;
}

int Supervisor::restarts() const {
  MutexLock lock(mu_);
  return restarts_;
}

}  // namespace skein::cli::bootstrap
