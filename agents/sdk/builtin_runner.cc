#include "agents/sdk/builtin_runner.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace skein::sdk {
namespace {

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

BuiltinCharmRunner::BuiltinCharmRunner(const CharmRegistry* registry, std::string charm_dir, Substrate* substrate,
                                       agent::HookRunner* fallback)
    : registry_(registry), charm_dir_(std::move(charm_dir)), substrate_(substrate), fallback_(fallback) {}

std::string BuiltinCharmRunner::BuiltinName(const std::string& charm_dir, const CharmRegistry& registry) {
  std::string name(absl::StripAsciiWhitespace(ReadFileOrEmpty(charm_dir + "/" + kBuiltinMarkerFile)));
  return registry.Has(name) ? name : "";
}

absl::Status RunCharmEvent(Charm& charm, const Event& event, Model& model) {
  Framework framework;
  charm.Setup(framework, model);
  return framework.Dispatch(event, model);
}

const BuiltinCharmRunner::CharmOnDisk& BuiltinCharmRunner::Inspect(const std::string& charm_sha256) {
  if (charm_.has_value() && !charm_sha256.empty() && charm_->sha256 == charm_sha256) return *charm_;
  CharmOnDisk read;
  read.sha256 = charm_sha256;
  read.builtin = BuiltinName(charm_dir_, *registry_);
  if (!read.builtin.empty()) read.metadata = charm::ParseMetadata(ReadFileOrEmpty(charm_dir_ + "/metadata.yaml"));
  charm_ = std::move(read);
  return *charm_;
}

agent::HookOutcome BuiltinCharmRunner::Run(const agent::HookInvocation& invocation, const OutputFn& output) {
  const CharmOnDisk& on_disk = Inspect(invocation.charm_sha256);
  // Commands (`skein exec`) run as processes whatever the charm is.
  if (on_disk.builtin.empty() || !invocation.command.empty()) return fallback_->Run(invocation, output);

  agent::HookOutcome outcome;
  if (invocation.context == nullptr || (invocation.hook == nullptr && invocation.action.empty())) {
    outcome.kind = agent::HookOutcome::Kind::kFailed;
    outcome.error = "no hook context for this hook";
    return outcome;
  }
  if (!on_disk.metadata.ok()) {
    outcome.kind = agent::HookOutcome::Kind::kFailed;
    outcome.error = absl::StrCat("cannot read metadata.yaml: ", on_disk.metadata.status().message());
    return outcome;
  }
  Model model(invocation.context, substrate_, *on_disk.metadata, invocation.model_name);
  Event event = invocation.hook != nullptr ? EventForHook(*invocation.hook) : EventForAction(invocation.action);
  if (invocation.hook != nullptr) event.removal = invocation.context->Removal();
  std::unique_ptr<Charm> charm = registry_->Create(on_disk.builtin);
  absl::Status result;
  try {
    result = RunCharmEvent(*charm, event, model);
  } catch (const std::exception& e) {
    result = absl::InternalError(absl::StrCat("uncaught exception: ", e.what()));
  }
  if (!result.ok()) {
    // The message goes where a Python traceback would: the hook's stderr in the unit's log.
    output(true, std::string(result.message()));
    outcome.kind = agent::HookOutcome::Kind::kFailed;
    outcome.exit_code = 1;
    outcome.error = std::string(result.message());
  }
  return outcome;
}

void BuiltinCharmRunner::Kill() {
  // A built-in hook runs on the uniter's thread and returns quickly; only a directory charm's
  // process needs killing.
  fallback_->Kill();
}

}  // namespace skein::sdk
