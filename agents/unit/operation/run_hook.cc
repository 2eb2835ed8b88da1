#include "agents/unit/operation/run_hook.h"

#include <filesystem>
#include <random>

#include "absl/strings/str_cat.h"
#include "agents/unit/fault/fault.h"
#include "spdlog/spdlog.h"

namespace skein::agent {
namespace {

spdlog::level::level_enum SpdlogLevel(const std::string& juju_level) {
  if (juju_level == "TRACE") return spdlog::level::trace;
  if (juju_level == "DEBUG") return spdlog::level::debug;
  if (juju_level == "WARNING") return spdlog::level::warn;
  if (juju_level == "ERROR") return spdlog::level::err;
  if (juju_level == "CRITICAL") return spdlog::level::critical;
  return spdlog::level::info;
}

// How long a storage-attached hook waits for its directory, which the machine agent makes when it
// sees the instance (at once for the unit's first instances, a moment later after storage-add).
constexpr std::chrono::seconds kStorageDirWait{30};

// Makes `dir` when the agent may (it runs as the machine agent's user: no privilege separation),
// else waits for the machine agent to make it, checking every 100 ms for kStorageDirWait. False
// when it did not appear or the agent is stopping.
bool AwaitStorageDir(const std::string& dir, const std::function<bool(std::chrono::milliseconds)>& pause) {
  std::error_code ec;
  if (std::filesystem::create_directories(dir, ec) && !ec) {
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  }
  for (auto waited = std::chrono::milliseconds(0); waited < kStorageDirWait; waited += std::chrono::milliseconds(100)) {
    if (std::filesystem::is_directory(dir, ec)) return true;
    if (!pause || pause(std::chrono::milliseconds(100))) return false;
  }
  return std::filesystem::is_directory(dir, ec);
}

}  // namespace

std::function<void(const std::string& level, const std::string& message)> JujuLogSink(const OperationDeps& deps) {
  auto juju_log = deps.logger(absl::StrCat("unit.", deps.unit, ".juju-log"));
  return [juju_log](const std::string& level, const std::string& message) {
    juju_log->log(SpdlogLevel(level), "{}", message);
  };
}

void RecordCommittedHook(LocalState& state, const HookInfo& hook, const std::set<int64_t>& app_write_relations,
                         const v1::UnitSnapshot* latest) {
  resolver::RecordHook(state, hook);
  for (int64_t id : app_write_relations) {
    auto progress = state.relations.find(id);
    if (progress == state.relations.end() || latest == nullptr) continue;
    for (const auto& r : latest->relations()) {
      if (r.id() == id) relations::RecordOwnAppWrite(progress->second, r.remote_app_settings_version());
    }
  }
  state.operation.step = OperationStep::kDone;
  state.next_commit_seq = std::max(state.next_commit_seq, state.operation.commit_seq + 1);
}

RunHookOperation::RunHookOperation(HookInfo hook, OperationDeps& deps)
    : hook_(std::move(hook)), name_(hook_.Name()), deps_(deps) {}

std::string RunHookOperation::String() const {
  if (hook_.IsRelation() && !hook_.relation.remote_unit.empty()) {
    return absl::StrCat("run ", name_, " hook for ", hook_.relation.remote_unit);
  }
  return absl::StrCat("run ", name_, " hook");
}

void RunHookOperation::SetAgentStatus(const std::string& status, const std::string& message,
                                      const std::string& data_json) {
  // Queued, not awaited: the hook starts without waiting for the status to reach the controller.
  deps_.client->SetStatusAsync(v1::SetStatusRequest::AGENT, status, message, data_json);
}

void RunHookOperation::SetWorkloadStatus(const std::string& status, const std::string& message) {
  deps_.client->SetStatusAsync(v1::SetStatusRequest::WORKLOAD, status, message);
}

std::string RunHookOperation::NewContextId() const {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  return absl::StrCat(deps_.unit, "-", name_, "-", rng() >> 1);
}

absl::StatusOr<Prepared> RunHookOperation::Prepare(LocalState& state) {
  if (hook_.kind == HookKind::kLeaderElected) {
    // Juju skips leader-elected when leadership was lost before it could run.
    auto latest = deps_.latest();
    if (latest == nullptr || !latest->leader()) return Prepared::kSkip;
  }
  if (hook_.kind != HookKind::kUpdateStatus) {
    std::string message = absl::StrCat("running ", name_, " hook");
    if (hook_.IsRelation() && !hook_.relation.remote_unit.empty()) {
      absl::StrAppend(&message, " for ", hook_.relation.remote_unit);
    }
    SetAgentStatus("executing", message);
  }
  switch (hook_.kind) {
    case HookKind::kInstall:
      if (!state.workload_status_set) SetWorkloadStatus("maintenance", "installing charm software");
      break;
    case HookKind::kStop:
      SetWorkloadStatus("maintenance", "stopping charm software");
      break;
    case HookKind::kRemove:
      SetWorkloadStatus("maintenance", "cleaning up prior to charm deletion");
      break;
    default:
      break;
  }
  state.operation = OperationState{OperationKind::kRunHook, OperationStep::kPending, hook_, state.next_commit_seq,
                                   /*failed=*/false};
  return Prepared::kRun;
}

absl::StatusOr<StepOutcome> RunHookOperation::Execute(LocalState& state) {
  auto snapshot = deps_.latest();
  HookContextParams params;
  params.id = NewContextId();
  params.unit = deps_.unit;
  params.application = deps_.application;
  params.hook = hook_;
  params.local = state;
  params.snapshot = snapshot;
  params.charm_dir = deps_.environment.charm_dir;
  params.model_dir = deps_.environment.model_dir;
  params.leader_now = [latest = deps_.latest] {
    auto s = latest();
    return s != nullptr && s->leader();
  };
  params.client = deps_.client;
  params.clock = deps_.clock;
  params.pause = deps_.pause;
  params.log = JujuLogSink(deps_);
  context_ = std::make_shared<UnitHookContext>(std::move(params));

  std::optional<HookRelationEnv> relation;
  if (hook_.IsRelation()) {
    const auto& r = hook_.relation;
    relation = HookRelationEnv{r.endpoint, r.relation_id, r.remote_application, r.remote_unit, r.departing_unit};
  }
  std::optional<HookStorageEnv> storage;
  if (charm::IsStorageHook(hook_.kind)) {
    auto info = context_->Storage(hook_.storage_id);
    storage = HookStorageEnv{hook_.storage_id, info.ok() ? info->location : "", info.ok() ? info->kind : ""};
    if (hook_.kind == HookKind::kStorageAttached && (!info.ok() || !AwaitStorageDir(info->location, deps_.pause))) {
      spdlog::error("storage {} has no directory yet; its hook fails", hook_.storage_id);
      state.operation.failed = true;
      SetAgentStatus("error", absl::StrCat("hook failed: \"", name_, "\""), nlohmann::json{{"hook", name_}}.dump());
      return StepOutcome::kHookFailed;
    }
  }
  std::optional<HookSecretEnv> secret;
  if (charm::IsSecretHook(hook_.kind)) secret = HookSecretEnv{hook_.secret_uri, hook_.secret_label, hook_.secret_revision};
  std::optional<HookWorkloadEnv> workload;
  if (charm::IsWorkloadHook(hook_.kind)) {
    workload = HookWorkloadEnv{hook_.workload_name, hook_.notice_id, hook_.notice_type, hook_.notice_key,
                               hook_.check_name};
  }
  UnitEnvironment environment = deps_.environment;
  if (snapshot != nullptr) {
    if (environment.model_name.empty()) environment.model_name = snapshot->model_name();
    if (environment.model_uuid.empty()) environment.model_uuid = snapshot->model_uuid();
  }
  HookInvocation invocation;
  invocation.name = name_;
  invocation.hook = &hook_;
  invocation.context = context_.get();
  invocation.charm_sha256 = state.charm_sha256;
  invocation.model_name = environment.model_name;
  invocation.env = HookEnvironment(environment, name_, context_->id(), relation, storage, secret, workload);
  auto output = deps_.logger(absl::StrCat("unit.", deps_.unit, ".", name_));

  spdlog::info("running {}", String());
  deps_.publish_context(context_);
  HookOutcome outcome = deps_.runner->Run(invocation, [&output](bool is_stderr, const std::string& line) {
    output->log(is_stderr ? spdlog::level::warn : spdlog::level::debug, "{}", line);
  });
  deps_.publish_context(nullptr);
  if (context_->WorkloadStatusSet()) state.workload_status_set = true;

  switch (outcome.kind) {
    case HookOutcome::Kind::kOk:
      spdlog::info("ran \"{}\" hook", name_);
      return StepOutcome::kOk;
    case HookOutcome::Kind::kMissing:
      spdlog::info("skipped \"{}\" hook (missing)", name_);
      return StepOutcome::kOk;
    case HookOutcome::Kind::kKilled:
      return absl::CancelledError(absl::StrCat("hook \"", name_, "\" killed: agent stopping"));
    case HookOutcome::Kind::kFailed:
      break;
  }
  spdlog::error("hook \"{}\" failed: {}", name_, outcome.error);
  state.operation.failed = true;
  nlohmann::json data = {{"hook", name_}};
  if (hook_.IsRelation()) {
    data["relation-id"] = hook_.relation.relation_id;
    if (!hook_.relation.remote_unit.empty()) data["remote-unit"] = hook_.relation.remote_unit;
  }
  SetAgentStatus("error", absl::StrCat("hook failed: \"", name_, "\""), data.dump());
  return StepOutcome::kHookFailed;
}

absl::StatusOr<StepOutcome> RunHookOperation::Commit(LocalState& state) {
  deps_.faults->Reached(fault::Point::kAfterHookBeforeCommit, name_);
  v1::CommitHookRequest request = context_->BuildCommit(state.operation.commit_seq);
  // Every commit says which charm the unit runs, so that the controller knows it from the
  // install hook on; a successful upgrade-charm clears a skip recorded earlier.
  request.set_charm_url(state.charm_url);
  request.set_upgrade_charm_skipped(state.upgrade_charm_skipped && hook_.kind != HookKind::kUpgradeCharm);
  absl::Status committed = RetryTransient([&] { return deps_.client->CommitHook(request).status(); }, deps_.pause);
  if (committed.code() == absl::StatusCode::kCancelled) return committed;
  if (!committed.ok()) {
    // The controller refused what the hook did (e.g. an app-bag write after losing
    // leadership): the hook failed as a whole, as in Juju when the context flush fails.
    spdlog::error("cannot commit \"{}\" hook: {}", name_, std::string(committed.message()));
    state.operation.failed = true;
    SetAgentStatus("error", absl::StrCat("hook failed: \"", name_, "\""), nlohmann::json{{"hook", name_}}.dump());
    return StepOutcome::kHookFailed;
  }
  deps_.faults->Reached(fault::Point::kAfterCommitBeforePersist, name_);
  auto latest = deps_.latest();
  RecordCommittedHook(state, hook_, context_->AppWriteRelations(), latest.get());
  workload_status_set_ = state.workload_status_set;
  return StepOutcome::kOk;
}

void RunHookOperation::AfterCommit() {
  switch (hook_.kind) {
    case HookKind::kStart:
      if (!workload_status_set_) SetWorkloadStatus("unknown", "");
      break;
    case HookKind::kStop:
      SetWorkloadStatus("maintenance", "");
      break;
    case HookKind::kRemove:
      SetWorkloadStatus("terminated", "");
      break;
    default:
      break;
  }
  if (hook_.kind != HookKind::kUpdateStatus) SetAgentStatus("idle", "");
}

}  // namespace skein::agent
