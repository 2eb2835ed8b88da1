#include "agents/unit/pebble/pebble_host.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "agents/unit/pebble/pebble_client.h"
#include "agents/unit/resolver/resolver.h"
#include "spdlog/spdlog.h"

namespace skein::agent::pebble {
namespace {

namespace fs = std::filesystem;

constexpr char kDefaultPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr auto kSystemInfoTimeout = std::chrono::seconds(5);
constexpr auto kChangeTimeout = std::chrono::seconds(5);

std::string ServiceName(const std::string& container) { return "pebble-" + container; }

HookInfo WorkloadHook(HookKind kind, const std::string& container) {
  HookInfo hook;
  hook.kind = kind;
  hook.workload_name = container;
  return hook;
}

// Makes `<agent dir>/containers/<c>/pebble.socket` a link to the socket in the runtime dir, and
// the runtime dir's `containers/<c>` for Pebble to make its socket in.
absl::Status PrepareSocket(const std::string& agent_dir, const std::string& runtime_dir, const std::string& container,
                           const std::string& socket) {
  std::error_code ec;
  const fs::path link_dir = fs::path(agent_dir) / "containers" / container;
  fs::create_directories(link_dir, ec);
  if (!ec) fs::create_directories(fs::path(socket).parent_path(), ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot prepare the directories of container ", container, ": ", ec.message()));
  ::chmod((fs::path(runtime_dir) / "containers").c_str(), 0700);
  const fs::path link = link_dir / "pebble.socket";
  fs::remove(link, ec);
  fs::create_symlink(socket, link, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot link ", link.string(), ": ", ec.message()));
  return absl::OkStatus();
}

}  // namespace

std::string PebbleSocketPath(const std::string& runtime_dir, const std::string& container) {
  return absl::StrCat(runtime_dir, "/containers/", container, "/pebble.socket");
}

PebbleHost::PebbleHost(PebbleHostOptions options, Clock& clock)
    : options_(std::move(options)),
      clock_(clock),
      supervisor_(options_.agent_dir + "/pebble", clock, [] {
        workload::SupervisorOptions o;
        o.die_with_agent = true;
        return o;
      }()) {}

PebbleHost::~PebbleHost() { Stop(); }

void PebbleHost::SetListener(std::function<void()> on_event) { on_event_ = std::move(on_event); }

void PebbleHost::SetContainers(const std::vector<std::string>& containers, const LocalState& state) {
  {
    MutexLock lock(mu_);
    if (stopped_) return;
  }
  std::set<std::string> wanted(containers.begin(), containers.end());
  if (options_.in_process_charm && options_.in_process_charm()) wanted.clear();
  if (wanted.empty() && containers_.empty()) return;  // not a sidecar charm: nothing to run
  if (!wanted.empty() && (options_.binary.empty() || !fs::exists(options_.binary))) {
    spdlog::error("the charm declares containers, but there is no Pebble at \"{}\" to run them: no pebble-ready",
                  options_.binary);
    return;
  }
  std::vector<std::unique_ptr<Container>> gone;
  for (auto it = containers_.begin(); it != containers_.end();) {
    if (wanted.count(it->first) > 0) {
      ++it;
      continue;
    }
    gone.push_back(std::move(it->second));
    it = containers_.erase(it);
  }
  StopWatchers(std::move(gone));
  {
    // A container the charm no longer declares has no hook to run.
    MutexLock lock(mu_);
    std::erase_if(events_, [&](const HookInfo& e) { return wanted.count(e.workload_name) == 0; });
  }

  std::vector<workload::ServiceSpec> specs;
  for (const std::string& name : wanted) {
    const std::string socket = PebbleSocketPath(options_.runtime_dir, name);
    if (absl::Status s = PrepareSocket(options_.agent_dir, options_.runtime_dir, name, socket); !s.ok()) {
      spdlog::error("{}", s.ToString());
      continue;
    }
    workload::ServiceSpec spec;
    spec.name = ServiceName(name);
    spec.command = {options_.binary, "run", "--create-dirs", "--hold"};
    spec.environment = {{"PEBBLE", absl::StrCat(options_.agent_dir, "/pebble/", name)},
                        {"PEBBLE_SOCKET", socket},
                        {"PATH", kDefaultPath},
                        {"LANG", "C.UTF-8"},
                        {"HOME", options_.agent_dir}};
    specs.push_back(std::move(spec));
  }
  if (absl::Status s = supervisor_.Replan(specs); !s.ok()) {
    spdlog::error("cannot run the charm's Pebble: {}", s.ToString());
    return;
  }
  for (const std::string& name : wanted) {
    if (containers_.count(name) > 0) continue;
    auto c = std::make_unique<Container>();
    c->name = name;
    c->socket = PebbleSocketPath(options_.runtime_dir, name);
    auto boot = state.pebble_ready_instances.find(name);
    auto cursor = state.pebble_notice_cursors.find(name);
    {
      MutexLock lock(mu_);
      if (boot != state.pebble_ready_instances.end()) c->reported_instance = boot->second;
    }
    if (cursor != state.pebble_notice_cursors.end()) c->cursor = cursor->second;
    Container* raw = c.get();
    containers_[name] = std::move(c);
    raw->thread = std::thread([this, raw] { Watch(raw); });
    spdlog::info("running Pebble for container {} (socket {})", name, raw->socket);
  }
}

std::optional<HookInfo> PebbleHost::Next() {
  MutexLock lock(mu_);
  if (events_.empty()) return std::nullopt;
  return events_.front();
}

void PebbleHost::DropDone(const LocalState& state) {
  MutexLock lock(mu_);
  while (!events_.empty() && resolver::WorkloadEventDone(state, events_.front())) events_.pop_front();
}

void PebbleHost::Queue(HookInfo event) {
  {
    MutexLock lock(mu_);
    // A Pebble that restarted before its pebble-ready ran needs only the newest one.
    if (event.kind == HookKind::kPebbleReady) {
      std::erase_if(events_, [&](const HookInfo& e) {
        return e.kind == HookKind::kPebbleReady && e.workload_name == event.workload_name;
      });
    }
    spdlog::info("workload event: {}", event.Name());
    events_.push_back(std::move(event));
  }
  if (on_event_) on_event_();
}

std::optional<HookInfo> PebbleHost::EventFor(const Container& c, const nlohmann::json& notice,
                                             const std::function<bool()>& cancelled) const {
  const std::string type = notice.value("type", "");
  const std::string key = notice.value("key", "");
  if (type == "custom") {
    HookInfo hook = WorkloadHook(HookKind::kPebbleCustomNotice, c.name);
    hook.notice_id = notice.value("id", "");
    hook.notice_type = type;
    hook.notice_key = key;
    return hook;
  }
  if (type != "change-update") return std::nullopt;
  const nlohmann::json data = notice.value("last-data", nlohmann::json::object());
  const std::string kind = data.is_object() ? data.value("kind", "") : "";
  // Changes the charm made itself (replan, exec) are of no interest to it; check changes show the
  // workload's health (Juju's noticer passes over the others too).
  if (kind != "perform-check" && kind != "recover-check") return std::nullopt;
  // The change's status now, not when the notice was recorded: a check change ends in Error
  // (perform-check: the check failed) or Done (recover-check: it recovered) and never changes
  // afterwards. A change Pebble has pruned counts as ended.
  std::string status;
  auto change = PebbleClient(c.socket).Get(absl::StrCat("/v1/changes/", PebbleClient::Escape(key)), kChangeTimeout,
                                           cancelled);
  if (change.ok() && change->is_object()) status = change->value("status", "");
  HookKind hook_kind;
  if (kind == "perform-check" && (!change.ok() || status == "Error")) {
    hook_kind = HookKind::kPebbleCheckFailed;
  } else if (kind == "recover-check" && (!change.ok() || status == "Done")) {
    hook_kind = HookKind::kPebbleCheckRecovered;
  } else {
    return std::nullopt;
  }
  HookInfo hook = WorkloadHook(hook_kind, c.name);
  hook.check_name = data.value("check-name", "");
  return hook;
}

void PebbleHost::Watch(Container* c) {
  const PebbleClient client(c->socket);
  const std::function<bool()> stopping = [this, c] {
    MutexLock lock(mu_);
    return c->stop;
  };
  // Waits `d` or until the container's watcher is stopped; true when stopping.
  auto pause = [this, c](std::chrono::milliseconds d) {
    MutexLock lock(mu_);
    return clock_.WaitFor(mu_, cv_, d, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return c->stop; });
  };
  auto delay = options_.retry_min;
  auto retry = [&] {
    const bool stop = pause(delay);
    delay = std::min(delay * 2, options_.retry_max);
    return stop;
  };
  while (!stopping()) {
    // Pebble answers once it has started; until then (and while it restarts) ask again.
    auto info = client.Get("/v1/system-info", kSystemInfoTimeout, stopping);
    if (!info.ok()) {
      if (info.status().code() != absl::StatusCode::kUnavailable && info.status().code() != absl::StatusCode::kCancelled) {
        spdlog::warn("container {}: {}", c->name, info.status().ToString());
      }
      if (retry()) return;
      continue;
    }
    delay = options_.retry_min;
    // Which Pebble answered: system-info's boot-id is the kernel's (the same for every Pebble
    // until the host reboots), so the instance is that and the pid of the Pebble running now.
    std::string instance = info->is_object() ? info->value("boot-id", "") : "";
    for (const workload::ServiceInfo& service : supervisor_.Services()) {
      if (service.name == ServiceName(c->name)) absl::StrAppend(&instance, "/", service.pid);
    }
    bool ready = false;
    {
      MutexLock lock(mu_);
      if (instance != c->reported_instance) {
        c->reported_instance = instance;
        ready = true;
      }
    }
    if (ready) {
      HookInfo hook = WorkloadHook(HookKind::kPebbleReady, c->name);
      hook.pebble_instance = instance;
      Queue(std::move(hook));
    }
    while (!stopping()) {
      // `users=all`: notices recorded by any user (a workload running as root, `pebble notify` from
      // a shell); the agent runs as Pebble's own uid, which Pebble treats as an administrator.
      std::string path = absl::StrCat("/v1/notices?users=all&timeout=", options_.notice_wait.count(), "s");
      if (!c->cursor.empty()) absl::StrAppend(&path, "&after=", PebbleClient::Escape(c->cursor));
      auto notices = client.Get(path, options_.notice_wait + std::chrono::seconds(10), stopping);
      if (!notices.ok()) {
        // Pebble stopped (it comes back as a new instance) or refused the request.
        if (notices.status().code() == absl::StatusCode::kInternal) {
          spdlog::warn("container {}: {}", c->name, notices.status().ToString());
        }
        if (retry()) return;
        break;
      }
      if (!notices->is_array()) continue;
      for (const auto& notice : *notices) {
        std::optional<HookInfo> hook = EventFor(*c, notice, stopping);
        c->cursor = notice.value("last-repeated", c->cursor);
        if (!hook.has_value()) continue;
        hook->notice_cursor = c->cursor;
        Queue(std::move(*hook));
      }
    }
  }
}

void PebbleHost::StopWatchers(std::vector<std::unique_ptr<Container>> containers) {
  {
    MutexLock lock(mu_);
    for (auto& c : containers) c->stop = true;
    cv_.NotifyAll();
  }
  for (auto& c : containers) {
    if (c->thread.joinable()) c->thread.join();
  }
}

void PebbleHost::Stop() {
  std::vector<std::unique_ptr<Container>> all;
  {
    MutexLock lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    for (auto& [name, c] : containers_) c->stop = true;
    cv_.NotifyAll();
  }
  // Pebble first: its going ends the watchers' long polls at once.
  supervisor_.Stop();
  for (auto& [name, c] : containers_) all.push_back(std::move(c));
  containers_.clear();
  StopWatchers(std::move(all));
}

}  // namespace skein::agent::pebble
