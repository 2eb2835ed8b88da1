#pragma once

// `-m/--model` references as Juju accepts them: `model`, `user/model`, `controller:model`,
// `controller:user/model`. skein has one user (admin) per controller, so only the controller and
// model parts matter.

#include <string>

#include "absl/status/statusor.h"
#include "tools/cli/client/client_store.h"

namespace skein::cli::client {

struct ModelRef {
  std::string controller;  // empty = current controller
  std::string user;        // empty = the admin user
  std::string model;
};

// Splits a reference. InvalidArgument `invalid model reference "x"` when a part is empty.
absl::StatusOr<ModelRef> ParseModelRef(const std::string& text);

struct Target {
  std::string controller_name;
  ControllerEntry controller;
  std::string model;  // short name
};

// The controller and model a command works on: `model_flag` when given, else the controller's
// current model. Errors:
//   NotFound            no controller registered (NoControllersMessage()), or
//                       `controller "x" not found` for a controller part that is not registered
//   FailedPrecondition  no model given and no current model
//   InvalidArgument     from ParseModelRef
absl::StatusOr<Target> ResolveTarget(const ClientConfig& config, const std::string& model_flag);

}  // namespace skein::cli::client
