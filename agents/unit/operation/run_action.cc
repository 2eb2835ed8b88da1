#include "agents/unit/operation/run_action.h"

#include <random>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/base/limits.h"
#include "lib/format/utf8.h"
#include "spdlog/spdlog.h"

namespace skein::agent {
namespace {

// Gone or already done tasks (cancelled, finished by an earlier run whose answer was lost)
// need no further work.
bool TaskGone(const absl::Status& s) {
  return s.code() == absl::StatusCode::kNotFound || s.code() == absl::StatusCode::kFailedPrecondition;
}

}  // namespace

std::map<std::string, std::string> ActionEnvironment(const UnitEnvironment& unit, const std::string& action,
                                                     const std::string& task_id, const std::string& context_id) {
  auto env = HookEnvironment(unit, "", context_id, std::nullopt);
  env["JUJU_HOOK_NAME"] = "";
  env["JUJU_DISPATCH_PATH"] = absl::StrCat("actions/", action);
  env["JUJU_ACTION_NAME"] = action;
  env["JUJU_ACTION_UUID"] = task_id;
  env["JUJU_ACTION_TAG"] = absl::StrCat("action-", task_id);
  return env;
}

void PutOutput(nlohmann::json& results, const std::string& key, const std::string& full_output) {
  if (full_output.empty()) return;
  // Only the end of a long output is kept (limits::kActionOutputBytes), where the error usually
  // is, cut at a UTF-8 boundary.
  std::string output = full_output;
  if (output.size() > limits::kActionOutputBytes) {
    size_t start = output.size() - limits::kActionOutputBytes;
    while (start < output.size() && (static_cast<unsigned char>(output[start]) & 0xC0) == 0x80) ++start;
    output = output.substr(start);
  }
  // Strictly UTF-8 (lib/format/utf8.h): the results become JSON, which cannot hold anything else.
  if (format::IsValidUtf8(output)) {
    results[key] = output;
  } else {
    results[key] = absl::Base64Escape(output);
    results[key + "-encoding"] = "base64";
  }
}

RunActionOperation::RunActionOperation(const resolver::Op& op, OperationDeps& deps) : op_(op), deps_(deps) {}

std::string RunActionOperation::String() const {
  return absl::StrCat("run action ", op_.action.task_id(), " (", op_.action.name(), ")");
}

absl::StatusOr<Prepared> RunActionOperation::Prepare(LocalState& state) {
  unit_in_error_ = state.operation.failed;
  int64_t id = 0;
  if (absl::SimpleAtoi(op_.action.task_id(), &id) && id != 0 && state.running_action_id == id) {
    spdlog::warn("found incomplete action {}; failing it as terminated", op_.action.task_id());
    interrupted_ = true;
    return Prepared::kRun;
  }
  absl::Status started = RetryTransient([&] { return deps_.client->StartAction(op_.action.task_id()); }, deps_.pause);
  if (TaskGone(started)) {
    spdlog::info("action {} is no longer queued: {}", op_.action.task_id(), std::string(started.message()));
    resolver::RecordOp(state, op_);
    return Prepared::kSkip;
  }
  if (!started.ok()) return started;
  state.running_action_id = id;
  if (!unit_in_error_) {
    deps_.client->SetStatusAsync(v1::SetStatusRequest::AGENT, "executing",
                                 absl::StrCat("running action ", op_.action.name()));
  }
  return Prepared::kRun;
}

absl::StatusOr<StepOutcome> RunActionOperation::Execute(LocalState& state) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  const std::string& name = op_.action.name();
  const std::string& task_id = op_.action.task_id();
  finish_.set_task_id(task_id);
  if (interrupted_) {
    finish_.set_failed(true);
    finish_.set_message("action terminated");
    finish_.set_results_json("{}");
    return StepOutcome::kOk;
  }
  auto snapshot = deps_.latest();

  HookContextParams params;
  params.id = absl::StrCat(deps_.unit, "-run-action-", task_id, "-", rng() >> 1);
  params.unit = deps_.unit;
  params.application = deps_.application;
  params.local = state;
  params.snapshot = snapshot;
  params.leader_now = [latest = deps_.latest] {
    auto s = latest();
    return s != nullptr && s->leader();
  };
  params.client = deps_.client;
  params.clock = deps_.clock;
  params.pause = deps_.pause;
  params.log = JujuLogSink(deps_);
  params.action = op_.action;
  // resource-get (and network-get's bindings) work from the unit's charm directory in actions
  // and `exec` as in hooks.
  params.charm_dir = deps_.environment.charm_dir;
  auto context = std::make_shared<UnitHookContext>(std::move(params));

  UnitEnvironment environment = deps_.environment;
  if (snapshot != nullptr) {
    if (environment.model_name.empty()) environment.model_name = snapshot->model_name();
    if (environment.model_uuid.empty()) environment.model_uuid = snapshot->model_uuid();
  }
  HookInvocation invocation;
  invocation.name = absl::StrCat("actions/", name);
  invocation.action = name;
  invocation.context = context.get();
  invocation.charm_sha256 = state.charm_sha256;
  invocation.model_name = environment.model_name;
  invocation.env = ActionEnvironment(environment, name, task_id, context->id());
  if (name == kExecActionName) {
    // `skein exec`: the command runs in the hook context (hook tools and JUJU_* set), without a
    // charm handler to dispatch to.
    nlohmann::json params = nlohmann::json::parse(op_.action.params_json(), nullptr, false);
    if (params.is_object() && params.contains("command") && params["command"].is_string()) {
      invocation.command = params["command"].get<std::string>();
    }
    invocation.env.erase("JUJU_DISPATCH_PATH");
    if (invocation.command.empty()) {
      finish_.set_failed(true);
      finish_.set_message("no command to run");
      finish_.set_results_json("{}");
      return StepOutcome::kOk;
    }
  }
  auto output = deps_.logger(absl::StrCat("unit.", deps_.unit, ".", name));
  std::string out, err;

  spdlog::info("running {}", String());
  deps_.publish_context(context);
  HookOutcome outcome = deps_.runner->Run(invocation, [&](bool is_stderr, const std::string& line) {
    output->log(is_stderr ? spdlog::level::warn : spdlog::level::debug, "{}", line);
    absl::StrAppend(is_stderr ? &err : &out, line, "\n");
  });
  deps_.publish_context(nullptr);

  nlohmann::json results = context->ActionResults();
  switch (outcome.kind) {
    case HookOutcome::Kind::kKilled:
      return absl::CancelledError(absl::StrCat("action ", task_id, " killed: agent stopping"));
    case HookOutcome::Kind::kMissing:
      finish_.set_failed(true);
      finish_.set_message(absl::StrCat("action not implemented on unit \"", deps_.unit, "\""));
      finish_.set_results_json("{}");
      spdlog::warn("action {} failed: {}", task_id, finish_.message());
      return StepOutcome::kOk;
    case HookOutcome::Kind::kOk:
    case HookOutcome::Kind::kFailed:
      break;
  }
  results["return-code"] = outcome.exit_code;
  PutOutput(results, "stdout", outcome.captured ? outcome.stdout_text : out);
  PutOutput(results, "stderr", outcome.captured ? outcome.stderr_text : err);
  finish_.set_results_json(results.dump());
  if (!invocation.command.empty()) {
    // As in Juju, a command that ran is a completed task whatever its exit code; the code is in
    // the results, and the CLI reports a non-zero one. Only a command that could not start fails.
    if (!outcome.captured) {
      finish_.set_failed(true);
      finish_.set_message(outcome.error);
    }
  } else if (outcome.kind == HookOutcome::Kind::kFailed) {
    finish_.set_failed(true);
    finish_.set_message(outcome.error);
  } else if (auto failure = context->ActionFailure()) {
    finish_.set_failed(true);
    finish_.set_message(*failure);
  }
  spdlog::info("ran action {} ({})", task_id, finish_.failed() ? "failed: " + finish_.message() : "completed");
  return StepOutcome::kOk;
}

absl::StatusOr<StepOutcome> RunActionOperation::Commit(LocalState& state) {
  absl::Status finished = RetryTransient([&] { return deps_.client->FinishAction(finish_); }, deps_.pause);
  if (absl::IsResourceExhausted(finished) || absl::IsInvalidArgument(finished)) {
    // The controller refused what the action produced (a cap it checks again): finish the task
    // as failed with the reason, or it would stay running and hold the unit's queue.
    spdlog::warn("action {} results refused: {}", finish_.task_id(), std::string(finished.message()));
    v1::FinishActionRequest refused;
    refused.set_task_id(finish_.task_id());
    refused.set_failed(true);
    refused.set_message(absl::StrCat("action results refused: ", finished.message()).substr(0, 1024));
    refused.set_results_json("{}");
    finished = RetryTransient([&] { return deps_.client->FinishAction(refused); }, deps_.pause);
  }
  if (!finished.ok() && !TaskGone(finished)) return finished;
  resolver::RecordOp(state, op_);
  return StepOutcome::kOk;
}

void RunActionOperation::AfterCommit() {
  if (!unit_in_error_) deps_.client->SetStatusAsync(v1::SetStatusRequest::AGENT, "idle", "");
}

}  // namespace skein::agent
