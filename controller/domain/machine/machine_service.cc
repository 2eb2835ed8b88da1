#include "controller/domain/machine/machine_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "controller/domain/core/lifecycle.h"
#include "controller/domain/core/sql.h"
#include "lib/base/constraints.h"
#include "lib/base/credential.h"

namespace skein::controller::domain::machine {
namespace {

constexpr char kHostMachine[] = "0";

// A machine of `model`: its own, or machine 0, which every model shares.
absl::StatusOr<MachineRow> FindModelMachine(Tx& tx, const ModelRow& model, const std::string& id) {
  auto m = FindMachine(tx, id);
  if (!m.ok() || (m->model_id != 0 && m->model_id != model.id)) {
    return absl::NotFoundError(absl::StrCat("machine ", id, " not found"));
  }
  return m;
}

}  // namespace

absl::StatusOr<std::vector<AddedMachine>> MachineService::AddMachines(const AddMachinesArgs& args) {
  if (args.count < 1 || args.count > kMaxMachinesPerRequest) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot add ", args.count, " machines: add between 1 and ", kMaxMachinesPerRequest, " at a time"));
  }
  auto constraints = ParseConstraints(args.constraints);
  if (!constraints.ok()) return constraints.status();
  std::vector<AddedMachine> added;
  absl::Status s = db_->Write("add-machine", [&](Tx& tx) -> absl::Status {
    auto model = FindModel(tx, args.model);
    if (!model.ok()) return model.status();
    if (model->life != Life::kAlive) {
      return absl::FailedPreconditionError(absl::StrCat("model \"", model->name, "\" is being destroyed"));
    }
    // Every machine runs on this host: the new ones share machine 0's name and address.
    auto host = FindMachine(tx, kHostMachine);
    if (!host.ok()) return absl::FailedPreconditionError("machine 0 not found");
    int64_t next = sql::QueryInt(tx.db(), 0, "SELECT COALESCE(MAX(CAST(id AS INTEGER)), 0) + 1 FROM machines");
    for (int i = 0; i < args.count; ++i) {
      AddedMachine m{absl::StrCat(next + i), NewCredential()};
      const std::string uids = i < static_cast<int>(args.unit_uids.size()) ? args.unit_uids[i] : "";
      sql::Exec(tx.db(),
                "INSERT INTO machines(id, hostname, address, credential_hash, unit_uids, model_id, constraints) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                m.id, host->hostname, host->address, HashCredential(m.credential), uids, model->id,
                FormatConstraints(*constraints));
      tx.Touch(MachineKey(m.id));
      tx.Record(model->id, "machine", m.id, "add");
      added.push_back(std::move(m));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return added;
}

absl::StatusOr<RemoveMachinesResult> MachineService::RemoveMachines(const std::string& model,
                                                                    const std::vector<std::string>& ids, bool force) {
  RemoveMachinesResult result;
  absl::Status s = db_->Write("remove-machine", [&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    for (const std::string& id : ids) {
      auto machine = FindModelMachine(tx, *m, id);
      if (!machine.ok()) return machine.status();
      if (machine->id == kHostMachine) {
        return absl::FailedPreconditionError("machine 0 is the host's machine and cannot be removed");
      }
      std::vector<UnitRow> units = UnitsOnMachine(tx, id);
      if (!units.empty() && !force) {
        std::vector<std::string> names;
        for (const UnitRow& u : units) names.push_back(absl::StrCat("\"", u.name, "\""));
        return absl::FailedPreconditionError(absl::StrCat("machine ", id, " has unit", names.size() > 1 ? "s " : " ",
                                                          absl::StrJoin(names, ", "),
                                                          " assigned; remove them first, or use --force"));
      }
      for (const UnitRow& u : units) {
        DeleteUnit(tx, u);
        tx.Record(u.model_id, "unit", u.name, "remove");
        result.units.push_back(u.name);
      }
      sql::Exec(tx.db(), "DELETE FROM machines WHERE id = ?", id);
      tx.Touch(MachineKey(id));
      tx.Record(m->id, "machine", id, "remove");
      result.machines.push_back(id);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<std::vector<MachineRow>> MachineService::ModelMachines(const std::string& model) {
  std::vector<MachineRow> out;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    for (MachineRow& row : ListMachines(tx)) {
      if (row.model_id == 0 || row.model_id == m->id) out.push_back(std::move(row));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace skein::controller::domain::machine
