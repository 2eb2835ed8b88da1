#include "tools/cli/client/model_ref.h"

#include "absl/strings/str_cat.h"

namespace skein::cli::client {

absl::StatusOr<ModelRef> ParseModelRef(const std::string& text) {
  ModelRef ref;
  std::string rest = text;
  auto invalid = [&] { return absl::InvalidArgumentError(absl::StrCat("invalid model reference \"", text, "\"")); };
  if (auto colon = rest.find(':'); colon != std::string::npos) {
    ref.controller = rest.substr(0, colon);
    rest = rest.substr(colon + 1);
    if (ref.controller.empty()) return invalid();
  }
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    ref.user = rest.substr(0, slash);
    rest = rest.substr(slash + 1);
    if (ref.user.empty()) return invalid();
  }
  if (rest.empty() || rest.find_first_of(":/") != std::string::npos) return invalid();
  ref.model = rest;
  return ref;
}

absl::StatusOr<Target> ResolveTarget(const ClientConfig& config, const std::string& model_flag) {
  ModelRef ref;
  if (!model_flag.empty()) {
    auto parsed = ParseModelRef(model_flag);
    if (!parsed.ok()) return parsed.status();
    ref = *parsed;
  }
  if (config.controllers.empty()) return absl::NotFoundError(NoControllersMessage());
  Target target;
  if (!ref.controller.empty()) {
    auto it = config.controllers.find(ref.controller);
    if (it == config.controllers.end()) {
      return absl::NotFoundError(absl::StrCat("controller \"", ref.controller, "\" not found"));
    }
    target.controller_name = it->first;
    target.controller = it->second;
  } else {
    auto current = CurrentController(config);
    if (!current.ok()) return current.status();
    target.controller_name = current->first;
    target.controller = current->second;
  }
  target.model = ref.model.empty() ? target.controller.current_model : ref.model;
  if (target.model.empty()) {
    return absl::FailedPreconditionError(
        "no current model specified; use \"skein switch <model>\" or pass --model");
  }
  return target;
}

}  // namespace skein::cli::client
