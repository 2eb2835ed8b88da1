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

std::string EnvOr(const std::map<std::string, std::string>& env, const std::string& key) {
  auto it = env.find(key);
  return it == env.end() ? "" : it->second;
}

}  // namespace

BuiltinCharmRunner::BuiltinCharmRunner(const CharmRegistry* registry, std::string charm_dir, ContextResolver resolve,
                                       Substrate* substrate, agent::HookRunner* fallback)
    : registry_(registry),
      charm_dir_(std::move(charm_dir)),
      resolve_(std::move(resolve)),
      substrate_(substrate),
      fallback_(fallback) {}

std::string BuiltinCharmRunner::BuiltinName(const std::string& charm_dir, const CharmRegistry& registry) {
  std::string name(absl::StripAsciiWhitespace(ReadFileOrEmpty(charm_dir + "/" + kBuiltinMarkerFile)));
  return registry.Has(name) ? name : "";
}

absl::Status RunCharmEvent(Charm& charm, const Event& event, Model& model) {
  Framework framework;
  charm.Setup(framework, model);
  return framework.Dispatch(event, model);
}

agent::HookOutcome BuiltinCharmRunner::Run(const std::string& hook_name, const std::map<std::string, std::string>& env,
                                           const OutputFn& output) {
  // The charm directory is read on every hook: an upgrade may switch between built-in and
  // directory charms.
  const std::string name = BuiltinName(charm_dir_, *registry_);
  if (name.empty()) return fallback_->Run(hook_name, env, output);

  agent::HookOutcome outcome;
  agent::HookContext* ctx = resolve_(EnvOr(env, "JUJU_CONTEXT_ID"));
  if (ctx == nullptr) {
    outcome.kind = agent::HookOutcome::Kind::kFailed;
    outcome.error = "no hook context for this hook";
    return outcome;
  }
  auto metadata = charm::ParseMetadata(ReadFileOrEmpty(charm_dir_ + "/metadata.yaml"));
  if (!metadata.ok()) {
    outcome.kind = agent::HookOutcome::Kind::kFailed;
    outcome.error = absl::StrCat("cannot read metadata.yaml: ", metadata.status().message());
    return outcome;
  }
  Model model(ctx, substrate_, std::move(*metadata), EnvOr(env, "JUJU_MODEL_NAME"));
  std::unique_ptr<Charm> charm = registry_->Create(name);
  absl::Status result;
  try {
    result = RunCharmEvent(*charm, EventFor(hook_name, env), model);
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
