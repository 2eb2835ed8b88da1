#include "agents/unit/uniter/uniter.h"

#include <cctype>
#include <random>

#include "absl/strings/str_cat.h"
#include "agents/unit/logging/module_logger.h"
#include "agents/unit/operation/run_hook.h"
#include "agents/unit/resolver/resolver.h"
#include "spdlog/spdlog.h"

namespace skein::agent {
namespace {

constexpr auto kMinBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);

std::string ApplicationOf(const std::string& unit) { return unit.substr(0, unit.find('/')); }

}  // namespace

std::optional<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  double total_ms = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (start == i) return std::nullopt;
    double value = 0;
    try {
      value = std::stod(text.substr(start, i - start));
    } catch (const std::exception&) {
      return std::nullopt;
    }
    size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string unit = text.substr(unit_start, i - unit_start);
    if (unit == "h") {
      total_ms += value * 3600000;
    } else if (unit == "m") {
      total_ms += value * 60000;
    } else if (unit == "s") {
      total_ms += value * 1000;
    } else if (unit == "ms") {
      total_ms += value;
    } else {
      return std::nullopt;
    }
  }
  return std::chrono::milliseconds(static_cast<int64_t>(total_ms));
}

Uniter::Uniter(UniterConfig config, AgentClient* client, LocalStateStore* store, HookRunner* runner)
    : config_(std::move(config)),
      client_(client),
      store_(store),
      runner_(runner),
      watcher_(client, config_.unit, [this] { Notify(); }),
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
  deps_.latest = [this] { return watcher_.Latest(); };
  deps_.publish_context = [this](std::shared_ptr<UnitHookContext> c) { PublishContext(std::move(c)); };
  deps_.pause = [this](std::chrono::milliseconds d) { return Pause(d); };
  deps_.logger = [](const std::string& module) { return ModuleLogger(module); };
  deps_.faults = config_.faults != nullptr ? config_.faults : &no_faults_;
}

Uniter::~Uniter() {
  Stop();
  watcher_.Stop();
}

void Uniter::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
  }
  cv_.notify_all();
}

void Uniter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  runner_->Kill();
}

bool Uniter::WaitForChange(uint64_t seen_generation, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  auto woken = [&] { return stopping_ || generation_ != seen_generation; };
  // time_point::max() means no deadline; it is not passed on, as it may overflow.
  if (deadline == std::chrono::steady_clock::time_point::max()) {
    cv_.wait(lock, woken);
  } else {
    cv_.wait_until(lock, deadline, woken);
  }
  return stopping_;
}

bool Uniter::Pause(std::chrono::milliseconds duration) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, duration, [&] { return stopping_; });
  return stopping_;
}

void Uniter::PublishContext(std::shared_ptr<UnitHookContext> context) {
  std::lock_guard<std::mutex> lock(context_mu_);
  if (context == nullptr) {
    retired_context_ = std::move(context_);
  } else {
    context_ = std::move(context);
  }
}

HookContext* Uniter::ResolveContext(const std::string& context_id) {
  std::lock_guard<std::mutex> lock(context_mu_);
  if (context_ != nullptr && context_->id() == context_id) return context_.get();
  return nullptr;
}

std::chrono::milliseconds Uniter::UpdateStatusInterval(const v1::UnitSnapshot& snapshot) const {
  auto it = snapshot.model_config().find("update-status-hook-interval");
  if (it != snapshot.model_config().end()) {
    if (auto d = ParseDuration(it->second); d && d->count() > 0) return *d;
  }
  return config_.default_update_status_interval;
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
    resolver::RecordHook(state, op.hook);
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
  auto backoff = kMinBackoff;
  constexpr auto kNever = std::chrono::steady_clock::time_point::max();
  // When the update-status timer started; the deadline follows the model's current interval,
  // so a changed update-status-hook-interval takes effect at once.
  auto update_status_since = kNever;
  Exit exit = Exit::kStopped;
  while (true) {
    uint64_t generation;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
      generation = generation_;
    }
    if (watcher_.UnitGone()) {
      exit = Exit::kUnitGone;
      break;
    }
    std::shared_ptr<const v1::UnitSnapshot> snapshot = watcher_.Latest();
    if (snapshot == nullptr) {
      if (WaitForChange(generation, std::chrono::steady_clock::time_point::max())) break;
      continue;
    }
    if (resolver::Observe(state, *snapshot)) {
      if (absl::Status s = store_->Save(state); !s.ok()) return s;
    }
    if (absl::Status s = AcknowledgeStaleResolve(state, *snapshot); !s.ok()) return s;
    auto now = std::chrono::steady_clock::now();
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
    resolver::Op op = resolver::NextOp(state, *snapshot, options);
    if (op.kind == OperationKind::kNone) {
      const bool idle = op.wait == resolver::WaitReason::kIdle;
      if (idle && state.started) ReportIdle();
      // An idle unit waits for the update-status timer, a failed hook for its retry timer.
      auto deadline = kNever;
      if (state.started && idle) deadline = next_update_status;
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
      if (Pause(backoff)) break;
      backoff = std::min(backoff * 2, kMaxBackoff);
      continue;
    }
    backoff = kMinBackoff;
    if (op.kind == OperationKind::kRunHook && op.hook.kind == HookKind::kUpdateStatus) {
      update_status_since = std::chrono::steady_clock::now();
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
