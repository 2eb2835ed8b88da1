// integrate (relate), remove-relation, add-unit, remove-unit, remove-application.

#include <algorithm>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/limits.h"
#include "lib/base/names.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/machine_placement.h"
#include "tools/cli/commands/registry.h"

namespace skein::cli::commands {
namespace {

using skein::v1::Controller;

// Asks before a destructive change when a person can answer (stdin is a terminal) and
// --no-prompt was not given. Without a terminal it proceeds: jubilant always passes
// --no-prompt, and a script without it must not hang or fail on a question it cannot answer.
absl::Status Confirm(Environment& env, bool no_prompt, const std::string& summary) {
  if (no_prompt || !env.stdin_tty) return absl::OkStatus();
  *env.err << "WARNING This command will perform the following actions:\n" << summary;
  if (!AskYesNo(env, "\nContinue [y/N]? ")) return absl::AbortedError("aborted");
  return absl::OkStatus();
}

class IntegrateCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"integrate",
            "<application>[:<endpoint>] <application>[:<endpoint>]",
            "Integrate two applications.",
            "Creates a relation between two applications. The endpoint may be left out when the\n"
            "charms' metadata leaves only one candidate; otherwise the error lists the candidates.\n",
            "    skein integrate wordpress mysql\n    skein integrate wordpress:db mysql:server\n",
            {"relate"},
            {"remove-relation", "status"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.Ignored("--via", true, "For cross model integrations, specify the egress subnets");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.size() != 2) return UsageError("an integration must involve two applications");
    endpoints_ = args;
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    skein::v1::IntegrateRequest req;
    req.set_model(session->model());
    for (const auto& e : endpoints_) req.add_endpoints(e);
    return session->connection->Call(&Controller::StubInterface::Integrate, req).status();
  }

 private:
  std::string model_;
  std::vector<std::string> endpoints_;
};

class RemoveRelationCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"remove-relation",
            "<application1>[:<endpoint>] <application2>[:<endpoint>] | <relation-id>",
            "Removes an existing relation between two applications.",
            "The relation's units run their -departed and -broken hooks, then the relation goes.\n",
            "    skein remove-relation mediawiki mysql\n    skein remove-relation 4\n",
            {},
            {"integrate", "remove-application"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.Bool("--force", &force_, "Force remove a relation");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    int64_t id;
    bool one_id = args.size() == 1 && absl::SimpleAtoi(args[0], &id) && id >= 0;
    if (args.size() != 2 && !one_id) return UsageError("a relation must involve two applications");
    endpoints_ = args;
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    skein::v1::RemoveRelationRequest req;
    req.set_model(session->model());
    for (const auto& e : endpoints_) req.add_endpoints(e);
    return session->connection->Call(&Controller::StubInterface::RemoveRelation, req).status();
  }

 private:
  std::string model_;
  bool force_ = false;
  std::vector<std::string> endpoints_;
};

class AddUnitCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"add-unit", "<application name>", "Adds one or more units to a deployed application.",
            "Adds units to an application. --to places them in order on the machines listed\n"
            "(machine numbers from add-machine, or 0); the others, and every unit without --to,\n"
            "go to machine 0. Containers and `new` cannot be placed on the local substrate.\n",
            "    skein add-unit mysql\n    skein add-unit mysql -n 2\n    skein add-unit mysql -n 2 --to 1,2\n", {},
            {"remove-unit", "deploy", "add-machine"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.Int("-n,--num-units", &num_units_, "Number of units to add");
    f.String("--to", &to_text_, "The machines to place the units on, in order (a comma list of machine numbers)");
    f.Strings("--attach-storage", &attach_storage_,
              "Detached storage to attach to the new unit: ids such as data/0, comma separated or repeated");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("no application specified");
    if (auto s = CheckNoExtraArgs(args, 1); !s.ok()) return s;
    app_ = args[0];
    if (!IsValidApplicationName(app_)) return UsageError(absl::StrCat("invalid application name \"", app_, "\""));
    if (num_units_ < 1) return UsageError("--num-units must be a positive integer");
    if (!to_text_.empty()) {
      auto to = ParsePlacement(to_text_);
      if (!to.ok()) return to.status();
      to_ = std::move(*to);
    }
    if (static_cast<int>(to_.size()) > num_units_) {
      return UsageError(absl::StrCat(to_.size(), " placements given for ", num_units_, " units: use -n ", to_.size()));
    }
    if (!to_.empty() && !attach_storage_.empty()) {
      return UsageError("--to and --attach-storage cannot be used together yet: add the unit with --attach-storage");
    }
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    // A failure (exit 1), not a usage error: the count is well formed, just more than one
    // request may add.
    if (absl::Status s = limits::CheckUnitsPerRequest(num_units_); !s.ok()) return s;
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    if (!to_.empty()) return AddUnitsTo(*session, app_, num_units_, to_).status();
    skein::v1::AddUnitRequest req;
    req.set_model(session->model());
    req.set_application(app_);
    req.set_num_units(num_units_);
    for (const std::string& list : attach_storage_) {
      for (absl::string_view id : absl::StrSplit(list, ',', absl::SkipEmpty())) req.add_attach_storage(std::string(id));
    }
    return session->connection->Call(&Controller::StubInterface::AddUnit, req).status();
  }

 private:
  std::string model_;
  int num_units_ = 1;
  std::string to_text_;
  std::vector<std::string> to_;
  std::string app_;
  std::vector<std::string> attach_storage_;
};

class RemoveUnitCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"remove-unit",
            "<unit> [...] | <application>",
            "Remove application units from the model.",
            "Marks units dying; their agents run the removal hooks and the units leave the model.\n"
            "The command returns at once. With --num-units, removes that many units of the one\n"
            "application named (the highest-numbered first).\n\n"
            "On a terminal it asks for confirmation unless --no-prompt is given; when stdin is not a\n"
            "terminal it never asks.\n",
            "    skein remove-unit wordpress/2 wordpress/3 --no-prompt\n    skein remove-unit wordpress --num-units 2\n",
            {},
            {"add-unit", "remove-application"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.Bool("--no-prompt", &no_prompt_, "Do not ask for confirmation");
    f.Bool("--destroy-storage", &destroy_storage_, "Destroy storage attached to the unit");
    f.Bool("--force", &force_, "Completely remove an unit and all its dependencies");
    f.Bool("--no-wait", &no_wait_, "Rush through unit removal without waiting for each individual step to complete");
    f.Int("--num-units", &num_units_, "Number of units to remove (kubernetes models only in Juju)");
    f.Ignored("--dry-run", false, "Print what this command would remove without removing");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("no units specified");
    names_ = args;
    if (num_units_ != 0) {
      if (num_units_ < 0) return UsageError("--num-units must be a positive integer");
      if (args.size() != 1) return UsageError("only single application supported with --num-units");
      if (!IsValidApplicationName(args[0])) return UsageError(absl::StrCat("invalid application name \"", args[0], "\""));
      return absl::OkStatus();
    }
    for (const auto& n : args) {
      if (!ParseUnitName(n).ok()) return UsageError(absl::StrCat("invalid unit name \"", n, "\""));
    }
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    std::vector<std::string> units = names_;
    if (num_units_ > 0) {
      auto picked = PickUnits(*session);
      if (!picked.ok()) return picked.status();
      units = *picked;
    }
    std::string summary;
    for (const auto& u : units) absl::StrAppend(&summary, "will remove unit ", u, "\n");
    if (auto s = Confirm(env, no_prompt_, summary); !s.ok()) return s;
    skein::v1::RemoveUnitRequest req;
    req.set_model(session->model());
    for (const auto& u : units) req.add_units(u);
    req.set_destroy_storage(destroy_storage_);
    auto resp = session->connection->Call(&Controller::StubInterface::RemoveUnit, req);
    if (!resp.ok()) return resp.status();
    if (no_prompt_ || !env.stdin_tty) *env.err << summary;
    return absl::OkStatus();
  }

 private:
  // The `--num-units` highest-numbered alive units of the application.
  absl::StatusOr<std::vector<std::string>> PickUnits(Session& session) {
    skein::v1::GetStatusRequest req;
    req.set_model(session.model());
    auto status = session.connection->Call(&Controller::StubInterface::GetStatus, req);
    if (!status.ok()) return status.status();
    std::vector<UnitName> alive;
    bool found = false;
    for (const auto& app : status->applications()) {
      if (app.name() != names_[0]) continue;
      found = true;
      for (const auto& u : app.units()) {
        auto parsed = ParseUnitName(u.name());
        if (parsed.ok() && u.life() == skein::v1::LIFE_ALIVE) alive.push_back(*parsed);
      }
    }
    if (!found) return absl::NotFoundError(absl::StrCat("application \"", names_[0], "\" not found"));
    if (static_cast<int>(alive.size()) < num_units_) {
      return absl::FailedPreconditionError(absl::StrCat("cannot remove ", num_units_, " units: application \"",
                                                        names_[0], "\" has only ", alive.size()));
    }
    std::sort(alive.begin(), alive.end(), [](const UnitName& a, const UnitName& b) { return a.number > b.number; });
    std::vector<std::string> out;
    for (int i = 0; i < num_units_; ++i) out.push_back(alive[i].ToString());
    return out;
  }

  std::string model_;
  bool no_prompt_ = false;
  bool destroy_storage_ = false;
  bool force_ = false;
  bool no_wait_ = false;
  int num_units_ = 0;
  std::vector<std::string> names_;
};

class RemoveApplicationCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"remove-application",
            "<application> [<application>...]",
            "Remove applications from the model.",
            "Marks the applications and their units dying; the units run their removal hooks and\n"
            "then the applications leave the model. The command returns at once.\n\n"
            "On a terminal it asks for confirmation unless --no-prompt is given; when stdin is not a\n"
            "terminal it never asks (Juju 3.6 would ask; skein must never block a script).\n",
            "    skein remove-application --no-prompt hadoop\n    skein remove-application -m test-model mariadb\n",
            {},
            {"remove-unit", "deploy"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.Bool("--no-prompt", &no_prompt_, "Do not ask for confirmation");
    f.Bool("--destroy-storage", &destroy_storage_, "Destroy storage attached to application units");
    f.Bool("--force", &force_, "Completely remove an application and all its dependencies");
    f.Bool("--no-wait", &no_wait_, "Rush through application removal without waiting for each individual step to complete");
    f.Ignored("--dry-run", false, "Print what this command would remove without removing");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("no application specified");
    for (const auto& a : args) {
      if (!IsValidApplicationName(a)) return UsageError(absl::StrCat("invalid application name \"", a, "\""));
    }
    apps_ = args;
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    if (!no_prompt_ && env.stdin_tty) {
      auto units = UnitsOf(*session);
      if (!units.ok()) return units.status();
      if (auto s = Confirm(env, false, Summary(*units)); !s.ok()) return s;
    }
    skein::v1::RemoveApplicationRequest req;
    req.set_model(session->model());
    for (const auto& a : apps_) req.add_applications(a);
    req.set_destroy_storage(destroy_storage_);
    auto resp = session->connection->Call(&Controller::StubInterface::RemoveApplication, req);
    if (!resp.ok()) return resp.status();
    if (no_prompt_ || !env.stdin_tty) {
      std::map<std::string, std::vector<std::string>> units;
      for (const auto& u : resp->units()) units[u.substr(0, u.find('/'))].push_back(u);
      *env.err << Summary(units);
    }
    return absl::OkStatus();
  }

 private:
  // Juju's summary: `will remove application x` then `- will remove unit x/0` per unit.
  std::string Summary(const std::map<std::string, std::vector<std::string>>& units) const {
    std::string out;
    for (const auto& app : apps_) {
      absl::StrAppend(&out, "will remove application ", app, "\n");
      auto it = units.find(app);
      if (it == units.end()) continue;
      for (const auto& u : it->second) absl::StrAppend(&out, "- will remove unit ", u, "\n");
    }
    return out;
  }

  absl::StatusOr<std::map<std::string, std::vector<std::string>>> UnitsOf(Session& session) {
    skein::v1::GetStatusRequest req;
    req.set_model(session.model());
    auto status = session.connection->Call(&Controller::StubInterface::GetStatus, req);
    if (!status.ok()) return status.status();
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& app : status->applications()) {
      for (const auto& u : app.units()) out[app.name()].push_back(u.name());
    }
    for (const auto& a : apps_) {
      if (!out.count(a) && std::none_of(status->applications().begin(), status->applications().end(),
                                         [&](const auto& app) { return app.name() == a; })) {
        return absl::NotFoundError(absl::StrCat("application \"", a, "\" not found"));
      }
    }
    return out;
  }

  std::string model_;
  bool no_prompt_ = false;
  bool destroy_storage_ = false;
  bool force_ = false;
  bool no_wait_ = false;
  std::vector<std::string> apps_;
};

}  // namespace

std::unique_ptr<Command> NewIntegrateCommand() { return std::make_unique<IntegrateCommand>(); }
std::unique_ptr<Command> NewRemoveRelationCommand() { return std::make_unique<RemoveRelationCommand>(); }
std::unique_ptr<Command> NewAddUnitCommand() { return std::make_unique<AddUnitCommand>(); }
std::unique_ptr<Command> NewRemoveUnitCommand() { return std::make_unique<RemoveUnitCommand>(); }
std::unique_ptr<Command> NewRemoveApplicationCommand() { return std::make_unique<RemoveApplicationCommand>(); }

}  // namespace skein::cli::commands
