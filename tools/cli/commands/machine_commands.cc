// add-machine, machines, remove-machine (issue 15), on the controller's MachineManager service.
// On the local substrate a machine is another machine agent on this host: add-machine starts
// it (tools/cli/bootstrap/local_machines.h) with the credential the controller returns, and
// remove-machine stops it and removes its dir.

#include <unistd.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/constraints.h"
#include "tools/cli/bootstrap/local_machines.h"
#include "tools/cli/commands/machine_placement.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/output/status_json.h"
#include "tools/cli/output/status_tabular.h"

namespace skein::cli::commands {
namespace {

using skein::v1::MachineManager;

bool IsMachineNumber(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// add-machine's optional placement: what Juju would provision there, none of which this host can.
absl::Status RefusePlacement(const std::string& target) {
  if (absl::StartsWith(target, "ssh:")) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot add machine \"", target,
        "\": manual machines cannot join a skein controller yet (skein runs every machine on the controller's "
        "host); run add-machine without a target for another machine on this host"));
  }
  if (absl::StartsWith(target, "lxd") || absl::StartsWith(target, "kvm")) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot add machine \"", target,
        "\": containers are not supported on the local substrate; run add-machine without a target"));
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "cannot add machine \"", target,
      "\": skein only adds machines on the controller's host; run add-machine without a target"));
}

class AddMachineCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"add-machine",
            "[<container-type>[:<machine-id>] | ssh:[<user>@]<host> | <placement>]",
            "Provision a new machine or assign one to the model.",
            "Adds machines to the model. On skein's local substrate a machine is another machine\n"
            "agent on the controller's host with its own data dir ($SKEIN_DATA/machine-<id>),\n"
            "started as bootstrap started machine 0's (under skein-supervisor when that one is),\n"
            "so that units placed there with `deploy --to` or `add-unit --to` run under it.\n"
            "Machine numbers are unique across the controller. Prints `created machine N` on\n"
            "stderr for each. A target is refused: manual machines (ssh:user@host) cannot join\n"
            "yet and containers (lxd, lxd:N) are not supported. --constraints are stored and\n"
            "shown; --base, --series, --disks and the key flags are accepted and ignored.\n",
            "    skein add-machine\n    skein add-machine -n 2 --constraints mem=2G\n",
            {},
            {"machines", "remove-machine", "deploy", "add-unit"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.Int("-n", &count_, "The number of machines to add");
    f.Strings("--constraints", &constraints_, "Machine constraints that overwrite those of the model (key=value)");
    f.Ignored("--base", true, "The base on which to provision the machine");
    f.Ignored("--series", true, "The series on which to provision the machine");
    f.Ignored("--disks", true, "Storage constraints for disks to attach to the machine(s)");
    f.Ignored("--private-key", true, "Path to the private key used for manual provisioning");
    f.Ignored("--public-key", true, "Path to the public key to add to the remote authorized keys");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckNoExtraArgs(args, 1); !s.ok()) return s;
    if (!args.empty()) target_ = args[0];
    if (count_ < 1) return UsageError("-n must be a positive integer");
    constraint_text_ = absl::StrJoin(constraints_, " ");
    if (auto parsed = ParseConstraints(constraint_text_); !parsed.ok()) {
      return UsageError(std::string(parsed.status().message()));
    }
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    if (!target_.empty()) return RefusePlacement(target_);
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    bootstrap::BootstrapOptions local = LocalDaemonOptions(env);
    // Separated units need root to run under their uids, as at bootstrap.
    std::vector<std::optional<UidRange>> uids(count_);
    if (::geteuid() == 0) {
      auto chosen = bootstrap::NewMachineUnitUids(local, count_);
      if (!chosen.ok()) return LocalOnly(env, chosen.status());
      uids = std::move(*chosen);
    } else if (auto check = bootstrap::NewMachineUnitUids(local, 0); !check.ok()) {
      return LocalOnly(env, check.status());
    }
    skein::v1::AddMachinesRequest req;
    req.set_model(session->model());
    req.set_count(count_);
    req.set_constraints(constraint_text_);
    for (const auto& range : uids) req.add_unit_uids(range ? range->ToString() : "");
    auto resp = CallMachineManager(*session, &MachineManager::StubInterface::AddMachines, req);
    if (!resp.ok()) return resp.status();
    for (int i = 0; i < resp->machines_size(); ++i) {
      const skein::v1::AddedMachine& m = resp->machines(i);
      bootstrap::LocalMachine machine{m.id(), m.credential(), session->target.controller.address,
                                      session->target.controller.ca_cert, uids[i]};
      if (absl::Status s = bootstrap::StartLocalMachine(local, machine); !s.ok()) {
        // The machines whose agent did not start go again: nothing half-made stays.
        skein::v1::RemoveMachinesRequest undo;
        undo.set_model(session->model());
        for (int j = i; j < resp->machines_size(); ++j) undo.add_machines(resp->machines(j).id());
        (void)CallMachineManager(*session, &MachineManager::StubInterface::RemoveMachines, undo);
        return s;
      }
      *env.err << "created machine " << m.id() << "\n";
    }
    return absl::OkStatus();
  }

 private:
  // The machine's agent is started here, next to machine 0's: without its files this is not
  // the controller's host.
  absl::Status LocalOnly(const Environment& env, const absl::Status& s) const {
    if (!absl::IsNotFound(s)) return s;
    return absl::FailedPreconditionError(absl::StrCat(
        "add-machine starts the machine's agent on the controller's host and needs its data dir; machine 0's "
        "agent.conf is not in ", env.data_dir, "/machine-0 (set SKEIN_DATA to the controller's data dir)"));
  }

  std::string model_;
  int count_ = 1;
  std::vector<std::string> constraints_;
  std::string constraint_text_;
  std::string target_;
};

class MachinesCommand : public ModelQueryCommand {
 public:
  MachinesCommand() : ModelQueryCommand({"tabular", "json", "yaml"}) {}
  CommandInfo Info() const override {
    return {"machines",
            "",
            "Lists machines in a model.",
            "Lists the model's machines as the Machine section of status shows them: machine 0\n"
            "(the host's, shared by every model) when the model's units use it, and the machines\n"
            "added to the model. --format json|yaml prints {\"model\": ..., \"machines\": {id: ...}}\n"
            "with status's keys.\n",
            "    skein machines\n    skein machines --format json\n",
            {"list-machines"},
            {"add-machine", "remove-machine", "status"}};
  }

 protected:
  absl::Status Query(Environment& env, Session& session) override {
    skein::v1::GetStatusRequest req;
    req.set_model(session.model());
    auto status = session.connection->Call(&skein::v1::Controller::StubInterface::GetStatus, req);
    if (!status.ok()) return status.status();
    if (format() == "tabular") {
      if (status->machines_size() == 0) {
        *env.err << "No machines to display.\n";
        return absl::OkStatus();
      }
      return PrintText(env, output::MachinesTable(*status, {}));
    }
    nlohmann::json full = output::StatusToJson(*status, session.target.controller_name);
    return PrintData(env, {{"model", full["model"]}, {"machines", full["machines"]}});
  }
};

class RemoveMachineCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"remove-machine",
            "<machine number> ...",
            "Removes one or more machines from a model.",
            "Removes machines added with add-machine: stops each machine's agent and removes its\n"
            "data dir. A machine that hosts units is refused unless --force, which removes those\n"
            "units at once, without their hooks. Machine 0, the host's, cannot be removed.\n"
            "--no-wait, --no-prompt, --keep-instance and --dry-run are accepted; the agent is\n"
            "always stopped before the command returns.\n",
            "    skein remove-machine 1\n    skein remove-machine 2 3 --force\n",
            {},
            {"add-machine", "machines", "remove-unit"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.Bool("--force", &force_, "Remove the machine's units with it");
    f.Bool("--no-wait", &no_wait_, "Do not wait for the machines to go (they always go at once on skein)");
    f.Bool("-y,--no-prompt", &no_prompt_, "Do not ask for confirmation");
    f.Ignored("--keep-instance", false, "Do not stop the running cloud instance");
    f.Ignored("--dry-run", false, "Print what this command would remove without removing");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("no machines specified");
    for (const std::string& id : args) {
      if (!IsMachineNumber(id)) return UsageError(absl::StrCat("invalid machine id \"", id, "\""));
    }
    ids_ = args;
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    skein::v1::RemoveMachinesRequest req;
    req.set_model(session->model());
    for (const std::string& id : ids_) req.add_machines(id);
    req.set_force(force_);
    auto resp = CallMachineManager(*session, &MachineManager::StubInterface::RemoveMachines, req);
    if (!resp.ok()) return absl::Status(resp.status().code(), absl::StrCat("removing machine failed: ", resp.status().message()));
    for (const std::string& unit : resp->units()) *env.err << "- will remove unit " << unit << "\n";
    bootstrap::BootstrapOptions local = LocalDaemonOptions(env);
    for (const std::string& id : resp->machines()) {
      *env.err << "removing machine " << id << "\n";
      if (absl::Status s = bootstrap::StopLocalMachine(local, id); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

 private:
  std::string model_;
  bool force_ = false;
  bool no_wait_ = false;
  bool no_prompt_ = false;
  std::vector<std::string> ids_;
};

}  // namespace

std::unique_ptr<Command> NewAddMachineCommand() { return std::make_unique<AddMachineCommand>(); }
std::unique_ptr<Command> NewMachinesCommand() { return std::make_unique<MachinesCommand>(); }
std::unique_ptr<Command> NewRemoveMachineCommand() { return std::make_unique<RemoveMachineCommand>(); }

}  // namespace skein::cli::commands
