#include "controller/domain/application/application_service.h"
#include "controller/domain/application/internal.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "controller/domain/core/lifecycle.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "controller/domain/storage/storage_service.h"
#include "lib/base/limits.h"
#include "lib/base/names.h"
#include "lib/base/time.h"
#include "lib/charm/config.h"

namespace skein::controller::domain::application {
namespace {

constexpr char kMachine0[] = "0";

// Parses raw `key=value` settings per the schema. Null values (an empty non-string value)
// mean "back to the default" and are returned in `reset`.
absl::Status ParseSettings(const charm::ConfigSchema& schema, const std::map<std::string, std::string>& raw,
                           nlohmann::json* settings, std::vector<std::string>* reset) {
  for (const auto& [key, value] : raw) {
    auto parsed = charm::ParseConfigValue(schema, key, value);
    if (!parsed.ok()) {
      if (absl::IsNotFound(parsed.status())) {
        return absl::InvalidArgumentError(absl::StrCat("unknown option \"", key, "\""));
      }
      if (absl::IsResourceExhausted(parsed.status())) return parsed.status();
      return absl::InvalidArgumentError(std::string(parsed.status().message()));
    }
    if (parsed->is_null()) {
      reset->push_back(key);
    } else {
      (*settings)[key] = *parsed;
    }
  }
  return absl::OkStatus();
}

UnitRow InsertUnit(Tx& tx, const AppRow& app, int64_t number, const std::string& machine = kMachine0) {
  std::string name = absl::StrCat(app.name, "/", number);
  std::string now = FormatRfc3339(tx.clock().WallNow());
  sql::Exec(tx.db(),
            "INSERT INTO units(model_id, application_id, name, number, machine_id, life, agent_status, agent_since, "
            "workload_status, workload_message, workload_since) VALUES (?, ?, ?, ?, ?, 0, 'allocating', ?, 'waiting', "
            "'agent initialising', ?)",
            app.model_id, app.id, name, number, machine, now, now);
  UnitRow u;
  u.id = tx.db().getLastInsertRowid();
  u.model_id = app.model_id;
  u.application_id = app.id;
  u.application = app.name;
  u.name = name;
  u.number = number;
  u.machine_id = machine;
  tx.Touch(UnitKey(u.id));
  tx.Touch(MachineKey(machine));
  tx.Record(app.model_id, "unit", name, "add");
  return u;
}

// The machines `to` names, checked: each a machine number of the model (or machine 0, which
// every model shares).
absl::StatusOr<std::vector<std::string>> PlacementMachines(Tx& tx, const ModelRow& model,
                                                           const std::vector<std::string>& to) {
  std::vector<std::string> machines;
  for (const std::string& target : to) {
    if (target.empty() || !std::all_of(target.begin(), target.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid placement \"", target,
          "\": only machine numbers are supported on the local substrate (containers and new machines are not; "
          "add one with \"add-machine\" and use its number)"));
    }
    auto m = FindMachine(tx, target);
    if (!m.ok() || (m->model_id != 0 && m->model_id != model.id)) {
      return absl::NotFoundError(absl::StrCat("machine ", target, " not found"));
    }
    machines.push_back(target);
  }
  return machines;
}

}  // namespace

std::string NotAlive(const std::string& app) { return absl::StrCat("application \"", app, "\" is not alive"); }

absl::StatusOr<DeployResult> DeployInTx(Tx& tx, const DeployArgs& args) {
  const UploadedCharm* charm = &args.charm;
  const std::string app_name = args.application.empty() ? charm->metadata.name : args.application;
  if (!IsValidApplicationName(app_name)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid application name \"", app_name, "\""));
  }
  if (args.num_units < 0) return absl::InvalidArgumentError("the number of units must not be negative");
  if (absl::Status s = limits::CheckUnitsPerRequest(args.num_units); !s.ok()) return s;
  if (charm->metadata.subordinate) {
    return absl::FailedPreconditionError("subordinate charms are not supported yet");
  }
  nlohmann::json settings = nlohmann::json::object();
  std::vector<std::string> ignored;
  if (absl::Status s = ParseSettings(charm->config, args.config, &settings, &ignored); !s.ok()) return s;
  if (absl::Status s = charm::CheckStoredConfigSize(app_name, settings); !s.ok()) return s;
  if (absl::Status s = storage::CheckDirectives(charm->metadata, args.storage); !s.ok()) return s;
  const std::string origin = args.charm_origin.empty() ? "local" : args.charm_origin;

  DeployResult result;
  result.application = app_name;
  auto model = FindModel(tx, args.model);
  if (!model.ok()) return model.status();
  if (model->life != Life::kAlive) return absl::FailedPreconditionError(ModelDying(args.model));
  if (FindApp(tx, model->id, app_name).ok()) {
    return absl::AlreadyExistsError(absl::StrCat("application \"", app_name, "\" already exists"));
  }
  if (args.num_units > 0) {
    if (auto m = FindMachine(tx, kMachine0); !m.ok()) return absl::FailedPreconditionError("machine 0 not found");
  }
  int64_t revision = args.revision;
  std::string url;
  if (origin == "local") {
    revision = NextLocalRevision(tx, model->id, charm->metadata.name);
    url = absl::StrCat("local:", charm->metadata.name, "-", revision);
  } else {
    url = absl::StrCat("ch:", charm->metadata.name, "-", revision);
  }
  int64_t charm_id = sql::QueryInt(tx.db(), 0, "SELECT id FROM charms WHERE model_id = ? AND url = ?", model->id, url);
  if (charm_id == 0) charm_id = InsertCharm(tx, model->id, url, origin, revision, *charm);
  nlohmann::json bundle_keys = nlohmann::json::array();
  if (!args.deployment.empty()) {
    for (auto it = settings.begin(); it != settings.end(); ++it) bundle_keys.push_back(it.key());
  }
  sql::Exec(tx.db(),
            "INSERT INTO applications(model_id, name, charm_id, charm_origin, channel, config_json, life, "
            "next_unit_number, deployment, bundle_set_options, trust) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)",
            model->id, app_name, charm_id, origin, args.channel, settings.dump(), args.num_units, args.deployment,
            bundle_keys.dump(), args.trust ? 1 : 0);
  auto app = FindApp(tx, model->id, app_name);
  if (!app.ok()) return app.status();
  tx.Touch(AppKey(app->id));
  tx.Record(model->id, "application", app_name, "deploy");
  result.charm_url = url;
  storage::StoreDirectivesInTx(tx, app->id, args.storage);
  for (int i = 0; i < args.num_units; ++i) {
    UnitRow u = InsertUnit(tx, *app, i);
    if (absl::Status s = storage::CreateUnitStorageInTx(tx, u, charm->metadata, {}, {}); !s.ok()) return s;
    result.units.push_back(u.name);
  }
  ElectLeader(tx, app->id);
  for (const auto& [name, ep] : charm->metadata.endpoints) {
    if (ep.role != charm::Role::kPeers) continue;
    auto rel = CreateRelation(tx, model->id, {EndpointRow{app->id, app_name, name, charm::Role::kPeers, ep.interface, ep.scope}});
    if (!rel.ok()) return rel.status();
  }
  return result;
}

absl::StatusOr<DeployResult> ApplicationService::Deploy(const DeployArgs& args) {
  DeployResult result;
  absl::Status s = db_->Write("deploy", [&](Tx& tx) -> absl::Status {
    auto deployed = DeployInTx(tx, args);
    if (!deployed.ok()) return deployed.status();
    result = std::move(*deployed);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<std::vector<std::string>> AddUnitInTx(Tx& tx, const std::string& model, const std::string& app,
                                                     int n, const AddUnitOptions& options) {
  const std::vector<std::string>& to = options.to;
  const std::vector<std::string>& attach_storage = options.attach_storage;
  if (n < 1) return absl::InvalidArgumentError("must add at least one unit");
  if (n > 1 && !attach_storage.empty()) {
    return absl::InvalidArgumentError("--attach-storage cannot be used when adding more than one unit");
  }
  if (absl::Status s = limits::CheckUnitsPerRequest(n); !s.ok()) return s;
  std::vector<std::string> added;
  auto m = FindModel(tx, model);
  if (!m.ok()) return m.status();
  if (m->life != Life::kAlive) return absl::FailedPreconditionError(ModelDying(model));
  auto a = FindApp(tx, m->id, app);
  if (!a.ok()) return a.status();
  if (a->life != Life::kAlive) return absl::FailedPreconditionError(NotAlive(app));
  if (static_cast<int>(to.size()) > n) {
    return absl::InvalidArgumentError(absl::StrCat(to.size(), " placements given for ", n, " unit", n == 1 ? "" : "s"));
  }
  auto machines = PlacementMachines(tx, *m, to);
  if (!machines.ok()) return machines.status();
  auto charm = tx.Charm(a->charm_id);
  if (!charm.ok()) return charm.status();
  std::vector<RelationRow> relations = RelationsOfApp(tx, a->id);
  // On a Kubernetes model unit <app>/<n> is the StatefulSet's pod <app>-<n>, so units take the
  // lowest numbers free (a scale-down removes the highest), not ever-increasing ones.
  const bool ordinals =
      sql::QueryInt(tx.db(), 0, "SELECT COUNT(*) FROM models WHERE id = ? AND cloud <> 'localhost'", m->id) > 0;
  for (int i = 0; i < n; ++i) {
    const std::string machine = i < static_cast<int>(machines->size()) ? (*machines)[i] : std::string(kMachine0);
    const int64_t number =
        ordinals ? sql::QueryInt(tx.db(), 0,
                                 "SELECT MIN(n) FROM (SELECT 0 AS n UNION SELECT number + 1 FROM units "
                                 "WHERE application_id = ?1) WHERE n NOT IN (SELECT number FROM units "
                                 "WHERE application_id = ?1)",
                                 a->id)
                 : a->next_unit_number + i;
    UnitRow u = InsertUnit(tx, *a, number, machine);
    if (absl::Status s = storage::CreateUnitStorageInTx(tx, u, (*charm)->metadata, {}, attach_storage); !s.ok()) {
      return s;
    }
    for (const RelationRow& r : relations) {
      if (r.life == Life::kAlive) EnterScope(tx, r, u);
    }
    added.push_back(u.name);
  }
  sql::Exec(tx.db(), "UPDATE applications SET next_unit_number = next_unit_number + ? WHERE id = ?", n, a->id);
  tx.Touch(AppKey(a->id));
  ElectLeader(tx, a->id);
  return added;
}

absl::StatusOr<std::vector<std::string>> ApplicationService::AddUnit(const std::string& model, const std::string& app,
                                                                     int n, const AddUnitOptions& options) {
  std::vector<std::string> added;
  absl::Status s = db_->Write("add-unit", [&](Tx& tx) -> absl::Status {
    auto done = AddUnitInTx(tx, model, app, n, options);
    if (!done.ok()) return done.status();
    added = std::move(*done);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return added;
}

absl::StatusOr<std::vector<std::string>> ApplicationService::RemoveUnits(const std::string& model,
                                                                         const std::vector<std::string>& units,
                                                                         bool destroy_storage) {
  for (const std::string& name : units) {
    if (auto parsed = ParseUnitName(name); !parsed.ok()) return parsed.status();
  }
  absl::Status s = db_->Write("remove-unit", [&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    for (const std::string& name : units) {
      auto u = FindUnit(tx, m->id, name);
      if (!u.ok()) return u.status();
      if (destroy_storage) storage::MarkUnitStorageDyingInTx(tx, *u);
      if (u->life != Life::kAlive) continue;
      sql::Exec(tx.db(), "UPDATE units SET life = 1 WHERE id = ?", u->id);
      tx.Touch(UnitKey(u->id));
      tx.Touch(AppKey(u->application_id));
      tx.Touch(MachineKey(u->machine_id));
      // Others stop seeing a dying unit as a member, so they run -departed.
      for (const RelationRow& r : RelationsInScope(tx, u->id)) tx.Touch(RelationKey(r.id));
      tx.Record(m->id, "unit", name, "dying");
      ElectLeader(tx, u->application_id);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return units;
}

absl::StatusOr<RemoveApplicationResult> RemoveApplicationsInTx(Tx& tx, const std::string& model,
                                                               const std::vector<std::string>& apps,
                                                               bool destroy_storage) {
  RemoveApplicationResult result;
  auto m = FindModel(tx, model);
  if (!m.ok()) return m.status();
  for (const std::string& name : apps) {
    auto a = FindApp(tx, m->id, name);
    if (!a.ok()) return a.status();
    result.applications.push_back(name);
    sql::Exec(tx.db(), "UPDATE applications SET life = 1 WHERE id = ?", a->id);
    tx.Touch(AppKey(a->id));
    tx.Record(m->id, "application", name, "dying");
    for (const UnitRow& u : UnitsOfApp(tx, a->id)) {
      result.units.push_back(u.name);
      if (destroy_storage) storage::MarkUnitStorageDyingInTx(tx, u);
      if (u.life != Life::kAlive) continue;
      sql::Exec(tx.db(), "UPDATE units SET life = 1 WHERE id = ?", u.id);
      tx.Touch(UnitKey(u.id));
      tx.Touch(MachineKey(u.machine_id));
      tx.Record(m->id, "unit", u.name, "dying");
    }
    for (const RelationRow& r : RelationsOfApp(tx, a->id)) DestroyRelation(tx, r);
  }
  CleanupDying(tx, m->id);
  return result;
}

absl::StatusOr<RemoveApplicationResult> ApplicationService::RemoveApplications(const std::string& model,
                                                                               const std::vector<std::string>& apps,
                                                                               bool destroy_storage) {
  RemoveApplicationResult result;
  absl::Status s = db_->Write("remove-application", [&](Tx& tx) -> absl::Status {
    auto done = RemoveApplicationsInTx(tx, model, apps, destroy_storage);
    if (!done.ok()) return done.status();
    result = std::move(*done);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<ConfigView> ApplicationService::GetConfig(const std::string& model, const std::string& app) {
  ConfigView view;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    auto a = FindApp(tx, m->id, app);
    if (!a.ok()) return a.status();
    auto charm = tx.Charm(a->charm_id);
    if (!charm.ok()) return charm.status();
    view.application = a->name;
    view.charm = a->charm_name;
    view.trust = a->trust;
    for (const auto& [name, opt] : (*charm)->config) {
      ConfigOptionView o;
      o.name = name;
      o.type = opt.type;
      o.description = opt.description;
      if (!opt.default_value.is_null()) o.default_json = opt.default_value.dump();
      if (a->config.contains(name) && !a->config[name].is_null()) {
        o.value_json = a->config[name].dump();
        o.source = "user";
        o.set_by_bundle = a->bundle_set_options.count(name) > 0;
      } else if (!opt.default_value.is_null()) {
        o.value_json = o.default_json;
        o.source = "default";
      } else {
        o.source = "unset";
      }
      view.options.push_back(std::move(o));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return view;
}

absl::Status SetConfigInTx(Tx& tx, const std::string& model, const std::string& app,
                           const std::map<std::string, std::string>& values, const std::vector<std::string>& reset,
                           ConfigSetter setter) {
  auto m = FindModel(tx, model);
  if (!m.ok()) return m.status();
  auto a = FindApp(tx, m->id, app);
  if (!a.ok()) return a.status();
  auto charm = tx.Charm(a->charm_id);
  if (!charm.ok()) return charm.status();
  // `trust` is application config, not a charm setting (unless the charm has an option of that
  // name): Juju sets it with `juju config app trust=true` as well as with `juju trust`.
  std::map<std::string, std::string> charm_values = values;
  std::vector<std::string> charm_reset = reset;
  std::optional<bool> trust;
  if ((*charm)->config.count(kTrustKey) == 0) {
    if (auto it = charm_values.find(kTrustKey); it != charm_values.end()) {
      auto parsed = ParseTrustValue(it->second);
      if (!parsed.ok()) return parsed.status();
      trust = *parsed;
      charm_values.erase(it);
    }
    if (auto it = std::find(charm_reset.begin(), charm_reset.end(), kTrustKey); it != charm_reset.end()) {
      if (trust) return absl::InvalidArgumentError("key \"trust\" cannot be both set and reset in the same command");
      trust = false;
      charm_reset.erase(it);
    }
  }
  nlohmann::json updates = nlohmann::json::object();
  std::vector<std::string> resets = charm_reset;
  if (absl::Status st = ParseSettings((*charm)->config, charm_values, &updates, &resets); !st.ok()) return st;
  for (const std::string& key : charm_reset) {
    if (!(*charm)->config.count(key)) return absl::InvalidArgumentError(absl::StrCat("unknown option \"", key, "\""));
  }
  if (trust) SetTrustInTx(tx, *m, *a, *trust);
  nlohmann::json settings = a->config;
  std::set<std::string> bundle_keys = a->bundle_set_options;
  for (const std::string& key : resets) {
    settings.erase(key);
    bundle_keys.erase(key);
  }
  for (auto it = updates.begin(); it != updates.end(); ++it) {
    settings[it.key()] = it.value();
    if (setter == ConfigSetter::kBundle) {
      bundle_keys.insert(it.key());
    } else {
      bundle_keys.erase(it.key());
    }
  }
  // Setting a value the option already has still makes it the setter's: `skein config x k=v` with
  // the bundle's own value means the user now wants it kept.
  if (settings == a->config && bundle_keys == a->bundle_set_options) return absl::OkStatus();
  if (absl::Status s = charm::CheckStoredConfigSize(app, settings); !s.ok()) return s;
  sql::Exec(tx.db(), "UPDATE applications SET config_json = ?, bundle_set_options = ? WHERE id = ?", settings.dump(),
            nlohmann::json(bundle_keys).dump(), a->id);
  if (settings == a->config) return absl::OkStatus();
  tx.Touch(AppKey(a->id));
  tx.Record(m->id, "application", app, "config");
  return absl::OkStatus();
}

absl::Status ApplicationService::SetConfig(const std::string& model, const std::string& app,
                                           const std::map<std::string, std::string>& values,
                                           const std::vector<std::string>& reset) {
  return db_->Write("set-config", [&](Tx& tx) -> absl::Status {
    return SetConfigInTx(tx, model, app, values, reset, ConfigSetter::kUser);
  });
}

}  // namespace skein::controller::domain::application
