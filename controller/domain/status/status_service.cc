#include "controller/domain/status/status_service.h"

#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "controller/domain/core/lifecycle.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "controller/domain/hook/ports.h"
#include "controller/domain/model/model_service.h"
#include "controller/domain/status/derivation.h"
#include "lib/base/names.h"
#include "lib/base/status_macros.h"
#include "lib/base/time.h"

namespace skein::controller::domain::status {
namespace {

struct HostBase {
  std::string name = "ubuntu";
  std::string channel;
};

// The host's OS, shown as the machine's base (every machine runs on this host for now).
const HostBase& ReadHostBase() {
  static const HostBase* base = [] {
    auto* b = new HostBase();
    std::ifstream in("/etc/os-release");
    std::string line;
    auto unquote = [](std::string v) {
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return v;
    };
    while (std::getline(in, line)) {
      if (line.rfind("ID=", 0) == 0) b->name = unquote(line.substr(3));
      if (line.rfind("VERSION_ID=", 0) == 0) b->channel = unquote(line.substr(11));
    }
    return b;
  }();
  return *base;
}

void Fill(v1::StatusInfo* out, const StatusValue& v) {
  out->set_current(v.status);
  out->set_message(v.message);
  out->set_since(v.since);
  out->set_data_json(v.data_json);
}

v1::Life ToProto(Life life) { return life == Life::kAlive ? v1::LIFE_ALIVE : v1::LIFE_DYING; }

// Whether the agent behind `key` (UnitKey / MachineKey) is lost; never without presence tracking.
bool AgentLost(const presence::AgentPresence* presence, const std::string& key) {
  return presence != nullptr && presence->Of(key) == presence::Liveness::kLost;
}

void FillMachine(v1::MachineStatus* out, const MachineRow& m, const presence::AgentPresence* presence) {
  out->set_id(m.id);
  // agent_since is written whenever the agent connects or leaves: empty means never seen.
  const std::string agent = MachineAgentStatus(m.agent_seen, AgentLost(presence, MachineKey(m.id)),
                                               !m.agent_since.empty());
  out->mutable_agent_status()->set_current(agent);
  out->mutable_agent_status()->set_since(m.agent_since);
  out->mutable_machine_status()->set_current(agent == "pending" ? "pending" : "running");
  out->mutable_machine_status()->set_since(m.agent_since);
  if (agent == "down") {
    // Both, as the table's Message column shows the machine's.
    out->mutable_agent_status()->set_message("agent is not communicating with the server");
    out->mutable_machine_status()->set_message("agent is not communicating with the server");
  } else if (m.unit_uids.empty()) {
    // Said where an operator looks: the Message column of the machines table.
    out->mutable_machine_status()->set_message(
        "units share one user: no privilege separation (bootstrap as root to give each unit its own uid)");
  }
  out->set_hostname(m.hostname);
  out->set_address(m.address);
  out->set_base_name(ReadHostBase().name);
  out->set_base_channel(ReadHostBase().channel);
  out->set_instance_id(absl::StrCat("manual:", m.address));
}

std::string WorkloadVersionOf(const AppRow& app, const std::vector<UnitRow>& units) {
  for (const UnitRow& u : units) {
    if (u.name == app.leader_unit && !u.workload_version.empty()) return u.workload_version;
  }
  for (const UnitRow& u : units) {
    if (!u.workload_version.empty()) return u.workload_version;
  }
  return "";
}

// The charm the unit's agent reports running, with its revision from the model's charms (a
// charm the application has moved on from stays stored while units run it).
void FillUnitCharm(Tx& tx, v1::UnitStatus* out, const UnitRow& u) {
  if (u.charm_url.empty()) return;
  out->set_charm_url(u.charm_url);
  out->set_upgrade_charm_skipped(u.upgrade_charm_skipped);
  SQLite::Statement q = sql::Prepare(tx.db(), "SELECT revision FROM charms WHERE model_id = ? AND url = ?",
                                     u.model_id, u.charm_url);
  if (q.executeStep()) out->set_charm_rev(q.getColumn(0).getInt64());
}

void FillUnit(Tx& tx, v1::UnitStatus* out, const UnitRow& u, const AppRow& app, const std::string& address) {
  out->set_name(u.name);
  Fill(out->mutable_workload_status(), DisplayedWorkload(u));
  Fill(out->mutable_agent_status(), u.agent);
  out->set_leader(app.leader_unit == u.name);
  out->set_machine(u.machine_id);
  out->set_public_address(address);
  out->set_address(address);
  out->set_life(ToProto(u.life));
  out->set_workload_version(u.workload_version);
  for (const std::string& p : hook::OpenPortStrings(tx, u.id)) out->add_open_ports(p);
  FillUnitCharm(tx, out, u);
}

void FillApplication(Tx& tx, v1::ApplicationStatus* out, const AppRow& app,
                     const std::map<std::string, std::string>& addresses, const presence::AgentPresence* presence) {
  std::vector<UnitRow> units = UnitsOfApp(tx, app.id);
  // Lost agents change what their units show, and so what the application derives from them.
  for (UnitRow& u : units) {
    if (AgentLost(presence, UnitKey(u.id))) {
      MarkAgentLost(u, FormatRfc3339(presence->AbsentSince(UnitKey(u.id))));
    }
  }
  std::sort(units.begin(), units.end(), [](const UnitRow& a, const UnitRow& b) { return a.number < b.number; });
  auto charm = tx.Charm(app.charm_id);
  out->set_name(app.name);
  out->set_charm_name(app.charm_name);
  out->set_charm_url(app.charm_url);
  out->set_charm_origin(app.charm_origin);
  out->set_charm_rev(app.charm_revision);
  out->set_charm_channel(app.channel);
  out->set_deployment(app.deployment);
  out->set_charm_sha256(app.charm_sha256);
  out->set_scale(static_cast<int32_t>(units.size()));
  out->set_life(ToProto(app.life));
  Fill(out->mutable_status(), ApplicationStatus(app, units));
  out->set_workload_version(WorkloadVersionOf(app, units));
  out->set_base_name(ReadHostBase().name);
  out->set_base_channel(ReadHostBase().channel);
  out->set_subordinate(charm.ok() && (*charm)->metadata.subordinate);
  std::set<std::pair<std::string, std::string>> seen;
  for (const RelationRow& r : RelationsOfApp(tx, app.id)) {
    const EndpointRow* local = r.Local(app.id);
    const EndpointRow* remote = r.Remote(app.id);
    if (!seen.insert({local->endpoint, remote->application}).second) continue;
    v1::EndpointRelation* er = out->add_relations();
    er->set_endpoint(local->endpoint);
    er->set_related_application(remote->application);
    er->set_interface(r.interface);
    er->set_scope(local->scope);
  }
  std::sort(out->mutable_relations()->begin(), out->mutable_relations()->end(),
            [](const v1::EndpointRelation& a, const v1::EndpointRelation& b) {
              if (a.endpoint() != b.endpoint()) return a.endpoint() < b.endpoint();
              return NaturalLess(a.related_application(), b.related_application());
            });
  for (const UnitRow& u : units) {
    auto it = addresses.find(u.machine_id);
    v1::UnitStatus* unit = out->add_units();
    FillUnit(tx, unit, u, app, it == addresses.end() ? "" : it->second);
    unit->set_change_pending(presence != nullptr && presence->ChangePending(UnitKey(u.id)));
  }
}

void FillRelation(v1::RelationStatus* out, const RelationRow& r) {
  out->set_id(r.relation_id);
  out->set_key(r.key);
  out->set_interface(r.interface);
  out->set_type(r.is_peer ? "peer" : "regular");
  const EndpointRow* provider = r.is_peer ? &r.endpoints[0] : r.WithRole(charm::Role::kProvides);
  const EndpointRow* requirer = r.is_peer ? &r.endpoints[0] : r.WithRole(charm::Role::kRequires);
  if (provider) out->set_provider(provider->Spec());
  if (requirer) out->set_requirer(requirer->Spec());
  out->mutable_status()->set_current(r.life == Life::kAlive ? "joined" : "broken");
  out->set_life(ToProto(r.life));
}

}  // namespace

absl::StatusOr<v1::ModelStatus> StatusService::ModelStatus(const std::string& model) {
  ASSIGN_OR_RETURN(StatusView view, WatchedModelStatus(model));
  return std::move(view.status);
}

absl::StatusOr<StatusView> StatusService::WatchedModelStatus(const std::string& model) {
  StatusView view;
  v1::ModelStatus& out = view.status;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    view.keys.insert(ModelKey(m->id));
    view.keys.insert(presence::PresenceKey());
    *out.mutable_model() = model::SummaryOf(tx, *m, model::ControllerName(tx));
    std::map<std::string, std::string> addresses;
    std::set<std::string> used;
    for (const AppRow& app : AppsOfModel(tx, m->id)) {
      for (const UnitRow& u : UnitsOfApp(tx, app.id)) used.insert(u.machine_id);
    }
    for (const MachineRow& machine : ListMachines(tx)) {
      addresses[machine.id] = machine.address;
      view.keys.insert(MachineKey(machine.id));
      if (m->name == kControllerModel || used.count(machine.id) || machine.model_id == m->id) {
        FillMachine(out.add_machines(), machine, presence_);
      }
    }
    for (const AppRow& app : AppsOfModel(tx, m->id)) FillApplication(tx, out.add_applications(), app, addresses, presence_);
    for (const RelationRow& r : RelationsOfModel(tx, m->id)) FillRelation(out.add_relations(), r);
    out.set_controller_timestamp(FormatRfc3339(tx.clock().WallNow()));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return view;
}

absl::StatusOr<v1::UnitInfo> StatusService::ShowUnit(const std::string& model, const std::string& unit) {
  if (auto parsed = ParseUnitName(unit); !parsed.ok()) return parsed.status();
  v1::UnitInfo out;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    auto u = FindUnit(tx, m->id, unit);
    if (!u.ok()) return u.status();
    if (AgentLost(presence_, UnitKey(u->id))) MarkAgentLost(*u, FormatRfc3339(presence_->AbsentSince(UnitKey(u->id))));
    auto app = FindAppById(tx, u->application_id);
    if (!app.ok()) return app.status();
    auto machine = FindMachine(tx, u->machine_id);
    std::string address = machine.ok() ? machine->address : "";
    out.set_name(u->name);
    out.set_charm(app->charm_url);
    out.set_leader(app->leader_unit == u->name);
    out.set_life(ToProto(u->life));
    out.set_machine(u->machine_id);
    out.set_public_address(address);
    out.set_address(address);
    out.set_workload_version(u->workload_version);
    for (const std::string& p : hook::OpenPortStrings(tx, u->id)) out.add_opened_ports(p);
    Fill(out.mutable_workload_status(), DisplayedWorkload(*u));
    Fill(out.mutable_agent_status(), u->agent);
    for (const RelationRow& r : RelationsOfApp(tx, app->id)) {
      const EndpointRow* local = r.Local(app->id);
      const EndpointRow* remote = r.Remote(app->id);
      v1::RelationInfo* info = out.add_relation_info();
      info->set_relation_id(r.relation_id);
      info->set_endpoint(local->endpoint);
      info->set_related_endpoint(remote->endpoint);
      for (const auto& [k, v] : ReadBag(tx, r.id, remote->application, /*is_app=*/true)) {
        (*info->mutable_application_data())[k] = v;
      }
      std::vector<ScopeUnit> scope = ScopeOf(tx, r.id);
      auto in_scope = [&](const std::string& name) {
        for (const ScopeUnit& s : scope) {
          if (s.name == name) return true;
        }
        return false;
      };
      info->mutable_local_unit()->set_in_scope(in_scope(u->name));
      for (const auto& [k, v] : ReadBag(tx, r.id, u->name, false)) (*info->mutable_local_unit()->mutable_data())[k] = v;
      // Related units: the other side's units that are in scope or still have a bag.
      std::set<std::string> related;
      for (const ScopeUnit& s : scope) {
        if (s.application_id == remote->application_id && s.name != u->name) related.insert(s.name);
      }
      SQLite::Statement q(tx.db(), "SELECT owner FROM relation_bags WHERE relation_id = ? AND is_app = 0");
      q.bind(1, static_cast<int64_t>(r.id));
      while (q.executeStep()) {
        std::string owner = q.getColumn(0).getString();
        if (owner != u->name && owner.rfind(remote->application + "/", 0) == 0) related.insert(owner);
      }
      for (const std::string& name : related) {
        v1::RelationUnitData& data = (*info->mutable_related_units())[name];
        data.set_in_scope(in_scope(name));
        for (const auto& [k, v] : ReadBag(tx, r.id, name, false)) (*data.mutable_data())[k] = v;
      }
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace skein::controller::domain::status
