#include "agents/machine/unit_agents.h"

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "agents/unit/conf/agent_conf.h"
#include "lib/base/credential.h"
#include "lib/base/names.h"
#include "lib/process/subprocess.h"
#include "spdlog/spdlog.h"

namespace skein::agent {
namespace {

namespace fs = std::filesystem;

// A run this long counts as healthy: the next exit starts the backoff over.
constexpr auto kHealthyRun = std::chrono::seconds(60);

std::string Cmdline(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::replace(text.begin(), text.end(), '\0', ' ');
  return text;
}

}  // namespace

UnitAgentSupervisor::UnitAgentSupervisor(UnitAgentOptions options, SetCredential set_credential,
                                         std::function<void()> on_exit)
    : options_(std::move(options)), set_credential_(std::move(set_credential)), on_exit_(std::move(on_exit)) {}

UnitAgentSupervisor::~UnitAgentSupervisor() { StopAll(); }

std::string UnitAgentSupervisor::DirOf(const std::string& unit) const {
  auto name = ParseUnitName(unit);
  std::string tag = name.ok() ? name->Tag() : "unit-" + unit;
  return options_.agents_dir + "/" + tag;
}

std::optional<pid_t> UnitAgentSupervisor::PidOf(const std::string& unit) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = children_.find(unit);
  if (it == children_.end() || !it->second->running) return std::nullopt;
  return it->second->pid;
}

void UnitAgentSupervisor::StopLeftovers() {
  std::error_code ec;
  if (!fs::is_directory(options_.agents_dir, ec)) return;
  for (const auto& entry : fs::directory_iterator(options_.agents_dir, ec)) {
    auto pid = process::ReadPidFile((entry.path() / "agent.pid").string());
    if (!pid || !process::IsAlive(*pid)) continue;
    // Only a unit agent for this very dir: a recycled pid must not be killed.
    std::string cmdline = Cmdline(*pid);
    if (cmdline.find("skein-agent") == std::string::npos ||
        cmdline.find(entry.path().string()) == std::string::npos) {
      continue;
    }
    spdlog::info("stopping unit agent left from a previous run (pid {}, {})", *pid, entry.path().string());
    process::Terminate(*pid, options_.stop_grace, /*group=*/true);
  }
}

absl::Status UnitAgentSupervisor::Start(Child& child) {
  std::error_code ec;
  fs::create_directories(child.dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", child.dir, ": ", ec.message()));
  ::chmod(child.dir.c_str(), 0700);
  std::string credential = NewCredential();
  if (absl::Status s = set_credential_(child.unit, credential); !s.ok()) return s;
  auto name = ParseUnitName(child.unit);
  AgentConf conf{options_.controller, name.ok() ? name->Tag() : "unit-" + child.unit, credential, child.unit,
                 options_.machine_id};
  if (absl::Status s = WriteAgentConf(child.dir + "/agent.conf", conf); !s.ok()) return s;

  process::SpawnOptions spawn;
  spawn.argv = {options_.binary, "--data-dir", child.dir};
  spawn.stdout_path = child.dir + "/agent.log";
  spawn.stderr_path = child.dir + "/agent.log";
  spawn.new_session = true;
  auto pid = process::Spawn(spawn);
  if (!pid.ok()) return pid.status();

  if (child.waiter.joinable()) child.waiter.join();
  child.pid = *pid;
  child.running = true;
  child.exited = false;
  child.started_at = Clock::now();
  child.waiter = std::thread([this, c = &child, p = *pid] {
    std::optional<process::RunResult> result = process::Reap(p, /*block=*/true);
    {
      std::lock_guard<std::mutex> lock(mu_);
      c->exited = true;
      c->exit_code = result ? result->exit_code : -1;
    }
    exited_cv_.notify_all();
    on_exit_();
  });
  spdlog::info("started unit agent for {} (pid {})", child.unit, *pid);
  return absl::OkStatus();
}

void UnitAgentSupervisor::CollectExit(Child& child, bool unit_dying) {
  if (child.waiter.joinable()) child.waiter.join();
  child.running = false;
  child.exited = false;
  if (child.exit_code == 0 && unit_dying) {
    spdlog::info("unit agent for {} finished", child.unit);
    child.finished = true;
    return;
  }
  if (Clock::now() - child.started_at >= kHealthyRun) child.failures = 0;
  auto delay = options_.restart_min;
  for (int i = 0; i < child.failures && delay < options_.restart_max; ++i) delay *= 2;
  delay = std::min(delay, options_.restart_max);
  ++child.failures;
  child.next_start = Clock::now() + delay;
  spdlog::warn("unit agent for {} exited with code {}; restarting in {} ms", child.unit, child.exit_code,
               delay.count());
}

UnitAgentSupervisor::Clock::time_point UnitAgentSupervisor::Reconcile(const std::vector<v1::MachineUnit>& units) {
  std::map<std::string, bool> wanted;  // unit -> dying
  for (const auto& u : units) {
    if (u.life() != v1::LIFE_DEAD) wanted[u.name()] = u.life() == v1::LIFE_DYING;
  }

  // Agents of units that left the machine: stop them and remove their dirs.
  std::vector<std::unique_ptr<Child>> gone;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = children_.begin(); it != children_.end();) {
      if (wanted.count(it->first) == 0) {
        gone.push_back(std::move(it->second));
        it = children_.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (!gone.empty()) {
    std::vector<Child*> to_stop;
    for (auto& c : gone) to_stop.push_back(c.get());
    StopChildren(to_stop);
    for (auto& c : gone) {
      std::error_code ec;
      fs::remove_all(c->dir, ec);
      spdlog::info("unit {} left the machine; removed {}", c->unit, c->dir);
    }
  }

  Clock::time_point next = Clock::time_point::max();
  for (const auto& [unit, dying] : wanted) {
    Child* child;
    bool exited;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto& slot = children_[unit];
      if (slot == nullptr) {
        slot = std::make_unique<Child>();
        slot->unit = unit;
        slot->dir = DirOf(unit);
      }
      child = slot.get();
      exited = child->exited;
    }
    if (exited) CollectExit(*child, dying);
    if (child->running || child->finished) continue;
    if (Clock::now() < child->next_start) {
      next = std::min(next, child->next_start);
      continue;
    }
    if (absl::Status s = Start(*child); !s.ok()) {
      spdlog::error("cannot start unit agent for {}: {}", unit, std::string(s.message()));
      ++child->failures;
      child->next_start = Clock::now() + std::min(options_.restart_max, options_.restart_min * child->failures);
      next = std::min(next, child->next_start);
    }
  }
  return next;
}

void UnitAgentSupervisor::StopChildren(const std::vector<Child*>& children) {
  auto signal_all = [&](int sig) {
    std::lock_guard<std::mutex> lock(mu_);
    for (Child* c : children) {
      if (c->running && !c->exited) {
        ::kill(-c->pid, sig);
        ::kill(c->pid, sig);
      }
    }
  };
  auto all_exited = [&] {
    return std::all_of(children.begin(), children.end(), [](Child* c) { return !c->running || c->exited; });
  };
  signal_all(SIGTERM);
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!exited_cv_.wait_for(lock, options_.stop_grace, all_exited)) {
      lock.unlock();
      spdlog::warn("unit agents did not stop within {} ms; killing them", options_.stop_grace.count());
      signal_all(SIGKILL);
    }
  }
  for (Child* c : children) {
    if (c->waiter.joinable()) c->waiter.join();
    c->running = false;
  }
}

void UnitAgentSupervisor::StopAll() {
  std::vector<Child*> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [unit, child] : children_) all.push_back(child.get());
  }
  StopChildren(all);
}

}  // namespace skein::agent
