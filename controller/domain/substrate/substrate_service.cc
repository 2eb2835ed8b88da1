#include "controller/domain/substrate/substrate_service.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "nlohmann/json.hpp"

namespace skein::controller::domain::substrate {
namespace {

// Objects are kept with the key order they were applied with (a YAML file read by the CLI, a
// charm's template), so everything here uses the insertion-ordered JSON type.
using Json = nlohmann::ordered_json;

using ObjectKey = std::tuple<std::string, std::string, std::string, std::string>;  // ns, kind, name, label

ObjectKey KeyOf(const Manifest& m) { return {m.ns, m.kind, m.name, m.target_namespace_label}; }

// The string at `key` of an object, or "" when absent or not a string.
std::string StringAt(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// Sets metadata.namespace, keeping its place when present and putting it right after
// metadata.name otherwise, where kubectl and charm templates have it.
void SetNamespace(Json& object, const std::string& ns) {
  Json& metadata = object["metadata"];
  if (metadata.contains("namespace")) {
    metadata["namespace"] = ns;
    return;
  }
  Json rebuilt = Json::object();
  for (auto it = metadata.begin(); it != metadata.end(); ++it) {
    rebuilt[it.key()] = it.value();
    if (it.key() == "name") rebuilt["namespace"] = ns;
  }
  if (!rebuilt.contains("namespace")) rebuilt["namespace"] = ns;
  metadata = std::move(rebuilt);
}

absl::Status Differs(const Manifest& m, const char* what, const std::string& in_content, const char* field,
                     const std::string& in_field) {
  return absl::InvalidArgumentError(absl::StrCat(DescribeObject(m), ": ", what, " \"", in_content,
                                                 "\" differs from the manifest's ", field, " \"", in_field, "\""));
}

absl::StatusOr<Manifest> Validate(const Manifest& in, size_t index) {
  const std::string where = absl::StrCat("manifest ", index + 1);
  Json object = Json::parse(in.content_json, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": content_json is not a JSON object"));
  }
  const std::string api_version = StringAt(object, "apiVersion");
  const std::string kind = StringAt(object, "kind");
  if (api_version.empty()) return absl::InvalidArgumentError(absl::StrCat(where, ": missing apiVersion"));
  if (kind.empty()) return absl::InvalidArgumentError(absl::StrCat(where, ": missing kind"));
  auto metadata = object.find("metadata");
  const std::string name = metadata == object.end() ? "" : StringAt(*metadata, "name");
  if (name.empty()) return absl::InvalidArgumentError(absl::StrCat(where, ": missing metadata.name"));

  // The fields are what the store indexes; the content is what is applied. They must agree, or
  // the listing would show one object under another's name.
  Manifest out = in;
  if (kind != in.kind) return Differs(out, "kind", kind, "kind", in.kind);
  if (name != in.name) return Differs(out, "metadata.name", name, "name", in.name);
  if (api_version != in.api_version) return Differs(out, "apiVersion", api_version, "api_version", in.api_version);
  if (!in.ns.empty() && !in.target_namespace_label.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(in.kind, " \"", in.name, "\": both a namespace (\"", in.ns,
                                                   "\") and a target namespace label (\"", in.target_namespace_label,
                                                   "\") are set"));
  }
  if (metadata->contains("namespace")) {
    const Json& value = (*metadata)["namespace"];
    const std::string content_ns = value.is_string() ? value.get<std::string>() : value.dump();
    if (!content_ns.empty() && content_ns != in.ns) {
      return Differs(out, "metadata.namespace", content_ns, "namespace", in.ns);
    }
  }
  if (!in.ns.empty()) {
    SetNamespace(object, in.ns);
    out.content_json = object.dump();
  }
  return out;
}

std::string OwnerText(const std::string& owner) {
  return owner.empty() ? "the user" : absl::StrCat("application \"", owner, "\"");
}

// Whether `owner`'s set `set` holds exactly `manifests`, with the same contents.
bool SetIs(Tx& tx, int64_t model_id, const std::string& owner, const std::string& set,
           const std::vector<Manifest>& manifests) {
  std::map<ObjectKey, std::pair<std::string, std::string>> current;  // api_version, content_json
  SQLite::Statement q = sql::Prepare(tx.db(),
                                     "SELECT namespace, kind, name, target_namespace_label, api_version, content_json "
                                     "FROM manifests WHERE model_id = ? AND owner = ? AND set_name = ?",
                                     model_id, owner, set);
  while (q.executeStep()) {
    current[{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
             q.getColumn(3).getString()}] = {q.getColumn(4).getString(), q.getColumn(5).getString()};
  }
  if (current.size() != manifests.size()) return false;
  for (const Manifest& m : manifests) {
    auto it = current.find(KeyOf(m));
    if (it == current.end() || it->second != std::make_pair(m.api_version, m.content_json)) return false;
  }
  return true;
}

// Writes `manifests` (validated) as `owner`'s set `set`. With `prune`, the set is replaced: its
// rows are deleted first and the listed objects upserted, which also moves an object the owner
// holds in another set into this one. Returns FailedPrecondition before writing anything when
// another owner holds one of the objects.
absl::Status ApplyInTx(Tx& tx, int64_t model_id, const std::string& owner, const std::string& set,
                       const std::vector<Manifest>& manifests, bool prune) {
  for (const Manifest& m : manifests) {
    SQLite::Statement q = sql::Prepare(tx.db(),
                                       "SELECT owner FROM manifests WHERE model_id = ? AND namespace = ? AND kind = ? "
                                       "AND name = ? AND target_namespace_label = ?",
                                       model_id, m.ns, m.kind, m.name, m.target_namespace_label);
    if (q.executeStep() && q.getColumn(0).getString() != owner) {
      return absl::FailedPreconditionError(
          absl::StrCat(DescribeObject(m), " is already applied by ", OwnerText(q.getColumn(0).getString())));
    }
  }
  if (prune) {
    // Charms reconcile on every hook and mostly re-apply what is already there; an unchanged
    // set writes nothing.
    if (SetIs(tx, model_id, owner, set, manifests)) return absl::OkStatus();
    sql::Exec(tx.db(), "DELETE FROM manifests WHERE model_id = ? AND owner = ? AND set_name = ?", model_id, owner,
              set);
  }
  for (const Manifest& m : manifests) {
    sql::Exec(tx.db(),
              "INSERT INTO manifests (model_id, owner, set_name, namespace, target_namespace_label, api_version, "
              "kind, name, content_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
              "ON CONFLICT (model_id, namespace, kind, name, target_namespace_label) DO UPDATE SET "
              "set_name = excluded.set_name, api_version = excluded.api_version, "
              "content_json = excluded.content_json",
              model_id, owner, set, m.ns, m.target_namespace_label, m.api_version, m.kind, m.name, m.content_json);
  }
  tx.Touch(kManifestsKey);
  tx.Record(model_id, "manifests", owner.empty() ? std::string(kUserSet) : owner,
            absl::StrCat(prune ? "replace set " : "apply ", set, " (", manifests.size(), " objects)"));
  return absl::OkStatus();
}

absl::Status ApplyForApp(Tx& tx, const AppRow& app, const std::string& set, const std::vector<Manifest>& manifests) {
  if (set.empty()) return absl::InvalidArgumentError("set name is empty");
  auto valid = ValidateManifests(manifests);
  if (!valid.ok()) return valid.status();
  return ApplyInTx(tx, app.model_id, app.name, set, *valid, /*prune=*/true);
}

struct StoredRow {
  int64_t id = 0;
  ListedManifest listed;
};

// Whether a Namespace object's label `label` is the string "true" (Kubernetes label values are
// strings; the DecoratorController selectors of the Kubeflow charms match "true").
bool Labelled(const Json& namespace_object, const std::string& label) {
  auto metadata = namespace_object.find("metadata");
  if (metadata == namespace_object.end() || !metadata->is_object()) return false;
  auto labels = metadata->find("labels");
  if (labels == metadata->end() || !labels->is_object()) return false;
  return StringAt(*labels, label.c_str()) == "true";
}

}  // namespace

std::string DescribeObject(const Manifest& m) {
  if (!m.target_namespace_label.empty()) {
    return absl::StrCat(m.kind, " \"", m.name, "\" for namespaces labelled \"", m.target_namespace_label, "\"");
  }
  if (!m.ns.empty()) return absl::StrCat(m.kind, " \"", m.ns, "/", m.name, "\"");
  return absl::StrCat(m.kind, " \"", m.name, "\"");
}

absl::StatusOr<std::vector<Manifest>> ValidateManifests(const std::vector<Manifest>& manifests) {
  std::vector<Manifest> out;
  out.reserve(manifests.size());
  std::set<ObjectKey> seen;
  for (size_t i = 0; i < manifests.size(); ++i) {
    auto valid = Validate(manifests[i], i);
    if (!valid.ok()) return valid.status();
    // One request listing an object twice has no single meaning (which content wins?).
    if (!seen.insert(KeyOf(*valid)).second) {
      return absl::InvalidArgumentError(absl::StrCat(DescribeObject(*valid), " is listed twice"));
    }
    out.push_back(std::move(*valid));
  }
  return out;
}

absl::Status SubstrateService::ApplyManifests(const std::string& model, const std::string& application,
                                              const std::string& set, const std::vector<Manifest>& manifests) {
  return db_->Write("apply-manifests", [&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    auto app = FindApp(tx, m->id, application);
    if (!app.ok()) return app.status();
    return ApplyForApp(tx, *app, set, manifests);
  });
}

absl::Status SubstrateService::ApplyManifestsForUnit(int64_t unit_id, const std::string& set,
                                                     const std::vector<Manifest>& manifests) {
  return db_->Write("apply-manifests", [&](Tx& tx) -> absl::Status {
    auto unit = FindUnitById(tx, unit_id);
    if (!unit.ok()) return unit.status();
    auto app = FindAppById(tx, unit->application_id);
    if (!app.ok()) return app.status();
    return ApplyForApp(tx, *app, set, manifests);
  });
}

absl::Status SubstrateService::ApplyUserManifests(const std::string& model, const std::vector<Manifest>& manifests) {
  return db_->Write("apply-user-manifests", [&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    auto valid = ValidateManifests(manifests);
    if (!valid.ok()) return valid.status();
    return ApplyInTx(tx, m->id, "", kUserSet, *valid, /*prune=*/false);
  });
}

namespace {

// The model's stored rows (decorations unexpanded) and, for a Kubernetes model, the labels of the
// cluster namespaces its decorations may go to.
absl::Status ReadRows(Tx& tx, const std::string& model, std::vector<StoredRow>& rows,
                      std::map<std::string, Json>* cluster_namespaces) {
  auto m = FindModel(tx, model);
  if (!m.ok()) return m.status();
  SQLite::Statement q = sql::Prepare(tx.db(),
                                     "SELECT id, owner, set_name, namespace, target_namespace_label, api_version, "
                                     "kind, name, content_json FROM manifests WHERE model_id = ? "
                                     "ORDER BY owner, set_name, namespace, kind, name",
                                     m->id);
  while (q.executeStep()) {
    StoredRow row;
    row.id = q.getColumn(0).getInt64();
    row.listed.owner = q.getColumn(1).getString();
    row.listed.set = q.getColumn(2).getString();
    row.listed.manifest.ns = q.getColumn(3).getString();
    row.listed.manifest.target_namespace_label = q.getColumn(4).getString();
    row.listed.manifest.api_version = q.getColumn(5).getString();
    row.listed.manifest.kind = q.getColumn(6).getString();
    row.listed.manifest.name = q.getColumn(7).getString();
    row.listed.manifest.content_json = q.getColumn(8).getString();
    rows.push_back(std::move(row));
  }
  if (cluster_namespaces == nullptr) return absl::OkStatus();
  SQLite::Statement ns = sql::Prepare(tx.db(), "SELECT name, labels_json FROM cluster_namespaces WHERE model_id = ?", m->id);
  while (ns.executeStep()) {
    Json labels = Json::parse(ns.getColumn(1).getString(), nullptr, /*allow_exceptions=*/false);
    if (!labels.is_object()) continue;
    (*cluster_namespaces)[ns.getColumn(0).getString()] = Json{{"metadata", {{"labels", labels}}}};
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<ListedManifest>> SubstrateService::StoredManifests(const std::string& model) {
  std::vector<StoredRow> rows;
  absl::Status s = db_->Read([&](Tx& tx) { return ReadRows(tx, model, rows, nullptr); });
  if (!s.ok()) return s;
  std::vector<ListedManifest> out;
  out.reserve(rows.size());
  for (StoredRow& row : rows) out.push_back(std::move(row.listed));
  return out;
}

absl::StatusOr<std::vector<ListedManifest>> SubstrateService::ListManifests(const std::string& model,
                                                                            const std::string& ns) {
  std::vector<StoredRow> rows;
  std::map<std::string, Json> namespaces;
  absl::Status s = db_->Read([&](Tx& tx) { return ReadRows(tx, model, rows, &namespaces); });
  if (!s.ok()) return s;

  // The model's namespaces are its cluster-scoped Namespace objects, whoever applied them, and
  // (read above) the cluster's labelled namespaces; skein's own object wins for one in both, as
  // it is what skein applies there.
  for (const StoredRow& row : rows) {
    const Manifest& m = row.listed.manifest;
    if (m.kind == "Namespace" && m.ns.empty() && m.target_namespace_label.empty()) {
      namespaces[m.name] = Json::parse(m.content_json, nullptr, /*allow_exceptions=*/false);
    }
  }

  std::vector<std::pair<int64_t, ListedManifest>> out;
  for (StoredRow& row : rows) {
    const Manifest& m = row.listed.manifest;
    if (m.target_namespace_label.empty()) {
      if (ns.empty() || m.ns == ns) out.emplace_back(row.id, std::move(row.listed));
      continue;
    }
    // A decoration is only ever listed as its copies in the namespaces that carry its label.
    for (const auto& [target, object] : namespaces) {
      if (!ns.empty() && target != ns) continue;
      if (!Labelled(object, m.target_namespace_label)) continue;
      ListedManifest copy = row.listed;
      copy.manifest.ns = target;
      copy.manifest.target_namespace_label.clear();
      Json content = Json::parse(m.content_json, nullptr, /*allow_exceptions=*/false);
      if (content.is_object()) {
        SetNamespace(content, target);
        copy.manifest.content_json = content.dump();
      }
      out.emplace_back(row.id, std::move(copy));
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const Manifest& x = a.second.manifest;
    const Manifest& y = b.second.manifest;
    return std::tie(x.ns, x.kind, x.name, a.second.owner, a.first) <
           std::tie(y.ns, y.kind, y.name, b.second.owner, b.first);
  });
  std::vector<ListedManifest> result;
  result.reserve(out.size());
  for (auto& [id, listed] : out) result.push_back(std::move(listed));
  return result;
}

}  // namespace skein::controller::domain::substrate
