#include "agents/unit/uniter/uniter.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <random>

#include "absl/strings/str_cat.h"
#include "agents/unit/logging/module_logger.h"
#include "agents/unit/operation/run_hook.h"
#include "agents/unit/resolver/resolver.h"
#include "lib/base/duration.h"
#include "lib/base/file_read.h"
#include "lib/base/limits.h"
#include "lib/charm/metadata.h"
#include "lib/rpc/retry.h"
#include "spdlog/spdlog.h"

namespace skein::agent {
namespace {

std::string ApplicationOf(const std::string& unit) { return unit.substr(0, unit.find('/')); }

}  // namespace

Uniter::Uniter(UniterConfig config, AgentClient* client, LocalStateStore* store, HookRunner* runner,
               Clock& clock)
    : config_(std::move(config)),
      client_(client),
      store_(store),
      runner_(runner),
      clock_(clock),
      watcher_(client, config_.unit, [this] { Notify(); }, clock),
      retry_timer_(config_.hook_retry, [] {
        static thread_local std::mt19937_64 rng(std::random_device{}());
        return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
      }) {
  deps_.client = client_;
  deps_.runner = runner_;
  deps_.unit = config_.unit;
  deps_.application = ApplicationOf(config_.unit);
  deps_.charm_dir = config_.agent_dir + "/charm";
  deps_.environment.charm_dir = deps_.charm_dir;
  deps_.environment.agent_socket = config_.agent_socket;
  deps_.environment.tools_dir = config_.agent_dir + "/tools";
  deps_.environment.unit = config_.unit;
  deps_.environment.model_uuid = config_.model_uuid;
  deps_.environment.api_addresses = config_.api_addresses;
  deps_.environment.machine_id = config_.machine_id;
  deps_.environment.agent_path = config_.agent_path;
  deps_.environment.substrate_env = config_.substrate_env;
  // The unit's dir is `<agents dir>/<model-uuid>/unit-<app>-<n>` (agents/machine/unit_agents.h).
  std::string unit_dir = config_.agent_dir;
  while (unit_dir.size() > 1 && unit_dir.back() == '/') unit_dir.pop_back();
  deps_.environment.model_dir = std::filesystem::path(unit_dir).parent_path().string();
  deps_.latest = [this] { return watcher_.Latest(); };
  deps_.publish_context = [this](std::shared_ptr<UnitHookContext> c) { PublishContext(std::move(c)); };
  deps_.pause = [this](std::chrono::milliseconds d) { return Pause(d); };
  deps_.logger = [](const std::string& module) { return ModuleLogger(module); };
  deps_.clock = &clock_;
  deps_.faults = config_.faults != nullptr ? config_.faults : &no_faults_;
  if (config_.workload_events != nullptr) config_.workload_events->SetListener([this] { Notify(); });
}

Uniter::~Uniter() {
  Stop();
  watcher_.Stop();
}

void Uniter::Notify() {
  MutexLock lock(mu_);
  ++generation_;
  cv_.NotifyAll();
}

void Uniter::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    cv_.NotifyAll();
  }
  runner_->Kill();
}

bool Uniter::WaitForChange(uint64_t seen_generation, Clock::TimePoint deadline) {
  MutexLock lock(mu_);
  auto woken = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || generation_ != seen_generation; };
  // time_point::max() means no deadline: nothing but a snapshot or Stop() ends the wait.
  if (deadline == Clock::TimePoint::max()) {
    while (!woken()) cv_.Wait(mu_);
  } else {
    clock_.WaitUntil(mu_, cv_, deadline, woken);
  }
  return stopping_;
}

bool Uniter::Pause(std::chrono::milliseconds duration) {
  MutexLock lock(mu_);
  return clock_.WaitFor(mu_, cv_, duration, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; });
}

void Uniter::PublishContext(std::shared_ptr<UnitHookContext> context) {
  MutexLock lock(context_mu_);
  if (context == nullptr) {
    retired_context_ = std::move(context_);
  } else {
    context_ = std::move(context);
  }
}

HookContext* Uniter::ResolveContext(const std::string& context_id) {
  MutexLock lock(context_mu_);
  if (context_ != nullptr && context_->id() == context_id) return context_.get();
  return nullptr;
}

std::chrono::milliseconds UpdateStatusIntervalFrom(const google::protobuf::Map<std::string, std::string>& model_config,
                                                   std::chrono::milliseconds fallback) {
  auto it = model_config.find("update-status-hook-interval");
  if (it == model_config.end()) return fallback;
  // The controller validated the value with this same parser (lib/base/duration.h), so the unit
  // runs update-status at the interval the user was told was accepted.
  auto interval = ParseDuration(it->second);
  if (!interval.ok() || interval->count() <= 0) return fallback;
  return std::chrono::duration_cast<std::chrono::milliseconds>(*interval);
}

std::chrono::milliseconds Uniter::UpdateStatusInterval(const v1::UnitSnapshot& snapshot) const {
  return UpdateStatusIntervalFrom(snapshot.model_config(), config_.default_update_status_interval);
}

absl::Status Uniter::Login(LocalState& state) {
  absl::StatusOr<v1::LoginResponse> login;
  absl::Status s = RetryTransient(
      [&] {
        login = client_->Login();
        return login.status();
      },
      deps_.pause);
  if (!s.ok()) return s;
  if (!config_.model_uuid.empty() && login->model_uuid() != config_.model_uuid) {
    return absl::FailedPreconditionError(absl::StrCat("the controller logged ", config_.unit, " in to model ",
                                                      login->model_uuid(), ", but agent.conf names model ",
                                                      config_.model_uuid));
  }
  if (deps_.environment.model_name.empty()) deps_.environment.model_name = login->model_name();
  if (deps_.environment.model_uuid.empty()) deps_.environment.model_uuid = login->model_uuid();
  if (deps_.environment.machine_id.empty()) deps_.environment.machine_id = login->machine_id();
  // A hook whose commit the controller applied before this agent could record it (crash
  // between CommitHook and saving the state) is recorded now, not run again.
  OperationState& op = state.operation;
  if (op.kind == OperationKind::kRunHook && op.step == OperationStep::kPending && !op.failed &&
      op.commit_seq > 0 && op.commit_seq <= login->last_commit_seq()) {
    spdlog::info("hook \"{}\" was committed before a restart; recording it", op.hook.Name());
    RecordCommittedHook(state, op.hook, {}, nullptr);
  }
  state.next_commit_seq = std::max(state.next_commit_seq, login->last_commit_seq() + 1);
  return store_->Save(state);
}

static bool AutoRetryHooks(const v1::UnitSnapshot& snapshot) {
  auto it = snapshot.model_config().find("automatically-retry-hooks");
  return it == snapshot.model_config().end() || it->second != "false";
}

absl::StatusOr<bool> Uniter::ApplyResolve(LocalState& state, const resolver::Op& op) {
  const bool skip = op.SkipsHook();
  spdlog::info("hook \"{}\" resolved ({})", op.hook.Name(), skip ? "no-retry" : "retry");
  state.resolved_serial = op.resolve_serial;
  state.operation.failed = false;
  retry_timer_.Reset();
  if (skip) {
    // Juju's --no-retry: the hook counts as run, its data is not committed, and whatever it
    // chains (start after config-changed) still follows.
    resolver::RecordSkippedHook(state, op.hook);
    state.operation.step = OperationStep::kDone;
  }
  if (absl::Status s = store_->Save(state); !s.ok()) return s;
  if (absl::Status s = client_->ClearResolved(op.resolve_serial); !s.ok()) {
    // The local record already keeps the request from being acted on twice.
    spdlog::warn("cannot acknowledge resolve: {}", std::string(s.message()));
  }
  if (skip) client_->SetStatusAsync(v1::SetStatusRequest::AGENT, "idle", "");
  return !skip;
}

absl::Status Uniter::AcknowledgeStaleResolve(LocalState& state, const v1::UnitSnapshot& snapshot) {
  if (state.operation.failed || resolver::ResolveModeOf(snapshot) == resolver::ResolveMode::kNone ||
      snapshot.resolve_serial() <= state.resolved_serial) {
    return absl::OkStatus();
  }
  state.resolved_serial = snapshot.resolve_serial();
  if (absl::Status s = store_->Save(state); !s.ok()) return s;
  if (absl::Status s = client_->ClearResolved(state.resolved_serial); !s.ok()) {
    spdlog::warn("cannot acknowledge resolve: {}", std::string(s.message()));
  }
  return absl::OkStatus();
}

void Uniter::UpdateContainers(const LocalState& state) {
  if (config_.workload_events == nullptr || state.charm_sha256.empty() || containers_of_charm_ == state.charm_sha256) {
    return;
  }
  containers_of_charm_ = state.charm_sha256;
  std::vector<std::string> containers;
  auto text = ReadFileCapped(deps_.charm_dir + "/metadata.yaml", limits::kCharmYaml);
  if (text.ok()) {
    auto meta = charm::ParseMetadata(*text);
    if (meta.ok()) containers = meta->container_names;
  }
  config_.workload_events->SetContainers(containers, state);
}

void Uniter::ReportIdle() {
  if (idle_reported_) return;
  absl::Status s = client_->SetStatus(v1::SetStatusRequest::AGENT, "idle", "");
  if (s.ok()) idle_reported_ = true;
}

absl::StatusOr<Uniter::Exit> Uniter::Run() {
  absl::StatusOr<LocalState> loaded = store_->Load();
  if (!loaded.ok()) return loaded.status();
  LocalState state = std::move(*loaded);
  if (absl::Status s = Login(state); !s.ok()) {
    if (s.code() == absl::StatusCode::kCancelled) return Exit::kStopped;
    return s;
  }
  watcher_.Start();
  rpc::Backoff backoff(rpc::kControllerRetry);
  constexpr auto kNever = Clock::TimePoint::max();
  // When the update-status timer started; the deadline follows the model's current interval,
  // so a changed update-status-hook-interval takes effect at once.
  auto update_status_since = kNever;
  Exit exit = Exit::kStopped;
  while (true) {
    uint64_t generation;
    {
      MutexLock lock(mu_);
      if (stopping_) break;
      generation = generation_;
    }
    if (watcher_.UnitGone()) {
      exit = Exit::kUnitGone;
      break;
    }
    std::shared_ptr<const v1::UnitSnapshot> snapshot = watcher_.Latest();
    if (snapshot == nullptr) {
      if (WaitForChange(generation, kNever)) break;
      continue;
    }
    if (resolver::Observe(state, *snapshot)) {
      if (absl::Status s = store_->Save(state); !s.ok()) return s;
    }
    if (absl::Status s = AcknowledgeStaleResolve(state, *snapshot); !s.ok()) return s;
    const Clock::TimePoint now = clock_.Now();
    if (state.started && update_status_since == kNever) update_status_since = now;
    auto next_update_status = update_status_since == kNever ? kNever : update_status_since + UpdateStatusInterval(*snapshot);
    // The automatic retry timer runs while a hook is in error and the model allows it.
    if (state.operation.failed && AutoRetryHooks(*snapshot)) {
      retry_timer_.Arm(now);
    } else {
      retry_timer_.Reset();
    }
    resolver::Options options;
    options.update_status_due = now >= next_update_status;
    options.retry_due = retry_timer_.Due(now);
    const int64_t now_unix_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch()).count();
    options.now_unix_ms = now_unix_ms;
    if (config_.workload_events != nullptr) {
      UpdateContainers(state);
      config_.workload_events->DropDone(state);
      options.workload_event = config_.workload_events->Next();
    }
    resolver::Op op = resolver::NextOp(state, *snapshot, options);
    if (op.kind == OperationKind::kNone) {
      const bool idle = op.wait == resolver::WaitReason::kIdle;
      if (idle && state.started) ReportIdle();
      // Idle, or stopped by a failed hook that status shows: either way the agent has acted on
      // this snapshot, and `wait-for` may count the unit (after its idle status, reported above).
      // Every message of the stream is a new snapshot object, also after a reconnect, when the
      // controller expects the new stream's first snapshot to be acknowledged again.
      if ((idle || op.wait == resolver::WaitReason::kHookFailed) && snapshot != acknowledged_) {
        client_->AckSnapshotAsync(snapshot->version());
        acknowledged_ = snapshot;
      }
      // An idle unit waits for the update-status timer, a failed hook for its retry timer.
      auto deadline = kNever;
      if (state.started && idle) deadline = next_update_status;
      // A secret that falls due to rotate or expire wakes an idle unit.
      if (idle) {
        if (std::optional<int64_t> due = resolver::NextSecretDue(state, *snapshot, now_unix_ms)) {
          deadline = std::min(deadline, now + std::chrono::milliseconds(*due - now_unix_ms));
        }
      }
      if (op.wait == resolver::WaitReason::kHookFailed) deadline = retry_timer_.deadline();
      if (WaitForChange(generation, deadline)) break;
      continue;
    }
    if (op.kind == OperationKind::kRunHook && op.resolve_serial > 0) {
      absl::StatusOr<bool> rerun = ApplyResolve(state, op);
      if (!rerun.ok()) return rerun.status();
      if (!*rerun) continue;
    } else if (op.kind == OperationKind::kRunHook && state.operation.failed) {
      spdlog::info("automatic retry {} of hook \"{}\"", retry_timer_.attempt() + 1, op.hook.Name());
      retry_timer_.RetryStarted();
    }
    spdlog::debug("next operation: {}", op.String());
    std::unique_ptr<Operation> operation = NewOperation(op, deps_);
    absl::Status s = ExecuteOperation(*operation, state, *store_).status();
    if (s.code() == absl::StatusCode::kCancelled) break;
    if (!s.ok()) {
      // Transient trouble (controller away, disk full...): try again later. The operation is
      // recorded as pending, so nothing is lost.
      spdlog::error("{} failed: {}", op.String(), std::string(s.message()));
      if (Pause(std::chrono::duration_cast<std::chrono::milliseconds>(backoff.Next()))) break;
      continue;
    }
    backoff.Reset();
    if (op.kind == OperationKind::kRunHook && op.hook.kind == HookKind::kUpdateStatus) {
      update_status_since = clock_.Now();
    }
    if (op.kind == OperationKind::kMarkDead) {
      spdlog::info("unit {} is dead", config_.unit);
      exit = Exit::kUnitDead;
      break;
    }
  }
  watcher_.Stop();
  return exit;
}

}  // namespace skein::agent
