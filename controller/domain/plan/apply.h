#pragma once

// Applying one stored change inside the caller's transaction, through the domain operations the
// CLI's single commands use (deploy, refresh, config, add-unit, integrate, remove-relation,
// remove-application): a plan change and the command it stands for can never differ.

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "controller/domain/application/charm_store.h"
#include "controller/domain/core/db.h"
#include "controller/domain/plan/plan.h"

namespace skein::controller::domain::plan {

// The charm an archive digest names (CharmStore::Read).
using CharmReader = std::function<absl::StatusOr<application::UploadedCharm>(const std::string& sha256)>;

// Applies `args` in the caller's transaction; the operation's own errors. InvalidArgument for a
// wait, which is no transaction (wait.h).
absl::Status ApplyInTx(Tx& tx, const std::string& model, const ChangeArgs& args, const CharmReader& read_charm);

}  // namespace skein::controller::domain::plan
