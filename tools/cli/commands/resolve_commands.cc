// resolved (alias resolve): mark a unit's hook error resolved, re-running the hook by default
// (juju-semantics §1.7; cli-and-ux §1.12).

#include "absl/strings/str_cat.h"
#include "lib/base/names.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/registry.h"

namespace skein::cli::commands {
namespace {

using skein::v1::Controller;

class ResolvedCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"resolved",
            "[<unit> ...] [--all]",
            "Marks unit errors resolved and re-executes failed hooks.",
            "A unit whose hook failed runs no other hook (actions still run) until it is resolved.\n"
            "By default the failed hook runs again; with --no-retry it is marked as done without\n"
            "committing what it did, and the unit goes on as if it had succeeded. --all resolves\n"
            "every unit of the model that is in error.\n",
            "    skein resolved mysql/0\n    skein resolved mysql/0 --no-retry\n    skein resolved --all\n",
            {"resolve"},
            {"status"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.Bool("--no-retry", &no_retry_, "Do not re-execute failed hooks on the unit");
    f.Bool("--all", &all_, "Marks all units in error as resolved");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (all_) {
      if (!args.empty()) return UsageError("specifying unit names(s) with --all not supported");
      return absl::OkStatus();
    }
    if (args.empty()) return UsageError("no unit specified");
    for (const auto& n : args) {
      if (!ParseUnitName(n).ok()) return UsageError(absl::StrCat("invalid unit name \"", n, "\""));
    }
    units_ = args;
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    skein::v1::ResolveUnitsRequest req;
    req.set_model(session->model());
    for (const auto& u : units_) req.add_units(u);
    req.set_no_retry(no_retry_);
    req.set_all(all_);
    // Silent on success, as in Juju.
    return session->connection->Call(&Controller::StubInterface::ResolveUnits, req).status();
  }

 private:
  std::string model_;
  bool no_retry_ = false;
  bool all_ = false;
  std::vector<std::string> units_;
};

}  // namespace

std::unique_ptr<Command> NewResolvedCommand() { return std::make_unique<ResolvedCommand>(); }

}  // namespace skein::cli::commands
