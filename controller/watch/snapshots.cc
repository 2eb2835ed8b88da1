#include "controller/watch/snapshots.h"

#include <map>

#include "controller/domain/action/action_service.h"
#include "controller/domain/core/lifecycle.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/model/model_config.h"
#include "controller/domain/relation/relation_service.h"
#include "controller/domain/secret/secret_hooks.h"
#include "controller/domain/storage/storage_service.h"
#include "lib/charm/config.h"

namespace skein::controller::watch {
namespace {

using domain::Life;

v1::Life ToProto(Life life) { return life == Life::kAlive ? v1::LIFE_ALIVE : v1::LIFE_DYING; }

// The unit's storage instances as its agent and its machine's agent see them. Storage changes
// touch the unit and machine keys (storage_service.cc), which both views already watch.
void AddStorage(domain::Tx& tx, int64_t unit_id,
                google::protobuf::RepeatedPtrField<v1::StorageAttachment>* out) {
  for (const auto& s : domain::storage::UnitStorageInTx(tx, unit_id)) {
    v1::StorageAttachment* a = out->Add();
    a->set_id(s.id.ToString());
    a->set_kind(charm::StorageKindName(s.kind));
    a->set_life(ToProto(s.life));
  }
}

void AddSecretEvents(const std::vector<domain::secret::SecretHookEvent>& events,
                     google::protobuf::RepeatedPtrField<v1::SecretHookEvent>* out) {
  for (const auto& e : events) {
    v1::SecretHookEvent* p = out->Add();
    p->set_uri(e.uri);
    p->set_label(e.label);
    p->set_revision(e.revision);
    if (e.due != std::chrono::system_clock::time_point{}) {
      p->set_due_unix_ms(std::chrono::duration_cast<std::chrono::milliseconds>(e.due.time_since_epoch()).count());
    }
  }
}

// The unit's secret hooks. Secret changes touch the owner's application and the readers'
// units (secret_store.cc TouchSecretWatchers), which the unit's view already watches.
void AddSecretHooks(domain::Tx& tx, const domain::UnitRow& unit, const domain::AppRow& app, v1::UnitSnapshot& snap) {
  const domain::secret::UnitSecretHooks hooks = domain::secret::SecretHooksForUnit(tx, unit, app);
  AddSecretEvents(hooks.changed, snap.mutable_secrets_changed());
  AddSecretEvents(hooks.obsolete, snap.mutable_secret_revisions_obsolete());
  AddSecretEvents(hooks.rotate, snap.mutable_secret_rotations());
  AddSecretEvents(hooks.expired, snap.mutable_secret_expiries());
}

}  // namespace

std::map<std::string, std::string> ModelConfigWithDefaults(const nlohmann::json& model_config) {
  std::map<std::string, std::string> out = domain::model::ModelConfigDefaults();
  if (model_config.is_object()) {
    for (auto it = model_config.begin(); it != model_config.end(); ++it) {
      out[it.key()] = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
    }
  }
  return out;
}

absl::StatusOr<View<v1::UnitSnapshot>> BuildUnitSnapshot(domain::Db& db, int64_t unit_id) {
  View<v1::UnitSnapshot> view;
  absl::Status s = db.Read([&](domain::Tx& tx) -> absl::Status {
    auto unit = domain::FindUnitById(tx, unit_id);
    if (!unit.ok()) return unit.status();
    auto app = domain::FindAppById(tx, unit->application_id);
    if (!app.ok()) return app.status();
    auto model = domain::FindModelById(tx, unit->model_id);
    if (!model.ok()) return model.status();
    auto charm = tx.Charm(app->charm_id);
    if (!charm.ok()) return charm.status();
    auto machine = domain::FindMachine(tx, unit->machine_id);

    v1::UnitSnapshot& snap = view.snapshot;
    snap.set_version(domain::LatestSeq(tx));
    snap.set_unit(unit->name);
    snap.set_application(app->name);
    snap.set_life(ToProto(unit->life));
    snap.set_application_life(ToProto(app->life));
    snap.set_model_life(ToProto(model->life));
    snap.set_leader(app->leader_unit == unit->name);
    snap.set_model_name(model->name);
    snap.set_model_uuid(model->uuid);
    snap.set_machine_id(unit->machine_id);
    snap.mutable_charm()->set_url(app->charm_url);
    snap.mutable_charm()->set_revision(app->charm_revision);
    snap.mutable_charm()->set_sha256(app->charm_sha256);
    snap.mutable_charm()->set_force_upgrade(app->force_charm_upgrade);
    snap.set_config_json(charm::EffectiveConfig((*charm)->config, app->config).dump());
    AddStorage(tx, unit->id, snap.mutable_storage());
    for (const auto& [k, v] : ModelConfigWithDefaults(model->config)) (*snap.mutable_model_config())[k] = v;
    snap.set_private_address(machine.ok() ? machine->address : "");
    snap.set_trusted(app->trust);
    AddSecretHooks(tx, *unit, *app, snap);
    {
      // A pending `skein resolved` request (0003_model_config_resolve.sql).
      SQLite::Statement q(tx.db(), "SELECT resolve_mode, resolve_serial FROM units WHERE id = ?");
      q.bind(1, static_cast<int64_t>(unit->id));
      if (q.executeStep()) {
        snap.set_resolve_mode(q.getColumn(0).getString());
        snap.set_resolve_serial(q.getColumn(1).getInt64());
      }
    }
    {
      // leader-set changes (0005_ports_state.sql) and leaders elected after a lease expired
      // (0004_leases.sql) both count as leader settings changes, so the non-leaders run
      // leader-settings-changed (juju-semantics §1.3).
      SQLite::Statement q(tx.db(), "SELECT leadership_changes + leader_settings_version FROM applications WHERE id = ?");
      q.bind(1, static_cast<int64_t>(app->id));
      if (q.executeStep()) snap.set_leader_settings_version(snap.leader_settings_version() + q.getColumn(0).getInt64());
    }
    view.keys = {domain::UnitKey(unit->id), domain::AppKey(app->id)};
    for (const auto& task : domain::action::QueuedTasks(tx, unit->model_id, unit->name)) {
      v1::PendingAction* pa = snap.add_actions();
      pa->set_task_id(task.id);
      pa->set_name(task.action);
      pa->set_params_json(task.params.dump());
      pa->set_parallel(task.parallel);
    }

    for (const domain::RelationRow& r : domain::RelationsInScope(tx, unit->id)) {
      const domain::EndpointRow* local = r.Local(app->id);
      const domain::EndpointRow* remote = r.Remote(app->id);
      if (local == nullptr || remote == nullptr) continue;
      v1::RelationSnapshot* rs = snap.add_relations();
      rs->set_id(r.relation_id);
      rs->set_endpoint(local->endpoint);
      rs->set_interface(r.interface);
      rs->set_role(charm::RoleName(local->role));
      rs->set_remote_application(remote->application);
      rs->set_remote_endpoint(remote->endpoint);
      rs->set_life(ToProto(r.life));
      for (const auto& m : domain::relation::VisibleMembers(tx, r, *unit)) {
        v1::RelationMember* member = rs->add_members();
        member->set_unit(m.unit);
        member->set_settings_version(m.settings_version);
      }
      rs->set_remote_app_settings_version(domain::BagVersion(tx, r.id, remote->application, /*is_app=*/true));
      rs->set_local_app_settings_version(domain::BagVersion(tx, r.id, app->name, /*is_app=*/true));
      view.keys.insert(domain::RelationKey(r.id));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return view;
}

absl::StatusOr<View<v1::MachineSnapshot>> BuildMachineSnapshot(domain::Db& db, const std::string& machine_id) {
  View<v1::MachineSnapshot> view;
  absl::Status s = db.Read([&](domain::Tx& tx) -> absl::Status {
    auto machine = domain::FindMachine(tx, machine_id);
    if (!machine.ok()) return machine.status();
    view.snapshot.set_version(domain::LatestSeq(tx));
    view.snapshot.set_machine_id(machine_id);
    std::map<int64_t, std::string> model_uuids;  // model id -> uuid, read once per model
    std::map<int64_t, bool> run_as_root;         // application id -> its charm wants root
    for (const domain::UnitRow& u : domain::UnitsOnMachine(tx, machine_id)) {
      auto [uuid, inserted] = model_uuids.try_emplace(u.model_id);
      if (inserted) {
        auto model = domain::FindModelById(tx, u.model_id);
        if (!model.ok()) return model.status();
        uuid->second = model->uuid;
      }
      v1::MachineUnit* mu = view.snapshot.add_units();
      mu->set_name(u.name);
      mu->set_application(u.application);
      mu->set_life(ToProto(u.life));
      mu->set_model_uuid(uuid->second);
      // A refresh may change the charm's `charm-user`, so the application's changes wake the
      // machine's stream too.
      auto [root, first_of_app] = run_as_root.try_emplace(u.application_id, false);
      if (first_of_app) {
        auto app = domain::FindAppById(tx, u.application_id);
        if (!app.ok()) return app.status();
        auto charm = tx.Charm(app->charm_id);
        if (!charm.ok()) return charm.status();
        root->second = (*charm)->metadata.charm_user == charm::CharmUser::kRoot;
        view.keys.insert(domain::AppKey(app->id));
      }
      mu->set_run_as_root(root->second);
      AddStorage(tx, u.id, mu->mutable_storage());
    }
    // destroy-model --destroy-storage touches every machine key when it adds a row.
    SQLite::Statement destroyed(tx.db(), "SELECT model_uuid FROM destroyed_model_storage ORDER BY model_uuid");
    while (destroyed.executeStep()) view.snapshot.add_storage_destroyed_models(destroyed.getColumn(0).getString());
    view.keys.insert(domain::MachineKey(machine_id));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return view;
}

}  // namespace skein::controller::watch
