#include "agents/machine/unit_agents.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "lib/base/agent_conf.h"
#include "lib/base/credential.h"
#include "lib/base/file_write.h"
#include "lib/base/logging.h"
#include "lib/base/names.h"
#include "lib/base/paths.h"
#include "lib/base/runtime_dir.h"
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

// Stops the unit agent whose dir is `dir` if its pid file names a live skein-agent for it.
void StopLeftover(const fs::path& dir, std::chrono::milliseconds grace) {
  auto pid = process::ReadPidFile((dir / "agent.pid").string());
  if (!pid || !process::IsAlive(*pid)) return;
  // Only a unit agent for this very dir: a recycled pid must not be killed.
  std::string cmdline = Cmdline(*pid);
  if (cmdline.find("skein-agent") == std::string::npos || cmdline.find(dir.string()) == std::string::npos) return;
  spdlog::info("stopping unit agent left from a previous run (pid {}, {})", *pid, dir.string());
  process::Terminate(*pid, grace, /*group=*/true);
}

// The fixed paths where ops looks for a container's Pebble socket
// (`/charm/containers/<name>/pebble.socket`) and lightkube for in-cluster credentials. Every unit
// needs its own, so each unit agent gets a mount namespace of its own in which its directories
// are bound there (see Start()).
constexpr char kCharmContainersPath[] = "/charm/containers";
constexpr char kServiceAccountPath[] = "/var/run/secrets/kubernetes.io/serviceaccount";

// The unit's directories bound onto kCharmContainersPath and kServiceAccountPath in its
// namespace: `<dir>/containers` (the unit agent links each container's Pebble socket there) and
// `<dir>/serviceaccount` (the ServiceAccount token files on a Kubernetes model; empty elsewhere).
// Both are made here, the unit's, as are the mount points on the host: empty root-owned
// directories that nothing outside a unit's namespace ever fills. Called only as root.
absl::StatusOr<std::vector<process::SpawnOptions::BindMount>> PrepareUnitBinds(
    const std::string& dir, const std::optional<process::SpawnOptions::Identity>& identity) {
  std::vector<process::SpawnOptions::BindMount> binds;
  for (const auto& [name, target] : {std::pair<std::string, std::string>{"containers", kCharmContainersPath},
                                     std::pair<std::string, std::string>{"serviceaccount", kServiceAccountPath}}) {
    const std::string source = dir + "/" + name;
    std::error_code ec;
    fs::create_directories(source, ec);
    if (!ec) fs::create_directories(target, ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot prepare ", target, " for the unit: ", ec.message()));
    struct stat st {};
    if (::lstat(source.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return absl::FailedPreconditionError(absl::StrCat(source, " is not a directory"));
    }
    ::chmod(source.c_str(), 0755);
    if (identity && ::lchown(source.c_str(), identity->uid, identity->gid) != 0) {
      return absl::InternalError(absl::StrCat("cannot give ", source, " to uid ", identity->uid));
    }
    binds.push_back({source, target});
  }
  return binds;
}

std::string Label(const v1::MachineUnit& unit) {
  return absl::StrCat(unit.name(), " (model ", unit.model_uuid(), ")");
}

}  // namespace

absl::StatusOr<std::string> UnitBinaryDir(const std::string& exe_dir, const std::string& machine_dir,
                                          const std::vector<std::string>& binaries) {
  if (ReachableByOthers(exe_dir)) return exe_dir;
  const std::string bin = machine_dir + "/bin";
  std::error_code ec;
  fs::create_directories(bin, ec);
  ::chmod(bin.c_str(), 0755);
  for (const std::string& name : binaries) {
    const std::string to = bin + "/" + name;
    fs::remove(to, ec);
    fs::create_hard_link(exe_dir + "/" + name, to, ec);
    if (ec) fs::copy_file(exe_dir + "/" + name, to, ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot place ", name, " in ", bin, ": ", ec.message()));
    ::chmod(to.c_str(), 0755);
  }
  return bin;
}

UnitAgentSupervisor::UnitAgentSupervisor(UnitAgentOptions options, Clock& clock, SetCredential set_credential,
                                         std::function<void()> on_exit)
    : options_(std::move(options)),
      clock_(clock),
      set_credential_(std::move(set_credential)),
      on_exit_(std::move(on_exit)) {}

UnitAgentSupervisor::~UnitAgentSupervisor() { StopAll(); }

std::string UnitAgentSupervisor::DirOf(const UnitKey& key) const {
  // Reconcile() admits only valid unit names; the fallback keeps a bad one inside agents_dir.
  auto name = ParseUnitName(key.unit);
  return name.ok() ? UnitAgentDir(options_.agents_dir, key.model_uuid, *name)
                   : options_.agents_dir + "/" + key.model_uuid + "/invalid-unit";
}

std::optional<pid_t> UnitAgentSupervisor::PidOf(const UnitKey& key) const {
  MutexLock lock(mu_);
  auto it = children_.find(key);
  if (it == children_.end() || !it->second->running) return std::nullopt;
  return it->second->pid;
}

void UnitAgentSupervisor::StopLeftovers() {
  // Unit dirs sit one level down, under their model's dir; an agent of a skein from before
  // models had dirs of their own sits directly under agents_dir.
  std::error_code ec;
  if (!fs::is_directory(options_.agents_dir, ec)) return;
  for (const auto& entry : fs::directory_iterator(options_.agents_dir, ec)) {
    if (!entry.is_directory(ec)) continue;
    StopLeftover(entry.path(), options_.stop_grace);
    for (const auto& unit_dir : fs::directory_iterator(entry.path(), ec)) {
      if (unit_dir.is_directory(ec)) StopLeftover(unit_dir.path(), options_.stop_grace);
    }
  }
}

absl::Status UnitAgentSupervisor::Start(Child& child) {
  std::error_code ec;
  fs::create_directories(child.dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", child.dir, ": ", ec.message()));
  // Separated unit agents must pass through their model's dir to reach their own.
  ::chmod(fs::path(child.dir).parent_path().c_str(), options_.unit_uids ? 0711 : 0700);
  ::chmod(child.dir.c_str(), 0700);
  auto identity = IdentityFor(child);
  if (!identity.ok()) return identity.status();
  struct stat before {};
  const bool had_owner = ::lstat(child.dir.c_str(), &before) == 0;
  if (*identity) {
    if (absl::Status s = GiveDir(child.dir, **identity); !s.ok()) return s;
    // A unit moving to root leaves its uid: nothing of it may outlive the switch.
    if (had_owner && before.st_uid != (*identity)->uid && options_.unit_uids->Contains(before.st_uid)) {
      (void)process::KillAllProcessesOfUid(before.st_uid);
      (void)RemoveRuntimeBaseOfUid(before.st_uid);
      uids_in_use_->erase(before.st_uid);
    }
  }
  if (absl::Status s = PrepareStorage(child, *identity); !s.ok()) return s;
  std::string credential = NewCredential();
  if (absl::Status s = set_credential_(child.unit, credential); !s.ok()) return s;
  auto name = ParseUnitName(child.unit.name());
  if (!name.ok()) return name.status();
  AgentConf conf{options_.controller, name->Tag(), credential, child.unit.name(), options_.machine_id,
                 child.unit.model_uuid(), options_.ca_cert};
  std::optional<FileOwner> owner;
  if (*identity) owner = FileOwner{(*identity)->uid, (*identity)->gid};
  if (absl::Status s = WriteAgentConf(child.dir + "/agent.conf", conf, owner); !s.ok()) return s;

  process::SpawnOptions spawn;
  spawn.argv = {options_.binary, "--data-dir", child.dir};
  spawn.stdout_path = child.dir + "/agent.log";
  spawn.stderr_path = child.dir + "/agent.log";
  // The agent rotates agent.log as it logs; what it prints to stderr outside its logger (a crash)
  // is appended to the file it was started with, which is rotated here if full.
  if (absl::Status s = RotateLogIfFull(spawn.stdout_path, LogRotationFromEnv().value_or(LogRotation{})); !s.ok()) {
    spdlog::warn("{}", std::string(s.message()));
  }
  spawn.new_session = true;
  if (*identity) spawn.run_as = **identity;
  // Sidecar charms dial fixed paths; a mount namespace per unit agent gives each unit its own.
  // Without root there is none, and a sidecar unit's Pebble is not where ops looks.
  if (::geteuid() == 0) {
    auto binds = PrepareUnitBinds(child.dir, *identity);
    if (!binds.ok()) return binds.status();
    spawn.private_binds = std::move(*binds);
  }
  if (*identity && (*identity)->uid != 0) {
    // A charm running as root keeps the machine agent's environment (its runtime dir too).
    std::map<std::string, std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string_view kv = *e;
      const size_t eq = kv.find('=');
      if (eq != std::string_view::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
    }
    env.erase("XDG_RUNTIME_DIR");
    env["HOME"] = child.dir;
    spawn.env = std::move(env);
    if (absl::Status s = PrepareRuntimeBaseOfUid((*identity)->uid, (*identity)->gid); !s.ok()) return s;
  }
  auto pid = process::Spawn(spawn);
  if (!pid.ok() && !spawn.private_binds.empty()) {
    // A host that allows no mount namespaces (a confined container) still runs its units; only
    // sidecar charms miss their Pebble sockets at /charm/containers.
    spdlog::warn("cannot give the agent of {} a mount namespace of its own ({}); starting it without: sidecar charms "
                 "will not find their Pebble at /charm/containers",
                 child.label, std::string(pid.status().message()));
    spawn.private_binds.clear();
    pid = process::Spawn(spawn);
  }
  if (!pid.ok()) return pid.status();
  child.identity = *identity;

  if (child.waiter.joinable()) child.waiter.join();
  child.pid = *pid;
  child.running = true;
  child.exited = false;
  child.started_at = clock_.Now();
  child.waiter = std::thread([this, c = &child, p = *pid] {
    std::optional<process::RunResult> result = process::Reap(p, /*block=*/true);
    {
      MutexLock lock(mu_);
      c->exited = true;
      c->exit_code = result ? result->exit_code : -1;
      exited_cv_.NotifyAll();
    }
    on_exit_();
  });
  if (child.identity) {
    spdlog::info("started unit agent for {} (pid {}, uid {})", child.label, *pid, child.identity->uid);
  } else {
    spdlog::info("started unit agent for {} (pid {})", child.label, *pid);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<process::SpawnOptions::Identity>> UnitAgentSupervisor::IdentityFor(const Child& child) {
  using Identity = process::SpawnOptions::Identity;
  if (!options_.unit_uids) return std::nullopt;
  const UidRange& range = *options_.unit_uids;
  if (!uids_in_use_) {
    uids_in_use_.emplace();
    std::error_code ec;
    for (const auto& model : fs::directory_iterator(options_.agents_dir, ec)) {
      for (const auto& unit : fs::directory_iterator(model.path(), ec)) {
        struct stat st {};
        if (::lstat(unit.path().c_str(), &st) == 0 && range.Contains(st.st_uid)) uids_in_use_->insert(st.st_uid);
      }
    }
  }
  if (child.unit.run_as_root()) return Identity{0, 0};
  struct stat st {};
  if (::lstat(child.dir.c_str(), &st) == 0 && range.Contains(st.st_uid)) return Identity{st.st_uid, st.st_uid};
  for (uint64_t uid = range.first; uid <= range.last(); ++uid) {
    // A uid some process already runs as may be another controller's unit on this host.
    if (uids_in_use_->count(static_cast<uid_t>(uid)) > 0 || process::AnyProcessOfUid(static_cast<uid_t>(uid))) {
      continue;
    }
    uids_in_use_->insert(static_cast<uid_t>(uid));
    return Identity{static_cast<uid_t>(uid), static_cast<gid_t>(uid)};
  }
  return absl::ResourceExhaustedError(absl::StrCat("all ", UidRange::kSize, " unit uids (", range.ToString(),
                                                   ") are taken by units of this machine"));
}

absl::Status UnitAgentSupervisor::GiveDir(const std::string& dir, const process::SpawnOptions::Identity& identity) {
  return GiveTree(dir, FileOwner{identity.uid, identity.gid});
}

absl::Status UnitAgentSupervisor::PrepareStorage(const Child& child,
                                                 const std::optional<process::SpawnOptions::Identity>& identity) {
  if (child.unit.storage().empty()) return absl::OkStatus();
  const fs::path model_dir = fs::path(child.dir).parent_path();
  std::error_code ec;
  fs::create_directories(model_dir / "storage", ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", (model_dir / "storage").string(), ": ", ec.message()));
  // Separated units pass through to their own instances; they cannot list the others.
  ::chmod((model_dir / "storage").c_str(), options_.unit_uids ? 0711 : 0700);
  for (const auto& s : child.unit.storage()) {
    const std::string dir = StorageDir(model_dir.string(), s.id());
    if (dir.empty()) return absl::InvalidArgumentError(absl::StrCat("invalid storage id \"", s.id(), "\""));
    fs::create_directories(dir, ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
    ::chmod(dir.c_str(), 0700);
    // An instance detached from another unit changes hands with what that unit left in it.
    if (identity) {
      if (absl::Status st = GiveDir(dir, *identity); !st.ok()) return st;
    }
  }
  return absl::OkStatus();
}

bool UnitAgentSupervisor::WrongIdentity(const Child& child) const {
  if (!options_.unit_uids || !child.identity) return false;
  return child.unit.run_as_root() != (child.identity->uid == 0);
}

void UnitAgentSupervisor::CollectExit(Child& child, bool unit_dying) {
  if (child.waiter.joinable()) child.waiter.join();
  child.running = false;
  child.exited = false;
  if (child.exit_code == 0 && unit_dying) {
    spdlog::info("unit agent for {} finished", child.label);
    child.finished = true;
    return;
  }
  if (clock_.Now() - child.started_at >= kHealthyRun) child.failures = 0;
  auto delay = options_.restart_min;
  for (int i = 0; i < child.failures && delay < options_.restart_max; ++i) delay *= 2;
  delay = std::min(delay, options_.restart_max);
  ++child.failures;
  child.next_start = clock_.Now() + delay;
  spdlog::warn("unit agent for {} exited with code {}; restarting in {} ms", child.label, child.exit_code,
               delay.count());
}

Clock::TimePoint UnitAgentSupervisor::Reconcile(const std::vector<v1::MachineUnit>& units) {
  std::map<UnitKey, const v1::MachineUnit*> wanted;
  for (const auto& u : units) {
    if (u.life() == v1::LIFE_DEAD) continue;
    // The model UUID and the unit name become path components: refuse anything else.
    if (!IsValidUuid(u.model_uuid()) || !ParseUnitName(u.name()).ok()) {
      spdlog::error("not starting an agent for unit \"{}\" of model \"{}\": not a valid unit name and model UUID",
                    u.name(), u.model_uuid());
      continue;
    }
    wanted[UnitKey{u.model_uuid(), u.name()}] = &u;
  }

  // Agents of units that left the machine: stop them and remove their dirs.
  std::vector<std::unique_ptr<Child>> gone;
  {
    MutexLock lock(mu_);
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
    for (auto& c : gone) RemoveUnitFiles(*c);
  }

  Clock::TimePoint next = Clock::TimePoint::max();
  for (const auto& [key, unit] : wanted) {
    const bool dying = unit->life() == v1::LIFE_DYING;
    Child* child;
    bool exited;
    bool storage_grew = false;
    {
      MutexLock lock(mu_);
      auto& slot = children_[key];
      if (slot == nullptr) {
        slot = std::make_unique<Child>();
        slot->unit = *unit;
        slot->label = Label(*unit);
        slot->dir = DirOf(key);
      }
      storage_grew = slot->unit.storage_size() < unit->storage_size();
      slot->unit = *unit;
      child = slot.get();
      exited = child->exited;
    }
    // storage-add while the agent runs: the new instances need their directories before the
    // agent runs their storage-attached hooks (a separated unit agent cannot make them; it waits).
    if (storage_grew && child->running) {
      if (absl::Status s = PrepareStorage(*child, child->identity); !s.ok()) {
        spdlog::error("cannot prepare the storage of {}: {}", child->label, std::string(s.message()));
      }
    }
    if (exited) CollectExit(*child, dying);
    if (child->running && WrongIdentity(*child)) {
      spdlog::info("the charm of {} now runs as {}; restarting its agent", child->label,
                   child->unit.run_as_root() ? "root" : "its own user");
      StopChildren({child});
      child->next_start = clock_.Now();
    }
    if (child->running || child->finished) continue;
    if (clock_.Now() < child->next_start) {
      next = std::min(next, child->next_start);
      continue;
    }
    if (absl::Status s = Start(*child); !s.ok()) {
      spdlog::error("cannot start unit agent for {}: {}", child->label, std::string(s.message()));
      ++child->failures;
      child->next_start = clock_.Now() + std::min(options_.restart_max, options_.restart_min * child->failures);
      next = std::min(next, child->next_start);
    }
  }
  return next;
}

void UnitAgentSupervisor::StopChildren(const std::vector<Child*>& children) {
  auto signal_all = [&](int sig) {
    MutexLock lock(mu_);
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
  bool stopped;
  {
    MutexLock lock(mu_);
    stopped = clock_.WaitFor(mu_, exited_cv_, options_.stop_grace, all_exited);
  }
  if (!stopped) {
    spdlog::warn("unit agents did not stop within {} ms; killing them", options_.stop_grace.count());
    signal_all(SIGKILL);
  }
  for (Child* c : children) {
    if (c->waiter.joinable()) c->waiter.join();
    c->running = false;
  }
}

void UnitAgentSupervisor::RemoveUnitFiles(const Child& child) {
  // A separated unit's uid is free for another unit only once nothing of it runs any more.
  const bool own_uid = child.identity && options_.unit_uids && options_.unit_uids->Contains(child.identity->uid);
  if (own_uid) {
    if (absl::Status s = process::KillAllProcessesOfUid(child.identity->uid); !s.ok()) {
      spdlog::warn("{}: {}", child.label, std::string(s.message()));
    }
    if (absl::Status s = RemoveRuntimeBaseOfUid(child.identity->uid); !s.ok()) {
      spdlog::warn("{}: {}", child.label, std::string(s.message()));
    }
  }
  std::error_code ec;
  fs::remove_all(child.dir, ec);
  if (ec) spdlog::warn("cannot remove {}: {}", child.dir, ec.message());
  // Storage outlives its unit unless the removal destroyed it (--destroy-storage).
  const fs::path model_dir = fs::path(child.dir).parent_path();
  for (const auto& s : child.unit.storage()) {
    if (s.life() == v1::LIFE_ALIVE) continue;
    const std::string dir = StorageDir(model_dir.string(), s.id());
    if (dir.empty()) continue;
    fs::remove_all(dir, ec);
    if (ec) spdlog::warn("cannot remove storage {} of {}: {}", s.id(), child.label, ec.message());
  }
  fs::remove(model_dir / "storage", ec);  // only when no instance is left
  // The agent removes its runtime dir itself when it stops; not when it was killed.
  if (absl::Status s = RemoveUnitRuntimeDir(child.dir, child.unit.model_uuid(), child.unit.name()); !s.ok()) {
    spdlog::warn("cannot remove the runtime dir of {}: {}", child.label, std::string(s.message()));
  }
  // The model's dir goes with its last unit (removing a non-empty dir fails, harmlessly).
  fs::remove(fs::path(child.dir).parent_path(), ec);
  if (own_uid && !fs::exists(child.dir, ec) && uids_in_use_) uids_in_use_->erase(child.identity->uid);
  spdlog::info("unit {} left the machine; removed {}", child.label, child.dir);
}

void UnitAgentSupervisor::RemoveDestroyedStorage(const std::vector<std::string>& model_uuids) {
  for (const std::string& uuid : model_uuids) {
    if (uuid.empty() || uuid.find('/') != std::string::npos || uuid == "." || uuid == "..") continue;
    {
      MutexLock lock(mu_);
      bool unit_left = false;
      for (const auto& [key, child] : children_) unit_left = unit_left || child->unit.model_uuid() == uuid;
      if (unit_left) continue;  // its dying units remove their own instances first
    }
    const fs::path model_dir = fs::path(options_.agents_dir) / uuid;
    std::error_code ec;
    if (!fs::exists(model_dir / "storage", ec)) continue;
    fs::remove_all(model_dir / "storage", ec);
    if (ec) {
      spdlog::warn("cannot remove the storage of destroyed model {}: {}", uuid, ec.message());
      continue;
    }
    fs::remove(model_dir, ec);  // only when nothing else is left
    spdlog::info("removed the storage of destroyed model {}", uuid);
  }
}

void UnitAgentSupervisor::StopAll() {
  std::vector<Child*> all;
  {
    MutexLock lock(mu_);
    for (auto& [unit, child] : children_) all.push_back(child.get());
  }
  StopChildren(all);
}

}  // namespace skein::agent
