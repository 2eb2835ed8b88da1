#include "controller/provisioner/application_pods.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "controller/provisioner/application_render.h"
#include "lib/base/time.h"

namespace skein::controller::provisioner {
namespace {

constexpr char kPodMessagePrefix[] = "pod ";

std::string Str(const kube::Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::optional<PodState> PodStateOf(const kube::Json& pod) {
  const kube::Json& meta = pod.value("metadata", kube::Json::object());
  const kube::Json& labels = meta.value("labels", kube::Json::object());
  auto app = labels.find("app.kubernetes.io/name");
  if (app == labels.end() || !app->is_string()) return std::nullopt;
  PodState state;
  state.app = app->get<std::string>();
  auto number = UnitNumberOfPod(state.app, Str(meta, "name"));
  if (!number.has_value()) return std::nullopt;
  state.unit = absl::StrCat(state.app, "/", *number);
  const kube::Json& status = pod.value("status", kube::Json::object());
  const std::string phase = Str(status, "phase");
  bool ready = false;
  for (const kube::Json& c : status.value("conditions", kube::Json::array())) {
    const std::string type = Str(c, "type");
    if (type == "Ready") ready = Str(c, "status") == "True";
    if (type == "PodScheduled" && Str(c, "status") == "False") {
      state.status = "unschedulable";
      const std::string why = Str(c, "message").empty() ? Str(c, "reason") : Str(c, "message");
      state.message = absl::StrCat("pod not scheduled: ", why);
    }
  }
  if (!state.status.empty()) return state;
  if (phase == "Running" && ready) {
    state.status = "running";
    return state;
  }
  const std::string words = phase.empty() ? "pending" : absl::AsciiStrToLower(phase);
  state.status = phase == "Running" ? "not-ready" : words;
  std::string reason = Str(status, "reason");
  if (reason.empty()) reason = Str(status, "message");
  state.message = absl::StrCat(kPodMessagePrefix, words, phase == "Running" ? " (not ready)" : "",
                               reason.empty() ? "" : absl::StrCat(": ", reason));
  return state;
}

absl::Status RecordPodState(domain::Db& db, const std::string& model, const PodState& state) {
  return db.Write("pod-status", [&](domain::Tx& tx) -> absl::Status {
    auto m = domain::FindModel(tx, model);
    if (!m.ok()) return absl::OkStatus();
    auto u = domain::FindUnit(tx, m->id, state.unit);
    if (!u.ok()) return absl::OkStatus();
    auto q = domain::sql::Prepare(tx.db(), "SELECT pod_status, pod_message FROM units WHERE id = ?", u->id);
    if (q.executeStep() && q.getColumn(0).getString() == state.status && q.getColumn(1).getString() == state.message) {
      return absl::OkStatus();
    }
    domain::sql::Exec(tx.db(), "UPDATE units SET pod_status = ?, pod_message = ? WHERE id = ?", state.status,
                      state.message, u->id);
    const std::string now = FormatRfc3339(tx.clock().WallNow());
    const bool showing_pod = absl::StartsWith(u->workload.message, kPodMessagePrefix);
    if (state.status != "running") {
      // The charm's own status is kept aside (once) and given back when the pod runs again.
      if (!showing_pod) {
        domain::sql::Exec(tx.db(), "UPDATE units SET saved_workload_status = ?, saved_workload_message = ? WHERE id = ?",
                          u->workload.status, u->workload.message, u->id);
      }
      domain::sql::Exec(tx.db(),
                        "UPDATE units SET workload_status = 'waiting', workload_message = ?, workload_since = ? "
                        "WHERE id = ?",
                        state.message, now, u->id);
    } else if (showing_pod) {
      // Only the status the provisioner put there is taken back: the charm's own returns, or
      // `waiting: agent initialising` when the charm had set none yet.
      domain::sql::Exec(tx.db(),
                        "UPDATE units SET workload_status = CASE WHEN saved_workload_status = '' THEN 'waiting' "
                        "ELSE saved_workload_status END, workload_message = CASE WHEN saved_workload_status = '' "
                        "THEN 'agent initialising' ELSE saved_workload_message END, workload_since = ?, "
                        "saved_workload_status = '', saved_workload_message = '' WHERE id = ?",
                        now, u->id);
    }
    tx.Touch(domain::ModelKey(m->id));
    tx.Touch(domain::UnitKey(u->id));
    return absl::OkStatus();
  });
}

absl::Status RecordPodDeleted(domain::Db& db, domain::application::ApplicationService& applications,
                              const std::string& model, const PodState& state) {
  bool alive = false;
  absl::Status read = db.Read([&](domain::Tx& tx) -> absl::Status {
    auto m = domain::FindModel(tx, model);
    if (!m.ok()) return absl::OkStatus();
    auto u = domain::FindUnit(tx, m->id, state.unit);
    alive = u.ok() && u->life == domain::Life::kAlive;
    return absl::OkStatus();
  });
  if (!read.ok() || !alive) return read;
  auto removed = applications.RemoveUnits(model, {state.unit});
  if (absl::IsNotFound(removed.status())) return absl::OkStatus();
  return removed.status();
}

}  // namespace skein::controller::provisioner
